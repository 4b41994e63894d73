"""Phone number plans, built from the ``phonenumbers`` package's metadata (Google's libphonenumber).

The seed ``phone_number_plans.csv`` holds, per country, the calling code, a pattern for the
country's valid national significant numbers and the lengths such a number can have. The dbt
macro ``is_valid_phone`` (macros/phone_plans.sql) checks an E.164 number against it in SQL;
``is_valid_e164`` is the same question asked of phonenumbers itself, for the tests to compare with.

The pattern is built the way phonenumbers decides validity: the number must match the country's
``general_desc`` and at least one number type (fixed line, mobile, toll free, ...), each type with
its own possible lengths. ``general_desc`` alone is looser: it accepts, for instance, the
12-digit +60 1234567895, which no Malaysian number type allows (one in ten mutated example numbers
differed). In Postgres terms::

    (?=(?:GENERAL)$)(?:(?=(?:[0-9]{9}|[0-9]{10})$)(?:MOBILE)|(?=(?:[0-9]{8}|[0-9]{9})$)(?:FIXED)|...)

Lookahead constraints are Postgres ARE syntax; the macro anchors the whole with ``^(?:...)$``.

The countries are the thirteen the region reference covers plus every country of the seed
``country_calling_codes`` (the countries whose local numbers phone_e164 can put into E.164).

libphonenumber's patterns are written for Java's regex engine. They use only non-capturing groups,
character classes, ``\\d`` and bounded repeats, all of which Postgres's advanced regular expressions
understand; ``postgres_pattern`` refuses anything else in them (look-arounds, possessive or lazy
quantifiers, named groups, inline flags), so a new phonenumbers release that used them would fail
the build here rather than silently in SQL.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneMetadata

from ingestion.reference.regions import COUNTRIES

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
PHONE_PLANS_CSV = "phone_number_plans.csv"
PLAN_COLUMNS = ("country_code", "calling_code", "national_pattern", "possible_lengths")

#: Java regex constructs Postgres AREs lack or read differently.
_UNSUPPORTED = re.compile(r"\(\?[=!<>a-zA-Z]|[*+?}][+?]|\\[pPQEGAzZh]")


def postgres_pattern(pattern: str) -> str:
    """The libphonenumber pattern as a Postgres ARE (unchanged); raise if it uses a construct
    Postgres lacks."""
    found = _UNSUPPORTED.search(pattern)
    if found:
        raise ValueError(f"pattern {pattern!r} uses {found.group()!r}, which Postgres regexes lack")
    return pattern


#: libphonenumber's number types, in the order phonenumbers tries them.
NUMBER_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


def _lengths_guard(lengths: tuple[int, ...]) -> str:
    return "(?=(?:" + "|".join(f"[0-9]{{{n}}}" for n in sorted(lengths)) + ")$)"


def national_pattern(meta: PhoneMetadata) -> str:
    """The country's valid national significant numbers as one Postgres ARE (module docstring)."""
    general = meta.general_desc
    types: list[str] = []
    for name in NUMBER_TYPES:
        desc = getattr(meta, name)
        if desc is None or not desc.national_number_pattern or tuple(desc.possible_length) == (-1,):
            continue
        guard = _lengths_guard(tuple(desc.possible_length)) if desc.possible_length else ""
        types.append(f"{guard}(?:{postgres_pattern(desc.national_number_pattern)})")
    if not types:
        raise ValueError(f"phonenumbers has no number type for {meta.id}")
    return f"(?=(?:{postgres_pattern(general.national_number_pattern)})$)(?:{'|'.join(types)})"


def calling_code_countries(seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """The thirteen reference countries plus those of the seed country_calling_codes."""
    with (seeds_dir / "country_calling_codes.csv").open(newline="", encoding="utf-8") as f:
        seeded = {row["country_code"].strip() for row in csv.DictReader(f)}
    return sorted(set(COUNTRIES) | seeded)


def build_phone_plans(seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    """One row per country: calling code, national number pattern, possible lengths ('8|9')."""
    rows: list[dict[str, str]] = []
    for country in calling_code_countries(seeds_dir):
        meta = PhoneMetadata.metadata_for_region(country)
        if meta is None:
            raise ValueError(f"phonenumbers has no metadata for {country}")
        desc = meta.general_desc
        rows.append(
            {
                "country_code": country,
                "calling_code": str(meta.country_code),
                "national_pattern": national_pattern(meta),
                "possible_lengths": "|".join(str(n) for n in sorted(desc.possible_length)),
            }
        )
    return rows


def is_valid_e164(e164: str | None, country: str | None = None) -> bool:
    """Is this E.164 string a valid number (for ``country``, when given), by phonenumbers?"""
    if not e164 or not re.fullmatch(r"\+[1-9][0-9]{1,14}", e164):
        return False
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    if country is not None:
        return phonenumbers.is_valid_number_for_region(number, country)
    return phonenumbers.is_valid_number(number)

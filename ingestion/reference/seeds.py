"""The reference seeds this package generates, written to (or compared with) dbt_project/seeds/.

``oms reference build`` writes them; ``oms reference check`` fails when the committed files differ
from what the generator builds now (a hand edit, or a pycountry/phonenumbers upgrade that changed
the data), and says which rows differ.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from ingestion.reference import phones, regions

SEEDS_DIR = phones.SEEDS_DIR


def _csv(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def build_seed_files(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """File name -> CSV text of every generated seed, sorted and deterministic."""
    data = regions.build_regions()
    return {
        "regions.csv": _csv(regions.REGION_COLUMNS, regions.region_rows(data)),
        "region_aliases.csv": _csv(regions.ALIAS_COLUMNS, regions.alias_rows(data)),
        "region_countries.csv": _csv(regions.COUNTRY_COLUMNS, regions.country_rows(data)),
        phones.PHONE_PLANS_CSV: _csv(phones.PLAN_COLUMNS, phones.build_phone_plans(seeds_dir)),
    }


def write_seeds(seeds_dir: Path = SEEDS_DIR) -> dict[str, int]:
    """Write every generated seed; return file name -> data rows written."""
    written: dict[str, int] = {}
    for name, text in build_seed_files(seeds_dir).items():
        (seeds_dir / name).write_text(text, encoding="utf-8")
        written[name] = text.count("\n") - 1
    return written


def diff_seeds(seeds_dir: Path = SEEDS_DIR, examples: int = 5) -> list[str]:
    """How the committed seeds differ from the generator's output, one line per finding; empty
    when they are identical."""
    findings: list[str] = []
    for name, expected in build_seed_files(seeds_dir).items():
        path = seeds_dir / name
        if not path.exists():
            findings.append(f"{name}: missing (run `oms reference build`)")
            continue
        actual = path.read_text(encoding="utf-8")
        if actual == expected:
            continue
        want, have = expected.splitlines(), actual.splitlines()
        if want[:1] != have[:1]:
            findings.append(f"{name}: header is {have[:1]}, expected {want[:1]}")
        missing = sorted(set(want[1:]) - set(have[1:]))
        extra = sorted(set(have[1:]) - set(want[1:]))
        if missing:
            findings.append(f"{name}: {len(missing)} row(s) missing, e.g. {missing[:examples]}")
        if extra:
            findings.append(f"{name}: {len(extra)} row(s) not generated, e.g. {extra[:examples]}")
        if not missing and not extra and want[:1] == have[:1]:
            findings.append(f"{name}: same rows, different order or line endings")
    return findings

"""The region reference: four levels of places with their aliases, built into three dbt seeds.

``build_regions()`` returns the rows of

- ``regions.csv``: region_code, country_code, level (0 country, 1 province, 2 city, 3 district),
  parent_code, name_en, name_local;
- ``region_aliases.csv``: region_code, alias (normalised with ``normalise_place``), language;
- ``region_countries.csv``: country_code, name_en, match_level, postal_code_pattern,
  postal_code_required.

Sources. Levels 0 and 1 of the thirteen countries (the Gulf states SA, AE, KW, QA, BH, OM; Egypt;
MY, ID, TH, PH, VN, SG) come from pycountry's ISO 3166-1 and 3166-2 data. pycountry has no local
names and few English ones, so region_tables.py adds them (Arabic for the Gulf states and Egypt,
Thai for Thailand, Malay, Indonesian, Vietnamese), with the spellings buyers and channels use and
the channels' province codes (Shopify's 'DU', 'KUL', 'SGR', 'TH-10'). Cities (level 2) and districts
(level 3) are curated there for SA, AE, MY and TH (and Singapore's towns).

Which ISO 3166-2 subdivisions are level 1 (where pycountry has two tiers or special entries, the
one buyers write in an address):
- Indonesia: the 38 provinces; the seven "geographical units" (Jawa, Sumatera...) are not used.
- Philippines: the 82 provinces, plus PH-00 (National Capital Region = Metro Manila, which has no
  province; its cities' names are its aliases); the other 16 regions are not used.
- Thailand: the 76 provinces and Bangkok (TH-10); TH-S (Phatthaya, a special administrative city
  inside Chon Buri) is not a province here but the city TH-20-PTY, which carries 'TH-S' as an alias.
- Viet Nam: the 58 provinces and the 5 centrally governed cities, all first-tier in ISO 3166-2
  (pycountry's data predate the 2025 merger into 34 units).
- Everywhere else, every subdivision pycountry lists (all are first-tier).

Aliases. Every name_en and name_local is an alias; so are pycountry's transliteration ('Ar Riyāḑ'
is stored as 'ar riyad'), the ISO code ('sa 01', 'th 10') and its letter suffix when it has two
letters or more ('du', 'alx'), and the forms below, applied to every region of a country:
- level 1: SA "X Province", "X Region", and the Arabic name with and without "منطقة"; AE "X
  Emirate", "Emirate of X", "إمارة X"; KW, BH, OM, EG "X Governorate", "محافظة X"; QA "X
  Municipality", "بلدية X"; TH (not Bangkok) "X Province", "Changwat X", "จังหวัดX", "จ.X"; ID "X
  Province", "Provinsi X"; PH "X Province"; VN "X Province", "Tinh X", "Tỉnh X" for provinces and
  "X City", "Thanh pho X", "TP X", "Thành phố X", "TP. X" for the five cities;
- level 2: "X City" (not in Singapore), and in SA and AE "مدينة X";
- level 3: in SA and AE the name without its article ("Al Olaya" -> "Olaya"), in SA "X District" and
  "حي X"; Bangkok's districts "Khet X", "X District", "เขตX".

Uniqueness. An alias is unique per (region_code, alias). At levels 0 to 2 an alias never names two
regions of the same level in the same country (``build_regions`` refuses to build otherwise). The
same spelling does name regions of different levels ("Riyadh" the region and the city), which the
matcher keeps apart by level. At level 3 district names repeat across cities ("Al Rawdah" in Riyadh
and Jeddah, "Al Aziziyah" in Mecca and Medina, "Al Nahda" in Dubai and Sharjah): unavoidable, and
the matcher looks districts up inside the matched city; inside one city a district alias is unique.

Two choices the demo's spellings forced, both documented in region_tables.py: Pattaya answers to
"Chon Buri" (buyers there write the province as their city), so the provincial seat Mueang Chon
Buri is not a separate city (its name would make "Chon Buri" ambiguous); George Town answers to
"Penang". Singapore matches at the country level (match_level 0): its city values ("Singapore",
"SG") are aliases of the country row; its towns (level 2) sit under the community development
council district covering most of each town, which is an approximation, harmless because no order
needs to resolve below the country there.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import pycountry

from ingestion.reference import region_tables
from ingestion.reference.normalise import normalise_place

REGION_COLUMNS = ("region_code", "country_code", "level", "parent_code", "name_en", "name_local")
ALIAS_COLUMNS = ("region_code", "alias", "language")
COUNTRY_COLUMNS = ("country_code", "name_en", "match_level", "postal_code_pattern", "postal_code_required")

LANGUAGES = ("en", "ar", "th", "ms", "id", "vi", "latn", "code")

_CODE_PATTERNS = {
    0: re.compile(r"[A-Z]{2}"),
    1: re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}"),
    2: re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}-[A-Z]{3,4}"),
    3: re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}-[A-Z]{3,4}-[A-Z0-9]{2,4}"),
}
_ARTICLE = re.compile(r"^(?:Al|Ar|As|Ash|Ad|An|Az|At|Ath|Adh)[ -](?P<rest>.{3,})$")
_LANGUAGE_PREFIX = re.compile(r"^(?P<lang>[a-z]{2,4}):(?P<text>.+)$")


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name_en: str
    name_local: str
    local_language: str
    match_level: int
    postal_code_pattern: str
    postal_code_required: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Region:
    region_code: str
    country_code: str
    level: int
    parent_code: str
    name_en: str
    name_local: str


@dataclass(frozen=True, slots=True)
class Alias:
    region_code: str
    alias: str
    language: str


# --------------------------------------------------------------------------- table parsing


def _rows(table: str) -> list[list[str]]:
    """Logical rows of a pipe table: '+' lines continue the previous line (joined with '; ')."""
    lines: list[str] = []
    for raw in table.strip().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("+"):
            lines[-1] += "; " + line[1:].strip()
            continue
        lines.append(line)
    return [[cell.strip() for cell in line.split("|")] for line in lines]


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _items(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _parse_countries() -> dict[str, Country]:
    out: dict[str, Country] = {}
    for row in _rows(region_tables.COUNTRIES):
        code, name_en, name_local, language, match_level, pattern, required = row[:7]
        out[code] = Country(
            code=code,
            name_en=name_en,
            name_local=name_local,
            local_language=language,
            match_level=int(match_level),
            postal_code_pattern=pattern,
            postal_code_required={"true": True, "false": False}[required],
            aliases=_items(_cell(row, 7)),
        )
    return out


#: The thirteen countries, in the order the issue names them.
COUNTRIES: dict[str, Country] = _parse_countries()


# --------------------------------------------------------------------------- level 1 from pycountry


def level1_subdivisions(country: str) -> list:
    """pycountry's subdivisions of ``country`` that are level 1 here (module docstring)."""
    subs = sorted(pycountry.subdivisions.get(country_code=country) or [], key=lambda s: s.code)
    if country == "ID":
        return [s for s in subs if s.type != "Geographical unit"]
    if country == "PH":
        return [s for s in subs if s.type == "Province" or s.code == "PH-00"]
    if country == "TH":
        return [s for s in subs if s.code != "TH-S"]
    return subs


def fold_marks(text: str) -> str:
    """Latin text without its marks, case kept ('Đà Nẵng' -> 'Da Nang')."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


# --------------------------------------------------------------------------- aliases


def _language(text: str, country: str) -> str:
    if any("\u0600" <= c <= "\u06ff" for c in text):
        return "ar"
    if any("\u0e00" <= c <= "\u0e7f" for c in text):
        return "th"
    if country == "VN" and not text.isascii():
        return "vi"
    return "latn"


def _tagged(text: str, country: str) -> tuple[str, str]:
    """An alias cell item as (text, language): an explicit 'xx:' prefix, else by script."""
    m = _LANGUAGE_PREFIX.match(text)
    if m and m.group("lang") in LANGUAGES:
        return m.group("text").strip(), m.group("lang")
    return text, _language(text, country)


class _AliasBook:
    """Aliases in insertion order, one per (region, normalised text): the first language wins."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], str] = {}

    def add(self, region_code: str, text: str | None, language: str) -> None:
        alias = normalise_place(text) if text else None
        if alias is None:
            return
        self._seen.setdefault((region_code, alias), language)

    def rows(self) -> list[Alias]:
        return [Alias(code, alias, lang) for (code, alias), lang in sorted(self._seen.items())]


def _province_forms(
    country: str, code: str, name_en: str, name_local: str, bare_local: str
) -> list[tuple[str, str]]:
    """The country's usual ways of writing a province (module docstring), as (text, language)."""
    forms: list[tuple[str, str]] = []
    ends = name_en.split()[-1] if name_en else ""
    if country == "SA":
        if ends not in ("Province", "Region"):
            forms += [(f"{name_en} Province", "en"), (f"{name_en} Region", "en")]
        if name_local.startswith("منطقة "):
            forms.append((name_local.removeprefix("منطقة "), "ar"))
    elif country == "AE":
        forms += [
            (f"{name_en} Emirate", "en"),
            (f"Emirate of {name_en}", "en"),
            (f"إمارة {name_local}", "ar"),
        ]
    elif country in ("KW", "BH", "OM", "EG"):
        forms += [(f"{name_en} Governorate", "en"), (f"محافظة {name_local}", "ar")]
    elif country == "QA":
        forms += [(f"{name_en} Municipality", "en"), (f"بلدية {name_local}", "ar")]
    elif country == "TH" and code != "TH-10":
        forms += [
            (f"{name_en} Province", "en"),
            (f"Changwat {name_en}", "latn"),
            (f"จังหวัด{name_local}", "th"),
            (f"จ.{name_local}", "th"),
        ]
    elif country == "ID":
        forms += [(f"{name_en} Province", "en"), (f"Provinsi {name_local}", "id")]
    elif country == "PH" and code != "PH-00" and ends != "Province":
        forms.append((f"{name_en} Province", "en"))
    elif country == "VN":
        folded = fold_marks(bare_local)
        if code.split("-")[1].isalpha():  # the five centrally governed cities: VN-HN, VN-SG ...
            forms += [
                (f"{folded} City", "en"),
                (f"Thanh pho {folded}", "latn"),
                (f"TP {folded}", "latn"),
                (f"Thành phố {bare_local}", "vi"),
                (f"TP. {bare_local}", "vi"),
            ]
        else:
            forms += [(f"{folded} Province", "en"), (f"Tinh {folded}", "latn"), (f"Tỉnh {bare_local}", "vi")]
    return forms


def _city_forms(country: str, name_en: str, name_local: str) -> list[tuple[str, str]]:
    forms: list[tuple[str, str]] = []
    if country != "SG" and not name_en.endswith("City"):
        forms.append((f"{name_en} City", "en"))
    if country in ("SA", "AE") and name_local and not name_local.startswith("مدينة"):
        forms.append((f"مدينة {name_local}", "ar"))
    return forms


def _district_forms(country: str, city_code: str, name_en: str, name_local: str) -> list[tuple[str, str]]:
    forms: list[tuple[str, str]] = []
    if country in ("SA", "AE"):
        m = _ARTICLE.match(name_en)
        if m:
            forms.append((m.group("rest"), "latn"))
    if country == "SA":
        forms.append((f"{name_en} District", "en"))
        if name_local:
            forms.append((f"حي {name_local}", "ar"))
    if city_code == "TH-10-BKK":
        forms += [(f"Khet {name_en}", "latn"), (f"{name_en} District", "en")]
        if name_local:
            forms.append((f"เขต{name_local}", "th"))
    return forms


# --------------------------------------------------------------------------- building


@dataclass(frozen=True, slots=True)
class RegionData:
    regions: list[Region]
    aliases: list[Alias]
    countries: list[Country]


def _local_language(country: Country, text: str) -> str:
    """The language of a name_local: the country's, unless its script says otherwise."""
    by_script = _language(text, country.code)
    return by_script if by_script in ("ar", "th") else (country.local_language or by_script)


def build_regions() -> RegionData:
    """Every region and alias of the thirteen countries; raises ValueError on an inconsistency."""
    regions: list[Region] = []
    book = _AliasBook()

    for country in COUNTRIES.values():
        if pycountry.countries.get(alpha_2=country.code) is None:
            raise ValueError(f"{country.code} is not an ISO 3166-1 country")
        regions.append(Region(country.code, country.code, 0, "", country.name_en, country.name_local))
        book.add(country.code, country.name_en, "en")
        book.add(country.code, country.name_local, country.local_language or "en")
        for item in country.aliases:
            book.add(country.code, *_tagged(item, country.code))
        book.add(country.code, country.code, "code")

    curated = {row[0]: row for row in _rows(region_tables.PROVINCES)}
    for country in COUNTRIES.values():
        for sub in level1_subdivisions(country.code):
            row = curated.pop(sub.code, [sub.code])
            local_is_pycountry = country.code in ("MY", "ID", "VN")
            bare_local = _cell(row, 2) or sub.name
            name_en = _cell(row, 1) or (fold_marks(sub.name) if country.code == "VN" else sub.name)
            name_local = _cell(row, 2) or (sub.name if local_is_pycountry else "")
            regions.append(Region(sub.code, country.code, 1, country.code, name_en, name_local))
            book.add(sub.code, name_en, "en")
            if name_local:
                book.add(sub.code, name_local, _local_language(country, name_local))
            book.add(sub.code, sub.name, country.local_language if local_is_pycountry else "latn")
            for item in _items(_cell(row, 3)):
                book.add(sub.code, *_tagged(item, country.code))
            for text, language in _province_forms(country.code, sub.code, name_en, name_local, bare_local):
                book.add(sub.code, text, language)
            book.add(sub.code, sub.code, "code")
            suffix = sub.code.split("-", 1)[1]
            if suffix.isalpha() and len(suffix) >= 2:
                book.add(sub.code, suffix, "code")
            for item in _items(_cell(row, 4)):
                book.add(sub.code, item, "code")
    if curated:
        raise ValueError(f"curated provinces pycountry does not list as level 1: {sorted(curated)}")

    for table, level in ((region_tables.CITIES, 2), (region_tables.DISTRICTS, 3)):
        for row in _rows(table):
            parent, suffix, name_en, name_local = (_cell(row, i) for i in range(4))
            code = f"{parent}-{suffix}"
            country = COUNTRIES[parent[:2]]
            regions.append(Region(code, country.code, level, parent, name_en, name_local))
            book.add(code, name_en, "en")
            if name_local:
                book.add(code, name_local, _local_language(country, name_local))
            for item in _items(_cell(row, 4)):
                book.add(code, *_tagged(item, country.code))
            forms = (
                _city_forms(country.code, name_en, name_local)
                if level == 2
                else _district_forms(country.code, parent, name_en, name_local)
            )
            for text, language in forms:
                book.add(code, text, language)

    regions.sort(key=lambda r: r.region_code)
    data = RegionData(regions, book.rows(), sorted(COUNTRIES.values(), key=lambda c: c.code))
    problems = check_regions(data)
    if problems:
        raise ValueError("region reference is inconsistent:\n" + "\n".join(problems))
    return data


def check_regions(data: RegionData) -> list[str]:
    """Consistency problems: codes, parents, missing names, ambiguous aliases (empty when sound)."""
    problems: list[str] = []
    by_code: dict[str, Region] = {}
    for r in data.regions:
        if r.region_code in by_code:
            problems.append(f"duplicate region code {r.region_code}")
        by_code[r.region_code] = r
        if not _CODE_PATTERNS[r.level].fullmatch(r.region_code):
            problems.append(f"{r.region_code}: not a level-{r.level} code")
        if not r.name_en:
            problems.append(f"{r.region_code}: no English name")
    for r in data.regions:
        if r.level == 0:
            if r.parent_code:
                problems.append(f"{r.region_code}: a country has no parent")
            continue
        parent = by_code.get(r.parent_code)
        if parent is None or parent.level != r.level - 1 or parent.country_code != r.country_code:
            problems.append(f"{r.region_code}: parent {r.parent_code!r} is not a level-{r.level - 1} region")
        elif not r.region_code.startswith(r.parent_code + "-") and r.level > 1:
            problems.append(f"{r.region_code}: code does not extend its parent's {r.parent_code}")
    for a in data.aliases:
        if a.region_code not in by_code:
            problems.append(f"alias {a.alias!r} of unknown region {a.region_code}")
        if a.language not in LANGUAGES:
            problems.append(f"alias {a.alias!r} of {a.region_code}: unknown language {a.language}")
    for (country, level, alias), codes in ambiguous_aliases(data).items():
        if level < 3:
            problems.append(f"{country} level {level}: {alias!r} names {sorted(codes)}")
        else:
            parents = [by_code[c].parent_code for c in codes]
            if len(set(parents)) < len(parents):
                problems.append(
                    f"{country} level 3: {alias!r} names two districts of one city: {sorted(codes)}"
                )
    return problems


def ambiguous_aliases(data: RegionData) -> dict[tuple[str, int, str], set[str]]:
    """(country, level, alias) -> the regions of that level it names, where it names more than one."""
    level_of = {r.region_code: (r.country_code, r.level) for r in data.regions}
    named: dict[tuple[str, int, str], set[str]] = defaultdict(set)
    for a in data.aliases:
        country, level = level_of.get(a.region_code, ("", -1))
        named[(country, level, a.alias)].add(a.region_code)
    return {key: codes for key, codes in named.items() if len(codes) > 1}


# --------------------------------------------------------------------------- seed rows


def region_rows(data: RegionData) -> list[dict[str, str]]:
    return [
        {
            "region_code": r.region_code,
            "country_code": r.country_code,
            "level": str(r.level),
            "parent_code": r.parent_code,
            "name_en": r.name_en,
            "name_local": r.name_local,
        }
        for r in data.regions
    ]


def alias_rows(data: RegionData) -> list[dict[str, str]]:
    return [{"region_code": a.region_code, "alias": a.alias, "language": a.language} for a in data.aliases]


def country_rows(data: RegionData) -> list[dict[str, str]]:
    return [
        {
            "country_code": c.code,
            "name_en": c.name_en,
            "match_level": str(c.match_level),
            "postal_code_pattern": c.postal_code_pattern,
            "postal_code_required": "true" if c.postal_code_required else "false",
        }
        for c in data.countries
    ]


def resolve(data: RegionData, country: str, text: str | None, level: int | None = None) -> set[str]:
    """The regions of ``country`` (at ``level``, if given) whose alias is ``text`` normalised."""
    key = normalise_place(text)
    if key is None:
        return set()
    level_of = {r.region_code: (r.country_code, r.level) for r in data.regions}
    return {
        a.region_code
        for a in data.aliases
        if a.alias == key
        and level_of[a.region_code][0] == country
        and (level is None or level_of[a.region_code][1] == level)
    }

"""The project's own reference data: regions with aliases, postal patterns, phone number plans, and
the place-name normalisation that Python and dbt share.

The first half needs no database: the committed seeds are what the generator builds, every
spelling the demo data uses resolves to the right region and the deliberately unknown ones to
none, the region tree is sound. The second half loads the seeds with dbt on the session's Postgres
(their YAML data tests run too) and checks the two macros against their Python twins:
``is_valid_phone`` against phonenumbers, ``normalise_place`` against
``ingestion.reference.normalise``.
"""

from __future__ import annotations

import csv
import difflib
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import phonenumbers
import psycopg2
import psycopg2.extensions
import pycountry
import pytest
from phonenumbers import PhoneNumberType
from test_dbt import dbt, fetch

from ingestion.demo import pools
from ingestion.reference import phones, regions, seeds
from ingestion.reference.normalise import normalise_place
from orchestration.cli import main as oms

SEEDS_DIR = seeds.SEEDS_DIR
COUNTRIES = ("SA", "AE", "KW", "QA", "BH", "OM", "EG", "MY", "ID", "TH", "PH", "VN", "SG")

#: The region every pools place is in, written out here independently of the generator.
EXPECTED_CITY = {
    ("SA", "Riyadh"): "SA-01-RUH",
    ("SA", "Jeddah"): "SA-02-JED",
    ("SA", "Dammam"): "SA-04-DMM",
    ("SA", "Al Khobar"): "SA-04-KBR",
    ("SA", "Mecca"): "SA-02-MKK",
    ("SA", "Medina"): "SA-03-MED",
    ("SA", "Taif"): "SA-02-TIF",
    ("SA", "Tabuk"): "SA-07-TUU",
    ("SA", "Abha"): "SA-14-AHB",
    ("SA", "Buraidah"): "SA-05-BUR",
    ("AE", "Dubai"): "AE-DU-DXB",
    ("AE", "Abu Dhabi"): "AE-AZ-AUH",
    ("AE", "Sharjah"): "AE-SH-SHJ",
    ("AE", "Ajman"): "AE-AJ-AJM",
    ("AE", "Al Ain"): "AE-AZ-AAN",
    ("AE", "Ras Al Khaimah"): "AE-RK-RKT",
    ("AE", "Fujairah"): "AE-FU-FJR",
    ("MY", "Kuala Lumpur"): "MY-14-KUL",
    ("MY", "Petaling Jaya"): "MY-10-PTJ",
    ("MY", "Shah Alam"): "MY-10-SHA",
    ("MY", "George Town"): "MY-07-GTN",
    ("MY", "Johor Bahru"): "MY-01-JHB",
    ("MY", "Ipoh"): "MY-08-IPH",
    ("MY", "Kota Kinabalu"): "MY-12-BKI",
    ("MY", "Kuching"): "MY-13-KCH",
    ("TH", "Bangkok"): "TH-10-BKK",
    ("TH", "Chiang Mai"): "TH-50-CNX",
    ("TH", "Nonthaburi"): "TH-12-NBI",
    ("TH", "Phuket"): "TH-83-HKT",
    ("TH", "Khon Kaen"): "TH-40-KKC",
    ("TH", "Pattaya"): "TH-20-PTY",
    ("SG", "Singapore"): "SG",
}

#: How many level-1 regions each country has (ISO 3166-2, with the choices regions.py documents).
LEVEL1_COUNT = {
    "SA": 13,
    "AE": 7,
    "KW": 6,
    "QA": 8,
    "BH": 4,
    "OM": 11,
    "EG": 27,
    "MY": 16,
    "ID": 38,
    "TH": 77,
    "PH": 83,
    "VN": 63,
    "SG": 5,
}

ARABIC = re.compile("[\u0600-\u06ff]")
THAI = re.compile("[\u0e00-\u0e7f]")


@pytest.fixture(scope="module")
def data() -> regions.RegionData:
    return regions.build_regions()


def _by_code(data: regions.RegionData) -> dict[str, regions.Region]:
    return {r.region_code: r for r in data.regions}


def _read_csv(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- generator and seeds


def test_committed_seeds_equal_the_generators_output() -> None:
    assert seeds.diff_seeds() == []
    for name, text in seeds.build_seed_files().items():
        assert (SEEDS_DIR / name).read_text(encoding="utf-8") == text
    assert seeds.build_seed_files() == seeds.build_seed_files()  # deterministic


def test_reference_check_fails_on_a_changed_seed(tmp_path: Path) -> None:
    for name in (*seeds.build_seed_files(), "country_calling_codes.csv"):
        shutil.copy(SEEDS_DIR / name, tmp_path / name)
    assert oms(["reference", "check", "--seeds-dir", str(tmp_path)]) == 0

    aliases = (tmp_path / "region_aliases.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = aliases.pop(10)
    (tmp_path / "region_aliases.csv").write_text(
        "".join([*aliases, "SA-01,wadi nowhere,en\n"]), encoding="utf-8"
    )
    (tmp_path / "regions.csv").unlink()
    findings = seeds.diff_seeds(tmp_path)
    assert findings[0] == "regions.csv: missing (run `oms reference build`)"
    assert any("1 row(s) missing" in f and dropped.strip() in f for f in findings)
    assert any("1 row(s) not generated" in f and "wadi nowhere" in f for f in findings)
    assert oms(["reference", "check", "--seeds-dir", str(tmp_path)]) == 1

    assert oms(["reference", "build", "--seeds-dir", str(tmp_path)]) == 0
    assert seeds.diff_seeds(tmp_path) == []


# --------------------------------------------------------------------------- the demo's places


def test_every_pools_place_is_expected_here() -> None:
    assert {(c, p.city) for c, places in pools.PLACES.items() for p in places} == set(EXPECTED_CITY)


@pytest.mark.parametrize("key", sorted(EXPECTED_CITY), ids=lambda k: f"{k[0]}-{k[1]}")
def test_every_pools_spelling_resolves_to_its_region(data: regions.RegionData, key: tuple[str, str]) -> None:
    country, city = key
    place = next(p for p in pools.PLACES[country] if p.city == city)
    by_code = _by_code(data)
    city_code = EXPECTED_CITY[key]
    if country == "SG":  # matched at the country level: city and region values name the country
        province_code, city_level, province_level = "SG", 0, 0
    else:
        province_code, city_level, province_level = by_code[city_code].parent_code, 2, 1
    for text in place.city_variants:
        assert regions.resolve(data, country, text, city_level) == {city_code}, text
    province_texts = [*place.region_variants, place.province, place.province_code]
    for text in filter(None, province_texts):
        assert regions.resolve(data, country, text, province_level) == {province_code}, text
    for text in place.districts:
        if country == "SG":  # towns, under their council district
            found = regions.resolve(data, country, text, 2)
        else:
            found = {
                c for c in regions.resolve(data, country, text, 3) if by_code[c].parent_code == city_code
            }
        assert len(found) == 1, (text, found)


def test_no_unknown_place_matches_or_nearly_matches(data: regions.RegionData) -> None:
    country_of = {r.region_code: r.country_code for r in data.regions}
    for country, pairs in pools.UNKNOWN_PLACES.items():
        aliases = {a.alias for a in data.aliases if country_of[a.region_code] == country}
        for text in (t for pair in pairs for t in pair):
            assert regions.resolve(data, country, text) == set(), text
            key = normalise_place(text)
            closest = max(aliases, key=lambda a: difflib.SequenceMatcher(None, key, a).ratio())
            assert difflib.SequenceMatcher(None, key, closest).ratio() < 0.9, (text, closest)


def test_postal_patterns_accept_the_pools_postcodes(data: regions.RegionData) -> None:
    patterns = {c.code: c.postal_code_pattern for c in data.countries}
    for country, places in pools.PLACES.items():
        for code in (z for p in places for z in p.postcodes):
            if country == "AE":  # no postal codes: the demo's '00000' is ignored, not judged
                assert patterns["AE"] == ""
                continue
            assert re.fullmatch(patterns[country].strip("^$"), code), (country, code)
    assert not re.fullmatch(patterns["SA"].strip("^$"), "1234")
    assert re.fullmatch(patterns["SA"].strip("^$"), "12345-6789")
    assert not re.fullmatch(patterns["SG"].strip("^$"), "12345")
    assert not re.fullmatch(patterns["TH"].strip("^$"), "1011O")


def test_country_settings(data: regions.RegionData) -> None:
    rows = {r["country_code"]: r for r in _read_csv("region_countries.csv")}
    assert sorted(rows) == sorted(COUNTRIES)
    assert {c for c, r in rows.items() if r["match_level"] == "2"} == {"SA", "AE", "MY", "TH"}
    assert {c for c, r in rows.items() if r["match_level"] == "0"} == {"SG"}
    assert {c for c, r in rows.items() if r["postal_code_required"] == "true"} == {"SG", "MY", "TH"}
    assert {c for c, r in rows.items() if not r["postal_code_pattern"]} == {"AE", "QA"}


# --------------------------------------------------------------------------- the region tree


def test_codes_are_unique_and_parents_one_level_up(data: regions.RegionData) -> None:
    assert regions.check_regions(data) == []
    codes = [r.region_code for r in data.regions]
    assert len(codes) == len(set(codes))
    by_code = _by_code(data)
    for r in data.regions:
        if r.level == 0:
            assert r.parent_code == "" and r.region_code == r.country_code
            continue
        parent = by_code[r.parent_code]
        assert parent.level == r.level - 1 and parent.country_code == r.country_code, r
        assert r.region_code.startswith(r.country_code + "-")
        if r.level >= 2:
            assert re.fullmatch(re.escape(r.parent_code) + r"-[A-Z0-9]{2,4}", r.region_code), r


def test_every_level_1_of_the_thirteen_countries_is_present(data: regions.RegionData) -> None:
    level1 = {
        c: {r.region_code for r in data.regions if r.level == 1 and r.country_code == c} for c in COUNTRIES
    }
    assert {c: len(codes) for c, codes in level1.items()} == LEVEL1_COUNT
    for country in COUNTRIES:
        iso = {s.code for s in pycountry.subdivisions.get(country_code=country)}
        assert level1[country] <= iso
        left_out = iso - level1[country]
        if country == "ID":
            assert left_out == {"ID-JW", "ID-KA", "ID-ML", "ID-NU", "ID-PP", "ID-SL", "ID-SM"}
        elif country == "PH":
            assert all(pycountry.subdivisions.get(code=c).type == "Region" for c in left_out)
        elif country == "TH":
            assert left_out == {"TH-S"}
        else:
            assert left_out == set(), country


def test_local_names_of_every_province(data: regions.RegionData) -> None:
    for r in data.regions:
        if r.level == 1 and r.country_code in ("SA", "AE", "EG", "KW", "QA", "BH", "OM"):
            assert ARABIC.search(r.name_local), r
        if r.level in (1, 2) and r.country_code == "TH":
            assert THAI.search(r.name_local), r
        if r.level == 2 and r.country_code in ("SA", "AE"):
            assert ARABIC.search(r.name_local), r


def test_cities_and_districts_cover_the_big_countries(data: regions.RegionData) -> None:
    cities = [r for r in data.regions if r.level == 2]
    for country, minimum in (("SA", 20), ("MY", 20), ("TH", 20)):
        assert sum(r.country_code == country for r in cities) >= minimum, country
    emirates = {r.region_code for r in data.regions if r.level == 1 and r.country_code == "AE"}
    assert {r.parent_code for r in cities if r.country_code == "AE"} == emirates
    districts = [r for r in data.regions if r.level == 3]
    for (country, city), city_code in EXPECTED_CITY.items():
        if country == "SG":
            continue
        place = next(p for p in pools.PLACES[country] if p.city == city)
        assert sum(r.parent_code == city_code for r in districts) >= len(place.districts), city_code
    for city_code in ("SA-01-RUH", "SA-02-JED", "AE-DU-DXB", "AE-AZ-AUH", "MY-14-KUL", "TH-10-BKK"):
        assert sum(r.parent_code == city_code for r in districts) >= 10, city_code


def test_aliases_are_normalised_and_include_every_name(data: regions.RegionData) -> None:
    aliases = {(a.region_code, a.alias) for a in data.aliases}
    assert len(aliases) == len(data.aliases)
    for a in data.aliases:
        assert normalise_place(a.alias) == a.alias, a
        assert a.language in regions.LANGUAGES
    for r in data.regions:
        assert (r.region_code, normalise_place(r.name_en)) in aliases, r
        if r.name_local:
            assert (r.region_code, normalise_place(r.name_local)) in aliases, r


def test_documented_romanisations_and_codes(data: regions.RegionData) -> None:
    expect = {
        "SA-01-RUH": ["الرياض", "Ar Riyadh", "Ar Riyad", "Riyadh City"],
        "SA-02-JED": ["جدة", "Jiddah", "Jedda"],
        "SA-02-MKK": ["Makkah", "مكة المكرمة", "مكة"],
        "TH-10-BKK": ["กรุงเทพมหานคร", "กรุงเทพฯ", "Krung Thep Maha Nakhon"],
        "MY-14-KUL": ["KL"],
        "MY-14": ["Wilayah Persekutuan Kuala Lumpur", "KUL", "MY-14"],
        "MY-01-JHB": ["JB", "Johor Baharu"],
        "MY-10": ["SGR"],
        "AE-DU": ["DU", "Dubai Emirate"],
        "AE-AZ": ["AZ"],
        "TH-10": ["TH-10", "Bangkok"],
        "SA-01": ["Riyadh Province", "منطقة الرياض", "Ar Riyāḑ"],
        "SA-02": ["Makkah Province"],
        "SA-04": ["Eastern Province", "Ash Sharqiyah", "المنطقة الشرقية"],
        "TH-50": ["จังหวัดเชียงใหม่", "Chiang Mai Province"],
        "EG-C": ["Cairo Governorate", "محافظة القاهرة", "EG-C"],
        "VN-SG": ["Hồ Chí Minh", "Thành phố Hồ Chí Minh", "TP HCM", "Saigon"],
        "TH-20-PTY": ["TH-S"],
    }
    by_region: dict[str, set[str]] = {}
    for a in data.aliases:
        by_region.setdefault(a.region_code, set()).add(a.alias)
    for code, texts in expect.items():
        for text in texts:
            assert normalise_place(text) in by_region[code], (code, text)


def test_aliases_name_one_region_per_level_except_repeated_district_names(data: regions.RegionData) -> None:
    by_code = _by_code(data)
    for (country, level, alias), codes in regions.ambiguous_aliases(data).items():
        assert level == 3, (country, level, alias, codes)
        parents = [by_code[c].parent_code for c in codes]
        assert len(set(parents)) == len(parents), (alias, codes)


# --------------------------------------------------------------------------- normalisation (Python)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Ar-Riyāḍ  ", "ar riyad"),
        ("AR RIYAD", "ar riyad"),
        ("الرِّيَاض", "الرياض"),
        ("جــــدة", "جده"),
        ("أبوظبي", "ابوظبي"),
        ("Hồ Chí Minh", "ho chi minh"),
        ("Kuala\u00a0Lumpur", "kuala lumpur"),
        ("\u200fالرياض\u200f", "الرياض"),
        ("Abū Z\u0327aby", "abu zaby"),
        ("İzmir", "izmir"),
        ("", None),
        (" - ", None),
        (None, None),
    ],
)
def test_normalise_place(text: str | None, expected: str | None) -> None:
    assert normalise_place(text) == expected


# --------------------------------------------------------------------------- on Postgres

#: ~60 varied strings for the macro-vs-Python comparison.
PLACE_STRINGS = [
    "Riyadh",
    "RIYADH",
    "  riyadh  ",
    "Ar-Riyāḍ",
    "Ar Riyāḑ",
    "AR RIYAD",
    "الرياض",
    "الرِّيَاض",
    "الريــــاض",
    "منطقة الرياض",
    "جدة",
    "جـدة",
    "جِدَّة",
    "أبها",
    "إمارة دبي",
    "آل سعود",
    "ٱلمدينة",
    "مستشفى",
    "المدينة المنورة",
    "حي النخيل،الرياض",
    "الرياض؟",
    "دبی",
    "کويت",
    "กรุงเทพมหานคร",
    "กรุงเทพฯ",
    "จ.เชียงใหม่",
    "เขตวัฒนา",
    "ตำบลสุเทพ",
    "Hà Nội",
    "Hồ Chí Minh",
    "TP. Hồ Chí Minh",
    "Đà Nẵng",
    "Thừa Thiên-Huế",
    "Bà Rịa – Vũng Tàu",
    "Kiến Giang",
    "São Paulo",
    "Zürich",
    "ŁÓDŹ",
    "Ærøskøbing",
    "Straße",
    "İstanbul",
    "ΑΘΗΝΑΣ",
    "Kuala\u00a0Lumpur",
    "Kuala\u2003Lumpur",
    "Kuala\tLumpur\n",
    "Jalan SS 2/24",
    "Mont'Kiara",
    "W.P. Kuala Lumpur",
    "Ras al-Khaimah",
    "Ra’s al Khaymah",
    "‘Ajmān",
    '"Dubai"',
    "(Sharjah)",
    "Abu Dhabi & Al Ain",
    "Unit #5, Block [A]",
    "JLT — Cluster D",
    "\u200bDubai\ufeff",
    "Soft\u00adhyphen",
    "Abū Z\u0327aby",
    "Ha\u0300 No\u0323i",
    "  ",
    "",
]


@pytest.fixture(scope="module")
def reference_db(pg: str) -> Iterator[psycopg2.extensions.connection]:
    """The session database with the four reference seeds loaded (and their YAML tests run)."""
    dbt("build", "--select", "regions", "region_aliases", "region_countries", "phone_number_plans")
    conn = psycopg2.connect(pg)
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def compiled(reference_db: psycopg2.extensions.connection) -> dict[str, str]:
    """The SQL the two macros render to, compiled by dbt in one call and cut at the markers."""
    inline = "select /*normalise*/ {{ normalise_place('t.s') }} /*phone*/ {{ is_valid_phone('t.s') }} /*end*/"
    sql = dbt("compile", "--inline", inline)[0].node.compiled_code
    m = re.search(r"/\*normalise\*/(?P<normalise>.*)/\*phone\*/(?P<phone>.*)/\*end\*/", sql, re.S)
    assert m, sql
    return {"normalise": m.group("normalise"), "phone": m.group("phone")}


def _evaluate(conn, expression: str, values: list[str | None]) -> list:
    with conn.cursor() as cur:
        cur.execute(
            f"select {expression} from unnest(cast(%s as text[])) with ordinality as t(s, i) order by t.i",
            (values,),
        )
        return [row[0] for row in cur.fetchall()]


def test_seeds_load_with_their_types(reference_db) -> None:
    loaded = fetch(reference_db, "select * from reference.regions order by region_code")
    committed = _read_csv("regions.csv")
    assert len(loaded) == len(committed)
    for row, want in zip(loaded, sorted(committed, key=lambda r: r["region_code"]), strict=True):
        assert row["level"] == int(want["level"])
        assert row["parent_code"] == (want["parent_code"] or None)
        assert (row["region_code"], row["name_en"], row["name_local"] or "") == (
            want["region_code"],
            want["name_en"],
            want["name_local"],
        )
    aliases = fetch(reference_db, "select region_code, alias, language from reference.region_aliases")
    assert sorted((r["region_code"], r["alias"], r["language"]) for r in aliases) == sorted(
        (r["region_code"], r["alias"], r["language"]) for r in _read_csv("region_aliases.csv")
    )
    countries = fetch(reference_db, "select * from reference.region_countries order by country_code")
    required = {c["country_code"]: c["postal_code_required"] for c in countries}
    assert (required["SA"], required["SG"]) == (False, True)
    assert [c["postal_code_pattern"] for c in countries if c["country_code"] == "AE"] == [None]
    plans = fetch(reference_db, "select * from reference.phone_number_plans where country_code = 'SA'")
    assert plans[0]["calling_code"] == "966" and plans[0]["possible_lengths"] == "9|10"


def test_postal_patterns_in_postgres(reference_db) -> None:
    pairs = [(country, z) for country, places in pools.PLACES.items() for p in places for z in p.postcodes]
    pairs += [("SA", "1234"), ("SG", "12345"), ("SA", "12345-6789")]
    rows = fetch(
        reference_db,
        """select p.country, p.code, p.code ~ c.postal_code_pattern as is_valid
           from unnest(cast(%s as text[]), cast(%s as text[])) as p(country, code)
           join reference.region_countries as c on c.country_code = p.country""",
        ([c for c, _ in pairs], [z for _, z in pairs]),
    )
    verdict = {(r["country"], r["code"]): r["is_valid"] for r in rows}
    for country, code in pairs:
        if country == "AE":
            assert verdict[(country, code)] is None  # no pattern: a given code is not judged
        elif (country, code) in (("SA", "1234"), ("SG", "12345")):
            assert verdict[(country, code)] is False
        else:
            assert verdict[(country, code)] is True, (country, code)


def test_unknown_places_are_not_close_to_any_alias_by_trigrams(reference_db) -> None:
    texts = [
        (country, normalise_place(t))
        for country, pairs in pools.UNKNOWN_PLACES.items()
        for pair in pairs
        for t in pair
    ]
    rows = fetch(
        reference_db,
        """select u.country, u.text, max(similarity(u.text, a.alias)) as best
           from unnest(cast(%s as text[]), cast(%s as text[])) as u(country, text)
           join reference.regions as r on r.country_code = u.country
           join reference.region_aliases as a on a.region_code = r.region_code
           group by u.country, u.text""",
        ([c for c, _ in texts], [t for _, t in texts]),
    )
    assert len(rows) == len(texts)
    assert all(r["best"] < 0.6 for r in rows), rows


def test_phone_patterns_are_valid_in_postgres(reference_db) -> None:
    countries = {row["country_code"] for row in _read_csv("country_calling_codes.csv")}
    plans = fetch(reference_db, "select country_code, national_pattern from reference.phone_number_plans")
    assert {p["country_code"] for p in plans} == countries | set(COUNTRIES)
    with reference_db.cursor() as cur:
        for plan in plans:
            cur.execute("select '' ~ %s, '' ~ ('^(?:' || %s || ')$')", (plan["national_pattern"],) * 2)
            assert cur.fetchone() == (False, False), plan


def _phone_numbers() -> list[str | None]:
    """The issue's examples, then every country's example numbers of every type, each with a few
    deterministic mutations (a digit changed, one dropped, one added)."""
    numbers: list[str | None] = [
        "+966501234567",
        "+971501234567",
        "+60123456789",
        "+66812345678",
        "+6581234567",
        "+201001234567",
        "+96650123",
        "+9665012345678",
        "+601234567895",
        "+96612345",
        "+99912345678",
        "+1",
        "966501234567",
        "+966 50 123 4567",
        None,
    ]
    kinds = [k for k in vars(PhoneNumberType).values() if isinstance(k, int) and k != PhoneNumberType.UNKNOWN]
    rnd = random.Random(4)
    for country in phones.calling_code_countries():
        for kind in sorted(kinds):
            example = phonenumbers.example_number_for_type(country, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            numbers += [e164, e164[:-1], e164 + "5"]
            for _ in range(5):
                i = rnd.randrange(4, len(e164))
                numbers.append(e164[:i] + str(rnd.randrange(10)) + e164[i + 1 :])
    return numbers


def test_is_valid_phone_agrees_with_phonenumbers(reference_db, compiled: dict[str, str]) -> None:
    numbers = _phone_numbers()
    verdicts = _evaluate(reference_db, compiled["phone"], numbers)
    expected = [phones.is_valid_e164(n) for n in numbers]
    disagree = [(n, v, e) for n, v, e in zip(numbers, verdicts, expected, strict=True) if v is not e]
    assert disagree == []
    assert verdicts[:8] == [True] * 6 + [False] * 2
    assert sum(verdicts) > 50 and len(verdicts) - sum(verdicts) > 50  # both sides are exercised
    assert phones.is_valid_e164("+966501234567", "SA") and not phones.is_valid_e164("+966501234567", "AE")


def test_normalise_place_macro_agrees_with_python(reference_db, compiled: dict[str, str]) -> None:
    assert len(PLACE_STRINGS) >= 60
    got = _evaluate(reference_db, compiled["normalise"], PLACE_STRINGS)
    assert got == [normalise_place(s) for s in PLACE_STRINGS]


def test_normalise_place_macro_agrees_on_every_code_point(reference_db, compiled: dict[str, str]) -> None:
    """Latin, combining marks, Arabic, Thai, Vietnamese, punctuation and spaces, alone and inside
    a word (the macro's translate tables are long literals: one wrong character shows here)."""
    blocks = [
        *range(0x09, 0x0E),
        *range(0x20, 0x370),
        *range(0x600, 0x700),
        *range(0xE00, 0xE80),
        *range(0x1E00, 0x1F00),
        *range(0x2000, 0x2070),
        0x85,
        0x1680,
        0x3000,
        0xFEFF,
    ]
    strings = [chr(c) for c in blocks] + [f"a{chr(c)}b" for c in blocks]
    got = _evaluate(reference_db, compiled["normalise"], strings)
    disagree = [
        (hex(ord(s[len(s) // 2])), g) for s, g in zip(strings, got, strict=True) if g != normalise_place(s)
    ]
    assert disagree == []

"""Buyers: names in Arabic, Thai and Latin script, phones as people type them, addresses.

A buyer is rebuilt from ``(store key, country, customer index)`` whenever one of their orders is
rendered, so repeat buyers keep the same name, phone and address across orders without the
generator keeping a customer table in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from ingestion.demo import pools
from ingestion.demo.pools import Place

CALLING_CODES = {"SA": "966", "AE": "971", "MY": "60", "TH": "66", "SG": "65"}
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
LOCALES = {"SA": "ar", "AE": "en", "MY": "en", "TH": "th", "SG": "en"}


#: Countries whose checkouts require a postal code (Shopify, Shopee and Lazada refuse the address
#: without one), as reference.region_countries says: the demo's buyers there always give one.
POSTCODE_REQUIRED = frozenset({"MY", "TH", "SG"})


@dataclass(slots=True)
class Buyer:
    """A buyer and the address they ship to, with every field as free text."""

    customer_index: int
    first_name: str
    last_name: str
    name: str
    latin: bool
    email: str | None
    phone: str  # as typed
    nsn: str  # national significant number, for masking
    e164: str
    place: Place
    city: str
    region: str  # Amazon StateOrRegion spelling
    zip: str | None
    address1: str
    address2: str
    district: str
    locale: str
    since_s: int  # the customer was created this many seconds before the order span started


def _nsn(rng: Random, country: str) -> str:
    """A national significant (mobile) number."""

    def d(n: int) -> int:
        return int(rng.random() * n)

    # Mobile ranges the numbering plans allocate (libphonenumber agrees, so is_phone_valid holds
    # for them); a few Singapore 9x numbers fall outside the allocated blocks, as typos do.
    if country == "SA":
        x = d(10**8)
        return f"5{'013456789'[x % 9]}{x // 9 % 10**7:07d}"  # 05x without the unallocated 052
    if country == "AE":
        return f"5{'024568'[d(6)]}{d(10**7):07d}"
    if country == "MY":
        if rng.random() < 0.8:
            return f"1{'2369'[d(9) % 4]}{d(10**7):07d}"
        return f"11{d(10**8):08d}"  # 011 numbers have 8 digits after the prefix
    if country == "TH":
        return f"{'898'[d(3)]}{d(10**8):08d}"
    return f"{'89'[d(2)]}{d(10**7):07d}"  # SG


def format_phone(rng: Random, country: str, nsn: str) -> str:
    """The same number the way different buyers type it."""
    cc = CALLING_CODES[country]
    x = rng.random()
    if country == "SG":
        if x < 0.4:
            return nsn
        if x < 0.75:
            return f"+65 {nsn[:4]} {nsn[4:]}"
        return f"+65{nsn}"
    if x < 0.3:
        return f"+{cc}{nsn}"
    if x < 0.5:
        return f"0{nsn}"
    if x < 0.62:
        if country in ("SA", "AE"):
            return f"+{cc} {nsn[:2]} {nsn[2:5]} {nsn[5:]}"
        return f"+{cc} {nsn[:2]}-{nsn[2:5]} {nsn[5:]}"
    if x < 0.74:
        return f"0{nsn[:2]}-{nsn[2:5]}-{nsn[5:]}"
    if x < 0.84:
        return f"{cc}{nsn}"
    if x < 0.92:
        return f"00{cc}{nsn}"
    if country in ("SA", "AE"):
        return f"0{nsn}".translate(ARABIC_INDIC)  # Arabic-Indic digits, as some keyboards send them
    return f"0{nsn[:2]} {nsn[2:5]} {nsn[5:]}"


def mask_phone(rng: Random, country: str, nsn: str) -> str:
    """A phone as a platform or privacy app masks it: ``******64`` or ``+9665****123``."""
    cc = CALLING_CODES[country]
    if rng.random() < 0.5:
        return "*" * 6 + nsn[-2:]
    return f"+{cc}{nsn[0]}****{nsn[-3:]}"


def _ascii_handle(first: str, last: str, rng: Random) -> str:
    handle = f"{first}.{last}".lower().replace(" ", "").replace("'", "").replace("-", "")
    if not handle.isascii():
        # buyers writing their name in Arabic or Thai still pick a Latin e-mail address
        handle = "user" if rng.random() < 0.3 else f"{rng.choice(pools.ARABIC_LATIN_FIRST).lower()}"
    return f"{handle}{1 + int(rng.random() * 98)}"


def buyer(key: int, country: str, customer_index: int, email_share: float) -> Buyer:
    """Rebuild customer ``customer_index`` of a store's buyers in ``country``."""
    rng = Random(key + customer_index)
    groups = pools.NAME_GROUPS[country]
    firsts, lasts, _w = groups[-1]
    x = rng.random() * sum(g[2] for g in groups)
    for group in groups:
        x -= group[2]
        if x < 0:
            firsts, lasts, _w = group
            break
    first = firsts[int(rng.random() * len(firsts))]
    last = lasts[int(rng.random() * len(lasts))]
    latin = first.isascii()
    name = f"{first} {last}"
    if latin and rng.random() < 0.06:
        name = name.upper()
    email = None
    if rng.random() < email_share:
        email = f"{_ascii_handle(first, last, rng)}@{pools.EMAIL_DOMAINS[int(rng.random() * 5)]}"
    nsn = _nsn(rng, country)
    phone = format_phone(rng, country, nsn)

    places = pools.PLACES[country]
    x = rng.random() * sum(p.weight for p in places)
    place = places[-1]
    for p in places:
        x -= p.weight
        if x < 0:
            place = p
            break
    variants = place.city_variants
    city = variants[0] if rng.random() < 0.6 else variants[int(rng.random() * len(variants))]
    typo = pools.CITY_TYPOS.get((country, place.city))
    if typo is not None and rng.random() < 0.1:
        city = typo  # a typo the matcher still resolves (fuzzy step)
    if rng.random() < 0.04:
        city += " "  # a trailing space, as web forms keep it
    region = place.region_variants[int(rng.random() * len(place.region_variants))]
    z = rng.random()
    if country == "AE":
        zip_code = None if z < 0.55 else ("00000" if z < 0.9 else "")
    elif country in POSTCODE_REQUIRED or z < 0.85:
        zip_code = place.postcodes[int(rng.random() * len(place.postcodes))]
    else:
        zip_code = None  # Saudi checkouts leave the postal code optional, and buyers skip it
    district = place.districts[int(rng.random() * len(place.districts))]
    streets = pools.STREETS[country]
    template = pools.ADDRESS_TEMPLATES[country][int(rng.random() * len(pools.ADDRESS_TEMPLATES[country]))]
    address1 = template.format(
        n=1 + int(rng.random() * 399),
        b=1 + int(rng.random() * 59),
        street=streets[int(rng.random() * len(streets))],
        district=district,
    )
    address2 = district if rng.random() < 0.3 and district not in address1 else ""
    return Buyer(
        customer_index=customer_index,
        first_name=first,
        last_name=last,
        name=name,
        latin=latin,
        email=email,
        phone=phone,
        nsn=nsn,
        e164=f"+{CALLING_CODES[country]}{nsn}",
        place=place,
        city=city,
        region=region,
        zip=zip_code,
        address1=address1,
        address2=address2,
        district=district,
        locale=LOCALES[country] if not latin or country == "TH" else "en",
        since_s=int(rng.random() * 700 * 86_400),
    )

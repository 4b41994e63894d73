"""Fixed reference pools for the demo generator: catalogue, places, names, carriers, statuses.

Everything here is independent of the seed, so a later mapping seed (products, regions, carriers)
can be derived from these lists, and tests can tell a planted anomaly from ordinary data: an
anomaly is exactly a value that is *not* in these pools.

The tables are pipe-separated text (lists inside a cell separated by ``;``; a line starting with
``+`` continues the previous line's last cell) so that ~200 products and ~40 cities stay readable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def _rows(table: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for raw in table.strip().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("+"):
            rows[-1][-1] += "; " + line[1:].strip()
            continue
        rows.append([cell.strip() for cell in line.split("|")])
    return rows


def _items(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


# --------------------------------------------------------------------------- currencies and tax

#: Units of each currency per US dollar (demo rates, fixed so the output is deterministic).
USD_RATES: dict[str, float] = {
    "USD": 1.0,
    "SAR": 3.75,
    "AED": 3.6725,
    "MYR": 4.45,
    "THB": 35.5,
    "SGD": 1.34,
    "GBP": 0.79,
}

#: A currency the FX seed (dbt_project/seeds/fx_rates.csv) has no rate for: the WooCommerce store's
#: multi-currency plugin sells in it to a few UK visitors, the "missing FX rate" anomaly.
UNPRICED_CURRENCY = "GBP"

#: VAT / sales tax included in shelf prices, per destination country.
TAX_RATES: dict[str, float] = {"SA": 0.15, "AE": 0.05, "MY": 0.0, "TH": 0.07, "SG": 0.09}
TAX_TITLES: dict[str, str] = {"SA": "VAT", "AE": "VAT", "MY": "SST", "TH": "VAT", "SG": "GST"}

#: Flat shipping fee (minor units) below the free-shipping threshold, per presentment currency.
SHIPPING_FEE: dict[str, int] = {"SAR": 2500, "AED": 2000, "MYR": 800, "THB": 5000, "SGD": 500}
FREE_SHIPPING_OVER: dict[str, int] = {"SAR": 29900, "AED": 24900, "MYR": 15000, "THB": 120000, "SGD": 6000}


def _charm_price(usd: float, currency: str) -> int:
    """A shelf price in minor units, rounded the way shops in that currency price things."""
    amount = usd * USD_RATES[currency]
    if currency in ("SAR", "AED"):
        return int(amount + 0.999) * 100  # whole riyals / dirhams: 149.00
    if currency == "THB":
        return int(amount / 10 + 0.999) * 10 * 100  # whole tens of baht: 590.00, 1290.00
    return int(amount + 0.999) * 100 - 10  # 89.90 MYR, 24.90 SGD


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True, slots=True)
class Product:
    """One sellable variant (or bundle) in the seller's catalogue."""

    sku: str
    title: str  # product title, English
    title_ar: str  # product title, Arabic (the KSA storefront's language)
    variant_title: str | None
    listing_title: str  # Amazon-style listing title
    product_id: int
    variant_id: int
    asin: str
    grams: int
    usd: float
    components: tuple[str, ...] = ()  # for bundles: the component SKUs

    @property
    def is_bundle(self) -> bool:
        return bool(self.components)


# sku stem | English title | Arabic title | USD | grams | variant axis | variants
# ("A; B * X; Y" means A / X, B / X, A / Y, B / Y)
_FAMILIES = """
PRF-ROSEOUD | Rose Oud Eau de Parfum | عطر ورد العود | 39 | 380 | size | 50ml; 100ml
PRF-AMBER | Amber Musk Eau de Parfum | عطر مسك العنبر | 34 | 360 | size | 50ml; 100ml
PRF-WHTMUSK | White Musk Body Mist | بخاخ المسك الأبيض | 14 | 260 | size | 100ml; 250ml
PRF-OUDOIL | Pure Oud Oil | دهن عود أصلي | 45 | 60 | size | 3ml; 6ml; 12ml
BKH-CAMBODI | Cambodian Oud Bakhoor | بخور عود كمبودي | 22 | 150 | weight | 40g; 80g
BKH-BURNER | Electric Bakhoor Burner | مبخرة كهربائية | 27 | 520 | colour | Gold; Black; Silver
SKN-VITC | Vitamin C Brightening Serum | سيروم فيتامين سي | 19 | 90 | size | 15ml; 30ml
SKN-HYAL | Hyaluronic Moisturiser | مرطب الهيالورونيك | 17 | 120 | size | 50ml; 100ml
SKN-SPF50 | Daily Sunscreen SPF50 | واقي شمس يومي SPF50 | 15 | 110 | type | Tinted; Clear
SKN-CLNS | Gentle Foam Cleanser | غسول رغوي لطيف | 11 | 170 | size | 150ml; 300ml
SKN-NIGHT | Retinol Night Cream | كريم ليلي بالريتينول | 22 | 110 | size | 30ml; 50ml
SKN-CLAY | Clay Face Mask | ماسك الطين للوجه | 13 | 150 | size | 100ml; 200ml
HAR-ARGAN | Argan Hair Oil | زيت الأرغان للشعر | 16 | 140 | size | 50ml; 100ml
HAR-MASK | Keratin Hair Mask | ماسك الكيراتين للشعر | 18 | 280 | size | 200ml; 500ml
HAR-SHAMP | Sulfate-free Shampoo | شامبو خالٍ من الكبريتات | 12 | 330 | size | 250ml; 500ml
MKP-KOHL | Kohl Eyeliner Pencil | قلم كحل | 7 | 20 | shade | Black; Brown; Navy
MKP-LIPS | Velvet Matte Lipstick | أحمر شفاه مطفي | 12 | 30 | shade | Ruby; Nude; Mauve; Coral; Berry; Rose
MKP-BRUSH | Makeup Brush Set | طقم فرش مكياج | 17 | 260 | pieces | 7 pieces; 12 pieces
FSH-ABAYA | Everyday Crepe Abaya | عباية كريب يومية | 49 | 650 | size/colour | S; M; L; XL * Black; Navy
FSH-HIJAB | Chiffon Hijab | حجاب شيفون | 9 | 90 | colour | Black; Beige; Dusty Pink; Olive; Navy; Grey
+ White; Burgundy
FSH-THOBE | Classic Cotton Thobe | ثوب قطن كلاسيكي | 35 | 520 | size | 52; 54; 56; 58; 60
FSH-SHMAGH | Red Shemagh | شماغ أحمر | 24 | 210 | size | Standard; Large
FSH-SCARF | Silk Blend Scarf | وشاح حرير | 19 | 80 | colour | Ivory; Emerald; Rose; Charcoal
FSH-SANDAL | Leather Sandals | صندل جلد | 29 | 600 | size | 41; 42; 43; 44
FSH-JALAB | Kids Jalabiya | جلابية أطفال | 19 | 250 | size | 4Y; 6Y; 8Y; 10Y
HOM-PRAYMT | Padded Prayer Mat | سجادة صلاة مبطنة | 21 | 900 | colour | Green; Blue; Burgundy
HOM-DALLAH | Arabic Coffee Dallah | دلة قهوة عربية | 29 | 700 | finish | Gold; Silver; Copper
HOM-FINJAN | Porcelain Finjan Cup Set | طقم فناجين بورسلين | 25 | 800 | pattern | Gold Rim; Blue Floral
HOM-CANDLE | Scented Soy Candle | شمعة صويا معطرة | 13 | 420 | scent | Oud; Jasmine; Vanilla
HOM-BOTTLE | Insulated Water Bottle 750ml | قارورة ماء معزولة | 18 | 380 | colour | Sand; Black; Teal; White
HOM-DIFFU | Ultrasonic Aroma Diffuser | جهاز نشر العطور | 28 | 650 | finish | Wood; White
HOM-TOWEL | Turkish Cotton Towel Set | طقم مناشف قطن تركي | 32 | 1400 | colour | Grey; White; Sand; Blue
HOM-LANTRN | Ramadan LED Lantern | فانوس رمضان LED | 21 | 500 | finish | Gold; Silver; Bronze
FOD-DATES | Premium Sukkari Dates Box | علبة تمر سكري فاخر | 19 | 1100 | weight | 500g; 1kg
FOD-QAHWA | Saudi Qahwa Blend with Cardamom | قهوة سعودية بالهيل | 12 | 260 | weight | 250g; 500g
FOD-HONEY | Sidr Honey | عسل سدر | 29 | 420 | weight | 250g; 500g; 1kg
FOD-SAFFRN | Premium Saffron | زعفران فاخر | 15 | 30 | weight | 1g; 5g
ELC-CASE | Shockproof Phone Case | غطاء جوال مقاوم للصدمات | 13 | 60 | model/colour |
+ iPhone 15; iPhone 16; iPhone 16 Pro; Galaxy S24 * Clear; Black
ELC-SCRN | Tempered Glass Screen Protector | لاصقة حماية زجاجية | 7 | 30 | model | iPhone 15; iPhone 16
+ iPhone 16 Pro; iPhone 16 Pro Max; Galaxy S24; Galaxy A55
ELC-CHRG | USB-C Fast Charger | شاحن سريع USB-C | 15 | 110 | power | 20W; 35W; 65W
ELC-CABLE | Braided USB-C Cable | كابل USB-C مضفر | 8 | 70 | length | 1m; 2m
ELC-PWRBK | Slim Power Bank | باور بانك نحيف | 26 | 240 | capacity | 10000mAh; 20000mAh
ELC-BUDS | Wireless Earbuds | سماعات لاسلكية | 39 | 80 | colour | Black; White
ELC-STRAP | Silicone Watch Strap | سوار ساعة سيليكون | 9 | 40 | colour/size | Black; Sand; Olive * 41mm; 45mm
ELC-CARMT | Magnetic Car Phone Mount | حامل جوال مغناطيسي للسيارة | 14 | 120 | type | Vent; Dashboard
ELC-SPKR | Portable Bluetooth Speaker | سماعة بلوتوث محمولة | 35 | 420 | colour | Black; Blue; Red
ELC-HUB | USB-C Multiport Hub | موزع USB-C متعدد المنافذ | 31 | 120 | model | 7-in-1; 10-in-1
KID-PUZZLE | Arabic Alphabet Wooden Puzzle | لغز الحروف العربية الخشبي | 17 | 450 | age | 3+; 5+
KID-CAMEL | Plush Camel Toy | لعبة جمل محشوة | 12 | 200 | size | 25cm; 40cm
KID-BAG | Kids School Backpack | حقيبة مدرسية للأطفال | 22 | 480 | colour | Blue; Pink; Green
KID-LUNCH | Kids Lunch Box | علبة غداء للأطفال | 11 | 300 | colour | Blue; Pink; Yellow
SPT-YOGA | Non-slip Yoga Mat | سجادة يوغا مانعة للانزلاق | 24 | 1200 | colour | Purple; Black; Teal
SPT-BAND | Resistance Band Set | مجموعة أحزمة المقاومة | 16 | 350 | level | Light; Medium; Heavy
SPT-SHAKER | Protein Shaker Bottle | زجاجة رج البروتين | 9 | 180 | size | 500ml; 700ml
SPT-DUMBB | Neoprene Dumbbells Pair | زوج دمبل نيوبرين | 18 | 2000 | weight | 1kg; 2kg; 3kg; 5kg
TRV-ORGAN | Packing Cube Organiser Set | منظم حقائب السفر | 19 | 400 | colour | Grey; Navy
TRV-NECK | Memory Foam Neck Pillow | وسادة رقبة للسفر | 15 | 300 | colour | Grey; Black
TRV-LUGTAG | Leather Luggage Tag | بطاقة حقيبة جلدية | 8 | 40 | colour | Brown; Black; Tan
"""

# sku | English title | Arabic title | USD | component SKUs
_BUNDLES = """
BND-SKIN-TRIO | Skincare Trio (Serum + Moisturiser + SPF) | مجموعة العناية الثلاثية | 45 |
+ SKN-VITC-30ML; SKN-HYAL-50ML; SKN-SPF50-CLEAR
BND-OUD-GIFT | Oud Gift Set (Parfum + Bakhoor) | طقم هدية العود | 55 | PRF-ROSEOUD-50ML; BKH-CAMBODI-40G
BND-MUSK-DUO | Musk Duo (Parfum + Body Mist) | ثنائي المسك | 42 | PRF-AMBER-50ML; PRF-WHTMUSK-100ML
BND-HAIR-SET | Hair Repair Set (Oil + Mask) | مجموعة إصلاح الشعر | 30 | HAR-ARGAN-50ML; HAR-MASK-200ML
BND-COFFEE | Arabic Coffee Set (Dallah + Finjan + Qahwa) | طقم القهوة العربية | 59 |
+ HOM-DALLAH-GOLD; HOM-FINJAN-GOLD-RIM; FOD-QAHWA-250G
BND-RAMADAN | Ramadan Gift Box (Dates + Qahwa + Candle) | صندوق هدايا رمضان | 44 |
+ FOD-DATES-500G; FOD-QAHWA-250G; HOM-CANDLE-OUD
BND-EID-KIDS | Eid Kids Box (Puzzle + Camel) | صندوق العيد للأطفال | 26 | KID-PUZZLE-3; KID-CAMEL-25CM
BND-CHARGE | Charge Kit (Charger + Cable) | طقم الشحن | 21 | ELC-CHRG-20W; ELC-CABLE-1M
BND-TRAVEL | Travel Kit (Cubes + Neck Pillow) | طقم السفر | 30 | TRV-ORGAN-GREY; TRV-NECK-GREY
BND-PRAYER | Prayer Set (Mat + Bakhoor) | طقم الصلاة | 38 | HOM-PRAYMT-GREEN; BKH-CAMBODI-40G
BND-FIT | Home Fitness Set (Mat + Bands) | طقم اللياقة المنزلية | 36 | SPT-YOGA-BLACK; SPT-BAND-MEDIUM
BND-LIPS-3 | Lipstick Trio | ثلاثية أحمر الشفاه | 30 | MKP-LIPS-RUBY; MKP-LIPS-NUDE; MKP-LIPS-ROSE
BND-HIJAB-3 | Hijab Essentials (3 colours) | مجموعة الحجاب الأساسية | 24 |
+ FSH-HIJAB-BLACK; FSH-HIJAB-BEIGE; FSH-HIJAB-NAVY
BND-PHONE | Phone Essentials (Case + Charger + Mount) | أساسيات الجوال | 36 |
+ ELC-CASE-IPHONE-16-BLACK; ELC-CHRG-20W; ELC-CARMT-VENT
BND-SCHOOL | Back to School (Backpack + Bottle) | العودة للمدارس | 35 | KID-BAG-BLUE; HOM-BOTTLE-TEAL
BND-CANDLE-3 | Candle Trio | ثلاثية الشموع | 33 | HOM-CANDLE-OUD; HOM-CANDLE-JASMINE; HOM-CANDLE-VANILLA
BND-DATES-2 | Dates Twin Pack 2 x 1kg | عبوتان تمر سكري | 34 | FOD-DATES-1KG; FOD-DATES-1KG
BND-GROOM | Gents Grooming Set (Parfum + Shemagh) | طقم الرجل الأنيق | 58 | PRF-AMBER-100ML
+ FSH-SHMAGH-STANDARD
"""

_SCALED_AXES = frozenset({"size", "weight", "capacity", "power", "length"})


def _variants(cell: str) -> tuple[str, ...]:
    if "*" not in cell:
        return _items(cell)
    inner, outer = cell.split("*")
    return tuple(f"{a} / {x}" for x in _items(outer) for a in _items(inner))


def _slug(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in text.upper())
    return "-".join(part for part in cleaned.split("-") if part)


def _stable_int(text: str, digits: int) -> int:
    """A stable pseudo-random integer of at most ``digits`` digits (the same in every process)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % (10**digits)


def _asin(sku: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    n = _stable_int("asin:" + sku, 18)
    chars = []
    for _ in range(8):
        n, r = divmod(n, 36)
        chars.append(alphabet[r])
    return "B0" + "".join(chars)


def _build_catalogue() -> tuple[Product, ...]:
    products: list[Product] = []
    for fam_no, (stem, title, title_ar, usd, grams, axis, variants) in enumerate(_rows(_FAMILIES)):
        product_id = 8_100_000_000_000 + fam_no * 7_919 + _stable_int("p:" + stem, 3)
        for var_no, variant in enumerate(_variants(variants)):
            sku = f"{stem}-{_slug(variant)}"
            scaled = axis in _SCALED_AXES  # bigger sizes cost and weigh more; colours do not
            products.append(
                Product(
                    sku=sku,
                    title=title,
                    title_ar=title_ar,
                    variant_title=variant,
                    listing_title=f"{title}, {variant}",
                    product_id=product_id,
                    variant_id=44_000_000_000_000 + fam_no * 1_000_003 + var_no * 101 + _stable_int(sku, 2),
                    asin=_asin(sku),
                    grams=int(int(grams) * (1 + 0.5 * var_no)) if scaled else int(grams),
                    usd=round(float(usd) * (1.0 + 0.35 * var_no if scaled else 1.0), 2),
                )
            )
    by_sku = {p.sku: p for p in products}
    for b_no, (sku, title, title_ar, usd, components) in enumerate(_rows(_BUNDLES)):
        parts = _items(components)
        missing = [c for c in parts if c not in by_sku]
        if missing:  # a typo in the table must fail loudly, not produce a silent bad bundle
            raise ValueError(f"bundle {sku} names unknown components {missing}")
        products.append(
            Product(
                sku=sku,
                title=title,
                title_ar=title_ar,
                variant_title=None,
                listing_title=f"{title} - Gift Box",
                product_id=8_200_000_000_000 + b_no * 7_919,
                variant_id=45_000_000_000_000 + b_no * 1_000_003,
                asin=_asin(sku),
                grams=sum(by_sku[c].grams for c in parts) + 150,
                usd=float(usd),
                components=parts,
            )
        )
    return tuple(products)


CATALOGUE: tuple[Product, ...] = _build_catalogue()
CATALOGUE_BY_SKU: dict[str, Product] = {p.sku: p for p in CATALOGUE}


def catalogue_skus() -> frozenset[str]:
    """Every SKU the seller's catalogue knows (variants and bundles)."""
    return frozenset(CATALOGUE_BY_SKU)


def price_minor(product: Product, currency: str) -> int:
    """Shelf price of a product in a currency, in minor units (all demo currencies have 2 decimals)."""
    return _charm_price(product.usd, currency)


# --------------------------------------------------------------------------- places


@dataclass(frozen=True, slots=True)
class Place:
    """A city a parcel can go to, with the spellings buyers type for it."""

    country: str
    city: str  # canonical English name
    city_variants: tuple[str, ...]  # what buyers type: English, local script, romanisations, case
    province: str | None  # Shopify's province name (None where Shopify has no provinces)
    province_code: str | None
    region_variants: tuple[str, ...]  # Amazon StateOrRegion spellings
    postcodes: tuple[str, ...]
    districts: tuple[str, ...]
    weight: float


# country | city | kind | values.  kind "meta": Shopify province | province_code | weight ("-" = none)
_PLACES = """
SA | Riyadh | meta | - | - | 0.34
SA | Riyadh | city | Riyadh; الرياض; RIYADH; Ar Riyadh; riyadh; Riyadh City
SA | Riyadh | region | Riyadh Province; Ar Riyad; منطقة الرياض; Riyadh
SA | Riyadh | zip | 11564; 12211; 12271; 13241; 11432; 12642; 13317; 14513
SA | Riyadh | district | Al Olaya; Al Malqa; Al Yasmin; Al Narjis; Al Rawdah; Al Sulimaniyah; حي النخيل
SA | Jeddah | meta | - | - | 0.22
SA | Jeddah | city | Jeddah; جدة; Jiddah; JEDDAH; Jedda
SA | Jeddah | region | Makkah Province; Makkah; منطقة مكة المكرمة; Mecca Region
SA | Jeddah | zip | 21442; 21577; 23434; 22233; 23511; 21589
SA | Jeddah | district | Al Rawdah; Al Safa; Al Hamra; Al Naeem; حي الشاطئ
SA | Dammam | meta | - | - | 0.10
SA | Dammam | city | Dammam; الدمام; Ad Dammam; DAMMAM
SA | Dammam | region | Eastern Province; Ash Sharqiyah; المنطقة الشرقية
SA | Dammam | zip | 32241; 32415; 31421; 32253
SA | Dammam | district | Al Faisaliyah; Al Shati; Al Mazruiyah
SA | Al Khobar | meta | - | - | 0.06
SA | Al Khobar | city | Al Khobar; الخبر; Khobar; Al-Khobar
SA | Al Khobar | region | Eastern Province; المنطقة الشرقية
SA | Al Khobar | zip | 34428; 31952; 34621
SA | Al Khobar | district | Al Ulaya; Al Thuqbah; Al Aqrabiyah
SA | Mecca | meta | - | - | 0.08
SA | Mecca | city | Mecca; Makkah; مكة المكرمة; مكة
SA | Mecca | region | Makkah Province; منطقة مكة المكرمة
SA | Mecca | zip | 24231; 24241; 21955
SA | Mecca | district | Al Aziziyah; Al Awali; Al Shawqiyah
SA | Medina | meta | - | - | 0.07
SA | Medina | city | Medina; Madinah; Al Madinah; المدينة المنورة
SA | Medina | region | Al Madinah Province; Madinah; منطقة المدينة المنورة
SA | Medina | zip | 42311; 41411; 42351
SA | Medina | district | Quba; Al Aziziyah; Al Uyun
SA | Taif | meta | - | - | 0.04
SA | Taif | city | Taif; الطائف; At Taif
SA | Taif | region | Makkah Province; Makkah
SA | Taif | zip | 26513; 21944
SA | Taif | district | Al Hawiyah; Shihar
SA | Tabuk | meta | - | - | 0.03
SA | Tabuk | city | Tabuk; تبوك
SA | Tabuk | region | Tabuk Province; Tabuk
SA | Tabuk | zip | 47911; 47312
SA | Tabuk | district | Al Muruj; Al Faisaliyah
SA | Abha | meta | - | - | 0.03
SA | Abha | city | Abha; أبها
SA | Abha | region | Asir Province; Asir; منطقة عسير
SA | Abha | zip | 62521; 61421
SA | Abha | district | Al Mansak; Al Khalidiyah
SA | Buraidah | meta | - | - | 0.03
SA | Buraidah | city | Buraidah; Buraydah; بريدة
SA | Buraidah | region | Al Qassim Province; Qassim
SA | Buraidah | zip | 52361; 51431
SA | Buraidah | district | Al Iskan; Al Rayan
AE | Dubai | meta | Dubai | DU | 0.45
AE | Dubai | city | Dubai; دبي; DUBAI; dubai
AE | Dubai | region | Dubai; دبي
AE | Dubai | zip | 00000
AE | Dubai | district | Dubai Marina; Al Barsha; Deira; Jumeirah; Al Nahda; Business Bay
+ International City; JLT
AE | Abu Dhabi | meta | Abu Dhabi | AZ | 0.22
AE | Abu Dhabi | city | Abu Dhabi; أبوظبي; Abudhabi; ABU DHABI
AE | Abu Dhabi | region | Abu Dhabi; أبوظبي
AE | Abu Dhabi | zip | 00000
AE | Abu Dhabi | district | Al Reem Island; Khalifa City; Al Khalidiyah; Mussafah
AE | Sharjah | meta | Sharjah | SH | 0.16
AE | Sharjah | city | Sharjah; الشارقة; Sharja; SHARJAH
AE | Sharjah | region | Sharjah; الشارقة
AE | Sharjah | zip | 00000
AE | Sharjah | district | Al Nahda; Al Majaz; Al Taawun; Muwaileh
AE | Ajman | meta | Ajman | AJ | 0.06
AE | Ajman | city | Ajman; عجمان
AE | Ajman | region | Ajman
AE | Ajman | zip | 00000
AE | Ajman | district | Al Nuaimiya; Al Rashidiya
AE | Al Ain | meta | Abu Dhabi | AZ | 0.05
AE | Al Ain | city | Al Ain; العين; Alain
AE | Al Ain | region | Abu Dhabi; Al Ain
AE | Al Ain | zip | 00000
AE | Al Ain | district | Al Jimi; Al Muwaiji
AE | Ras Al Khaimah | meta | Ras al-Khaimah | RK | 0.04
AE | Ras Al Khaimah | city | Ras Al Khaimah; رأس الخيمة; RAK
AE | Ras Al Khaimah | region | Ras Al Khaimah
AE | Ras Al Khaimah | zip | 00000
AE | Ras Al Khaimah | district | Al Nakheel; Al Hamra Village
AE | Fujairah | meta | Fujairah | FU | 0.02
AE | Fujairah | city | Fujairah; الفجيرة
AE | Fujairah | region | Fujairah
AE | Fujairah | zip | 00000
AE | Fujairah | district | Al Faseel
MY | Kuala Lumpur | meta | Kuala Lumpur | KUL | 0.30
MY | Kuala Lumpur | city | Kuala Lumpur; KL; KUALA LUMPUR; kuala lumpur
MY | Kuala Lumpur | region | Kuala Lumpur; Wilayah Persekutuan Kuala Lumpur
MY | Kuala Lumpur | zip | 50450; 50088; 55100; 56000; 59200
MY | Kuala Lumpur | district | Bukit Bintang; Cheras; Bangsar; Mont Kiara
MY | Petaling Jaya | meta | Selangor | SGR | 0.18
MY | Petaling Jaya | city | Petaling Jaya; PJ
MY | Petaling Jaya | region | Selangor
MY | Petaling Jaya | zip | 46000; 47301; 47800
MY | Petaling Jaya | district | SS2; Damansara Utama; Kelana Jaya
MY | Shah Alam | meta | Selangor | SGR | 0.12
MY | Shah Alam | city | Shah Alam; SHAH ALAM
MY | Shah Alam | region | Selangor
MY | Shah Alam | zip | 40000; 40150; 40460
MY | Shah Alam | district | Seksyen 7; Seksyen 13
MY | George Town | meta | Penang | PNG | 0.12
MY | George Town | city | George Town; Georgetown; Penang
MY | George Town | region | Penang; Pulau Pinang
MY | George Town | zip | 10200; 10450; 11600
MY | George Town | district | Jelutong; Tanjung Tokong
MY | Johor Bahru | meta | Johor | JHR | 0.14
MY | Johor Bahru | city | Johor Bahru; JB; Johor Baharu
MY | Johor Bahru | region | Johor
MY | Johor Bahru | zip | 80000; 80100; 81200
MY | Johor Bahru | district | Taman Molek; Skudai
MY | Ipoh | meta | Perak | PRK | 0.06
MY | Ipoh | city | Ipoh
MY | Ipoh | region | Perak
MY | Ipoh | zip | 30000; 31400
MY | Ipoh | district | Greentown
MY | Kota Kinabalu | meta | Sabah | SBH | 0.04
MY | Kota Kinabalu | city | Kota Kinabalu; KK
MY | Kota Kinabalu | region | Sabah
MY | Kota Kinabalu | zip | 88000; 88300
MY | Kota Kinabalu | district | Luyang
MY | Kuching | meta | Sarawak | SWK | 0.04
MY | Kuching | city | Kuching
MY | Kuching | region | Sarawak
MY | Kuching | zip | 93050; 93350
MY | Kuching | district | Tabuan
TH | Bangkok | meta | Bangkok | TH-10 | 0.50
TH | Bangkok | city | Bangkok; กรุงเทพมหานคร; กรุงเทพฯ; Krung Thep Maha Nakhon; BANGKOK
TH | Bangkok | region | Bangkok; กรุงเทพมหานคร
TH | Bangkok | zip | 10110; 10120; 10310; 10400; 10500; 10900
TH | Bangkok | district | Watthana; Khlong Toei; Bang Rak; Chatuchak; Huai Khwang; เขตวัฒนา
TH | Chiang Mai | meta | Chiang Mai | TH-50 | 0.15
TH | Chiang Mai | city | Chiang Mai; เชียงใหม่; Chiangmai
TH | Chiang Mai | region | Chiang Mai; เชียงใหม่
TH | Chiang Mai | zip | 50000; 50100; 50200; 50300
TH | Chiang Mai | district | Mueang Chiang Mai; Suthep; ตำบลสุเทพ
TH | Nonthaburi | meta | Nonthaburi | TH-12 | 0.12
TH | Nonthaburi | city | Nonthaburi; นนทบุรี
TH | Nonthaburi | region | Nonthaburi
TH | Nonthaburi | zip | 11000; 11120
TH | Nonthaburi | district | Pak Kret; Bang Yai
TH | Phuket | meta | Phuket | TH-83 | 0.09
TH | Phuket | city | Phuket; ภูเก็ต
TH | Phuket | region | Phuket; ภูเก็ต
TH | Phuket | zip | 83000; 83100; 83110
TH | Phuket | district | Kathu; Talat Yai
TH | Khon Kaen | meta | Khon Kaen | TH-40 | 0.07
TH | Khon Kaen | city | Khon Kaen; ขอนแก่น
TH | Khon Kaen | region | Khon Kaen
TH | Khon Kaen | zip | 40000; 40002
TH | Khon Kaen | district | Nai Mueang
TH | Pattaya | meta | Chon Buri | TH-20 | 0.07
TH | Pattaya | city | Pattaya; พัทยา; Chon Buri
TH | Pattaya | region | Chon Buri; ชลบุรี
TH | Pattaya | zip | 20150; 20260
TH | Pattaya | district | Nong Prue; Bang Lamung
SG | Singapore | meta | - | - | 1.0
SG | Singapore | city | Singapore; SINGAPORE; SG
SG | Singapore | region | Singapore
SG | Singapore | zip | 018956; 238859; 310145; 520201; 560123; 730001; 159924; 449269
SG | Singapore | district | Tampines; Ang Mo Kio; Jurong West; Bedok; Toa Payoh
"""


def _build_places() -> dict[str, tuple[Place, ...]]:
    cells: dict[tuple[str, str], dict[str, list[str]]] = {}
    for country, city, kind, *values in _rows(_PLACES):
        cells.setdefault((country, city), {})[kind] = values
    out: dict[str, list[Place]] = {}
    for (country, city), kinds in cells.items():
        province, code, weight = kinds["meta"]
        out.setdefault(country, []).append(
            Place(
                country=country,
                city=city,
                city_variants=_items(kinds["city"][0]),
                province=None if province == "-" else province,
                province_code=None if code == "-" else code,
                region_variants=_items(kinds["region"][0]),
                postcodes=_items(kinds["zip"][0]),
                districts=_items(kinds["district"][0]),
                weight=float(weight),
            )
        )
    return {country: tuple(places) for country, places in out.items()}


PLACES: dict[str, tuple[Place, ...]] = _build_places()

COUNTRY_NAMES: dict[str, str] = {
    "SA": "Saudi Arabia",
    "AE": "United Arab Emirates",
    "MY": "Malaysia",
    "TH": "Thailand",
    "SG": "Singapore",
}

#: Typos buyers make in a city's name that are still close enough for the address matcher's fuzzy
#: step to resolve them on its own (pg_trgm similarity 0.81 to the real name, above the 0.8
#: confidence threshold): the demo's fuzzy path. Closer misspellings than these score lower, so
#: they become address exceptions with the right city suggested, as a reviewer would want.
CITY_TYPOS: dict[tuple[str, str], str] = {
    ("MY", "Petaling Jaya"): "Petaling Jayaa",
    ("AE", "Ras Al Khaimah"): "Ras Al Khaima",
}

#: Places that do not exist: the "unknown region" anomaly, as (city, province/region).
UNKNOWN_PLACES: dict[str, tuple[tuple[str, str], ...]] = {
    "SA": (("Wadi Zahran Heights", "Northern Sands Province"), ("Qaryat Al Sarab", "Al Sarab Region")),
    "AE": (("Jebel Noor City", "Emirate of Al Noor"), ("Al Sarab Oasis", "Northern Emirate")),
    "MY": (("Bandar Seri Impian", "Negeri Impian"), ("Taman Cahaya Khayalan", "Wilayah Khayalan")),
    "TH": (("Ban Fah Sai", "จังหวัดฟ้าใส"), ("Mueang Mok Khao", "Mok Khao Province")),
    "SG": (("Marina Gardens East", "Sentosa North District"), ("Pulau Harapan", "Outer Islands")),
}


def known_place_names() -> frozenset[str]:
    """Every city and province/region spelling the pools use (stripped, lower-cased)."""
    names: set[str] = set()
    for places in PLACES.values():
        for p in places:
            names.update(v.lower() for v in p.city_variants)
            names.update(v.lower() for v in p.region_variants)
            if p.province:
                names.add(p.province.lower())
    names.update(typo.lower() for typo in CITY_TYPOS.values())
    return frozenset(names)


STREETS: dict[str, tuple[str, ...]] = {
    country: _items(cell)
    for country, cell in _rows("""
SA | King Fahd Road; Prince Sultan Street; Olaya Street; Tahlia Street; King Abdullah Road; طريق الملك فهد
+ شارع التحلية; شارع الأمير سلطان; Al Imam Saud Street; Prince Turki Street
AE | Sheikh Zayed Road; Al Wasl Road; Hamdan Street; Al Khan Street; Al Ittihad Road; شارع الشيخ زايد
+ King Faisal Street; Al Muroor Road
MY | Jalan SS 2/24; Jalan Ampang; Jalan Tun Razak; Lorong Kenari 4; Jalan Bukit Bintang; Jalan Sultan Ismail
+ Persiaran Surian; Jalan Tebrau
TH | Sukhumvit Road; ซอยสุขุมวิท 71; Nimmanhaemin Road; ถนนห้วยแก้ว; Rama IV Road; ถนนพหลโยธิน
+ Ratchadaphisek Road; Soi Thonglor 10
SG | Ang Mo Kio Ave 3; Tampines St 21; Anson Road; Orchard Road; Jurong West St 52; Bedok North Ave 1
+ Toa Payoh Lorong 1
""")
}

#: Address line 1 templates: {n} and {b} numbers, {street}, {district}.
ADDRESS_TEMPLATES: dict[str, tuple[str, ...]] = {
    "SA": (
        "{n} {street}, {district}",
        "{street}, {district}, Bldg {b}",
        "{b} {street}، {district}",
        "{district} Dist., {street} {n}",
        "Building {b}, {street}",
    ),
    "AE": (
        "Apt {n}, {b} Tower, {district}",
        "Villa {n}, Street {b}, {district}",
        "Flat {n}, Building {b}, {street}",
        "شقة {n}، بناية {b}، {district}",
        "{district}, {street}, Office {n}",
    ),
    "MY": (
        "No. {n}, {street}",
        "Lot {b}-{n}, {street}",
        "B-{b}-{n}, Residensi {district}",
        "{n} {street}, Taman {district}",
    ),
    "TH": (
        "{n}/{b} {street}",
        "{n} Moo {b}, {street}, {district}",
        "{n}/{b} {street} แขวง{district}",
        "{n} {street}, {district}",
    ),
    "SG": ("Blk {n} {street}, #{b:02d}-{n}", "{n} {street}, #{b:02d}-0{b}", "{n} {street}"),
}

# --------------------------------------------------------------------------- people

_NAMES = {
    name: _items(cell)
    for name, cell in _rows("""
arabic_first | محمد; عبدالله; فهد; سارة; نورة; خالد; ريم; عبدالرحمن; منيرة; سلطان; هند; فيصل; لطيفة
+ ناصر; جواهر; تركي; أمل; يوسف; مها; عمر
arabic_last | العتيبي; القحطاني; الشمري; الدوسري; الحربي; المطيري; الغامدي; الزهراني; السبيعي; المالكي; الكعبي
+ النعيمي; المنصوري; الهاشمي; البلوشي
arabic_latin_first | Mohammed; Abdullah; Fahad; Sara; Noura; Khalid; Reem; Abdulrahman; Muneera; Sultan; Hind
+ Faisal; Latifa; Nasser; Jawaher; Turki; Amal; Yousef; Maha; Omar; Ahmed; Fatima; Aisha; Hamad
arabic_latin_last | Al-Otaibi; Alqahtani; Al Shammari; Aldosari; Al-Harbi; Al Mutairi; Alghamdi; Al-Zahrani
+ Al Subaie; Almalki; Al Kaabi; Al Nuaimi; Al Mansoori; Al Hashemi; Al Balushi; Hassan; Ibrahim
expat_first | Rahul; Priya; Mohammed Irfan; Maria; John; Anjali; Imran; Joy; Ramesh; Grace; Sanjay; Ayesha
+ Michael; Fatima; Arjun; Cristina
expat_last | Sharma; Nair; Khan; Santos; Fernandes; Reyes; Menon; Qureshi; Dela Cruz; Thomas; Pillai; Smith
+ Malik; Iyer; Garcia; D'Souza
malay_first | Nur Aisyah; Muhammad Hafiz; Siti Nurhaliza; Ahmad Faiz; Nurul Izzah; Amirul; Farah; Mohd Azlan
+ Aina; Hakim
malay_last | binti Ahmad; bin Ismail; binti Rahman; bin Abdullah; binti Hassan; bin Osman
chinese_first | Wei Ming; Mei Ling; Jia Hui; Kok Leong; Xin Yi; Jun Jie; Hui Min; Zhi Hao
chinese_last | Tan; Lim; Lee; Ng; Wong; Chan; Goh; Ong; Teo
indian_my_first | Kavitha; Suresh; Devi; Ganesh; Thivya; Prakash
indian_my_last | a/l Muthu; a/p Rajan; Subramaniam; Krishnan; Ramasamy
thai_first | สมชาย; สมศรี; วิชัย; มาลี; ประเสริฐ; สุดา; ธนพล; กัญญา; ณัฐพล; พิมพ์ชนก
thai_last | ใจดี; สุขสวัสดิ์; ศรีสุข; วงศ์ใหญ่; ทองดี; แสงทอง; บุญมา; พึ่งทอง
thai_latin_first | Somchai; Somsri; Wichai; Malee; Prasert; Suda; Thanapon; Kanya; Nattapon; Pimchanok
thai_latin_last | Jaidee; Suksawat; Srisuk; Wongyai; Thongdee; Saengthong; Boonma; Phuengthong
western_first | James; Emily; Daniel; Sophie; Oliver; Hannah
western_last | Walker; Brown; Taylor; Wilson; Clarke; Evans
""")
}
ARABIC_LATIN_FIRST = _NAMES["arabic_latin_first"]


def _group(kind: str, weight: float) -> tuple[tuple[str, ...], tuple[str, ...], float]:
    return _NAMES[f"{kind}_first"], _NAMES[f"{kind}_last"], weight


#: (first names, last names, weight) per destination country.
NAME_GROUPS: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...], float], ...]] = {
    "SA": (_group("arabic", 0.5), _group("arabic_latin", 0.38), _group("expat", 0.12)),
    "AE": (
        _group("arabic", 0.22),
        _group("arabic_latin", 0.26),
        _group("expat", 0.42),
        _group("western", 0.1),
    ),
    "MY": (_group("malay", 0.55), _group("chinese", 0.33), _group("indian_my", 0.12)),
    "TH": (_group("thai", 0.6), _group("thai_latin", 0.4)),
    "SG": (_group("chinese", 0.6), _group("malay", 0.15), _group("indian_my", 0.1), _group("western", 0.15)),
}

EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com")

# --------------------------------------------------------------------------- carriers and payments

#: Carriers a carrier mapping knows, per destination country (the tracking_company strings).
CARRIERS: dict[str, tuple[str, ...]] = {
    "SA": ("Aramex", "SMSA Express", "Naqel Express", "J&T Express", "SPL", "iMile"),
    "AE": ("Aramex", "Emirates Post", "Shipa Delivery", "iMile", "DHL Express"),
    "MY": ("J&T Express", "Ninja Van", "Pos Malaysia", "DHL eCommerce"),
    "TH": ("Kerry Express", "Flash Express", "Thailand Post", "J&T Express"),
    "SG": ("Ninja Van", "SingPost", "J&T Express"),
}
KNOWN_CARRIERS: frozenset[str] = frozenset(c for cs in CARRIERS.values() for c in cs)

#: Carriers nobody maps: the "unknown carrier" anomaly.
UNKNOWN_CARRIERS: tuple[str, ...] = (
    "FastFalcon Couriers",
    "Desert Hawk Logistics",
    "Kilat Xpress MY",
    "Siam Swift Parcel",
)

TRACKING_URLS: dict[str, str] = {
    "Aramex": "https://www.aramex.com/track/results?ShipmentNumber={}",
    "SMSA Express": "https://www.smsaexpress.com/trackingdetails?tracknumbers={}",
    "J&T Express": "https://www.jtexpress.my/tracking/{}",
    "DHL Express": "https://www.dhl.com/en/express/tracking.html?AWB={}",
    "Ninja Van": "https://www.ninjavan.co/en-my/tracking?id={}",
    "Kerry Express": "https://th.kerryexpress.com/en/track/?track={}",
    "Thailand Post": "https://track.thailandpost.co.th/?trackNumber={}",
}

COD_GATEWAY = "Cash on Delivery (COD)"
PREPAID_GATEWAYS: dict[str, tuple[str, ...]] = {
    "SA": ("shopify_payments", "Tabby", "Tamara", "checkout_com"),
    "AE": ("shopify_payments", "Tabby", "checkout_com"),
    "MY": ("shopify_payments", "Billplz", "2C2P"),
    "TH": ("2C2P", "shopify_payments"),
    "SG": ("shopify_payments", "stripe"),
}

# --------------------------------------------------------------------------- statuses

SHOPIFY_FINANCIAL_STATUSES: frozenset[str] = frozenset(
    {"pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided", "expired"}
)
SHOPIFY_FULFILLMENT_STATUSES: frozenset[str | None] = frozenset({None, "fulfilled", "partial", "restocked"})
AMAZON_ORDER_STATUSES: frozenset[str] = frozenset(
    {
        "PendingAvailability",
        "Pending",
        "Unshipped",
        "PartiallyShipped",
        "Shipped",
        "InvoiceUnconfirmed",
        "Canceled",
        "Unfulfillable",
    }
)

#: Status strings no status map knows: the "unknown platform status" anomaly.
UNKNOWN_SHOPIFY_FULFILLMENT_STATUS = "awaiting_pickup"
UNKNOWN_AMAZON_ORDER_STATUS = "PendingPickup"

#: (code, type, value): a percentage in percent, a fixed amount in US cents.
DISCOUNT_CODES: tuple[tuple[str, str, int], ...] = (
    ("WELCOME10", "percentage", 10),
    ("RAMADAN15", "percentage", 15),
    ("WHITEFRIDAY", "percentage", 20),
    ("SAVE20", "fixed_amount", 500),
    ("VIP25", "percentage", 25),
)

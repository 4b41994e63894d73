"""Manual orders: validation of an order typed into the app's form or read from an import file,
and landing into ``app.manual_orders`` (which dbt reads as the channel ``manual``).

The stored document (``app.manual_orders.order_doc``)::

    {order_number, ordered_at (UTC ISO, "2025-03-01T11:05:00Z"), currency, payment_method
     ("cod" | "prepaid"), buyer_name, buyer_phone (as typed), buyer_email, ship_country (ISO
     alpha-2), ship_province, ship_city, ship_district, address_line1, address_line2,
     ship_postal_code, shipping_amount, discount_amount, tax_amount, notes,
     lines: [{sku, title, quantity, unit_price}]}

Amounts are decimal strings with 2 to 4 decimals (never floats). Optional text fields are ``null``
when empty. A time without an offset is read in the store's time zone.

Import files (CSV or XLSX, see ``ingestion.templates``) hold one row per order line; the
order-level columns are repeated on every line of the same ``order_number`` (a blank cell on a later
line takes the value of the order's first line). Rows are numbered as the user sees them in the
sheet: the header is row 1. An order with any bad row is not landed, and each of its rows says so.

Pure Python apart from ``create_manual_order`` / ``import_rows``, which take a connection (a
SQLAlchemy ``Connection`` as the app uses, or a psycopg2 connection or cursor) and run in the
caller's transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingestion.tabular import COMMENT_PREFIX, TableSpec, cell_text, is_blank, read_table

ORDER_FIELDS: tuple[str, ...] = (
    "order_number",
    "ordered_at",
    "currency",
    "payment_method",
    "buyer_name",
    "buyer_phone",
    "buyer_email",
    "ship_country",
    "ship_province",
    "ship_city",
    "ship_district",
    "address_line1",
    "address_line2",
    "ship_postal_code",
    "shipping_amount",
    "discount_amount",
    "tax_amount",
    "notes",
)
LINE_FIELDS: tuple[str, ...] = ("sku", "title", "quantity", "unit_price")
IMPORT_COLUMNS: tuple[str, ...] = ORDER_FIELDS + LINE_FIELDS
REQUIRED_COLUMNS: tuple[str, ...] = (
    "order_number",
    "ordered_at",
    "payment_method",
    "buyer_name",
    "ship_country",
    "ship_city",
    "address_line1",
    "sku",
    "quantity",
    "unit_price",
)
AMOUNT_FIELDS: tuple[str, ...] = ("shipping_amount", "discount_amount", "tax_amount")
PAYMENT_METHODS: tuple[str, ...] = ("cod", "prepaid")

# The template's example orders: refused on import so an untouched example never becomes an order.
EXAMPLE_PREFIX = "EXAMPLE-"

MAX_LINES = 500
MAX_IMPORT_BYTES = 10 << 20
MAX_IMPORT_ROWS = 20_000
_MAX_AMOUNT = Decimal(10) ** 14
_TEXT_LIMITS = {
    "order_number": 64,
    "buyer_name": 200,
    "buyer_email": 254,
    "ship_province": 200,
    "ship_city": 200,
    "ship_district": 200,
    "address_line1": 300,
    "address_line2": 300,
    "ship_postal_code": 20,
    "notes": 2000,
    "sku": 100,
    "title": 500,
}

# ISO 3166-1 alpha-2 (all 249 assigned codes).
COUNTRY_CODES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
    BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER
    ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID
    IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV
    LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR
    NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC
    VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()
)
# Names a seller types for the countries they ship to most, in English and local script. Exact
# matches only (case-insensitive): anything else must be an ISO code, never a guess.
COUNTRY_NAMES: dict[str, str] = {
    "saudi arabia": "SA",
    "ksa": "SA",
    "kingdom of saudi arabia": "SA",
    "السعودية": "SA",
    "المملكة العربية السعودية": "SA",
    "united arab emirates": "AE",
    "uae": "AE",
    "الإمارات": "AE",
    "الامارات": "AE",
    "الإمارات العربية المتحدة": "AE",
    "kuwait": "KW",
    "الكويت": "KW",
    "bahrain": "BH",
    "البحرين": "BH",
    "qatar": "QA",
    "قطر": "QA",
    "oman": "OM",
    "عمان": "OM",
    "عُمان": "OM",
    "egypt": "EG",
    "مصر": "EG",
    "jordan": "JO",
    "الأردن": "JO",
    "iraq": "IQ",
    "العراق": "IQ",
    "morocco": "MA",
    "المغرب": "MA",
    "thailand": "TH",
    "ไทย": "TH",
    "ประเทศไทย": "TH",
    "vietnam": "VN",
    "viet nam": "VN",
    "việt nam": "VN",
    "malaysia": "MY",
    "singapore": "SG",
    "indonesia": "ID",
    "philippines": "PH",
    "china": "CN",
    "hong kong": "HK",
    "united states": "US",
    "usa": "US",
    "united kingdom": "GB",
    "uk": "GB",
}

# ISO 4217 codes in use.
CURRENCY_CODES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
    GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP
    SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG ZWL""".split()
)

# Arabic-Indic and Persian digits and the Arabic decimal and thousands separators, as people type them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_PHONE_SEPARATORS = re.compile(r"[\s\-().\/\u00a0]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PAYMENT_SYNONYMS = {
    "cod": "cod",
    "cash on delivery": "cod",
    "cash_on_delivery": "cod",
    "الدفع عند الاستلام": "cod",
    "prepaid": "prepaid",
    "paid": "prepaid",
}


class ManualOrderError(ValueError):
    """A manual order that cannot be stored; the message is meant for the person who entered it."""


class InvalidOrder(ManualOrderError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class DuplicateOrderNumber(ManualOrderError):
    pass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an order: the field, the message, and the line (1-based) if a line's."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _store_value(store: Any, key: str) -> Any:
    if store is None:
        return None
    if isinstance(store, Mapping):
        return store.get(key)
    return getattr(store, key, None)


def _text(
    doc: Mapping[str, Any], name: str, problems: list[Problem], *, required: bool, line: int | None = None
) -> str | None:
    value = doc.get(name)
    if is_blank(value):
        if required:
            problems.append(Problem(name, f"{name} is required", line))
        return None
    text = cell_text(value)
    if _CONTROL.search(text):
        problems.append(Problem(name, f"{name} contains control characters", line))
        return None
    limit = _TEXT_LIMITS.get(name)
    if limit and len(text) > limit:
        problems.append(Problem(name, f"{name} is longer than {limit} characters", line))
        return None
    return text


def parse_amount(value: Any) -> Decimal:
    """A decimal from a cell or a typed amount; raises ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError("is not a number")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        text = str(value).translate(_DIGITS).strip().replace(" ", "").replace("\u00a0", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if "," in text:
            raise ValueError("uses a comma: write amounts with a dot for decimals and no thousands separator")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError("is not a number") from None
    if not amount.is_finite():
        raise ValueError("is not a number")
    return amount


def format_amount(amount: Decimal) -> str:
    """``12`` -> ``12.00``; ``12.345`` stays; never more than 4 decimals (callers check)."""
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        amount = amount.quantize(Decimal("0.01"))
    return f"{amount:f}"


def _amount(
    doc: Mapping[str, Any],
    name: str,
    problems: list[Problem],
    *,
    required: bool,
    line: int | None = None,
) -> str | None:
    value = doc.get(name)
    if is_blank(value):
        if required:
            problems.append(Problem(name, f"{name} is required", line))
            return None
        return "0.00"
    try:
        amount = parse_amount(value)
    except ValueError as exc:
        problems.append(Problem(name, f"{name} '{cell_text(value)}' {exc}", line))
        return None
    if amount < 0:
        problems.append(Problem(name, f"{name} must not be negative", line))
        return None
    if amount >= _MAX_AMOUNT:
        problems.append(Problem(name, f"{name} '{cell_text(value)}' is too large", line))
        return None
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        problems.append(Problem(name, f"{name} '{cell_text(value)}' has more than 4 decimals", line))
        return None
    return format_amount(amount)


def _quantity(value: Any, problems: list[Problem], line: int) -> int | None:
    message = "quantity must be a whole number ≥ 1"
    if is_blank(value):
        problems.append(Problem("quantity", "quantity is required", line))
        return None
    if isinstance(value, bool):
        problems.append(Problem("quantity", message, line))
        return None
    try:
        number = parse_amount(value)
    except ValueError:
        problems.append(Problem("quantity", f"{message}, not '{cell_text(value)}'", line))
        return None
    if number != number.to_integral_value() or number < 1 or number > 1_000_000:
        problems.append(Problem("quantity", f"{message}, not '{cell_text(value)}'", line))
        return None
    return int(number)


def _zone(store: Any, problems: list[Problem]) -> ZoneInfo:
    name = _store_value(store, "timezone") or "UTC"
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem("ordered_at", f"the store's time zone {name!r} is unknown; fix it on Stores"))
        return ZoneInfo("UTC")


def parse_ordered_at(value: Any, zone: ZoneInfo) -> datetime:
    """An aware UTC datetime; a naive value is read in ``zone``. Raises ValueError."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        text = str(value).translate(_DIGITS).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"ordered_at '{value}' is not an ISO date-time "
                "(use 2025-03-01 14:05 or 2025-03-01T14:05:00+03:00)"
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def normalise_phone_digits(raw: str) -> str | None:
    """The digits (with a leading ``+`` kept) of something typed as a phone number, else None."""
    text = _PHONE_SEPARATORS.sub("", raw.translate(_DIGITS))
    plus = text.startswith("+")
    digits = text[1:] if plus else text
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        return None
    return ("+" if plus else "") + digits


def country_code(value: str) -> str | None:
    text = value.strip()
    if text.upper() in COUNTRY_CODES:
        return text.upper()
    return COUNTRY_NAMES.get(text.casefold())


def check_order(
    doc: Mapping[str, Any], store: Any = None, *, now: datetime | None = None
) -> tuple[dict, list[Problem]]:
    """The clean order document and what is wrong with it (empty when it may be stored).

    ``store`` is the app.stores row (a mapping or an object): its ``timezone`` reads naive times
    and its ``currency`` is the default currency.
    """
    problems: list[Problem] = []
    clean: dict[str, Any] = {}

    clean["order_number"] = _text(doc, "order_number", problems, required=True)
    if clean["order_number"] and clean["order_number"].startswith(COMMENT_PREFIX):
        problems.append(Problem("order_number", f"order_number must not start with {COMMENT_PREFIX}"))

    zone = _zone(store, problems)
    ordered_at = doc.get("ordered_at")
    clean["ordered_at"] = None
    if is_blank(ordered_at):
        problems.append(Problem("ordered_at", "ordered_at is required"))
    else:
        try:
            moment = parse_ordered_at(ordered_at, zone)
        except ValueError as exc:
            problems.append(Problem("ordered_at", str(exc)))
        else:
            if moment > (now or datetime.now(UTC)) + timedelta(days=1):
                problems.append(Problem("ordered_at", f"ordered_at {iso_utc(moment)} is in the future"))
            elif moment.year < 2000:
                problems.append(Problem("ordered_at", f"ordered_at {iso_utc(moment)} is before 2000"))
            else:
                clean["ordered_at"] = iso_utc(moment)

    currency = doc.get("currency")
    if is_blank(currency):
        currency = _store_value(store, "currency")
    clean["currency"] = None
    if is_blank(currency):
        problems.append(Problem("currency", "currency is required (the store has no default currency)"))
    else:
        code = str(currency).strip().upper()
        if len(code) != 3 or not code.isalpha():
            problems.append(Problem("currency", f"currency must be a 3-letter ISO code, not '{currency}'"))
        elif code not in CURRENCY_CODES:
            problems.append(Problem("currency", f"currency '{code}' is not an ISO 4217 code"))
        else:
            clean["currency"] = code

    method = doc.get("payment_method")
    clean["payment_method"] = None
    if is_blank(method):
        problems.append(Problem("payment_method", "payment_method is required (cod or prepaid)"))
    else:
        normalised = _PAYMENT_SYNONYMS.get(" ".join(str(method).split()).casefold())
        if normalised is None:
            problems.append(
                Problem("payment_method", f"payment_method must be cod or prepaid, not '{method}'")
            )
        clean["payment_method"] = normalised

    clean["buyer_name"] = _text(doc, "buyer_name", problems, required=True)
    phone = doc.get("buyer_phone")
    clean["buyer_phone"] = None
    if is_blank(phone):
        if clean["payment_method"] == "cod":
            problems.append(Problem("buyer_phone", "buyer_phone is required for a cash-on-delivery order"))
    else:
        raw_phone = cell_text(phone)
        if normalise_phone_digits(raw_phone) is None:
            problems.append(Problem("buyer_phone", f"phone '{raw_phone}' is not a phone number"))
        else:
            clean["buyer_phone"] = raw_phone
    email = _text(doc, "buyer_email", problems, required=False)
    if email is not None and not _EMAIL.match(email):
        problems.append(Problem("buyer_email", f"buyer_email '{email}' is not an email address"))
        email = None
    clean["buyer_email"] = email

    country = doc.get("ship_country")
    clean["ship_country"] = None
    if is_blank(country):
        problems.append(Problem("ship_country", "ship_country is required (an ISO code such as SA)"))
    else:
        code = country_code(cell_text(country))
        if code is None:
            problems.append(
                Problem("ship_country", f"unknown country '{cell_text(country)}' (use ISO codes such as SA)")
            )
        clean["ship_country"] = code
    clean["ship_province"] = _text(doc, "ship_province", problems, required=False)
    clean["ship_city"] = _text(doc, "ship_city", problems, required=True)
    clean["ship_district"] = _text(doc, "ship_district", problems, required=False)
    clean["address_line1"] = _text(doc, "address_line1", problems, required=True)
    clean["address_line2"] = _text(doc, "address_line2", problems, required=False)
    clean["ship_postal_code"] = _text(doc, "ship_postal_code", problems, required=False)
    for name in AMOUNT_FIELDS:
        clean[name] = _amount(doc, name, problems, required=False)
    clean["notes"] = _text(doc, "notes", problems, required=False)

    lines_in = doc.get("lines")
    lines: list[dict[str, Any]] = []
    if not isinstance(lines_in, list | tuple) or not lines_in:
        problems.append(Problem("lines", "an order needs at least one line"))
        lines_in = []
    elif len(lines_in) > MAX_LINES:
        problems.append(Problem("lines", f"an order has at most {MAX_LINES} lines"))
        lines_in = []
    items_total = Decimal(0)
    for index, line_doc in enumerate(lines_in, start=1):
        if not isinstance(line_doc, Mapping):
            problems.append(
                Problem("lines", "a line must be an object with sku, title, quantity, unit_price", index)
            )
            continue
        sku = _text(line_doc, "sku", problems, required=True, line=index)
        title = _text(line_doc, "title", problems, required=False, line=index)
        quantity = _quantity(line_doc.get("quantity"), problems, index)
        unit_price = _amount(line_doc, "unit_price", problems, required=True, line=index)
        if quantity is not None and unit_price is not None:
            items_total += quantity * Decimal(unit_price)
        lines.append({"sku": sku, "title": title or sku, "quantity": quantity, "unit_price": unit_price})
    clean["lines"] = lines

    if not problems and Decimal(clean["discount_amount"]) > items_total + Decimal(clean["shipping_amount"]):
        problems.append(
            Problem(
                "discount_amount",
                f"discount_amount {clean['discount_amount']} is more than the items and shipping "
                f"({format_amount(items_total + Decimal(clean['shipping_amount']))})",
            )
        )
    return clean, problems


def validate_order(doc: Mapping[str, Any], store: Any = None) -> tuple[dict, list[str]]:
    """The clean order document and the errors as messages (empty when it may be stored)."""
    clean, problems = check_order(doc, store)
    return clean, [str(p) for p in problems]


# ---------------------------------------------------------------------------------------------
# Storing
# ---------------------------------------------------------------------------------------------


def _rows(conn: Any, sql: str, params: dict[str, Any]) -> list[tuple]:
    """Run ``sql`` (``:name`` parameters) on a SQLAlchemy connection or a psycopg2 connection/cursor."""
    from sqlalchemy.engine import Connection

    if isinstance(conn, Connection):
        from sqlalchemy import text

        result = conn.execute(text(sql), params)
        return [tuple(r) for r in result.fetchall()] if result.returns_rows else []
    pg_sql = re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)
    if hasattr(conn, "execute"):  # a psycopg2 cursor
        conn.execute(pg_sql, params)
        return list(conn.fetchall()) if conn.description else []
    with conn.cursor() as cur:
        cur.execute(pg_sql, params)
        return list(cur.fetchall()) if cur.description else []


def load_store(tenant_id: str, store_id: str, conn: Any) -> dict[str, Any]:
    """The store row a manual order goes to; refused unless it is one of the tenant's manual stores."""
    rows = _rows(
        conn,
        """select store_id, channel, name, timezone, currency, is_active
           from app.stores where tenant_id = :tenant and store_id = :store""",
        {"tenant": tenant_id, "store": store_id},
    )
    if not rows:
        raise ManualOrderError(f"store {store_id!r} does not exist in tenant {tenant_id!r}")
    store = dict(
        zip(("store_id", "channel", "name", "timezone", "currency", "is_active"), rows[0], strict=True)
    )
    if store["channel"] != "manual":
        raise ManualOrderError(
            f"store {store_id!r} is a {store['channel']} store; manual orders go to a manual store"
        )
    if isinstance(store["currency"], str):
        store["currency"] = store["currency"].strip() or None
    return store


@dataclass(frozen=True)
class CreateResult:
    manual_order_id: str
    created: bool  # False: the same order was already stored (nothing changed)
    order_doc: dict[str, Any]


def _existing_message(order_number: str, row: tuple) -> str:
    source, created_by, created_at, import_file = row
    when = (
        created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if isinstance(created_at, datetime)
        else created_at
    )
    origin = (
        f"imported from {import_file}" if source == "import" and import_file else f"entered in the {source}"
    )
    return (
        f"order number {order_number} already exists ({origin} by {created_by}, {when}); "
        "use another order number"
    )


def create_manual_order(
    tenant_id: str,
    store_id: str,
    doc: Mapping[str, Any],
    created_by: str,
    conn: Any,
    *,
    source: str = "form",
    import_file: str | None = None,
    import_row: int | None = None,
    store: Mapping[str, Any] | None = None,
) -> CreateResult:
    """Validate and store one manual order in the caller's transaction.

    Idempotent per order number within the tenant: the same order again returns ``created=False``;
    a different order under an existing number raises ``DuplicateOrderNumber``. Raises
    ``InvalidOrder`` (with every error) for a bad document.
    """
    store = store or load_store(tenant_id, store_id, conn)
    clean, errors = validate_order(doc, store)
    if errors:
        raise InvalidOrder(errors)
    order_number = clean["order_number"]
    inserted = _rows(
        conn,
        """insert into app.manual_orders
               (tenant_id, store_id, manual_order_id, order_doc, source, import_file, import_row, created_by)
           values (:tenant, :store, :order_id, cast(:doc as jsonb), :source, :import_file, :import_row,
                   :created_by)
           on conflict (tenant_id, manual_order_id) do nothing
           returning manual_order_id""",
        {
            "tenant": tenant_id,
            "store": store_id,
            "order_id": order_number,
            "doc": json.dumps(clean, ensure_ascii=False),
            "source": source,
            "import_file": import_file,
            "import_row": import_row,
            "created_by": created_by,
        },
    )
    if inserted:
        return CreateResult(order_number, True, clean)
    existing = _rows(
        conn,
        """select order_doc, store_id, source, created_by, created_at, import_file
           from app.manual_orders where tenant_id = :tenant and manual_order_id = :order_id""",
        {"tenant": tenant_id, "order_id": order_number},
    )
    if not existing:  # another tenant's row cannot conflict on (tenant_id, manual_order_id)
        raise ManualOrderError(f"order number {order_number} could not be stored; try again")
    old_doc, old_store, *rest = existing[0]
    if isinstance(old_doc, str):
        old_doc = json.loads(old_doc)
    if old_doc == clean and old_store == store_id:
        return CreateResult(order_number, False, clean)
    raise DuplicateOrderNumber(_existing_message(order_number, tuple(rest)))


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowIssue:
    row: int | None  # as in the sheet, header = row 1; None for the whole file
    order_number: str | None
    field: str | None
    reason: str


@dataclass
class ImportReport:
    filename: str
    rows_read: int = 0
    orders_landed: list[str] = field(default_factory=list)
    orders_already_present: list[str] = field(default_factory=list)
    orders_rejected: list[str] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return len({i.row for i in self.issues if i.row is not None})

    @property
    def ok(self) -> bool:
        return not self.issues and not self.file_errors

    def issue_rows(self) -> list[dict[str, Any]]:
        """The validation report as table rows: row, order number, field, reason."""
        return [
            {"row": i.row, "order_number": i.order_number, "field": i.field, "reason": i.reason}
            for i in sorted(self.issues, key=lambda i: (i.row or 0, i.field or ""))
        ]


IMPORT_SPEC = TableSpec(
    columns=IMPORT_COLUMNS,
    required=REQUIRED_COLUMNS,
    max_bytes=MAX_IMPORT_BYTES,
    max_rows=MAX_IMPORT_ROWS,
    empty_message="the file is empty: it needs the template's header and one row per order line",
    reject_unknown=False,
    missing_hint="start from the template",
    sheet="Orders",
    read_only=False,
)


def read_import_file(data: bytes, filename: str) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """The data rows of an import file as (row number, {column: value}), and file-level errors.

    Columns the import does not know are dropped; text cells lose surrounding white space.
    """
    rows, errors = read_table(data, filename, IMPORT_SPEC)
    stripped = [
        (number, {k: v.strip() if isinstance(v, str) else v for k, v in record.items()})
        for number, record in rows
    ]
    return stripped, errors


def _group_orders(
    rows: list[tuple[int, dict[str, Any]]], report: ImportReport
) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    orders: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, record in rows:
        order_number = record.get("order_number")
        if is_blank(order_number):
            report.issues.append(RowIssue(number, None, "order_number", "order_number is required"))
            continue
        orders.setdefault(cell_text(order_number), []).append((number, record))
    return orders


def _order_from_rows(
    order_number: str, rows: list[tuple[int, dict[str, Any]]]
) -> tuple[dict[str, Any], dict[str, int], list[RowIssue]]:
    """The order document of one order's rows, the row each order-level field came from, conflicts."""
    doc: dict[str, Any] = {}
    source_row: dict[str, int] = {}
    issues: list[RowIssue] = []
    for number, record in rows:
        for name in ORDER_FIELDS:
            value = record.get(name)
            if is_blank(value):
                continue
            if name not in doc:
                doc[name] = value
                source_row[name] = number
            elif cell_text(value) != cell_text(doc[name]) and value != doc[name]:
                issues.append(
                    RowIssue(
                        number,
                        order_number,
                        name,
                        f"{name} '{cell_text(value)}' differs from '{cell_text(doc[name])}' on row "
                        f"{source_row[name]} of the same order",
                    )
                )
    doc["order_number"] = order_number
    doc["lines"] = [{name: record.get(name) for name in LINE_FIELDS} for _, record in rows]
    return doc, source_row, issues


def import_rows(
    file_bytes: bytes,
    filename: str,
    tenant_id: str,
    store_id: str,
    created_by: str,
    conn: Any,
) -> ImportReport:
    """Validate an import file and land its good orders in ``app.manual_orders`` (source 'import').

    Runs in the caller's transaction. Each bad row comes back with its row number and reason; an
    order with any bad row is not landed, and each of its rows says so.
    """
    report = ImportReport(filename=filename)
    rows, file_errors = read_import_file(file_bytes, filename)
    report.rows_read = len(rows)
    if file_errors:
        report.file_errors.extend(file_errors)
        return report
    if not rows:
        report.file_errors.append(
            "the file has no order rows (the template's examples and notes are skipped)"
        )
        return report
    try:
        store = load_store(tenant_id, store_id, conn)
    except ManualOrderError as exc:
        report.file_errors.append(str(exc))
        return report

    for order_number, order_rows in _group_orders(rows, report).items():
        row_numbers = [n for n, _ in order_rows]
        issues: list[RowIssue] = []
        if order_number.upper().startswith(EXAMPLE_PREFIX):
            issues = [
                RowIssue(
                    n,
                    order_number,
                    "order_number",
                    "this is the template's example: delete the row or give it your own order number",
                )
                for n in row_numbers
            ]
        else:
            doc, source_row, issues = _order_from_rows(order_number, order_rows)
            _, problems = check_order(doc, store)
            for problem in problems:
                if problem.line is not None:
                    row = row_numbers[problem.line - 1]
                else:
                    row = source_row.get(problem.field, row_numbers[0])
                issues.append(RowIssue(row, order_number, problem.field, problem.message))
        if not issues:
            try:
                result = create_manual_order(
                    tenant_id,
                    store_id,
                    doc,
                    created_by,
                    conn,
                    source="import",
                    import_file=filename,
                    import_row=row_numbers[0],
                    store=store,
                )
            except ManualOrderError as exc:
                issues = [RowIssue(n, order_number, "order_number", str(exc)) for n in row_numbers]
            else:
                (report.orders_landed if result.created else report.orders_already_present).append(
                    order_number
                )
                continue
        report.orders_rejected.append(order_number)
        bad_rows = sorted({i.row for i in issues if i.row is not None})
        report.issues.extend(issues)
        for n in row_numbers:
            if n not in bad_rows:
                listed = ", ".join(str(b) for b in bad_rows)
                report.issues.append(
                    RowIssue(
                        n,
                        order_number,
                        None,
                        f"not landed: order {order_number} has errors on row {listed}",
                    )
                )
    return report

"""The seller's catalogue and SKU mappings: validation of an import file and loading into ``app.*``.

A products file (CSV or XLSX, header in the first row) holds one row per SKU::

    sku*, title*, title_local, variant_title, weight_kg, components, is_active

``components`` makes the SKU a bundle (kit): ``SKU-A*1; SKU-B*2`` lists each component with its
units per bundle (``*1`` may be left out), optionally with its share of the bundle's price:
``SKU-A*1@0.6; SKU-B*2@0.4`` (a weight: shares need not add up to 1; give one for every component
or for none, and none means a share per unit). A component must be a SKU of this file or of the
catalogue, and never a bundle itself. ``is_active`` is true (the default) or false.

A mappings file holds one row per platform key::

    channel*, store_id, platform_key*, sku, note

``channel`` is a channel (``shopify``, ``amazon``...) or ``*`` for every channel; ``store_id``
narrows the mapping to one store of that channel. ``platform_key`` is the platform's SKU or its
listing id (Shopify variant id, ASIN, Lazada shop SKU...). An empty ``sku`` removes the mapping.

Loading: products are upserted by (tenant, sku); a bundle's components are replaced by the file's
(a product of the file without components is no bundle any more); a mapping row is appended only
when it differs from the mapping in effect for its key (the latest row). Every bad row comes back
with its row number (the header is row 1), field and reason, and nothing is loaded while any row
of either file is bad. One ``app.audit_log`` row records each import.

``import_catalog`` takes a connection (a psycopg2 cursor or connection, or a SQLAlchemy
``Connection``) and runs in the caller's transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from psycopg2.extras import execute_values

from ingestion.manual import parse_amount
from ingestion.tabular import TableSpec, cell_text, is_blank, read_table

PRODUCT_COLUMNS: tuple[str, ...] = (
    "sku",
    "title",
    "title_local",
    "variant_title",
    "weight_kg",
    "components",
    "is_active",
)
PRODUCT_REQUIRED: tuple[str, ...] = ("sku", "title")
MAPPING_COLUMNS: tuple[str, ...] = ("channel", "store_id", "platform_key", "sku", "note")
MAPPING_REQUIRED: tuple[str, ...] = ("channel", "platform_key", "sku")

#: Channels a mapping may name (besides '*'): every channel the platform lands orders from.
CHANNELS: tuple[str, ...] = (
    "amazon",
    "lazada",
    "manual",
    "salla",
    "shopee",
    "shopify",
    "tiktok",
    "woocommerce",
)
ANY_CHANNEL = "*"

MAX_FILE_BYTES = 20 << 20
MAX_ROWS = 100_000
MAX_COMPONENTS = 50
_MAX_WEIGHT = Decimal(10) ** 9  # numeric(12, 3)
_MAX_SHARE = Decimal(10) ** 6  # numeric(12, 6)
_TEXT_LIMITS = {
    "sku": 100,
    "title": 500,
    "title_local": 500,
    "variant_title": 500,
    "platform_key": 200,
    "store_id": 100,
    "note": 1000,
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COMPONENT = re.compile(r"^(?P<sku>[^*@]+?)\s*(?:\*\s*(?P<qty>[^@]*?))?\s*(?:@\s*(?P<share>.*))?$")
_TRUE = {"true", "t", "yes", "y", "1", "active"}
_FALSE = {"false", "f", "no", "n", "0", "inactive"}


class CatalogImportError(Exception):
    """An import that did not load; ``report`` holds every reason."""

    def __init__(self, report: CatalogImportReport) -> None:
        self.report = report
        super().__init__(report.describe())


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class RowIssue:
    file: str  # "products" or "mappings"
    row: int | None  # as in the sheet, header = row 1; None for the whole file
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} row {self.row}" if self.row is not None else self.file
        return f"{where}, {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


@dataclass(frozen=True)
class Component:
    sku: str
    quantity: int
    price_share: Decimal


@dataclass(frozen=True)
class ProductRow:
    row: int
    sku: str
    title: str
    title_local: str | None
    variant_title: str | None
    weight_kg: Decimal | None
    is_active: bool
    components: tuple[Component, ...]

    @property
    def is_bundle(self) -> bool:
        return bool(self.components)


@dataclass(frozen=True)
class MappingRow:
    row: int
    channel: str
    store_id: str | None
    platform_key: str
    sku: str | None  # None: remove the mapping
    note: str | None


@dataclass
class CatalogImportReport:
    tenant_id: str
    products_file: str | None = None
    mappings_file: str | None = None
    product_rows: int = 0
    mapping_rows: int = 0
    products_added: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    bundles_changed: int = 0
    mappings_added: int = 0
    mappings_removed: int = 0
    mappings_unchanged: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    loaded: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues

    def issue_rows(self) -> list[dict[str, Any]]:
        """The validation report as table rows: file, row, field, reason."""
        return [
            {"file": i.file, "row": i.row, "field": i.field, "reason": i.reason}
            for i in sorted(self.issues, key=lambda i: (i.file != "products", i.row or 0, i.field or ""))
        ]

    def counts(self) -> dict[str, int]:
        return {
            "product_rows": self.product_rows,
            "products_added": self.products_added,
            "products_updated": self.products_updated,
            "products_unchanged": self.products_unchanged,
            "bundles_changed": self.bundles_changed,
            "mapping_rows": self.mapping_rows,
            "mappings_added": self.mappings_added,
            "mappings_removed": self.mappings_removed,
            "mappings_unchanged": self.mappings_unchanged,
        }

    def describe(self) -> str:
        if not self.ok:
            lines = [
                f"catalogue import for tenant {self.tenant_id} NOT loaded: {len(self.issues)} problem(s)"
            ]
            lines += [f"  {issue}" for issue in self.issue_rows_text()]
            return "\n".join(lines)
        parts = []
        if self.products_file:
            parts.append(
                f"products ({self.products_file}): {self.product_rows} rows, {self.products_added} added, "
                f"{self.products_updated} updated, {self.products_unchanged} unchanged, "
                f"{self.bundles_changed} bundles with new components"
            )
        if self.mappings_file:
            parts.append(
                f"SKU mappings ({self.mappings_file}): {self.mapping_rows} rows, "
                f"{self.mappings_added} added, "
                f"{self.mappings_removed} removed, {self.mappings_unchanged} unchanged"
            )
        return f"catalogue import for tenant {self.tenant_id} loaded\n  " + "\n  ".join(parts)

    def issue_rows_text(self) -> list[str]:
        return [str(RowIssue(**r)) for r in self.issue_rows()]


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def read_rows(
    upload: UploadedFile, columns: tuple[str, ...], required: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """The data rows of a file as (row number, {column: value}), and file-level errors.

    The first non-blank row is the header; blank rows and rows starting with ``##`` are skipped.
    A header that lacks a required column or names an unknown one is a file error.
    """
    spec = TableSpec(
        columns=columns,
        required=required,
        max_bytes=MAX_FILE_BYTES,
        max_rows=MAX_ROWS,
        empty_message="the file is empty: it needs a header row and one row per entry",
    )
    return read_table(upload.data, upload.filename, spec)


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _text(
    record: Mapping[str, Any], name: str, row: int, issues: list[RowIssue], file: str, *, required: bool
) -> str | None:
    value = record.get(name)
    if is_blank(value):
        if required:
            issues.append(RowIssue(file, row, name, f"{name} is required"))
        return None
    text = cell_text(value)
    if _CONTROL.search(text):
        issues.append(RowIssue(file, row, name, f"{name} contains control characters (a tab or line break?)"))
        return None
    limit = _TEXT_LIMITS.get(name)
    if limit and len(text) > limit:
        issues.append(RowIssue(file, row, name, f"{name} is longer than {limit} characters"))
        return None
    return text


def _weight(value: Any, row: int, issues: list[RowIssue]) -> Decimal | None:
    if is_blank(value):
        return None
    try:
        weight = parse_amount(value)
    except ValueError as exc:
        issues.append(RowIssue("products", row, "weight_kg", f"weight_kg '{cell_text(value)}' {exc}"))
        return None
    exponent = weight.normalize().as_tuple().exponent
    if weight < 0:
        issues.append(RowIssue("products", row, "weight_kg", f"weight_kg '{cell_text(value)}' is negative"))
    elif weight >= _MAX_WEIGHT:
        issues.append(RowIssue("products", row, "weight_kg", f"weight_kg '{cell_text(value)}' is too large"))
    elif isinstance(exponent, int) and exponent < -3:
        issues.append(
            RowIssue(
                "products",
                row,
                "weight_kg",
                f"weight_kg '{cell_text(value)}' has more than 3 decimals (grams)",
            )
        )
    else:
        return weight
    return None


def _active(value: Any, row: int, issues: list[RowIssue]) -> bool:
    if is_blank(value):
        return True
    if isinstance(value, bool):
        return value
    text = cell_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    issues.append(
        RowIssue("products", row, "is_active", f"is_active must be true or false, not '{cell_text(value)}'")
    )
    return True


def _positive(text: str, *, integer: bool) -> Decimal | None:
    try:
        number = parse_amount(text)
    except ValueError:
        return None
    if number <= 0 or (integer and number != number.to_integral_value()):
        return None
    return number


def parse_components(text: str, bundle_sku: str | None) -> tuple[tuple[Component, ...], list[str]]:
    """``SKU-A*1@0.6; SKU-B*2@0.4`` as components, and what is wrong with it (reasons)."""
    entries = [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]
    parsed: list[tuple[str, int, Decimal | None]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        match = _COMPONENT.match(entry)
        if not match or not match.group("sku").strip():
            problems.append(f"component '{entry}' is not SKU*quantity or SKU*quantity@share")
            continue
        sku = match.group("sku").strip()
        qty_text, share_text = match.group("qty"), match.group("share")
        quantity = 1
        if qty_text is not None:
            qty = _positive(qty_text, integer=True) if qty_text.strip() else None
            if qty is None or qty > 1_000_000:
                problems.append(f"component {sku}: quantity '{qty_text}' must be a whole number ≥ 1")
                continue
            quantity = int(qty)
        share: Decimal | None = None
        if share_text is not None:
            share = _positive(share_text, integer=False) if share_text.strip() else None
            exponent = share.normalize().as_tuple().exponent if share is not None else 0
            if share is None or share >= _MAX_SHARE or (isinstance(exponent, int) and exponent < -6):
                problems.append(
                    f"component {sku}: price share '{share_text}' must be a number above 0 "
                    "with at most 6 decimals"
                )
                continue
        if bundle_sku is not None and sku == bundle_sku:
            problems.append(f"bundle {sku} lists itself as a component")
            continue
        if sku in seen:
            problems.append(f"component {sku} is listed twice: give its quantity once ({sku}*2)")
            continue
        seen.add(sku)
        parsed.append((sku, quantity, share))
    if len(parsed) > MAX_COMPONENTS:
        problems.append(f"a bundle has at most {MAX_COMPONENTS} components")
    with_share = [p for p in parsed if p[2] is not None]
    if with_share and len(with_share) != len(parsed):
        problems.append("give a price share (@share) for every component or for none")
    if problems:
        return (), problems
    # without shares, each unit of a component weighs the same
    return tuple(
        Component(sku, qty, share if share is not None else Decimal(qty)) for sku, qty, share in parsed
    ), []


@dataclass(frozen=True)
class CatalogState:
    """What the tenant's catalogue holds now, as validation needs it."""

    products: dict[str, tuple[bool, bool]]  # sku -> (is_bundle, is_active)
    components: dict[str, tuple[Component, ...]]  # bundle sku -> components
    stores: dict[str, str]  # store_id -> channel


def check_products(
    rows: list[tuple[int, dict[str, Any]]], state: CatalogState
) -> tuple[list[ProductRow], list[RowIssue]]:
    """The clean product rows and every problem (row, field, reason)."""
    issues: list[RowIssue] = []
    products: list[ProductRow] = []
    first_row: dict[str, int] = {}
    for number, record in rows:
        row_issues: list[RowIssue] = []
        sku = _text(record, "sku", number, row_issues, "products", required=True)
        if sku is not None and re.search(r"[;*@]", sku):
            row_issues.append(RowIssue("products", number, "sku", f"sku '{sku}' must not contain ; * or @"))
        elif sku is not None and sku in first_row:
            row_issues.append(
                RowIssue("products", number, "sku", f"duplicate sku {sku}: also on row {first_row[sku]}")
            )
        elif sku is not None:
            first_row[sku] = number
        title = _text(record, "title", number, row_issues, "products", required=True)
        title_local = _text(record, "title_local", number, row_issues, "products", required=False)
        variant_title = _text(record, "variant_title", number, row_issues, "products", required=False)
        weight = _weight(record.get("weight_kg"), number, row_issues)
        active = _active(record.get("is_active"), number, row_issues)
        components: tuple[Component, ...] = ()
        if not is_blank(record.get("components")):
            components, problems = parse_components(cell_text(record["components"]), sku)
            row_issues += [RowIssue("products", number, "components", p) for p in problems]
        issues += row_issues
        if not row_issues and sku is not None and title is not None:
            products.append(
                ProductRow(number, sku, title, title_local, variant_title, weight, active, components)
            )

    # across rows: components must exist and must not be bundles themselves (a component whose own
    # row is bad has that row's reason already)
    in_file = {p.sku: p for p in products}
    for product in products:
        for component in product.components:
            if component.sku in in_file:
                is_bundle = in_file[component.sku].is_bundle
            elif component.sku in state.products:
                is_bundle = state.products[component.sku][0]
            elif component.sku in first_row:
                continue
            else:
                issues.append(
                    RowIssue(
                        "products",
                        product.row,
                        "components",
                        f"unknown component {component.sku}: not in this file nor in the catalogue",
                    )
                )
                continue
            if is_bundle:
                issues.append(
                    RowIssue(
                        "products",
                        product.row,
                        "components",
                        f"component {component.sku} is itself a bundle: a bundle cannot contain a bundle",
                    )
                )
    # a SKU this file makes a bundle must not be a component of a bundle the file leaves as it is
    for bundle_sku, components in state.components.items():
        if bundle_sku in in_file:
            continue
        for component in components:
            product = in_file.get(component.sku)
            if product is not None and product.is_bundle:
                issues.append(
                    RowIssue(
                        "products",
                        product.row,
                        "components",
                        f"{product.sku} is a component of bundle {bundle_sku}: "
                        "a bundle cannot contain a bundle",
                    )
                )
    return products, issues


def check_mappings(
    rows: list[tuple[int, dict[str, Any]]], state: CatalogState, products: list[ProductRow]
) -> tuple[list[MappingRow], list[RowIssue]]:
    """The clean mapping rows and every problem (row, field, reason). ``products`` are the rows of
    the products file imported alongside (their SKUs count as known)."""
    issues: list[RowIssue] = []
    mappings: list[MappingRow] = []
    active = {sku: flags[1] for sku, flags in state.products.items()}
    active.update({p.sku: p.is_active for p in products})
    first_row: dict[tuple[str, str | None, str], int] = {}
    for number, record in rows:
        row_issues: list[RowIssue] = []
        channel_text = _text(record, "channel", number, row_issues, "mappings", required=True)
        channel = channel_text.casefold() if channel_text else None
        if channel is not None and channel != ANY_CHANNEL and channel not in CHANNELS:
            row_issues.append(
                RowIssue(
                    "mappings",
                    number,
                    "channel",
                    f"unknown channel '{channel_text}': use {', '.join(CHANNELS)} or * (every channel)",
                )
            )
        store_id = _text(record, "store_id", number, row_issues, "mappings", required=False)
        if store_id is not None and channel == ANY_CHANNEL:
            row_issues.append(
                RowIssue("mappings", number, "store_id", "a store's mapping names the store's channel, not *")
            )
        elif store_id is not None and store_id not in state.stores:
            row_issues.append(RowIssue("mappings", number, "store_id", f"unknown store {store_id}"))
        elif store_id is not None and channel is not None and state.stores[store_id] != channel:
            row_issues.append(
                RowIssue(
                    "mappings",
                    number,
                    "store_id",
                    f"store {store_id} is a {state.stores[store_id]} store, not {channel}",
                )
            )
        platform_key = _text(record, "platform_key", number, row_issues, "mappings", required=True)
        sku = _text(record, "sku", number, row_issues, "mappings", required=False)
        if sku is not None and sku not in active:
            row_issues.append(RowIssue("mappings", number, "sku", f"unknown sku {sku}: not in the catalogue"))
        elif sku is not None and not active[sku]:
            row_issues.append(RowIssue("mappings", number, "sku", f"sku {sku} is inactive"))
        note = _text(record, "note", number, row_issues, "mappings", required=False)
        if channel is not None and platform_key is not None and not row_issues:
            key = (channel, store_id, platform_key)
            if key in first_row:
                row_issues.append(
                    RowIssue(
                        "mappings",
                        number,
                        "platform_key",
                        f"{platform_key} is mapped for the same channel and store on row {first_row[key]}",
                    )
                )
            else:
                first_row[key] = number
        issues += row_issues
        if not row_issues and channel is not None and platform_key is not None:
            mappings.append(MappingRow(number, channel, store_id, platform_key, sku, note))
    return mappings, issues


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


@contextmanager
def _cursor(conn: Any) -> Iterator[Any]:
    """A psycopg2 cursor on the caller's connection and transaction."""
    try:
        from sqlalchemy.engine import Connection
    except ImportError:  # pragma: no cover - SQLAlchemy is a dependency
        Connection = ()  # type: ignore[assignment]  # noqa: N806
    if isinstance(conn, Connection):
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            yield cur
    elif hasattr(conn, "cursor") and not hasattr(conn, "fetchone"):  # a psycopg2 connection
        with conn.cursor() as cur:
            yield cur
    else:  # a psycopg2 cursor
        yield conn


def read_state(cur: Any, tenant_id: str) -> CatalogState:
    cur.execute("select sku, is_bundle, is_active from app.products where tenant_id = %s", (tenant_id,))
    products = {sku: (bool(bundle), bool(active)) for sku, bundle, active in cur.fetchall()}
    cur.execute(
        """select bundle_sku, component_sku, quantity, price_share from app.bundle_components
           where tenant_id = %s order by bundle_sku, component_sku""",
        (tenant_id,),
    )
    components: dict[str, list[Component]] = {}
    for bundle_sku, component_sku, quantity, share in cur.fetchall():
        components.setdefault(bundle_sku, []).append(Component(component_sku, int(quantity), Decimal(share)))
    cur.execute("select store_id, channel from app.stores where tenant_id = %s", (tenant_id,))
    stores = dict(cur.fetchall())
    return CatalogState(products, {k: tuple(v) for k, v in components.items()}, stores)


def _same_components(a: tuple[Component, ...], b: tuple[Component, ...]) -> bool:
    key = lambda c: (c.sku, c.quantity, c.price_share.normalize())  # noqa: E731
    return sorted(map(key, a)) == sorted(map(key, b))


def _load_products(
    cur: Any,
    tenant_id: str,
    products: list[ProductRow],
    state: CatalogState,
    by: str,
    report: CatalogImportReport,
) -> None:
    rows = [
        (
            tenant_id,
            p.sku,
            p.title,
            p.title_local,
            p.variant_title,
            p.weight_kg,
            p.is_bundle,
            p.is_active,
            by,
            by,
        )
        for p in products
    ]
    returned = execute_values(
        cur,
        """insert into app.products as p (tenant_id, sku, title, title_local, variant_title, weight_kg,
                                          is_bundle, is_active, created_by, updated_by)
           values %s
           on conflict (tenant_id, sku) do update
              set title = excluded.title, title_local = excluded.title_local,
                  variant_title = excluded.variant_title, weight_kg = excluded.weight_kg,
                  is_bundle = excluded.is_bundle, is_active = excluded.is_active,
                  updated_by = excluded.updated_by, updated_at = now()
            where (p.title, p.title_local, p.variant_title, p.weight_kg, p.is_bundle, p.is_active)
                  is distinct from (excluded.title, excluded.title_local, excluded.variant_title,
                                    excluded.weight_kg, excluded.is_bundle, excluded.is_active)
           returning (xmax = 0) as inserted""",
        rows,
        page_size=1000,
        fetch=True,
    )
    report.products_added = sum(1 for (inserted,) in returned if inserted)
    report.products_updated = len(returned) - report.products_added
    report.products_unchanged = len(products) - len(returned)

    # a bundle's components are replaced whole when they differ from the file's
    changed = [p for p in products if not _same_components(state.components.get(p.sku, ()), p.components)]
    replaced = [p.sku for p in changed if p.sku in state.components]
    if replaced:  # (only then: the app's role may insert components but not delete them)
        cur.execute(
            "delete from app.bundle_components where tenant_id = %s and bundle_sku = any(%s)",
            (tenant_id, replaced),
        )
    if changed:
        execute_values(
            cur,
            """insert into app.bundle_components (tenant_id, bundle_sku, component_sku, quantity, price_share)
               values %s""",
            [(tenant_id, p.sku, c.sku, c.quantity, c.price_share) for p in changed for c in p.components],
            page_size=1000,
        )
    report.bundles_changed = sum(1 for p in changed if p.is_bundle)


def _load_mappings(
    cur: Any, tenant_id: str, mappings: list[MappingRow], by: str, report: CatalogImportReport
) -> None:
    # the mapping in effect for each key of the file: the latest row per (channel, store, key)
    cur.execute(
        """select distinct on (platform_key, channel, store_id) channel, store_id, platform_key, sku
           from app.sku_mappings
           where tenant_id = %s and platform_key = any(%s)
           order by platform_key, channel, store_id, mapping_id desc""",
        (tenant_id, sorted({m.platform_key for m in mappings})),
    )
    current = {(channel, store_id, key): sku for channel, store_id, key, sku in cur.fetchall()}
    new = [m for m in mappings if current.get((m.channel, m.store_id, m.platform_key)) != m.sku]
    if new:
        execute_values(
            cur,
            """insert into app.sku_mappings
                   (tenant_id, channel, store_id, platform_key, sku, note, created_by)
               values %s""",
            [(tenant_id, m.channel, m.store_id, m.platform_key, m.sku, m.note, by) for m in new],
            page_size=1000,
        )
    report.mappings_added = sum(1 for m in new if m.sku is not None)
    report.mappings_removed = len(new) - report.mappings_added
    report.mappings_unchanged = len(mappings) - len(new)


def import_catalog(
    conn: Any,
    tenant_id: str,
    *,
    products: UploadedFile | None = None,
    mappings: UploadedFile | None = None,
    created_by: str,
) -> CatalogImportReport:
    """Validate a products file and/or a mappings file and, when every row of both is good, load
    them in the caller's transaction (and write one audit row). Returns the report either way."""
    report = CatalogImportReport(
        tenant_id=tenant_id,
        products_file=products.filename if products else None,
        mappings_file=mappings.filename if mappings else None,
    )
    if products is None and mappings is None:
        report.issues.append(
            RowIssue("products", None, None, "give a products file, a mappings file or both")
        )
        return report
    with _cursor(conn) as cur:
        cur.execute("select 1 from app.tenants where tenant_id = %s", (tenant_id,))
        if cur.fetchone() is None:
            report.issues.append(
                RowIssue("products" if products else "mappings", None, None, f"unknown tenant {tenant_id}")
            )
            return report
        state = read_state(cur, tenant_id)

        product_rows: list[ProductRow] = []
        if products is not None:
            rows, file_errors = read_rows(products, PRODUCT_COLUMNS, PRODUCT_REQUIRED)
            report.product_rows = len(rows)
            report.issues += [RowIssue("products", None, None, e) for e in file_errors]
            if not rows and not file_errors:
                report.issues.append(RowIssue("products", None, None, "the file has no product rows"))
            product_rows, issues = check_products(rows, state)
            report.issues += issues
        mapping_rows: list[MappingRow] = []
        if mappings is not None:
            rows, file_errors = read_rows(mappings, MAPPING_COLUMNS, MAPPING_REQUIRED)
            report.mapping_rows = len(rows)
            report.issues += [RowIssue("mappings", None, None, e) for e in file_errors]
            if not rows and not file_errors:
                report.issues.append(RowIssue("mappings", None, None, "the file has no mapping rows"))
            mapping_rows, issues = check_mappings(rows, state, product_rows)
            report.issues += issues
        if report.issues:
            return report

        if product_rows:
            _load_products(cur, tenant_id, product_rows, state, created_by, report)
        if mapping_rows:
            _load_mappings(cur, tenant_id, mapping_rows, created_by, report)
        cur.execute(
            """insert into app.audit_log (tenant_id, user_email, action, entity, entity_key, details)
               values (%s, %s, 'catalog_import', 'catalog', %s, %s::jsonb)""",
            (
                tenant_id,
                created_by,
                report.products_file or report.mappings_file,
                json.dumps(
                    {
                        "products_file": report.products_file,
                        "mappings_file": report.mappings_file,
                        **report.counts(),
                    }
                ),
            ),
        )
    report.loaded = True
    return report

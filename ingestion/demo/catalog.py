"""The demo tenant's catalogue and SKU mappings, and the SKUs each channel's listings carry.

``generate`` writes them beside the landing folders, as the seller would upload them::

    <out>/<tenant>/catalog/products.csv       every SKU of pools.CATALOGUE (bundles with components)
    <out>/<tenant>/catalog/sku_mappings.csv   the platform keys that are not the seller's SKU

The landing importer reads only channel folders, so ``catalog/`` is never taken for orders;
``load_demo_catalog`` imports the two files (``oms serve`` and the tests call it before the
pipeline runs).

The listings exercise every lookup path of the SKU mapping (int_order_lines_sku_mapped):

- store: Lazada's ``shop_sku`` (the listing id) for the Lazada store; on ONE Amazon store
  (``LISTING_SKU_STORE``) the older listings carry listing SKUs ``LST-{asin}`` as SellerSKU;
- channel: every Shopify variant id, for every Shopify store (Shopify lines match by variant);
- any channel ('*'): SKUs from before the seller renumbered them (``PRFROSEOUD50ML``), still on
  the WooCommerce and Salla listings of a fifth of the products;
- exact: every other line carries the seller's SKU (Amazon elsewhere, Shopee, TikTok Shop...);
- bundles are catalogue SKUs sold as one line; their components are in products.csv.

The planted unmapped-SKU anomalies (context.F_UNMAPPED_SKU) must stay unmapped: the generators ask
this module for forms no mapping names (a Shopify variant created after the catalogue was
exported, the Amazon ``amzn.gr`` form where a ``LST-`` SKU would be mapped), and ``resolve_sku``
applies the same lookup as dbt so that tests can check every line against the shipped mappings.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ingestion.demo import pools
from ingestion.demo.common import stable_key

CATALOG_DIR = "catalog"
PRODUCTS_FILE = "products.csv"
MAPPINGS_FILE = "sku_mappings.csv"
PRODUCT_COLUMNS = ("sku", "title", "title_local", "variant_title", "weight_kg", "components")
MAPPING_COLUMNS = ("channel", "store_id", "platform_key", "sku", "note")

#: The one Amazon store whose older listings carry listing SKUs (``LST-{asin}``) as SellerSKU.
LISTING_SKU_STORE = "amazon-ae"
#: Channels whose listings still carry a fifth of the products under their SKU from before the
#: renumbering (mapped for every channel, '*').
LEGACY_SKU_CHANNELS = ("woocommerce", "salla")


def has_listing_sku(product: pools.Product) -> bool:
    """Whether the product's listing on the LISTING_SKU_STORE predates the SKU (a quarter of them)."""
    return stable_key("listing-sku", product.sku) % 4 == 0


def listing_sku(product: pools.Product) -> str:
    return f"LST-{product.asin}"


def amazon_seller_sku(store_id: str, product: pools.Product) -> str:
    """The SellerSKU of the product's listing on an Amazon store."""
    if store_id == LISTING_SKU_STORE and has_listing_sku(product):
        return listing_sku(product)
    return product.sku


def has_legacy_sku(product: pools.Product) -> bool:
    """Whether the product's own-webshop listings still carry its SKU from before the renumbering."""
    return stable_key("legacy-sku", product.sku) % 5 == 0


def legacy_sku(product: pools.Product) -> str:
    """The product's SKU before the renumbering: the same code without dashes."""
    return product.sku.replace("-", "")


def webshop_sku(product: pools.Product) -> str:
    """The SKU on the product's WooCommerce and Salla listings."""
    return legacy_sku(product) if has_legacy_sku(product) else product.sku


def lazada_shop_sku(product: pools.Product) -> str:
    """Lazada's own SKU of the product's listing (``shop_sku``)."""
    return f"{product.product_id % 10**9}_TH-{product.variant_id % 10**10}"


def unlisted_variant_id(product: pools.Product) -> int:
    """A Shopify variant of the product created after the catalogue was exported (so unmapped):
    a range no catalogue variant id (44/45 x 10^12 + ...) reaches."""
    return 46_000_000_000_000 + product.variant_id % 10**12


# --------------------------------------------------------------------------- the files


def _weight(grams: int) -> str:
    return f"{Decimal(grams) / 1000:.3f}"


def _components(product: pools.Product) -> str:
    """``SKU*qty@share; ...``: each component once, with its units per bundle and its share of
    the bundle's price (from the components' own prices, four decimals)."""
    units: dict[str, int] = {}
    for sku in product.components:
        units[sku] = units.get(sku, 0) + 1
    values = {sku: Decimal(str(pools.CATALOGUE_BY_SKU[sku].usd)) * n for sku, n in units.items()}
    total = sum(values.values())
    parts = []
    for sku, n in units.items():
        share = (values[sku] / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        parts.append(f"{sku}*{n}@{share}")
    return "; ".join(parts)


def product_rows() -> list[dict[str, str]]:
    """products.csv: every SKU of the catalogue, in catalogue order."""
    return [
        {
            "sku": p.sku,
            "title": p.title,
            "title_local": p.title_ar,
            "variant_title": p.variant_title or "",
            "weight_kg": _weight(p.grams),
            "components": _components(p) if p.is_bundle else "",
        }
        for p in pools.CATALOGUE
    ]


def mapping_rows(channels: tuple[str, ...]) -> list[dict[str, str]]:
    """sku_mappings.csv for the demo's channels (store mappings only for stores it writes)."""
    rows: list[dict[str, str]] = []
    if "shopify" in channels:
        rows += [
            {
                "channel": "shopify",
                "store_id": "",
                "platform_key": str(p.variant_id),
                "sku": p.sku,
                "note": "Shopify variant",
            }
            for p in pools.CATALOGUE
        ]
    if "amazon" in channels:
        rows += [
            {
                "channel": "amazon",
                "store_id": LISTING_SKU_STORE,
                "platform_key": listing_sku(p),
                "sku": p.sku,
                "note": "listing SKU of an older amazon.ae listing",
            }
            for p in pools.CATALOGUE
            if has_listing_sku(p)
        ]
    if "lazada" in channels:
        from ingestion.demo.lazada import STORE_ID as LAZADA_STORE  # lazada imports this module

        rows += [
            {
                "channel": "lazada",
                "store_id": LAZADA_STORE,
                "platform_key": lazada_shop_sku(p),
                "sku": p.sku,
                "note": "Lazada shop SKU",
            }
            for p in pools.CATALOGUE
        ]
    rows += [
        {
            "channel": "*",
            "store_id": "",
            "platform_key": legacy_sku(p),
            "sku": p.sku,
            "note": "SKU before the renumbering",
        }
        for p in pools.CATALOGUE
        if has_legacy_sku(p)
    ]
    return rows


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write_catalog(tenant_dir: Path, channels: tuple[str, ...]) -> Path:
    """Write products.csv and sku_mappings.csv under ``tenant_dir/catalog``; return the folder."""
    folder = Path(tenant_dir) / CATALOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PRODUCTS_FILE).write_bytes(_csv(PRODUCT_COLUMNS, product_rows()))
    (folder / MAPPINGS_FILE).write_bytes(_csv(MAPPING_COLUMNS, mapping_rows(channels)))
    return folder


# --------------------------------------------------------------------------- the lookup, in Python


def _mappings(channels: tuple[str, ...]) -> dict[tuple[str, str, str], str]:
    return {(r["channel"], r["store_id"], r["platform_key"]): r["sku"] for r in mapping_rows(channels)}


_ALL_MAPPINGS: dict[tuple[str, str, str], str] | None = None


def resolve_sku(channel: str, store_id: str, platform_sku: str | None, listing_id: str | None) -> str | None:
    """The seller's SKU of a demo line under the shipped mappings, as int_order_lines_sku_mapped
    finds it (store, channel, '*': the platform SKU before the listing id; then the exact SKU)."""
    global _ALL_MAPPINGS
    if _ALL_MAPPINGS is None:
        from ingestion.demo import ALL_CHANNELS

        _ALL_MAPPINGS = _mappings(ALL_CHANNELS)
    keys = [k for k in (platform_sku or None, listing_id or None) if k]
    for scope in ((channel, store_id), (channel, ""), ("*", "")):
        for key in keys:
            sku = _ALL_MAPPINGS.get((*scope, key))
            if sku is not None:
                return sku if sku in pools.CATALOGUE_BY_SKU else None
    return platform_sku if platform_sku in pools.CATALOGUE_BY_SKU else None


# --------------------------------------------------------------------------- loading


def load_demo_catalog(out_dir: Path, tenant_id: str, created_by: str = "demo"):
    """Register the demo tenant and its stores (from tenant.json and stores.json, as the landing
    importer does) and import its catalogue and SKU mappings; return the import report.

    Raises ``ingestion.catalog.CatalogImportError`` when the files do not load: the demo's own
    files are expected to be clean.
    """
    import orjson

    from ingestion import catalog
    from ingestion.importer import register_store, register_tenant
    from warehouse import db

    tenant_dir = Path(out_dir) / tenant_id
    folder = tenant_dir / CATALOG_DIR
    tenant = orjson.loads((tenant_dir / "tenant.json").read_bytes())
    stores = orjson.loads((tenant_dir / "stores.json").read_bytes())
    quiet = lambda _message: None  # noqa: E731 - the landing run reports registrations itself
    with db.transaction() as cur:
        register_tenant(cur, tenant_id, tenant.get("name"), tenant.get("reporting_currency"), quiet)
        for store in stores:
            register_store(cur, tenant_id, store, "landing folder", quiet, settings_file=True)
        report = catalog.import_catalog(
            cur,
            tenant_id,
            products=catalog.UploadedFile(PRODUCTS_FILE, (folder / PRODUCTS_FILE).read_bytes()),
            mappings=catalog.UploadedFile(MAPPINGS_FILE, (folder / MAPPINGS_FILE).read_bytes()),
            created_by=created_by,
        )
        if not report.ok:
            raise catalog.CatalogImportError(report)
    return report

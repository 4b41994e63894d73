"""The demo generator: deterministic, shaped like the real APIs, and honest about its anomalies.

Every count the summary claims is checked by parsing the written files back, independently of the
generator's own bookkeeping. No database needed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ingestion.demo import generate, pools
from ingestion.demo.catalog import resolve_sku

ORDERS, SEED = 400, 7
SHOPIFY_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
AMAZON_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z")
MONEY = re.compile(r"\d+\.\d\d")
ARABIC = re.compile(r"[\u0600-\u06FF]")
THAI = re.compile(r"[\u0E00-\u0E7F]")
OFFSETS = {"Asia/Riyadh": "+03:00", "Asia/Dubai": "+04:00", "Asia/Kuala_Lumpur": "+08:00"}
SHOPIFY_MONEY_FIELDS = (
    "total_price",
    "subtotal_price",
    "total_tax",
    "total_discounts",
    "total_line_items_price",
)
SHOPIFY_SETS = ("total_price_set", "subtotal_price_set", "total_shipping_price_set", "total_tax_set")
SHOPIFY_LINE_KEYS = set("id product_id variant_id sku title variant_title quantity price grams".split())
SHOPIFY_LINE_KEYS |= {
    "price_set",
    "fulfillment_status",
    "requires_shipping",
    "tax_lines",
    "discount_allocations",
}
SHOPIFY_ADDRESS_KEYS = set("name address1 city province province_code zip country country_code phone".split())
AMAZON_ITEM_KEYS = {"ASIN", "SellerSKU", "OrderItemId", "Title", "QuantityOrdered", "QuantityShipped"}


# --------------------------------------------------------------------------- parsing the files back


def _salvage(data: bytes) -> tuple[list[dict], bool]:
    """Parse a (possibly truncated) response page: the whole records, and whether it was cut."""
    try:
        doc = json.loads(data)
    except json.JSONDecodeError:
        pass
    else:
        if isinstance(doc, list):
            return doc, False
        if "orders" in doc:
            return doc["orders"], False
        if "order" in doc:
            return [doc["order"]], False
        return doc["payload"]["Orders"], False
    text = data.decode()
    pos = text.index("[") + 1
    decoder = json.JSONDecoder()
    records = []
    while True:
        while pos < len(text) and text[pos] in ", \n":
            pos += 1
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return records, True
        records.append(obj)


def _canonical(obj: dict) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False)


@dataclass
class StoreFiles:
    """One store's files, parsed back."""

    store: dict
    files: int = 0
    pages: list[tuple[str, list[dict]]] = field(default_factory=list)
    items_pages: dict[str, list[dict]] = field(default_factory=dict)
    single_files: int = 0
    truncated_files: int = 0
    truncated_whole: int = 0
    valid: list[dict] = field(default_factory=list)  # every valid order record, in file order
    malformed: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def channel(self) -> str:
        return self.store["channel"]

    def key(self, order: dict) -> str:
        return str(order["id"] if self.channel == "shopify" else order["AmazonOrderId"])

    def updated(self, order: dict) -> datetime:
        return datetime.fromisoformat(order["updated_at" if self.channel == "shopify" else "LastUpdateDate"])

    def latest(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for order in self.valid:
            k = self.key(order)
            if k not in out or self.updated(order) > self.updated(out[k]):
                out[k] = order
        return out

    def distinct_payloads(self) -> int:
        return len({(self.key(o), _canonical(o)) for o in self.valid})

    def items(self) -> list[tuple[str, dict]]:
        return [
            (env["payload"]["AmazonOrderId"], item)
            for page in self.items_pages.values()
            for env in page
            for item in env["payload"]["OrderItems"]
        ]


def read_store(root: Path, store: dict) -> StoreFiles:
    folder = root / store["channel"] / store["store_id"]
    out = StoreFiles(store)
    id_key, id_type = ("id", int) if store["channel"] == "shopify" else ("AmazonOrderId", str)
    for path in sorted(folder.glob("*.json")):
        out.files += 1
        data = path.read_bytes()
        if "getOrderItems" in path.name:
            out.items_pages[path.name.replace("getOrderItems", "getOrders")] = json.loads(data)
            continue
        records, truncated = _salvage(data)
        if truncated:
            out.truncated_files += 1
            out.truncated_whole += len(records)
            out.malformed["truncated_tail"] += 1
        if data.startswith(b'{"order":'):
            out.single_files += 1
        out.pages.append((path.name, records))
        for order in records:
            if id_key not in order:
                out.malformed["missing_id"] += 1
            elif not isinstance(order[id_key], id_type):
                out.malformed["nested_id"] += 1
            else:
                out.valid.append(order)
    return out


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("demo_a")
    summary = generate(out, "demo", ORDERS, SEED)
    root = out / "demo"
    stores = json.loads((root / "stores.json").read_text())
    parsed = {s["store_id"]: read_store(root, s) for s in stores}
    return summary, root, parsed


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- determinism and layout


def test_same_seed_gives_identical_bytes_and_another_seed_differs(demo, tmp_path):
    _summary, root, _parsed = demo
    again = generate(tmp_path / "b", "demo", ORDERS, SEED)
    assert _tree(root) == _tree(tmp_path / "b" / "demo")
    assert again.expected == _summary.expected

    other = _tree(generate(tmp_path / "c", "demo", ORDERS, SEED + 1).out_dir / "demo")
    mine = _tree(root)
    assert other.keys() != mine.keys() or other != mine
    # not a near copy (the catalogue is the seller's, the same for every seed)
    shared = {k for k in set(other) & set(mine) if not k.startswith("catalog/")}
    assert sum(other[k] == mine[k] for k in shared if "/" in k) < len(shared) / 10


def test_landing_layout_tenant_and_stores(demo):
    summary, root, _parsed = demo
    assert json.loads((root / "tenant.json").read_text()) == {
        "tenant_id": "demo",
        "name": "Demo Trading",
        "reporting_currency": "USD",
    }
    stores = {s["store_id"]: s for s in json.loads((root / "stores.json").read_text())}
    assert set(stores) == {"shopify-ksa", "shopify-uae", "shopify-sea", "amazon-sa", "amazon-ae"}
    assert stores["amazon-sa"]["marketplace"] == "A17E79C6D8DWNP"
    assert stores["amazon-ae"]["marketplace"] == "A2VIGQ35RCS4UG"
    assert {s["channel"] for s in stores.values()} == {"shopify", "amazon"}
    assert [stores["shopify-ksa"][k] for k in ("timezone", "currency")] == ["Asia/Riyadh", "SAR"]
    assert [stores["shopify-sea"][k] for k in ("timezone", "currency")] == ["Asia/Kuala_Lumpur", "MYR"]
    for s in stores.values():
        assert set(s) == {"store_id", "channel", "name", "marketplace", "timezone", "currency"}
        assert (root / s["channel"] / s["store_id"]).is_dir()
    # the summary sits beside the source folders, never inside one
    assert json.loads((root / "demo_summary.json").read_text()) == json.loads(json.dumps(summary.expected))
    assert not list(root.glob("*/*/demo_summary.json"))
    text = summary.describe()
    assert "shopify-ksa" in text and "amazon-ae" in text and f"{ORDERS:,} orders" in text


def test_two_tenants_share_an_out_dir_and_regenerating_replaces_pending_files(demo, tmp_path):
    out = tmp_path / "landing"
    generate(out, "demo", 60, 3)
    before = _tree(out / "demo")
    generate(out, "acme", 40, 4)
    assert _tree(out / "demo") == before
    assert json.loads((out / "acme" / "tenant.json").read_text())["tenant_id"] == "acme"
    acme = _tree(out / "acme")
    assert all(b"demo-" not in v for k, v in acme.items() if k.endswith("stores.json"))

    done = out / "demo" / "shopify" / "shopify-ksa" / "_done"
    done.mkdir()
    (done / "landed-earlier.json").write_text("{}")
    generate(out, "demo", 60, 5)  # another seed: no stale pending file of seed 3 may remain
    fresh = _tree(generate(tmp_path / "fresh", "demo", 60, 5).out_dir / "demo")
    after = _tree(out / "demo")
    assert after.pop("shopify/shopify-ksa/_done/landed-earlier.json") == b"{}"
    assert after == fresh


def test_zero_and_one_order(tmp_path):
    empty = generate(tmp_path, "empty", 0, 1)
    assert empty.totals.orders == 0 and empty.totals.files == 0
    one = generate(tmp_path, "one", 1, 1)
    root = tmp_path / "one"
    found = sum(len(read_store(root, s).latest()) for s in json.loads((root / "stores.json").read_text()))
    assert found == 1 == one.totals.orders


# --------------------------------------------------------------------------- counts parse back exactly


def test_distinct_orders_versions_duplicates_and_malformed_match_the_summary(demo):
    summary, _root, parsed = demo
    assert sum(len(p.latest()) for p in parsed.values()) == ORDERS == summary.totals.orders
    for store_id, p in parsed.items():
        s = summary.stores[store_id]
        assert len(p.latest()) == s.orders, store_id
        assert p.files == s.files, store_id
        assert p.distinct_payloads() == s.order_versions, store_id
        assert len(p.valid) - p.distinct_payloads() == s.duplicate_deliveries + s.truncated_whole_records
        assert p.truncated_whole == s.truncated_whole_records and p.truncated_files == s.truncated_files
        assert dict(p.malformed) == {k: v for k, v in s.malformed_records.items() if v}, store_id
        assert p.single_files == s.single_order_files, store_id
        ledger = s.ledger()["shopify_orders" if p.channel == "shopify" else "amazon_orders"]
        malformed = sum(p.malformed.values())
        assert ledger == {
            "fetched": len(p.valid) + malformed,
            "landed": p.distinct_payloads(),
            "duplicate": len(p.valid) - p.distinct_payloads(),
            "rejected": malformed,
        }
        if p.channel == "amazon":
            items = p.items()
            distinct = {(oid, _canonical(item)) for oid, item in items}
            assert (len(items), len(distinct)) == (s.item_records, s.item_versions), store_id
            assert len(items) - len(distinct) == s.item_duplicates


def test_every_anomaly_kind_is_present_and_counted(demo):
    summary, _root, parsed = demo
    places = pools.known_place_names()
    found: dict[str, int] = defaultdict(int)
    for store_id, p in parsed.items():
        latest = p.latest()
        counts: dict[str, int] = defaultdict(int)
        if p.channel == "shopify":
            for o in latest.values():
                counts["unknown_statuses"] += (
                    o["fulfillment_status"] not in pools.SHOPIFY_FULFILLMENT_STATUSES
                    or o["financial_status"] not in pools.SHOPIFY_FINANCIAL_STATUSES
                )
                # a line no shipped SKU mapping (catalog.resolve_sku, as dbt looks it up) maps
                counts["unmapped_skus"] += any(
                    resolve_sku("shopify", store_id, li["sku"], str(li["variant_id"])) is None
                    for li in o["line_items"]
                )
                a = o["shipping_address"]
                counts["unknown_regions"] += a["city"].strip().lower() not in places or (
                    a["province"] is not None and a["province"].lower() not in places
                )
                counts["unknown_carriers"] += any(
                    f["tracking_company"] not in pools.KNOWN_CARRIERS for f in o["fulfillments"]
                )
        else:
            sku_by_order = defaultdict(set)
            for oid, item in p.items():
                sku_by_order[oid].add((item["SellerSKU"], item["ASIN"]))
            for oid, o in latest.items():
                counts["unknown_statuses"] += o["OrderStatus"] not in pools.AMAZON_ORDER_STATUSES
                counts["unmapped_skus"] += any(
                    resolve_sku("amazon", store_id, sku, asin) is None for sku, asin in sku_by_order[oid]
                )
                a = o.get("ShippingAddress")
                counts["unknown_regions"] += bool(a) and (
                    a["City"].strip().lower() not in places or a["StateOrRegion"].lower() not in places
                )
        s = summary.stores[store_id]
        for kind in ("unknown_statuses", "unmapped_skus", "unknown_regions", "unknown_carriers"):
            assert counts[kind] == getattr(s, kind), (store_id, kind)
            found[kind] += counts[kind]
    t = summary.totals
    for kind in ("unknown_statuses", "unmapped_skus", "unknown_regions", "unknown_carriers"):
        assert found[kind] >= 1, kind
    assert t.duplicate_deliveries >= 1 and t.truncated_files >= 1
    assert all(n >= 1 for n in t.malformed_records.values()), t.malformed_records
    # both parsers meet every malformed kind
    for store_id in ("shopify-ksa", "amazon-sa"):
        assert all(n >= 1 for n in summary.stores[store_id].malformed_records.values()), store_id


def test_anomalies_stay_a_small_controlled_share(tmp_path):
    summary = generate(tmp_path, "scale", 5000, 11)
    t = summary.totals
    assert t.orders == 5000
    assert 0.01 <= t.anomalies / t.orders <= 0.02, summary.describe()


# --------------------------------------------------------------------------- shapes of the real APIs


def test_shopify_orders_have_the_admin_rest_shape_and_money_ties_out(demo):
    _summary, _root, parsed = demo
    checked = 0
    for p in parsed.values():
        if p.channel != "shopify":
            continue
        offset = OFFSETS[p.store["timezone"]]
        for name, records in p.pages:
            assert len(records) <= 250, name
        for o in p.valid:
            checked += 1
            assert isinstance(o["id"], int) and 0 < o["id"] < 2**63
            assert re.fullmatch(r"#[A-Z]*\d{4,}", o["name"]) and isinstance(o["order_number"], int)
            for key in ("created_at", "updated_at", "processed_at"):
                assert SHOPIFY_TIME.fullmatch(o[key]) and o[key].endswith(offset), (key, o[key])
            assert o["cancelled_at"] is None or SHOPIFY_TIME.fullmatch(o["cancelled_at"])
            assert o["updated_at"] >= o["created_at"]
            assert o["currency"] == p.store["currency"]
            for key in SHOPIFY_MONEY_FIELDS:
                assert isinstance(o[key], str) and MONEY.fullmatch(o[key]), key
            for key in SHOPIFY_SETS:
                assert o[key]["shop_money"]["currency_code"] == o["currency"]
                assert o[key]["presentment_money"]["currency_code"] == o["presentment_currency"]
                assert MONEY.fullmatch(o[key]["shop_money"]["amount"])
            assert o["financial_status"] in pools.SHOPIFY_FINANCIAL_STATUSES
            assert o["payment_gateway_names"] == [o["gateway"]]
            if o["gateway"] == pools.COD_GATEWAY:
                assert o["financial_status"] in ("pending", "paid", "voided")

            lines = o["line_items"]
            assert lines
            for li in lines:
                assert SHOPIFY_LINE_KEYS <= set(li)
                assert isinstance(li["id"], int) and isinstance(li["quantity"], int)
                assert MONEY.fullmatch(li["price"])
            a = o["shipping_address"]
            assert SHOPIFY_ADDRESS_KEYS <= set(a)
            assert re.fullmatch(r"[A-Z]{2}", a["country_code"])
            assert set(o["customer"]) >= {"id", "email", "phone"}
            for sl in o["shipping_lines"]:
                assert MONEY.fullmatch(sl["price"])
            if o["fulfillment_status"] in ("fulfilled", "partial"):
                assert o["fulfillments"]
                for f in o["fulfillments"]:
                    assert f["tracking_company"] and f["tracking_number"] and f["status"] == "success"

            # the money adds up, in shop currency and in presentment currency
            for side in ("shop_money", "presentment_money"):

                def amt(obj: dict, side: str = side) -> Decimal:
                    return Decimal(obj[side]["amount"])

                items = sum(amt(li["price_set"]) * li["quantity"] for li in lines)
                discount = amt(o["total_discounts_set"])
                shipping = sum(amt(sl["price_set"]) for sl in o["shipping_lines"])
                assert items == amt(o["total_line_items_price_set"])
                assert items - discount == amt(o["subtotal_price_set"])
                assert amt(o["subtotal_price_set"]) + shipping == amt(o["total_price_set"])
                assert amt(o["total_shipping_price_set"]) == shipping
                line_tax = sum(amt(t["price_set"]) for li in lines for t in li["tax_lines"])
                ship_tax = sum(amt(t["price_set"]) for sl in o["shipping_lines"] for t in sl["tax_lines"])
                assert line_tax + ship_tax == amt(o["total_tax_set"])
                allocated = sum(amt(d["amount_set"]) for li in lines for d in li["discount_allocations"])
                assert allocated == discount
    assert checked > 200


def test_amazon_orders_and_items_have_the_sp_api_shape_and_money_ties_out(demo):
    _summary, _root, parsed = demo
    checked = 0
    for p in parsed.values():
        if p.channel != "amazon":
            continue
        for name, records in p.pages:
            assert len(records) <= 100, name
        for name, records in p.pages:
            if name not in p.items_pages:
                continue  # the truncated re-delivery has no items file of its own
            items = {
                env["payload"]["AmazonOrderId"]: env["payload"]["OrderItems"] for env in p.items_pages[name]
            }
            for o in records:
                if not isinstance(o.get("AmazonOrderId"), str):
                    continue
                checked += 1
                assert re.fullmatch(r"\d{3}-\d{7}-\d{7}", o["AmazonOrderId"])
                assert AMAZON_TIME.fullmatch(o["PurchaseDate"]) and AMAZON_TIME.fullmatch(o["LastUpdateDate"])
                assert o["MarketplaceId"] == p.store["marketplace"]
                assert o["PaymentMethod"] in ("COD", "Other") and isinstance(o["PaymentMethodDetails"], list)
                assert o["FulfillmentChannel"] in ("AFN", "MFN")
                assert isinstance(o["IsPrime"], bool) and isinstance(o["NumberOfItemsShipped"], int)
                its = items[o["AmazonOrderId"]]
                for it in its:
                    assert AMAZON_ITEM_KEYS <= set(it)
                    assert it["IsGift"] in ("true", "false")
                if o["OrderStatus"] == "Pending":
                    assert "OrderTotal" not in o and "ShippingAddress" not in o
                    assert all("ItemPrice" not in it for it in its)
                    continue
                if o["OrderStatus"] in ("Unshipped", "Shipped"):
                    a = o["ShippingAddress"]
                    assert {"Name", "AddressLine1", "City", "StateOrRegion", "CountryCode"} <= set(a)
                    assert ("Phone" in a) == (o["FulfillmentChannel"] == "MFN")
                if "OrderTotal" not in o:
                    continue
                total = o["OrderTotal"]
                assert total["CurrencyCode"] == p.store["currency"] and isinstance(total["Amount"], str)
                assert MONEY.fullmatch(total["Amount"])
                summed = Decimal(0)
                for it in its:
                    for key in ("ItemPrice", "ItemTax", "ShippingPrice", "PromotionDiscount"):
                        assert isinstance(it[key]["Amount"], str) and MONEY.fullmatch(it[key]["Amount"])
                    summed += (
                        Decimal(it["ItemPrice"]["Amount"])
                        + Decimal(it["ShippingPrice"]["Amount"])
                        - Decimal(it["PromotionDiscount"]["Amount"])
                    )
                    product = pools.CATALOGUE_BY_SKU.get(it["SellerSKU"])
                    if product:  # ItemPrice is the unit price times the quantity
                        unit = Decimal(pools.price_minor(product, total["CurrencyCode"])) / 100
                        assert Decimal(it["ItemPrice"]["Amount"]) == unit * it["QuantityOrdered"]
                    if o["PaymentMethod"] == "COD":
                        assert "CODFee" in it
                assert summed == Decimal(total["Amount"])
    assert checked > 150


# --------------------------------------------------------------------------- the business it looks like


def test_the_data_looks_like_a_cross_border_seller(demo):
    summary, _root, parsed = demo
    gulf = [summary.stores[s] for s in ("shopify-ksa", "shopify-uae", "amazon-sa", "amazon-ae")]
    cod_share = sum(s.cod_orders for s in gulf) / sum(s.orders for s in gulf)
    assert 0.55 <= cod_share <= 0.75, cod_share
    sea = summary.stores["shopify-sea"]
    assert sea.cod_orders / sea.orders < cod_share  # cards and wallets dominate in South-East Asia

    currencies, text, phones = set(), [], []
    versions = defaultdict(list)
    created = []
    for p in parsed.values():
        for o in p.valid:
            versions[(p.store["store_id"], p.key(o))].append(o)
            if p.channel == "shopify":
                currencies.add(o["presentment_currency"])
                a = o["shipping_address"]
                text += [a["name"], a["address1"], a["city"]]
                phones.append(a["phone"] or "")
                created.append(datetime.fromisoformat(o["created_at"]))
            else:
                currencies.add(o.get("OrderTotal", {}).get("CurrencyCode", p.store["currency"]))
                if "ShippingAddress" in o:
                    text += [o["ShippingAddress"]["Name"], o["ShippingAddress"]["City"]]
                    phones.append(o["ShippingAddress"].get("Phone", ""))
                created.append(datetime.fromisoformat(o["PurchaseDate"]))
    assert {"SAR", "AED", "MYR", "THB", "SGD"} <= currencies
    assert any(ARABIC.search(t) for t in text) and any(THAI.search(t) for t in text)
    assert any(t.isascii() for t in text)
    assert any("*" in ph for ph in phones), "some phones are masked"
    assert any(ph.startswith("+") for ph in phones) and any(ph.startswith("0") for ph in phones)

    # several versions of some orders: a later update with a new status
    multi = [vs for vs in versions.values() if len({_canonical(v) for v in vs}) > 1]
    assert len(multi) > ORDERS / 3
    statuses = set()
    for vs in multi:
        ordered = sorted(vs, key=lambda v: v.get("updated_at") or v["LastUpdateDate"])
        first, last = ordered[0], ordered[-1]
        statuses.add(
            (
                first.get("fulfillment_status", first.get("OrderStatus")),
                last.get("fulfillment_status", last.get("OrderStatus")),
            )
        )
    assert {(None, "fulfilled"), ("Unshipped", "Shipped")} <= statuses
    cancelled = [
        v
        for vs in versions.values()
        for v in vs
        if v.get("cancelled_at") or v.get("OrderStatus") == "Canceled"
    ]
    assert cancelled

    # about sixty days before the anchor, never after it
    anchor = datetime.fromisoformat(summary.anchor)
    span = (max(created) - min(created)).days
    assert 50 <= span <= 60 and max(created) < anchor

    catalogue = pools.CATALOGUE
    assert 180 <= len(catalogue) <= 220 and sum(p.is_bundle for p in catalogue) >= 10
    assert len({p.sku for p in catalogue}) == len(catalogue)


def test_files_are_ordered_for_incremental_landing(demo):
    """File names sort by sync time, so landing them in name order replays the syncs in order."""
    _summary, _root, parsed = demo
    for p in parsed.values():
        last_seen: dict[str, datetime] = {}
        for name, records in p.pages:
            for o in records:
                if not isinstance(o.get("id", o.get("AmazonOrderId")), int | str):
                    continue
                k, t = p.key(o), p.updated(o)
                if "resend" not in name:
                    assert t >= last_seen.get(k, t), (name, k)
                    last_seen[k] = t


def test_the_payload_hash_of_a_redelivery_equals_the_original(demo):
    """Duplicates are byte-identical, so any canonical hash (orjson, sorted keys) treats them as one."""
    _summary, _root, parsed = demo
    p = parsed["shopify-ksa"]
    by_key = defaultdict(set)
    for o in p.valid:
        by_key[p.key(o)].add(hashlib.sha256(_canonical(o).encode()).hexdigest())
    assert sum(len(h) for h in by_key.values()) == p.distinct_payloads()

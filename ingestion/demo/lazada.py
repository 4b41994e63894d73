"""Lazada demo data: ``/orders/get`` pages and ``/orders/items/get`` responses for one Thai seller
(``lazada-th``, THB, Asia/Bangkok).

``write_store(root, tenant_id, orders, seed, anchor)`` writes ``<root>/<tenant>/lazada/lazada-th/``:
per page of up to 100 order versions (sorted by ``updated_at``), an ``orders`` file and an
``items`` file beside it, as the connector fetches them. Lazada's quirks are kept: ``price`` and
fees as strings, item prices as numbers, times as ISO-8601 with ``+07:00``, ``country`` as the full
name ``"Thailand"``, Thai names and addresses, a masked ``phone2``, ``payment_method: "COD"``, and
``countTotal`` as a string. One planted bad record (an order whose ``updated_at`` lost its offset)
is written when ``orders >= 20``.

Deterministic: same arguments, same bytes.
"""

from __future__ import annotations

import time
from pathlib import Path
from random import Random

import orjson

from ingestion.demo import pools
from ingestion.demo.catalog import lazada_shop_sku
from ingestion.demo.common import DAY, HOUR, SPAN_DAYS, money, stable_key, stamp
from ingestion.demo.context import pick_product
from ingestion.demo.people import buyer

STORE_ID = "lazada-th"
CHANNEL = "lazada"
CURRENCY = "THB"
TIMEZONE = "Asia/Bangkok"
OFFSET_S = 7 * HOUR
COD_SHARE = 0.55
PAGE = 100
STAGES = ("pending", "ready_to_ship", "shipped", "delivered")


def store_record(tenant_id: str, tenant_name: str) -> dict[str, str | None]:
    """The stores.json entry for the demo seller."""
    return {
        "store_id": STORE_ID,
        "channel": CHANNEL,
        "name": f"{tenant_name} TH (Lazada)",
        "marketplace": "TH",
        "timezone": TIMEZONE,
        "currency": CURRENCY,
    }


def _iso(epoch: int) -> str:
    """``2025-03-01T17:22:05+07:00``: a Lazada time in Bangkok."""
    return stamp_iso(epoch + OFFSET_S) + "+07:00"


def stamp_iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch))


def _order(tenant_id: str, seed: int, idx: int, created: int, stage: int) -> tuple[dict, list[dict], int]:
    """Order ``idx`` at ``stage`` (index into STAGES), its items, and its update time."""
    rng = Random(stable_key(tenant_id, seed, STORE_ID, idx))
    b = buyer(stable_key(tenant_id, seed, STORE_ID, "buyers"), "TH", int(rng.random() * 500), email_share=0.0)
    cod = rng.random() < COD_SHARE
    order_id = 400_000_000_000_000 + stable_key(tenant_id, seed, STORE_ID, "id", idx) % 10**14
    times = [created]
    for gap in (0.2 + rng.random(), 0.5 + rng.random() * 2, 1 + rng.random() * 3):
        times.append(times[-1] + int(gap * DAY))
    status = STAGES[stage]
    lines = []
    for j in range(1 if rng.random() < 0.75 else 2):
        product = pick_product(rng)
        price = pools.price_minor(product, CURRENCY)
        lines.append((product, price, j))
    items_total = sum(p for _prod, p, _j in lines)
    shipping = 0 if items_total >= pools.FREE_SHIPPING_OVER[CURRENCY] else 4000
    tracking = f"TH{rng.getrandbits(40):012d}"[:14]
    phone2 = f"{b.nsn[0]}****{b.nsn[-2:]}"
    order = {
        "order_id": order_id,
        "order_number": order_id,
        "created_at": _iso(created),
        "updated_at": _iso(times[stage]),
        "price": money(items_total),
        "payment_method": "COD" if cod else ("MIXEDCARD" if rng.random() < 0.5 else "PROMPTPAY"),
        "items_count": len(lines),
        "statuses": [status],
        "customer_first_name": b.first_name,
        "customer_last_name": b.last_name,
        "shipping_fee": money(shipping),
        "shipping_fee_original": money(shipping),
        "shipping_fee_discount_seller": "0.00",
        "shipping_fee_discount_platform": "0.00",
        "voucher": "0.00",
        "voucher_seller": "0.00",
        "voucher_platform": "0.00",
        "gift_option": False,
        "remarks": "",
        "warehouse_code": "dropshipping",
        "address_shipping": {
            "first_name": b.name,
            "last_name": "",
            "phone": b.phone,
            "phone2": phone2,
            "address1": b.address1,
            "address2": "",
            "address3": b.region,
            "address4": b.city.strip(),
            "address5": b.district,
            "city": b.city.strip(),
            "post_code": b.zip or "",
            "country": pools.COUNTRY_NAMES["TH"],
        },
    }
    items = []
    for product, price, j in lines:
        items.append(
            {
                "order_id": order_id,
                "order_item_id": order_id * 10 + j + 1,
                "sku": product.sku,
                "shop_sku": lazada_shop_sku(product),
                "name": product.title,
                "variation": product.variant_title or "",
                "item_price": price / 100,
                "paid_price": price / 100,
                "currency": CURRENCY,
                "status": status,
                "tracking_code": tracking if stage >= 2 else "",
                "shipment_provider": "Kerry Express" if stage >= 2 else "",
                "shipping_type": "Dropshipping",
                "is_fbl": 0,
                "shipping_amount": shipping / 100 if j == 0 else 0.0,
                "tax_amount": 0.0,
                "voucher_amount": 0.0,
                "created_at": _iso(created),
                "updated_at": _iso(times[stage]),
            }
        )
    return order, items, times[stage]


def write_store(root: Path, tenant_id: str, orders: int, seed: int, anchor: int) -> dict[str, int]:
    """Write the seller's files under ``root/<tenant>/lazada/lazada-th``; return what was written."""
    folder = Path(root) / tenant_id / CHANNEL / STORE_ID
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    start = anchor - SPAN_DAYS * DAY
    rng = Random(stable_key(tenant_id, seed, STORE_ID, "created"))
    created = sorted(start + int(rng.random() * (SPAN_DAYS * DAY - 6 * HOUR)) for _ in range(orders))
    versions: list[tuple[int, dict, list[dict]]] = []
    cod = 0
    for idx, t in enumerate(created):
        for stage in range(len(STAGES)):
            order, items, updated = _order(tenant_id, seed, idx, t, stage)
            if updated >= anchor:
                break
            versions.append((updated, order, items))
        cod += int(order["payment_method"] == "COD")
    versions.sort(key=lambda v: (v[0], v[1]["order_id"]))
    stats = {
        "orders": orders,
        "order_versions": len(versions),
        "item_versions": sum(len(v[2]) for v in versions),
        "cod_orders": cod,
        "files": 0,
        "planted_rejects": 0,
    }
    total = str(len(versions))
    for n in range(0, len(versions), PAGE):
        chunk = versions[n : n + PAGE]
        page_orders = [o for _t, o, _i in chunk]
        if n == 0 and orders >= 20:  # one planted bad record: a time that lost its offset
            bad = dict(page_orders[0], updated_at=page_orders[0]["updated_at"][:19])
            page_orders.insert(1, bad)
            stats["planted_rejects"] += 1
        request_id = f"{stable_key(tenant_id, seed, STORE_ID, n):016x}"
        ts = stamp(chunk[-1][0])
        body = {
            "code": "0",
            "data": {"count": str(len(chunk)), "countTotal": total, "orders": page_orders},
            "request_id": request_id,
        }
        (folder / f"{ts}-orders-{n // PAGE + 1:04d}.json").write_bytes(orjson.dumps(body))
        groups = [
            {"order_id": o["order_id"], "order_number": o["order_number"], "order_items": i}
            for _t, o, i in chunk
        ]
        items_body = {"code": "0", "data": groups, "request_id": request_id + "i"}
        (folder / f"{ts}-order_items-{n // PAGE + 1:04d}.json").write_bytes(orjson.dumps(items_body))
        stats["files"] += 2
    return stats


__all__ = ["CHANNEL", "STORE_ID", "store_record", "write_store"]

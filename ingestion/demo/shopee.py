"""Shopee demo data: ``get_order_detail`` responses for one Malaysian shop (``shopee-my``, MYR).

``write_store(root, tenant_id, orders, seed, anchor)`` writes ``<root>/<tenant>/shopee/shopee-my/``
as a sync would have fetched it: one detail response per 50 orders, each day's new orders and then
the day's status updates (an order seen again with a newer ``update_time`` is a new version).
Shopee's quirks are kept: ``total_amount`` a number, unix-second times, ``cod`` a bool, masked
buyer names and phones once an order is completed, Malay addresses. One planted bad record (an
order without ``order_sn``) is written when ``orders >= 20``; everything else parses cleanly.

Deterministic: same arguments, same bytes (every draw from a seed derived from tenant, seed and order).
"""

from __future__ import annotations

from pathlib import Path
from random import Random

import orjson

from ingestion.demo import pools
from ingestion.demo.common import DAY, HOUR, SPAN_DAYS, stable_key, stamp
from ingestion.demo.context import pick_product
from ingestion.demo.people import buyer

STORE_ID = "shopee-my"
CHANNEL = "shopee"
CURRENCY = "MYR"
TIMEZONE = "Asia/Kuala_Lumpur"
COD_SHARE = 0.35
PER_FILE = 50
CARRIERS = ("SPX Express (West Malaysia)", "J&T Express", "Ninja Van", "Pos Laju")


def store_record(tenant_id: str, tenant_name: str) -> dict[str, str | None]:
    """The stores.json entry for the demo shop."""
    return {
        "store_id": STORE_ID,
        "channel": CHANNEL,
        "name": f"{tenant_name} MY (Shopee)",
        "marketplace": "MY",
        "timezone": TIMEZONE,
        "currency": CURRENCY,
    }


def _mask(text: str) -> str:
    """Shopee's masking: first and last character kept (``"P******n"``)."""
    text = text.strip()
    return f"{text[0]}******{text[-1]}" if len(text) > 2 else "******"


def _order(tenant_id: str, seed: int, idx: int, created: int, stage: int) -> tuple[dict, int]:
    """Order ``idx`` at lifecycle ``stage`` (0 new, 1 shipped, 2 completed) and its update time."""
    rng = Random(stable_key(tenant_id, seed, STORE_ID, idx))
    b = buyer(stable_key(tenant_id, seed, STORE_ID, "buyers"), "MY", int(rng.random() * 400), email_share=0.0)
    cod = rng.random() < COD_SHARE
    n_lines = 1 if rng.random() < 0.8 else 2
    lines = []
    for j in range(n_lines):
        product = pick_product(rng)
        qty = 1 if rng.random() < 0.85 else 2
        price = pools.price_minor(product, CURRENCY) / 100
        lines.append(
            {
                "item_id": 20_000_000_000 + product.product_id % 10**9,
                "item_name": product.title,
                "item_sku": product.sku,
                "model_id": product.variant_id % 10**10,
                "model_name": product.variant_title or "",
                "model_sku": product.sku,
                "model_quantity_purchased": qty,
                "model_original_price": price,
                "model_discounted_price": price,
                "weight": round(product.grams / 1000, 2),
                "order_item_id": 10 + j,
                "promotion_type": "",
            }
        )
    items_total = sum(ln["model_discounted_price"] * ln["model_quantity_purchased"] for ln in lines)
    shipping = 4.9 if items_total < 150 else 0.0
    times = [
        created,
        created + int((0.5 + rng.random() * 2) * DAY),
        created + int((4 + rng.random() * 4) * DAY),
    ]
    status = ("READY_TO_SHIP", "SHIPPED", "COMPLETED")[stage]
    carrier = CARRIERS[int(rng.random() * len(CARRIERS))]
    sn = f"{_ymd(created)}{rng.getrandbits(40):010X}"[:14]
    name, phone, address = b.name, b.phone, f"{b.address1}, {b.city}"
    if stage == 2:  # Shopee masks the buyer's PII once an order is completed
        name, phone, address = _mask(b.name), "******" + b.nsn[-2:], address[:3] + "******"
    order = {
        "order_sn": sn,
        "region": "MY",
        "currency": CURRENCY,
        "cod": cod,
        "total_amount": round(items_total + shipping, 2),
        "order_status": status,
        "shipping_carrier": carrier,
        "checkout_shipping_carrier": carrier,
        "payment_method": "Cash on Delivery"
        if cod
        else ("Online Banking" if rng.random() < 0.6 else "Credit Card"),
        "estimated_shipping_fee": shipping,
        "actual_shipping_fee": shipping if stage else 0,
        "message_to_seller": "",
        "create_time": created,
        "update_time": times[stage],
        "days_to_ship": 2,
        "ship_by_date": created + 2 * DAY,
        "pay_time": 0 if cod and stage < 2 else created + 120,
        "pickup_done_time": times[1] if stage else 0,
        "buyer_user_id": 100_000_000 + int(rng.random() * 9 * 10**8),
        "buyer_username": _mask(b.first_name.lower() + "88"),
        "fulfillment_flag": "fulfilled_by_local_seller",
        "note": "",
        "split_up": False,
        "cancel_by": "",
        "cancel_reason": "",
        "recipient_address": {
            "name": name,
            "phone": phone,
            "town": "",
            "district": b.district,
            "city": b.city.strip(),
            "state": b.region,
            "region": "MY",
            "zipcode": b.zip or "",
            "full_address": address,
        },
        "item_list": lines,
        "package_list": [
            {
                "package_number": f"OFG{rng.getrandbits(32):010d}",
                "logistics_status": ("LOGISTICS_READY", "LOGISTICS_PICKUP_DONE", "LOGISTICS_DELIVERY_DONE")[
                    stage
                ],
                "shipping_carrier": carrier,
                "item_list": [{"item_id": ln["item_id"], "model_id": ln["model_id"]} for ln in lines],
            }
        ],
    }
    return order, times[stage]


def _ymd(epoch: int) -> str:
    return stamp(epoch)[2:8]


def write_store(root: Path, tenant_id: str, orders: int, seed: int, anchor: int) -> dict[str, int]:
    """Write the shop's files under ``root/<tenant>/shopee/shopee-my``; return what was written."""
    folder = Path(root) / tenant_id / CHANNEL / STORE_ID
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    start = anchor - SPAN_DAYS * DAY
    rng = Random(stable_key(tenant_id, seed, STORE_ID, "created"))
    created = sorted(start + int(rng.random() * (SPAN_DAYS * DAY - 6 * HOUR)) for _ in range(orders))
    versions: list[tuple[int, dict]] = []
    cod = 0
    for idx, t in enumerate(created):
        for stage in range(3):
            order, updated = _order(tenant_id, seed, idx, t, stage)
            if updated >= anchor:
                break
            versions.append((updated, order))
        cod += int(order["cod"])
    versions.sort(key=lambda v: (v[0], v[1]["order_sn"]))
    stats = {
        "orders": orders,
        "order_versions": len(versions),
        "cod_orders": cod,
        "files": 0,
        "planted_rejects": 0,
    }
    for n in range(0, len(versions), PER_FILE):
        chunk = [o for _t, o in versions[n : n + PER_FILE]]
        if n == 0 and orders >= 20:  # one planted bad record: an order that lost its order_sn
            bad = dict(chunk[0])
            del bad["order_sn"]
            chunk.insert(1, bad)
            stats["planted_rejects"] += 1
        body = {
            "error": "",
            "message": "",
            "request_id": f"{stable_key(tenant_id, seed, n):016x}",
            "response": {"order_list": chunk},
        }
        last = versions[min(n + PER_FILE, len(versions)) - 1][0]
        name = f"{stamp(last)}-get_order_detail-{n // PER_FILE + 1:04d}.json"
        (folder / name).write_bytes(orjson.dumps(body))
        stats["files"] += 1
    return stats


__all__ = ["CHANNEL", "STORE_ID", "store_record", "write_store"]

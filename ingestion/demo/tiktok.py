"""TikTok Shop demo store ``tiktok-th`` (THB, Asia/Bangkok): order search responses, API 202309.

Each sync window becomes ``<ts>-orders-search-pNNN.json`` files shaped like ``POST
/order/202309/orders/search`` (``{"code": 0, "data": {"orders", "next_page_token",
"total_count"}}``, up to 100 orders a page). The quirks of SOURCES.md 1.5: ``line_items`` has one
entry per unit (a quantity-2 purchase is two entries with the same ``sku_id``), money are decimal
strings in ``payment``, times unix seconds, Thai names in ``*_local_script`` with a masked phone,
``district_info[]`` levels. COD is common; a few orders are cancelled; statuses move
AWAITING_SHIPMENT -> AWAITING_COLLECTION -> IN_TRANSIT -> DELIVERED -> COMPLETED. With enough
orders, one planted record lacks its ``id`` (a reject) and one status is unknown to the status map.

``write_store(ctx, folder)`` is the entry point (``ingestion.demo`` calls it for ``SPEC``).
"""

from __future__ import annotations

from pathlib import Path
from random import Random

import orjson

from ingestion.demo import pools
from ingestion.demo.common import DAY, HOUR, Destination, StoreSpec, money, stable_key, stamp
from ingestion.demo.context import F_COD, F_UNKNOWN_STATUS, F_UNMAPPED_SKU, StoreContext, pick_product
from ingestion.demo.people import buyer, mask_phone
from ingestion.demo.summary import StoreStats
from ingestion.demo.timeline import Plan, emitted_stages, windows
from ingestion.demo.writer import _publish

PAGE_LIMIT = 100
STATUS = {
    "unpaid": "UNPAID",
    "awaiting_shipment": "AWAITING_SHIPMENT",
    "awaiting_collection": "AWAITING_COLLECTION",
    "in_transit": "IN_TRANSIT",
    "delivered": "DELIVERED",
    "completed": "COMPLETED",
    "cancelled": "CANCELLED",
    "unknown": "AWAITING_PICKUP_CONFIRM",  # not in the status map: the unknown-status anomaly
}
SHIPPING_FEE = 4000  # THB 40.00
FREE_OVER = 49900


SPEC = StoreSpec(
    "tiktok-th",
    "tiktok",
    "TH",
    "TH",
    "Asia/Bangkok",
    420,
    "THB",
    0.08,
    (Destination("TH", 1.0, (("THB", 1.0),), 0.55),),
    display="TikTok Shop",
)


def plan(ctx: StoreContext, idx: int) -> Plan:
    rng = ctx.rng(idx)
    created = ctx.created(idx, rng.random())
    cod = rng.random() < ctx.spec.destinations[0].cod_share
    x = rng.random()
    n_lines = 1 if x < 0.75 else 2
    flags = ctx.anomaly_flags(rng, idx, carrier_applies=False) | (F_COD if cod else 0)
    r, d1, d2, d3 = rng.random(), rng.random(), rng.random(), rng.random()
    times: dict[str, int] = {}
    t = created
    if not cod:
        times["unpaid"] = t
        t += int(60 + d1 * 20 * 60)
    times["awaiting_shipment"] = t
    if flags & F_UNKNOWN_STATUS:
        times["unknown"] = t + int(6 * HOUR + d2 * DAY)
    elif r < 0.05:
        times["cancelled"] = t + int(HOUR + d2 * DAY)
    else:
        t += int(8 * HOUR + d2 * 30 * HOUR)
        times["awaiting_collection"] = t
        t += int(2 * HOUR + d3 * 10 * HOUR)
        times["in_transit"] = t
        t += int(DAY + d1 * 3 * DAY)
        times["delivered"] = t
        times["completed"] = t + 3 * DAY
    emitted = emitted_stages(times, ctx.anchor, ctx.start, ctx.window_s)
    if emitted[-1] != "unknown":
        flags &= ~F_UNKNOWN_STATUS
    return Plan(idx, created, times, emitted, flags, 0, n_lines)


def render(ctx: StoreContext, idx: int, stage: str) -> dict:
    """The order as TikTok's search returns it at ``stage``."""
    p = plan(ctx, idx)
    rng = Random(stable_key(ctx.order_key, idx, "tiktok-render"))
    b = buyer(ctx.customer_keys["TH"], "TH", ctx.customer_index(rng, "TH"), email_share=0.0)
    order_id = f"5764{(ctx.id_base * 1000 + idx) % 10**14:014d}"
    cod = bool(p.flags & F_COD)
    status = STATUS[stage]
    lines, seen = [], set()
    for j in range(p.n_lines):
        product = pick_product(rng)
        while product.sku in seen:
            product = pick_product(rng)
        seen.add(product.sku)
        qty = 1 if rng.random() < 0.7 else 2
        sku = product.sku
        if p.flags & F_UNMAPPED_SKU and j == 0:
            sku = f"TT-{product.sku}-OLD"
        lines.append((product, qty, sku, f"17295827{stable_key(product.sku) % 10**11:011d}"))
    unit = [pools.price_minor(pr, "THB") for pr, *_ in lines]
    discounts = [round(u * 0.05) if rng.random() < 0.3 else 0 for u in unit]
    items = sum((u - d) * q for u, d, (_p, q, *_r) in zip(unit, discounts, lines, strict=True))
    seller_discount = sum(d * q for d, (_p, q, *_r) in zip(discounts, lines, strict=True))
    original = sum(u * q for u, (_p, q, *_r) in zip(unit, lines, strict=True))
    shipping = 0 if items >= FREE_OVER else SHIPPING_FEE
    tax = pools.TAX_RATES["TH"]
    vat = round((items + shipping) * tax / (1 + tax))
    phone = mask_phone(rng, "TH", b.nsn)
    local_name = not b.latin
    first, last = b.first_name, b.last_name
    line_items = []
    unit_no = 0
    shipped = stage in ("in_transit", "delivered", "completed", "awaiting_collection")
    tracking = f"TH{stable_key(order_id) % 10**11:011d}" if shipped else ""
    carrier = pools.CARRIERS["TH"][stable_key(order_id, "c") % len(pools.CARRIERS["TH"])]
    for (product, qty, sku, sku_id), u, d in zip(lines, unit, discounts, strict=True):
        for _ in range(qty):  # one entry per unit
            unit_no += 1
            line_items.append(
                {
                    "id": f"{order_id[:-2]}{unit_no:02d}",
                    "sku_id": sku_id,
                    "seller_sku": sku,
                    "product_id": f"17295827{product.product_id % 10**10:010d}",
                    "product_name": product.title,
                    "sku_name": product.variant_title or "Default",
                    "original_price": money(u),
                    "sale_price": money(u - d),
                    "seller_discount": money(d),
                    "platform_discount": "0.00",
                    "currency": "THB",
                    "package_id": f"11531321{stable_key(order_id, 'pkg') % 10**10:010d}",
                    "tracking_number": tracking,
                    "shipping_provider_name": carrier,
                    "display_status": status,
                    "is_gift": False,
                }
            )
    t_stage = p.times[stage]
    address = {
        "name": f"{first} {last}",
        "phone_number": f"(+66){phone[-2:].rjust(8, '*')}" if rng.random() < 0.5 else phone,
        "full_address": f"{b.address1}, {b.district}, {b.city.strip()}, {b.zip or ''}".rstrip(", "),
        "address_detail": b.address1,
        "address_line1": b.address1,
        "address_line2": "",
        "postal_code": b.zip or "",
        "region_code": "TH",
        "district_info": [
            {"address_level": "L0", "address_level_name": "Country", "address_name": "Thailand"},
            {"address_level": "L1", "address_level_name": "Province", "address_name": b.region},
            {"address_level": "L2", "address_level_name": "District", "address_name": b.district},
        ],
    }
    if local_name:
        address.update(first_name_local_script=first, last_name_local_script=last)
    else:
        address.update(first_name=first, last_name=last)
    order = {
        "id": order_id,
        "status": status,
        "create_time": p.created,
        "update_time": t_stage,
        "is_cod": cod,
        "payment_method_name": "Cash on delivery"
        if cod
        else ("TrueMoney Wallet" if idx % 2 else "Credit card"),
        "user_id": f"749418{stable_key(ctx.customer_keys['TH'], b.customer_index) % 10**13:013d}",
        "fulfillment_type": "FULFILLMENT_BY_SELLER",
        "delivery_option_name": "Standard shipping",
        "is_on_hold_order": False,
        "payment": {
            "currency": "THB",
            "sub_total": money(items),
            "shipping_fee": money(shipping),
            "seller_discount": money(seller_discount),
            "platform_discount": "0.00",
            "tax": money(vat),
            "total_amount": money(items + shipping),
            "original_total_product_price": money(original),
            "original_shipping_fee": money(shipping),
        },
        "recipient_address": address,
        "line_items": line_items,
    }
    if not cod and stage != "unpaid":
        order["paid_time"] = p.times["awaiting_shipment"]
    if shipped:
        order.update(
            shipping_provider=carrier, tracking_number=tracking, rts_time=p.times["awaiting_collection"]
        )
    if stage == "cancelled":
        order.update(cancel_reason="Buyer changed mind", cancellation_initiator="BUYER", cancel_time=t_stage)
    return order


def write_store(ctx: StoreContext, folder: Path) -> StoreStats:
    """Write the store's search-response pages into ``folder``; return what was written."""
    stats = StoreStats(store_id=ctx.spec.store_id, channel=ctx.spec.channel)
    malformed_done = not ctx.forced

    def plan_of(idx: int) -> Plan:
        p = plan(ctx, idx)
        stats.orders += 1
        stats.cod_orders += int(bool(p.flags & F_COD))
        stats.unmapped_skus += int(bool(p.flags & F_UNMAPPED_SKU))
        stats.unknown_statuses += int(p.emitted[-1] == "unknown")
        return p

    for window_end, events in windows(ctx.n, ctx.start, ctx.anchor, ctx.window_s, plan_of):
        orders = [render(ctx, idx, stage) for _t, idx, stage in events]
        bodies = [orjson.dumps(o) for o in orders]
        stats.order_versions += len(bodies)
        if not malformed_done and stats.order_versions > 10:
            bad = dict(orders[0])
            del bad["id"]
            bodies.insert(0, orjson.dumps(bad))
            stats.malformed_records["missing_id"] += 1
            malformed_done = True
        chunks = [bodies[i : i + PAGE_LIMIT] for i in range(0, len(bodies), PAGE_LIMIT)]
        for n, chunk in enumerate(chunks, start=1):
            token = f"{stable_key(ctx.order_key, window_end, n):x}" if n < len(chunks) else ""
            head = orjson.dumps(
                {"code": 0, "message": "Success", "request_id": f"{stable_key(window_end, n):020d}"}
            )[:-1]
            data = orjson.dumps({"next_page_token": token, "total_count": len(bodies)})[:-1]
            body = head + b',"data":' + data + b',"orders":[' + b",".join(chunk) + b"]}}"
            _publish(folder / f"{stamp(window_end)}-orders-search-p{n:03d}.json", body)
            stats.files += 1
    return stats

"""WooCommerce demo store ``woo-ae`` (AED, Asia/Dubai): REST v3 order list pages.

Each sync window becomes ``<ts>-orders-pNNN.json`` files: JSON arrays of up to 100 orders, as
``GET /wp-json/wc/v3/orders`` answers. The quirks of SOURCES.md 1.6: ``date_created`` and
``date_modified`` in the shop's local time without an offset, ``*_gmt`` twins without ``Z``,
totals as strings but a line's ``price`` as a number, ``payment_method: "cod"``, ``state`` as a
code (``DU``) or a name (``Dubai``), ``meta_data`` entries. Statuses move pending -> processing ->
completed (COD orders start at processing), a few are cancelled. With enough orders one planted
record has its ``id`` as a string object (a reject). About 1% of prepaid orders are priced in GBP by
the store's multi-currency plugin (``pools.UNPRICED_CURRENCY``, which the FX seed lacks: the
"missing FX rate" anomaly; from 20 orders on, order 5 of the store always is).

``write_store(ctx, folder)`` is the entry point (``ingestion.demo`` calls it for ``SPEC``).
"""

from __future__ import annotations

from pathlib import Path
from random import Random

import orjson

from ingestion.demo import pools
from ingestion.demo.catalog import webshop_sku
from ingestion.demo.common import DAY, HOUR, Destination, StoreSpec, money, stable_key, stamp
from ingestion.demo.context import (
    F_COD,
    F_FOREIGN_CURRENCY,
    F_UNKNOWN_STATUS,
    F_UNMAPPED_SKU,
    StoreContext,
    pick_product,
)
from ingestion.demo.people import buyer
from ingestion.demo.summary import StoreStats
from ingestion.demo.timeline import Plan, emitted_stages, windows
from ingestion.demo.writer import _publish

PAGE_LIMIT = 100
STATUS = {
    "pending": "pending",
    "processing": "processing",
    "completed": "completed",
    "cancelled": "cancelled",
    "unknown": "wc-ready-to-ship",  # a custom status plugin's slug: unknown to the status map
}
STATE_CODES = {"Dubai": "DU", "Abu Dhabi": "AZ", "Sharjah": "SH", "Ajman": "AJ"}
SHIPPING_FEE = {"AED": 1500, "GBP": 400}
FREE_OVER = {"AED": 20000, "GBP": 5000}


SPEC = StoreSpec(
    "woo-ae",
    "woocommerce",
    "AE web",
    "shop.example.ae",
    "Asia/Dubai",
    240,
    "AED",
    0.06,
    (Destination("AE", 1.0, (("AED", 1.0),), 0.6),),
    display="WooCommerce",
)


def plan(ctx: StoreContext, idx: int) -> Plan:
    rng = ctx.rng(idx)
    created = ctx.created(idx, rng.random())
    cod = rng.random() < ctx.spec.destinations[0].cod_share
    n_lines = 1 if rng.random() < 0.7 else 2
    flags = ctx.anomaly_flags(rng, idx, carrier_applies=False) | (F_COD if cod else 0)
    r, d1, d2 = rng.random(), rng.random(), rng.random()
    if not cod and (stable_key(ctx.order_key, idx, "fx") % 100 == 0 or (ctx.n >= 20 and idx == 5)):
        flags |= F_FOREIGN_CURRENCY
    times: dict[str, int] = {}
    t = created
    if not cod:
        times["pending"] = t
        t += int(30 + d1 * 600)
    times["processing"] = t
    if flags & F_UNKNOWN_STATUS:
        times["unknown"] = t + int(4 * HOUR + d2 * DAY)
    elif r < 0.06:
        times["cancelled"] = t + int(HOUR + d2 * DAY)
    else:
        times["completed"] = t + int(DAY + d2 * 4 * DAY)
    emitted = emitted_stages(times, ctx.anchor, ctx.start, ctx.window_s)
    if emitted[-1] != "unknown":
        flags &= ~F_UNKNOWN_STATUS
    return Plan(idx, created, times, emitted, flags, 0, n_lines)


def _local(epoch: int, offset_min: int) -> str:
    from ingestion.demo.common import iso_utc

    return iso_utc(epoch + offset_min * 60)[:-1]  # no offset, no Z: the way WooCommerce writes it


def render(ctx: StoreContext, idx: int, stage: str) -> dict:
    p = plan(ctx, idx)
    rng = Random(stable_key(ctx.order_key, idx, "woo-render"))
    b = buyer(ctx.customer_keys["AE"], "AE", ctx.customer_index(rng, "AE"), email_share=0.9)
    off = ctx.spec.utc_offset_min
    order_id = 1000 + idx
    cod = bool(p.flags & F_COD)
    lines, seen = [], set()
    for j in range(p.n_lines):
        product = pick_product(rng)
        while product.sku in seen:
            product = pick_product(rng)
        seen.add(product.sku)
        qty = 1 if rng.random() < 0.8 else 2
        # the listing's SKU (catalog.webshop_sku: some still carry the SKU from before the
        # renumbering), or a SKU the catalogue lacks on a planted unmapped-SKU order
        sku = webshop_sku(product) if not (p.flags & F_UNMAPPED_SKU and j == 0) else f"{product.sku}-V2"
        lines.append((product, qty, sku))
    currency = pools.UNPRICED_CURRENCY if p.flags & F_FOREIGN_CURRENCY else "AED"
    unit = [pools.price_minor(pr, currency) for pr, _q, _s in lines]
    items = sum(u * q for u, (_p, q, _s) in zip(unit, lines, strict=True))
    coupon = round(items * 0.1) if rng.random() < 0.15 else 0
    shipping = 0 if items >= FREE_OVER[currency] else SHIPPING_FEE[currency]
    total = items - coupon + shipping
    state = b.region if rng.random() < 0.5 else STATE_CODES.get(b.place.city, b.region)
    t_stage = p.times[stage]

    def gmt(epoch: int) -> str:
        return _local(epoch, 0)

    address = {
        "first_name": b.first_name,
        "last_name": b.last_name,
        "company": "",
        "address_1": b.address1,
        "address_2": b.address2,
        "city": b.city,
        "state": state,
        "postcode": b.zip or "",
        "country": "AE",
    }
    paid = None if cod or stage == "pending" else p.times["processing"]
    done = t_stage if stage == "completed" else None
    discount_split = [
        coupon * u * q // items if items else 0 for u, (_p, q, _s) in zip(unit, lines, strict=True)
    ]
    if discount_split:
        discount_split[-1] = coupon - sum(discount_split[:-1])
    order = {
        "id": order_id,
        "parent_id": 0,
        "number": str(order_id),
        "order_key": f"wc_order_{stable_key(order_id, ctx.order_key) % 16**13:013x}",
        "created_via": "checkout",
        "status": STATUS[stage],
        "currency": currency,
        "date_created": _local(p.created, off),
        "date_created_gmt": gmt(p.created),
        "date_modified": _local(t_stage, off),
        "date_modified_gmt": gmt(t_stage),
        "discount_total": money(coupon),
        "discount_tax": "0.00",
        "shipping_total": money(shipping),
        "shipping_tax": "0.00",
        "cart_tax": "0.00",
        "total": money(total),
        "total_tax": "0.00",
        "prices_include_tax": True,
        "customer_id": 0 if rng.random() < 0.4 else 20 + b.customer_index,
        "customer_note": "",
        "billing": {**address, "email": b.email or "", "phone": b.phone},
        "shipping": {**address, "phone": b.phone if rng.random() < 0.5 else ""},
        "payment_method": "cod" if cod else "stripe",
        "payment_method_title": "Cash on delivery" if cod else "Credit card (Stripe)",
        "transaction_id": "" if cod else f"ch_{stable_key(order_id, 'tx') % 16**12:012x}",
        "date_paid": _local(paid, off) if paid else None,
        "date_paid_gmt": gmt(paid) if paid else None,
        "date_completed": _local(done, off) if done else None,
        "date_completed_gmt": gmt(done) if done else None,
        "meta_data": [{"id": order_id * 10 + 1, "key": "_billing_area", "value": b.district}],
        "line_items": [
            {
                "id": order_id * 10 + 2 + j,
                "name": product.title + (f" - {product.variant_title}" if product.variant_title else ""),
                "product_id": product.product_id,
                "variation_id": product.variant_id if product.variant_title else 0,
                "quantity": qty,
                "tax_class": "",
                "subtotal": money(u * qty),
                "subtotal_tax": "0.00",
                "total": money(u * qty - discount_split[j]),
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
                "sku": sku,
                "price": u // 100 if u % 100 == 0 else u / 100,  # a number, not a string
            }
            for j, ((product, qty, sku), u) in enumerate(zip(lines, unit, strict=True))
        ],
        "shipping_lines": [
            {
                "id": order_id * 10 + 8,
                "method_title": "Flat rate",
                "method_id": "flat_rate",
                "total": money(shipping),
                "total_tax": "0.00",
                "taxes": [],
            }
        ],
        "fee_lines": [],
        "coupon_lines": [{"id": order_id * 10 + 9, "code": "welcome10", "discount": money(coupon)}]
        if coupon
        else [],
        "refunds": [],
    }
    return order


def write_store(ctx: StoreContext, folder: Path) -> StoreStats:
    """Write the store's order list pages into ``folder``; return what was written."""
    stats = StoreStats(store_id=ctx.spec.store_id, channel=ctx.spec.channel)
    malformed_done = not ctx.forced

    def plan_of(idx: int) -> Plan:
        p = plan(ctx, idx)
        stats.orders += 1
        stats.cod_orders += int(bool(p.flags & F_COD))
        stats.unmapped_skus += int(bool(p.flags & F_UNMAPPED_SKU))
        stats.missing_fx_rates += int(bool(p.flags & F_FOREIGN_CURRENCY))
        stats.unknown_statuses += int(p.emitted[-1] == "unknown")
        return p

    for window_end, events in windows(ctx.n, ctx.start, ctx.anchor, ctx.window_s, plan_of):
        orders = [render(ctx, idx, stage) for _t, idx, stage in events]
        bodies = [orjson.dumps(o) for o in orders]
        stats.order_versions += len(bodies)
        if not malformed_done and stats.order_versions > 10:
            bad = dict(orders[0], id={"$numberLong": str(orders[0]["id"])})
            bodies.insert(0, orjson.dumps(bad))
            stats.malformed_records["nested_id"] += 1
            malformed_done = True
        for n, i in enumerate(range(0, len(bodies), PAGE_LIMIT), start=1):
            _publish(
                folder / f"{stamp(window_end)}-orders-p{n:03d}.json",
                b"[" + b",".join(bodies[i : i + PAGE_LIMIT]) + b"]",
            )
            stats.files += 1
    return stats

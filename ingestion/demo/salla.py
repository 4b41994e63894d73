"""Demo Salla store ``salla-ksa``: order webhook events as Salla pushes them, in the landing layout.

``write_store(root, tenant_id, tenant_name, orders, seed, anchor)`` writes
``<root>/salla/salla-ksa/<stamp>-salla-events.json`` (one file of event envelopes per UTC day with
any event, named so that files sort in delivery order) and returns the counts; ``store_record``
is the store's entry for ``stores.json``. Deterministic: every draw comes from a seed derived from
(tenant, seed, store, order); the clock is the generator's anchor.

Each order is an ``order.created`` event (``under_review`` for COD orders, ``in_progress`` once
paid), then ``order.status.updated`` events as it moves (in_progress, shipped, delivered,
completed, or canceled), sometimes an ``order.refunded``; events after the anchor have not happened
yet. Quirks a Salla receiver meets: PHP-style dates in Asia/Riyadh, money as numbers in one place
and strings in another (item totals, discounts), the buyer's mobile as a number beside its
``mobile_code`` and the receiver phone without a ``+``, Arabic names and addresses, a few status
updates that carry only ``{id, order_id, status}`` (the order id in ``data.order_id``), Salla's
retries (the same event delivered twice) and a few non-order events (``app.installed``,
``app.settings.updated``) that the parser keeps as rejects.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from random import Random

import orjson

from ingestion.demo import people, pools
from ingestion.demo.catalog import webshop_sku
from ingestion.demo.common import DAY, HOUR, SPAN_DAYS, order_amounts, stable_key
from ingestion.demo.context import pick_product

STORE_ID = "salla-ksa"
CHANNEL = "salla"
TIMEZONE = "Asia/Riyadh"
OFFSET_S = 3 * HOUR  # Riyadh has no daylight saving
CURRENCY = "SAR"
COUNTRY = "SA"
COD_SHARE = 0.62
COD_FEE = 1000  # minor units
TAX_RATE = pools.TAX_RATES[COUNTRY]
P_CANCEL = 0.07
P_REFUND = 0.025
P_PARTIAL_STATUS = 0.05  # status updates that carry only {id, order_id, status}
P_RETRY = 0.01  # an event Salla delivers twice
SHARE_OF_DEMO = 0.12  # suggested share of the tenant's demo orders

#: Salla's order statuses (slug, Arabic name as the merchant dashboard shows it, status id). [C/U]
STATUSES: dict[str, tuple[str, int]] = {
    "payment_pending": ("بإنتظار الدفع", 1473353380),
    "under_review": ("بإنتظار المراجعة", 566146469),
    "in_progress": ("قيد التنفيذ", 1939592358),
    "shipped": ("تم الشحن", 1298199463),
    "delivering": ("جاري التوصيل", 349994915),
    "delivered": ("تم التوصيل", 1723506348),
    "completed": ("تم التنفيذ", 814202285),
    "canceled": ("ملغي", 525144736),
    "restored": ("مسترجع", 1956875584),
}
CARRIERS = ("سمسا", "أرامكس", "ناقل", "J&T Express", "سبل")


@dataclass(slots=True)
class SallaStats:
    store_id: str = STORE_ID
    channel: str = CHANNEL
    orders: int = 0
    events: int = 0  # order events written, retries included
    order_versions: int = 0  # distinct order payloads (what lands)
    retries: int = 0  # repeated deliveries (land as duplicates)
    partial_status_events: int = 0
    non_order_events: int = 0  # land as rejects
    cod_orders: int = 0
    cancelled: int = 0
    refunded: int = 0
    files: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def store_record(tenant_id: str, tenant_name: str) -> dict[str, str]:
    """The store's ``stores.json`` entry."""
    return {
        "store_id": STORE_ID,
        "channel": CHANNEL,
        "name": f"{tenant_name} KSA (Salla)",
        "marketplace": f"{tenant_id}.salla.sa",
        "timezone": TIMEZONE,
        "currency": CURRENCY,
    }


# -- formats ---------------------------------------------------------------------------------------


def php_date(epoch: int) -> dict:
    """Salla's date object, in Riyadh time."""
    local = time.gmtime(epoch + OFFSET_S)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S", local) + ".000000",
        "timezone_type": 3,
        "timezone": TIMEZONE,
    }


def envelope_time(epoch: int) -> str:
    """The envelope's ``created_at``, as Salla's sender prints it."""
    return time.strftime("%a %b %d %Y %H:%M:%S GMT+0300", time.gmtime(epoch + OFFSET_S))


def _num(minor: int) -> int | float:
    """Money as Salla's JSON numbers: 149 or 149.5, never 149.0."""
    return minor // 100 if minor % 100 == 0 else minor / 100


def _str(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def _money(minor: int) -> dict:
    return {"amount": _num(minor), "currency": CURRENCY}


def _status(slug: str) -> dict:
    name, status_id = STATUSES[slug]
    return {"id": status_id, "name": name, "slug": slug, "customized": {"id": status_id, "name": name}}


# -- orders ------------------------------------------------------------------------------------------


class SallaOrders:
    """Rebuilds order ``idx`` of the store and its events from its own seed."""

    def __init__(self, tenant_id: str, seed: int, n: int, anchor: int) -> None:
        self.tenant_id, self.seed, self.n, self.anchor = tenant_id, seed, n, anchor
        self.start = anchor - SPAN_DAYS * DAY
        self.order_key = stable_key(tenant_id, seed, STORE_ID, "orders") << 24
        self.customer_key = stable_key(tenant_id, seed, STORE_ID, COUNTRY) << 24
        self.n_customers = max(1, int(n * 0.65))
        self.id_base = 200_000_000 + stable_key(tenant_id, seed, STORE_ID, "ids") % 50_000_000
        self.merchant = 1_000_000_000 + stable_key(tenant_id, seed, STORE_ID, "merchant") % 900_000_000

    def events(self, idx: int) -> tuple[list[tuple[int, bytes]], dict[str, int]]:
        """[(delivery time, event JSON)] of order ``idx`` up to the anchor, and its counts."""
        rng = Random(self.order_key + idx)
        created = self.start + int((idx + rng.random()) / max(self.n, 1) * SPAN_DAYS * DAY)
        order_id = self.id_base + idx * 7 + int(rng.random() * 7)
        buyer = people.buyer(self.customer_key, COUNTRY, int(self.n_customers * rng.random() ** 1.7), 0.55)
        cod = rng.random() < COD_SHARE
        n_lines = 1 + int(rng.random() ** 2 * 3)
        products = [pick_product(rng) for _ in range(n_lines)]
        qty = [1 + int(rng.random() ** 3 * 3) for _ in products]
        unit = [pools.price_minor(p, CURRENCY) for p in products]
        gross = sum(u * q for u, q in zip(unit, qty, strict=True))
        coupon = rng.random() < 0.15
        discount = gross // 10 if coupon else 0
        shipping = (
            0 if gross - discount >= pools.FREE_SHIPPING_OVER[CURRENCY] else pools.SHIPPING_FEE[CURRENCY]
        )
        amounts = order_amounts(unit, qty, discount, [shipping], TAX_RATE)
        cod_fee = COD_FEE if cod else 0

        order = {
            "id": order_id,
            "reference_id": 70_000_000 + order_id % 10_000_000,
            "urls": {
                "customer": f"https://{self.tenant_id}.salla.sa/order/{order_id:x}",
                "admin": f"https://s.salla.sa/orders/order/{order_id:x}",
            },
            "date": php_date(created),
            "updated_at": php_date(created),
            "source": "store",
            "source_device": "mobile" if rng.random() < 0.78 else "desktop",
            "status": _status("under_review" if cod else "in_progress"),
            "payment_method": "cod" if cod else ("mada" if rng.random() < 0.6 else "credit_card"),
            "currency": CURRENCY,
            "amounts": {
                "sub_total": _money(amounts.items),
                "shipping_cost": _money(shipping),
                "cash_on_delivery": _money(cod_fee),
                "tax": {"percent": "15.00", "amount": _money(amounts.tax)},
                "discounts": (
                    [
                        {
                            "title": "رمضان",
                            "type": "coupon",
                            "code": "RAMADAN10",
                            "discount": _str(discount),
                            "currency": CURRENCY,
                        }
                    ]
                    if coupon
                    else []
                ),
                "total": _money(amounts.total + cod_fee),
            },
            "customer": {
                "id": 1_100_000_000 + buyer.customer_index,
                "first_name": buyer.first_name,
                "last_name": buyer.last_name,
                "mobile": int(buyer.nsn),
                "mobile_code": "+966",
                "email": buyer.email or "",
                "country": "السعودية",
                "city": buyer.city.strip(),
            },
            "shipping": {
                "id": order_id * 3 + 1,
                "company": CARRIERS[int(rng.random() * len(CARRIERS))],
                "receiver": {"name": buyer.name, "phone": f"966{buyer.nsn}", "email": buyer.email or ""},
                "address": {
                    "country": COUNTRY,
                    "country_code": COUNTRY,
                    "city": buyer.city,
                    "shipping_address": buyer.address1,
                    "block": buyer.district,
                    "postal_code": buyer.zip or "",
                },
                "shipment": {"id": None, "pickup_id": None, "tracking_link": None},
            },
            "items": [
                {
                    "id": order_id * 10 + i,
                    "name": p.title_ar,
                    "sku": webshop_sku(p),
                    "quantity": q,
                    "currency": CURRENCY,
                    "weight": round(p.grams / 1000, 3),
                    "amounts": {
                        "price_without_tax": _money(u - round(u * TAX_RATE / (1 + TAX_RATE))),
                        "total_discount": _money(amounts.line_discount[i]),
                        "tax": {"percent": "15.00", "amount": _money(amounts.line_tax[i])},
                        "total": {
                            "amount": _str(amounts.line[i] - amounts.line_discount[i]),
                            "currency": CURRENCY,
                        },
                    },
                }
                for i, (p, q, u) in enumerate(zip(products, qty, unit, strict=True))
            ],
        }

        # The lifecycle: (time, event, status slug)
        stages: list[tuple[int, str, str]] = [(created, "order.created", order["status"]["slug"])]
        t = created
        if cod:
            t += int((0.5 + rng.random() * 6) * HOUR)
            if rng.random() < P_CANCEL:
                stages.append((t, "order.cancelled", "canceled"))
            else:
                stages.append((t, "order.status.updated", "in_progress"))
        elif rng.random() < P_CANCEL / 3:
            t += int((1 + rng.random() * 10) * HOUR)
            stages.append((t, "order.cancelled", "canceled"))
        if stages[-1][2] != "canceled":
            t += int((0.6 + rng.random() * 1.5) * DAY)
            stages.append((t, "order.status.updated", "shipped"))
            t += int((1 + rng.random() * 4) * DAY)
            stages.append((t, "order.status.updated", "delivered"))
            t += int((0.2 + rng.random()) * DAY)
            stages.append((t, "order.status.updated", "completed"))
            if rng.random() < P_REFUND:
                t += int((2 + rng.random() * 8) * DAY)
                stages.append((t, "order.refunded", "restored"))

        counts = {"versions": 0, "retries": 0, "partial": 0}
        out: list[tuple[int, bytes]] = []
        tracking = f"29{order_id % 10**10:010d}"
        for when, event, slug in stages:
            if when >= self.anchor:
                break
            order["status"] = _status(slug)
            order["updated_at"] = php_date(when)
            if slug == "shipped":
                order["shipping"]["shipment"] = {
                    "id": order_id * 5 + 3,
                    "pickup_id": None,
                    "tracking_number": tracking,
                    "tracking_link": f"https://www.smsaexpress.com/trackingdetails?tracknumbers={tracking}",
                }
            delivered_at = when + 2 + int(rng.random() * 40)
            if event == "order.status.updated" and rng.random() < P_PARTIAL_STATUS:
                data = {
                    "id": order_id * 100 + len(out),
                    "order_id": order_id,
                    "status": _status(slug),
                    "note": "",
                    "updated_at": php_date(when),
                }
                counts["partial"] += 1
            else:
                data = orjson.loads(orjson.dumps(order))  # a snapshot: later stages change `order`
            body = orjson.dumps(
                {"event": event, "merchant": self.merchant, "created_at": envelope_time(when), "data": data}
            )
            out.append((delivered_at, body))
            counts["versions"] += 1
            if rng.random() < P_RETRY:
                out.append((delivered_at + 60 + int(rng.random() * 600), body))
                counts["retries"] += 1
        counts["cod"] = int(cod)
        counts["cancelled"] = int(any(s[2] == "canceled" and s[0] < self.anchor for s in stages))
        counts["refunded"] = int(any(s[1] == "order.refunded" and s[0] < self.anchor for s in stages))
        return out, counts


def _non_order_events(merchant: int, start: int) -> list[tuple[int, bytes]]:
    installed = {
        "event": "app.installed",
        "merchant": merchant,
        "created_at": envelope_time(start - HOUR),
        "data": {
            "id": merchant % 1_000_000_000 + 7,
            "app_name": "OMS Connector",
            "app_type": "app",
            "installation_date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start - HOUR + OFFSET_S)),
        },
    }
    settings = {
        "event": "app.settings.updated",
        "merchant": merchant,
        "created_at": envelope_time(start - HOUR + 300),
        "data": {"id": merchant % 1_000_000_000 + 7, "settings": {"sync_orders": True}},
    }
    return [(start - HOUR, orjson.dumps(installed)), (start - HOUR + 300, orjson.dumps(settings))]


def write_store(root: Path, tenant_id: str, orders: int, seed: int, anchor: int) -> SallaStats:
    """Write the store's event files under ``<root>/salla/salla-ksa/`` (``root`` is the tenant folder).

    Replaces the store's not-yet-landed ``*.json`` files; ``_done/`` is left alone.
    """
    if orders < 0:
        raise ValueError("orders must be >= 0")
    folder = Path(root) / CHANNEL / STORE_ID
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    gen = SallaOrders(tenant_id, seed, orders, anchor)
    stats = SallaStats(orders=orders)
    deliveries = _non_order_events(gen.merchant, gen.start)
    stats.non_order_events = len(deliveries)
    for idx in range(orders):
        events, counts = gen.events(idx)
        deliveries.extend(events)
        stats.order_versions += counts["versions"]
        stats.retries += counts["retries"]
        stats.partial_status_events += counts["partial"]
        stats.cod_orders += counts["cod"]
        stats.cancelled += counts["cancelled"]
        stats.refunded += counts["refunded"]
    stats.events = stats.order_versions + stats.retries
    deliveries.sort(key=lambda d: d[0])  # stable: an order's events keep their order on ties
    by_day: dict[int, list[bytes]] = {}
    for when, body in deliveries:
        by_day.setdefault(min(when, anchor - 1) // DAY, []).append(body)
    for day, bodies in sorted(by_day.items()):
        stamp = time.strftime("%Y%m%dT0000Z", time.gmtime(day * DAY))
        path = folder / f"{stamp}-salla-events.json"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(b"[\n" + b",\n".join(bodies) + b"\n]\n")
        tmp.replace(path)
        stats.files += 1
    return stats

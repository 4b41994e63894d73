"""Amazon SP-API Orders v0: getOrders Order objects and getOrderItems OrderItem objects.

Field names and types follow SOURCES.md 1.2 (``amzn/selling-partner-api-models: ordersV0.json``):
3-7-7 AmazonOrderId, UTC times with ``Z`` (some with milliseconds), Money amounts as strings,
``IsGift`` as the string ``"true"``/``"false"``, ItemPrice = unit price x quantity. Pending orders
carry no pricing and no ShippingAddress; the phone is suppressed on FBA (AFN) orders.

Lifecycle stages: (``pending`` ->) ``unshipped`` -> ``shipped``; or ``canceled`` (from pending or
unshipped); or ``unknown`` (an unmapped OrderStatus).
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from ingestion.demo import pools
from ingestion.demo.catalog import amazon_seller_sku
from ingestion.demo.common import DAY, HOUR, included_tax, iso_utc, money, round_half_up, split_proportionally
from ingestion.demo.context import (
    F_AFN,
    F_COD,
    F_UNKNOWN_REGION,
    F_UNKNOWN_STATUS,
    F_UNMAPPED_SKU,
    StoreContext,
    pick_product,
)
from ingestion.demo.people import buyer, mask_phone
from ingestion.demo.timeline import Plan, emitted_stages

ADDRESS_STAGES = frozenset({"unshipped", "shipped", "unknown"})
STATUS = {
    "pending": "Pending",
    "unshipped": "Unshipped",
    "shipped": "Shipped",
    "canceled": "Canceled",
    "unknown": pools.UNKNOWN_AMAZON_ORDER_STATUS,
}
ID_PREFIXES = ("402", "403", "404", "405", "406", "407", "408")
SHIPPING_FEE = {"SAR": 1500, "AED": 1000}
FREE_OVER = {"SAR": 10000, "AED": 10000}


def plan(ctx: StoreContext, idx: int) -> Plan:
    return _plan(ctx, idx, ctx.rng(idx))


def _plan(ctx: StoreContext, idx: int, rng: Random) -> Plan:
    created = ctx.created(idx, rng.random())
    dest = ctx.destination(rng)
    cod = rng.random() < ctx.spec.destinations[dest].cod_share
    afn = rng.random() < 0.35
    x = rng.random()
    n_lines = 1 if x < 0.72 else 2 if x < 0.93 else 3
    flags = ctx.anomaly_flags(rng, idx, carrier_applies=False) | (F_COD if cod else 0) | (F_AFN if afn else 0)
    r, d1, d2, d3 = rng.random(), rng.random(), rng.random(), rng.random()
    times: dict[str, int] = {}
    t = created
    if not cod or afn:
        times["pending"] = t
        if r < 0.02 and not flags & (F_UNKNOWN_STATUS | F_UNKNOWN_REGION):
            times["canceled"] = t + int(600 + d1 * DAY)  # payment never authorised
            return _done(ctx, idx, created, times, flags, dest, n_lines)
        t += int(120 + d1 * d1 * 3 * HOUR)
    times["unshipped"] = t
    if flags & F_UNKNOWN_STATUS:
        times["unknown"] = t + int(6 * HOUR + d2 * 24 * HOUR)
    elif r < 0.055 and not flags & F_UNKNOWN_REGION:
        times["canceled"] = t + int(HOUR + d2 * 2 * DAY)
    elif r < 0.065:
        pass  # stuck: never shipped
    else:
        delay = (6 * HOUR + d3 * 30 * HOUR) if afn else (12 * HOUR + d3 * d3 * 3 * DAY)
        times["shipped"] = t + int(delay)
    return _done(ctx, idx, created, times, flags, dest, n_lines)


def _done(
    ctx: StoreContext, idx: int, created: int, times: dict[str, int], flags: int, dest: int, n_lines: int
) -> Plan:
    emitted = emitted_stages(times, ctx.anchor, ctx.start, ctx.window_s)
    if emitted[-1] != "unknown":
        flags &= ~F_UNKNOWN_STATUS
    return Plan(idx, created, times, emitted, flags, dest, n_lines)


def plan_stats(p: Plan) -> dict[str, int]:
    """What the order's latest delivered version shows, for the summary."""
    last = p.emitted[-1]
    return {
        "unmapped_skus": int(bool(p.flags & F_UNMAPPED_SKU)),
        "unknown_regions": int(bool(p.flags & F_UNKNOWN_REGION) and last in ADDRESS_STAGES),
        "unknown_carriers": 0,
        "unknown_statuses": int(last == "unknown"),
        "cod_orders": int(bool(p.flags & F_COD)),
    }


def item_state(p: Plan, stage: str) -> tuple[bool, bool]:
    """(priced, shipped): the only things that change an order item between versions."""
    priced = stage != "pending" and not (stage == "canceled" and "unshipped" not in p.times)
    return priced, stage == "shipped"


def new_item_versions(p: Plan) -> list[bool]:
    """Per emitted stage: do its items differ from the previously delivered ones?"""
    out, prev = [], None
    for stage in p.emitted:
        state = item_state(p, stage)
        out.append(state != prev)
        prev = state
    return out


@dataclass(slots=True)
class _Line:
    product: pools.Product
    qty: int
    sku: str
    item_id: str


class AmazonOrders:
    """Renders any version of any order (and its items) of one Amazon store."""

    def __init__(self, ctx: StoreContext) -> None:
        self.ctx = ctx
        self.currency = ctx.spec.currency
        self.sales_channel = "Amazon.sa" if ctx.spec.marketplace == "A17E79C6D8DWNP" else "Amazon.ae"
        self.email_domain = (
            "marketplace.amazon.sa" if self.sales_channel == "Amazon.sa" else "marketplace.amazon.ae"
        )

    def plan(self, idx: int) -> Plan:
        return plan(self.ctx, idx)

    def render(self, idx: int, stage: str) -> tuple[dict, dict, int, bool]:
        """The Order object, its getOrderItems response, its number of items, and whether they changed."""
        ctx = self.ctx
        rng = ctx.rng(idx)
        p = _plan(ctx, idx, rng)
        country = ctx.spec.destinations[p.dest].country
        cod = bool(p.flags & F_COD)
        afn = bool(p.flags & F_AFN)
        b = buyer(ctx.customer_keys[country], country, ctx.customer_index(rng, country), email_share=0.0)
        prefix = ID_PREFIXES[int(rng.random() * len(ID_PREFIXES))]
        order_id = f"{prefix}-{(idx * 7_654_321 + ctx.id_base) % 10**7:07d}-{int(rng.random() * 10**7):07d}"
        lines = self._lines(rng, idx, p)
        prime = afn and rng.random() < 0.6
        promo = rng.random() < 0.08
        gift = rng.random() < 0.03
        masked = rng.random() < 0.05
        masked_phone = mask_phone(rng, country, b.nsn)
        buyer_handle = f"{rng.getrandbits(60):015x}"
        level = "Expedited" if rng.random() < 0.15 else "Standard"
        with_ms = [rng.random() < 0.35 for _ in range(6)]
        millis = [int(rng.random() * 1000) for _ in range(6)]
        ghost = pools.UNKNOWN_PLACES[country][int(rng.random() * 2)]

        stage_no = list(p.times).index(stage)
        t_stage = p.times[stage]
        priced, shipped = item_state(p, stage)
        cur = self.currency
        tax_rate = pools.TAX_RATES[country]
        unit = [pools.price_minor(ln.product, cur) for ln in lines]
        item_price = [u * ln.qty for u, ln in zip(unit, lines, strict=True)]
        items_total = sum(item_price)
        ship = 0 if prime or afn or items_total >= FREE_OVER[cur] else SHIPPING_FEE[cur]
        ship_split = [ship] + [0] * (len(lines) - 1)
        promo_total = round_half_up(items_total * 0.1) if promo else 0
        promo_split = split_proportionally(promo_total, item_price)
        order_total = items_total + ship - promo_total
        n_units = sum(ln.qty for ln in lines)

        def m(minor: int) -> dict[str, str]:
            return {"CurrencyCode": cur, "Amount": money(minor)}

        purchase = iso_utc(p.created, millis[0] if with_ms[0] else None)
        order: dict = {
            "AmazonOrderId": order_id,
            "SellerOrderId": order_id,
            "PurchaseDate": purchase,
            "LastUpdateDate": purchase
            if t_stage == p.created
            else iso_utc(t_stage, millis[stage_no + 1] if with_ms[stage_no + 1] else None),
            "OrderStatus": STATUS[stage],
            "FulfillmentChannel": "AFN" if afn else "MFN",
            "SalesChannel": self.sales_channel,
            "ShipServiceLevel": f"{'Exp' if level == 'Expedited' else 'Std'} {country} Dom_{1 + idx % 3}",
        }
        if priced:
            order["OrderTotal"] = m(order_total)
        order.update(
            {
                "NumberOfItemsShipped": n_units if shipped else 0,
                "NumberOfItemsUnshipped": 0 if shipped or stage == "canceled" else n_units,
                "PaymentMethod": "COD" if cod else "Other",
                "PaymentMethodDetails": ["CashOnDelivery"] if cod else ["Standard"],
                "MarketplaceId": ctx.spec.marketplace,
                "ShipmentServiceLevelCategory": level,
                "OrderType": "StandardOrder",
                "EarliestShipDate": iso_utc(p.created + DAY),
                "LatestShipDate": iso_utc(p.created + 3 * DAY),
            }
        )
        if not afn:
            order["EarliestDeliveryDate"] = iso_utc(p.created + 3 * DAY)
            order["LatestDeliveryDate"] = iso_utc(p.created + 7 * DAY)
        order.update(
            {
                "IsBusinessOrder": False,
                "IsPrime": prime,
                "IsPremiumOrder": False,
                "IsGlobalExpressEnabled": False,
                "IsReplacementOrder": False,
                "IsSoldByAB": False,
                "IsISPU": False,
                "IsAccessPointOrder": False,
                "HasRegulatedItems": False,
            }
        )
        if stage in ADDRESS_STAGES:
            city, region = ghost if p.flags & F_UNKNOWN_REGION else (b.city, b.region)
            address = {"Name": b.name, "AddressLine1": b.address1}
            if b.address2:
                address["AddressLine2"] = b.address2
            address.update({"City": city, "StateOrRegion": region})
            if country == "SA" and b.customer_index % 4 == 0:
                address["District"] = b.district
            if b.zip:
                address["PostalCode"] = b.zip
            address["CountryCode"] = country
            if not afn:
                address["Phone"] = masked_phone if masked else b.phone
            address["AddressType"] = "Residential" if idx % 9 else "Commercial"
            order["ShippingAddress"] = address
        buyer_info: dict = {"BuyerEmail": f"{buyer_handle}@{self.email_domain}"}
        if not afn and stage != "pending":
            buyer_info["BuyerName"] = b.name
        order["BuyerInfo"] = buyer_info

        items = []
        for i, ln in enumerate(lines):
            item: dict = {
                "ASIN": ln.product.asin,
                "SellerSKU": ln.sku,
                "OrderItemId": ln.item_id,
                "Title": ln.product.listing_title,
                "QuantityOrdered": ln.qty,
                "QuantityShipped": ln.qty if shipped else 0,
                "ProductInfo": {"NumberOfItems": "1"},
            }
            if priced:
                tax = included_tax(item_price[i], tax_rate)
                ship_tax = included_tax(ship_split[i], tax_rate)
                promo_tax = included_tax(promo_split[i], tax_rate)
                item.update(
                    {
                        "ItemPrice": m(item_price[i]),
                        "ItemTax": m(tax),
                        "ShippingPrice": m(ship_split[i]),
                        "ShippingTax": m(ship_tax),
                        "ShippingDiscount": m(0),
                        "ShippingDiscountTax": m(0),
                        "PromotionDiscount": m(promo_split[i]),
                        "PromotionDiscountTax": m(promo_tax),
                    }
                )
                if cod:
                    item["CODFee"] = m(0)
                    item["CODFeeDiscount"] = m(0)
            item["PromotionIds"] = ["Save10-Promo"] if promo else []
            item.update(
                {
                    "IsGift": "true" if gift else "false",
                    "ConditionId": "New",
                    "ConditionSubtypeId": "New",
                    "IsTransparency": False,
                    "SerialNumberRequired": False,
                }
            )
            items.append(item)
        items_new = new_item_versions(p)[p.emitted.index(stage)]
        return order, {"payload": {"AmazonOrderId": order_id, "OrderItems": items}}, len(items), items_new

    def _lines(self, rng: Random, idx: int, p: Plan) -> list[_Line]:
        lines, seen = [], set()
        base = self.ctx.id_base * 1000 + idx * 8
        for j in range(p.n_lines):
            product = pick_product(rng)
            while product.sku in seen:
                product = pick_product(rng)
            seen.add(product.sku)
            qty = 1 if rng.random() < 0.85 else 2
            item_id = f"{10**13 + ((base + j) * 7_919) % (9 * 10**13)}"
            lines.append(_Line(product, qty, amazon_seller_sku(self.ctx.spec.store_id, product), item_id))
        if p.flags & F_UNMAPPED_SKU:
            ln = lines[int(rng.random() * len(lines))]
            # an Amazon-generated SKU (grade and resell) or an old listing SKU the catalogue never had;
            # never a listing SKU this store's mappings name (catalog.LISTING_SKU_STORE)
            tag = f"{rng.getrandbits(24):06x}"
            graded = (
                rng.random() < 0.6 or amazon_seller_sku(self.ctx.spec.store_id, ln.product) != ln.product.sku
            )
            ln.sku = f"amzn.gr.{ln.product.sku.lower()}-{tag}" if graded else f"LST-{ln.product.asin}"
        return lines

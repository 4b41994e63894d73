"""Shopify Admin REST order objects, as ``GET /admin/api/2024-10/orders.json`` returns them.

Field names and types follow SOURCES.md 1.1 (the fixture ``Shopify/shopify_python_api:
test/fixtures/order.json``): int64 ids, ``#1001`` names, times with the shop's offset, money as
decimal strings with ``*_set`` twins in shop and presentment currency, COD as the
"Cash on Delivery (COD)" gateway sitting at ``financial_status: pending`` until cash is collected.

Lifecycle stages: ``created`` -> (``partial`` ->) ``fulfilled`` -> ``delivered`` (prepaid: shipment
status) or ``paid`` (COD: cash collected); or ``cancelled``; or ``unknown`` (an unmapped status).
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from ingestion.demo import pools
from ingestion.demo.catalog import unlisted_variant_id
from ingestion.demo.common import DAY, HOUR, Amounts, iso_local, money, order_amounts, round_half_up
from ingestion.demo.context import (
    F_COD,
    F_UNKNOWN_CARRIER,
    F_UNKNOWN_REGION,
    F_UNKNOWN_STATUS,
    F_UNMAPPED_SKU,
    StoreContext,
    pick_product,
)
from ingestion.demo.people import Buyer, buyer, mask_phone
from ingestion.demo.timeline import Plan, emitted_stages

SHIPPED_STAGES = frozenset({"partial", "fulfilled", "delivered", "paid"})
CANCEL_REASONS = ("customer", "customer", "inventory", "fraud", "declined", "other")
NOTES = (
    None,
    None,
    None,
    None,
    None,
    "Please call before delivery",
    "الرجاء الاتصال قبل التوصيل",
    "Leave at reception",
    "Gift - no invoice please",
    "ส่งช่วงเย็นค่ะ",
)
VENDOR = "Sahra & Co"


def plan(ctx: StoreContext, idx: int) -> Plan:
    return _plan(ctx, idx, ctx.rng(idx))


def _plan(ctx: StoreContext, idx: int, rng: Random) -> Plan:
    created = ctx.created(idx, rng.random())
    dest = ctx.destination(rng)
    cod = rng.random() < ctx.spec.destinations[dest].cod_share
    n_lines = _n_lines(rng)
    flags = ctx.anomaly_flags(rng, idx, carrier_applies=True) | (F_COD if cod else 0)
    r = rng.random()
    d1, d2, d3 = rng.random(), rng.random(), rng.random()
    times = {"created": created}
    if flags & F_UNKNOWN_STATUS and not flags & F_UNKNOWN_CARRIER:
        times["unknown"] = created + int(2 * HOUR + d1 * 28 * HOUR)
    elif r < (0.09 if cod else 0.04) and not flags & F_UNKNOWN_CARRIER:
        times["cancelled"] = created + int(0.1 * HOUR + d1 * d1 * 48 * HOUR)
    elif r < (0.11 if cod else 0.06) and not flags & F_UNKNOWN_CARRIER:
        pass  # stuck unfulfilled: nobody touched it
    else:
        t = created + int(5 * HOUR + d1 * d1 * 90 * HOUR)
        if n_lines > 1 and d2 < 0.08:
            times["partial"] = t
            t += int(DAY + d3 * 2 * DAY)
        times["fulfilled"] = t
        if cod:
            if d2 < 0.85 or d2 >= 0.92:
                times["paid"] = t + int(2 * DAY + d3 * 6 * DAY)
        elif d3 < 0.45:
            times["delivered"] = t + int(DAY + d2 * 4 * DAY)
    if not flags & F_UNKNOWN_STATUS or "unknown" not in times:
        flags &= ~F_UNKNOWN_STATUS
    emitted = emitted_stages(times, ctx.anchor, ctx.start, ctx.window_s)
    return Plan(idx, created, times, emitted, flags, dest, n_lines)


def _n_lines(rng: Random) -> int:
    x = rng.random()
    return 1 if x < 0.6 else 2 if x < 0.85 else 3 if x < 0.95 else 4


@dataclass(slots=True)
class _Line:
    product: pools.Product
    qty: int
    sku: str
    line_id: int
    variant_id: int


def plan_stats(p: Plan) -> dict[str, int]:
    """What the order's latest delivered version shows, for the summary."""
    last = p.emitted[-1]
    return {
        "unmapped_skus": int(bool(p.flags & F_UNMAPPED_SKU)),
        "unknown_regions": int(bool(p.flags & F_UNKNOWN_REGION)),
        "unknown_carriers": int(bool(p.flags & F_UNKNOWN_CARRIER) and last in SHIPPED_STAGES),
        "unknown_statuses": int(last == "unknown"),
        "cod_orders": int(bool(p.flags & F_COD)),
    }


def _digits(rng: Random, n: int) -> str:
    return f"{int(rng.random() * 10**n):0{n}d}"


def _tracking_number(rng: Random, carrier: str, country: str) -> str:
    """A tracking number in the carrier's usual shape."""
    fmt = TRACKING_FORMATS.get(carrier, ("FX", 10, ""))
    return f"{fmt[0].format(cc=country)}{_digits(rng, fmt[1])}{fmt[2]}"


# carrier -> (prefix, digits, suffix)
TRACKING_FORMATS: dict[str, tuple[str, int, str]] = {
    "Aramex": ("3", 10, ""),
    "SMSA Express": ("2900", 8, ""),
    "Naqel Express": ("1", 8, ""),
    "J&T Express": ("6", 11, ""),
    "SPL": ("RR", 9, "SA"),
    "iMile": ("6", 12, ""),
    "Emirates Post": ("EE", 9, "AE"),
    "Shipa Delivery": ("SHP", 8, ""),
    "DHL Express": ("4", 9, ""),
    "Ninja Van": ("NV{cc}", 10, ""),
    "Pos Malaysia": ("ER", 9, "MY"),
    "DHL eCommerce": ("MYCGX", 10, ""),
    "Kerry Express": ("KER", 10, ""),
    "Flash Express": ("TH", 10, "A"),
    "Thailand Post": ("EF", 9, "TH"),
    "SingPost": ("RB", 9, "SG"),
}


class ShopifyOrders:
    """Renders any version of any order of one Shopify store."""

    def __init__(self, ctx: StoreContext) -> None:
        self.ctx = ctx
        self.shop = ctx.spec.currency
        self.offset = ctx.spec.utc_offset_min
        self.number_start = 1001
        self.location_id = 60_000_000_000 + ctx.id_base % 1_000_000
        self._sets: dict[tuple[int, int, str], dict] = {}

    # ids grow with creation, as Shopify's do
    def order_id(self, idx: int) -> int:
        return 5_600_000_000_000 + self.ctx.id_base * 10 + idx * 7_919

    def plan(self, idx: int) -> Plan:
        return plan(self.ctx, idx)

    def render(self, idx: int, stage: str) -> dict:
        ctx = self.ctx
        rng = ctx.rng(idx)
        p = _plan(ctx, idx, rng)
        dest = ctx.spec.destinations[p.dest]
        country = dest.country
        cod = bool(p.flags & F_COD)
        b = buyer(
            ctx.customer_keys[country],
            country,
            ctx.customer_index(rng, country),
            email_share=0.55 if country in ("SA", "AE") else 0.85,
        )
        pres = _pick(rng, dest.presentment)
        oid = self.order_id(idx)
        lines = self._lines(rng, oid, p)
        code = (
            pools.DISCOUNT_CODES[int(rng.random() * len(pools.DISCOUNT_CODES))]
            if rng.random() < 0.18
            else None
        )
        gateway = pools.COD_GATEWAY if cod else _pick_uniform(rng, pools.PREPAID_GATEWAYS[country])
        cod_fee = cod and country in ("SA", "AE") and rng.random() < 0.5
        carrier = _pick_uniform(rng, pools.CARRIERS[country])
        if p.flags & F_UNKNOWN_CARRIER:
            carrier = _pick_uniform(rng, pools.UNKNOWN_CARRIERS)
        tracking = [_tracking_number(rng, carrier, country), _tracking_number(rng, carrier, country)]
        masked = rng.random() < 0.03
        masked_phone = mask_phone(rng, country, b.nsn)
        token = f"{rng.getrandbits(128):032x}"
        cart_token = f"{rng.getrandbits(96):024x}"
        note = NOTES[int(rng.random() * len(NOTES))]
        source = _pick(
            rng, (("web", 0.88), ("shopify_draft_order", 0.06), ("android", 0.03), ("iphone", 0.03))
        )
        cancel_reason = CANCEL_REASONS[int(rng.random() * len(CANCEL_REASONS))]
        octets = rng.getrandbits(32).to_bytes(4, "big")
        ip = f"{2 + octets[0] % 220}.{octets[1]}.{octets[2]}.{1 + octets[3] % 254}"
        ghost_place = pools.UNKNOWN_PLACES[country][int(rng.random() * 2)]

        shop_amounts, pres_amounts = self._amounts(lines, pres, country, code, cod_fee)
        shop, off = self.shop, self.offset
        t_stage = p.times[stage]
        created = iso_local(p.created, off)
        number = self.number_start + idx
        name = f"{ctx.spec.name_prefix}{number}"

        address = self._address(
            b, country, masked, masked_phone, ghost_place if p.flags & F_UNKNOWN_REGION else None
        )
        cancelled = stage == "cancelled"
        shipped_stage = stage in SHIPPED_STAGES
        paid = (not cod) or stage == "paid"
        if cancelled:
            financial = "voided" if cod else "refunded"
        else:
            financial = "paid" if paid else "pending"
        fulfillment_status = {
            "partial": "partial",
            "fulfilled": "fulfilled",
            "delivered": "fulfilled",
            "paid": "fulfilled",
            "unknown": pools.UNKNOWN_SHOPIFY_FULFILLMENT_STATUS,
        }.get(stage)
        fulfilled_line_ids = set()
        fulfillments = []
        if shipped_stage:
            first_t = p.times.get("partial", p.times["fulfilled"])
            groups = [lines] if "partial" not in p.times else [lines[:1], lines[1:]]
            if stage == "partial":
                groups = groups[:1]
            delivered = stage in ("delivered", "paid")
            for n, group in enumerate(groups):
                t = first_t if n == 0 else p.times["fulfilled"]
                fulfilled_line_ids.update(ln.line_id for ln in group)
                fulfillments.append(
                    self._fulfillment(
                        oid,
                        name,
                        n,
                        group,
                        t,
                        carrier,
                        tracking[n],
                        delivered and n == len(groups) - 1,
                        p.times,
                        stage,
                    )
                )
        closed_at = None
        if cancelled:
            closed_at = iso_local(t_stage, off)
        elif stage in ("paid", "delivered") or (stage == "fulfilled" and not cod):
            closed_at = iso_local(p.times["fulfilled"] if not cod else t_stage, off)

        line_items = [
            self._line_item(
                ln, i, shop_amounts, pres_amounts, pres, country, ln.line_id in fulfilled_line_ids
            )
            for i, ln in enumerate(lines)
        ]
        contact_phone = None if masked else b.e164
        order = {
            "id": oid,
            "admin_graphql_api_id": f"gid://shopify/Order/{oid}",
            "app_id": 580111 if source == "web" else 1354745,
            "browser_ip": ip if source == "web" else None,
            "buyer_accepts_marketing": bool(b.customer_index % 3 == 0),
            "cancel_reason": cancel_reason if cancelled else None,
            "cancelled_at": iso_local(t_stage, off) if cancelled else None,
            "cart_token": cart_token if source == "web" else None,
            "checkout_id": 36_000_000_000_000 + oid % 10**12,
            "checkout_token": token[::-1],
            "closed_at": closed_at,
            "confirmation_number": token[:9].upper(),
            "confirmed": True,
            "contact_email": b.email,
            "created_at": created,
            "currency": shop,
            "current_subtotal_price": money(shop_amounts.subtotal if not cancelled else 0),
            "current_total_price": money(shop_amounts.total if not cancelled else 0),
            "customer_locale": b.locale,
            "discount_codes": [{"code": code[0], "amount": money(shop_amounts.discount), "type": code[1]}]
            if code
            else [],
            "email": b.email or "",
            "estimated_taxes": False,
            "financial_status": financial,
            "fulfillment_status": fulfillment_status,
            "gateway": gateway,
            "landing_site": "/" if source == "web" else None,
            "name": name,
            "note": note,
            "note_attributes": [],
            "number": number - 1000,
            "order_number": number,
            "payment_gateway_names": [gateway],
            "phone": contact_phone,
            "presentment_currency": pres,
            "processed_at": created,
            "reference": None,
            "referring_site": None,
            "source_name": source,
            "subtotal_price": money(shop_amounts.subtotal),
            "subtotal_price_set": self._set(shop_amounts.subtotal, pres_amounts.subtotal, pres),
            "tags": "COD" if cod else "",
            "tax_lines": self._tax_lines(shop_amounts.tax, pres_amounts.tax, pres, country),
            "taxes_included": True,
            "test": False,
            "token": token,
            "total_discounts": money(shop_amounts.discount),
            "total_discounts_set": self._set(shop_amounts.discount, pres_amounts.discount, pres),
            "total_line_items_price": money(shop_amounts.items),
            "total_line_items_price_set": self._set(shop_amounts.items, pres_amounts.items, pres),
            "total_outstanding": money(0 if paid or cancelled else shop_amounts.total),
            "total_price": money(shop_amounts.total),
            "total_price_set": self._set(shop_amounts.total, pres_amounts.total, pres),
            "total_shipping_price_set": self._set(
                sum(shop_amounts.shipping), sum(pres_amounts.shipping), pres
            ),
            "total_tax": money(shop_amounts.tax),
            "total_tax_set": self._set(shop_amounts.tax, pres_amounts.tax, pres),
            "total_tip_received": "0.00",
            "total_weight": sum(ln.product.grams * ln.qty for ln in lines),
            "updated_at": iso_local(t_stage, off),
            "user_id": None,
            "billing_address": address,
            "customer": self._customer(b, p.created, contact_phone, cod),
            "discount_applications": [
                {
                    "target_type": "line_item",
                    "type": "discount_code",
                    "value": f"{code[2]}.0" if code[1] == "percentage" else money(shop_amounts.discount),
                    "value_type": code[1],
                    "allocation_method": "across",
                    "target_selection": "all",
                    "code": code[0],
                }
            ]
            if code
            else [],
            "fulfillments": fulfillments,
            "line_items": line_items,
            "payment_terms": None,
            "refunds": [],
            "shipping_address": address,
            "shipping_lines": self._shipping_lines(oid, shop_amounts, pres_amounts, pres, country, cod_fee),
        }
        return order

    # ------------------------------------------------------------------ parts

    def _lines(self, rng: Random, oid: int, p: Plan) -> list[_Line]:
        n = p.n_lines
        lines = []
        seen = set()
        for i in range(n):
            product = pick_product(rng)
            while product.sku in seen:
                product = pick_product(rng)
            seen.add(product.sku)
            x = rng.random()
            qty = 1 if x < 0.8 else 2 if x < 0.95 else 3
            line_id = 15_000_000_000_000 + (oid % 10**12) * 8 + i
            lines.append(_Line(product, qty, product.sku, line_id, product.variant_id))
        if p.flags & F_UNMAPPED_SKU:
            ln = lines[int(rng.random() * len(lines))]
            kind = rng.random()
            # a variant created after the catalogue was exported (its id is in no mapping), sold
            # with the variant id as its SKU, with no SKU, or with a SKU the catalogue lacks
            ln.variant_id = unlisted_variant_id(ln.product)
            ln.sku = str(ln.variant_id) if kind < 0.4 else "" if kind < 0.7 else f"{ln.product.sku}-V2"
        return lines

    def _amounts(
        self, lines: list[_Line], pres: str, country: str, code, cod_fee: bool
    ) -> tuple[Amounts, Amounts]:
        rate = pools.USD_RATES[self.shop] / pools.USD_RATES[pres]
        qty = [ln.qty for ln in lines]
        unit_p = [pools.price_minor(ln.product, pres) for ln in lines]
        items_p = sum(u * q for u, q in zip(unit_p, qty, strict=True))
        disc_p = 0
        if code:
            if code[1] == "percentage":
                disc_p = round_half_up(items_p * code[2] / 100)
            else:
                disc_p = round_half_up(code[2] * pools.USD_RATES[pres])
        ship_p = [0 if items_p - disc_p >= pools.FREE_SHIPPING_OVER[pres] else pools.SHIPPING_FEE[pres]]
        if cod_fee:
            ship_p.append(1000)
        tax = pools.TAX_RATES[country]
        pres_amounts = order_amounts(unit_p, qty, disc_p, ship_p, tax)
        if pres == self.shop:
            return pres_amounts, pres_amounts
        unit_s = [round_half_up(u * rate) for u in unit_p]
        items_s = sum(u * q for u, q in zip(unit_s, qty, strict=True))
        disc_s = (
            round_half_up(items_s * code[2] / 100)
            if code and code[1] == "percentage"
            else round_half_up(disc_p * rate)
        )
        shop_amounts = order_amounts(unit_s, qty, disc_s, [round_half_up(s * rate) for s in ship_p], tax)
        return shop_amounts, pres_amounts

    def _set(self, shop_minor: int, pres_minor: int, pres: str) -> dict:
        """A ``*_set`` money pair. Amounts repeat a lot, so the (read-only) dicts are shared."""
        key = (shop_minor, pres_minor, pres)
        found = self._sets.get(key)
        if found is None:
            found = {
                "shop_money": {"amount": money(shop_minor), "currency_code": self.shop},
                "presentment_money": {"amount": money(pres_minor), "currency_code": pres},
            }
            if len(self._sets) < 50_000:
                self._sets[key] = found
        return found

    def _tax_lines(self, shop_tax: int, pres_tax: int, pres: str, country: str) -> list[dict]:
        rate = pools.TAX_RATES[country]
        if not rate:
            return []
        return [
            {
                "price": money(shop_tax),
                "rate": rate,
                "title": pools.TAX_TITLES[country],
                "price_set": self._set(shop_tax, pres_tax, pres),
                "channel_liable": False,
            }
        ]

    def _line_item(
        self, ln: _Line, i: int, s: Amounts, pa: Amounts, pres: str, country: str, done: bool
    ) -> dict:
        product = ln.product
        title = product.title_ar if self.shop == "SAR" else product.title
        rate = pools.TAX_RATES[country]
        return {
            "id": ln.line_id,
            "admin_graphql_api_id": f"gid://shopify/LineItem/{ln.line_id}",
            "current_quantity": ln.qty,
            "fulfillable_quantity": 0 if done else ln.qty,
            "fulfillment_service": "manual",
            "fulfillment_status": "fulfilled" if done else None,
            "gift_card": False,
            "grams": product.grams,
            "name": f"{title} - {product.variant_title}" if product.variant_title else title,
            "price": money(s.unit[i]),
            "price_set": self._set(s.unit[i], pa.unit[i], pres),
            "product_exists": True,
            "product_id": product.product_id,
            "properties": [],
            "quantity": ln.qty,
            "requires_shipping": True,
            "sku": ln.sku,
            "taxable": True,
            "title": title,
            "total_discount": "0.00",
            "total_discount_set": self._set(0, 0, pres),
            "variant_id": ln.variant_id,
            "variant_inventory_management": "shopify",
            "variant_title": product.variant_title,
            "vendor": VENDOR,
            "tax_lines": [
                {
                    "channel_liable": False,
                    "price": money(s.line_tax[i]),
                    "price_set": self._set(s.line_tax[i], pa.line_tax[i], pres),
                    "rate": rate,
                    "title": pools.TAX_TITLES[country],
                }
            ]
            if rate
            else [],
            "duties": [],
            "discount_allocations": [
                {
                    "amount": money(s.line_discount[i]),
                    "amount_set": self._set(s.line_discount[i], pa.line_discount[i], pres),
                    "discount_application_index": 0,
                }
            ]
            if s.line_discount[i]
            else [],
        }

    def _shipping_lines(
        self, oid: int, s: Amounts, pa: Amounts, pres: str, country: str, cod_fee: bool
    ) -> list:
        rate = pools.TAX_RATES[country]
        out = []
        titles = ["Standard Shipping" if s.shipping[0] else "Free Shipping"]
        if cod_fee:
            titles.append("Cash on Delivery Fee")
        for i, title in enumerate(titles):
            out.append(
                {
                    "id": 4_900_000_000_000 + (oid % 10**12) * 2 + i,
                    "carrier_identifier": None,
                    "code": title,
                    "discounted_price": money(s.shipping[i]),
                    "discounted_price_set": self._set(s.shipping[i], pa.shipping[i], pres),
                    "is_removed": False,
                    "phone": None,
                    "price": money(s.shipping[i]),
                    "price_set": self._set(s.shipping[i], pa.shipping[i], pres),
                    "requested_fulfillment_service_id": None,
                    "source": "shopify",
                    "title": title,
                    "tax_lines": [
                        {
                            "channel_liable": False,
                            "price": money(s.shipping_tax[i]),
                            "price_set": self._set(s.shipping_tax[i], pa.shipping_tax[i], pres),
                            "rate": rate,
                            "title": pools.TAX_TITLES[country],
                        }
                    ]
                    if rate and s.shipping[i]
                    else [],
                    "discount_allocations": [],
                }
            )
        return out

    def _address(
        self, b: Buyer, country: str, masked: bool, masked_phone: str, ghost: tuple[str, str] | None
    ) -> dict:
        place = b.place
        city, province, province_code = b.city, place.province, place.province_code
        if ghost:
            city, province = ghost
            province_code = None
        return {
            "first_name": b.first_name,
            "address1": b.address1,
            "phone": masked_phone if masked else b.phone,
            "city": city,
            "zip": b.zip,
            "province": province,
            "country": pools.COUNTRY_NAMES[country],
            "last_name": b.last_name,
            "address2": b.address2 or None,
            "company": None,
            "latitude": None,
            "longitude": None,
            "name": b.name,
            "country_code": country,
            "province_code": province_code,
        }

    def _customer(self, b: Buyer, created: int, phone: str | None, cod: bool) -> dict:
        cid = 7_100_000_000_000 + self.ctx.id_base * 10 + b.customer_index * 13 + self.ctx.store_no
        since = iso_local(self.ctx.start - b.since_s, self.offset)
        return {
            "id": cid,
            "email": b.email,
            "created_at": since,
            "updated_at": since,
            "first_name": b.first_name,
            "last_name": b.last_name,
            "state": "enabled" if b.email and not cod else "disabled",
            "note": None,
            "verified_email": bool(b.email),
            "multipass_identifier": None,
            "tax_exempt": False,
            "phone": phone,
            "tags": "",
            "currency": self.shop,
            "admin_graphql_api_id": f"gid://shopify/Customer/{cid}",
        }

    def _fulfillment(
        self,
        oid: int,
        name: str,
        n: int,
        group: list[_Line],
        t: int,
        carrier: str,
        tracking: str,
        delivered: bool,
        times: dict[str, int],
        stage: str,
    ) -> dict:
        fid = 5_200_000_000_000 + (oid % 10**12) * 2 + n
        url_t = pools.TRACKING_URLS.get(carrier)
        url = url_t.format(tracking) if url_t else None
        updated = times[stage] if delivered else t
        return {
            "id": fid,
            "admin_graphql_api_id": f"gid://shopify/Fulfillment/{fid}",
            "created_at": iso_local(t, self.offset),
            "location_id": self.location_id,
            "name": f"{name}.{n + 1}",
            "order_id": oid,
            "service": "manual",
            "shipment_status": "delivered" if delivered else None,
            "status": "success",
            "tracking_company": carrier,
            "tracking_number": tracking,
            "tracking_numbers": [tracking],
            "tracking_url": url,
            "tracking_urls": [url] if url else [],
            "updated_at": iso_local(updated, self.offset),
            "line_items": [
                {
                    "id": ln.line_id,
                    "variant_id": ln.variant_id,
                    "sku": ln.sku,
                    "quantity": ln.qty,
                    "fulfillment_status": "fulfilled",
                }
                for ln in group
            ],
        }


def _pick(rng: Random, weighted_items) -> str:
    x = rng.random() * sum(w for _v, w in weighted_items)
    for value, w in weighted_items:
        x -= w
        if x < 0:
            return value
    return weighted_items[-1][0]


def _pick_uniform(rng: Random, items: tuple[str, ...]) -> str:
    return items[int(rng.random() * len(items))]

"""Small shared helpers for the demo generator: store specs, deterministic keys, times and money.

Money is carried as integer minor units (every demo currency has two decimals) and printed as the
decimal strings the platforms send, so totals always tie out to the cent.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from random import Random

DAY = 86_400
HOUR = 3_600
SPAN_DAYS = 60


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a store ships: a country, its weight in the store's orders, its presentment currencies."""

    country: str
    weight: float
    presentment: tuple[tuple[str, float], ...]  # (currency, weight)
    cod_share: float


@dataclass(frozen=True, slots=True)
class StoreSpec:
    """One store of the demo tenant, and how its business looks."""

    store_id: str
    channel: str  # "shopify" | "amazon"
    label: str
    marketplace: str | None
    timezone: str
    utc_offset_min: int  # these zones have no daylight saving
    currency: str
    share: float  # of the tenant's orders
    destinations: tuple[Destination, ...]
    name_prefix: str = "#"  # Shopify order name prefix
    display: str = ""  # the channel as a store's name shows it, if not "Shopify" or "Amazon"

    def record(self, tenant_id: str, tenant_name: str) -> dict[str, str | None]:
        marketplace = self.marketplace or f"{tenant_id}-{self.label.lower()}.myshopify.com"
        channel = self.display or ("Shopify" if self.channel == "shopify" else "Amazon")
        return {
            "store_id": self.store_id,
            "channel": self.channel,
            "name": f"{tenant_name} {self.label} ({channel})",
            "marketplace": marketplace,
            "timezone": self.timezone,
            "currency": self.currency,
        }


STORES: tuple[StoreSpec, ...] = (
    StoreSpec(
        "shopify-ksa",
        "shopify",
        "KSA",
        None,
        "Asia/Riyadh",
        180,
        "SAR",
        0.24,
        (Destination("SA", 1.0, (("SAR", 1.0),), 0.68),),
    ),
    StoreSpec(
        "shopify-uae",
        "shopify",
        "UAE",
        None,
        "Asia/Dubai",
        240,
        "AED",
        0.14,
        (Destination("AE", 1.0, (("AED", 1.0),), 0.62),),
        name_prefix="#AE",
    ),
    StoreSpec(
        "shopify-sea",
        "shopify",
        "SEA",
        None,
        "Asia/Kuala_Lumpur",
        480,
        "MYR",
        0.20,
        (
            Destination("MY", 0.55, (("MYR", 1.0),), 0.32),
            Destination("TH", 0.30, (("THB", 0.8), ("MYR", 0.2)), 0.38),
            Destination("SG", 0.15, (("SGD", 0.7), ("MYR", 0.3)), 0.04),
        ),
        name_prefix="#SEA",
    ),
    StoreSpec(
        "amazon-sa",
        "amazon",
        "SA",
        "A17E79C6D8DWNP",
        "Asia/Riyadh",
        180,
        "SAR",
        0.26,
        (Destination("SA", 1.0, (("SAR", 1.0),), 0.66),),
    ),
    StoreSpec(
        "amazon-ae",
        "amazon",
        "AE",
        "A2VIGQ35RCS4UG",
        "Asia/Dubai",
        240,
        "AED",
        0.16,
        (Destination("AE", 1.0, (("AED", 1.0),), 0.62),),
    ),
)


def stable_key(*parts: object) -> int:
    """A 64-bit key from the parts, identical in every process (unlike ``hash``)."""
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def anchor_for_seed(seed: int) -> int:
    """The demo's 'now' (UTC midnight, epoch seconds): derived from the seed, never from the clock."""
    base = 1_735_689_600  # 2025-01-01T00:00:00Z
    return base + ((seed * 2_654_435_761) % 365) * DAY


def allocate(total: int, shares: list[float]) -> list[int]:
    """Split ``total`` by ``shares`` into integers that sum to ``total`` (largest remainder)."""
    raw = [total * s / sum(shares) for s in shares]
    out = [int(r) for r in raw]
    order = sorted(range(len(shares)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def weighted(rng: Random, items: tuple | list, weights: tuple | list) -> object:
    """Pick one item by weight with a single draw (weights need not sum to 1)."""
    x = rng.random() * sum(weights)
    for item, w in zip(items, weights, strict=True):
        x -= w
        if x < 0:
            return item
    return items[-1]


# --------------------------------------------------------------------------- times


_DAY_PREFIX: dict[int, str] = {}


def _day_prefix(day: int) -> str:
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        t = time.gmtime(day * DAY)
        prefix = _DAY_PREFIX[day] = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
    return prefix


def _clock(epoch: int) -> str:
    day, sec = divmod(epoch, DAY)
    h, rest = divmod(sec, HOUR)
    m, s = divmod(rest, 60)
    return f"{_day_prefix(day)}{h:02d}:{m:02d}:{s:02d}"


def iso_local(epoch: int, offset_min: int) -> str:
    """``2025-03-01T14:22:05+03:00``: a Shopify time in the shop's offset."""
    sign = "+" if offset_min >= 0 else "-"
    off = abs(offset_min)
    return f"{_clock(epoch + offset_min * 60)}{sign}{off // 60:02d}:{off % 60:02d}"


def iso_utc(epoch: int, millis: int | None = None) -> str:
    """``2025-03-01T11:22:05Z`` or, with millis, ``2025-03-01T11:22:05.058Z``: an Amazon time."""
    return f"{_clock(epoch)}.{millis:03d}Z" if millis is not None else f"{_clock(epoch)}Z"


def stamp(epoch: int) -> str:
    """``20250301T0600Z``: the sortable time prefix of a landing file name."""
    t = time.gmtime(epoch)
    return f"{t.tm_year:04d}{t.tm_mon:02d}{t.tm_mday:02d}T{t.tm_hour:02d}{t.tm_min:02d}Z"


# --------------------------------------------------------------------------- money


_MONEY: dict[int, str] = {}


def money(minor: int) -> str:
    """Minor units to the decimal string the APIs send: 14900 -> ``"149.00"``."""
    text = _MONEY.get(minor)
    if text is None:
        text = f"{minor // 100}.{minor % 100:02d}" if minor >= 0 else "-" + money(-minor)
        if len(_MONEY) < 200_000:  # amounts repeat a lot; the cap keeps memory bounded
            _MONEY[minor] = text
    return text


def round_half_up(x: float) -> int:
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def included_tax(gross: int, rate: float) -> int:
    """The tax inside a tax-inclusive amount."""
    return round_half_up(gross * rate / (1 + rate)) if rate else 0


def split_proportionally(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` over lines by weight; the last line takes the remainder so parts sum exactly."""
    base = sum(weights)
    if not base:
        return [0] * len(weights)
    parts = [total * w // base for w in weights[:-1]]
    parts.append(total - sum(parts))
    return parts


@dataclass(slots=True)
class Amounts:
    """One currency's view of an order's money, in minor units."""

    unit: list[int]
    line: list[int]
    line_discount: list[int]
    line_tax: list[int]
    items: int
    discount: int
    subtotal: int
    shipping: list[int]  # per shipping line
    shipping_tax: list[int]
    tax: int
    total: int
    extra: dict[str, int] = field(default_factory=dict)


def order_amounts(
    unit: list[int], qty: list[int], discount_total: int, shipping: list[int], tax_rate: float
) -> Amounts:
    """Tax-inclusive order money: total = items - discount + shipping; tax is the included part."""
    line = [u * q for u, q in zip(unit, qty, strict=True)]
    items = sum(line)
    discount = min(discount_total, items)
    line_discount = split_proportionally(discount, line)
    line_tax = [included_tax(a - d, tax_rate) for a, d in zip(line, line_discount, strict=True)]
    shipping_tax = [included_tax(s, tax_rate) for s in shipping]
    subtotal = items - discount
    return Amounts(
        unit=unit,
        line=line,
        line_discount=line_discount,
        line_tax=line_tax,
        items=items,
        discount=discount,
        subtotal=subtotal,
        shipping=shipping,
        shipping_tax=shipping_tax,
        tax=sum(line_tax) + sum(shipping_tax),
        total=subtotal + sum(shipping),
    )

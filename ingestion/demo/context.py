"""Per-store generation context: keys, clock, volume, and the shared draws every channel makes."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from random import Random

from ingestion.demo import pools
from ingestion.demo.common import DAY, SPAN_DAYS, StoreSpec, stable_key
from ingestion.demo.timeline import Intensity, choose_window

# Flag bits on a Plan (shared by both channels).
F_COD = 1
F_UNMAPPED_SKU = 2
F_UNKNOWN_REGION = 4
F_UNKNOWN_CARRIER = 8
F_UNKNOWN_STATUS = 16
F_AFN = 32
F_FOREIGN_CURRENCY = 64  # priced in a currency without an FX rate (WooCommerce)

#: Share of orders carrying each anomaly (before the forced ones).
P_UNMAPPED_SKU = 0.003
P_UNKNOWN_REGION = 0.003
P_UNKNOWN_CARRIER = 0.004
P_UNKNOWN_STATUS = 0.0025

#: With enough orders, the first store of each channel plants one of each anomaly on these orders.
FORCED = {1: F_UNMAPPED_SKU, 2: F_UNKNOWN_REGION, 3: F_UNKNOWN_CARRIER, 4: F_UNKNOWN_STATUS}


def _popularity() -> list[float]:
    """Cumulative pick weights over the catalogue: a long tail, bundles moderately popular."""
    order = sorted(range(len(pools.CATALOGUE)), key=lambda i: stable_key("rank", pools.CATALOGUE[i].sku))
    weights = [0.0] * len(order)
    for rank, i in enumerate(order):
        weights[i] = 1.0 / (rank + 4) ** 0.9
    total = sum(weights)
    cum, acc = [], 0.0
    for w in weights:
        acc += w / total
        cum.append(acc)
    return cum


_POPULARITY = _popularity()


def pick_product(rng: Random) -> pools.Product:
    i = min(bisect.bisect_right(_POPULARITY, rng.random()), len(pools.CATALOGUE) - 1)
    return pools.CATALOGUE[i]


@dataclass(slots=True)
class StoreContext:
    """Everything the channel modules need to rebuild any order of one store deterministically."""

    spec: StoreSpec
    store_no: int
    tenant_id: str
    seed: int
    n: int  # orders of this store
    anchor: int
    forced: bool  # plant one of each anomaly (first store of its channel, and orders >= 200)
    start: int = 0
    window_s: int = 0
    intensity: Intensity | None = None
    order_key: int = 0
    customer_keys: dict[str, int] = field(default_factory=dict)
    n_customers: dict[str, int] = field(default_factory=dict)
    id_base: int = 0

    def __post_init__(self) -> None:
        self.start = self.anchor - SPAN_DAYS * DAY
        self.window_s = choose_window(self.n)
        self.intensity = Intensity(self.start, self.spec.utc_offset_min)
        self.order_key = stable_key(self.tenant_id, self.seed, self.spec.store_id, "orders") << 24
        for d in self.spec.destinations:
            self.customer_keys[d.country] = (
                stable_key(self.tenant_id, self.seed, self.spec.store_id, d.country) << 24
            )
            self.n_customers[d.country] = max(1, int(self.n * d.weight * 0.65))
        self.id_base = stable_key(self.tenant_id, self.seed, self.spec.store_id, "ids") % 900_000_000

    def rng(self, idx: int) -> Random:
        return Random(self.order_key + idx)

    def created(self, idx: int, u: float) -> int:
        """Creation time of order ``idx``: stratified, so creation times never decrease with idx."""
        return self.intensity.at((idx + u) / self.n)

    def destination(self, rng: Random) -> int:
        dests = self.spec.destinations
        if len(dests) == 1:
            rng.random()  # keep the number of draws independent of the store's shape
            return 0
        x = rng.random() * sum(d.weight for d in dests)
        for i, d in enumerate(dests):
            x -= d.weight
            if x < 0:
                return i
        return len(dests) - 1

    def anomaly_flags(self, rng: Random, idx: int, carrier_applies: bool) -> int:
        """Random anomaly bits for an order, plus the forced ones."""
        flags = 0
        if rng.random() < P_UNMAPPED_SKU:
            flags |= F_UNMAPPED_SKU
        if rng.random() < P_UNKNOWN_REGION:
            flags |= F_UNKNOWN_REGION
        if rng.random() < P_UNKNOWN_CARRIER and carrier_applies:
            flags |= F_UNKNOWN_CARRIER
        if rng.random() < P_UNKNOWN_STATUS:
            flags |= F_UNKNOWN_STATUS
        if self.forced and idx in FORCED:
            forced = FORCED[idx]
            if forced != F_UNKNOWN_CARRIER or carrier_applies:
                flags |= forced
        return flags

    def customer_index(self, rng: Random, country: str) -> int:
        """Skewed: a minority of buyers place many orders (buyer history, repeat COD refusers)."""
        return int(self.n_customers[country] * rng.random() ** 1.7)

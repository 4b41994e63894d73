"""What the demo generator wrote: per store and in total, with the ledger ingestion should report."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

MALFORMED_KINDS = ("missing_id", "nested_id", "truncated_tail")
COUNTERS = (
    "files",
    "orders",
    "order_versions",
    "duplicate_deliveries",
    "truncated_files",
    "truncated_whole_records",
    "single_order_files",
    "unknown_statuses",
    "unmapped_skus",
    "unknown_regions",
    "unknown_carriers",
    "missing_fx_rates",
    "cod_orders",
    "item_records",
    "item_versions",
    "item_duplicates",
)


@dataclass(slots=True)
class StoreStats:
    """Counts for one store. Anomaly counts are orders whose latest delivered version shows it.

    - ``order_versions``: distinct order payloads delivered (each lands once);
    - ``duplicate_deliveries``: order objects re-delivered byte-identical in a later file;
    - ``malformed_records``: per kind, records ingestion must reject (an order without its id, an id
      that is a nested object, and the cut-off tail of a truncated file);
    - ``truncated_whole_records``: complete records before the cut in truncated files; they are
      byte-identical re-deliveries of records in an intact file, so they land as duplicates;
    - ``item_*`` (Amazon): OrderItems delivered, distinct item payloads, identical re-fetches.
    """

    store_id: str
    channel: str
    files: int = 0
    orders: int = 0
    order_versions: int = 0
    duplicate_deliveries: int = 0
    malformed_records: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MALFORMED_KINDS, 0))
    truncated_files: int = 0
    truncated_whole_records: int = 0
    single_order_files: int = 0
    unknown_statuses: int = 0
    unmapped_skus: int = 0
    unknown_regions: int = 0
    unknown_carriers: int = 0
    missing_fx_rates: int = 0  # orders in a currency the FX seed has no rate for
    cod_orders: int = 0
    item_records: int = 0
    item_versions: int = 0
    item_duplicates: int = 0

    @property
    def malformed_total(self) -> int:
        return sum(self.malformed_records.values())

    @property
    def anomalies(self) -> int:
        """Planted anomalies of every kind (the 1-2% the brief asks for)."""
        return (
            self.duplicate_deliveries
            + self.malformed_total
            + self.unknown_statuses
            + self.unmapped_skus
            + self.unknown_regions
            + self.unknown_carriers
            + self.missing_fx_rates
        )

    def ledger(self) -> dict[str, dict[str, int]]:
        """What ingestion's batch ledger should add up to for this store, per raw table."""
        orders = {
            "fetched": self.order_versions
            + self.duplicate_deliveries
            + self.truncated_whole_records
            + self.malformed_total,
            "landed": self.order_versions,
            "duplicate": self.duplicate_deliveries + self.truncated_whole_records,
            "rejected": self.malformed_total,
        }
        out = {f"{self.channel}_orders": orders}
        if self.channel in ("amazon", "lazada"):  # channels whose items land in a table of their own
            out[f"{self.channel}_order_items"] = {
                "fetched": self.item_records,
                "landed": self.item_versions,
                "duplicate": self.item_duplicates,
                "rejected": 0,
            }
        return out

    def as_dict(self) -> dict:
        out: dict = {f.name: getattr(self, f.name) for f in fields(self)}
        out["malformed_records"] = dict(self.malformed_records)
        out["malformed_total"] = self.malformed_total
        out["anomalies"] = self.anomalies
        out["ledger"] = self.ledger()
        return out

    def add(self, other: StoreStats) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, n in other.malformed_records.items():
            self.malformed_records[kind] = self.malformed_records.get(kind, 0) + n


@dataclass(slots=True)
class DemoSummary:
    """The result of :func:`ingestion.demo.generate`."""

    out_dir: Path
    tenant_id: str
    orders: int
    seed: int
    anchor: str
    first_order_at: str
    stores: dict[str, StoreStats]

    @property
    def totals(self) -> StoreStats:
        total = StoreStats(store_id="*", channel="*")
        for s in self.stores.values():
            total.add(s)
        return total

    def ledger(self) -> dict[str, dict[str, int]]:
        """Expected ledger totals per raw table over all stores."""
        out: dict[str, dict[str, int]] = {}
        for s in self.stores.values():
            for table, counts in s.ledger().items():
                acc = out.setdefault(table, dict.fromkeys(counts, 0))
                for k, v in counts.items():
                    acc[k] += v
        return out

    @property
    def expected(self) -> dict:
        """Every count, as plain data (the same content as ``demo_summary.json``)."""
        totals = self.totals.as_dict()
        totals.pop("store_id")
        totals.pop("channel")
        totals.pop("ledger")
        return {
            "tenant_id": self.tenant_id,
            "orders": self.orders,
            "seed": self.seed,
            "anchor": self.anchor,
            "first_order_at": self.first_order_at,
            "stores": {k: v.as_dict() for k, v in self.stores.items()},
            "totals": totals,
            "ledger": self.ledger(),
        }

    def describe(self) -> str:
        t = self.totals
        lines = [
            f"Demo data for tenant {self.tenant_id!r} (seed {self.seed}) in {self.out_dir / self.tenant_id}",
            f"  {t.orders:,} orders from {self.first_order_at} to {self.anchor} (UTC), "
            f"{t.order_versions:,} versions, {t.files:,} files",
            "",
            f"  {'store':<13} {'files':>7} {'orders':>9} {'versions':>9} {'dup':>5} {'malf':>5} "
            f"{'status?':>7} {'sku?':>5} {'region?':>7} {'carrier?':>8} {'COD':>7}",
        ]
        for s in [*self.stores.values(), t]:
            name = "total" if s is t else s.store_id
            lines.append(
                f"  {name:<13} {s.files:>7,} {s.orders:>9,} {s.order_versions:>9,} "
                f"{s.duplicate_deliveries:>5} {s.malformed_total:>5} {s.unknown_statuses:>7} "
                f"{s.unmapped_skus:>5} {s.unknown_regions:>7} {s.unknown_carriers:>8} {s.cod_orders:>7,}"
            )
        kinds = ", ".join(f"{k} {v}" for k, v in t.malformed_records.items())
        share = t.anomalies / t.orders if t.orders else 0.0
        lines += [
            "",
            f"  malformed records: {kinds}; truncated files: {t.truncated_files} "
            f"({t.truncated_whole_records} whole records before the cut, re-deliveries)",
            f"  single-order files: {t.single_order_files}; Amazon items: {t.item_records:,} delivered, "
            f"{t.item_versions:,} distinct, {t.item_duplicates:,} re-fetched unchanged",
            f"  anomalies: {t.anomalies} ({share:.2%} of orders)",
        ]
        for table, c in self.ledger().items():
            lines.append(
                f"  expected ledger {table}: fetched {c['fetched']:,} = landed {c['landed']:,} "
                f"+ duplicate {c['duplicate']:,} + rejected {c['rejected']:,}"
            )
        return "\n".join(lines)

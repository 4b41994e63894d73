"""Suite ``coverage`` for ``marts.fct_exception_coverage_daily``: exception rates per store-day.

The rules are data, in the dbt seed ``exception_rate_thresholds`` (exception type, min_orders,
max_rate, note): on a store-day with at least ``min_orders`` orders, the type's share of the day's
orders must not exceed ``max_rate``. Each row becomes one expectation (a column's values at most
``max_rate`` where ``order_count >= min_orders``), named by its rule, so each rule is one row of
``quality.check_results``. The validation asks GX for the failing rows' keys, so a failed rule's
details list the offending store-days (tenant, store, channel, day, orders, rate).

The seed's CSV is read here rather than the warehouse table dbt loads from it: the suite is built
without a connection, and both come from the same file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from warehouse import settings

SCHEMA = "marts"
TABLE = "fct_exception_coverage_daily"
SUITE_NAME = "coverage"
THRESHOLDS_CSV = settings.DBT_PROJECT_DIR / "seeds" / "exception_rate_thresholds.csv"

# Exception type (as the thresholds name it) -> the mart's rate and count columns.
RATE_COLUMNS: dict[str, tuple[str, str]] = {
    "any": ("exception_rate", "exception_order_count"),
    "unmapped_product": ("unmapped_product_rate", "unmapped_product_count"),
    "unresolved_address": ("unresolved_address_rate", "unresolved_address_count"),
    "unknown_carrier": ("unknown_carrier_rate", "unknown_carrier_count"),
    "unmapped_status": ("unmapped_status_rate", "unmapped_status_count"),
    "missing_fx_rate": ("missing_fx_rate_rate", "missing_fx_rate_count"),
    "other": ("other_exception_rate", "other_exception_count"),
}
STORE_DAY_COLUMNS = ["tenant_id", "store_id", "channel", "order_date", "order_count"]
# How many offending store-days a failed rule keeps in its details.
SAMPLE_STORE_DAYS = 20


@dataclass(frozen=True)
class Threshold:
    """On store-days with at least ``min_orders`` orders, ``exception_type``'s rate <= ``max_rate``."""

    exception_type: str
    min_orders: int
    max_rate: Decimal
    note: str = ""

    def __post_init__(self) -> None:
        if self.exception_type not in RATE_COLUMNS:
            raise ValueError(
                f"unknown exception_type {self.exception_type!r} in the coverage thresholds; "
                f"expected one of {sorted(RATE_COLUMNS)}"
            )
        if self.min_orders < 1:
            raise ValueError(f"min_orders must be at least 1, got {self.min_orders} ({self.exception_type})")
        if not Decimal(0) <= self.max_rate <= Decimal(1):
            raise ValueError(f"max_rate must be between 0 and 1, got {self.max_rate} ({self.exception_type})")

    @property
    def rate_column(self) -> str:
        return RATE_COLUMNS[self.exception_type][0]

    @property
    def label(self) -> str:
        """``unknown_carrier_rate <= 5% on store-days with >= 100 orders``: the check's name."""
        percent = (self.max_rate * 100).normalize()
        return f"{self.rate_column} <= {percent:f}% on store-days with >= {self.min_orders} orders"


def load_thresholds(path: Path = THRESHOLDS_CSV) -> list[Threshold]:
    """The rules in the seed's CSV, in file order."""
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Threshold(
                exception_type=row["exception_type"].strip(),
                min_orders=int(row["min_orders"]),
                max_rate=Decimal(row["max_rate"]),
                note=(row.get("note") or "").strip(),
            )
            for row in csv.DictReader(f)
        ]


def result_format() -> dict[str, Any]:
    """Ask GX for the offending rows' keys (the store-days), not only the failing values."""
    return {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": STORE_DAY_COLUMNS,
        "partial_unexpected_count": SAMPLE_STORE_DAYS,
        "return_unexpected_index_query": False,
    }


def suite(thresholds: Iterable[Threshold] | None = None) -> gx.ExpectationSuite:
    rules = list(load_thresholds() if thresholds is None else thresholds)
    return gx.ExpectationSuite(
        name=SUITE_NAME,
        expectations=[
            gxe.ExpectColumnValuesToBeBetween(
                column=rule.rate_column,
                min_value=0,
                max_value=float(rule.max_rate),
                row_condition=Column("order_count") >= rule.min_orders,
                description=rule.label,
                meta={"exception_type": rule.exception_type, "note": rule.note},
            )
            for rule in rules
        ],
    )

"""Suite for ``marts.fct_orders``, the canonical order (DESIGN.md, "The canonical order").

Row-level rules only: GX cannot join, so "every landed order appears exactly once" is a SQL
tie-out in ``expectations.tieouts``, recorded beside these results.
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

SCHEMA = "marts"
TABLE = "fct_orders"

# The canonical status machine (seed ``canonical_statuses``); a status outside it is a bug.
CANONICAL_STATUSES = [
    "received",
    "exception",
    "on_hold",
    "pending_review",
    "approved",
    "allocated",
    "released",
    "packed",
    "shipped",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "delivery_failed",
    "returned_to_sender",
    "cancelled",
]


# SP-API returns no pricing for orders still Pending (SOURCES.md 1.2), nor for those cancelled
# before they were priced: their total and currency are unknown, not zero. Every other order
# must be priced.
UNPRICED_AMAZON_STATUSES = ["Pending", "PendingAvailability", "Canceled"]
PRICED = (Column("channel") != "amazon") | Column("platform_status").is_not_in(UNPRICED_AMAZON_STATUSES)


def suite() -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name="fct_orders",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="order_key"),
            gxe.ExpectColumnValuesToBeUnique(column="order_key"),
            *(
                gxe.ExpectColumnValuesToNotBeNull(column=column)
                for column in ("tenant_id", "channel", "store_id", "platform_order_id", "version")
            ),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["tenant_id", "channel", "store_id", "platform_order_id"]
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="status"),
            gxe.ExpectColumnValuesToBeInSet(column="status", value_set=CANONICAL_STATUSES),
            gxe.ExpectColumnValuesToNotBeNull(column="currency", row_condition=PRICED),
            gxe.ExpectColumnValuesToMatchRegex(column="currency", regex=r"^[A-Z]{3}$"),
            gxe.ExpectColumnValuesToNotBeNull(column="total_amount", row_condition=PRICED),
            gxe.ExpectColumnValuesToBeBetween(column="total_amount", min_value=0),
            gxe.ExpectColumnValuesToBeBetween(column="items_amount", min_value=0),
            gxe.ExpectColumnValuesToBeBetween(column="line_count", min_value=0),
        ],
    )

"""Suite for ``raw.amazon_order_items``: one OrderItem per row, keyed ``AmazonOrderId/OrderItemId``."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.raw_landing import landing_shape

SCHEMA = "raw"
TABLE = "amazon_order_items"


def suite() -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name="raw_amazon_order_items",
        expectations=[
            *landing_shape("amazon"),
            # The item's order comes from the getOrderItems envelope: it is always known.
            gxe.ExpectColumnValuesToNotBeNull(column="parent_key"),
            gxe.ExpectColumnValuesToMatchRegex(column="natural_key", regex=r"^.+/.+$"),
        ],
    )

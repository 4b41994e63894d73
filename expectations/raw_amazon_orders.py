"""Suite for ``raw.amazon_orders``: one SP-API Order object per row, keyed by ``AmazonOrderId``."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.raw_landing import landing_shape

SCHEMA = "raw"
TABLE = "amazon_orders"


def suite() -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name="raw_amazon_orders",
        expectations=[
            *landing_shape("amazon"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="natural_key", min_value=1),
            gxe.ExpectColumnValuesToBeNull(column="parent_key"),
        ],
    )

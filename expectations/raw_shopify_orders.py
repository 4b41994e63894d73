"""Suite for ``raw.shopify_orders``: one Shopify order object per row, keyed by its numeric ``id``."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.raw_landing import landing_shape

SCHEMA = "raw"
TABLE = "shopify_orders"


def suite() -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name="raw_shopify_orders",
        expectations=[
            *landing_shape("shopify"),
            # Shopify order ids are int64; landing keeps them as their decimal text.
            gxe.ExpectColumnValuesToMatchRegex(column="natural_key", regex=r"^[0-9]+$"),
            gxe.ExpectColumnValuesToBeNull(column="parent_key"),
        ],
    )

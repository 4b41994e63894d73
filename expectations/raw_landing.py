"""Expectations every raw landing table meets (the shape of raw.create_landing_table).

Landing guarantees these by construction; the suites prove it on the data, so a loader that
bypasses ``ingestion.landing`` (or a hand edit) is caught.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations import Expectation

SHA256_HEX = r"^[0-9a-f]{64}$"


def landing_shape(source: str) -> list[Expectation]:
    """Columns present and filled, one row per (tenant, store, natural key, payload hash)."""
    return [
        *(
            gxe.ExpectColumnValuesToNotBeNull(column=column)
            for column in (
                "tenant_id",
                "source",
                "store_id",
                "natural_key",
                "payload",
                "batch_id",
                "landed_at",
            )
        ),
        gxe.ExpectColumnValuesToBeInSet(column="source", value_set=[source]),
        gxe.ExpectColumnValuesToNotBeNull(column="payload_sha256"),
        gxe.ExpectColumnValuesToMatchRegex(column="payload_sha256", regex=SHA256_HEX),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["tenant_id", "store_id", "natural_key", "payload_sha256"]
        ),
        gxe.ExpectColumnValuesToBeBetween(column="batch_id", min_value=1),
    ]

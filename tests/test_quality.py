"""The quality checks catch bad data, and every failure is kept in quality.check_results.

Bad rows go into a scratch tenant (raw tables) or a scratch schema (mart copies) and are removed
afterwards, so the rest of the session's data stays consistent.
"""

from __future__ import annotations

import hashlib

import dagster as dg
import pytest

from expectations import fct_orders as fct_orders_suite
from expectations import raw_shopify_orders, runner, tieouts
from orchestration.resources import WarehouseResource

SCRATCH_TENANT = "qa-scratch"
SCRATCH_SCHEMA = "qa_scratch"


@pytest.fixture
def scratch(db):
    """Removes whatever the test put into the scratch tenant and schema."""
    yield db
    with db.cursor() as cur:
        for table in ("shopify_orders", "amazon_orders", "amazon_order_items"):
            cur.execute(f"delete from raw.{table} where tenant_id = %s", (SCRATCH_TENANT,))
        cur.execute("delete from raw.batches where tenant_id = %s", (SCRATCH_TENANT,))
        cur.execute(f"drop schema if exists {SCRATCH_SCHEMA} cascade")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _batch(cur, landed: int) -> int:
    cur.execute(
        """insert into raw.batches (tenant_id, source, store_id, status, fetched_count, landed_count,
                                    commit_seq, finished_at)
           values (%s, 'shopify', 'scratch-store', 'committed', %s, %s,
                   nextval('raw.batch_commit_seq'), now())
           returning batch_id""",
        (SCRATCH_TENANT, landed, landed),
    )
    return cur.fetchone()[0]


def _raw_order(cur, table: str, source: str, natural_key: str, batch_id: int, sha: str | None = None) -> None:
    payload = f'{{"id": "{natural_key}"}}'
    cur.execute(
        f"""insert into raw.{table}
                (tenant_id, source, store_id, natural_key, payload, payload_sha256, batch_id)
            values (%s, %s, 'scratch-store', %s, %s, %s, %s)""",
        (SCRATCH_TENANT, source, natural_key, payload, sha or _sha(payload), batch_id),
    )


def _last_check_result_id(db) -> int:
    with db.cursor() as cur:
        cur.execute("select coalesce(max(check_result_id), 0) from quality.check_results")
        return cur.fetchone()[0]


def _rows_for_run(db, run_id: str, after: int = 0) -> dict[str, tuple[bool, int | None, int | None]]:
    with db.cursor() as cur:
        cur.execute(
            """select check_name, success, evaluated_count, failed_count
               from quality.check_results where run_id = %s and check_result_id > %s""",
            (run_id, after),
        )
        return {name: (success, evaluated, failed) for name, success, evaluated, failed in cur.fetchall()}


def test_raw_suite_check_fails_on_a_bad_payload_hash_and_records_it(scratch):
    from orchestration.quality import raw_suite_checks

    check = next(c for c in raw_suite_checks if c.check_key.name == "raw_shopify_orders_suite")
    with scratch.cursor() as cur:
        batch_id = _batch(cur, landed=2)
        _raw_order(cur, "shopify_orders", "shopify", "9000000001", batch_id)
        _raw_order(cur, "shopify_orders", "shopify", "9000000002", batch_id, sha="not-a-sha256")

    before = _last_check_result_id(scratch)
    context = dg.build_asset_check_context(resources={"warehouse": WarehouseResource()})
    result = check(context)

    assert isinstance(result, dg.AssetCheckResult)
    assert result.passed is False
    assert result.severity == dg.AssetCheckSeverity.ERROR
    failures = result.metadata["failures"].value
    assert [f["check"] for f in failures] == [
        "raw_shopify_orders: expect_column_values_to_match_regex(payload_sha256)"
    ]
    assert failures[0]["failed_count"] == 1
    assert "not-a-sha256" in failures[0]["result"]["partial_unexpected_list"]

    recorded = _rows_for_run(scratch, context.op_execution_context.run_id, after=before)
    assert recorded["raw_shopify_orders: expect_column_values_to_match_regex(payload_sha256)"][0] is False
    assert recorded["raw_shopify_orders: expect_column_values_to_match_regex(payload_sha256)"][2] == 1
    assert recorded["raw_shopify_orders: expect_column_values_to_not_be_null(payload)"][0] is True
    assert len(recorded) == len(raw_shopify_orders.suite().expectations)  # one row per expectation


def test_fct_orders_suite_fails_on_a_duplicated_order_key_and_bad_values(scratch):
    with scratch.cursor() as cur:
        cur.execute(f"create schema {SCRATCH_SCHEMA}")
        cur.execute(
            f"""create table {SCRATCH_SCHEMA}.fct_orders as
                select * from (values
                    ('k1', 'qa', 'shopify', 's1', '1', 'v1', 'received', 'paid', 'SAR',
                     10.0000::numeric(18,4), 10.0000::numeric(18,4), 1),
                    ('k1', 'qa', 'shopify', 's1', '2', 'v1', 'shipped', 'fulfilled', 'SAR', 5.0, 5.0, 1),
                    ('k3', 'qa', 'amazon', 's2', '3', 'v1', 'teleported', 'Shipped', 'sar', -1.0, 0.0, 1),
                    -- unpriced while Pending (SP-API): allowed
                    ('k4', 'qa', 'amazon', 's2', '4', 'v1', 'received', 'Pending', null, null, null, 0),
                    -- a Shopify order always has its money
                    ('k5', 'qa', 'shopify', 's1', '5', 'v1', 'received', 'paid', null, null, 0.0000, 1)
                ) as t (order_key, tenant_id, channel, store_id, platform_order_id, version, status,
                        platform_status, currency, total_amount, items_amount, line_count)"""
        )

    outcome = runner.run_suite(
        fct_orders_suite.suite(), SCRATCH_SCHEMA, "fct_orders", run_id="test-fct-orders-suite"
    )

    assert outcome.success is False
    failed = {o.check_name: o.failed_count for o in outcome.failed}
    assert failed == {
        "fct_orders: expect_column_values_to_be_unique(order_key)": 2,
        "fct_orders: expect_column_values_to_be_in_set(status)": 1,
        "fct_orders: expect_column_values_to_match_regex(currency)": 1,
        "fct_orders: expect_column_values_to_be_between(total_amount)": 1,
        "fct_orders: expect_column_values_to_not_be_null(currency)": 1,
        "fct_orders: expect_column_values_to_not_be_null(total_amount)": 1,
    }
    recorded = _rows_for_run(scratch, "test-fct-orders-suite")
    assert len(recorded) == len(outcome.outcomes)
    assert {name for name, (success, _, _) in recorded.items() if not success} == set(failed)


def test_landed_orders_tieout_finds_missing_duplicated_and_unexpected_orders(scratch):
    with scratch.cursor() as cur:
        batch_id = _batch(cur, landed=4)
        for key in ("8000000001", "8000000002", "8000000003"):
            _raw_order(cur, "shopify_orders", "shopify", key, batch_id)
        _raw_order(cur, "shopify_orders", "shopify", "8000000003", batch_id, sha=_sha("a later version"))
        cur.execute("select commit_seq from raw.batches where batch_id = %s", (batch_id,))
        seq = cur.fetchone()[0]
        cur.execute(f"create schema {SCRATCH_SCHEMA}")
        cur.execute(
            f"""create table {SCRATCH_SCHEMA}.fct_orders as
                select * from (values
                    (%(t)s, 'shopify', 'scratch-store', '8000000001', %(seq)s),   -- once: fine
                    (%(t)s, 'shopify', 'scratch-store', '8000000003', %(seq)s),   -- twice: duplicated
                    (%(t)s, 'shopify', 'scratch-store', '8000000003', %(seq)s),
                    (%(t)s, 'shopify', 'scratch-store', '8000000099', %(seq)s)    -- never landed
                ) as t (tenant_id, channel, store_id, platform_order_id, _commit_seq)""",
            {"t": SCRATCH_TENANT, "seq": seq},
        )  # 8000000002 is missing
        # A batch that committed after the mart's watermark is the next run's, not missing.
        later = _batch(cur, landed=1)
        _raw_order(cur, "shopify_orders", "shopify", "8000000004", later)

    outcome = tieouts.landed_orders_once(fct_orders=(SCRATCH_SCHEMA, "fct_orders"))

    assert outcome.success is False
    scratch_tenant = outcome.details["tenants"][SCRATCH_TENANT]
    assert {k: scratch_tenant[k] for k in ("landed", "missing", "duplicated", "unexpected")} == {
        "landed": 3,
        "missing": 1,
        "duplicated": 1,
        "unexpected": 1,
    }
    assert sorted(scratch_tenant["sample"]) == [
        "shopify/scratch-store/8000000002 missing",
        "shopify/scratch-store/8000000003 x2",
        "shopify/scratch-store/8000000099 not landed",
    ]

    runner.record([outcome], run_id="test-landed-once")
    assert _rows_for_run(scratch, "test-landed-once")["every_landed_order_once"][0] is False


def test_batch_ledger_tieout_finds_a_batch_whose_rows_do_not_add_up(scratch):
    with scratch.cursor() as cur:
        batch_id = _batch(cur, landed=2)  # the ledger claims two rows...
        _raw_order(cur, "shopify_orders", "shopify", "7000000001", batch_id)  # ...one is there

    outcome = tieouts.batch_ledger()

    assert outcome.success is False
    problems = {p["batch_id"]: p["problem"] for p in outcome.details["problems"]}
    assert problems[batch_id] == "ledger says 2 landed, raw tables hold 1"

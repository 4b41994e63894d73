"""The whole pipeline on demo data: ingestion -> dbt -> checks, and the numbers reconcile.

One module-scoped run of ``run_once`` on 400 demo orders (seed 7) in a private landing folder,
then a second run with every file delivered again. The expected figures come from the generator's
summary and from reading the demo files here, in plain Python, never from the code under test.
Other tests leave their own small fixtures in the session database; the checks are global (they
prove the whole warehouse), so this module starts from empty raw/app/quality tables and rebuilds
the marts from them (``full_refresh``) on the first run. The second run is incremental.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import reset_raw

pytestmark = pytest.mark.slow

TENANT = "demo"
ORDERS = 400
SEED = 7


# --- the expected figures, from the files ----------------------------------------------------------


def _orders_in(value) -> list[dict]:
    """Order objects in one parsed file: Shopify ``{"orders": [...]}`` / ``{"order": {...}}``,
    Amazon getOrders ``{"payload": {"Orders": [...]}}``; getOrderItems files hold none."""
    if isinstance(value, list):
        return [o for v in value for o in _orders_in(v)]
    if not isinstance(value, dict):
        return []
    if "orders" in value:
        return list(value["orders"])
    if "order" in value:
        return [value["order"]]
    payload = value.get("payload")
    if isinstance(payload, dict) and "Orders" in payload:
        return list(payload["Orders"])
    return []


def latest_totals_from_files(tenant_dir: Path) -> tuple[dict[tuple[str, str, str], Decimal | None], int]:
    """(channel, store, order id) -> the platform's total of the order's latest version, and how many
    files did not parse (the generator's truncated re-deliveries, whose whole records are copies)."""
    latest: dict[tuple[str, str, str], tuple[datetime, Decimal | None]] = {}
    unparsable = 0
    for path in sorted(tenant_dir.glob("*/*/*.json")):
        channel, store = path.parent.parent.name, path.parent.name
        try:
            value = json.loads(path.read_bytes())
        except ValueError:
            unparsable += 1
            continue
        for order in _orders_in(value):
            if channel == "shopify":
                order_id = order.get("id")
                if not isinstance(order_id, int) or isinstance(order_id, bool):
                    continue  # malformed: rejected at landing
                updated = datetime.fromisoformat(order["updated_at"])
                total = Decimal(order["total_price"])
            else:
                order_id = order.get("AmazonOrderId")
                if not isinstance(order_id, str) or not order_id:
                    continue
                updated = datetime.fromisoformat(order["LastUpdateDate"])
                amount = (order.get("OrderTotal") or {}).get("Amount")
                total = Decimal(amount) if amount is not None else None
            key = (channel, store, str(order_id))
            if key not in latest or updated > latest[key][0]:
                latest[key] = (updated, total)
    return {k: total for k, (_, total) in latest.items()}, unparsable


def redeliver(tenant_dir: Path) -> int:
    """Copy every landed file back into its store folder, as a platform re-sending everything."""
    n = 0
    for done in tenant_dir.glob("*/*/_done"):
        for path in done.iterdir():
            shutil.copy2(path, done.parent / path.name)
            n += 1
    return n


# --- reading the warehouse -------------------------------------------------------------------------


def rows(db, query: str, *params) -> list[tuple]:
    with db.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def batches(db, after_batch_id: int = 0) -> list[dict]:
    with db.cursor() as cur:
        cur.execute(
            """select batch_id, source, store_id, file_name, status, fetched_count, landed_count,
                      duplicate_count, rejected_count
               from raw.batches where tenant_id = %s and batch_id > %s order by batch_id""",
            (TENANT, after_batch_id),
        )
        names = [d.name for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def raw_counts(db) -> dict[str, int]:
    return {
        table: rows(db, f"select count(*) from raw.{table} where tenant_id = %s", TENANT)[0][0]
        for table in ("shopify_orders", "amazon_orders", "amazon_order_items")
    } | {"rejects": rows(db, "select count(*) from raw.rejects where tenant_id = %s", TENANT)[0][0]}


def order_versions(db) -> dict[str, str]:
    if rows(db, "select to_regclass('marts.fct_orders')")[0][0] is None:
        return {}  # dbt failed before building it: the run's own assertions say why
    return dict(rows(db, "select order_key, version from marts.fct_orders where tenant_id = %s", TENANT))


def last_run(db) -> dict:
    with db.cursor() as cur:
        cur.execute(
            """select run_id, trigger, status, summary, error from quality.pipeline_runs
               where trigger = 'test-pipeline' order by started_at desc limit 1"""
        )
        names = [d.name for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


def _sum_counts(items: list[dict]) -> dict[str, int]:
    out = dict.fromkeys(("fetched", "landed", "duplicate", "rejected"), 0)
    for b in items:
        for k in out:
            out[k] += b[f"{k}_count"]
    return out


# --- the runs --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipeline(pg, tmp_path_factory):
    """Generate the demo data, run the pipeline twice (the second time with every file re-delivered)
    and keep what each step saw."""
    import psycopg2

    from ingestion.demo import generate, load_demo_catalog
    from orchestration.pipeline import run_once

    landing = tmp_path_factory.mktemp("landing")
    previous_landing = os.environ.get("OMS_LANDING_DIR")
    os.environ["OMS_LANDING_DIR"] = str(landing)
    conn = psycopg2.connect(pg)
    conn.autocommit = True
    try:
        reset_raw(conn)
        summary = generate(landing, TENANT, ORDERS, SEED)
        load_demo_catalog(landing, TENANT)
        expected_totals, unparsable = latest_totals_from_files(landing / TENANT)
        first_batch = rows(conn, "select coalesce(max(batch_id), 0) from raw.batches")[0][0]

        first_rc = run_once(trigger="test-pipeline", full_refresh=True)
        first = {
            "rc": first_rc,
            "run": last_run(conn),
            "batches": batches(conn, first_batch),
            "raw": raw_counts(conn),
            "versions": order_versions(conn),
            "pending_after": sorted(p.name for p in (landing / TENANT).glob("*/*/*.json")),
        }

        redelivered = redeliver(landing / TENANT)
        second_batch = rows(conn, "select max(batch_id) from raw.batches")[0][0]
        second_rc = run_once(trigger="test-pipeline")
        second = {
            "rc": second_rc,
            "run": last_run(conn),
            "batches": batches(conn, second_batch),
            "raw": raw_counts(conn),
            "versions": order_versions(conn),
            "redelivered": redelivered,
        }
        yield {
            "summary": summary,
            "expected_totals": expected_totals,
            "unparsable": unparsable,
            "first": first,
            "second": second,
            "db": conn,
        }
    finally:
        conn.close()
        if previous_landing is None:
            os.environ.pop("OMS_LANDING_DIR", None)
        else:
            os.environ["OMS_LANDING_DIR"] = previous_landing


def test_first_run_succeeds_and_lands_every_file(pipeline):
    first = pipeline["first"]
    assert first["rc"] == 0, first["run"]
    assert first["run"]["status"] == "success"
    assert first["pending_after"] == []  # every file landed and moved to _done/
    totals = pipeline["summary"].expected["totals"]
    assert len(first["batches"]) == totals["files"]
    assert {b["status"] for b in first["batches"]} == {"committed"}


def test_every_batch_adds_up_and_the_ledger_matches_what_was_written(pipeline):
    first = pipeline["first"]
    for b in first["batches"]:
        assert b["fetched_count"] == b["landed_count"] + b["duplicate_count"] + b["rejected_count"], b

    ledger = pipeline["summary"].expected["ledger"]
    shopify = _sum_counts([b for b in first["batches"] if b["source"] == "shopify"])
    amazon = _sum_counts([b for b in first["batches"] if b["source"] == "amazon"])
    assert shopify == ledger["shopify_orders"]
    assert amazon == {k: ledger["amazon_orders"][k] + ledger["amazon_order_items"][k] for k in amazon}

    totals = pipeline["summary"].expected["totals"]
    assert first["raw"] == {
        "shopify_orders": ledger["shopify_orders"]["landed"],
        "amazon_orders": ledger["amazon_orders"]["landed"],
        "amazon_order_items": ledger["amazon_order_items"]["landed"],
        "rejects": totals["malformed_total"],
    }
    assert pipeline["unparsable"] == totals["truncated_files"]

    summary = first["run"]["summary"]
    all_batches = _sum_counts(first["batches"])
    assert (summary["batches"], summary["landed"], summary["duplicate"], summary["rejected"]) == (
        len(first["batches"]),
        all_batches["landed"],
        all_batches["duplicate"],
        all_batches["rejected"],
    )


def test_every_landed_order_is_in_fct_orders_exactly_once(pipeline):
    db = pipeline["db"]
    landed = set(
        rows(
            db,
            """select 'shopify', store_id, natural_key from raw.shopify_orders where tenant_id = %s
               union
               select 'amazon', store_id, natural_key from raw.amazon_orders where tenant_id = %s""",
            TENANT,
            TENANT,
        )
    )
    in_mart = rows(
        db,
        "select channel, store_id, platform_order_id from marts.fct_orders where tenant_id = %s",
        TENANT,
    )
    assert len(in_mart) == len(set(in_mart))  # once
    assert set(in_mart) == landed  # every landed order, nothing else
    assert len(landed) == pipeline["summary"].expected["totals"]["orders"]
    assert set(pipeline["expected_totals"]) == landed


def test_order_totals_tie_out_to_the_latest_payloads_to_the_cent(pipeline):
    db = pipeline["db"]
    in_mart = {
        (channel, store, order_id): total
        for channel, store, order_id, total in rows(
            db,
            """select channel, store_id, platform_order_id, total_amount
               from marts.fct_orders where tenant_id = %s""",
            TENANT,
        )
    }
    expected = pipeline["expected_totals"]
    differences = {
        k: (expected.get(k), in_mart.get(k))
        for k in expected.keys() | in_mart.keys()
        if expected.get(k) != in_mart.get(k)
    }
    assert differences == {}
    assert sum(v for v in in_mart.values() if v is not None) == sum(
        v for v in expected.values() if v is not None
    )


def test_order_lines_add_up_to_items_amount(pipeline):
    mismatches = rows(
        pipeline["db"],
        """select o.order_key, o.items_amount, l.line_amount, o.line_count, l.lines
           from marts.fct_orders as o
           left join (
               select order_key, sum(line_amount) as line_amount, count(*) as lines
               from marts.fct_order_lines where tenant_id = %s group by order_key
           ) as l on l.order_key = o.order_key
           where o.tenant_id = %s
             and (o.items_amount is distinct from l.line_amount or o.line_count <> coalesce(l.lines, 0))""",
        TENANT,
        TENANT,
    )
    assert mismatches == []
    priced = rows(
        pipeline["db"],
        "select count(*) from marts.fct_orders where tenant_id = %s and items_amount > 0",
        TENANT,
    )[0][0]
    assert priced > ORDERS // 2  # the comparison above is not vacuous


def test_unknown_platform_statuses_surface_as_exceptions(pipeline):
    db = pipeline["db"]
    unmapped = rows(
        db,
        """select o.channel, o.platform_status, o.status, o.exception_types
           from marts.fct_orders as o
           where o.tenant_id = %s
             and not exists (
                 select 1 from reference.channel_status_map as m
                 where m.channel = o.channel and m.platform_status = o.platform_status
             )""",
        TENANT,
    )
    assert len(unmapped) == pipeline["summary"].expected["totals"]["unknown_statuses"] > 0
    for _channel, _platform_status, status, exception_types in unmapped:
        assert status == "exception"
        assert "unmapped_status" in exception_types
    flagged = rows(
        db,
        """select count(*) from marts.fct_orders
           where tenant_id = %s and 'unmapped_status' = any(exception_types)""",
        TENANT,
    )[0][0]
    assert flagged == len(unmapped)


def test_unknown_carriers_surface_in_the_exception_queue(pipeline):
    """The demo's deliberately unknown carriers (pools.UNKNOWN_CARRIERS, counted by the summary as
    unknown_carriers) are exactly the orders with unknown_carrier; every other carrier name the
    demo sends is in carrier_aliases. Each is in the queue with a reason and 3 suggestions."""
    db = pipeline["db"]
    unknown = rows(
        db,
        """select o.order_key, o.status, o.platform_carrier_name, o.carrier_code
           from marts.fct_orders as o
           where o.tenant_id = %s and 'unknown_carrier' = any(o.exception_types)""",
        TENANT,
    )
    assert len(unknown) == pipeline["summary"].expected["totals"]["unknown_carriers"] > 0
    from ingestion.demo import pools

    for _key, status, carrier_name, carrier_code in unknown:
        assert status == "exception"
        assert carrier_name in pools.UNKNOWN_CARRIERS and carrier_code is None
    mapped = rows(
        db,
        """select count(*) from marts.fct_orders
           where tenant_id = %s and platform_carrier_name is not null and carrier_code is not null""",
        TENANT,
    )[0][0]
    assert mapped > 0
    queued = rows(
        db,
        """select order_key, reason, jsonb_array_length(suggestions) from marts.fct_order_exceptions
           where tenant_id = %s and exception_type = 'unknown_carrier'""",
        TENANT,
    )
    assert sorted(q[0] for q in queued) == sorted(u[0] for u in unknown)
    assert all(reason and n == 3 for _, reason, n in queued)


def test_check_results_are_recorded_and_pass(pipeline):
    run = pipeline["first"]["run"]
    results = {
        name: (success, evaluated)
        for name, success, evaluated in rows(
            pipeline["db"],
            "select check_name, success, evaluated_count from quality.check_results where run_id = %s",
            run["run_id"],
        )
    }
    for name in (
        "every_landed_order_once",
        "batch_ledger_reconciles",
        "shopify_batches_committed",
        "amazon_batches_committed",
        "fct_orders: expect_column_values_to_be_unique(order_key)",
        "raw_shopify_orders: expect_column_values_to_match_regex(payload_sha256)",
        "raw_amazon_orders: expect_column_values_to_not_be_null(natural_key)",
        "raw_amazon_order_items: expect_column_values_to_not_be_null(parent_key)",
    ):
        assert name in results, f"{name} not recorded; recorded: {sorted(results)}"
    assert {name for name, (success, _) in results.items() if not success} == set()
    assert results["every_landed_order_once"][1] >= ORDERS
    summary = run["summary"]
    assert summary["checks_failed"] == 0 and summary["checks_passed"] >= 8
    assert summary["dbt_models"] > 0 and summary["dbt_tests_failed"] == 0


def test_a_second_run_of_the_same_files_lands_nothing_and_changes_no_order(pipeline):
    first, second = pipeline["first"], pipeline["second"]
    assert second["rc"] == 0, second["run"]
    assert second["redelivered"] == pipeline["summary"].expected["totals"]["files"]
    assert len(second["batches"]) == second["redelivered"]
    counts = _sum_counts(second["batches"])
    assert counts["landed"] == 0
    assert counts["duplicate"] + counts["rejected"] == counts["fetched"] > 0
    assert second["raw"] == first["raw"]  # rejects are not stored twice either
    assert second["versions"] == first["versions"]

"""Exception coverage: the mart marts.fct_exception_coverage_daily, the Great Expectations suite
`coverage` with its thresholds, and the Exception coverage page.

First a small landed dataset (tests/test_dbt.py's helpers, dbt in process) with one store-day over
a threshold: acme's Shopify store on 2024-05-01 (UTC) has 13 orders, 4 of them with an unknown
carrier (31%, above the 30% rule for store-days of 10+ orders). The same store has 3 orders on
2024-05-03, 2 with an unknown carrier: a higher rate, but too few orders to be judged. Then the
demo data, built by the whole pipeline as tests/test_app.py builds it, on which the suite passes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from decimal import Decimal
from typing import Any

import dagster as dg
import psycopg2
import psycopg2.extensions
import pytest
from test_dbt import (
    ACME,
    ACME_AMAZON,
    ACME_SHOP,
    GLOBEX,
    GLOBEX_SHOP,
    amazon_order,
    dbt,
    fetch,
    land,
    reset_with_two_tenants,
    shopify_order,
)

from warehouse import settings

TYPES = ("unmapped_product", "unresolved_address", "unknown_carrier", "unmapped_status", "missing_fx_rate")
BUSY_DAY, QUIET_DAY, AMAZON_DAY = date(2024, 5, 1), date(2024, 5, 3), date(2024, 5, 2)
PAGE = "app_pages/exception_coverage.py"


def _shopify(order_id: str, created_at: str, **overrides: Any) -> tuple[str, None, dict[str, Any]]:
    return (order_id, None, shopify_order(order_id, name=f"#{order_id}", created_at=created_at, **overrides))


def _shipped_with(order_id: str, created_at: str, carrier: str, **overrides: Any) -> tuple[str, None, dict]:
    """A fulfilled Shopify order shipped with ``carrier``."""
    return _shopify(
        order_id,
        created_at,
        fulfillment_status="fulfilled",
        financial_status="paid",
        updated_at="2024-05-04T10:00:00+03:00",
        fulfillments=[
            {
                "id": 6_100_000 + int(order_id),
                "created_at": "2024-05-04T10:00:00+03:00",
                "status": "success",
                "tracking_company": carrier,
                "tracking_numbers": [f"TN{order_id}"],
            }
        ],
        **overrides,
    )


def read(conn: psycopg2.extensions.connection, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    """``fetch``, then end the transaction: an idle one would hold locks that a later dbt build
    (this module's pipeline run) waits for."""
    with conn:
        return fetch(conn, sql, params)


@pytest.fixture(scope="module")
def owner(pg: str) -> Iterator[psycopg2.extensions.connection]:
    conn = psycopg2.connect(pg)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def built(owner: psycopg2.extensions.connection) -> dict[str, Any]:
    reset_with_two_tenants(owner)
    morning = "2024-05-01T10:00:00+03:00"  # 07:00 UTC
    busy_day = [
        *(_shipped_with(str(9100 + n), morning, "FastFalcon Couriers") for n in range(3)),
        # an unknown carrier and no GBP rate: one order in exception, counted in both types
        _shipped_with("9103", morning, "FastFalcon Couriers", currency="GBP"),
        *(_shopify(str(9110 + n), morning, fulfillment_status="restocked") for n in range(2)),
        _shipped_with("9120", morning, "Aramex"),  # a known carrier
        *(_shopify(str(9130 + n), morning) for n in range(5)),
        # 01:00 in Riyadh on 2 May is 22:00 UTC on 1 May: the UTC day counts
        _shopify("9140", "2024-05-02T01:00:00+03:00"),
    ]
    quiet_day = [
        *(
            _shipped_with(str(9200 + n), "2024-05-03T12:00:00+03:00", "Desert Hawk Logistics")
            for n in range(2)
        ),
        _shopify("9210", "2024-05-03T12:00:00+03:00"),
    ]
    land(owner, ACME, "shopify", ACME_SHOP, "shopify_orders", busy_day + quiet_day)
    unfulfillable, unknown_status, clean = "402-0000000-0000101", "402-0000000-0000102", "402-0000000-0000103"
    land(
        owner,
        ACME,
        "amazon",
        ACME_AMAZON,
        "amazon_orders",
        [
            (unfulfillable, None, amazon_order(unfulfillable, "Unfulfillable")),  # the status map's own type
            (unknown_status, None, amazon_order(unknown_status, "PendingPickup")),  # not in the map
            (clean, None, amazon_order(clean, "Unshipped")),
        ],
    )
    land(
        owner,
        GLOBEX,
        "shopify",
        GLOBEX_SHOP,
        "shopify_orders",
        [("7101", None, shopify_order("7101", name="#7101", currency="AED", total_price="100.00"))],
    )
    dbt("seed", "--full-refresh")
    results = dbt("build", "--full-refresh")
    coverage = read(owner, "select * from marts.fct_exception_coverage_daily order by 1, 2, 3, 4")
    orders = read(
        owner,
        """select tenant_id, store_id, channel, ordered_at, exception_types
           from marts.fct_orders order by tenant_id, order_key""",
    )
    return {
        "results": {r.node.name: str(r.status) for r in results},
        "coverage": {(r["tenant_id"], r["store_id"], r["channel"], r["order_date"]): r for r in coverage},
        "orders": orders,
    }


# --- the mart -------------------------------------------------------------------------------------


def test_the_build_tests_the_mart(built: dict[str, Any]) -> None:
    results = built["results"]
    assert results["fct_exception_coverage_daily"] == "success"
    assert results["assert_exception_coverage_ties_out_to_fct_orders"] == "pass"
    assert results["exception_coverage_counts_by_type_per_store_day"] == "pass"  # the unit test
    assert results["exception_rate_thresholds"] == "success"  # the seed


def test_counts_and_rates_per_store_day(built: dict[str, Any]) -> None:
    coverage = built["coverage"]
    assert set(coverage) == {
        (ACME, ACME_AMAZON, "amazon", AMAZON_DAY),
        (ACME, ACME_SHOP, "shopify", BUSY_DAY),
        (ACME, ACME_SHOP, "shopify", QUIET_DAY),
        (GLOBEX, GLOBEX_SHOP, "shopify", BUSY_DAY),
    }

    busy = coverage[(ACME, ACME_SHOP, "shopify", BUSY_DAY)]
    assert busy["order_count"] == 13  # 12 placed that morning and one late at night Riyadh time
    assert (busy["unknown_carrier_count"], busy["unknown_carrier_rate"]) == (4, Decimal("0.3077"))
    assert (busy["unmapped_status_count"], busy["unmapped_status_rate"]) == (2, Decimal("0.1538"))
    assert (busy["missing_fx_rate_count"], busy["missing_fx_rate_rate"]) == (1, Decimal("0.0769"))
    assert busy["other_exception_count"] == 0

    quiet = coverage[(ACME, ACME_SHOP, "shopify", QUIET_DAY)]
    assert (quiet["order_count"], quiet["unknown_carrier_count"], quiet["unknown_carrier_rate"]) == (
        3,
        2,
        Decimal("0.6667"),
    )

    amazon = coverage[(ACME, ACME_AMAZON, "amazon", AMAZON_DAY)]
    assert amazon["order_count"] == 3
    assert (amazon["other_exception_count"], amazon["other_exception_rate"]) == (1, Decimal("0.3333"))
    assert (amazon["unmapped_status_count"], amazon["unknown_carrier_count"]) == (1, 0)

    assert coverage[(GLOBEX, GLOBEX_SHOP, "shopify", BUSY_DAY)]["order_count"] == 1


def test_every_count_matches_the_orders_exception_types(built: dict[str, Any]) -> None:
    """Recounted from fct_orders in Python: whatever types the orders carry (including types the
    pipeline adds later), the mart counts them by membership, and every rate is count / orders."""
    expected: dict[tuple, Counter] = {}
    for o in built["orders"]:
        key = (o["tenant_id"], o["store_id"], o["channel"], o["ordered_at"].astimezone(UTC).date())
        counts = expected.setdefault(key, Counter())
        types = set(o["exception_types"])
        counts["order_count"] += 1
        counts["exception_order_count"] += bool(types)
        for t in TYPES:
            counts[f"{t}_count"] += t in types
        counts["other_exception_count"] += bool(types - set(TYPES))
    assert set(expected) == set(built["coverage"])
    for key, counts in expected.items():
        row = built["coverage"][key]
        assert {k: row[k] for k in counts} == dict(counts), key
        n = row["order_count"]
        assert row["exception_rate"] == round(Decimal(row["exception_order_count"]) / n, 4)
        for t in TYPES:
            assert row[f"{t}_rate"] == round(Decimal(row[f"{t}_count"]) / n, 4), (key, t)
        assert row["other_exception_rate"] == round(Decimal(row["other_exception_count"]) / n, 4)


def test_the_app_role_sees_only_its_tenants_coverage(built: dict[str, Any]) -> None:
    conn = psycopg2.connect(settings.app_database_url())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("select count(*) from marts.fct_exception_coverage_daily")
            assert cur.fetchone()[0] == 0  # no tenant set: nothing
            for tenant in (ACME, GLOBEX):
                cur.execute("select set_config('app.tenant_id', %s, false)", (tenant,))
                cur.execute("select distinct tenant_id from marts.fct_exception_coverage_daily")
                assert cur.fetchall() == [(tenant,)]
    finally:
        conn.close()


# --- the suite and its thresholds -----------------------------------------------------------------


def test_thresholds_are_the_seed_and_name_each_rule() -> None:
    from apps.streamlit import queries
    from expectations import coverage

    rules = coverage.load_thresholds()
    assert {r.exception_type for r in rules} == set(coverage.RATE_COLUMNS)  # every type has a rule
    assert len({(r.exception_type, r.min_orders) for r in rules}) == len(rules)
    assert all(r.note for r in rules)
    suite = coverage.suite()
    assert [e.description for e in suite.expectations] == [r.label for r in rules]
    assert "unknown_carrier_rate <= 30% on store-days with >= 10 orders" in {r.label for r in rules}
    # the app's copy of the type -> columns mapping (it must not import Great Expectations)
    assert {k: (count, rate) for k, (_, count, rate) in queries.COVERAGE_TYPES.items()} == {
        k: (count, rate) for k, (rate, count) in coverage.RATE_COLUMNS.items()
    }
    with pytest.raises(ValueError, match="unknown exception_type"):
        coverage.Threshold("unmapped_sku", 10, Decimal("0.1"))
    with pytest.raises(ValueError, match="max_rate"):
        coverage.Threshold("unknown_carrier", 10, Decimal("1.5"))


def test_suite_fails_on_the_store_day_over_its_threshold_and_names_it(
    built: dict[str, Any], owner: psycopg2.extensions.connection
) -> None:
    from expectations import coverage, runner

    outcome = runner.run_suite(
        coverage.suite(),
        coverage.SCHEMA,
        coverage.TABLE,
        run_id="test-coverage-suite",
        result_format=coverage.result_format(),
    )

    assert outcome.success is False
    by_rule = {o.check_name.removeprefix("coverage: "): o for o in outcome.outcomes}
    carrier = by_rule["unknown_carrier_rate <= 30% on store-days with >= 10 orders"]
    assert (carrier.success, carrier.evaluated_count, carrier.failed_count) == (False, 1, 1)
    assert carrier.details["meta"]["exception_type"] == "unknown_carrier"
    assert carrier.details["result"]["unexpected_index_list"] == [
        {
            "tenant_id": ACME,
            "store_id": ACME_SHOP,
            "channel": "shopify",
            "order_date": "2024-05-01",
            "order_count": 13,
            "unknown_carrier_rate": "0.3077",  # a Decimal, kept exact as text
        }
    ]
    # the quiet day's 67% and the Amazon day's 33% "other" are on too few orders to be judged
    for o in outcome.failed:
        for store_day in o.details["result"]["unexpected_index_list"]:
            assert store_day["order_count"] >= 10, (o.check_name, store_day)
    assert by_rule["unmapped_status_rate <= 30% on store-days with >= 10 orders"].success
    assert by_rule["other_exception_rate <= 50% on store-days with >= 10 orders"].success

    # each rule is a row of quality.check_results, the failing one with its store-day
    recorded = read(
        owner,
        """select check_name, success, evaluated_count, failed_count, details
           from quality.check_results where run_id = 'test-coverage-suite'""",
    )
    assert len(recorded) == len(coverage.load_thresholds())
    row = next(r for r in recorded if r["check_name"] == carrier.check_name)
    assert (row["success"], row["failed_count"]) == (False, 1)
    assert row["details"]["result"]["unexpected_index_list"][0]["store_id"] == ACME_SHOP


def test_a_rule_applies_from_its_min_orders_up_to_its_max_rate(built: dict[str, Any]) -> None:
    """Thresholds are data: the same store-day (13 orders, 30.77%) passes a looser or a
    larger-store rule and fails a tighter one."""
    from expectations import coverage, runner

    def passes(min_orders: int, max_rate: str) -> bool:
        rule = coverage.Threshold("unknown_carrier", min_orders, Decimal(max_rate))
        return runner.validate_table(
            coverage.suite([rule]), coverage.SCHEMA, coverage.TABLE, result_format=coverage.result_format()
        ).success

    assert not passes(13, "0.30")
    assert passes(14, "0.30")  # 13 orders: not judged
    assert passes(13, "0.31")
    assert not passes(2, "0.60")  # now the quiet day (3 orders, 66.67%) is judged too


def test_the_dagster_check_warns_with_the_store_days_and_records_them(
    built: dict[str, Any], owner: psycopg2.extensions.connection
) -> None:
    from expectations import coverage
    from orchestration.quality import FCT_EXCEPTION_COVERAGE_DAILY, coverage_suite
    from orchestration.resources import WarehouseResource

    assert FCT_EXCEPTION_COVERAGE_DAILY == dg.AssetKey(["marts", "fct_exception_coverage_daily"])
    context = dg.build_asset_check_context(resources={"warehouse": WarehouseResource()})
    result = coverage_suite(context)

    assert isinstance(result, dg.AssetCheckResult)
    assert result.passed is False
    assert result.severity == dg.AssetCheckSeverity.WARN  # the pipeline run itself succeeds
    failures = result.metadata["failures"].value
    carrier = next(f for f in failures if "unknown_carrier_rate <= 30%" in f["check"])
    assert carrier["result"]["unexpected_index_list"][0]["order_date"] == "2024-05-01"
    recorded = read(
        owner,
        "select check_name, success from quality.check_results where run_id = %s",
        (context.op_execution_context.run_id,),
    )
    assert len(recorded) == len(coverage.load_thresholds())
    assert {r["check_name"] for r in recorded if not r["success"]} == {f["check"] for f in failures}


def test_the_page_shows_the_store_day_over_its_threshold(built: dict[str, Any]) -> None:
    """After the check above, acme's reviewer sees the breach, live from the mart and in the
    suite's latest result, with acme's stores only."""
    import streamlit as st
    from test_app import PASSWORD, email, sign_in, table

    from warehouse.users import add_user

    add_user(email("reviewer", ACME), PASSWORD, "reviewer", ACME, "Reviewer acme", created_by="test")
    st.cache_data.clear()
    at = sign_in("reviewer", ACME)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception

    assert [t.value for t in at.title] == ["Exception coverage"]
    breaches = table(at, "With the exception")
    carrier = breaches[breaches["Exception type"] == "Unknown carrier"]
    assert carrier[["Day (UTC)", "Orders", "With the exception", "Rate", "Threshold"]].values.tolist() == [
        ["2024-05-01", 13, 4, "30.8%", "≤ 30%"]
    ]
    stores = table(at, "Threshold that day")
    assert set(stores["Store"]) == {"Acme KSA", "Acme Amazon.sa"}
    assert [w.value for w in at.warning] and "coverage rules passed" in at.warning[0].value
    suite = table(at, "Your store-days over")
    carrier_rule = suite[suite["Rule"] == "unknown_carrier_rate <= 30% on store-days with >= 10 orders"]
    assert carrier_rule["Your store-days over"].tolist() == ["Acme KSA 2024-05-01"]

    at.selectbox(key="coverage_type").select("unknown_carrier").run()
    assert not at.exception, at.exception
    stores = table(at, "Threshold that day")
    shop = stores[stores["Store"] == "Acme KSA"].iloc[0]
    # 6 of 16 orders over both days; the latest day (3 orders) is not judged; one day is over
    assert (shop["Orders"], shop["Unknown carrier"], shop["Rate"]) == (16, 6, "37.5%")
    assert (shop["Latest day"], shop["Threshold that day"]) == ("2024-05-03", "not judged (too few orders)")
    assert (shop["Days judged"], shop["Days over"], shop["Status"]) == (1, 1, "over")


# --- the demo data, the whole pipeline, and the page per role ---------------------------------------


# Big enough that the larger stores have store-days of 10+ orders, so the thresholds are applied
# (test_app's 300 orders never reach them); every channel, as `oms serve` generates it.
DEMO_TENANTS = {"demo": (3000, 42), "acme": (400, 7)}


@pytest.fixture(scope="module")
def demo(pg: str) -> dict[str, Any]:
    """Both demo tenants generated, landed and built by run_once (the whole pipeline with its
    checks), with tests/test_app.py's user per role and tenant."""
    import os
    import shutil
    from pathlib import Path

    import streamlit as st
    import test_app
    from conftest import reset_raw

    from ingestion.demo import ALL_CHANNELS, generate
    from orchestration.pipeline import run_once
    from warehouse.users import add_user

    test_app._LOADED.pop(pg, None)  # the data test_app loaded is gone from here on
    conn = psycopg2.connect(pg)
    conn.autocommit = True
    try:
        reset_raw(conn)
    finally:
        conn.close()
    landing = Path(os.environ["OMS_LANDING_DIR"])
    shutil.rmtree(landing, ignore_errors=True)
    landing.mkdir(parents=True)
    for tenant, (orders, seed) in DEMO_TENANTS.items():
        generate(landing, tenant, orders, seed, channels=ALL_CHANNELS)
    exit_code = run_once(trigger="test", full_refresh=True)
    assert exit_code == 0, "the pipeline run failed"
    for tenant in DEMO_TENANTS:
        for role in test_app.ROLES:
            add_user(
                test_app.email(role, tenant),
                test_app.PASSWORD,
                role,
                tenant,
                f"{role.title()} {tenant}",
                created_by="test",
            )
    st.cache_data.clear()
    return {"exit_code": exit_code}


def _owner_rows(sql: str, params: tuple = ()) -> list[tuple]:
    from test_app import owner_rows

    return owner_rows(settings.database_url(), sql, params)


def test_the_suite_passes_on_the_demo_data_in_the_pipeline_run(demo: dict[str, Any]) -> None:
    from expectations import coverage

    rows = _owner_rows(
        """select check_name, success, evaluated_count, run_id from quality.check_results
           where check_name like 'coverage: %%' order by check_result_id"""
    )
    assert len(rows) == len(coverage.load_thresholds())  # one run, one row per rule
    assert len({r[3] for r in rows}) == 1 and rows[0][3] is not None
    assert all(success for _, success, _, _ in rows), [r for r in rows if not r[1]]
    judged = max(evaluated for _, _, evaluated, _ in rows)
    assert judged > 0, "no demo store-day has enough orders to be judged"
    days = _owner_rows(
        "select tenant_id, count(*), sum(order_count) from marts.fct_exception_coverage_daily group by 1"
    )
    orders = dict(_owner_rows("select tenant_id, count(*) from marts.fct_orders group by 1"))
    assert {t: int(n) for t, _, n in days} == orders


def _default_range(tenant: str) -> tuple[date, date]:
    first, last = _owner_rows(
        """select min(order_date), max(order_date) from marts.fct_exception_coverage_daily
           where tenant_id = %s""",
        (tenant,),
    )[0]
    return max(first, last - timedelta(days=27)), last


@pytest.mark.parametrize("role", ["reviewer", "ops"])
def test_the_page_for_reviewer_and_ops(demo: dict[str, Any], role: str) -> None:
    from test_app import sign_in, table

    from expectations import coverage

    at = sign_in(role, "demo")
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Exception coverage"]

    start, end = _default_range("demo")
    orders, excepted, stores = _owner_rows(
        """select sum(order_count), sum(exception_order_count), count(distinct store_id)
           from marts.fct_exception_coverage_daily
           where tenant_id = 'demo' and order_date between %s and %s""",
        (start, end),
    )[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Orders"] == f"{orders:,}"
    assert metrics["Any exception"] == f"{excepted:,}"
    assert metrics["Store-days over a threshold"] == "0"
    assert len(table(at, "Threshold that day")) == stores
    charts = [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]
    assert len(charts) == 1 and '"rate"' in charts[0].proto.spec
    rules = len(coverage.load_thresholds())
    assert [s.value for s in at.success][0] == "No store-day in these filters is over its threshold."
    assert at.success[1].value.startswith(f"{rules} of {rules} coverage rules passed")

    # filters: Shopify only, one exception type, lines per store
    at.multiselect(key="coverage_channels").select("shopify").run()
    at.selectbox(key="coverage_type").select("unmapped_status").run()
    at.segmented_control(key="coverage_by").set_value("store").run()
    assert not at.exception, at.exception
    orders, statuses, shopify_stores = _owner_rows(
        """select sum(order_count), sum(unmapped_status_count), count(distinct store_id)
           from marts.fct_exception_coverage_daily
           where tenant_id = 'demo' and channel = 'shopify' and order_date between %s and %s""",
        (start, end),
    )[0]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Orders"], metrics["Unmapped status"]) == (f"{orders:,}", f"{statuses:,}")
    per_store = table(at, "Threshold that day")
    assert set(per_store["Channel"]) == {"shopify"} and len(per_store) == shopify_stores
    assert per_store["Unmapped status"].sum() == statuses

    # a shorter range: the last 7 days
    at.date_input(key="coverage_dates").set_value((end - timedelta(days=6), end)).run()
    week = _owner_rows(
        """select sum(order_count) from marts.fct_exception_coverage_daily
           where tenant_id = 'demo' and channel = 'shopify' and order_date between %s and %s""",
        (end - timedelta(days=6), end),
    )[0][0]
    assert {m.label: m.value for m in at.metric}["Orders"] == f"{week:,}"


def test_acme_sees_only_its_stores(demo: dict[str, Any]) -> None:
    from test_app import sign_in, table

    at = sign_in("ops", "acme")
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    names = set(table(at, "Threshold that day")["Store"])
    acme_names = {r[0] for r in _owner_rows("select name from marts.dim_stores where tenant_id = 'acme'")}
    assert names and names <= acme_names


def test_finance_does_not_get_the_page(demo: dict[str, Any]) -> None:
    from test_app import sign_in

    from apps.streamlit.navigation import ROLE_PAGES

    assert "exception_coverage" not in ROLE_PAGES["finance"]
    assert {"reviewer", "ops", "admin"} <= {
        r for r, keys in ROLE_PAGES.items() if "exception_coverage" in keys
    }
    at = sign_in("finance", "demo")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_the_check_is_in_the_job_and_its_rules_on_the_pipeline_page(demo: dict[str, Any]) -> None:
    from test_app import sign_in, table

    from expectations import coverage
    from orchestration.definitions import defs

    job = defs.resolve_job_def("everything")
    checks = {(c.asset_key.to_user_string(), c.name) for c in job.asset_layer.asset_graph.asset_check_keys}
    assert ("marts/fct_exception_coverage_daily", "coverage_suite") in checks

    at = sign_in("ops", "demo")
    at.switch_page("app_pages/pipeline.py").run()
    assert not at.exception, at.exception
    shown = table(at, "Check")
    rules = shown[shown["Check"].str.startswith("coverage: ")]
    assert set(rules["Check"]) == {f"coverage: {r.label}" for r in coverage.load_thresholds()}
    assert set(rules["Asset"]) == {"marts.fct_exception_coverage_daily"}
    assert set(rules["Passed"]) == {"yes"}

"""The exception queue (marts.fct_order_exceptions) and carrier mapping on the session's Postgres.

A small landed dataset holds one order per exception type (unknown carrier, unmapped status,
Amazon Unfulfillable, missing FX rate) beside clean orders (a known carrier, a carrier named by an
alias for another channel's spelling, no carrier yet, an older fulfillment with an unknown carrier
followed by a known one). Raw rows are landed with tests/test_dbt.py's helpers, dbt runs in
process, and the queue is read as the owner and as the app's role (row-level security).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


def _fulfilled(order_id: str, *companies: str, **overrides: Any) -> dict[str, Any]:
    """A fulfilled Shopify order with one fulfillment per carrier name, oldest first."""
    fulfillments = [
        {
            "id": 5_200_000 + n,
            "created_at": f"2024-05-0{2 + n}T10:00:00+03:00",
            "status": "success",
            "tracking_company": company,
            "tracking_numbers": [f"TN{order_id}{n}"],
        }
        for n, company in enumerate(companies)
    ]
    return shopify_order(
        order_id,
        name=f"#{order_id[-4:]}",
        fulfillment_status="fulfilled",
        financial_status="paid",
        updated_at="2024-05-05T10:00:00+03:00",
        fulfillments=fulfillments,
        **overrides,
    )


@pytest.fixture(scope="module")
def owner(pg: str) -> Iterator[psycopg2.extensions.connection]:
    conn = psycopg2.connect(pg)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def built(owner: psycopg2.extensions.connection) -> dict[str, Any]:
    reset_with_two_tenants(owner)
    land(
        owner,
        ACME,
        "shopify",
        ACME_SHOP,
        "shopify_orders",
        [
            ("9001", None, _fulfilled("9001", "FastFalcon Couriers")),  # unknown carrier
            ("9002", None, _fulfilled("9002", " ARAMEX ")),  # known, case and spaces aside
            ("9003", None, _fulfilled("9003", "FastFalcon Couriers", "سمسا")),  # the latest wins
            ("9004", None, shopify_order("9004", name="#9004")),  # no carrier yet: no exception
            ("9005", None, shopify_order("9005", name="#9005", fulfillment_status="restocked")),
            ("9006", None, shopify_order("9006", name="#9006", currency="GBP")),  # no GBP rate
        ],
    )
    unfulfillable = "402-0000000-0000001"
    land(
        owner,
        ACME,
        "amazon",
        ACME_AMAZON,
        "amazon_orders",
        [(unfulfillable, None, amazon_order(unfulfillable, "Unfulfillable"))],
    )
    land(
        owner,
        GLOBEX,
        "shopify",
        GLOBEX_SHOP,
        "shopify_orders",
        [("7001", None, _fulfilled("7001", "Desert Hawk Logistics", currency="AED"))],
    )
    dbt("seed", "--full-refresh")
    dbt("build", "--full-refresh")
    orders = {r["platform_order_id"]: r for r in fetch(owner, "select * from marts.fct_orders")}
    exceptions = fetch(owner, "select * from marts.fct_order_exceptions order by tenant_id, exception_key")
    return {"orders": orders, "exceptions": exceptions}


def test_carriers_are_mapped_and_unknown_ones_are_exceptions(built: dict[str, Any]) -> None:
    orders = built["orders"]
    assert (orders["9001"]["platform_carrier_name"], orders["9001"]["carrier_code"]) == (
        "FastFalcon Couriers",
        None,
    )
    assert orders["9001"]["status"] == "exception"
    assert orders["9001"]["exception_types"] == ["unknown_carrier"]
    assert (orders["9002"]["carrier_code"], orders["9002"]["status"], orders["9002"]["exception_types"]) == (
        "aramex",
        "shipped",
        [],
    )
    assert (orders["9003"]["platform_carrier_name"], orders["9003"]["carrier_code"]) == ("سمسا", "smsa")
    assert orders["9003"]["exception_types"] == []
    assert (orders["9004"]["platform_carrier_name"], orders["9004"]["carrier_code"]) == (None, None)
    assert (orders["9004"]["status"], orders["9004"]["exception_types"]) == ("received", [])
    assert orders["402-0000000-0000001"]["platform_carrier_name"] is None


def test_every_exception_type_is_in_the_queue_with_a_reason(
    built: dict[str, Any], owner: psycopg2.extensions.connection
) -> None:
    expected = sorted(
        (o["tenant_id"], o["order_key"], t) for o in built["orders"].values() for t in o["exception_types"]
    )
    queued = sorted((e["tenant_id"], e["order_key"], e["exception_type"]) for e in built["exceptions"])
    assert queued == expected
    assert {t for _, _, t in queued} == {
        "unknown_carrier",
        "unmapped_status",
        "platform_unfulfillable",
        "missing_fx_rate",
    }
    for e in built["exceptions"]:
        assert e["reason"] and len(e["reason"]) > 20, e
        assert e["first_seen_at"] is not None and e["age_hours"] > 0, e
        assert isinstance(e["details"], dict) and e["details"], e
    by_type = {(e["platform_order_id"], e["exception_type"]): e for e in built["exceptions"]}
    assert by_type[("9005", "unmapped_status")]["reason"] == (
        "Shopify status 'restocked' is not mapped to a canonical status"
    )
    assert by_type[("9006", "missing_fx_rate")]["reason"].startswith("no FX rate for GBP on 2024-05-01")
    assert by_type[("9001", "unknown_carrier")]["reason"] == (
        "Shopify carrier 'FastFalcon Couriers' is not a known carrier"
    )
    unmapped = by_type[("9005", "unmapped_status")]["suggestions"]
    assert unmapped and all(s["platform_status"] and s["score"] is not None for s in unmapped)


def test_unknown_carriers_get_the_closest_aliases(built: dict[str, Any]) -> None:
    carriers = [e for e in built["exceptions"] if e["exception_type"] == "unknown_carrier"]
    assert {e["platform_order_id"] for e in carriers} == {"9001", "7001"}
    for e in carriers:
        suggestions = e["suggestions"]
        assert len(suggestions) == 3, e
        scores = [s["score"] for s in suggestions]
        assert scores == sorted(scores, reverse=True)
        assert all(s["carrier_code"] and s["alias"] and 0 <= s["score"] <= 1 for s in suggestions)
        assert e["details"]["platform_carrier_name"] == e["reason"].split("'")[1]


def test_the_app_sees_only_its_tenants_exceptions(built: dict[str, Any]) -> None:
    conn = psycopg2.connect(settings.app_database_url())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("select count(*) from marts.fct_order_exceptions")
            assert cur.fetchone()[0] == 0  # no tenant set: nothing
            for tenant in (ACME, GLOBEX):
                cur.execute("select set_config('app.tenant_id', %s, false)", (tenant,))
                cur.execute("select tenant_id, count(*) from marts.fct_order_exceptions group by 1")
                expected = sum(1 for e in built["exceptions"] if e["tenant_id"] == tenant)
                assert cur.fetchall() == [(tenant, expected)]
    finally:
        conn.close()


# --- fixes made in the app reach the marts on the next run ------------------------------------------
# (these change the module's data, so they come last)


def _fix(owner, tenant: str, exception_type: str, action: str, sql: str, params: tuple) -> None:
    """Write a mapping and its exception_fixes row the way the app does (one transaction)."""
    with owner, owner.cursor() as cur:
        cur.execute(sql, params)
        cur.execute(
            """insert into app.exception_fixes (tenant_id, exception_type, action, created_by)
               values (%s, %s, %s, 'reviewer@acme.example')""",
            (tenant, exception_type, action),
        )


def test_fixes_in_app_tables_move_the_orders_on_the_next_run(
    built: dict[str, Any], owner: psycopg2.extensions.connection
) -> None:
    from orchestration.sensors import latest_fix_id

    before_fixes = latest_fix_id(settings.database_url())
    _fix(
        owner,
        ACME,
        "unknown_carrier",
        "map_carrier",
        """insert into app.carrier_aliases
               (tenant_id, channel, platform_carrier_name, carrier_code, created_by)
           values (%s, '*', 'fastfalcon couriers', 'aramex', 'reviewer@acme.example')""",
        (ACME,),
    )
    _fix(
        owner,
        ACME,
        "unmapped_status",
        "map_status",
        """insert into app.status_mappings (tenant_id, channel, platform_status, status, created_by)
           values (%s, 'shopify', 'restocked', 'cancelled', 'reviewer@acme.example')""",
        (ACME,),
    )
    _fix(
        owner,
        ACME,
        "missing_fx_rate",
        "add_fx_rate",
        """insert into app.fx_rates (tenant_id, currency, valid_from, rate_to_usd, created_by)
           values (%s, 'GBP', '2024-01-01', 1.25, 'reviewer@acme.example')""",
        (ACME,),
    )
    assert latest_fix_id(settings.database_url()) == before_fixes + 3

    dbt("build")  # incremental: no batch arrived, only the fixes
    orders = {r["platform_order_id"]: r for r in fetch(owner, "select * from marts.fct_orders")}
    # acme's orders moved on: the alias applies to both orders that named the carrier
    assert (orders["9001"]["carrier_code"], orders["9001"]["status"], orders["9001"]["exception_types"]) == (
        "aramex",
        "shipped",
        [],
    )
    assert (orders["9005"]["status"], orders["9005"]["exception_types"]) == ("cancelled", [])
    assert orders["9006"]["exception_types"] == []
    assert orders["9006"]["total_amount_reporting"] is not None
    # globex's unknown carrier is globex's business: acme's alias does not apply to it
    assert orders["7001"]["exception_types"] == ["unknown_carrier"]
    queued = {
        (e["platform_order_id"], e["exception_type"])
        for e in fetch(owner, "select * from marts.fct_order_exceptions")
    }
    assert queued == {("7001", "unknown_carrier"), ("402-0000000-0000001", "platform_unfulfillable")}
    history = fetch(
        owner,
        """select h.status
           from marts.fct_order_status_history h join marts.fct_orders o using (tenant_id, order_key)
           where o.platform_order_id = '9005' order by changed_at""",
    )
    assert [h["status"] for h in history][-1] == "cancelled"


def test_the_fix_sensor_starts_one_run_per_new_fix(built: dict[str, Any], owner) -> None:
    import dagster as dg

    from orchestration.sensors import conversion_fixes, latest_fix_id

    latest = latest_fix_id(settings.database_url())
    with dg.instance_for_test() as instance:
        first = conversion_fixes(dg.build_sensor_context(instance=instance, cursor=str(latest - 1)))
        assert isinstance(first, dg.RunRequest) and first.run_key == f"fixes-{latest}"
        again = conversion_fixes(dg.build_sensor_context(instance=instance, cursor=str(latest)))
        assert isinstance(again, dg.SkipReason)

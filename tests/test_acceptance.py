"""Issue 2's acceptance, end to end through the real commands: `oms import` of a Shopify order
response and of Amazon getOrders + getOrderItems responses, `oms run`, then the Orders page shows
them with the canonical status, money as numeric with its currency, and times in UTC.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
OMS = str(Path(sys.executable).parent / "oms")
TENANT = "fixture-co"
PASSWORD = "acceptance-Passw0rd"

# Read off the fixture files by hand: (order name, canonical status, total, currency, ordered UTC).
EXPECTED = {
    "#1042": ("received", Decimal("409.94"), "SAR", datetime(2025, 3, 1, 11, 22, 5, tzinfo=UTC)),
    "#AE1043": ("shipped", Decimal("254.00"), "AED", datetime(2025, 3, 1, 12, 5, 12, tzinfo=UTC)),
    "#1044": ("cancelled", Decimal("64.00"), "SAR", datetime(2025, 3, 2, 5, 1, 0, tzinfo=UTC)),
    "405-1845936-5435065": (
        "received",
        Decimal("284.50"),
        "SAR",
        datetime(2025, 3, 1, 11, 22, 5, tzinfo=UTC),
    ),
    "405-7712094-1187360": ("shipped", Decimal("119.00"), "SAR", None),
}


def oms(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([OMS, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def imported(pg, tmp_path_factory):
    import psycopg2
    from conftest import reset_raw

    conn = psycopg2.connect(pg)
    conn.autocommit = True
    reset_raw(conn)
    conn.close()
    env = dict(os.environ)
    env["OMS_LANDING_DIR"] = str(tmp_path_factory.mktemp("empty-landing"))  # only what we import
    shopify = oms(
        "import",
        "--source",
        "shopify",
        "--store",
        "ksa-web",
        "--tenant",
        TENANT,
        str(FIXTURES / "shopify_orders_page.json"),
        env=env,
    )
    # Items before orders, in one call.
    amazon = oms(
        "import",
        "--source",
        "amazon",
        "--store",
        "amazon-sa",
        "--tenant",
        TENANT,
        str(FIXTURES / "amazon_get_order_items.json"),
        str(FIXTURES / "amazon_get_orders.json"),
        env=env,
    )
    run = oms("run", "--full-refresh", env=env)
    users = oms(
        "users",
        "add",
        "--email",
        "reviewer@fixture.example",
        "--password",
        PASSWORD,
        "--role",
        "reviewer",
        "--tenant",
        TENANT,
        env=env,
    )
    return {"shopify": shopify, "amazon": amazon, "run": run, "users": users}


def test_import_registers_the_stores_and_lands_every_order(imported):
    for step in ("shopify", "amazon", "run", "users"):
        assert imported[step].returncode == 0, imported[step].stdout + imported[step].stderr
    out = imported["shopify"].stdout + imported["shopify"].stderr
    assert "ksa-web" in out and "registered" in out


def test_orders_are_in_fct_orders_with_canonical_status_numeric_money_and_utc_times(imported, db):
    with db.cursor() as cur:
        cur.execute(
            """select platform_order_name, platform_order_id, status, total_amount, currency, ordered_at,
                      pg_typeof(total_amount)::text, pg_typeof(ordered_at)::text
               from marts.fct_orders where tenant_id = %s""",
            (TENANT,),
        )
        rows = cur.fetchall()
    by_name = {r[0]: r for r in rows} | {r[1]: r for r in rows}
    assert len(rows) == len(EXPECTED)
    for name, (status, total, currency, ordered_at) in EXPECTED.items():
        row = by_name[name]
        assert row[2] == status, name
        assert row[3] == total and row[4] == currency, name
        assert row[6] == "numeric" and row[7] == "timestamp with time zone"
        if ordered_at is not None:
            assert row[5] == ordered_at, name


def test_the_orders_page_shows_them(imported):
    at = AppTest.from_file(str(ROOT / "apps" / "streamlit" / "app.py"), default_timeout=60)
    at.run()
    at.text_input(key="sign_in_email").input("reviewer@fixture.example")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception
    for name, (status, total, currency, ordered_at) in EXPECTED.items():
        at.text_input(key="orders_search").input(name).run()
        assert not at.exception, at.exception
        frame = next(f.value for f in at.dataframe if "Buyer" in f.value.columns)
        assert len(frame) == 1, name
        row = frame.iloc[0]
        assert row["Status"] == status
        assert f"{total:.2f}" in str(row["Total"]) and currency in str(row["Total"])
        if ordered_at is not None:
            shown = row["Ordered (UTC)"]
            assert shown.tz_convert("UTC").to_pydatetime() == ordered_at

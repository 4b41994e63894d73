"""The Streamlit app, driven by AppTest on data loaded through the real pipeline.

Two tenants (``demo`` and ``acme``) are generated, landed and built by ``run_once``; every role of
both tenants gets a user. Expected figures are read from the marts with the owner connection, and
the app (the ``oms_app`` role, one tenant per transaction) must show exactly those.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from apps.streamlit.auth import SIGN_IN_ERROR
from apps.streamlit.navigation import PAGES, ROLE_PAGES, pages_for

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "apps" / "streamlit" / "app.py"
PASSWORD = "app-test-Passw0rd"
ROLES = ("reviewer", "ops", "finance", "admin")
TENANTS = {"demo": (300, 1), "acme": (150, 2)}  # tenant: (orders, seed)
CAPTION = re.compile(r"Page (\d+) of (\d+) · orders (\d+)–(\d+) of ([\d,]+)")


def email(role: str, tenant: str) -> str:
    return f"{role}@{tenant}.apptest"


def owner_rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


_LOADED: dict[str, dict[str, Any]] = {}


def load_app_data(url: str) -> dict[str, Any]:
    """Generate both tenants' demo files, run the whole pipeline once, create a user per role.

    Starts from empty raw/app/quality tables and rebuilds the marts (full refresh), so the marts
    hold exactly these two tenants whatever ran before. Done once per database (test_browser
    shares it).
    """
    if url in _LOADED:
        return _LOADED[url]
    import streamlit as st
    from conftest import reset_raw

    from ingestion.demo import generate, load_demo_catalog
    from orchestration.pipeline import run_once
    from warehouse.users import add_user

    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        reset_raw(conn)
    finally:
        conn.close()
    landing = Path(os.environ["OMS_LANDING_DIR"])
    shutil.rmtree(landing, ignore_errors=True)
    landing.mkdir(parents=True)
    for tenant, (orders, seed) in TENANTS.items():
        generate(landing, tenant, orders, seed)
        load_demo_catalog(landing, tenant)
    exit_code = run_once(trigger="test", full_refresh=True)
    for tenant in TENANTS:
        for role in ROLES:
            add_user(
                email(role, tenant), PASSWORD, role, tenant, f"{role.title()} {tenant}", created_by="test"
            )
    st.cache_data.clear()
    built = owner_rows(url, "select to_regclass('marts.fct_orders') is not null")[0][0]
    assert built, f"run_once(trigger='test') exited {exit_code} without building marts.fct_orders"
    counts = dict(owner_rows(url, "select tenant_id, count(*) from marts.fct_orders group by 1"))
    _LOADED[url] = {"exit_code": exit_code, "counts": counts}
    return _LOADED[url]


@pytest.fixture(scope="session")
def app_data(pg: str) -> dict[str, Any]:
    data = load_app_data(pg)
    assert set(data["counts"]) == set(TENANTS), f"orders per tenant in marts.fct_orders: {data['counts']}"
    return data


def new_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(role: str, tenant: str = "demo", password: str = PASSWORD) -> AppTest:
    at = new_app()
    at.text_input(key="sign_in_email").input(email(role, tenant))
    at.text_input(key="sign_in_password").input(password)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception
    return at


def page_caption(at: AppTest) -> tuple[int, int, int]:
    """(page, pages, total) from the Orders page's "Page x of y · orders a–b of N"."""
    for caption in at.caption:
        match = CAPTION.search(caption.value)
        if match:
            return int(match[1]), int(match[2]), int(match[5].replace(",", ""))
    raise AssertionError(
        f"no paging caption in {[c.value for c in at.caption]}; info: {[i.value for i in at.info]}"
    )


def table(at: AppTest, column: str):
    """The first table on the page with this column (read-only dataframes carry no key in AppTest)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column; info: {ui_text(at)}")


def fields(at: AppTest, field: str) -> dict[str, str]:
    """The Field/Value block of the order detail that has ``field``."""
    for frame in at.dataframe:
        value = frame.value
        if list(value.columns) == ["Field", "Value"] and field in set(value["Field"]):
            return dict(zip(value["Field"], value["Value"], strict=True))
    raise AssertionError(f"no detail block with {field!r}")


def orders_table(at: AppTest):
    return table(at, "Buyer")


def ui_text(at: AppTest) -> str:
    return " | ".join(e.value for kind in ("info", "warning", "error") for e in getattr(at, kind))


# ------------------------------------------------------------------------------------------------
# Sign-in and navigation
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("login", "password"),
    [(email("admin", "demo"), "wrong-password"), ("nobody@demo.apptest", PASSWORD)],
    ids=["wrong-password", "unknown-user"],
)
def test_failed_sign_in_shows_one_error_and_no_navigation(app_data, login, password):
    at = new_app()
    at.text_input(key="sign_in_email").input(login)
    at.text_input(key="sign_in_password").input(password)
    at.button(key="sign_in_submit").click().run()

    assert not at.exception
    assert [e.value for e in at.error] == [SIGN_IN_ERROR]
    assert "user" not in at.session_state
    assert [t.value for t in at.title] == ["Order platform"]
    with pytest.raises(ValueError, match="Known pages: \\['Sign in'\\]"):
        at.switch_page("app_pages/orders.py")


def test_inactive_user_cannot_sign_in(app_data, pg):
    from warehouse.users import add_user, set_user_active

    add_user("gone@demo.apptest", PASSWORD, "ops", "demo", "Gone", created_by="test")
    set_user_active("gone@demo.apptest", False, changed_by="test")
    at = new_app()
    at.text_input(key="sign_in_email").input("gone@demo.apptest")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button(key="sign_in_submit").click().run()
    assert [e.value for e in at.error] == [SIGN_IN_ERROR]
    assert "user" not in at.session_state


@pytest.mark.parametrize("role", ROLES)
def test_sign_in_opens_the_roles_pages_and_is_audited(app_data, pg, role):
    at = sign_in(role)

    assert not at.error
    assert at.session_state["user"]["role"] == role
    assert at.session_state["user"]["tenant_id"] == "demo"
    assert [t.value for t in at.title] == ["Orders"]
    for spec in pages_for(role):
        at.switch_page(f"app_pages/{spec.file}")  # raises if the page is not in this role's navigation
    for key in {k for keys in ROLE_PAGES.values() for k in keys} - set(ROLE_PAGES[role]):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{PAGES[key].file}")

    rows = owner_rows(
        pg,
        "select tenant_id, action from app.audit_log where user_email = %s and action = 'auth.sign_in'",
        (email(role, "demo"),),
    )
    assert ("demo", "auth.sign_in") in rows


def test_sign_out_returns_to_sign_in_and_is_audited(app_data, pg):
    at = sign_in("ops", "acme")
    at.button(key="sign_out").click().run()

    assert not at.exception
    assert "user" not in at.session_state
    assert [t.value for t in at.title] == ["Order platform"]
    rows = owner_rows(
        pg,
        "select tenant_id from app.audit_log where user_email = %s and action = 'auth.sign_out'",
        (email("ops", "acme"),),
    )
    assert rows == [("acme",)]


@pytest.mark.parametrize(
    ("role", "page"),
    [(role, spec) for role in ROLES for spec in pages_for(role)],
    ids=lambda v: getattr(v, "file", v),
)
def test_every_page_renders_for_every_role(app_data, role, page):
    at = sign_in(role)
    at.switch_page(f"app_pages/{page.file}").run()

    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [page.title]
    assert "No data yet" not in ui_text(at)


# ------------------------------------------------------------------------------------------------
# Orders
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_order(app_data, pg) -> dict[str, Any]:
    return find_demo_order(pg)


def find_demo_order(pg: str) -> dict[str, Any]:
    """A demo Shopify order with lines and a status history, whose number and id acme does not have."""
    rows = owner_rows(
        pg,
        """select o.order_key, o.platform_order_name, o.platform_order_id
           from marts.fct_orders o
           where o.tenant_id = 'demo' and o.channel = 'shopify' and o.platform_order_name is not null
             and exists (select 1 from marts.fct_order_lines l
                         where l.tenant_id = o.tenant_id and l.order_key = o.order_key)
             and exists (select 1 from marts.fct_order_status_history h
                         where h.tenant_id = o.tenant_id and h.order_key = o.order_key)
             and (select count(*) from marts.fct_orders d
                  where d.tenant_id = 'demo' and d.platform_order_name = o.platform_order_name) = 1
             and not exists (select 1 from marts.fct_orders a
                             where a.tenant_id = 'acme'
                               and (a.platform_order_name = o.platform_order_name
                                    or a.platform_order_id = o.platform_order_id))
           order by o.platform_order_name
           limit 1""",
    )
    assert rows, "no demo Shopify order with lines and history that acme does not also have"
    key, name, platform_id = rows[0]
    lines = owner_rows(
        pg, "select count(*) from marts.fct_order_lines where tenant_id = 'demo' and order_key = %s", (key,)
    )
    history = owner_rows(
        pg,
        "select count(*) from marts.fct_order_status_history where tenant_id = 'demo' and order_key = %s",
        (key,),
    )
    return {
        "order_key": key,
        "name": name,
        "platform_order_id": platform_id,
        "lines": lines[0][0],
        "history": history[0][0],
    }


def test_search_by_order_number_opens_the_detail(demo_order, pg):
    at = sign_in("reviewer")
    at.text_input(key="orders_search").input(demo_order["name"]).run()

    assert not at.exception
    assert page_caption(at) == (1, 1, 1)
    assert orders_table(at)["Order"].tolist() == [demo_order["name"]]
    # A single match opens its detail: header, address, amounts, lines and status history.
    assert [s.value for s in at.subheader] == [f"Order {demo_order['name']}"]
    assert len(table(at, "Platform SKU")) == demo_order["lines"]
    assert len(table(at, "Changed (UTC)")) == demo_order["history"]
    address = fields(at, "Phone (E.164)")
    assert {"Buyer", "Phone (raw)", "Phone (E.164)", "Phone valid", "Country"} <= set(address)
    amounts = fields(at, "Shipping")
    currency = owner_rows(
        pg,
        "select currency from marts.fct_orders where tenant_id = 'demo' and order_key = %s",
        (demo_order["order_key"],),
    )[0][0]
    assert amounts["Total"].endswith(f" {currency}")
    header = fields(at, "Ordered (UTC)")
    assert header["Ordered (UTC)"].endswith(" UTC")

    # The number without '#', and the platform's own id, find it too.
    at.text_input(key="orders_search").input(demo_order["name"].lstrip("#")).run()
    assert orders_table(at)["Order"].tolist() == [demo_order["name"]]
    at.text_input(key="orders_search").input(demo_order["platform_order_id"]).run()
    assert orders_table(at)["Order"].tolist() == [demo_order["name"]]


def test_search_by_amazon_order_id_and_by_phone(app_data, pg):
    amazon = owner_rows(
        pg,
        """select platform_order_id, coalesce(platform_order_name, platform_order_id) from marts.fct_orders
           where tenant_id = 'demo' and channel = 'amazon' order by platform_order_id limit 1""",
    )
    assert amazon, "the demo data has no Amazon orders"
    at = sign_in("ops")
    at.text_input(key="orders_search").input(amazon[0][0]).run()
    assert amazon[0][1] in orders_table(at)["Order"].tolist()

    phone = owner_rows(
        pg,
        """select buyer_phone_e164, coalesce(platform_order_name, platform_order_id) from marts.fct_orders
           where tenant_id = 'demo' and buyer_phone_e164 is not null and is_phone_valid
           order by order_key limit 1""",
    )
    assert phone, "the demo data has no valid buyer phone"
    e164, order_label = phone[0]
    at.selectbox(key="orders_page_size").set_value(200).run()
    at.text_input(key="orders_search").input(e164).run()
    assert order_label in orders_table(at)["Order"].tolist()
    # Typed with spaces and dashes, the same digits find it.
    spaced = f"{e164[:4]} {e164[4:7]}-{e164[7:]}"
    at.text_input(key="orders_search").input(spaced).run()
    assert order_label in orders_table(at)["Order"].tolist()


def test_search_by_tracking_number(app_data, pg):
    rows = owner_rows(
        pg,
        """select tracking_numbers[1], coalesce(platform_order_name, platform_order_id) from marts.fct_orders
           where tenant_id = 'demo' and cardinality(tracking_numbers) > 0 order by order_key limit 1""",
    )
    if not rows:
        pytest.skip("the demo data has no tracking numbers on orders yet")
    at = sign_in("ops")
    at.text_input(key="orders_search").input(rows[0][0]).run()
    assert rows[0][1] in orders_table(at)["Order"].tolist()


def test_search_with_no_match_says_so(app_data):
    at = sign_in("finance")
    at.text_input(key="orders_search").input("#no-such-order").run()
    assert not at.exception
    assert "No orders match these filters." in ui_text(at)


def test_filters_narrow_the_orders(app_data, pg):
    total = app_data["counts"]["demo"]
    status, status_count = owner_rows(
        pg,
        """select status, count(*) from marts.fct_orders where tenant_id = 'demo'
           group by 1 order by 2 desc, 1 limit 1""",
    )[0]
    channel, channel_count = owner_rows(
        pg,
        "select channel, count(*) from marts.fct_orders where tenant_id = 'demo' "
        "group by 1 order by 1 limit 1",
    )[0]
    store_id, store_count = owner_rows(
        pg,
        "select store_id, count(*) from marts.fct_orders where tenant_id = 'demo' "
        "group by 1 order by 1 limit 1",
    )[0]
    day = owner_rows(
        pg,
        """select (ordered_at at time zone 'UTC')::date from marts.fct_orders where tenant_id = 'demo'
           order by ordered_at limit 1 offset %s""",
        (total // 2,),
    )[0][0]
    since_count = owner_rows(
        pg,
        "select count(*) from marts.fct_orders where tenant_id = 'demo' and ordered_at >= %s::date",
        (day,),
    )[0][0]
    one_day_count = owner_rows(
        pg,
        """select count(*) from marts.fct_orders where tenant_id = 'demo'
           and ordered_at >= %s::date and ordered_at < %s::date""",
        (day, day + timedelta(days=1)),
    )[0][0]
    assert status_count < total and since_count < total

    at = sign_in("ops")
    assert page_caption(at)[2] == total

    at.multiselect(key="orders_statuses").set_value([status]).run()
    assert page_caption(at)[2] == status_count
    assert set(orders_table(at)["Status"]) == {status}
    at.multiselect(key="orders_statuses").set_value([]).run()

    at.multiselect(key="orders_channels").set_value([channel]).run()
    assert page_caption(at)[2] == channel_count
    assert set(orders_table(at)["Channel"]) == {channel}
    at.multiselect(key="orders_channels").set_value([]).run()

    at.multiselect(key="orders_stores").set_value([store_id]).run()
    assert page_caption(at)[2] == store_count
    at.multiselect(key="orders_stores").set_value([]).run()

    at.date_input(key="orders_dates").set_value((day, day + timedelta(days=3650))).run()
    assert page_caption(at)[2] == since_count
    at.date_input(key="orders_dates").set_value((day, day)).run()
    assert page_caption(at)[2] == one_day_count
    assert all(ts.date() == day for ts in orders_table(at)["Ordered (UTC)"])


def test_paging_moves_through_the_orders(app_data, pg):
    total = app_data["counts"]["demo"]
    expected = [
        r[0]
        for r in owner_rows(
            pg,
            """select coalesce(platform_order_name, platform_order_id) from marts.fct_orders
               where tenant_id = 'demo' order by ordered_at desc nulls last, order_key""",
        )
    ]
    at = sign_in("reviewer")
    at.selectbox(key="orders_page_size").set_value(50).run()
    pages = math.ceil(total / 50)
    assert page_caption(at) == (1, pages, total)
    assert orders_table(at)["Order"].tolist() == expected[:50]

    at.pagination[0].set_value(2).run()
    assert page_caption(at) == (2, pages, total)
    assert orders_table(at)["Order"].tolist() == expected[50:100]

    at.pagination[0].set_value(pages).run()
    assert orders_table(at)["Order"].tolist() == expected[(pages - 1) * 50 :]

    # New filters start again at page 1.
    at.multiselect(key="orders_channels").set_value(["shopify"]).run()
    assert page_caption(at)[0] == 1


# ------------------------------------------------------------------------------------------------
# Tenant isolation
# ------------------------------------------------------------------------------------------------


def test_acme_never_sees_a_demo_order(app_data, demo_order):
    at = sign_in("admin", "acme")
    assert page_caption(at)[2] == app_data["counts"]["acme"]

    for search in (demo_order["name"], demo_order["platform_order_id"]):
        at.text_input(key="orders_search").input(search).run()
        assert not at.exception
        assert "No orders match these filters." in ui_text(at)

    from apps.streamlit import queries

    assert queries.order_detail("acme", demo_order["order_key"]) is None
    assert queries.order_detail("demo", demo_order["order_key"]) is not None


TENANT_RELATIONS = (
    "marts.fct_orders",
    "marts.fct_order_lines",
    "marts.fct_order_status_history",
    "marts.fct_load_batches",
    "marts.fct_load_rejects",
    "marts.dim_stores",
    "app.stores",
    "app.tenants",
    "app.audit_log",
)


@pytest.mark.parametrize("relation", TENANT_RELATIONS)
def test_row_level_security_limits_the_app_role_to_its_tenant(app_data, pg, relation):
    """Without any WHERE on tenant, the app's engine sees only the tenant set for the transaction."""
    from apps.streamlit.db import engine, tenant_transaction

    owner = dict(owner_rows(pg, f"select tenant_id, count(*) from {relation} group by 1"))  # noqa: S608
    with tenant_transaction("acme") as conn:
        seen = dict(conn.execute(text(f"select tenant_id, count(*) from {relation} group by 1")).fetchall())
    assert seen == ({"acme": owner["acme"]} if "acme" in owner else {})
    if relation.startswith("marts.fct_order"):
        assert "demo" in owner and "acme" in owner

    # No tenant set: nothing at all.
    with engine().connect() as conn:
        assert conn.execute(text(f"select count(*) from {relation}")).scalar_one() == 0


def test_app_role_cannot_write_another_tenants_rows(app_data):
    from sqlalchemy.exc import ProgrammingError

    from apps.streamlit.db import tenant_transaction

    with pytest.raises(ProgrammingError, match="row-level security"):
        with tenant_transaction("acme") as conn:
            conn.execute(
                text(
                    "insert into app.audit_log (tenant_id, user_email, action) "
                    "values ('demo', 'x@acme', 'test')"
                )
            )


# ------------------------------------------------------------------------------------------------
# Pipeline and Users
# ------------------------------------------------------------------------------------------------


def test_pipeline_page_shows_runs_ledger_and_rejects(app_data, pg):
    fetched, landed, duplicates, rejected, batches = owner_rows(
        pg,
        """select sum(fetched_count), sum(landed_count), sum(duplicate_count), sum(rejected_count), count(*)
           from marts.fct_load_batches where tenant_id = 'acme'""",
    )[0]
    reject_count = owner_rows(pg, "select count(*) from marts.fct_load_rejects where tenant_id = 'acme'")[0][
        0
    ]

    at = sign_in("ops", "acme")
    at.switch_page("app_pages/pipeline.py").run()
    assert not at.exception

    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Batches": f"{batches:,}",
        "Fetched": f"{fetched:,}",
        "Landed": f"{landed:,}",
        "Duplicates": f"{duplicates:,}",
        "Rejected": f"{rejected:,}",
    }
    runs = table(at, "Trigger")
    assert "test" in set(runs["Trigger"])
    ledger = table(at, "Cursor before")
    assert len(ledger) == min(batches, 25)
    assert ledger["Batch"].tolist() == sorted(ledger["Batch"], reverse=True)
    assert set(ledger["Store"]) <= {
        r[0] for r in owner_rows(pg, "select store_id from app.stores where tenant_id = 'acme'")
    }

    status = ledger["Status"].iloc[0]
    at.multiselect(key="batches_statuses").set_value([status]).run()
    assert set(table(at, "Cursor before")["Status"]) == {status}

    if reject_count == 0:
        assert "No rejected records." in [s.value for s in at.success]
    else:
        shown = table(at, "Raw excerpt")
        assert len(shown) == min(reject_count, 50)
        assert shown["Reason"].str.len().min() > 0


def test_users_page_lists_only_the_tenants_users(app_data, pg):
    assert not owner_rows(
        pg, "select has_column_privilege('oms_app', 'app.users', 'password_hash', 'select')"
    )[0][0]
    at = sign_in("admin", "acme")
    at.switch_page("app_pages/users.py").run()
    assert not at.exception
    shown = table(at, "Email")
    assert sorted(shown["Email"]) == sorted(email(role, "acme") for role in ROLES)
    assert "password_hash" not in " ".join(shown.columns).lower()


def test_typed_phone_numbers_are_normalised_for_search():
    from apps.streamlit.queries import search_clause

    _, spaced = search_clause("+966 50-123 4567")
    assert spaced["phone_e164"] == "+966501234567"
    assert "phone_national" not in spaced
    _, arabic = search_clause("٠٥٠١٢٣٤٥٦٧")
    assert arabic["phone_national"] == "501234567"
    _, double_zero = search_clause("00971 50 123 4567")
    assert double_zero["phone_e164"] == "+971501234567"
    sql, number = search_clause("#1001")
    assert "phone_e164" not in number and number["names"] == ["#1001"]
    assert search_clause("1001")[1]["names"] == ["1001", "#1001"]

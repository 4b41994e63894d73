"""The reviewers' Exceptions page, driven by AppTest on the session's real Postgres as the app role.

Orders with unknown carriers, an unmapped status and a currency without an FX rate are landed
with tests/test_dbt.py's raw helpers and built by dbt, so those exceptions are the real queue.
Product and address exceptions depend on the catalogue import and the region matching, which are
built alongside this page: the fixtures ``product_rows`` and ``address_rows`` insert them straight
into marts.fct_order_exceptions (as the owner), shaped as the mart's own rows, for the UI tests
only; the end-to-end tests of those two types belong with the dbt side.

Tests run in file order: fixes made by one test are pending in the next, and the last test runs
dbt again and checks that the run took the fixes in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions
import pytest
from psycopg2.extras import Json
from streamlit.testing.v1 import AppTest
from test_dbt import (
    ACME,
    ACME_SHOP,
    GLOBEX,
    GLOBEX_SHOP,
    dbt,
    fetch,
    land,
    reset_with_two_tenants,
    shopify_order,
)

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "apps" / "streamlit" / "app.py"
PASSWORD = "exceptions-test-Passw0rd"
ROLES = ("reviewer", "ops", "finance", "admin")


def email(role: str, tenant: str = ACME) -> str:
    return f"{role}@{tenant}.exctest"


def _fulfilled(order_id: str, company: str, **overrides: Any) -> dict[str, Any]:
    """A fulfilled Shopify order whose one fulfillment names ``company`` as its carrier."""
    return shopify_order(
        order_id,
        name=f"#{order_id}",
        fulfillment_status="fulfilled",
        financial_status="paid",
        updated_at="2024-05-05T10:00:00+03:00",
        fulfillments=[
            {
                "id": 6_100_000 + int(order_id),
                "created_at": "2024-05-04T10:00:00+03:00",
                "status": "success",
                "tracking_company": company,
                "tracking_numbers": [f"TN{order_id}"],
            }
        ],
        **overrides,
    )


@pytest.fixture(scope="module")
def owner(pg: str) -> Iterator[psycopg2.extensions.connection]:
    conn = psycopg2.connect(pg)
    conn.autocommit = True
    yield conn
    conn.close()


def run_sql(conn: psycopg2.extensions.connection, sql: str, params: tuple = ()) -> None:
    with conn.cursor() as cur:
        cur.execute(sql, params)


@pytest.fixture(scope="module")
def queue(owner: psycopg2.extensions.connection) -> dict[str, Any]:
    """Two tenants' orders landed and built; one user per role in acme, a reviewer in globex."""
    import streamlit as st

    from warehouse.users import add_user

    reset_with_two_tenants(owner)
    # The catalogue holds the SKUs the landed lines use (they map by exact SKU), plus the SKUs the
    # product fixes map to, and an inactive one.
    with owner.cursor() as cur:
        for sku, title, active in (
            ("ABAYA-BLK-M", "Abaya black M", True),
            ("ABAYA-BLK-L", "Abaya black L", True),
            ("OUD-50ML", "Oud oil 50 ml", True),
            ("OLD-SKU", "Discontinued scarf", False),
        ):
            cur.execute(
                """insert into app.products (tenant_id, sku, title, is_active, created_by, updated_by)
                   values (%s, %s, %s, %s, 'test', 'test')""",
                (ACME, sku, title, active),
            )
    land(
        owner,
        ACME,
        "shopify",
        ACME_SHOP,
        "shopify_orders",
        [
            ("9101", None, _fulfilled("9101", "FastFalcon Couriers")),
            ("9102", None, _fulfilled("9102", "  FASTFALCON couriers ")),  # the same name, typed otherwise
            ("9103", None, _fulfilled("9103", "Kilat Xpress MY")),
            ("9104", None, _fulfilled("9104", "Siam Swift Parcel")),
            ("9105", None, shopify_order("9105", name="#9105", fulfillment_status="restocked")),
            ("9106", None, shopify_order("9106", name="#9106", fulfillment_status="restocked")),
            ("9107", None, shopify_order("9107", name="#9107", currency="GBP")),
            (
                "9108",
                None,
                shopify_order(
                    "9108",
                    name="#9108",
                    currency="GBP",
                    created_at="2024-05-03T10:00:00+03:00",
                    updated_at="2024-05-03T10:05:00+03:00",
                ),
            ),
        ]
        + [
            (oid, None, shopify_order(oid, name=f"#{oid}"))
            for oid in ("9109", "9110", "9111", "9112", "9113")
        ],
    )
    land(
        owner,
        GLOBEX,
        "shopify",
        GLOBEX_SHOP,
        "shopify_orders",
        [("7101", None, _fulfilled("7101", "Desert Hawk Logistics", currency="AED"))],
    )
    dbt("seed", "--full-refresh")
    dbt("build", "--full-refresh")
    for role in ROLES:
        add_user(email(role), PASSWORD, role, ACME, f"{role.title()} Acme", created_by="test")
    add_user(email("reviewer", GLOBEX), PASSWORD, "reviewer", GLOBEX, "Reviewer Globex", created_by="test")
    st.cache_data.clear()
    orders = {
        r["platform_order_id"]: r
        for r in fetch(
            owner, "select tenant_id, order_key, platform_order_id, exception_types from marts.fct_orders"
        )
    }
    return {"orders": orders}


# --- UI-only rows: product and address exceptions inserted into the mart --------------------------
# These fixtures insert them straight into marts.fct_order_exceptions as the owner, for the UI
# tests only (see the module docstring): each row belongs to a real order
# of acme and is shaped as the mart's own rows of these types (details.unmapped_lines with their
# candidates; details.candidate_level and candidate_text with the regions as suggestions). A dbt
# run rebuilds the queue and drops them.


def _insert_exceptions(
    owner: psycopg2.extensions.connection,
    orders: dict[str, Any],
    rows: list[tuple[str, str, str, dict[str, Any], list[dict[str, Any]]]],
) -> None:
    import streamlit as st

    built_at = fetch(owner, "select max(built_at) as t from marts.fct_order_exceptions")[0]["t"]
    assert built_at is not None
    for oid, exception_type, reason, details, suggestions in rows:
        run_sql(
            owner,
            """insert into marts.fct_order_exceptions
                   (tenant_id, exception_key, order_key, store_id, channel, platform_order_id,
                    platform_order_name, exception_type, reason, details, suggestions, ordered_at,
                    first_seen_at, age_hours, built_at)
               select tenant_id, md5(order_key || '|' || %s), order_key, store_id, channel,
                      platform_order_id, platform_order_name, %s, %s, %s, %s, ordered_at,
                      now() - interval '3 hours', 3.0, %s
               from marts.fct_orders where order_key = %s""",
            (
                exception_type,
                exception_type,
                reason,
                Json(details),
                Json(suggestions),
                built_at,
                orders[oid]["order_key"],
            ),
        )
    st.cache_data.clear()


@pytest.fixture(scope="module")
def product_rows(queue: dict[str, Any], owner: psycopg2.extensions.connection) -> None:
    """UI-only: orders 9109 (ABY-BLACK-M) and 9110 (ABY-BLACK-M and GIFT-BOX-X) have unmapped SKUs."""

    def candidate(sku: str, title: str, score: float) -> dict[str, Any]:
        return {"sku": sku, "title": title, "score": score}

    def line(key: str, title: str, candidates: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "line_key": f"l-{key}",
            "platform_sku": key,
            "platform_listing_id": None,
            "platform_key": key,
            "title": title,
            "variant_title": None,
            "candidates": candidates,
        }

    aby = line(
        "ABY-BLACK-M",
        "Abaya",
        [candidate("ABAYA-BLK-M", "Abaya black M", 0.64), candidate("ABAYA-BLK-L", "Abaya black L", 0.5)],
    )
    gift = line(
        "GIFT-BOX-X",
        "Gift box",
        [
            candidate("GONE-SKU", "Gift box (no longer in the catalogue)", 0.7),
            candidate("OLD-SKU", "Discontinued scarf", 0.35),
        ],
    )
    _insert_exceptions(
        owner,
        queue["orders"],
        [
            (
                "9109",
                "unmapped_product",
                "Shopify SKU 'ABY-BLACK-M' (Abaya) is not mapped to a catalogue SKU",
                {"channel": "shopify", "unmapped_lines": [aby]},
                aby["candidates"],
            ),
            (
                "9110",
                "unmapped_product",
                "2 lines of this Shopify order are not mapped to a catalogue SKU: "
                "'ABY-BLACK-M', 'GIFT-BOX-X'",
                {"channel": "shopify", "unmapped_lines": [aby, gift]},
                aby["candidates"],
            ),
        ],
    )


def _region(owner: psycopg2.extensions.connection, country: str, level: int, name: str) -> dict[str, Any]:
    rows = fetch(
        owner,
        """select region_code, name_en, name_local, level from reference.regions
           where country_code = %s and level = %s
           order by (lower(name_en) = lower(%s)) desc, region_code limit 1""",
        (country, level, name),
    )
    assert rows, f"reference.regions has no level-{level} region of {country}"
    return rows[0]


@pytest.fixture(scope="module")
def address_rows(queue: dict[str, Any], owner: psycopg2.extensions.connection) -> dict[str, Any]:
    """UI-only: orders 9111 and 9112 write the city "Riyadh Citty" (one alias fixes both); 9113 has
    an invalid postal code (only a correction fixes it)."""
    riyadh = _region(owner, "SA", 2, "Riyadh")
    province = _region(owner, "SA", 1, "Riyadh")
    dubai = _region(owner, "AE", 1, "Dubai")

    def region(row: dict[str, Any], score: float) -> dict[str, Any]:
        return {**row, "parent_name": None, "parent_name_local": None, "score": score}

    rows: list[tuple[str, str, str, dict[str, Any], list[dict[str, Any]]]] = [
        (
            oid,
            "unresolved_address",
            f"city {place!r} is not a known city of Saudi Arabia",
            {
                "ship_country": "SA",
                "ship_province": "Riyadh Province",
                "ship_city": place,
                "ship_district": None,
                "ship_postal_code": "12211",
                "address_issue": "city_unmatched",
                "ship_region_code": province["region_code"],
                "candidate_level": 2,
                "candidate_text": place,
            },
            [region(riyadh, 0.71), region(province, 0.4)],
        )
        for oid, place in (("9111", "Riyadh Citty"), ("9112", "riyadh  citty"))
    ]
    rows.append(
        (
            "9113",
            "unresolved_address",
            "postal code '123' is not a valid Saudi Arabia postal code",
            {
                "ship_country": "SA",
                "ship_postal_code": "123",
                "address_issue": "postal_code_invalid",
                "ship_region_code": riyadh["region_code"],
                "candidate_level": None,
                "candidate_text": None,
            },
            [],
        )
    )
    _insert_exceptions(owner, queue["orders"], rows)
    return {"riyadh": riyadh, "province": province, "dubai": dubai}


# --- helpers ----------------------------------------------------------------------------------------


def open_page(role: str = "reviewer", tenant: str = ACME) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    at.text_input(key="sign_in_email").input(email(role, tenant))
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception
    at.switch_page("app_pages/exceptions.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Exceptions"]
    return at


def table(at: AppTest, *columns: str):
    """The first table with these columns (read-only tables carry no key in AppTest)."""
    for f in at.dataframe:
        if set(columns) <= set(f.value.columns):
            return f.value
    raise AssertionError(f"no table with {columns}; tables: {[list(f.value.columns) for f in at.dataframe]}")


def groups(at: AppTest):
    return table(at, "Value to fix", "Open")


def group_row(at: AppTest, value: str) -> dict[str, Any]:
    table = groups(at)
    hits = table[table["Value to fix"].str.contains(value, regex=False)]
    assert len(hits) == 1, table.to_string()
    return hits.iloc[0].to_dict()


def keyed(at: AppTest, kind: str, suffix: str, prefix: str = "grp_") -> Any:
    found = [w for w in getattr(at, kind) if w.key and w.key.startswith(prefix) and w.key.endswith(suffix)]
    assert len(found) == 1, [w.key for w in getattr(at, kind)]
    return found[0]


def choose_group(at: AppTest, value: str) -> None:
    box = next(s for s in at.selectbox if s.key and s.key.startswith("exc_group_"))
    index = next(i for i, label in enumerate(box.options) if value in label)
    box.select_index(index).run()
    assert not at.exception, at.exception


def shown(at: AppTest) -> str:
    return " | ".join(
        str(e.value) for kind in ("info", "warning", "error", "success") for e in getattr(at, kind)
    )


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def exceptions_of(owner, exception_type: str, tenant: str = ACME) -> list[dict[str, Any]]:
    return fetch(
        owner,
        """select exception_key, order_key, platform_order_id, details from marts.fct_order_exceptions
           where tenant_id = %s and exception_type = %s order by exception_key""",
        (tenant, exception_type),
    )


def last_fix(owner) -> dict[str, Any]:
    fix = fetch(owner, "select * from app.exception_fixes order by fix_id desc limit 1")[0]
    audit = fetch(
        owner,
        "select * from app.audit_log where entity = 'exception_fix' and entity_key = %s",
        (str(fix["fix_id"]),),
    )
    assert len(audit) == 1, audit
    fix["audit"] = audit[0]
    return fix


def assert_fix(fix: dict[str, Any], action: str, exceptions: list[dict[str, Any]], who: str) -> None:
    assert fix["action"] == action
    assert fix["created_by"] == who
    assert sorted(fix["exception_keys"]) == sorted(e["exception_key"] for e in exceptions)
    assert sorted(fix["order_keys"]) == sorted({e["order_key"] for e in exceptions})
    audit = fix["audit"]
    assert (audit["tenant_id"], audit["user_email"], audit["action"]) == (
        fix["tenant_id"],
        who,
        f"exception.{action}",
    )
    assert audit["details"]["orders"] == len({e["order_key"] for e in exceptions})
    assert audit["details"]["target"] == fix["target"]


# --- access -----------------------------------------------------------------------------------------


def test_only_reviewers_and_admins_get_the_page(queue):
    from apps.streamlit.navigation import pages_for

    assert [r for r in ROLES if any(p.file == "exceptions.py" for p in pages_for(r))] == ["reviewer", "admin"]
    for role in ("finance", "ops"):
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        at.text_input(key="sign_in_email").input(email(role))
        at.text_input(key="sign_in_password").input(PASSWORD)
        at.button(key="sign_in_submit").click().run()
        assert not at.exception
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("app_pages/exceptions.py")
    assert open_page("admin").title[0].value == "Exceptions"


# --- the queue --------------------------------------------------------------------------------------

LABELS = {
    "unmapped_product": "Unmapped product",
    "unresolved_address": "Unresolved address",
    "unknown_carrier": "Unknown carrier",
    "unmapped_status": "Unmapped status",
    "missing_fx_rate": "Missing FX rate",
}


def user_of(role: str, tenant: str = ACME) -> dict[str, Any]:
    return {"email": email(role, tenant), "tenant_id": tenant, "role": role}


def test_the_queue_shows_each_value_once_with_its_orders(queue, owner):
    at = open_page()

    # Counts per type on top, as in the mart.
    per_type = {
        r["exception_type"]: r["n"]
        for r in fetch(
            owner,
            """select exception_type, count(*) as n from marts.fct_order_exceptions
               where tenant_id = %s group by 1""",
            (ACME,),
        )
    }
    assert {"unknown_carrier": 4, "unmapped_status": 2, "missing_fx_rate": 2}.items() <= per_type.items()
    assert {m.label: m.value for m in at.metric} == {LABELS.get(t, t): f"{n:,}" for t, n in per_type.items()}

    # Each value once, with the number of orders it affects: the two spellings of FastFalcon are one.
    falcon = group_row(at, "FastFalcon Couriers")
    assert (falcon["Type"], falcon["Orders"], falcon["Open"], falcon["State"]) == (
        "Unknown carrier",
        2,
        2,
        "open",
    )
    assert group_row(at, "Kilat Xpress MY")["Orders"] == 1
    assert group_row(at, "Siam Swift Parcel")["Orders"] == 1
    restocked = group_row(at, "status “restocked” on shopify")
    assert (restocked["Type"], restocked["Orders"]) == ("Unmapped status", 2)
    gbp = group_row(at, "GBP rate")
    assert (gbp["Orders"], gbp["Value to fix"]) == (2, "GBP rate (2024-05-01 to 2024-05-03)")
    assert all(stores == "Acme KSA" for stores in groups(at)["Stores"])

    # The chosen value shows its orders, its reason and the suggestions with their scores.
    choose_group(at, "FastFalcon Couriers")
    assert at.subheader[0].value == "carrier “FastFalcon Couriers” on shopify"
    orders = table(at, "Order", "Ordered (UTC)", "State")
    assert sorted(orders["Order"]) == ["#9101", "#9102"]
    suggestions = table(at, "Suggestion", "Score")
    in_mart = fetch(
        owner,
        """select suggestions from marts.fct_order_exceptions
           where tenant_id = %s and exception_type = 'unknown_carrier' and platform_order_id = '9101'""",
        (ACME,),
    )[0]["suggestions"]
    assert len(suggestions) == len(in_mart) == 3
    assert [float(x) for x in suggestions["Score"]] == [float(x["score"]) for x in in_mart]
    assert [x.split(" (")[0] for x in suggestions["Suggestion"]] == [x["carrier_name"] for x in in_mart]
    assert "Shopify carrier 'FastFalcon Couriers' is not a known carrier" in [c.value for c in at.caption]
    # Another tenant's exception is nowhere on the page.
    assert "Desert Hawk" not in " ".join(f.value.to_csv() for f in at.dataframe)


def test_filters_narrow_the_queue(queue):
    at = open_page()
    at.multiselect(key="exc_types").set_value(["unknown_carrier"]).run()
    assert set(groups(at)["Type"]) == {"Unknown carrier"}
    assert len(groups(at)) == 3
    assert [m.label for m in at.metric] and "Unknown carrier" in [m.label for m in at.metric]

    at.multiselect(key="exc_types").set_value([]).run()
    at.text_input(key="exc_search").input("kilat").run()
    assert list(groups(at)["Value to fix"]) == ["carrier “Kilat Xpress MY” on shopify"]
    at.text_input(key="exc_search").input("#9105").run()
    assert list(groups(at)["Value to fix"]) == ["status “restocked” on shopify"]
    assert list(groups(at)["Orders"]) == [1]

    at.text_input(key="exc_search").input("").run()
    at.selectbox(key="exc_age").set_value("< 1 h").run()  # the landed orders are from 2024
    assert "No exceptions match these filters." in shown(at)
    at.selectbox(key="exc_age").set_value("> 7 days").run()
    assert len(groups(at)) == 5
    at.multiselect(key="exc_stores").set_value([ACME_SHOP]).run()
    assert len(groups(at)) == 5


# --- fixes through the page --------------------------------------------------------------------------


def test_map_a_carrier_for_every_order_it_affects(queue, owner):
    from apps.streamlit import writes

    falcon = [
        e for e in exceptions_of(owner, "unknown_carrier") if e["platform_order_id"] in ("9101", "9102")
    ]
    reviewer = user_of("reviewer")
    with pytest.raises(writes.FixError, match="is not one of the seller's carriers"):
        writes.map_carrier(reviewer, [e["exception_key"] for e in falcon], "no-such-carrier", "any")
    with pytest.raises(writes.FixError, match="nothing selected"):
        writes.map_carrier(reviewer, [], "aramex", "any")

    at = open_page()
    choose_group(at, "FastFalcon Couriers")
    carrier = keyed(at, "selectbox", "_carrier")
    assert carrier.value is None  # the best suggestion scores too low to be preselected
    keyed(at, "button", "_carrier_submit").click().run()
    assert errors(at) == ["Cannot fix: choose a carrier to map to"]
    assert fetch(owner, "select count(*) as n from app.carrier_aliases")[0]["n"] == 0

    keyed(at, "selectbox", "_carrier").set_value("aramex")
    keyed(at, "radio", "_carrier_scope").set_value("any")
    keyed(at, "button", "_carrier_submit").click().run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)

    aliases = fetch(
        owner,
        "select tenant_id, channel, platform_carrier_name, carrier_code, created_by from app.carrier_aliases",
    )
    assert aliases == [
        {
            "tenant_id": ACME,
            "channel": "*",
            "platform_carrier_name": "fastfalcon couriers",
            "carrier_code": "aramex",
            "created_by": email("reviewer"),
        }
    ]
    fix = last_fix(owner)
    assert_fix(fix, "map_carrier", falcon, email("reviewer"))
    assert fix["target"]["carrier_code"] == "aramex" and fix["target"]["scope"] == "any"

    # The page says what happened; the value now shows as pending and is not offered again.
    assert any("2 exceptions on 2 orders are pending" in s.value for s in at.success)
    assert "starts within about a minute" in shown(at)
    row = group_row(at, "FastFalcon Couriers")
    assert row["Open"] == 0
    assert row["State"].startswith(f"pending (fixed by {email('reviewer')} at ")
    assert row["State"].endswith("waiting for the next run)")
    choose_group(at, "FastFalcon Couriers")
    assert not [b for b in at.button if b.key and b.key.endswith("_carrier_submit")]
    assert any("pending (fixed by" in i.value for i in at.info)
    states = table(at, "Order", "Ordered (UTC)", "State")["State"]
    assert len(states) == 2 and all(
        s.startswith(f"pending (fixed by {email('reviewer')} at ") for s in states
    )


def test_a_fix_made_meanwhile_by_someone_else_is_refused(queue, owner):
    from apps.streamlit import writes

    at = open_page()
    choose_group(at, "Kilat Xpress MY")
    keyed(at, "selectbox", "_carrier").set_value("aramex")

    # Meanwhile an admin maps the same carrier name.
    kilat = [e for e in exceptions_of(owner, "unknown_carrier") if e["platform_order_id"] == "9103"]
    result = writes.map_carrier(user_of("admin"), [kilat[0]["exception_key"]], "smsa", "channel")
    assert result.exception_keys == [kilat[0]["exception_key"]]

    keyed(at, "button", "_carrier_submit").click().run()
    assert len(errors(at)) == 1
    assert errors(at)[0].startswith(
        f"Cannot fix: 1 of the chosen exceptions were already fixed by {email('admin')} at "
    )
    assert (
        fetch(
            owner,
            """select count(*) as n from app.carrier_aliases
               where carrier_code = 'aramex' and channel = 'shopify'""",
        )[0]["n"]
        == 0
    )

    at.button(key="exc_refresh").click().run()
    assert group_row(at, "Kilat Xpress MY")["State"].startswith(f"pending (fixed by {email('admin')} at ")


def test_map_a_status(queue, owner):
    from apps.streamlit import writes

    restocked = exceptions_of(owner, "unmapped_status")
    assert {e["platform_order_id"] for e in restocked} == {"9105", "9106"}
    with pytest.raises(writes.FixError, match="'exception' is what an unmapped status already is"):
        writes.map_status(user_of("reviewer"), [e["exception_key"] for e in restocked], "exception")
    carrier_key = exceptions_of(owner, "unknown_carrier")[0]["exception_key"]
    with pytest.raises(writes.FixError, match="fix one type at a time"):
        writes.map_status(user_of("reviewer"), [restocked[0]["exception_key"], carrier_key], "cancelled")

    at = open_page()
    choose_group(at, "restocked")
    keyed(at, "selectbox", "_status").set_value("cancelled")
    keyed(at, "button", "_status_submit").click().run()
    assert not errors(at), errors(at)

    assert fetch(
        owner, "select tenant_id, channel, platform_status, status, created_by from app.status_mappings"
    ) == [
        {
            "tenant_id": ACME,
            "channel": "shopify",
            "platform_status": "restocked",
            "status": "cancelled",
            "created_by": email("reviewer"),
        }
    ]
    assert_fix(last_fix(owner), "map_status", restocked, email("reviewer"))
    assert group_row(at, "restocked")["State"].startswith("pending (fixed by")


def test_add_an_fx_rate_by_date(queue, owner):
    gbp = {e["platform_order_id"]: e for e in exceptions_of(owner, "missing_fx_rate")}
    assert set(gbp) == {"9107", "9108"}

    at = open_page()
    choose_group(at, "GBP rate")
    assert keyed(at, "date_input", "_fx_valid_from").value == date(2024, 5, 1)  # the first order's date
    for typed, reason in (
        ("0", "the rate must be more than 0: a missing rate is never zero"),
        ("-1.2", "the rate must be more than 0: a missing rate is never zero"),
        ("abc", "the rate must be a number (US dollars per unit of the currency)"),
    ):
        keyed(at, "text_input", "_fx_rate").input(typed)
        keyed(at, "button", "_fx_submit").click().run()
        assert errors(at) == [f"Cannot fix: {reason}"], typed
    assert fetch(owner, "select count(*) as n from app.fx_rates")[0]["n"] == 0

    # A rate from 3 May covers the order of 3 May only; the other stays open.
    keyed(at, "date_input", "_fx_valid_from").set_value(date(2024, 5, 2))
    keyed(at, "text_input", "_fx_rate").input("1.2650")
    keyed(at, "button", "_fx_submit").click().run()
    assert not errors(at), errors(at)
    assert_fix(last_fix(owner), "add_fx_rate", [gbp["9108"]], email("reviewer"))
    assert any("1 of the chosen exceptions are not covered by it" in s.value for s in at.success)
    row = group_row(at, "GBP rate")
    assert (row["Open"], row["State"]) == (1, "1 pending")

    choose_group(at, "GBP rate")
    keyed(at, "text_input", "_fx_rate").input("1.2601")
    keyed(at, "button", "_fx_submit").click().run()
    assert not errors(at), errors(at)
    assert_fix(last_fix(owner), "add_fx_rate", [gbp["9107"]], email("reviewer"))
    rates = fetch(owner, "select currency, valid_from, rate_to_usd from app.fx_rates order by rate_id")
    assert [(r["currency"], r["valid_from"], str(r["rate_to_usd"])) for r in rates] == [
        ("GBP", date(2024, 5, 2), "1.2650000000"),
        ("GBP", date(2024, 5, 1), "1.2601000000"),
    ]
    assert group_row(at, "GBP rate")["Open"] == 0


def _select_rows(at: AppTest, *values: str) -> None:
    shown_rows = table(at, "Value to fix", "Reason")
    rows = [int(shown_rows.index[shown_rows["Value to fix"].str.contains(v, regex=False)][0]) for v in values]
    key = next(f.key for f in at.dataframe if f.key and f.key.startswith("exc_rows_"))
    at.session_state[key] = {"selection": {"rows": rows, "columns": []}}
    at.run()
    assert not at.exception, at.exception


def test_bulk_fix_of_selected_rows(queue, owner, product_rows):
    at = open_page()
    _select_rows(at, "Siam Swift Parcel", "ABY-BLACK-M")
    assert any("select exceptions of one type" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key and b.key.startswith("bulk_")]

    _select_rows(at, "Siam Swift Parcel", "FastFalcon Couriers")
    assert any(
        "1 of the selected exceptions are already pending and are left out" in i.value for i in at.info
    )
    keyed(at, "selectbox", "_carrier", prefix="bulk_").set_value("naqel")
    keyed(at, "button", "_carrier_submit", prefix="bulk_").click().run()
    assert not errors(at), errors(at)

    siam = [e for e in exceptions_of(owner, "unknown_carrier") if e["platform_order_id"] == "9104"]
    assert_fix(last_fix(owner), "map_carrier", siam, email("reviewer"))
    assert fetch(
        owner,
        """select channel, platform_carrier_name, carrier_code from app.carrier_aliases
           where carrier_code = 'naqel'""",
    ) == [{"channel": "shopify", "platform_carrier_name": "siam swift parcel", "carrier_code": "naqel"}]
    rows = table(at, "Value to fix", "Reason")
    siam_state = rows[rows["Value to fix"].str.contains("Siam")]["State"].iloc[0]
    assert siam_state.startswith(f"pending (fixed by {email('reviewer')} at ")


def test_map_a_sku_with_the_suggested_sku(queue, owner, product_rows):
    from apps.streamlit import writes

    products = {e["platform_order_id"]: e for e in exceptions_of(owner, "unmapped_product")}
    reviewer = user_of("reviewer")
    with pytest.raises(writes.FixError, match="SKU 'NOPE' is not in the catalogue"):
        writes.map_sku(reviewer, [products["9109"]["exception_key"]], "NOPE", "channel")
    with pytest.raises(
        writes.FixError, match="'OTHER' is not an unmapped SKU or listing id of the chosen orders"
    ):
        writes.map_sku(reviewer, [products["9109"]["exception_key"]], "ABAYA-BLK-M", "channel", ["OTHER"])

    at = open_page()
    at.multiselect(key="exc_types").set_value(["unmapped_product"]).run()
    aby = group_row(at, "ABY-BLACK-M")
    assert (aby["Orders"], aby["Best suggestion"]) == (2, "ABAYA-BLK-M Abaya black M · score 0.64")
    assert group_row(at, "GIFT-BOX-X")["Orders"] == 1

    choose_group(at, "ABY-BLACK-M")
    assert keyed(at, "selectbox", "_sku").value == "ABAYA-BLK-M"  # the best suggestion, preselected
    assert keyed(at, "radio", "_sku_scope").value == "channel"
    keyed(at, "button", "_sku_submit").click().run()
    assert not errors(at), errors(at)
    assert fetch(
        owner, "select tenant_id, channel, store_id, platform_key, sku, created_by from app.sku_mappings"
    ) == [
        {
            "tenant_id": ACME,
            "channel": "shopify",
            "store_id": None,
            "platform_key": "ABY-BLACK-M",
            "sku": "ABAYA-BLK-M",
            "created_by": email("reviewer"),
        }
    ]
    # 9110 still has GIFT-BOX-X unmapped: its exception stays open, but ABY-BLACK-M is pending on both.
    assert_fix(last_fix(owner), "map_sku", [products["9109"]], email("reviewer"))
    aby = group_row(at, "ABY-BLACK-M")
    assert (aby["Open"], aby["State"][:17]) == (0, "pending (fixed by")

    # GIFT-BOX-X's suggestions are not in the catalogue (or inactive): refused, with the reason.
    choose_group(at, "GIFT-BOX-X")
    assert keyed(at, "selectbox", "_sku").value == "GONE-SKU"
    keyed(at, "button", "_sku_submit").click().run()
    assert errors(at) == [
        "Cannot fix: SKU 'GONE-SKU' is not in the catalogue: import it first (oms catalog import) "
        "or choose another"
    ]
    keyed(at, "selectbox", "_sku").set_value("OLD-SKU")
    keyed(at, "button", "_sku_submit").click().run()
    assert errors(at) == ["Cannot fix: SKU 'OLD-SKU' is inactive in the catalogue: choose an active SKU"]

    # Found by searching the catalogue, for this store only.
    keyed(at, "text_input", "_sku_search").input("black L").run()
    keyed(at, "selectbox", "_sku").set_value("ABAYA-BLK-L")
    keyed(at, "radio", "_sku_scope").set_value("store")
    keyed(at, "button", "_sku_submit").click().run()
    assert not errors(at), errors(at)
    assert fetch(
        owner, "select channel, store_id, sku from app.sku_mappings where platform_key = 'GIFT-BOX-X'"
    ) == [{"channel": "shopify", "store_id": ACME_SHOP, "sku": "ABAYA-BLK-L"}]
    assert_fix(last_fix(owner), "map_sku", [products["9110"]], email("reviewer"))
    assert group_row(at, "GIFT-BOX-X")["Open"] == 0

    with pytest.raises(writes.FixError, match="were already fixed by"):
        writes.map_sku(reviewer, [products["9110"]["exception_key"]], "ABAYA-BLK-M", "any")


def test_teach_a_place_name_and_correct_an_address(queue, owner, address_rows):
    from apps.streamlit import writes

    riyadh, province, dubai = address_rows["riyadh"], address_rows["province"], address_rows["dubai"]
    addresses = {e["platform_order_id"]: e for e in exceptions_of(owner, "unresolved_address")}
    citty = [addresses["9111"], addresses["9112"]]
    reviewer = user_of("reviewer")
    with pytest.raises(writes.FixError, match="is in AE, but the orders ship to SA: choose a region of SA"):
        writes.add_region_alias(reviewer, [e["exception_key"] for e in citty], dubai["region_code"])
    with pytest.raises(
        writes.FixError,
        match="the place name is a city name, but .* is a province: choose a city or district",
    ):
        writes.add_region_alias(reviewer, [e["exception_key"] for e in citty], province["region_code"])
    with pytest.raises(writes.FixError, match="has no place name to teach"):
        writes.add_region_alias(reviewer, [addresses["9113"]["exception_key"]], riyadh["region_code"])

    at = open_page()
    at.multiselect(key="exc_types").set_value(["unresolved_address"]).run()
    row = group_row(at, "“Riyadh Citty” in SA")
    assert (row["Orders"], row["Value to fix"]) == (2, "city “Riyadh Citty” in SA")
    choose_group(at, "Riyadh Citty")
    assert keyed(at, "radio", "_address_mode").value == "alias"
    assert keyed(at, "selectbox", "_region").value == riyadh["region_code"]
    keyed(at, "button", "_alias_submit").click().run()
    assert not errors(at), errors(at)
    assert fetch(
        owner, "select tenant_id, country_code, alias, region_code, created_by from app.region_aliases"
    ) == [
        {
            "tenant_id": ACME,
            "country_code": "SA",
            "alias": "riyadh citty",
            "region_code": riyadh["region_code"],
            "created_by": email("reviewer"),
        }
    ]
    assert_fix(last_fix(owner), "add_region_alias", citty, email("reviewer"))

    # A postal-code problem is one order's: only a correction fixes it.
    choose_group(at, "order #9113")
    mode = keyed(at, "radio", "_address_mode")
    assert (mode.value, len(mode.options)) == ("correct", 1)
    assert keyed(at, "selectbox", "_correct_region").value == riyadh["region_code"]
    keyed(at, "text_input", "_postal_code").input("123")
    keyed(at, "button", "_correct_submit").click().run()
    assert errors(at) == ["Cannot fix: '123' is not a postal code of SA"]
    keyed(at, "text_input", "_postal_code").input("12211")
    keyed(at, "button", "_correct_submit").click().run()
    assert not errors(at), errors(at)
    assert fetch(
        owner, "select order_key, region_code, postal_code, created_by from app.address_corrections"
    ) == [
        {
            "order_key": addresses["9113"]["order_key"],
            "region_code": riyadh["region_code"],
            "postal_code": "12211",
            "created_by": email("reviewer"),
        }
    ]
    assert_fix(last_fix(owner), "correct_address", [addresses["9113"]], email("reviewer"))
    assert group_row(at, "order #9113")["Open"] == 0


# --- tenants and the audit ---------------------------------------------------------------------------


def test_another_tenant_sees_and_fixes_only_its_own(queue, owner):
    from sqlalchemy import text as sql

    from apps.streamlit import writes
    from apps.streamlit.db import tenant_transaction

    at = open_page("reviewer", GLOBEX)
    assert list(groups(at)["Value to fix"]) == ["carrier “Desert Hawk Logistics” on shopify"]
    assert {m.label: m.value for m in at.metric} == {"Unknown carrier": "1"}
    assert "No fixes yet." in [c.value for c in at.caption]

    acme_key = exceptions_of(owner, "unknown_carrier")[0]["exception_key"]
    with pytest.raises(writes.FixError, match="are no longer in the queue"):
        writes.map_carrier(user_of("reviewer", GLOBEX), [acme_key], "aramex", "any")
    with tenant_transaction(GLOBEX) as conn:
        assert conn.execute(sql("select count(*) from app.exception_fixes")).scalar_one() == 0
        assert conn.execute(sql("select count(*) from app.carrier_aliases")).scalar_one() == 0
    with tenant_transaction(ACME) as conn:
        assert conn.execute(sql("select count(*) from app.exception_fixes")).scalar_one() > 0


def test_the_audit_shows_who_fixed_what_and_when(queue, owner):
    at = open_page()
    audit = table(at, "When (UTC)", "Who", "What")
    fixes = fetch(
        owner, "select * from app.exception_fixes where tenant_id = %s order by created_at desc", (ACME,)
    )
    assert len(audit) == len(fixes)
    assert list(audit["Who"]) == [f["created_by"] for f in fixes]
    assert list(audit["Orders"]) == [len(f["order_keys"]) for f in fixes]
    assert set(audit["State"]) == {"waiting for the next run"}
    assert "“fastfalcon couriers” → aramex (every channel)" in set(audit["What"])
    assert "shopify “restocked” → cancelled" in set(audit["What"])
    assert "GBP from 2024-05-02: 1.2650 USD per unit" in set(audit["What"])
    actions = {
        r["action"]
        for r in fetch(
            owner,
            "select action from app.audit_log where tenant_id = %s and entity = 'exception_fix'",
            (ACME,),
        )
    }
    assert {"exception.map_carrier", "exception.map_status", "exception.add_fx_rate"} <= actions


def test_the_next_run_takes_the_fixes_in(queue, owner):
    """The run a fix triggers (here: dbt, as the sensor's run does) moves the orders on, and the
    page no longer shows anything pending."""
    dbt("build")
    orders = {
        r["platform_order_id"]: r
        for r in fetch(
            owner,
            """select platform_order_id, status, carrier_code, exception_types from marts.fct_orders
               where tenant_id = %s""",
            (ACME,),
        )
    }
    for oid, carrier in (("9101", "aramex"), ("9102", "aramex"), ("9103", "smsa"), ("9104", "naqel")):
        assert (orders[oid]["carrier_code"], orders[oid]["status"], orders[oid]["exception_types"]) == (
            carrier,
            "shipped",
            [],
        ), oid
    for oid in ("9105", "9106"):
        assert (orders[oid]["status"], orders[oid]["exception_types"]) == ("cancelled", []), oid
    for oid in ("9107", "9108"):
        assert "missing_fx_rate" not in orders[oid]["exception_types"], oid

    at = open_page()
    assert "pending" not in " ".join(i.value for i in at.info)
    assert set(table(at, "When (UTC)", "Who", "What")["State"]) == {"applied"}
    remaining = fetch(
        owner,
        "select exception_type from marts.fct_order_exceptions where tenant_id = %s "
        "and exception_type in ('unknown_carrier', 'unmapped_status', 'missing_fx_rate')",
        (ACME,),
    )
    assert remaining == []

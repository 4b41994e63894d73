"""Manual orders: validation, the CSV/XLSX import template round trip, the app's form, duplicates
and tenant isolation, on the session's real Postgres through the app role (row-level security)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import psycopg2
import pytest
from streamlit.testing.v1 import AppTest

from ingestion import manual, templates

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "apps" / "streamlit" / "app.py"
PASSWORD = "manual-test-Passw0rd"
TENANT = "mo-acme"
OTHER = "mo-other"
STORE = {"timezone": "Asia/Riyadh", "currency": "SAR"}


def good_doc(**overrides) -> dict:
    doc = {
        "order_number": "M-1",
        "ordered_at": "2025-03-01 14:05",
        "currency": "SAR",
        "payment_method": "cod",
        "buyer_name": "محمد العتيبي",
        "buyer_phone": "٠٥٠١٢٣٤٥٦٧",
        "buyer_email": "",
        "ship_country": "SA",
        "ship_city": "Riyadh",
        "address_line1": "King Fahd Road 1",
        "shipping_amount": "15",
        "lines": [{"sku": "A-1", "title": "", "quantity": 2, "unit_price": "49.5"}],
    }
    doc.update(overrides)
    return doc


# ------------------------------------------------------------------------------------------------
# validate_order (pure)
# ------------------------------------------------------------------------------------------------


def test_a_good_order_is_cleaned():
    clean, errors = manual.validate_order(good_doc(), STORE)
    assert errors == []
    assert clean["ordered_at"] == "2025-03-01T11:05:00Z"  # naive = the store's zone (UTC+3)
    assert clean["shipping_amount"] == "15.00" and clean["discount_amount"] == "0.00"
    assert clean["lines"] == [{"sku": "A-1", "title": "A-1", "quantity": 2, "unit_price": "49.50"}]
    assert clean["buyer_phone"] == "٠٥٠١٢٣٤٥٦٧"  # the raw value is kept
    assert clean["buyer_email"] is None and clean["ship_province"] is None
    assert set(clean) == set(manual.ORDER_FIELDS) | {"lines"}


def test_times_with_offsets_amounts_and_country_names():
    clean, errors = manual.validate_order(
        good_doc(
            ordered_at="2025-03-01T14:05:00+07:00",
            currency=None,  # the store's currency
            ship_country="Saudi Arabia",
            tax_amount="1.2345",
            lines=[{"sku": "B", "title": "เสื้อ", "quantity": 3.0, "unit_price": 10.1}],
        ),
        STORE,
    )
    assert errors == []
    assert clean["ordered_at"] == "2025-03-01T07:05:00Z"
    assert clean["currency"] == "SAR" and clean["ship_country"] == "SA"
    assert clean["tax_amount"] == "1.2345"
    assert clean["lines"][0] == {"sku": "B", "title": "เสื้อ", "quantity": 3, "unit_price": "10.10"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"lines": [{"sku": "A", "quantity": 0, "unit_price": "1"}]},
            "line 1: quantity must be a whole number ≥ 1",
        ),
        (
            {"lines": [{"sku": "A", "quantity": "1.5", "unit_price": "1"}]},
            "quantity must be a whole number ≥ 1",
        ),
        ({"ship_country": "Saudia"}, "unknown country 'Saudia' (use ISO codes such as SA)"),
        ({"currency": "riyal"}, "currency must be a 3-letter ISO code"),
        ({"currency": "XYZ"}, "currency 'XYZ' is not an ISO 4217 code"),
        ({"buyer_phone": "05x"}, "phone '05x' is not a phone number"),
        ({"buyer_phone": ""}, "buyer_phone is required for a cash-on-delivery order"),
        ({"payment_method": "card"}, "payment_method must be cod or prepaid, not 'card'"),
        ({"ordered_at": "01/03/2025"}, "ordered_at '01/03/2025' is not an ISO date-time"),
        ({"ordered_at": "2999-01-01"}, "is in the future"),
        ({"buyer_email": "not-an-email"}, "buyer_email 'not-an-email' is not an email address"),
        ({"shipping_amount": "1.23456"}, "shipping_amount '1.23456' has more than 4 decimals"),
        ({"shipping_amount": "-1"}, "shipping_amount must not be negative"),
        ({"shipping_amount": "12,5"}, "uses a comma"),
        ({"discount_amount": "500"}, "discount_amount 500.00 is more than the items and shipping (114.00)"),
        ({"lines": []}, "an order needs at least one line"),
        ({"buyer_name": "  "}, "buyer_name is required"),
        ({"lines": [{"sku": "", "quantity": 1, "unit_price": "1"}]}, "line 1: sku is required"),
    ],
)
def test_bad_orders_say_what_is_wrong(overrides, message):
    _, errors = manual.validate_order(good_doc(**overrides), STORE)
    assert any(message in e for e in errors), errors


def test_prepaid_needs_no_phone():
    _, errors = manual.validate_order(good_doc(payment_method="Prepaid", buyer_phone=""), STORE)
    assert errors == []


# ------------------------------------------------------------------------------------------------
# The database and the app
# ------------------------------------------------------------------------------------------------


def email(role: str, tenant: str) -> str:
    return f"{role}@{tenant}.manualtest"


def owner_rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


@pytest.fixture(scope="module")
def tenants(pg: str) -> str:
    """Two tenants with an admin, a reviewer and an ops user each; no manual store yet."""
    import streamlit as st

    from warehouse.users import add_user

    for tenant in (TENANT, OTHER):
        owner_rows(pg, "delete from app.manual_orders where tenant_id = %s", (tenant,))
        owner_rows(pg, "delete from app.stores where tenant_id = %s", (tenant,))
        for role in ("admin", "reviewer", "ops"):
            add_user(email(role, tenant), PASSWORD, role, tenant, f"{role} {tenant}", created_by="test")
    owner_rows(pg, "update app.tenants set reporting_currency = 'SAR' where tenant_id = %s", (TENANT,))
    st.cache_data.clear()
    return pg


def sign_in(role: str, tenant: str = TENANT) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.text_input(key="sign_in_email").input(email(role, tenant))
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception
    return at


def open_page(role: str, tenant: str = TENANT) -> AppTest:
    at = sign_in(role, tenant)
    at.switch_page("app_pages/manual_orders.py").run()
    assert not at.exception, at.exception
    return at


def ui_text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("error", "warning", "info", "success", "caption", "markdown")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def fill_form(at: AppTest, order_number: str, buyer: str = "نورة القحطاني") -> AppTest:
    at.text_input(key="mo_order_number").input(order_number)
    at.date_input(key="mo_date").set_value(date(2025, 3, 2))
    at.time_input(key="mo_time").set_value(time(9, 30))
    at.selectbox(key="mo_payment").set_value("cod")
    at.text_input(key="mo_buyer_name").input(buyer)
    at.text_input(key="mo_buyer_phone").input("+966 55 765 4321")
    at.text_input(key="mo_country").input("SA")
    at.text_input(key="mo_city").input("Jeddah")
    at.text_input(key="mo_address1").input("Tahlia Street 9")
    at.text_input(key="mo_shipping").input("20")
    at.session_state["mo_lines"] = {
        "edited_rows": {},
        "added_rows": [
            {"sku": "TSHIRT-BLK-M", "title": "T-shirt", "quantity": 2, "unit_price": "49.50"},
            {"sku": "CAP-RED", "title": "قبعة", "quantity": 1, "unit_price": "30"},
        ],
        "deleted_rows": [],
    }
    return at


def test_roles_that_get_the_page():
    from apps.streamlit.navigation import pages_for

    for role, expected in (("admin", True), ("reviewer", True), ("ops", False), ("finance", False)):
        assert any(p.file == "manual_orders.py" for p in pages_for(role)) is expected


def test_the_form_creates_an_order_with_an_audit_row_and_refuses_a_duplicate(tenants):
    at = open_page("reviewer")
    assert "No manual orders yet." in ui_text(at)
    fill_form(at, "PHONE-1001")
    at.button(key="mo_submit").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Order PHONE-1001 created." in [t.value for t in at.toast]
    assert at.text_input(key="mo_order_number").value == ""  # the form is emptied for the next order

    rows = owner_rows(
        tenants,
        """select store_id, source, created_by, order_doc from app.manual_orders
           where tenant_id = %s and manual_order_id = 'PHONE-1001'""",
        (TENANT,),
    )
    assert len(rows) == 1
    store_id, source, created_by, doc = rows[0]
    assert (source, created_by) == ("form", email("reviewer", TENANT))
    # The tenant's manual store was created on first use (audited), with its reporting currency.
    assert owner_rows(
        tenants,
        "select channel, name, timezone, currency from app.stores where tenant_id = %s and store_id = %s",
        (TENANT, store_id),
    ) == [("manual", "manual", "UTC", "SAR")]
    assert doc["ordered_at"] == "2025-03-02T09:30:00Z"
    assert doc["currency"] == "SAR" and doc["shipping_amount"] == "20.00"
    assert doc["lines"] == [
        {"sku": "TSHIRT-BLK-M", "title": "T-shirt", "quantity": 2, "unit_price": "49.50"},
        {"sku": "CAP-RED", "title": "قبعة", "quantity": 1, "unit_price": "30.00"},
    ]
    audit = owner_rows(
        tenants,
        """select action, user_email, entity_key from app.audit_log
           where tenant_id = %s and action like %s order by audit_id""",
        (TENANT, "%.created"),
    )
    assert ("store.created", email("reviewer", TENANT), store_id) in audit
    assert ("manual_order.created", email("reviewer", TENANT), "PHONE-1001") in audit

    recent = next(f.value for f in at.dataframe if "In orders" in f.value.columns)
    row = recent[recent["Order"] == "PHONE-1001"].iloc[0]
    assert row["In orders"] == "pending until the next pipeline run"
    assert row["Buyer"] == "نورة القحطاني"

    # Same number, another buyer: refused with a message, nothing stored.
    fill_form(at, "PHONE-1001", buyer="Someone Else")
    at.button(key="mo_submit").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "order number PHONE-1001 already exists" in errors and "use another order number" in errors
    assert owner_rows(tenants, "select count(*) from app.manual_orders where tenant_id = %s", (TENANT,)) == [
        (1,)
    ]


def test_the_form_shows_validation_messages(tenants):
    at = open_page("admin")
    fill_form(at, "PHONE-2001")
    at.text_input(key="mo_country").input("Saudia")
    at.text_input(key="mo_buyer_phone").input("05x")
    at.button(key="mo_submit").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "unknown country 'Saudia' (use ISO codes such as SA)" in errors
    assert "phone '05x' is not a phone number" in errors
    assert not owner_rows(tenants, "select 1 from app.manual_orders where manual_order_id = 'PHONE-2001'")


def filled_rows(prefix: str) -> list[dict[str, str]]:
    """Two good orders (one of two lines, Arabic and Thai text) and two bad ones."""
    base = dict(templates.EXAMPLE_ROWS[0])
    rows = []
    rows.append({**base, "order_number": f"{prefix}-1", "sku": "S1", "quantity": "1", "unit_price": "10"})
    rows.append(
        {
            **base,
            "order_number": f"{prefix}-1",
            "buyer_name": "",
            "sku": "S2",
            "title": "หมวก",
            "quantity": "2",
            "unit_price": "5.5",
        }
    )
    rows.append(
        {
            **base,
            "order_number": f"{prefix}-2",
            "ship_country": "TH",
            "ship_city": "กรุงเทพ",
            "currency": "THB",
            "buyer_phone": "+66 81 234 5678",
        }
    )
    # bad: a quantity of zero on its second line -> both rows of the order refused
    rows.append({**base, "order_number": f"{prefix}-3", "sku": "S3"})
    rows.append({**base, "order_number": f"{prefix}-3", "sku": "S4", "quantity": "0"})
    # bad: an unknown country
    rows.append({**base, "order_number": f"{prefix}-4", "ship_country": "Saudia"})
    return rows


EXPECTED_GOOD = {"-1", "-2"}


def csv_file(prefix: str) -> bytes:
    """The downloaded CSV template, filled in: examples deleted, explanation row kept."""
    lines = templates.template_csv().decode("utf-8-sig").splitlines()
    reader = list(csv.reader(lines))
    header, explanation = reader[0], reader[1]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow(explanation)
    for row in filled_rows(prefix):
        writer.writerow([row[c] for c in header])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_file(prefix: str) -> bytes:
    """The downloaded XLSX template, filled in over its example rows (and one example left in)."""
    workbook = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx()))
    sheet = workbook["Orders"]
    header = [c.value for c in sheet[1]]
    rows = filled_rows(prefix)
    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(header, start=1):
            value: object = row[column]
            if column == "quantity" and value:
                value = int(value)  # typed as numbers in Excel
            if column == "ordered_at":
                value = datetime(2025, 3, 1, 14, 5)
            sheet.cell(row=r, column=c, value=value)
    for c, column in enumerate(header, start=1):  # the example, left in by mistake, on row 8
        sheet.cell(row=len(rows) + 2, column=c, value=templates.EXAMPLE_ROWS[0][column])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def issues_table(at: AppTest):
    return next(f.value for f in at.dataframe if "Reason" in f.value.columns)


@pytest.mark.parametrize(
    ("kind", "build", "first_row"),
    [("csv", csv_file, 3), ("xlsx", xlsx_file, 2)],  # the CSV keeps its explanation row (row 2)
)
def test_import_round_trip_lands_good_orders_and_reports_bad_rows(tenants, kind, build, first_row):
    prefix = f"IMP{kind.upper()}"
    data = build(prefix)
    at = open_page("admin")
    assert {b.proto.label for b in at.get("download_button")} == {"CSV template", "XLSX template"}
    at.file_uploader(key="mo_upload").set_value((f"orders.{kind}", data, "application/octet-stream"))
    at.run()
    at.button(key="mo_import").click().run()
    assert not at.exception, at.exception

    metrics = {m.label: m.value for m in at.metric}
    extra_example = 1 if kind == "xlsx" else 0
    assert metrics["Orders landed"] == "2"
    assert metrics["Rows rejected"] == str(3 + extra_example)

    landed = owner_rows(
        tenants,
        """select manual_order_id, source, import_file, import_row, order_doc from app.manual_orders
           where tenant_id = %s and manual_order_id like %s order by 1""",
        (TENANT, f"{prefix}-%"),
    )
    assert [r[0] for r in landed] == [f"{prefix}{s}" for s in sorted(EXPECTED_GOOD)]
    first = landed[0]
    assert first[1:4] == ("import", f"orders.{kind}", first_row)
    doc = first[4]
    assert doc["buyer_name"] == "محمد العتيبي"  # taken from the order's first line
    assert [line["title"] for line in doc["lines"]] == ["T-shirt black M", "หมวก"]
    assert doc["ordered_at"] == "2025-03-01T14:05:00Z"  # the store is in UTC
    assert landed[1][4]["ship_city"] == "กรุงเทพ" and landed[1][4]["currency"] == "THB"

    issues = issues_table(at)
    by_row = {int(r): reason for r, reason in zip(issues["Row"], issues["Reason"], strict=True)}
    bad3a, bad3b, bad4 = first_row + 3, first_row + 4, first_row + 5
    assert "quantity must be a whole number ≥ 1" in by_row[bad3b]
    assert f"not landed: order {prefix}-3 has errors on row {bad3b}" in by_row[bad3a]
    assert "unknown country 'Saudia' (use ISO codes such as SA)" in by_row[bad4]
    assert set(issues[issues["Row"] == bad4]["Field"]) == {"ship_country"}
    if kind == "xlsx":
        assert "template's example" in by_row[8]
    assert set(by_row) == {bad3a, bad3b, bad4} | ({8} if kind == "xlsx" else set())

    audit = owner_rows(
        tenants,
        """select details from app.audit_log where tenant_id = %s and action = 'manual_order.imported'
           and entity_key = %s order by audit_id desc limit 1""",
        (TENANT, f"orders.{kind}"),
    )
    assert audit and sorted(audit[0][0]["orders_landed"]) == [f"{prefix}{s}" for s in sorted(EXPECTED_GOOD)]

    # The same file again: nothing new lands; the good orders are reported as already imported.
    at.button(key="mo_import").click().run()
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Orders landed"], metrics["Already imported"]) == ("0", "2")
    assert owner_rows(
        tenants, "select count(*) from app.manual_orders where manual_order_id like %s", (f"{prefix}-%",)
    ) == [(2,)]


def test_a_file_without_the_template_header_is_refused():
    rows, errors = manual.read_import_file(b"foo,bar\n1,2\n", "x.csv")
    assert rows == [] and "the header lacks order_number" in errors[0]
    _, errors = manual.read_import_file("order_number\n".encode("utf-16"), "x.csv")
    assert "not UTF-8" in errors[0]
    _, errors = manual.read_import_file(b"not a zip", "x.xlsx")
    assert "not a readable XLSX" in errors[0]


def test_another_tenant_sees_none_of_it(tenants):
    at = open_page("reviewer", OTHER)
    assert "No manual orders yet." in ui_text(at)
    from sqlalchemy import text

    from apps.streamlit import queries
    from apps.streamlit.db import tenant_transaction

    assert len(queries.recent_manual_orders(OTHER)) == 0
    assert len(queries.recent_manual_orders(TENANT)) > 0
    with tenant_transaction(OTHER) as conn:
        assert conn.execute(text("select count(*) from app.manual_orders")).scalar_one() == 0
    # The other tenant may use the same order number: numbers are unique per tenant.
    from apps.streamlit import writes

    user = {"tenant_id": OTHER, "email": email("reviewer", OTHER)}
    store_id = writes.ensure_manual_store(user)
    result = writes.create_manual_order(user, store_id, good_doc(order_number="PHONE-1001"))
    assert result.created
    assert owner_rows(
        tenants, "select tenant_id from app.manual_orders where manual_order_id = 'PHONE-1001' order by 1"
    ) == sorted([(OTHER,), (TENANT,)])


def test_create_is_idempotent_and_refuses_other_channels_stores(tenants):
    from sqlalchemy import text

    from apps.streamlit.db import tenant_transaction

    owner_rows(
        tenants,
        """insert into app.stores (tenant_id, store_id, channel, name)
           values (%s, 'mo-shop', 'shopify', 'Shop')
           on conflict do nothing""",
        (TENANT,),
    )
    store_id = owner_rows(
        tenants, "select store_id from app.stores where tenant_id = %s and channel = 'manual'", (TENANT,)
    )[0][0]
    with tenant_transaction(TENANT) as conn:
        first = manual.create_manual_order(TENANT, store_id, good_doc(order_number="IDEM-1"), "t@x", conn)
        again = manual.create_manual_order(TENANT, store_id, good_doc(order_number="IDEM-1"), "t@x", conn)
        assert (first.created, again.created) == (True, False)
        with pytest.raises(manual.ManualOrderError, match="is a shopify store"):
            manual.create_manual_order(TENANT, "mo-shop", good_doc(order_number="IDEM-2"), "t@x", conn)
        with pytest.raises(manual.InvalidOrder, match="unknown country"):
            manual.create_manual_order(
                TENANT, store_id, good_doc(order_number="IDEM-3", ship_country="XX"), "t@x", conn
            )
        assert (
            conn.execute(
                text("select count(*) from app.manual_orders where manual_order_id like 'IDEM-%'")
            ).scalar_one()
            == 1
        )

"""Manual orders (admin, reviewer): create an order by hand, import a CSV/XLSX of orders with a
row-level report, and see the recent manual orders (pending until the pipeline has built them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from apps.streamlit import auth, queries, writes
from apps.streamlit.formatting import EMPTY, is_missing, text, utc
from ingestion import manual, templates

ROLES = ("admin", "reviewer")
PENDING = "pending until the next pipeline run"
LINE_COLUMNS = ["sku", "title", "quantity", "unit_price"]
# Form widgets, emptied after an order is created (popped before they are drawn on the next run).
FORM_KEYS = (
    "mo_order_number",
    "mo_date",
    "mo_time",
    "mo_currency",
    "mo_payment",
    "mo_buyer_name",
    "mo_buyer_phone",
    "mo_buyer_email",
    "mo_country",
    "mo_province",
    "mo_city",
    "mo_district",
    "mo_address1",
    "mo_address2",
    "mo_postal",
    "mo_shipping",
    "mo_discount",
    "mo_tax",
    "mo_notes",
    "mo_lines",
    "mo_default_moment",
)

user = auth.require_user()
if user["role"] not in ROLES:
    st.error("Only administrators and reviewers can enter manual orders.")
    st.stop()
tenant = user["tenant_id"]

if st.session_state.pop("mo_reset", False):
    for key in FORM_KEYS:
        st.session_state.pop(key, None)
flash = st.session_state.pop("mo_flash", None)

st.title("Manual orders")
st.caption(
    "Orders taken by phone, chat or in person, and orders imported from a spreadsheet. They join the "
    "other channels' orders (channel `manual`) at the next pipeline run."
)
if flash:
    st.toast(flash, icon=":material/check_circle:")
    st.success(flash)

stores = queries.manual_stores(tenant)
store: dict[str, Any]
if len(stores) == 0:
    store_id: str | None = None
    store = {"timezone": "UTC", "currency": queries.reporting_currency(tenant)}
    st.caption("Your first manual order creates the store `manual` (time zone UTC; an admin can change it).")
else:
    store_ids = list(stores["store_id"])
    store_id = (
        store_ids[0]
        if len(store_ids) == 1
        else st.selectbox(
            "Store",
            store_ids,
            key="mo_store",
            format_func=lambda s: f"{stores.set_index('store_id').loc[s, 'name']} ({s})",
        )
    )
    row = stores.set_index("store_id").loc[store_id]
    store = {
        "timezone": row["timezone"],
        "currency": None if is_missing(row["currency"]) else str(row["currency"]).strip(),
    }
zone = ZoneInfo(store["timezone"]) if store["timezone"] else ZoneInfo("UTC")


def target_store() -> str:
    """The store to write to, creating the tenant's ``manual`` store on first use."""
    return store_id or writes.ensure_manual_store(user)


def optional(value: Any) -> Any:
    """Blank editor cells (None, NaN, '') as None."""
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    return value


new_tab, import_tab, recent_tab = st.tabs(["New order", "Import a file", "Recent manual orders"])

with new_tab:
    moment = st.session_state.setdefault(
        "mo_default_moment", datetime.now(UTC).astimezone(zone).replace(second=0, microsecond=0)
    )
    with st.form("manual_order_form"):
        st.markdown("**Order**")
        c1, c2, c3, c4, c5 = st.columns(5)
        order_number = c1.text_input("Order number", key="mo_order_number", max_chars=64)
        ordered_date = c2.date_input("Ordered on", value=moment.date(), key="mo_date", format="YYYY-MM-DD")
        ordered_time = c3.time_input(
            f"Time ({store['timezone']})", value=moment.time(), key="mo_time", step=60
        )
        currency = c4.text_input("Currency", value=store["currency"] or "", key="mo_currency", max_chars=3)
        payment = c5.selectbox("Payment", manual.PAYMENT_METHODS, key="mo_payment")

        st.markdown("**Buyer**")
        b1, b2, b3 = st.columns(3)
        buyer_name = b1.text_input("Name", key="mo_buyer_name")
        buyer_phone = b2.text_input("Phone", key="mo_buyer_phone", placeholder="+966 50 123 4567")
        buyer_email = b3.text_input("Email (optional)", key="mo_buyer_email")

        st.markdown("**Ship to**")
        a1, a2, a3, a4 = st.columns(4)
        country = a1.text_input("Country (ISO code)", key="mo_country", placeholder="SA", max_chars=60)
        province = a2.text_input("Province (optional)", key="mo_province")
        city = a3.text_input("City", key="mo_city")
        district = a4.text_input("District (optional)", key="mo_district")
        l1, l2, l3 = st.columns([3, 3, 1])
        address1 = l1.text_input("Address", key="mo_address1")
        address2 = l2.text_input("Address line 2 (optional)", key="mo_address2")
        postal = l3.text_input("Postal code", key="mo_postal")

        st.markdown("**Lines**")
        lines = st.data_editor(
            pd.DataFrame(
                {
                    "sku": pd.Series(dtype="str"),
                    "title": pd.Series(dtype="str"),
                    "quantity": pd.Series(dtype="Int64"),
                    "unit_price": pd.Series(dtype="str"),
                }
            ),
            num_rows="dynamic",
            width="stretch",
            key="mo_lines",
            column_config={
                "sku": st.column_config.TextColumn("SKU", required=True, max_chars=100),
                "title": st.column_config.TextColumn("Title", max_chars=500),
                "quantity": st.column_config.NumberColumn("Quantity", min_value=1, step=1, format="%d"),
                "unit_price": st.column_config.TextColumn(
                    "Unit price",
                    help="Price of one unit, dot for decimals (99.50)",
                    validate=r"^[0-9.,٠-٩]*$",
                ),
            },
        )

        st.markdown("**Amounts and notes**")
        m1, m2, m3 = st.columns(3)
        shipping = m1.text_input("Shipping", value="0.00", key="mo_shipping")
        discount = m2.text_input("Discount", value="0.00", key="mo_discount")
        tax = m3.text_input("Tax", value="0.00", key="mo_tax")
        notes = st.text_area("Notes (optional)", key="mo_notes", max_chars=2000)
        submitted = st.form_submit_button("Create order", type="primary", key="mo_submit")

    if submitted:
        doc = {
            "order_number": order_number,
            "ordered_at": datetime.combine(ordered_date, ordered_time)
            if ordered_date and ordered_time
            else None,
            "currency": currency,
            "payment_method": payment,
            "buyer_name": buyer_name,
            "buyer_phone": buyer_phone,
            "buyer_email": buyer_email,
            "ship_country": country,
            "ship_province": province,
            "ship_city": city,
            "ship_district": district,
            "address_line1": address1,
            "address_line2": address2,
            "ship_postal_code": postal,
            "shipping_amount": shipping,
            "discount_amount": discount,
            "tax_amount": tax,
            "notes": notes,
            "lines": [
                {column: optional(record.get(column)) for column in LINE_COLUMNS}
                for record in lines.to_dict("records")
                if any(optional(record.get(column)) is not None for column in LINE_COLUMNS)
            ],
        }
        _, errors = manual.validate_order(doc, store)
        if not errors:
            try:
                result = writes.create_manual_order(user, target_store(), doc)
            except manual.InvalidOrder as exc:
                errors = exc.errors
            except manual.ManualOrderError as exc:
                errors = [str(exc)]
            else:
                if result.created:
                    queries.clear_cache()
                    st.session_state["mo_flash"] = f"Order {result.manual_order_id} created."
                    st.session_state["mo_reset"] = True
                    st.rerun()
                else:
                    st.warning(
                        f"Order {result.manual_order_id} already exists with exactly these details: "
                        "nothing new was created."
                    )
        if errors:
            st.error("The order was not created:\n\n" + "\n".join(f"- {e}" for e in errors))

with import_tab:
    st.markdown(
        "Download the template, fill one row per order line (repeat the order columns on each line of "
        "the same order number), delete the example rows, and upload it. Good orders land; each bad row "
        "comes back with its row number and the reason, and an order with any bad row is not imported."
    )
    d1, d2, _ = st.columns([1, 1, 3])
    d1.download_button(
        "CSV template",
        templates.template_csv(),
        file_name=templates.CSV_FILENAME,
        mime=templates.CSV_MIME,
        key="mo_template_csv",
        icon=":material/download:",
    )
    d2.download_button(
        "XLSX template",
        templates.template_xlsx(),
        file_name=templates.XLSX_FILENAME,
        mime=templates.XLSX_MIME,
        key="mo_template_xlsx",
        icon=":material/download:",
    )
    upload = st.file_uploader("Orders file (CSV or XLSX)", type=["csv", "xlsx"], key="mo_upload")
    if st.button("Import", key="mo_import", type="primary", disabled=upload is None) and upload is not None:
        with st.spinner("Checking and importing…"):
            report = writes.import_manual_orders(user, target_store(), upload.name, upload.getvalue())
        queries.clear_cache()
        st.session_state["mo_report"] = report
    report = st.session_state.get("mo_report")
    if report is not None:
        st.markdown(f"**Import of {report.filename}**")
        r1, r2, r3, r4 = st.columns(4)
        r1.metric("Rows read", f"{report.rows_read:,}")
        r2.metric("Orders landed", f"{len(report.orders_landed):,}")
        r3.metric("Already imported", f"{len(report.orders_already_present):,}")
        r4.metric("Rows rejected", f"{report.rows_rejected:,}")
        for error in report.file_errors:
            st.error(error)
        if report.orders_landed:
            st.success(
                f"{len(report.orders_landed)} order(s) landed: {', '.join(report.orders_landed[:20])}"
                + (" …" if len(report.orders_landed) > 20 else "")
            )
        if report.issues:
            issues = pd.DataFrame(report.issue_rows())
            st.dataframe(
                pd.DataFrame(
                    {
                        "Row": issues["row"],
                        "Order number": issues["order_number"].map(text),
                        "Field": issues["field"].map(text),
                        "Reason": issues["reason"],
                    }
                ),
                hide_index=True,
                width="stretch",
                key="mo_import_issues",
            )
        elif not report.file_errors:
            st.caption("Every row was good.")

with recent_tab:
    recent = queries.recent_manual_orders(tenant)
    if len(recent) == 0:
        st.info("No manual orders yet.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Order": recent["manual_order_id"],
                    "Store": recent["store_id"],
                    "Source": [
                        f"import {f} row {r}" if s == "import" else s
                        for s, f, r in zip(
                            recent["source"], recent["import_file"], recent["import_row"], strict=True
                        )
                    ],
                    "Ordered (UTC)": recent["ordered_at"].map(
                        lambda v: (
                            utc(datetime.fromisoformat(v.replace("Z", "+00:00")))
                            if isinstance(v, str)
                            else EMPTY
                        )
                    ),
                    "Buyer": recent["buyer_name"].map(text),
                    "Country": recent["ship_country"].map(text),
                    "City": recent["ship_city"].map(text),
                    "Payment": recent["payment_method"].map(text),
                    "Lines": recent["line_count"],
                    "Created by": recent["created_by"],
                    "Created (UTC)": recent["created_at"].map(utc),
                    "In orders": [
                        text(status) if built else PENDING
                        for built, status in zip(recent["in_marts"], recent["status"], strict=True)
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
            key="mo_recent",
        )

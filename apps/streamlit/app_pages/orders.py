"""Orders: search, filter and page through the tenant's orders; open one to see its detail."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from apps.streamlit import auth, queries
from apps.streamlit.formatting import EMPTY, money, money_column, pages, text, utc, widget_key, yes_no

PAGE_SIZES = (25, 50, 100, 200)

user = auth.require_user()
tenant = user["tenant_id"]

title_col, refresh_col = st.columns([6, 1], vertical_alignment="bottom")
title_col.title("Orders")
if refresh_col.button("Refresh", key="orders_refresh", icon=":material/refresh:"):
    queries.clear_cache()

missing = queries.missing_relations(tenant, queries.ORDER_RELATIONS)
if missing:
    st.info("No data yet: run the pipeline (`oms run`) to build the orders.")
    st.stop()
if queries.order_count(tenant) == 0:
    st.info("No data yet: run the pipeline (`oms run`) after landing some orders (`oms import`).")
    st.stop()

options = queries.order_filter_options(tenant)
stores: pd.DataFrame = options["stores"]
store_names = dict(zip(stores["store_id"], stores["name"], strict=True)) if len(stores) else {}

search = st.text_input(
    "Search",
    key="orders_search",
    placeholder="Order number (#1001), platform order id, buyer phone or tracking number",
)
c1, c2, c3, c4 = st.columns(4)
store_ids = c1.multiselect(
    "Store", list(store_names), key="orders_stores", format_func=lambda s: f"{store_names.get(s, s)} ({s})"
)
channels = c2.multiselect("Channel", options["channels"], key="orders_channels")
statuses = c3.multiselect("Status", options["statuses"], key="orders_statuses")
dates = c4.date_input("Ordered (UTC days)", value=(), key="orders_dates", format="YYYY-MM-DD")
dates = tuple(dates) if isinstance(dates, list | tuple) else (dates,)

filters = queries.OrderFilters(
    search=(search or "").strip(),
    store_ids=tuple(store_ids),
    channels=tuple(channels),
    statuses=tuple(statuses),
    ordered_from=dates[0] if len(dates) >= 1 else None,
    ordered_to=dates[1] if len(dates) >= 2 else None,
)

size_col, pager_col, caption_col = st.columns([1, 3, 2], vertical_alignment="bottom")
page_size = size_col.selectbox("Rows per page", PAGE_SIZES, key="orders_page_size")

total = queries.count_orders(tenant, filters)
if total == 0:
    st.info("No orders match these filters.")
    st.stop()
num_pages = pages(total, page_size)
# The pager's key changes with the filters (and the count), so new filters start again at page 1.
page = pager_col.pagination(num_pages, key=widget_key("orders_page", filters, page_size, total))
rows = queries.list_orders(tenant, filters, page_size, (page - 1) * page_size)
first = (page - 1) * page_size + 1
caption_col.caption(f"Page {page} of {num_pages} · orders {first}–{first + len(rows) - 1} of {total:,}")

table = pd.DataFrame(
    {
        "Order": rows["platform_order_name"].where(
            rows["platform_order_name"].notna(), rows["platform_order_id"]
        ),
        "Store": rows["store_name"],
        "Channel": rows["channel"],
        "Status": rows["status"],
        "Ordered (UTC)": rows["ordered_at"],
        "Buyer": rows["buyer_name"],
        "Country": rows["ship_country"],
        "City": rows["ship_city"],
        "Total": money_column(rows, "total_amount"),
        "COD": [
            money(a, c) if cod else EMPTY
            for a, c, cod in zip(rows["cod_amount"], rows["currency"], rows["is_cod"], strict=True)
        ],
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "Ordered (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC")
    },
    key="orders_table",
)

labels = {
    key: f"{text(name if isinstance(name, str) else pid)} · {store} · {status}"
    for key, name, pid, store, status in zip(
        rows["order_key"],
        rows["platform_order_name"],
        rows["platform_order_id"],
        rows["store_name"],
        rows["status"],
        strict=True,
    )
}
order_key = st.selectbox(
    "Order detail",
    list(labels),
    index=0 if len(labels) == 1 else None,
    format_func=lambda k: labels.get(k, k),
    placeholder="Choose an order on this page to see its detail",
    key=widget_key("orders_selected", filters, page_size, page, total),
)
if order_key is None:
    st.stop()

detail = queries.order_detail(tenant, order_key)
if detail is None:
    st.warning("This order is no longer available.")
    st.stop()

o: dict[str, Any] = detail["order"]
currency = o.get("currency")

st.divider()
st.subheader(f"Order {text(o.get('platform_order_name') or o.get('platform_order_id'))}")
h1, h2, h3, h4 = st.columns(4)
h1.metric("Status", text(o.get("status")))
h2.metric("Platform status", text(o.get("platform_status")))
h3.metric("Payment", text(o.get("payment_method")))
h4.metric("Total", money(o.get("total_amount"), currency))

exceptions = [e for e in (o.get("exception_types") or []) if e]
if exceptions:
    st.warning("Exceptions: " + ", ".join(exceptions))


def fields(title: str, rows: list[tuple[str, str]], key: str) -> None:
    """A two-column block of labelled values. A table, not markdown: buyer text is shown as typed."""
    st.markdown(f"**{title}**")
    st.dataframe(
        pd.DataFrame({"Field": [r[0] for r in rows], "Value": [r[1] for r in rows]}),
        hide_index=True,
        width="stretch",
        height="content",
        key=key,
    )


address_lines = o.get("address_lines")
tracking = [t for t in (o.get("tracking_numbers") or []) if t]
left, middle, right = st.columns(3)
with left:
    fields(
        "Order",
        [
            ("Store", f"{text(o.get('store_name') or o.get('store_id'))} ({text(o.get('store_id'))})"),
            ("Channel", text(o.get("channel"))),
            ("Platform order id", text(o.get("platform_order_id"))),
            ("Ordered (UTC)", utc(o.get("ordered_at"))),
            ("Updated on the platform (UTC)", utc(o.get("platform_updated_at"))),
            ("Status since (UTC)", utc(o.get("status_changed_at"))),
            ("Landed (UTC)", utc(o.get("landed_at"))),
            ("Tracking", ", ".join(tracking) or EMPTY),
            ("Version", text(o.get("version"))),
        ],
        key="order_header",
    )
with middle:
    fields(
        "Ship to",
        [
            ("Buyer", text(o.get("buyer_name"))),
            (
                "Address",
                ", ".join(x for x in address_lines if x)
                if isinstance(address_lines, list | tuple)
                else text(address_lines),
            ),
            ("District", text(o.get("ship_district"))),
            ("City", text(o.get("ship_city"))),
            ("Province", text(o.get("ship_province"))),
            ("Postal code", text(o.get("ship_postal_code"))),
            ("Country", text(o.get("ship_country"))),
            ("Region code", text(o.get("ship_region_code"))),
            ("Phone (raw)", text(o.get("buyer_phone_raw"))),
            ("Phone (E.164)", text(o.get("buyer_phone_e164"))),
            ("Phone valid", yes_no(o.get("is_phone_valid"))),
            ("Masked by the platform", yes_no(o.get("is_pii_masked"))),
        ],
        key="order_address",
    )
with right:
    fields(
        "Amounts",
        [
            ("Items", money(o.get("items_amount"), currency)),
            ("Shipping", money(o.get("shipping_amount"), currency)),
            ("Discount", money(o.get("discount_amount"), currency)),
            ("Tax", money(o.get("tax_amount"), currency)),
            ("Total", money(o.get("total_amount"), currency)),
            ("COD to collect", money(o.get("cod_amount"), currency) if o.get("is_cod") else EMPTY),
            (
                "Total in reporting currency",
                money(o.get("total_amount_reporting"), o.get("reporting_currency")),
            ),
        ],
        key="order_amounts",
    )

st.markdown(f"**Lines** ({len(detail['lines'])})")
lines_df: pd.DataFrame = detail["lines"]
if len(lines_df):
    st.dataframe(
        pd.DataFrame(
            {
                "Line": lines_df["platform_line_id"],
                "Platform SKU": lines_df["platform_sku"],
                "SKU": lines_df["sku"].map(lambda s: text(s) if not pd.isna(s) else "unmapped"),
                "Title": lines_df["title"],
                "Qty": lines_df["quantity"],
                "Unit price": money_column(lines_df, "unit_price_amount"),
                "Line amount": money_column(lines_df, "line_amount"),
                "Discount": money_column(lines_df, "discount_amount"),
                "Tax": money_column(lines_df, "tax_amount"),
                "Gift": lines_df["is_gift"].map(yes_no),
            }
        ),
        hide_index=True,
        width="stretch",
        key="order_lines",
    )
else:
    st.caption("This order has no lines.")

history: pd.DataFrame = detail["history"]
st.markdown(f"**Status history** ({len(history)})")
if len(history):
    st.dataframe(
        pd.DataFrame(
            {
                "Changed (UTC)": history["changed_at"].map(utc),
                "Status": history["status"],
                "Platform status": history["platform_status"],
                "Batch": history["batch_id"],
                "Landed (UTC)": history["landed_at"].map(utc),
            }
        ),
        hide_index=True,
        width="stretch",
        key="order_history",
    )
else:
    st.caption("No status history yet.")

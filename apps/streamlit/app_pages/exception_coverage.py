"""Exception coverage: how many orders each store could not convert, per day and exception type,
against the thresholds the coverage suite checks, and that suite's latest result."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from apps.streamlit import auth, queries
from apps.streamlit.formatting import EMPTY, text, utc

DEFAULT_DAYS = 28
BREACHES_LIMIT = 200

user = auth.require_user()
tenant = user["tenant_id"]


def percent(value: object) -> str:
    """``12.5%`` for a 0-1 share, ``—`` when there is none."""
    if value is None or pd.isna(value):
        return EMPTY
    return f"{round(float(value) * 100, 1):g}%"


def type_label(key: object) -> str:
    return queries.COVERAGE_TYPES[key][0] if key in queries.COVERAGE_TYPES else text(key)


title_col, refresh_col = st.columns([6, 1], vertical_alignment="bottom")
title_col.title("Exception coverage")
if refresh_col.button("Refresh", key="coverage_refresh", icon=":material/refresh:"):
    queries.clear_cache()

missing = queries.missing_relations(tenant, queries.COVERAGE_RELATIONS)
if missing:
    st.info("No data yet: run the pipeline (`oms run`). Not built yet: " + ", ".join(missing))
    st.stop()
options = queries.coverage_options(tenant)
if options["last_day"] is None:
    st.info("No data yet: run the pipeline (`oms run`) after landing some orders (`oms import`).")
    st.stop()

st.caption(
    "The share of each day's orders (UTC) that could not be converted into the seller's terms, per "
    "store and exception type. A store-day with enough orders is over its threshold when its rate "
    "exceeds the tightest threshold that applies; the coverage check warns about those."
)

stores: pd.DataFrame = options["stores"]
store_names = dict(zip(stores["store_id"], stores["name"], strict=True))
first_day: date = options["first_day"]
last_day: date = options["last_day"]

c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
store_ids = c1.multiselect(
    "Store", list(store_names), key="coverage_stores", format_func=lambda s: f"{store_names.get(s, s)} ({s})"
)
channels = c2.multiselect("Channel", options["channels"], key="coverage_channels")
exception_type = c3.selectbox(
    "Exception type", list(queries.COVERAGE_TYPES), key="coverage_type", format_func=type_label
)
dates = c4.date_input(
    "Order days (UTC)",
    value=(max(first_day, last_day - timedelta(days=DEFAULT_DAYS - 1)), last_day),
    min_value=first_day,
    max_value=last_day,
    key="coverage_dates",
    format="YYYY-MM-DD",
)
dates = tuple(dates) if isinstance(dates, list | tuple) else (dates,)
filters = queries.CoverageFilters(
    store_ids=tuple(store_ids),
    channels=tuple(channels),
    date_from=dates[0] if len(dates) >= 1 else None,
    date_to=dates[1] if len(dates) >= 2 else (dates[0] if dates else None),
)
label = type_label(exception_type)
_, count_column, _ = queries.COVERAGE_TYPES[exception_type]

totals = queries.coverage_totals(tenant, filters)
if totals["order_count"] == 0:
    st.info("No orders match these filters.")
    st.stop()
breaches = queries.coverage_breaches(tenant, filters, BREACHES_LIMIT)

m1, m2, m3, m4 = st.columns(4)
m1.metric("Orders", f"{totals['order_count']:,}")
m2.metric(f"{label}", f"{totals[count_column]:,}")
m3.metric(f"{label} rate", percent(totals[count_column] / totals["order_count"]))
m4.metric(
    "Store-days over a threshold", f"{len(breaches):,}" + ("+" if len(breaches) >= BREACHES_LIMIT else "")
)

# --- the trend ------------------------------------------------------------------------------------

by = st.segmented_control(
    "Lines per", ["channel", "store"], default="channel", key="coverage_by", format_func=str.title
)
trend = queries.coverage_trend(tenant, filters, exception_type, by or "channel")
series_title = "Channel" if (by or "channel") == "channel" else "Store"
chart = (
    alt.Chart(trend)
    .mark_line(point=True)
    .encode(
        x=alt.X("order_date:T", title="Order day (UTC)"),
        y=alt.Y("rate:Q", title=f"{label} rate", axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title=series_title),
        tooltip=[
            alt.Tooltip("order_date:T", title="Day (UTC)", format="%Y-%m-%d"),
            alt.Tooltip("series:N", title=series_title),
            alt.Tooltip("order_count:Q", title="Orders"),
            alt.Tooltip("exception_count:Q", title=label),
            alt.Tooltip("rate:Q", title="Rate", format=".1%"),
        ],
    )
    .properties(height=320)
)
st.altair_chart(chart, width="stretch", key="coverage_chart")

# --- stores against the thresholds ----------------------------------------------------------------

st.subheader(f"Stores: {label.lower()} against the thresholds")
per_store = queries.coverage_by_store(tenant, filters, exception_type)
st.dataframe(
    pd.DataFrame(
        {
            "Store": per_store["store_name"],
            "Channel": per_store["channel"],
            "Orders": per_store["order_count"],
            label: per_store["exception_count"],
            "Rate": per_store["rate"].map(percent),
            "Latest day": per_store["last_day"].map(utc),
            "Orders that day": per_store["last_day_order_count"],
            "Rate that day": per_store["last_day_rate"].map(percent),
            "Threshold that day": [
                f"≤ {percent(limit)}" if not pd.isna(limit) else "not judged (too few orders)"
                for limit in per_store["last_day_max_rate"]
            ],
            "Days judged": per_store["judged_days"],
            "Days over": per_store["days_over"],
            "Status": ["over" if over else "ok" for over in per_store["days_over"]],
        }
    ),
    hide_index=True,
    width="stretch",
    key="coverage_stores_table",
)

st.subheader("Store-days over a threshold")
if len(breaches) == 0:
    st.success("No store-day in these filters is over its threshold.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Day (UTC)": breaches["order_date"].map(utc),
                "Store": breaches["store_name"],
                "Channel": breaches["channel"],
                "Exception type": breaches["exception_type"].map(type_label),
                "Orders": breaches["order_count"],
                "With the exception": breaches["exception_count"],
                "Rate": breaches["rate"].map(percent),
                "Threshold": breaches["max_rate"].map(lambda v: f"≤ {percent(v)}"),
            }
        ),
        hide_index=True,
        width="stretch",
        key="coverage_breaches_table",
    )

# --- the coverage check ---------------------------------------------------------------------------

st.subheader("Latest coverage check")
suite = queries.coverage_suite_result(tenant)
if len(suite) == 0:
    st.info("The coverage check has not run yet: it runs with the pipeline.")
else:
    failed = int((~suite["success"].astype(bool)).sum())
    checked = utc(suite["checked_at"].iloc[0], seconds=True)
    summary = f"{len(suite) - failed} of {len(suite)} coverage rules passed (checked {checked})."
    own = [day for days in suite["own_store_days"] for day in (days or [])]
    if failed and not own:
        summary += " None of the store-days it names are yours."
    (st.warning if failed else st.success)(summary)
    st.dataframe(
        pd.DataFrame(
            {
                "Rule": suite["check_name"].str.removeprefix(f"{queries.COVERAGE_SUITE}: "),
                "Exception type": suite["exception_type"].map(type_label),
                "Passed": suite["success"].map(lambda v: "yes" if v else "no"),
                "Store-days judged (all tenants)": suite["evaluated_count"],
                "Store-days over (all tenants)": suite["failed_count"],
                "Your store-days over": [
                    ", ".join(
                        f"{store_names.get(d.get('store_id'), d.get('store_id'))} {d.get('order_date')}"
                        for d in (days or [])
                    )
                    or EMPTY
                    for days in suite["own_store_days"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        key="coverage_suite_table",
    )

with st.expander("Thresholds"):
    thresholds = queries.coverage_thresholds(tenant)
    st.dataframe(
        pd.DataFrame(
            {
                "Exception type": thresholds["exception_type"].map(type_label),
                "Applies from (orders a day)": thresholds["min_orders"],
                "Highest rate": thresholds["max_rate"].map(percent),
                "Why": thresholds["note"].map(text),
            }
        ),
        hide_index=True,
        width="stretch",
        key="coverage_thresholds_table",
        column_config={"Why": st.column_config.TextColumn(width="large")},
    )
    st.caption("From the seed exception_rate_thresholds (dbt_project/seeds); see DECISIONLOG.md.")

"""Pipeline: recent runs, the latest check results, the batch ledger and the rejects."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.streamlit import auth, queries
from apps.streamlit.formatting import pages, text, utc, widget_key, yes_no

PAGE_SIZES = (25, 50, 100)
REJECTS_PAGE_SIZE = 50

user = auth.require_user()
tenant = user["tenant_id"]

title_col, refresh_col = st.columns([6, 1], vertical_alignment="bottom")
title_col.title("Pipeline")
if refresh_col.button("Refresh", key="pipeline_refresh", icon=":material/refresh:"):
    queries.clear_cache()

missing = queries.missing_relations(tenant, queries.PIPELINE_RELATIONS)
if missing:
    st.info("No data yet: run the pipeline (`oms run`). Not built yet: " + ", ".join(missing))
    st.stop()

summary = queries.batch_summary(tenant)
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("Batches", f"{summary['batches']:,}")
m2.metric("Fetched", f"{summary['fetched']:,}")
m3.metric("Landed", f"{summary['landed']:,}")
m4.metric("Duplicates", f"{summary['duplicates']:,}")
m5.metric("Rejected", f"{summary['rejected']:,}")
st.caption("Every committed batch accounts for each record: fetched = landed + duplicates + rejected.")

runs_tab, checks_tab, batches_tab, rejects_tab = st.tabs(["Runs", "Checks", "Batches", "Rejects"])

with runs_tab:
    runs = queries.pipeline_runs(tenant)
    if len(runs) == 0:
        st.info("No pipeline runs yet: run the pipeline (`oms run`).")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Run": runs["run_id"],
                    "Trigger": runs["trigger"],
                    "Status": runs["status"],
                    "Started (UTC)": runs["started_at"].map(lambda v: utc(v, seconds=True)),
                    "Finished (UTC)": runs["finished_at"].map(lambda v: utc(v, seconds=True)),
                    "Duration (s)": runs["duration_s"],
                    "Error": runs["error"].map(text),
                }
            ),
            hide_index=True,
            width="stretch",
            key="pipeline_runs",
        )

with checks_tab:
    checks = queries.latest_check_results(tenant)
    if len(checks) == 0:
        st.info("No check results yet: the checks run with the pipeline.")
    else:
        failed = int((~checks["success"].astype(bool)).sum())
        (st.error if failed else st.success)(f"{len(checks) - failed} of {len(checks)} checks passed.")
        st.dataframe(
            pd.DataFrame(
                {
                    "Check": checks["check_name"],
                    "Asset": checks["asset"],
                    "Passed": checks["success"].map(yes_no),
                    "Evaluated": checks["evaluated_count"],
                    "Failed": checks["failed_count"],
                    "Checked (UTC)": checks["checked_at"].map(lambda v: utc(v, seconds=True)),
                    "Run": checks["run_id"],
                }
            ),
            hide_index=True,
            width="stretch",
            key="pipeline_checks",
        )

with batches_tab:
    batch_options = queries.batch_filter_options(tenant)
    f1, f2, f3 = st.columns([2, 2, 1])
    batch_statuses = f1.multiselect("Status", batch_options["statuses"], key="batches_statuses")
    batch_stores = f2.multiselect("Store", batch_options["stores"], key="batches_stores")
    batch_size = f3.selectbox("Rows per page", PAGE_SIZES, key="batches_page_size")
    total = queries.count_batches(tenant, tuple(batch_statuses), tuple(batch_stores))
    if total == 0:
        st.info("No batches match these filters." if batch_statuses or batch_stores else "No batches yet.")
    else:
        num_pages = pages(total, batch_size)
        page = st.pagination(
            num_pages, key=widget_key("batches_page", batch_statuses, batch_stores, batch_size, total)
        )
        batches = queries.load_batches(
            tenant, tuple(batch_statuses), tuple(batch_stores), batch_size, (page - 1) * batch_size
        )
        st.caption(f"Page {page} of {num_pages} · {total:,} batches, newest first")
        st.dataframe(
            pd.DataFrame(
                {
                    "Batch": batches["batch_id"],
                    "Source": batches["source"],
                    "Store": batches["store_id"],
                    "Origin": batches["origin"],
                    "File": batches["file_name"].map(text),
                    "Status": batches["status"],
                    "Fetched": batches["fetched_count"],
                    "Landed": batches["landed_count"],
                    "Duplicates": batches["duplicate_count"],
                    "Rejected": batches["rejected_count"],
                    "Cursor before": batches["cursor_before"].map(text),
                    "Cursor after": batches["cursor_after"].map(text),
                    "Started (UTC)": batches["started_at"].map(lambda v: utc(v, seconds=True)),
                    "Finished (UTC)": batches["finished_at"].map(lambda v: utc(v, seconds=True)),
                    "Error": batches["error"].map(text),
                }
            ),
            hide_index=True,
            width="stretch",
            key="pipeline_batches",
        )

with rejects_tab:
    reject_stores = st.multiselect("Store", batch_options["stores"], key="rejects_stores")
    reject_total = queries.count_rejects(tenant, tuple(reject_stores))
    if reject_total == 0:
        st.success("No rejected records.")
    else:
        reject_pages = pages(reject_total, REJECTS_PAGE_SIZE)
        reject_page = st.pagination(reject_pages, key=widget_key("rejects_page", reject_stores, reject_total))
        rejects = queries.load_rejects(
            tenant, tuple(reject_stores), REJECTS_PAGE_SIZE, (reject_page - 1) * REJECTS_PAGE_SIZE
        )
        st.caption(f"Page {reject_page} of {reject_pages} · {reject_total:,} rejected records, newest first")
        st.dataframe(
            pd.DataFrame(
                {
                    "Rejected (UTC)": rejects["rejected_at"].map(lambda v: utc(v, seconds=True)),
                    "Reason": rejects["reason"],
                    "Source": rejects["source"],
                    "Store": rejects["store_id"],
                    "Batch": rejects["batch_id"],
                    "File": rejects["file_name"].map(text),
                    "Record": rejects["record_index"],
                    "Key": rejects["natural_key"].map(text),
                    "Size (bytes)": rejects["raw_size_bytes"],
                    "Raw excerpt": rejects["raw_excerpt"].map(text),
                }
            ),
            hide_index=True,
            width="stretch",
            key="pipeline_rejects",
            column_config={"Raw excerpt": st.column_config.TextColumn(width="large")},
        )

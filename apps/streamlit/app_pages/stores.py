"""Stores (admin): the tenant's stores and their download settings; credential NAMES are shown with
whether each resolves in this environment, never their values."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from apps.streamlit import auth, queries, writes
from apps.streamlit.formatting import EMPTY, is_missing, text, utc, yes_no

user = auth.require_user()
if user["role"] != "admin":
    st.error("Only an administrator can see this page.")
    st.stop()
tenant = user["tenant_id"]

flash = st.session_state.pop("stores_flash", None)
title_col, refresh_col = st.columns([6, 1], vertical_alignment="bottom")
title_col.title("Stores")
if refresh_col.button("Refresh", key="stores_refresh", icon=":material/refresh:"):
    queries.clear_cache()
st.caption(
    "Credentials are never stored here: a store names the secrets (environment variables or keys of "
    "the secrets file) that hold them."
)
if flash:
    st.toast(flash, icon=":material/check_circle:")
    st.success(flash)

stores = queries.tenant_stores(tenant)
if len(stores) == 0:
    st.info(
        "No stores yet. Add one with `oms stores add`; a manual store appears with the first manual order."
    )
    st.stop()


def names_of(value: Any) -> dict[str, str]:
    return dict(value) if isinstance(value, dict) else {}


def credentials_cell(names: dict[str, str]) -> str:
    if not names:
        return EMPTY
    status = queries.credential_status(names)
    return ", ".join(
        f"{role}: {name} ({'set' if status.get(role) else 'missing'})" for role, name in names.items()
    )


st.dataframe(
    pd.DataFrame(
        {
            "Store": stores["store_id"],
            "Channel": stores["channel"],
            "Name": stores["name"],
            "Marketplace": stores["marketplace"].map(text),
            "Time zone": stores["timezone"],
            "Currency": stores["currency"].map(text),
            "Interval (min)": stores["download_interval_minutes"],
            "Overlap (min)": stores["overlap_minutes"],
            "API base URL": stores["api_base_url"].map(text),
            "Credentials": stores["credential_names"].map(lambda v: credentials_cell(names_of(v))),
            "Active": stores["is_active"].map(yes_no),
            "Updated (UTC)": stores["updated_at"].map(utc),
            "Updated by": stores["updated_by"],
        }
    ),
    hide_index=True,
    width="stretch",
    key="stores_table",
)

by_id = stores.set_index("store_id")
store_id = st.selectbox(
    "Store to edit",
    list(by_id.index),
    key="stores_selected",
    format_func=lambda s: f"{by_id.loc[s, 'name']} · {by_id.loc[s, 'channel']} ({s})",
)
row = by_id.loc[store_id]
names = names_of(row["credential_names"])

edit_col, side_col = st.columns([3, 2])
with edit_col, st.form(f"store_form_{store_id}"):
    st.markdown(f"**{row['name']}** · {row['channel']} · `{store_id}`")
    f1, f2, f3 = st.columns(3)
    timezone = f1.text_input("Time zone (IANA)", value=row["timezone"], key=f"store_tz_{store_id}")
    interval = f2.number_input(
        "Download interval (minutes, 1–1440)",
        value=int(row["download_interval_minutes"]),
        step=1,
        key=f"store_interval_{store_id}",
    )
    overlap = f3.number_input(
        "Overlap (minutes, 0–1440)",
        value=int(row["overlap_minutes"]),
        step=1,
        key=f"store_overlap_{store_id}",
    )
    api_base_url = st.text_input(
        "API base URL",
        value="" if is_missing(row["api_base_url"]) else str(row["api_base_url"]),
        key=f"store_url_{store_id}",
        placeholder="https://your-shop.myshopify.com",
    )
    credential_text = st.text_area(
        "Credential names (one per line: role = SECRET_NAME)",
        value="\n".join(f"{role} = {name}" for role, name in names.items()),
        key=f"store_credentials_{store_id}",
        help="The NAME of each secret, never its value: the value goes into the environment or the "
        "secrets file.",
    )
    active = st.checkbox(
        "Active (downloads run)", value=bool(row["is_active"]), key=f"store_active_{store_id}"
    )
    saved = st.form_submit_button("Save", type="primary", key=f"store_save_{store_id}")

if saved:
    try:
        changed = writes.update_store(
            user,
            store_id,
            {
                "timezone": timezone,
                "download_interval_minutes": interval,
                "overlap_minutes": overlap,
                "api_base_url": api_base_url,
                "credential_names": credential_text,
                "is_active": active,
            },
        )
    except writes.StoreEditError as exc:
        edit_col.error("Not saved:\n\n" + "\n".join(f"- {e}" for e in exc.errors))
    else:
        if changed:
            queries.clear_cache()
            st.session_state["stores_flash"] = f"Store {store_id} saved: {', '.join(changed)} changed."
            st.rerun()
        edit_col.info("Nothing changed.")

with side_col:
    st.markdown("**Credentials**")
    if names:
        status = queries.credential_status(names)
        st.dataframe(
            pd.DataFrame(
                {
                    "Role": list(names),
                    "Secret name": list(names.values()),
                    "Resolves here": [yes_no(status.get(role)) for role in names],
                }
            ),
            hide_index=True,
            width="stretch",
            key="stores_credentials",
        )
        if not all(status.values()):
            st.warning("Set the missing secrets in the environment or the secrets file (OMS_SECRETS_FILE).")
    else:
        st.caption("No credentials named.")

st.divider()
st.subheader("Downloads")
# DOWNLOAD-NOW: the app writes a request into app.download_requests; the `download_requests` Dagster
# sensor claims it and runs `download_store`, whose op records the outcome on the request.
requests = queries.download_requests(tenant, store_id, 10)
open_requests = (
    requests[requests["status"].isin(writes.OPEN_DOWNLOAD_STATUSES)] if len(requests) else requests
)
open_request = open_requests.iloc[0].to_dict() if len(open_requests) else None
unavailable = writes.download_unavailable_reason(
    store_id,
    str(row["channel"]),
    bool(row["is_active"]),
    None if is_missing(row["api_base_url"]) else str(row["api_base_url"]),
    open_request,
)
st.markdown(
    "**Download now** fetches this store's orders from its API now: leave the window empty to "
    "continue from the store's cursor, give a window (UTC unless an offset is written), or list order "
    "ids to download those again. The pipeline starts the run within half a minute."
)
if unavailable:
    st.warning(f"Download now is not available: {unavailable}.")
with st.form(f"download_form_{store_id}"):
    d1, d2 = st.columns(2)
    since_text = d1.text_input(
        "Since (optional)", key=f"download_since_{store_id}", placeholder="2025-05-01T00:00Z"
    )
    until_text = d2.text_input(
        "Until (optional)", key=f"download_until_{store_id}", placeholder="2025-05-02T00:00Z"
    )
    ids_text = st.text_area(
        "Or order ids (one per line)",
        key=f"download_ids_{store_id}",
        help="The platform's order ids; their current versions are downloaded again.",
    )
    download = st.form_submit_button(
        "Download now",
        type="primary",
        icon=":material/download:",
        disabled=unavailable is not None,
        key=f"download_now_{store_id}",
    )

if download:
    try:
        request_id = writes.request_download(user, store_id, since_text, until_text, ids_text)
    except writes.DownloadRequestError as exc:
        st.error("Not requested:\n\n" + "\n".join(f"- {e}" for e in exc.errors))
    else:
        queries.clear_cache()
        st.session_state["stores_flash"] = (
            f"Download of {store_id} requested (request #{request_id}): the pipeline starts it shortly."
        )
        st.rerun()


def request_window(req: dict[str, Any]) -> str:
    ids = list(req["order_ids"]) if isinstance(req["order_ids"], list | tuple) else []
    if ids:
        return f"{len(ids)} order id(s): " + ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
    if is_missing(req["since"]) and is_missing(req["until"]):
        return "from the store's cursor"
    return f"{utc(req['since'], seconds=True)} .. {utc(req['until'], seconds=True)}"


def summary_cell(value: Any) -> str:
    if not isinstance(value, dict) or "pages" not in value:
        return EMPTY
    return (
        f"{value['pages']} page(s), {value['landed']} landed, {value['duplicate']} duplicate, "
        f"{value['rejected']} rejected"
    )


if open_request is not None:
    state = "waiting for the pipeline to start it" if open_request["status"] == "requested" else "running"
    st.info(
        f"Request #{open_request['request_id']} by {open_request['requested_by']} is {state} "
        f"(requested {utc(open_request['requested_at'], seconds=True)}). Press Refresh to update."
    )
    if st.button("Refresh progress", key=f"download_refresh_{store_id}", icon=":material/refresh:"):
        queries.clear_cache()
        st.rerun()
    progress = queries.download_progress(tenant, store_id, open_request["requested_at"].to_pydatetime())
    live = open_request["summary"].get("progress") if isinstance(open_request["summary"], dict) else None
    if progress is None:
        st.caption("Progress appears once the pipeline has built the batch ledger (marts.fct_load_batches).")
    else:
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Pages landed", int(progress["pages"]))
        m2.metric("Orders landed", int(progress["landed"]))
        m3.metric("Duplicates", int(progress["duplicates"]))
        m4.metric("Rejects", int(progress["rejected"]))
        st.caption(
            f"Last cursor: {text(progress['last_cursor'])} · "
            f"failed batches: {int(progress['failed_batches'])} · "
            "from the batch ledger as of the pipeline's last build"
            + (f" · last error: {progress['last_error']}" if progress["last_error"] else "")
        )
    if live:
        st.caption(
            f"Live from the run: {live.get('pages', 0)} page(s), {live.get('landed', 0)} landed, "
            f"{live.get('duplicate', 0)} duplicate, {live.get('rejected', 0)} rejected; "
            f"cursor {live.get('cursor_after') or EMPTY}"
        )

if len(requests):
    st.markdown("**Download requests**")
    st.dataframe(
        pd.DataFrame(
            {
                "Request": requests["request_id"],
                "Status": requests["status"],
                "What": [request_window(r) for r in requests.to_dict("records")],
                "Requested by": requests["requested_by"],
                "Requested (UTC)": requests["requested_at"].map(lambda v: utc(v, seconds=True)),
                "Finished (UTC)": requests["finished_at"].map(lambda v: utc(v, seconds=True)),
                "Result": requests["summary"].map(summary_cell),
                "Error": requests["error"].map(text),
            }
        ),
        hide_index=True,
        width="stretch",
        key="stores_download_requests",
    )

st.markdown("**Last download batches**")
batches = queries.store_download_batches(tenant, store_id)
if len(batches) == 0:
    st.info("No API or webhook downloads for this store yet.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Batch": batches["batch_id"],
                "Origin": batches["origin"],
                "Status": batches["status"],
                "Fetched": batches["fetched_count"],
                "Landed": batches["landed_count"],
                "Duplicates": batches["duplicate_count"],
                "Rejected": batches["rejected_count"],
                "Cursor after": batches["cursor_after"].map(text),
                "Started (UTC)": batches["started_at"].map(lambda v: utc(v, seconds=True)),
                "Finished (UTC)": batches["finished_at"].map(lambda v: utc(v, seconds=True)),
                "Error": batches["error"].map(text),
            }
        ),
        hide_index=True,
        width="stretch",
        key="stores_batches",
    )

"""Exceptions: the reviewers' queue of orders that could not be converted.

Each thing to fix (an unknown carrier name, an unmapped SKU or status, a place name, a missing FX
rate) is shown once with the orders it affects, and one fix maps it for all of them. Single
exceptions can also be picked in a table and fixed together. A fix is saved in app.* with an
audit row (writes.py); a sensor starts the pipeline run that applies it within about a minute, and
until that run has rebuilt the queue its exceptions show as pending.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from apps.streamlit import auth, queries, writes
from apps.streamlit.formatting import EMPTY, is_missing, pages, text, utc, widget_key

TYPE_LABELS = {
    "unmapped_product": "Unmapped product",
    "unresolved_address": "Unresolved address",
    "unknown_carrier": "Unknown carrier",
    "unmapped_status": "Unmapped status",
    "missing_fx_rate": "Missing FX rate",
}
SKU_SCOPE_LABELS = {
    "store": "this store only",
    "channel": "every store of this channel",
    "any": "every channel",
}
CARRIER_SCOPE_LABELS = {"channel": "this channel", "any": "every channel"}
LEVEL_NAMES = {0: "country", 1: "province", 2: "city", 3: "district"}
PAGE_SIZES = (25, 50, 100)
FLASH = "exceptions_flash"
FIX_COUNT = "exceptions_fix_count"
RUN_NOTE = "the pipeline run that applies a fix starts within about a minute of it"
# A suggestion is only preselected when it is this close; a weaker one is listed, never chosen.
PREFILL_MIN_SCORE = 0.5

user = auth.require_user()
tenant = user["tenant_id"]


def type_label(exception_type: str) -> str:
    return TYPE_LABELS.get(exception_type, exception_type.replace("_", " ").capitalize())


def age(first_seen_at: Any) -> str:
    """How long ago the exception was first seen, live (the mart's age_hours is as of its build)."""
    if is_missing(first_seen_at):
        return EMPTY
    moment = pd.Timestamp(first_seen_at)
    moment = moment.tz_localize(UTC) if moment.tzinfo is None else moment
    hours = (datetime.now(UTC) - moment.to_pydatetime()).total_seconds() / 3600
    if hours < 1:
        return f"{max(hours * 60, 0):.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.0f} days"


def count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def pending_text(by: Any, at: Any) -> str:
    return f"pending (fixed by {text(by)} at {utc(at)}, waiting for the next run)"


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def describe(exception_type: str, subject: dict[str, Any], details: dict[str, Any], order: Any) -> str:
    """The thing to fix, in words."""
    details = details or {}
    if "order_key" in subject:
        return f"order {text(order)}"
    if exception_type == "unknown_carrier":
        name = (details.get("platform_carrier_name") or subject.get("name") or "").strip()
        return f"carrier “{name}” on {subject.get('channel')}"
    if exception_type == "unmapped_status":
        return f"status “{subject.get('platform_status')}” on {subject.get('channel')}"
    if exception_type == "missing_fx_rate":
        return f"{subject.get('currency')} rate"
    if exception_type == "unmapped_product":
        key = subject.get("platform_key")
        titles = [
            " - ".join(x for x in (line.get("title"), line.get("variant_title")) if x)
            for line in as_list(details.get("unmapped_lines"))
            if isinstance(line, dict) and line.get("platform_key") == key and line.get("title")
        ]
        store = store_names.get(subject.get("store_id"), subject.get("store_id"))
        return f"“{key}”{' ' + titles[0] if titles else ''} on {store}"
    if exception_type == "unresolved_address":
        place = (details.get("candidate_text") or subject.get("place") or "").strip()
        return f"{level_name(subject.get('level'))} “{place}” in {subject.get('country_code')}"
    return json.dumps(subject, ensure_ascii=False)


def level_name(level: Any) -> str:
    try:
        return LEVEL_NAMES[int(level)]
    except (TypeError, ValueError, KeyError):
        return "place"


def suggestions_for(
    exception_type: str, subjects: list[dict[str, Any]], suggestions: Any, details: Any = ()
) -> list[dict[str, Any]]:
    """The suggestions that fit these subjects, best first, each once. A product's are per line
    (details.unmapped_lines[].candidates), so they are taken from the lines of these keys."""
    if exception_type == "unmapped_product":
        keys = {s.get("platform_key") for s in subjects}
        items = [
            {**c, "platform_key": line.get("platform_key")}
            for d in details
            for line in as_list((d or {}).get("unmapped_lines"))
            if isinstance(line, dict) and line.get("platform_key") in keys
            for c in as_list(line.get("candidates"))
            if isinstance(c, dict)
        ]
    else:
        items = [s for s in as_list(suggestions) if isinstance(s, dict)]
    unique: dict[str, dict[str, Any]] = {}
    for item in sorted(items, key=lambda s: -(s.get("score") or 0)):
        unique.setdefault(json.dumps({k: v for k, v in item.items() if k != "score"}, sort_keys=True), item)
    return list(unique.values())


def suggestion_text(exception_type: str, s: dict[str, Any]) -> str:
    score = f"score {s.get('score')}"
    if exception_type == "unknown_carrier":
        return f"{s.get('carrier_name')} ({s.get('carrier_code')}) like “{s.get('alias')}” · {score}"
    if exception_type == "unmapped_status":
        return f"{s.get('status')} like “{s.get('platform_status')}” · {score}"
    if exception_type == "unmapped_product":
        return f"{s.get('sku')} {text(s.get('title'))} · {score}"
    if exception_type == "unresolved_address":
        return f"{s.get('name_en')} ({s.get('region_code')}) · {score}"
    return json.dumps(s, ensure_ascii=False)


def prefill(suggested: list[dict[str, Any]], field: str, choices: Any) -> int | None:
    """The index in ``choices`` of the best suggestion, if it is close enough to preselect."""
    best = next((s for s in suggested if s.get(field) in choices), None)
    if best is None or (best.get("score") or 0) < PREFILL_MIN_SCORE:
        return None
    return list(choices).index(best[field])


def apply_fix(run: Callable[[], writes.FixResult], what: str) -> None:
    """Run a fix; on success remember what it did and rerun, else say why it cannot be done."""
    try:
        result = run()
    except writes.FixError as err:
        for reason in err.errors:
            st.error(f"Cannot fix: {reason}")
        return
    fixed = len(result.exception_keys)
    message = (
        f"{what} (fix #{result.fix_id}): {count(fixed, 'exception')} on "
        f"{count(len(result.order_keys), 'order')} {'is' if fixed == 1 else 'are'} pending until the "
        "next pipeline run, which starts within about a minute."
    )
    if result.left_open:
        message += f" {result.left_open} of the chosen exceptions are not covered by it and stay open."
    st.session_state[FLASH] = message
    st.session_state[FIX_COUNT] = st.session_state.get(FIX_COUNT, 0) + 1
    queries.clear_cache()
    st.rerun()


# ---------------------------------------------------------------------------------------------
# Fix forms, one per type; ``prefix`` keys the widgets to one group or selection
# ---------------------------------------------------------------------------------------------


def sku_form(
    prefix: str, keys: list[str], subjects: list[dict[str, Any]], suggested: list[dict[str, Any]]
) -> None:
    platform_keys = sorted({s["platform_key"] for s in subjects if s.get("platform_key")})
    search = st.text_input(
        "Find a SKU in the catalogue", key=f"{prefix}_sku_search", placeholder="SKU or product title"
    )
    catalogue = queries.catalogue_skus(tenant, (search or "").strip())
    choices: dict[str, str] = {}
    for s in suggested:
        if s.get("sku"):
            choices.setdefault(
                s["sku"], f"{s['sku']} · {text(s.get('title'))} · suggested, score {s.get('score')}"
            )
    for row in catalogue.itertuples():
        variant = (
            f" / {row.variant_title}" if isinstance(row.variant_title, str) and row.variant_title else ""
        )
        choices.setdefault(row.sku, f"{row.sku} · {row.title}{variant}{' (bundle)' if row.is_bundle else ''}")
    if not choices:
        st.warning(
            "No active catalogue SKU matches: import the catalogue (`oms catalog import`) or search again."
        )
        return
    with st.form(f"{prefix}_sku_form", border=True):
        chosen_keys = platform_keys
        if len(platform_keys) > 1:
            chosen_keys = st.multiselect(
                "Platform SKUs / listing ids to map",
                platform_keys,
                default=platform_keys,
                key=f"{prefix}_sku_keys",
            )
        sku = st.selectbox(
            "Catalogue SKU",
            list(choices),
            format_func=choices.get,
            index=prefill(suggested, "sku", choices),
            placeholder="Choose a SKU",
            key=f"{prefix}_sku",
        )
        scope = st.radio(
            "The mapping applies to",
            writes.SKU_SCOPES,
            format_func=SKU_SCOPE_LABELS.get,
            index=1,
            horizontal=True,
            key=f"{prefix}_sku_scope",
        )
        submitted = st.form_submit_button("Map to this SKU", type="primary", key=f"{prefix}_sku_submit")
    if submitted:
        apply_fix(
            lambda: writes.map_sku(user, keys, sku, scope, chosen_keys),
            f"Mapped {', '.join(chosen_keys)} to {sku} for {SKU_SCOPE_LABELS[scope]}",
        )


def carrier_form(prefix: str, keys: list[str], suggested: list[dict[str, Any]]) -> None:
    carriers = queries.carriers(tenant)
    choices: dict[str, str] = {}
    for s in suggested:
        if s.get("carrier_code"):
            choices.setdefault(
                s["carrier_code"],
                f"{s.get('carrier_name')} ({s['carrier_code']}) · suggested, score {s.get('score')}",
            )
    for row in carriers.itertuples():
        choices.setdefault(row.carrier_code, f"{row.name} ({row.carrier_code})")
    with st.form(f"{prefix}_carrier_form", border=True):
        code = st.selectbox(
            "Carrier",
            list(choices),
            format_func=choices.get,
            index=prefill(suggested, "carrier_code", choices),
            placeholder="Choose a carrier",
            key=f"{prefix}_carrier",
        )
        scope = st.radio(
            "The mapping applies to",
            writes.CARRIER_SCOPES,
            format_func=CARRIER_SCOPE_LABELS.get,
            horizontal=True,
            key=f"{prefix}_carrier_scope",
        )
        submitted = st.form_submit_button("Map the carrier", type="primary", key=f"{prefix}_carrier_submit")
    if submitted:
        apply_fix(
            lambda: writes.map_carrier(user, keys, code, scope),
            f"Mapped the carrier to {code} for {CARRIER_SCOPE_LABELS[scope]}",
        )


def status_form(prefix: str, keys: list[str], suggested: list[dict[str, Any]]) -> None:
    statuses = queries.status_choices(tenant)
    codes = list(statuses["status"])
    descriptions = dict(zip(statuses["status"], statuses["description"], strict=True))
    with st.form(f"{prefix}_status_form", border=True):
        status = st.selectbox(
            "Canonical status",
            codes,
            index=prefill(suggested, "status", codes),
            placeholder="Choose a status",
            format_func=lambda c: f"{c} · {text(descriptions.get(c))}",
            key=f"{prefix}_status",
        )
        submitted = st.form_submit_button("Map the status", type="primary", key=f"{prefix}_status_submit")
    if submitted:
        apply_fix(lambda: writes.map_status(user, keys, status), f"Mapped the status to {status}")


def fx_form(prefix: str, keys: list[str], subjects: list[dict[str, Any]], first_date: Any) -> None:
    currencies = sorted({s["currency"] for s in subjects if s.get("currency")})
    try:
        default_from = date.fromisoformat(str(first_date))
    except ValueError:
        default_from = date.today()
    with st.form(f"{prefix}_fx_form", border=True):
        c1, c2, c3 = st.columns(3)
        currency = c1.selectbox("Currency", currencies or [""], key=f"{prefix}_fx_currency")
        valid_from = c2.date_input(
            "Valid from", value=default_from, key=f"{prefix}_fx_valid_from", format="YYYY-MM-DD"
        )
        rate = c3.text_input(
            "US dollars per unit",
            key=f"{prefix}_fx_rate",
            placeholder="e.g. 1.2650",
            help="Exact decimal, > 0",
        )
        submitted = st.form_submit_button("Add the rate", type="primary", key=f"{prefix}_fx_submit")
    if submitted:
        apply_fix(
            lambda: writes.add_fx_rate(user, keys, currency, valid_from, rate),
            f"Added a {currency} rate from {valid_from}",
        )


def region_choices(
    prefix: str, country: str, levels: tuple[int, ...], suggested: list[dict[str, Any]]
) -> dict[str, str]:
    search = st.text_input("Find a region", key=f"{prefix}_region_search", placeholder="Name or code")
    found = queries.regions(tenant, country, levels, (search or "").strip())
    choices: dict[str, str] = {}
    for s in suggested:
        if s.get("region_code"):
            local = f" {s['name_local']}" if s.get("name_local") else ""
            parent = f", {s['parent_name']}" if s.get("parent_name") else ""
            choices.setdefault(
                s["region_code"],
                f"{s.get('name_en')}{local}{parent} ({s['region_code']}) · suggested, score {s.get('score')}",
            )
    for row in found.itertuples():
        local = f" {row.name_local}" if isinstance(row.name_local, str) and row.name_local else ""
        parent = f", {row.parent_name}" if isinstance(row.parent_name, str) and row.parent_name else ""
        choices.setdefault(row.region_code, f"{row.name_en}{local}{parent} ({row.region_code})")
    return choices


def address_form(
    prefix: str,
    keys: list[str],
    subjects: list[dict[str, Any]],
    details: list[dict[str, Any]],
    suggested: list[dict[str, Any]],
) -> None:
    countries = sorted({str(d.get("ship_country")) for d in details if d.get("ship_country")})
    if len(countries) != 1:
        st.warning(
            "These orders ship to "
            + (f"several countries ({', '.join(countries)})" if countries else "no known country")
            + ": fix one country at a time."
        )
        return
    country = countries[0]
    places = [s for s in subjects if s.get("place")]
    modes = (["alias"] if places else []) + ["correct"]
    orders = len({d.get("_order_key") for d in details})
    labels = {
        "alias": "Teach the place name (an alias: every order that writes it resolves)",
        "correct": f"Correct the address of {'this order' if orders == 1 else f'these {orders} orders'}",
    }
    mode = st.radio("Fix by", modes, format_func=labels.get, key=f"{prefix}_address_mode")
    if mode == "alias":
        level = next((int(s["level"]) for s in places if str(s.get("level") or "").isdigit()), None)
        # a city field may name a district, so a city's alias may point to one (as matching reads it)
        levels = {1: (1,), 2: (2, 3), 3: (3,)}.get(level, (1, 2, 3))
        choices = region_choices(prefix, country, levels, suggested)
        if not choices:
            st.warning(f"No region of {country} matches (is the region table built?): search again.")
            return
        texts = sorted({str(d.get("candidate_text")).strip() for d in details if d.get("candidate_text")})
        with st.form(f"{prefix}_alias_form", border=True):
            st.caption(
                "The place name "
                + ", ".join(f"“{t}”" for t in texts)
                + f" will mean the chosen region of {country} for every order that writes it."
            )
            region = st.selectbox(
                f"The {level_name(level)} it means",
                list(choices),
                format_func=choices.get,
                index=prefill(suggested, "region_code", choices),
                placeholder="Choose a region",
                key=f"{prefix}_region",
            )
            submitted = st.form_submit_button("Add the alias", type="primary", key=f"{prefix}_alias_submit")
        if submitted:
            apply_fix(
                lambda: writes.add_region_alias(user, keys, region), f"Taught the place name as {region}"
            )
        return
    choices = region_choices(prefix, country, (1, 2, 3), suggested)
    current = next((d.get("ship_region_code") for d in details if d.get("ship_region_code")), None)
    if current and current not in choices:
        choices = {current: f"{current} (matched now)", **choices}
    if not choices:
        st.warning(f"No region of {country} matches (is the region table built?): search again.")
        return
    postal_now = next((d.get("ship_postal_code") for d in details if d.get("ship_postal_code")), "") or ""
    with st.form(f"{prefix}_correct_form", border=True):
        region = st.selectbox(
            "Region (the deepest you know: district, city or province)",
            list(choices),
            format_func=choices.get,
            index=list(choices).index(current) if current else prefill(suggested, "region_code", choices),
            placeholder="Choose a region",
            key=f"{prefix}_correct_region",
        )
        postal = st.text_input("Postal code", value=str(postal_now), key=f"{prefix}_postal_code")
        submitted = st.form_submit_button(
            "Correct the address", type="primary", key=f"{prefix}_correct_submit"
        )
    if submitted:
        apply_fix(
            lambda: writes.correct_address(user, keys, region, postal), f"Corrected the address to {region}"
        )


def fix_form(
    prefix: str,
    exception_type: str,
    keys: list[str],
    subjects: list[dict[str, Any]],
    details: list[dict[str, Any]],
    suggested: list[dict[str, Any]],
    first_fx_date: Any = None,
) -> None:
    if exception_type == "unmapped_product":
        sku_form(prefix, keys, subjects, suggested)
    elif exception_type == "unknown_carrier":
        carrier_form(prefix, keys, suggested)
    elif exception_type == "unmapped_status":
        if any(d.get("platform_status") is None for d in details):
            st.info(
                "The channel sent no status for this order: there is nothing to map. "
                "Download the order again."
            )
            return
        status_form(prefix, keys, suggested)
    elif exception_type == "missing_fx_rate":
        fx_form(prefix, keys, subjects, first_fx_date)
    elif exception_type == "unresolved_address":
        address_form(prefix, keys, subjects, details, suggested)
    else:
        st.info(
            "This is a request from the platform (or a status that needs a person), not a mapping: act on "
            "it on the platform; the order leaves the queue when its status there changes."
        )


def what_was_done(action: str, target: dict[str, Any]) -> str:
    """A fix's target in words, for the audit."""
    target = target or {}
    mappings = as_list(target.get("mappings"))
    if action == "map_sku":
        keys = ", ".join(str(m.get("platform_key")) for m in mappings)
        scope = SKU_SCOPE_LABELS.get(target.get("scope"), target.get("scope"))
        return f"{keys} → SKU {target.get('sku')} ({scope})"
    if action == "map_carrier":
        names = ", ".join(f"“{m.get('platform_carrier_name')}”" for m in mappings)
        scope = CARRIER_SCOPE_LABELS.get(target.get("scope"), target.get("scope"))
        return f"{names} → {target.get('carrier_code')} ({scope})"
    if action == "map_status":
        names = ", ".join(f"{m.get('channel')} “{m.get('platform_status')}”" for m in mappings)
        return f"{names} → {target.get('status')}"
    if action == "add_region_alias":
        names = ", ".join(f"“{a}”" for a in as_list(target.get("aliases")))
        return f"{names} → {target.get('region_code')} ({target.get('country_code')})"
    if action == "correct_address":
        postal = f", postal code {target['postal_code']}" if target.get("postal_code") else ""
        return f"address → {target.get('region_code')}{postal}"
    if action == "add_fx_rate":
        rate = target.get("rate_to_usd")
        return f"{target.get('currency')} from {target.get('valid_from')}: {rate} USD per unit"
    return json.dumps(target, ensure_ascii=False)


def fix_state(waiting: int, still_open: int) -> str:
    if waiting:
        return "waiting for the next run"
    return f"applied; {still_open} still open" if still_open else "applied"


def audit_section() -> None:
    """The latest fixes: who, when, what, how many orders, and whether a run has applied them."""
    fixes = queries.recent_fixes(tenant)
    if not len(fixes):
        st.caption("No fixes yet.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "When (UTC)": fixes["created_at"].map(lambda t: utc(t, seconds=True)),
                "Who": fixes["created_by"],
                "Type": fixes["exception_type"].map(type_label),
                "What": [what_was_done(a, t) for a, t in zip(fixes["action"], fixes["target"], strict=True)],
                "Orders": fixes["order_count"],
                "Exceptions": fixes["exception_count"],
                "State": [
                    fix_state(w, o)
                    for w, o in zip(fixes["waiting_count"], fixes["still_open_count"], strict=True)
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        key="exc_audit",
    )


def paged(
    total: int,
    noun: str,
    size_label: str,
    size_key: str,
    pager_key: str,
    filters: queries.ExceptionFilters,
    fetch: Callable[[int, int], pd.DataFrame],
) -> tuple[pd.DataFrame, int, int]:
    """A page-size box, a pager and "Page p of n · <noun> a–b of total" over one page of
    ``fetch(limit, offset)``; returns that page's rows, the page size and the page number."""
    size_col, pager_col, caption_col = st.columns([1, 3, 2], vertical_alignment="bottom")
    page_size = size_col.selectbox(size_label, PAGE_SIZES, key=size_key)
    num_pages = pages(total, page_size)
    page = pager_col.pagination(num_pages, key=widget_key(pager_key, filters, page_size, total))
    rows = fetch(page_size, (page - 1) * page_size)
    first = (page - 1) * page_size + 1
    caption_col.caption(f"Page {page} of {num_pages} · {noun} {first}–{first + len(rows) - 1} of {total:,}")
    return rows, page_size, page


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

title_col, refresh_col = st.columns([6, 1], vertical_alignment="bottom")
title_col.title("Exceptions")
if refresh_col.button("Refresh", key="exc_refresh", icon=":material/refresh:"):
    queries.clear_cache()

if queries.missing_relations(tenant, queries.EXCEPTION_RELATIONS):
    st.info("No data yet: run the pipeline (`oms run`) to build the exception queue.")
    st.stop()

flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash)
fix_count = st.session_state.get(FIX_COUNT, 0)

options = queries.exception_filter_options(tenant)
store_names: dict[str, str] = options["stores"]
present = queries.exception_type_counts(tenant, queries.ExceptionFilters())
type_options = list(TYPE_LABELS) + sorted(set(present["exception_type"]) - set(TYPE_LABELS))

search = st.text_input(
    "Search", key="exc_search", placeholder="Order number, SKU, carrier, status, place name or currency"
)
c1, c2, c3 = st.columns(3)
types = c1.multiselect("Type", type_options, format_func=type_label, key="exc_types")
stores = c2.multiselect(
    "Store", list(store_names), format_func=lambda s: f"{store_names.get(s, s)} ({s})", key="exc_stores"
)
age_bucket = c3.selectbox("Age", list(queries.AGE_BUCKETS), key="exc_age")
filters = queries.ExceptionFilters(
    types=tuple(types), store_ids=tuple(stores), age=age_bucket, search=(search or "").strip()
)

counts = queries.exception_type_counts(tenant, filters)
if len(counts):
    columns = st.columns(max(len(counts), 1))
    for column, row in zip(columns, counts.itertuples(), strict=False):
        column.metric(type_label(row.exception_type), f"{row.exception_count:,}")
        column.caption(f"{count(row.order_count, 'order')} · {row.pending_count:,} pending")
caption = f"Queue built {utc(options['built_at'])}." if options["built_at"] is not None else ""
st.caption(f"{caption} Fixes are saved at once; {RUN_NOTE}.".strip())

if not len(present):
    st.success("The exception queue is empty: every order was converted.")
    st.subheader("Recent fixes")
    audit_section()
    st.stop()
pending_total = int(counts["pending_count"].sum()) if len(counts) else 0
if pending_total:
    st.info(
        f"{count(pending_total, 'exception')} {'is' if pending_total == 1 else 'are'} pending: the fixes "
        f"are saved, and {RUN_NOTE} "
        "(a sensor watches the fixes). Refresh to see the orders move on."
    )

tab_groups, tab_rows, tab_audit = st.tabs(["To fix, by value", "Single exceptions", "Recent fixes"])

with tab_groups:
    total_groups = queries.count_exception_groups(tenant, filters)
    if total_groups == 0:
        st.info("No exceptions match these filters.")
    else:
        groups, page_size, page = paged(
            total_groups,
            "values",
            "Values per page",
            "exc_groups_page_size",
            "exc_groups_pager",
            filters,
            lambda limit, offset: queries.exception_groups(tenant, filters, limit, offset),
        )
        labels: list[str] = []
        tokens: list[str] = []
        rows_out = []
        for g in groups.itertuples():
            subject = dict(g.subject)
            value = describe(g.exception_type, subject, g.details, g.first_order_name)
            best = suggestions_for(g.exception_type, [subject], g.suggestions, [g.details])
            open_count = len(as_list(g.open_keys))
            state = (
                "open"
                if g.pending_count == 0
                else (
                    pending_text(g.pending_by, g.pending_at)
                    if open_count == 0
                    else f"{g.pending_count} pending"
                )
            )
            if g.exception_type == "missing_fx_rate" and g.first_fx_date:
                value += f" ({g.first_fx_date} to {g.last_fx_date})"
            rows_out.append(
                {
                    "Type": type_label(g.exception_type),
                    "Value to fix": value,
                    "Orders": g.order_count,
                    "Open": open_count,
                    "State": state,
                    "Oldest": age(g.first_seen_at),
                    "Best suggestion": suggestion_text(g.exception_type, best[0]) if best else EMPTY,
                    "Stores": ", ".join(store_names.get(s, s) for s in sorted(as_list(g.store_ids))),
                }
            )
            tokens.append(widget_key("grp", g.exception_type, json.dumps(subject, sort_keys=True), fix_count))
            labels.append(
                f"{type_label(g.exception_type)} · {value} · {count(g.order_count, 'order')} · {state}"
            )
        st.dataframe(pd.DataFrame(rows_out), hide_index=True, width="stretch", key="exc_groups_table")

        index = st.selectbox(
            "Value to fix",
            list(range(len(tokens))),
            format_func=lambda i: labels[i],
            key=widget_key("exc_group", filters, page_size, page, total_groups, fix_count),
        )
        g = groups.iloc[index]
        subject = dict(g["subject"])
        prefix = tokens[index]
        open_keys = [str(k) for k in as_list(g["open_keys"])]
        st.subheader(rows_out[index]["Value to fix"])
        st.caption(text(g["reason"]))
        orders = queries.exception_group_orders(
            tenant, g["exception_type"], json.dumps(subject, sort_keys=True)
        )
        left, right = st.columns(2)
        with left:
            st.markdown(
                f"**Orders** ({g['order_count']:,}{', the first 50' if g['order_count'] > 50 else ''})"
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        "Order": orders["platform_order_name"].where(
                            orders["platform_order_name"].notna(), orders["platform_order_id"]
                        ),
                        "Store": orders["store_name"],
                        "Ordered (UTC)": orders["ordered_at"].map(utc),
                        "Age": orders["first_seen_at"].map(age),
                        "State": [
                            pending_text(b, a) if p else "open"
                            for p, b, a in zip(
                                orders["is_pending"], orders["pending_by"], orders["pending_at"], strict=True
                            )
                        ],
                    }
                ),
                hide_index=True,
                width="stretch",
                key=f"{prefix}_orders",
            )
        suggested = suggestions_for(
            g["exception_type"], [subject], g["suggestions"], list(orders["details"]) or [g["details"]]
        )
        with right:
            st.markdown("**Suggestions**")
            if suggested:
                st.dataframe(
                    pd.DataFrame(
                        {
                            "Suggestion": [suggestion_text(g["exception_type"], s) for s in suggested],
                            "Score": [s.get("score") for s in suggested],
                        }
                    ),
                    hide_index=True,
                    width="stretch",
                    key=f"{prefix}_suggestions",
                )
            else:
                st.caption("No suggestions for this one.")
            with st.expander("Details"):
                st.json(g["details"] or {})
        if not open_keys:
            st.info(f"This is {pending_text(g['pending_by'], g['pending_at'])}: {RUN_NOTE}.")
        else:
            if g["pending_count"]:
                st.caption(
                    f"{g['pending_count']} of these are already pending; "
                    f"the fix below covers the other {len(open_keys)}."
                )
            group_details = [
                {**(d or {}), "_order_key": k}
                for d, k in zip(orders["details"], orders["order_key"], strict=True)
            ] or [dict(g["details"] or {}, _order_key=None)]
            fix_form(
                prefix,
                g["exception_type"],
                open_keys,
                [subject],
                group_details,
                suggested,
                g["first_open_fx_date"],
            )

with tab_rows:
    total_rows = queries.count_exceptions(tenant, filters)
    if total_rows == 0:
        st.info("No exceptions match these filters.")
    else:
        rows, row_size, row_page = paged(
            total_rows,
            "exceptions",
            "Rows per page",
            "exc_row_page_size",
            "exc_row_page",
            filters,
            lambda limit, offset: queries.list_exceptions(tenant, filters, limit, offset),
        )
        values = [
            "; ".join(describe(t, dict(s), d, n) for s in as_list(subjects))
            for t, subjects, d, n in zip(
                rows["exception_type"],
                rows["subjects"],
                rows["details"],
                rows["platform_order_name"],
                strict=True,
            )
        ]
        event = st.dataframe(
            pd.DataFrame(
                {
                    "Order": rows["platform_order_name"].where(
                        rows["platform_order_name"].notna(), rows["platform_order_id"]
                    ),
                    "Store": rows["store_name"],
                    "Type": rows["exception_type"].map(type_label),
                    "Value to fix": values,
                    "Reason": rows["reason"],
                    "Age": rows["first_seen_at"].map(age),
                    "State": [
                        pending_text(b, a) if p else "open"
                        for p, b, a in zip(
                            rows["is_pending"], rows["pending_by"], rows["pending_at"], strict=True
                        )
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="multi-row",
            key=widget_key("exc_rows", filters, row_size, row_page, total_rows, fix_count),
        )
        picked = rows.iloc[[i for i in event.selection.rows if 0 <= i < len(rows)]]
        if not len(picked):
            st.caption("Tick rows to fix several exceptions at once.")
        else:
            waiting = picked[picked["is_pending"]]
            fixable = picked[~picked["is_pending"]]
            if len(waiting):
                st.info(f"{len(waiting)} of the selected exceptions are already pending and are left out.")
            picked_types = sorted(set(fixable["exception_type"]))
            if len(picked_types) > 1:
                st.warning(
                    "The selection holds several types ("
                    + ", ".join(type_label(t) for t in picked_types)
                    + "): select exceptions of one type to fix them together."
                )
            elif picked_types:
                kind = picked_types[0]
                st.markdown(f"**Fix the {len(fixable)} selected · {type_label(kind)}**")
                subjects = list(
                    {
                        json.dumps(s, sort_keys=True): dict(s)
                        for lst in fixable["subjects"]
                        for s in as_list(lst)
                    }.values()
                )
                suggested = suggestions_for(
                    kind,
                    subjects,
                    [s for lst in fixable["suggestions"] for s in as_list(lst)],
                    list(fixable["details"]),
                )
                details = [
                    {**(d or {}), "_order_key": k}
                    for d, k in zip(fixable["details"], fixable["order_key"], strict=True)
                ]
                fx_dates = sorted(str(d.get("fx_date")) for d in details if d.get("fx_date"))
                keys = [str(k) for k in fixable["exception_key"]]
                fix_form(
                    widget_key("bulk", keys, fix_count),
                    kind,
                    keys,
                    subjects,
                    details,
                    suggested,
                    fx_dates[0] if fx_dates else None,
                )

with tab_audit:
    audit_section()

"""Every read the app makes. Pages call these functions; no SQL lives anywhere else.

Each function takes the signed-in user's ``tenant_id`` first: it is part of the cache key
(``st.cache_data`` hashes the arguments), it filters the query, and it scopes the transaction for
row-level security (see ``db.tenant_transaction``), which is the guarantee. Values are always bound
parameters; only fixed SQL fragments chosen in Python are joined into a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Connection, text

from apps.streamlit.db import tenant_transaction

ORDERS_TTL_S = 60
PIPELINE_TTL_S = 30

# What the app reads; a page says "no data yet" while one of these has not been built.
ORDER_RELATIONS = (
    "reference.country_calling_codes",
    "marts.fct_orders",
    "marts.fct_order_lines",
    "marts.fct_order_status_history",
    "marts.dim_stores",
)
PIPELINE_RELATIONS = (
    "marts.dim_pipeline_runs",
    "marts.fct_check_results",
    "marts.fct_load_batches",
    "marts.fct_load_rejects",
)


def _frame(conn: Connection, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    result = conn.execute(text(sql), params)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _scalar(conn: Connection, sql: str, params: dict[str, Any]) -> Any:
    return conn.execute(text(sql), params).scalar_one()


def _column(conn: Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    return [row[0] for row in conn.execute(text(sql), params)]


def clear_cache() -> None:
    """Forget cached reads (the Refresh button)."""
    st.cache_data.clear()


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def missing_relations(tenant_id: str, relations: tuple[str, ...]) -> list[str]:
    """Those of ``relations`` that do not exist yet (dbt has not built them)."""
    with tenant_transaction(tenant_id) as conn:
        rows = conn.execute(
            text("select name from unnest(cast(:names as text[])) as name where to_regclass(name) is null"),
            {"names": list(relations)},
        ).fetchall()
    return [r[0] for r in rows]


# ---------------------------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilters:
    """What the Orders page asks for. Frozen and built of tuples so it hashes as a cache key."""

    search: str = ""
    store_ids: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    ordered_from: date | None = None
    ordered_to: date | None = None  # inclusive, a UTC calendar day


# Arabic-Indic and Persian digits, as buyers and sellers type them (the dbt phone macro does the same).
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _phone_digits(search: str) -> str | None:
    """The ASCII digits of something typed like a phone number (``+966 50-123 4567``), else None."""
    search = search.translate(_DIGITS)
    if not re.fullmatch(r"[0-9\s+().\-/]+", search):
        return None
    digits = re.sub(r"[^0-9]", "", search)
    return digits if len(digits) >= 6 else None


def search_clause(search: str) -> tuple[str, dict[str, Any]]:
    """A predicate on ``o`` (marts.fct_orders) for the search box, with its parameters.

    Matches the order number (``#1001`` or ``1001``), the platform's order id, a tracking number,
    or the buyer's phone normalised as the dbt ``phone_e164`` macro does it (Arabic-Indic digits,
    separators, ``00`` for ``+``; a national number such as ``050 123 4567`` drops its trunk zero
    and is tried with each calling code of reference.country_calling_codes). Every branch is an
    equality or containment that an index of fct_orders can answer; no pattern match on a column.
    """
    q = search.strip()
    if not q:
        return "", {}
    params: dict[str, Any] = {
        "q": q,
        "names": [q] if q.startswith("#") else [q, f"#{q}"],
        "ids": list(dict.fromkeys([q, q.lstrip("#")])),
    }
    parts = [
        "o.platform_order_name = any(:names)",
        "o.platform_order_id = any(:ids)",
        "o.tracking_numbers @> array[cast(:q as text)]",
    ]
    digits = _phone_digits(q)
    if digits:
        international = q.startswith("+") or digits.startswith("00")
        params["phone_e164"] = "+" + (digits[2:] if digits.startswith("00") else digits)
        parts.append("o.buyer_phone_e164 = :phone_e164")
        national = digits.lstrip("0")
        if not international and len(national) >= 7:
            params["phone_national"] = national
            parts.append(
                "o.buyer_phone_e164 = any(array(select '+' || cast(calling_code as text) || "
                "cast(:phone_national as text) from reference.country_calling_codes))"
            )
    return "(" + " or ".join(parts) + ")", params


def _order_where(tenant_id: str, filters: OrderFilters) -> tuple[str, dict[str, Any]]:
    clauses = ["o.tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant_id}
    search_sql, search_params = search_clause(filters.search)
    if search_sql:
        clauses.append(search_sql)
        params.update(search_params)
    if filters.store_ids:
        clauses.append("o.store_id = any(:store_ids)")
        params["store_ids"] = list(filters.store_ids)
    if filters.channels:
        clauses.append("o.channel = any(:channels)")
        params["channels"] = list(filters.channels)
    if filters.statuses:
        clauses.append("o.status = any(:statuses)")
        params["statuses"] = list(filters.statuses)
    if filters.ordered_from is not None:
        clauses.append("o.ordered_at >= :ordered_from")
        params["ordered_from"] = filters.ordered_from
    if filters.ordered_to is not None:
        clauses.append("o.ordered_at < :ordered_before")
        params["ordered_before"] = filters.ordered_to + timedelta(days=1)
    return " and ".join(clauses), params


@st.cache_data(ttl=ORDERS_TTL_S, show_spinner=False)
def order_count(tenant_id: str) -> int:
    with tenant_transaction(tenant_id) as conn:
        return int(
            _scalar(
                conn, "select count(*) from marts.fct_orders where tenant_id = :tenant", {"tenant": tenant_id}
            )
        )


@st.cache_data(ttl=ORDERS_TTL_S, show_spinner=False)
def order_filter_options(tenant_id: str) -> dict[str, Any]:
    """Stores (id, name, channel), channels and statuses for the filters."""
    params = {"tenant": tenant_id}
    with tenant_transaction(tenant_id) as conn:
        stores = _frame(
            conn,
            """select store_id, name, channel, marketplace, currency
               from marts.dim_stores where tenant_id = :tenant order by channel, name, store_id""",
            params,
        )
        channels = _column(
            conn, "select distinct channel from marts.fct_orders where tenant_id = :tenant order by 1", params
        )
        present = _column(
            conn, "select distinct status from marts.fct_orders where tenant_id = :tenant", params
        )
        statuses = canonical_statuses(conn, present)
    return {"stores": stores, "channels": channels, "statuses": statuses}


def canonical_statuses(conn: Connection, present: list[str]) -> list[str]:
    """Every canonical status in the state machine's order, then any others present in the data."""
    seed = [r[0] for r in conn.execute(text(CANONICAL_STATUSES_SQL))] if _has_status_seed(conn) else []
    return seed + sorted(s for s in present if s is not None and s not in seed)


CANONICAL_STATUSES_SQL = "select status from reference.canonical_statuses order by rank, status"


def _has_status_seed(conn: Connection) -> bool:
    return conn.execute(text("select to_regclass('reference.canonical_statuses') is not null")).scalar_one()


@st.cache_data(ttl=ORDERS_TTL_S, show_spinner=False)
def count_orders(tenant_id: str, filters: OrderFilters) -> int:
    """How many orders match (for "page x of y")."""
    where, params = _order_where(tenant_id, filters)
    with tenant_transaction(tenant_id) as conn:
        return int(_scalar(conn, f"select count(*) from marts.fct_orders o where {where}", params))


@st.cache_data(ttl=ORDERS_TTL_S, show_spinner=False)
def list_orders(tenant_id: str, filters: OrderFilters, limit: int, offset: int) -> pd.DataFrame:
    """One page of matching orders, newest first."""
    where, params = _order_where(tenant_id, filters)
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            f"""select o.order_key,
                       o.platform_order_name,
                       o.platform_order_id,
                       o.store_id,
                       coalesce(s.name, o.store_id) as store_name,
                       o.channel,
                       o.status,
                       o.ordered_at,
                       o.buyer_name,
                       o.ship_country,
                       o.ship_city,
                       o.total_amount,
                       o.currency,
                       o.is_cod,
                       o.cod_amount
                from marts.fct_orders o
                left join marts.dim_stores s
                  on s.tenant_id = o.tenant_id
                 and s.store_id = o.store_id
                where {where}
                order by o.ordered_at desc nulls last, o.order_key
                limit :limit offset :offset""",
            {**params, "limit": limit, "offset": offset},
        )


@st.cache_data(ttl=ORDERS_TTL_S, show_spinner=False)
def order_detail(tenant_id: str, order_key: str) -> dict[str, Any] | None:
    """The order (every fct_orders column plus the store's name), its lines and status history."""
    params = {"tenant": tenant_id, "order_key": order_key}
    with tenant_transaction(tenant_id) as conn:
        header = (
            conn.execute(
                text(
                    """select o.*, s.name as store_name
                   from marts.fct_orders o
                   left join marts.dim_stores s
                     on s.tenant_id = o.tenant_id
                    and s.store_id = o.store_id
                   where o.tenant_id = :tenant and o.order_key = :order_key"""
                ),
                params,
            )
            .mappings()
            .first()
        )
        if header is None:
            return None
        lines = _frame(
            conn,
            """select platform_line_id,
                      platform_sku,
                      sku,
                      title,
                      quantity,
                      unit_price_amount,
                      line_amount,
                      discount_amount,
                      tax_amount,
                      currency,
                      is_gift,
                      weight_kg
               from marts.fct_order_lines
               where tenant_id = :tenant and order_key = :order_key
               order by platform_line_id, line_key""",
            params,
        )
        history = _frame(
            conn,
            """select changed_at,
                      status,
                      platform_status,
                      batch_id,
                      landed_at
               from marts.fct_order_status_history
               where tenant_id = :tenant and order_key = :order_key
               order by changed_at, landed_at""",
            params,
        )
    return {"order": dict(header), "lines": lines, "history": history}


# ---------------------------------------------------------------------------------------------
# Pipeline
# ---------------------------------------------------------------------------------------------


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def pipeline_runs(tenant_id: str, limit: int = 20) -> pd.DataFrame:
    """Recent pipeline runs (not tenant data: the runs serve every tenant)."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """select run_id, trigger, status, started_at, finished_at, duration_s, error
               from marts.dim_pipeline_runs
               order by started_at desc
               limit :limit""",
            {"limit": limit},
        )


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def latest_check_results(tenant_id: str) -> pd.DataFrame:
    """The latest result of every check."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """select check_name, asset, success, evaluated_count, failed_count, checked_at, run_id
               from (
                   select distinct on (check_name, asset) *
                   from marts.fct_check_results
                   order by check_name, asset, checked_at desc
               ) as latest
               order by success, asset, check_name""",
            {},
        )


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def batch_summary(tenant_id: str) -> dict[str, int]:
    with tenant_transaction(tenant_id) as conn:
        row = (
            conn.execute(
                text(
                    """select count(*) as batches,
                          coalesce(sum(fetched_count), 0) as fetched,
                          coalesce(sum(landed_count), 0) as landed,
                          coalesce(sum(duplicate_count), 0) as duplicates,
                          coalesce(sum(rejected_count), 0) as rejected,
                          count(*) filter (where status = 'failed') as failed_batches
                   from marts.fct_load_batches
                   where tenant_id = :tenant"""
                ),
                {"tenant": tenant_id},
            )
            .mappings()
            .one()
        )
    return {k: int(v) for k, v in row.items()}


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def batch_filter_options(tenant_id: str) -> dict[str, list[str]]:
    params = {"tenant": tenant_id}
    with tenant_transaction(tenant_id) as conn:
        stores = _column(
            conn,
            "select distinct store_id from marts.fct_load_batches where tenant_id = :tenant order by 1",
            params,
        )
        statuses = _column(
            conn,
            "select distinct status from marts.fct_load_batches where tenant_id = :tenant order by 1",
            params,
        )
    return {"stores": stores, "statuses": statuses}


def _batch_where(
    tenant_id: str, statuses: tuple[str, ...], store_ids: tuple[str, ...]
) -> tuple[str, dict[str, Any]]:
    clauses = ["tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant_id}
    if statuses:
        clauses.append("status = any(:statuses)")
        params["statuses"] = list(statuses)
    if store_ids:
        clauses.append("store_id = any(:store_ids)")
        params["store_ids"] = list(store_ids)
    return " and ".join(clauses), params


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def count_batches(tenant_id: str, statuses: tuple[str, ...], store_ids: tuple[str, ...]) -> int:
    where, params = _batch_where(tenant_id, statuses, store_ids)
    with tenant_transaction(tenant_id) as conn:
        return int(_scalar(conn, f"select count(*) from marts.fct_load_batches where {where}", params))


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def load_batches(
    tenant_id: str, statuses: tuple[str, ...], store_ids: tuple[str, ...], limit: int, offset: int
) -> pd.DataFrame:
    """One page of the batch ledger, newest first."""
    where, params = _batch_where(tenant_id, statuses, store_ids)
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            f"""select batch_id,
                       source,
                       store_id,
                       origin,
                       file_name,
                       status,
                       fetched_count,
                       landed_count,
                       duplicate_count,
                       rejected_count,
                       cursor_before,
                       cursor_after,
                       error,
                       started_at,
                       finished_at
                from marts.fct_load_batches
                where {where}
                order by batch_id desc
                limit :limit offset :offset""",
            {**params, "limit": limit, "offset": offset},
        )


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def count_rejects(tenant_id: str, store_ids: tuple[str, ...]) -> int:
    where, params = _batch_where(tenant_id, (), store_ids)
    with tenant_transaction(tenant_id) as conn:
        return int(_scalar(conn, f"select count(*) from marts.fct_load_rejects where {where}", params))


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def load_rejects(tenant_id: str, store_ids: tuple[str, ...], limit: int, offset: int) -> pd.DataFrame:
    """One page of rejected records with their reasons and the start of their bytes, newest first."""
    where, params = _batch_where(tenant_id, (), store_ids)
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            f"""select reject_id,
                       batch_id,
                       source,
                       store_id,
                       file_name,
                       record_index,
                       natural_key,
                       reason,
                       raw_excerpt,
                       raw_size_bytes,
                       rejected_at
                from marts.fct_load_rejects
                where {where}
                order by rejected_at desc, reject_id desc
                limit :limit offset :offset""",
            {**params, "limit": limit, "offset": offset},
        )


# ---------------------------------------------------------------------------------------------
# Users (admin)
# ---------------------------------------------------------------------------------------------


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def can_list_users(tenant_id: str) -> bool:
    """Whether the app role may read app.users (its columns other than the password hash)."""
    with tenant_transaction(tenant_id) as conn:
        return bool(_scalar(conn, "select has_column_privilege('app.users', 'email', 'select')", {}))


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def tenant_users(tenant_id: str) -> pd.DataFrame:
    """The tenant's users, without their password hashes."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """select email, display_name, role, is_active, created_at, created_by
               from app.users
               where tenant_id = :tenant
               order by role, email""",
            {"tenant": tenant_id},
        )


# ---------------------------------------------------------------------------------------------
# Manual orders (issue 3)
# ---------------------------------------------------------------------------------------------

MANUAL_TTL_S = 15


@st.cache_data(ttl=MANUAL_TTL_S, show_spinner=False)
def manual_stores(tenant_id: str) -> pd.DataFrame:
    """The tenant's stores of channel ``manual`` (where manual orders go)."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """select store_id, name, timezone, currency, is_active
               from app.stores
               where tenant_id = :tenant and channel = 'manual'
               order by created_at, store_id""",
            {"tenant": tenant_id},
        )


@st.cache_data(ttl=MANUAL_TTL_S, show_spinner=False)
def recent_manual_orders(tenant_id: str, limit: int = 50) -> pd.DataFrame:
    """The newest manual orders, each with whether the pipeline has built it into marts.fct_orders
    (``in_marts``) and its canonical status there."""
    with tenant_transaction(tenant_id) as conn:
        built = bool(_scalar(conn, "select to_regclass('marts.fct_orders') is not null", {}))
        # Fixed fragments chosen in Python; values stay bound.
        mart = (
            """left join marts.fct_orders as o
                   on o.tenant_id = m.tenant_id
                  and o.channel = 'manual'
                  and o.store_id = m.store_id
                  and o.platform_order_id = m.manual_order_id"""
            if built
            else ""
        )
        mart_cols = (
            "o.order_key is not null as in_marts, o.status" if built else "false as in_marts, null as status"
        )
        return _frame(
            conn,
            f"""select m.manual_order_id,
                       m.store_id,
                       m.source,
                       m.import_file,
                       m.import_row,
                       m.created_by,
                       m.created_at,
                       m.order_doc ->> 'ordered_at' as ordered_at,
                       m.order_doc ->> 'buyer_name' as buyer_name,
                       m.order_doc ->> 'ship_country' as ship_country,
                       m.order_doc ->> 'ship_city' as ship_city,
                       m.order_doc ->> 'payment_method' as payment_method,
                       m.order_doc ->> 'currency' as currency,
                       jsonb_array_length(m.order_doc -> 'lines') as line_count,
                       {mart_cols}
                from app.manual_orders as m
                {mart}
                where m.tenant_id = :tenant
                order by m.created_at desc, m.manual_order_id desc
                limit :limit""",
            {"tenant": tenant_id, "limit": limit},
        )


# ---------------------------------------------------------------------------------------------
# Stores (admin)
# ---------------------------------------------------------------------------------------------


@st.cache_data(ttl=MANUAL_TTL_S, show_spinner=False)
def tenant_stores(tenant_id: str) -> pd.DataFrame:
    """The tenant's stores with their download settings and credential NAMES (never values)."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """select store_id,
                      channel,
                      name,
                      marketplace,
                      timezone,
                      currency,
                      download_interval_minutes,
                      overlap_minutes,
                      api_base_url,
                      credential_names,
                      is_active,
                      updated_at,
                      updated_by
               from app.stores
               where tenant_id = :tenant
               order by channel, store_id""",
            {"tenant": tenant_id},
        )


def credential_status(names: dict[str, str]) -> dict[str, bool]:
    """Role -> whether its secret NAME resolves in this environment (never the value). Not cached:
    an operator who just set a secret sees it at once."""
    from ingestion.stores import credential_status as status

    return status(dict(names or {}))


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def store_download_batches(tenant_id: str, store_id: str, limit: int = 10) -> pd.DataFrame:
    """The store's latest download batches (API and webhook) from the ledger, newest first; empty
    until the pipeline has built marts.fct_load_batches."""
    with tenant_transaction(tenant_id) as conn:
        if not _scalar(conn, "select to_regclass('marts.fct_load_batches') is not null", {}):
            return pd.DataFrame()
        return _frame(
            conn,
            """select batch_id,
                      origin,
                      status,
                      fetched_count,
                      landed_count,
                      duplicate_count,
                      rejected_count,
                      cursor_before,
                      cursor_after,
                      error,
                      started_at,
                      finished_at
               from marts.fct_load_batches
               where tenant_id = :tenant and store_id = :store and origin in ('api', 'webhook')
               order by batch_id desc
               limit :limit""",
            {"tenant": tenant_id, "store": store_id, "limit": limit},
        )


@st.cache_data(ttl=MANUAL_TTL_S, show_spinner=False)
def reporting_currency(tenant_id: str) -> str | None:
    """The tenant's reporting currency (the default currency of a new manual store)."""
    with tenant_transaction(tenant_id) as conn:
        value = conn.execute(
            text("select reporting_currency from app.tenants where tenant_id = :tenant"),
            {"tenant": tenant_id},
        ).scalar()
    return str(value).strip() if value else None


DOWNLOADS_TTL_S = 5


@st.cache_data(ttl=DOWNLOADS_TTL_S, show_spinner=False)
def download_requests(tenant_id: str, store_id: str, limit: int = 10) -> pd.DataFrame:
    """The store's manual download requests (app.download_requests), newest first."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """select request_id,
                      status,
                      since,
                      until,
                      order_ids,
                      requested_by,
                      requested_at,
                      started_at,
                      finished_at,
                      dagster_run_id,
                      summary,
                      error
               from app.download_requests
               where tenant_id = :tenant and store_id = :store
               order by requested_at desc, request_id desc
               limit :limit""",
            {"tenant": tenant_id, "store": store_id, "limit": limit},
        )


@st.cache_data(ttl=DOWNLOADS_TTL_S, show_spinner=False)
def download_progress(tenant_id: str, store_id: str, since: Any) -> dict[str, Any] | None:
    """What the store's api batches since ``since`` (a request's time) have done, from the batch
    ledger in marts.fct_load_batches: pages landed (committed batches), orders landed, duplicates,
    rejects, failed batches, the last cursor and error. None until the pipeline has built the mart."""
    with tenant_transaction(tenant_id) as conn:
        if not _scalar(conn, "select to_regclass('marts.fct_load_batches') is not null", {}):
            return None
        row = (
            conn.execute(
                text(
                    """select count(*) filter (where status = 'committed') as pages,
                              coalesce(sum(landed_count), 0) as landed,
                              coalesce(sum(duplicate_count), 0) as duplicates,
                              coalesce(sum(rejected_count), 0) as rejected,
                              count(*) filter (where status = 'failed') as failed_batches,
                              (array_agg(cursor_after order by batch_id desc)
                                  filter (where status = 'committed'))[1] as last_cursor,
                              (array_agg(error order by batch_id desc)
                                  filter (where error is not null))[1] as last_error,
                              max(coalesce(finished_at, started_at)) as last_activity
                       from marts.fct_load_batches
                       where tenant_id = :tenant and store_id = :store and origin = 'api'
                         and started_at >= :since"""
                ),
                {"tenant": tenant_id, "store": store_id, "since": since},
            )
            .mappings()
            .one()
        )
    return dict(row)

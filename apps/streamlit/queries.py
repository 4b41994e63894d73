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


def _any_of(clauses: list[str], params: dict[str, Any], column: str, name: str, values: Any) -> None:
    """Narrow a where clause to rows whose ``column`` is one of ``values`` (bound as ``:name``),
    when any are given."""
    if values:
        clauses.append(f"{column} = any(:{name})")
        params[name] = list(values)


def _order_where(tenant_id: str, filters: OrderFilters) -> tuple[str, dict[str, Any]]:
    clauses = ["o.tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant_id}
    search_sql, search_params = search_clause(filters.search)
    if search_sql:
        clauses.append(search_sql)
        params.update(search_params)
    _any_of(clauses, params, "o.store_id", "store_ids", filters.store_ids)
    _any_of(clauses, params, "o.channel", "channels", filters.channels)
    _any_of(clauses, params, "o.status", "statuses", filters.statuses)
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
    _any_of(clauses, params, "status", "statuses", statuses)
    _any_of(clauses, params, "store_id", "store_ids", store_ids)
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


# ---------------------------------------------------------------------------------------------
# Exceptions (issue 4): the reviewers' queue over marts.fct_order_exceptions
# ---------------------------------------------------------------------------------------------

EXCEPTIONS_TTL_S = 15
EXCEPTION_RELATIONS = ("marts.fct_order_exceptions", "marts.dim_stores")

# Live age filters: (older than hours, younger than hours), from first_seen_at to now.
AGE_BUCKETS: dict[str, tuple[float | None, float | None]] = {
    "any age": (None, None),
    "< 1 h": (None, 1),
    "< 24 h": (None, 24),
    "1–7 days": (24, 24 * 7),
    "> 7 days": (24 * 7, None),
}


@dataclass(frozen=True)
class ExceptionFilters:
    """What the Exceptions page asks for (hashable, a cache key)."""

    types: tuple[str, ...] = ()
    store_ids: tuple[str, ...] = ()
    age: str = "any age"
    search: str = ""


# The thing to fix, per exception: one JSON object per value a single mapping fixes (an order with
# two unmapped SKUs has two). Exceptions of the same type with equal subjects are fixed together.
# Read from `details` (see the mart's YAML); an exception without a mappable value (a platform
# request, a postal-code problem) is its own subject: its order.
SUBJECTS_SQL = """
left join lateral (
    select jsonb_agg(subject_rows.subject) as subjects
    from (
        select jsonb_build_object(
                   'channel', e.channel,
                   'name', e.details ->> 'lookup_name'
               ) as subject
        where e.exception_type = 'unknown_carrier' and e.details ->> 'lookup_name' is not null
        union all
        select jsonb_build_object(
                   'channel', e.channel,
                   'platform_status', e.details ->> 'platform_status'
               )
        where e.exception_type = 'unmapped_status' and e.details ->> 'platform_status' is not null
        union all
        select jsonb_build_object('currency', missing.currency)
        from jsonb_array_elements_text(
            case when e.exception_type = 'missing_fx_rate'
                      and jsonb_typeof(e.details -> 'missing_rates') = 'array'
                 then e.details -> 'missing_rates' end
        ) as missing (currency)
        union all
        select distinct jsonb_build_object(
                   'channel', e.channel,
                   'store_id', e.store_id,
                   'platform_key', unmapped.line ->> 'platform_key'
               )
        from jsonb_array_elements(
            case when e.exception_type = 'unmapped_product'
                      and jsonb_typeof(e.details -> 'unmapped_lines') = 'array'
                 then e.details -> 'unmapped_lines' end
        ) as unmapped (line)
        where unmapped.line ->> 'platform_key' is not null
        union all
        -- a place name: one alias fixes every order of the country that writes it at that level
        -- (grouped by its lookup form when the mart gives it, else by its lower-cased text)
        select jsonb_build_object(
                   'country_code', e.details ->> 'ship_country',
                   'level', e.details ->> 'candidate_level',
                   'place', coalesce(
                       e.details ->> 'candidate_alias',
                       lower(regexp_replace(btrim(e.details ->> 'candidate_text'), ' +', ' ', 'g'))
                   )
               )
        where e.exception_type = 'unresolved_address'
          and nullif(btrim(e.details ->> 'candidate_text'), '') is not null
    ) as subject_rows
) as s on true"""

# The latest fix recorded after this queue was built that names the exception: it is pending.
PENDING_SQL = """
left join lateral (
    select f.fix_id, f.created_by, f.created_at
    from app.exception_fixes as f
    where f.tenant_id = e.tenant_id
      and f.created_at > e.built_at
      and e.exception_key = any(f.exception_keys)
    order by f.created_at desc
    limit 1
) as pending on true"""


def _exception_where(
    tenant_id: str, filters: ExceptionFilters, *, with_types: bool = True
) -> tuple[str, dict[str, Any]]:
    clauses = ["e.tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant_id}
    if with_types:
        _any_of(clauses, params, "e.exception_type", "types", filters.types)
    _any_of(clauses, params, "e.store_id", "store_ids", filters.store_ids)
    older, younger = AGE_BUCKETS.get(filters.age, (None, None))
    if older is not None:
        clauses.append("e.first_seen_at <= now() - make_interval(hours => :older_h)")
        params["older_h"] = older
    if younger is not None:
        clauses.append("e.first_seen_at > now() - make_interval(hours => :younger_h)")
        params["younger_h"] = younger
    q = filters.search.strip()
    if q:
        # The order number or id, or any text of the reason and details (SKU, carrier, place...).
        clauses.append(
            """(e.platform_order_name = any(:q_names)
                or e.platform_order_id = :q
                or strpos(lower(e.reason || ' ' || cast(e.details as text)), lower(:q)) > 0)"""
        )
        params["q"] = q
        params["q_names"] = [q] if q.startswith("#") else [q, f"#{q}"]
    return " and ".join(clauses), params


def _queue_rows(where: str) -> str:
    """Every matching exception with its subjects (the things to fix) and its pending fix, if any."""
    return f"""
        select e.*,
               coalesce(s.subjects, jsonb_build_array(jsonb_build_object('order_key', e.order_key)))
                   as subjects,
               pending.fix_id is not null as is_pending,
               pending.created_by as pending_by,
               pending.created_at as pending_at
        from marts.fct_order_exceptions as e
        {SUBJECTS_SQL}
        {PENDING_SQL}
        where {where}"""


@st.cache_data(ttl=EXCEPTIONS_TTL_S, show_spinner=False)
def exception_type_counts(tenant_id: str, filters: ExceptionFilters) -> pd.DataFrame:
    """Per exception type (whatever the type filter): exceptions, orders, and how many are pending."""
    where, params = _exception_where(tenant_id, filters, with_types=False)
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            f"""select q.exception_type,
                       count(*) as exception_count,
                       count(distinct q.order_key) as order_count,
                       count(*) filter (where q.is_pending) as pending_count
                from ({_queue_rows(where)}) as q
                group by q.exception_type
                order by count(*) desc, q.exception_type""",
            params,
        )


@st.cache_data(ttl=EXCEPTIONS_TTL_S, show_spinner=False)
def exception_filter_options(tenant_id: str) -> dict[str, Any]:
    """The stores with exceptions (id -> name) and when the queue was last built."""
    params = {"tenant": tenant_id}
    with tenant_transaction(tenant_id) as conn:
        stores = _frame(
            conn,
            """select q.store_id, coalesce(max(s.name), q.store_id) as name
               from (select distinct store_id from marts.fct_order_exceptions where tenant_id = :tenant) as q
               left join marts.dim_stores as s
                 on s.tenant_id = :tenant
                and s.store_id = q.store_id
               group by q.store_id
               order by 2, 1""",
            params,
        )
        built_at = _scalar(
            conn, "select max(built_at) from marts.fct_order_exceptions where tenant_id = :tenant", params
        )
    return {"stores": dict(zip(stores["store_id"], stores["name"], strict=True)), "built_at": built_at}


# A product's SKU or a currency's rate added since the queue was built fixes that one subject of
# an exception whose other subjects (another unmapped line, the other currency) are still open:
# the subject is pending while the exception is not.
SUBJECT_FIXED_SQL = """
left join lateral (
    select fixes.created_by, fixes.created_at
    from (
        select m.created_by, m.created_at
        from app.sku_mappings as m
        where queue.exception_type = 'unmapped_product'
          and m.tenant_id = queue.tenant_id
          and m.platform_key = subject_list.subject ->> 'platform_key'
          and m.created_at > queue.built_at
          and m.sku is not null
          and (m.channel = '*'
               or (m.channel = queue.channel and (m.store_id is null or m.store_id = queue.store_id)))
        union all
        select r.created_by, r.created_at
        from app.fx_rates as r
        where queue.exception_type = 'missing_fx_rate'
          and r.tenant_id = queue.tenant_id
          and r.currency = subject_list.subject ->> 'currency'
          and r.created_at > queue.built_at
          and r.valid_from <= cast(queue.details ->> 'fx_date' as date)
    ) as fixes
    order by fixes.created_at desc
    limit 1
) as subject_fixed on true"""


def _subject_rows(where: str) -> str:
    """One row per exception and subject, pending when the exception or the subject is."""
    return f"""
        with queue as ({_queue_rows(where)})
        select queue.exception_key,
               queue.order_key,
               queue.tenant_id,
               queue.store_id,
               queue.channel,
               queue.platform_order_id,
               queue.platform_order_name,
               queue.exception_type,
               queue.reason,
               queue.details,
               queue.suggestions,
               queue.ordered_at,
               queue.first_seen_at,
               subject_list.subject,
               queue.is_pending or subject_fixed.created_at is not null as is_pending,
               coalesce(queue.pending_by, subject_fixed.created_by) as pending_by,
               coalesce(queue.pending_at, subject_fixed.created_at) as pending_at
        from queue
        cross join lateral jsonb_array_elements(queue.subjects) as subject_list (subject)
        {SUBJECT_FIXED_SQL}"""


def _groups_sql(where: str) -> str:
    return f"""
        with by_subject as ({_subject_rows(where)})
        select exception_type,
               subject,
               count(distinct order_key) as order_count,
               count(*) as exception_count,
               count(*) filter (where is_pending) as pending_count,
               coalesce(array_agg(exception_key order by exception_key) filter (where not is_pending),
                        '{{}}') as open_keys,
               array_agg(distinct store_id) as store_ids,
               array_agg(distinct channel) as channels,
               min(first_seen_at) as first_seen_at,
               min(details ->> 'fx_date') as first_fx_date,
               min(details ->> 'fx_date') filter (where not is_pending) as first_open_fx_date,
               max(details ->> 'fx_date') as last_fx_date,
               (array_agg(reason order by first_seen_at, exception_key))[1] as reason,
               (array_agg(details order by first_seen_at, exception_key))[1] as details,
               (array_agg(suggestions order by first_seen_at, exception_key))[1] as suggestions,
               (array_agg(platform_order_name order by first_seen_at, exception_key))[1] as first_order_name,
               (array_agg(pending_by order by pending_at desc) filter (where is_pending))[1] as pending_by,
               max(pending_at) as pending_at
        from by_subject
        group by exception_type, subject"""


@st.cache_data(ttl=EXCEPTIONS_TTL_S, show_spinner=False)
def count_exception_groups(tenant_id: str, filters: ExceptionFilters) -> int:
    where, params = _exception_where(tenant_id, filters)
    with tenant_transaction(tenant_id) as conn:
        return int(_scalar(conn, f"select count(*) from ({_groups_sql(where)}) as g", params))


@st.cache_data(ttl=EXCEPTIONS_TTL_S, show_spinner=False)
def exception_groups(tenant_id: str, filters: ExceptionFilters, limit: int, offset: int) -> pd.DataFrame:
    """One page of the things to fix: each distinct value (carrier name, SKU, status, place,
    currency) once, with the orders it affects; those with something left to fix first, then by
    the number of orders."""
    where, params = _exception_where(tenant_id, filters)
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            f"""select g.*
                from ({_groups_sql(where)}) as g
                order by cardinality(g.open_keys) = 0,
                         g.order_count desc,
                         g.first_seen_at,
                         g.exception_type,
                         cast(g.subject as text)
                limit :limit offset :offset""",
            {**params, "limit": limit, "offset": offset},
        )


@st.cache_data(ttl=EXCEPTIONS_TTL_S, show_spinner=False)
def exception_group_orders(
    tenant_id: str, exception_type: str, subject: str, limit: int = 50
) -> pd.DataFrame:
    """The exceptions of one group (``subject`` as JSON text), oldest first, with their stores."""
    where, params = _exception_where(tenant_id, ExceptionFilters(types=(exception_type,)))
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            f"""select q.exception_key,
                       q.order_key,
                       q.platform_order_name,
                       q.platform_order_id,
                       q.store_id,
                       coalesce(st.name, q.store_id) as store_name,
                       q.channel,
                       q.ordered_at,
                       q.first_seen_at,
                       q.reason,
                       q.details,
                       q.is_pending,
                       q.pending_by,
                       q.pending_at
                from ({_subject_rows(where)}) as q
                left join marts.dim_stores as st
                  on st.tenant_id = q.tenant_id
                 and st.store_id = q.store_id
                where q.subject = cast(:subject as jsonb)
                order by q.is_pending, q.first_seen_at, q.exception_key
                limit :limit""",
            {**params, "subject": subject, "limit": limit},
        )


@st.cache_data(ttl=EXCEPTIONS_TTL_S, show_spinner=False)
def count_exceptions(tenant_id: str, filters: ExceptionFilters) -> int:
    where, params = _exception_where(tenant_id, filters)
    with tenant_transaction(tenant_id) as conn:
        return int(
            _scalar(conn, f"select count(*) from marts.fct_order_exceptions as e where {where}", params)
        )


@st.cache_data(ttl=EXCEPTIONS_TTL_S, show_spinner=False)
def list_exceptions(tenant_id: str, filters: ExceptionFilters, limit: int, offset: int) -> pd.DataFrame:
    """One page of single exceptions, the open ones first, oldest first."""
    where, params = _exception_where(tenant_id, filters)
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            f"""select q.exception_key,
                       q.order_key,
                       q.platform_order_name,
                       q.platform_order_id,
                       q.store_id,
                       coalesce(st.name, q.store_id) as store_name,
                       q.channel,
                       q.exception_type,
                       q.reason,
                       q.details,
                       q.suggestions,
                       q.subjects,
                       q.ordered_at,
                       q.first_seen_at,
                       q.is_pending,
                       q.pending_by,
                       q.pending_at
                from ({_queue_rows(where)}) as q
                left join marts.dim_stores as st
                  on st.tenant_id = q.tenant_id
                 and st.store_id = q.store_id
                order by q.is_pending, q.first_seen_at, q.exception_key
                limit :limit offset :offset""",
            {**params, "limit": limit, "offset": offset},
        )


def _like(search: str) -> str:
    """A LIKE pattern that finds ``search`` anywhere, its own wildcards taken literally."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@st.cache_data(ttl=EXCEPTIONS_TTL_S, show_spinner=False)
def catalogue_skus(tenant_id: str, search: str = "", limit: int = 200) -> pd.DataFrame:
    """Active catalogue SKUs (app.products) whose SKU or title contains ``search``, by SKU."""
    params: dict[str, Any] = {"tenant": tenant_id, "limit": limit}
    match = ""
    if search.strip():
        match = "and (sku ilike :pattern or title ilike :pattern or variant_title ilike :pattern)"
        params["pattern"] = _like(search.strip())
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            f"""select sku, title, variant_title, is_bundle
                from app.products
                where tenant_id = :tenant and is_active {match}
                order by sku
                limit :limit""",
            params,
        )


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def regions(
    tenant_id: str, country_code: str, levels: tuple[int, ...], search: str = "", limit: int = 300
) -> pd.DataFrame:
    """Regions of a country at ``levels`` (reference.regions) whose code or name contains
    ``search``, with their parent's name; empty while the region table is not built."""
    params: dict[str, Any] = {"country": country_code, "levels": list(levels), "limit": limit}
    match = ""
    if search.strip():
        match = """and (r.region_code ilike :pattern or r.name_en ilike :pattern
                        or r.name_local ilike :pattern)"""
        params["pattern"] = _like(search.strip())
    with tenant_transaction(tenant_id) as conn:
        if not _scalar(conn, "select to_regclass('reference.regions') is not null", {}):
            return pd.DataFrame(columns=["region_code", "level", "name_en", "name_local", "parent_name"])
        return _frame(
            conn,
            f"""select r.region_code, r.level, r.name_en, r.name_local, p.name_en as parent_name
                from reference.regions as r
                left join reference.regions as p
                  on p.region_code = r.parent_code
                where r.country_code = :country and r.level = any(:levels) {match}
                order by r.level, r.name_en, r.region_code
                limit :limit""",
            params,
        )


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def carriers(tenant_id: str) -> pd.DataFrame:
    """The seller's carriers (reference.carriers)."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn, "select carrier_code, name from reference.carriers order by name, carrier_code", {}
        )


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def status_choices(tenant_id: str) -> pd.DataFrame:
    """The canonical statuses a channel status may map to, in the state machine's order."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """select status, description from reference.canonical_statuses
               where status <> 'exception'
               order by rank, status""",
            {},
        )


@st.cache_data(ttl=EXCEPTIONS_TTL_S, show_spinner=False)
def recent_fixes(tenant_id: str, limit: int = 50) -> pd.DataFrame:
    """The latest fixes from the queue (who, when, what, how many orders). A fix waits while one
    of its exceptions is still in a queue built before it (``waiting_count``); after the run,
    ``still_open_count`` says how many of its exceptions the rebuilt queue still holds."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """with recent as (
                   select fix_id, created_at, created_by, exception_type, action, target,
                          exception_keys, order_keys
                   from app.exception_fixes
                   where tenant_id = :tenant
                   order by created_at desc, fix_id desc
                   limit :limit
               ),
               in_queue as (
                   select recent.fix_id,
                          count(*) filter (where e.built_at < recent.created_at) as waiting_count,
                          count(*) filter (where e.built_at >= recent.created_at) as still_open_count
                   from recent
                   cross join lateral unnest(recent.exception_keys) as fixed (exception_key)
                   inner join marts.fct_order_exceptions as e
                       on e.tenant_id = :tenant
                      and e.exception_key = fixed.exception_key
                   group by recent.fix_id
               )
               select recent.fix_id,
                      recent.created_at,
                      recent.created_by,
                      recent.exception_type,
                      recent.action,
                      recent.target,
                      cardinality(recent.order_keys) as order_count,
                      cardinality(recent.exception_keys) as exception_count,
                      coalesce(in_queue.waiting_count, 0) as waiting_count,
                      coalesce(in_queue.still_open_count, 0) as still_open_count
               from recent
               left join in_queue
                 on in_queue.fix_id = recent.fix_id
               order by recent.created_at desc, recent.fix_id desc""",
            {"tenant": tenant_id, "limit": limit},
        )


# ---------------------------------------------------------------------------------------------
# Exception coverage (issue 4): rates per store-day from marts.fct_exception_coverage_daily
# ---------------------------------------------------------------------------------------------

COVERAGE_TTL_S = 60
COVERAGE_RELATIONS = (
    "marts.fct_exception_coverage_daily",
    "marts.dim_stores",
    "reference.exception_rate_thresholds",
)
COVERAGE_SUITE = "coverage"  # expectations/coverage.py: its rows in fct_check_results are "coverage: ..."

# Exception type (as the seed exception_rate_thresholds names it) -> (label, count column, rate
# column) of the mart. The same mapping as expectations.coverage.RATE_COLUMNS (a test keeps them
# equal; that module imports Great Expectations, which the app must not load for it).
COVERAGE_TYPES: dict[str, tuple[str, str, str]] = {
    "any": ("Any exception", "exception_order_count", "exception_rate"),
    "unmapped_product": ("Unmapped product", "unmapped_product_count", "unmapped_product_rate"),
    "unresolved_address": ("Unresolved address", "unresolved_address_count", "unresolved_address_rate"),
    "unknown_carrier": ("Unknown carrier", "unknown_carrier_count", "unknown_carrier_rate"),
    "unmapped_status": ("Unmapped status", "unmapped_status_count", "unmapped_status_rate"),
    "missing_fx_rate": ("Missing FX rate", "missing_fx_rate_count", "missing_fx_rate_rate"),
    "other": ("Other (status map)", "other_exception_count", "other_exception_rate"),
}


@dataclass(frozen=True)
class CoverageFilters:
    """What the Exception coverage page asks for (hashable, a cache key). Days are UTC and inclusive."""

    store_ids: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None


def _coverage_where(tenant_id: str, filters: CoverageFilters) -> tuple[str, dict[str, Any]]:
    clauses = ["c.tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant_id}
    _any_of(clauses, params, "c.store_id", "store_ids", filters.store_ids)
    _any_of(clauses, params, "c.channel", "channels", filters.channels)
    if filters.date_from is not None:
        clauses.append("c.order_date >= :date_from")
        params["date_from"] = filters.date_from
    if filters.date_to is not None:
        clauses.append("c.order_date <= :date_to")
        params["date_to"] = filters.date_to
    return " and ".join(clauses), params


def _coverage_type(exception_type: str) -> tuple[str, str, str]:
    if exception_type not in COVERAGE_TYPES:
        raise ValueError(f"unknown exception type {exception_type!r}")
    return COVERAGE_TYPES[exception_type]


def _judged_days_sql(where: str) -> str:
    """CTEs ending in ``judged``: one row per store-day and exception type in the filters, with the
    type's count and rate and ``max_rate``, the tightest threshold whose min_orders the day reaches
    (null when the day has too few orders to be judged). The suite's rule, on the same rows: a day
    is over when its rate exceeds any applicable threshold, i.e. the tightest."""
    typed_values = ",\n".join(
        f"({_sql_literal(key)}, days.{count}, days.{rate})"
        for key, (_, count, rate) in COVERAGE_TYPES.items()
    )
    return f"""
        with days as (
            select c.*
            from marts.fct_exception_coverage_daily as c
            where {where}
        ),
        typed as (
            select days.tenant_id,
                   days.store_id,
                   days.channel,
                   days.order_date,
                   days.order_count,
                   t.exception_type,
                   t.exception_count,
                   t.rate
            from days
            cross join lateral (values {typed_values}) as t (exception_type, exception_count, rate)
        ),
        judged as (
            select typed.*,
                   (select min(r.max_rate)
                    from reference.exception_rate_thresholds as r
                    where r.exception_type = typed.exception_type
                      and r.min_orders <= typed.order_count) as max_rate
            from typed
        )"""


def _sql_literal(value: str) -> str:
    """A fixed key of COVERAGE_TYPES as a SQL string literal (never user input)."""
    if not re.fullmatch(r"[a-z_]+", value):
        raise ValueError(f"not a coverage type key: {value!r}")
    return f"'{value}'"


@st.cache_data(ttl=COVERAGE_TTL_S, show_spinner=False)
def coverage_options(tenant_id: str) -> dict[str, Any]:
    """Stores (id, name, channel) and channels with coverage rows, and the first and last day."""
    params = {"tenant": tenant_id}
    with tenant_transaction(tenant_id) as conn:
        stores = _frame(
            conn,
            """select c.store_id,
                      coalesce(s.name, c.store_id) as name,
                      c.channel
               from (select distinct tenant_id, store_id, channel
                     from marts.fct_exception_coverage_daily
                     where tenant_id = :tenant) as c
               left join marts.dim_stores as s
                 on s.tenant_id = c.tenant_id
                and s.store_id = c.store_id
               order by c.channel, name, c.store_id""",
            params,
        )
        bounds = (
            conn.execute(
                text(
                    """select min(order_date) as first_day, max(order_date) as last_day
                       from marts.fct_exception_coverage_daily where tenant_id = :tenant"""
                ),
                params,
            )
            .mappings()
            .one()
        )
    return {
        "stores": stores,
        "channels": sorted(set(stores["channel"])) if len(stores) else [],
        "first_day": bounds["first_day"],
        "last_day": bounds["last_day"],
    }


@st.cache_data(ttl=COVERAGE_TTL_S, show_spinner=False)
def coverage_totals(tenant_id: str, filters: CoverageFilters) -> dict[str, Any]:
    """Orders, orders per exception type and store-days in the filters."""
    where, params = _coverage_where(tenant_id, filters)
    sums = ",\n".join(f"coalesce(sum(c.{count}), 0) as {count}" for _, count, _ in COVERAGE_TYPES.values())
    with tenant_transaction(tenant_id) as conn:
        row = (
            conn.execute(
                text(
                    f"""select count(*) as store_days,
                               coalesce(sum(c.order_count), 0) as order_count,
                               {sums}
                        from marts.fct_exception_coverage_daily as c
                        where {where}"""
                ),
                params,
            )
            .mappings()
            .one()
        )
    return {k: int(v) for k, v in row.items()}


@st.cache_data(ttl=COVERAGE_TTL_S, show_spinner=False)
def coverage_trend(tenant_id: str, filters: CoverageFilters, exception_type: str, by: str) -> pd.DataFrame:
    """Per UTC day and channel (``by='channel'``) or store (``by='store'``): orders, orders with the
    exception type and their share (0-1), summed over the stores of a channel."""
    _, count, _ = _coverage_type(exception_type)
    if by not in ("channel", "store"):
        raise ValueError(f"by must be 'channel' or 'store', not {by!r}")
    where, params = _coverage_where(tenant_id, filters)
    series = "c.channel" if by == "channel" else "coalesce(s.name, c.store_id)"
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            f"""select c.order_date,
                       {series} as series,
                       sum(c.order_count) as order_count,
                       sum(c.{count}) as exception_count,
                       cast(round(cast(sum(c.{count}) as numeric) / sum(c.order_count), 4) as float) as rate
                from marts.fct_exception_coverage_daily as c
                left join marts.dim_stores as s
                  on s.tenant_id = c.tenant_id
                 and s.store_id = c.store_id
                where {where}
                group by 1, 2
                order by 1, 2""",
            params,
        )


@st.cache_data(ttl=COVERAGE_TTL_S, show_spinner=False)
def coverage_by_store(tenant_id: str, filters: CoverageFilters, exception_type: str) -> pd.DataFrame:
    """One row per store in the filters for one exception type: orders, exceptions and rate over the
    days, the store's latest day (its orders, rate and the threshold that applied), and how many
    store-days were judged and how many were over their threshold."""
    _coverage_type(exception_type)
    where, params = _coverage_where(tenant_id, filters)
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            _judged_days_sql(where)
            + """
            , per_store as (
                select judged.store_id,
                       judged.channel,
                       sum(judged.order_count) as order_count,
                       sum(judged.exception_count) as exception_count,
                       count(*) filter (where judged.max_rate is not null) as judged_days,
                       count(*) filter (where judged.rate > judged.max_rate) as days_over,
                       max(judged.order_date) as last_day
                from judged
                where judged.exception_type = :exception_type
                group by 1, 2
            )
            select per_store.store_id,
                   coalesce(s.name, per_store.store_id) as store_name,
                   per_store.channel,
                   per_store.order_count,
                   per_store.exception_count,
                   cast(round(cast(per_store.exception_count as numeric) / per_store.order_count, 4)
                        as float) as rate,
                   per_store.judged_days,
                   per_store.days_over,
                   per_store.last_day,
                   latest.order_count as last_day_order_count,
                   cast(latest.rate as float) as last_day_rate,
                   cast(latest.max_rate as float) as last_day_max_rate
            from per_store
            inner join judged as latest
                on latest.store_id = per_store.store_id
               and latest.channel = per_store.channel
               and latest.order_date = per_store.last_day
               and latest.exception_type = :exception_type
            left join marts.dim_stores as s
              on s.tenant_id = :tenant
             and s.store_id = per_store.store_id
            order by per_store.days_over desc, rate desc, per_store.channel, store_name""",
            {**params, "exception_type": exception_type},
        )


@st.cache_data(ttl=COVERAGE_TTL_S, show_spinner=False)
def coverage_breaches(tenant_id: str, filters: CoverageFilters, limit: int = 200) -> pd.DataFrame:
    """Store-days in the filters over a threshold, any exception type, worst first: the same rule
    as the coverage suite, read live from the mart."""
    where, params = _coverage_where(tenant_id, filters)
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            _judged_days_sql(where)
            + """
            select judged.order_date,
                   judged.store_id,
                   coalesce(s.name, judged.store_id) as store_name,
                   judged.channel,
                   judged.exception_type,
                   judged.order_count,
                   judged.exception_count,
                   cast(judged.rate as float) as rate,
                   cast(judged.max_rate as float) as max_rate
            from judged
            left join marts.dim_stores as s
              on s.tenant_id = :tenant
             and s.store_id = judged.store_id
            where judged.rate > judged.max_rate
            order by judged.rate - judged.max_rate desc, judged.order_date desc, judged.store_id,
                     judged.exception_type
            limit :limit""",
            {**params, "limit": limit},
        )


@st.cache_data(ttl=COVERAGE_TTL_S, show_spinner=False)
def coverage_thresholds(tenant_id: str) -> pd.DataFrame:
    """The rules (seed exception_rate_thresholds), tightest first per type."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """select exception_type, min_orders, cast(max_rate as float) as max_rate, note
               from reference.exception_rate_thresholds
               order by exception_type = 'any' desc, exception_type, min_orders""",
            {},
        )


@st.cache_data(ttl=PIPELINE_TTL_S, show_spinner=False)
def coverage_suite_result(tenant_id: str) -> pd.DataFrame:
    """The coverage suite's latest result, one row per rule (empty before its first run).

    Check results are not tenant data (every tenant's store-days are checked in one run), so
    ``own_store_days`` keeps only this tenant's offending store-days from the result's details."""
    with tenant_transaction(tenant_id) as conn:
        return _frame(
            conn,
            """with latest_per_rule as (
                   select distinct on (check_name) *
                   from marts.fct_check_results
                   where check_name like :prefix
                   order by check_name, checked_at desc, check_result_id desc
               ),
               -- only the rules of the newest run: a rule since removed from the seed drops out
               coverage_results as (
                   select *
                   from latest_per_rule
                   where run_id is not distinct from (
                       select run_id from latest_per_rule order by checked_at desc limit 1
                   )
               )
               select r.check_name,
                      r.details -> 'meta' ->> 'exception_type' as exception_type,
                      r.success,
                      r.evaluated_count,
                      r.failed_count,
                      r.checked_at,
                      r.run_id,
                      (select coalesce(jsonb_agg(store_day), '[]'::jsonb)
                       from jsonb_array_elements(
                           case when jsonb_typeof(r.details -> 'result' -> 'unexpected_index_list') = 'array'
                                then r.details -> 'result' -> 'unexpected_index_list'
                                else '[]'::jsonb end
                       ) as store_day
                       where store_day ->> 'tenant_id' = :tenant) as own_store_days
               from coverage_results as r
               order by r.success, r.check_result_id""",
            {"prefix": f"{COVERAGE_SUITE}: %", "tenant": tenant_id},
        )

"""Every write the app makes, all into ``app.*``, each in the signed-in user's tenant transaction.

Row-level security's ``with check`` refuses a row for any other tenant, so a write cannot leak
across tenants even if a caller passed the wrong one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from apps.streamlit.db import tenant_transaction


def audit(
    user: dict[str, Any],
    action: str,
    entity: str | None = None,
    entity_key: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append a row to app.audit_log as ``user``; returns its audit_id."""
    with tenant_transaction(user["tenant_id"]) as conn:
        return int(
            conn.execute(
                text(
                    """insert into app.audit_log (tenant_id, user_email, action, entity, entity_key, details)
                       values (:tenant, :email, :action, :entity, :entity_key, cast(:details as jsonb))
                       returning audit_id"""
                ),
                {
                    "tenant": user["tenant_id"],
                    "email": user["email"],
                    "action": action,
                    "entity": entity,
                    "entity_key": entity_key,
                    "details": json.dumps(details or {}),
                },
            ).scalar_one()
        )


def record_sign_in(user: dict[str, Any]) -> int:
    return audit(user, "auth.sign_in", "user", user["email"])


def record_sign_out(user: dict[str, Any]) -> int:
    return audit(user, "auth.sign_out", "user", user["email"])


# ---------------------------------------------------------------------------------------------
# Manual orders and the import (issue 3)
# ---------------------------------------------------------------------------------------------

MANUAL_STORE_ID = "manual"


def _audit_in(
    conn: Any,
    user: dict[str, Any],
    action: str,
    entity: str,
    entity_key: str,
    details: dict[str, Any],
) -> None:
    """An audit row in the caller's transaction (so the change and its audit commit together)."""
    conn.execute(
        text(
            """insert into app.audit_log (tenant_id, user_email, action, entity, entity_key, details)
               values (:tenant, :email, :action, :entity, :entity_key, cast(:details as jsonb))"""
        ),
        {
            "tenant": user["tenant_id"],
            "email": user["email"],
            "action": action,
            "entity": entity,
            "entity_key": entity_key,
            "details": json.dumps(details, default=str, ensure_ascii=False),
        },
    )


def ensure_manual_store(user: dict[str, Any]) -> str:
    """The tenant's first ``manual`` store, created (named ``manual``, audited) on first use.

    The new store takes the tenant's reporting currency and UTC; an admin can change its time zone
    and currency on the Stores page.
    """
    with tenant_transaction(user["tenant_id"]) as conn:
        existing = conn.execute(
            text(
                """select store_id from app.stores
                   where tenant_id = :tenant and channel = 'manual'
                   order by created_at, store_id limit 1"""
            ),
            {"tenant": user["tenant_id"]},
        ).scalar()
        if existing is not None:
            return str(existing)
        taken = set(
            conn.execute(
                text("select store_id from app.stores where tenant_id = :tenant"),
                {"tenant": user["tenant_id"]},
            ).scalars()
        )
        store_id = MANUAL_STORE_ID
        suffix = 2
        while store_id in taken:
            store_id = f"{MANUAL_STORE_ID}-{suffix}"
            suffix += 1
        currency = conn.execute(
            text("select reporting_currency from app.tenants where tenant_id = :tenant"),
            {"tenant": user["tenant_id"]},
        ).scalar()
        conn.execute(
            text(
                """insert into app.stores (tenant_id, store_id, channel, name, timezone, currency,
                                           created_by, updated_by)
                   values (:tenant, :store, 'manual', 'manual', 'UTC', :currency, :email, :email)
                   on conflict (tenant_id, store_id) do nothing"""
            ),
            {"tenant": user["tenant_id"], "store": store_id, "currency": currency, "email": user["email"]},
        )
        _audit_in(conn, user, "store.created", "store", store_id, {"channel": "manual", "name": "manual"})
        return store_id


def create_manual_order(user: dict[str, Any], store_id: str, doc: dict[str, Any]) -> Any:
    """Store a manual order from the form, with its audit row, as the app role.

    Returns ``ingestion.manual.CreateResult``; raises ``InvalidOrder`` or ``DuplicateOrderNumber``.
    """
    from ingestion import manual

    with tenant_transaction(user["tenant_id"]) as conn:
        result = manual.create_manual_order(
            user["tenant_id"], store_id, doc, user["email"], conn, source="form"
        )
        if result.created:
            _audit_in(
                conn,
                user,
                "manual_order.created",
                "manual_order",
                result.manual_order_id,
                {"store_id": store_id, "source": "form", "lines": len(result.order_doc["lines"])},
            )
        return result


def import_manual_orders(user: dict[str, Any], store_id: str, filename: str, data: bytes) -> Any:
    """Import a CSV/XLSX of manual orders; the good orders land, with one audit row for the file.

    Returns ``ingestion.manual.ImportReport``.
    """
    from ingestion import manual

    with tenant_transaction(user["tenant_id"]) as conn:
        report = manual.import_rows(data, filename, user["tenant_id"], store_id, user["email"], conn)
        _audit_in(
            conn,
            user,
            "manual_order.imported",
            "import_file",
            filename,
            {
                "store_id": store_id,
                "rows": report.rows_read,
                "orders_landed": report.orders_landed,
                "orders_already_present": report.orders_already_present,
                "orders_rejected": report.orders_rejected,
                "rows_rejected": report.rows_rejected,
                "file_errors": report.file_errors,
            },
        )
        return report


# ---------------------------------------------------------------------------------------------
# Stores (admin)
# ---------------------------------------------------------------------------------------------

_SECRET_NAME = re.compile(r"[A-Z][A-Z0-9_]{1,63}")
_ROLE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_URL = re.compile(r"https?://[^\s/?#@]+(/[^\s?#]*)?")


class StoreEditError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def parse_credential_names(value: str) -> tuple[dict[str, str], list[str]]:
    """``role = SECRET_NAME`` per line -> {role: NAME}, and errors (a value is never echoed)."""
    names: dict[str, str] = {}
    errors: list[str] = []
    for number, raw in enumerate((value or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        role, sep, name = (part.strip() for part in line.partition("="))
        if not sep:
            errors.append(f"credential line {number}: write role = SECRET_NAME")
            continue
        if not _ROLE.fullmatch(role):
            errors.append(
                f"credential line {number}: role {role!r} must be lower_snake_case, like access_token"
            )
            continue
        if not _SECRET_NAME.fullmatch(name):
            # Never echo it: it may be a secret value pasted where its name belongs.
            errors.append(
                f"credential {role!r}: give the NAME of the secret (UPPER_SNAKE_CASE, like "
                "SHOPIFY_KSA_TOKEN), not its value"
            )
            continue
        if role in names:
            errors.append(f"credential {role!r} is named twice")
            continue
        names[role] = name
    return names, errors


def validate_store_edit(channel: str, changes: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Clean values and errors for an edit of a store's download settings (see ``update_store``)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    clean: dict[str, Any] = {}
    errors: list[str] = []
    timezone = str(changes.get("timezone") or "").strip()
    try:
        ZoneInfo(timezone)
        clean["timezone"] = timezone
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"unknown time zone {timezone!r} (use an IANA name such as Asia/Riyadh)")
    for name, low, label in (
        ("download_interval_minutes", 1, "download interval"),
        ("overlap_minutes", 0, "overlap"),
    ):
        value = changes.get(name)
        try:
            number = int(value)
            if number != float(value):
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"the {label} must be a whole number of minutes")
            continue
        if not low <= number <= 1440:
            errors.append(f"the {label} must be {low} to 1440 minutes")
        else:
            clean[name] = number
    url = str(changes.get("api_base_url") or "").strip()
    if not url:
        clean["api_base_url"] = None
    elif channel == "manual":
        errors.append("a manual store takes no API base URL")
    elif not _URL.fullmatch(url):
        errors.append("the API base URL must be an http(s) URL without credentials, query or fragment")
    else:
        clean["api_base_url"] = url.rstrip("/")
    names = changes.get("credential_names") or {}
    if isinstance(names, str):
        names, name_errors = parse_credential_names(names)
        errors.extend(name_errors)
    clean["credential_names"] = names
    clean["is_active"] = bool(changes.get("is_active"))
    return clean, errors


def update_store(user: dict[str, Any], store_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a store's time zone, download interval, overlap, API base URL, credential NAMES and
    active flag, with an audit row of what changed. Raises ``StoreEditError`` with every problem.

    Returns {field: [before, after]} of what changed (empty when nothing did).
    """
    with tenant_transaction(user["tenant_id"]) as conn:
        row = (
            conn.execute(
                text(
                    """select channel, timezone, download_interval_minutes, overlap_minutes, api_base_url,
                              credential_names, is_active
                       from app.stores where tenant_id = :tenant and store_id = :store for update"""
                ),
                {"tenant": user["tenant_id"], "store": store_id},
            )
            .mappings()
            .first()
        )
        if row is None:
            raise StoreEditError([f"store {store_id!r} does not exist"])
        clean, errors = validate_store_edit(row["channel"], changes)
        if errors:
            raise StoreEditError(errors)
        changed = {k: [row[k], v] for k, v in clean.items() if row[k] != v}
        if not changed:
            return {}
        conn.execute(
            text(
                """update app.stores
                   set timezone = :timezone,
                       download_interval_minutes = :download_interval_minutes,
                       overlap_minutes = :overlap_minutes,
                       api_base_url = :api_base_url,
                       credential_names = cast(:credential_names as jsonb),
                       is_active = :is_active,
                       updated_at = now(),
                       updated_by = :email
                   where tenant_id = :tenant and store_id = :store"""
            ),
            {
                **clean,
                "credential_names": json.dumps(clean["credential_names"]),
                "email": user["email"],
                "tenant": user["tenant_id"],
                "store": store_id,
            },
        )
        _audit_in(conn, user, "store.updated", "store", store_id, {"changes": changed})
        return changed


# ---------------------------------------------------------------------------------------------
# Manual downloads (issue 3): the app asks, the `download_requests` sensor starts the run
# ---------------------------------------------------------------------------------------------

MAX_ORDER_IDS = 500
OPEN_DOWNLOAD_STATUSES = ("requested", "running")


class DownloadRequestError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def download_unavailable_reason(
    store_id: str,
    channel: str,
    is_active: bool,
    api_base_url: str | None,
    open_request: dict[str, Any] | None = None,
) -> str | None:
    """Why a store cannot be downloaded now, or None. The Stores page shows the same words that
    ``request_download`` refuses with."""
    if channel == "manual":
        return f"store {store_id} is a manual store: it has no API to download from"
    if not is_active:
        return f"store {store_id} is disabled: make it active before downloading"
    if not api_base_url:
        return f"store {store_id} has no API base URL: set one before downloading"
    if open_request:
        return (
            f"a download of store {store_id} is already {open_request['status']} (request "
            f"#{open_request['request_id']} by {open_request['requested_by']}): wait until it finishes"
        )
    return None


def _download_moment(label: str, value: Any) -> tuple[Any, str | None]:
    """A UTC datetime (a time without an offset, or a date, is read as UTC) or an error."""
    from datetime import UTC, date, datetime

    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None, (
                f"{label} {str(value).strip()!r} is not a time: write ISO 8601, e.g. 2025-05-01 or "
                "2025-05-01T08:00Z (UTC unless an offset is given)"
            )
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)), None


def clean_order_ids(order_ids: Any) -> tuple[list[str], list[str]]:
    """Order ids as typed (one per line, or a list) -> trimmed, blank lines dropped, duplicates
    removed in order; and errors."""
    lines = order_ids.splitlines() if isinstance(order_ids, str) else list(order_ids or ())
    ids: list[str] = []
    errors: list[str] = []
    for number, raw in enumerate(lines, start=1):
        value = str(raw).strip()
        if not value:
            continue
        if any(ch.isspace() for ch in value) or "," in value:
            errors.append(
                f"order id on line {number} ({value[:40]!r}) holds spaces or commas: one id per line"
            )
        elif len(value) > 100:
            errors.append(f"order id on line {number} is longer than 100 characters")
        elif value not in ids:
            ids.append(value)
    if len(ids) > MAX_ORDER_IDS:
        errors.append(f"at most {MAX_ORDER_IDS} order ids per request ({len(ids)} given)")
    return ids, errors


def request_download(
    user: dict[str, Any],
    store_id: str,
    since: Any = None,
    until: Any = None,
    order_ids: Any = (),
) -> int:
    """Ask for a download of one store now: a row in app.download_requests (status ``requested``)
    and its audit row, in one transaction. The ``download_requests`` Dagster sensor starts the
    run. ``since``/``until`` (datetime, date or ISO text; UTC unless an offset is given) bound the
    window, each optional (the store's cursor and now by default); or ``order_ids`` re-downloads
    those orders. Raises ``DownloadRequestError`` with every problem. Returns the request id.
    """
    from sqlalchemy.exc import IntegrityError

    start, start_error = _download_moment("since", since)
    end, end_error = _download_moment("until", until)
    ids, errors = clean_order_ids(order_ids)
    errors = [e for e in (start_error, end_error) if e] + errors
    if start is not None and end is not None and start >= end:
        errors.append("'since' must be before 'until'")
    if ids and (start is not None or end is not None):
        errors.append("give either a time window or order ids, not both")
    tenant = user["tenant_id"]
    try:
        with tenant_transaction(tenant) as conn:
            # Locking the store row serialises two requests for it (and an edit of the store).
            store = (
                conn.execute(
                    text(
                        """select channel, is_active, api_base_url from app.stores
                           where tenant_id = :tenant and store_id = :store for update"""
                    ),
                    {"tenant": tenant, "store": store_id},
                )
                .mappings()
                .first()
            )
            if store is None:
                raise DownloadRequestError([f"store {store_id!r} does not exist", *errors])
            open_request = (
                conn.execute(
                    text(
                        """select request_id, status, requested_by from app.download_requests
                           where tenant_id = :tenant and store_id = :store
                             and status in ('requested', 'running')
                           order by request_id desc limit 1"""
                    ),
                    {"tenant": tenant, "store": store_id},
                )
                .mappings()
                .first()
            )
            reason = download_unavailable_reason(
                store_id,
                store["channel"],
                store["is_active"],
                store["api_base_url"],
                dict(open_request) if open_request else None,
            )
            if reason or errors:
                raise DownloadRequestError(([reason] if reason else []) + errors)
            request_id = int(
                conn.execute(
                    text(
                        """insert into app.download_requests
                               (tenant_id, store_id, since, until, order_ids, requested_by)
                           values (:tenant, :store, :since, :until, :order_ids, :email)
                           returning request_id"""
                    ),
                    {
                        "tenant": tenant,
                        "store": store_id,
                        "since": start,
                        "until": end,
                        "order_ids": ids,
                        "email": user["email"],
                    },
                ).scalar_one()
            )
            _audit_in(
                conn,
                user,
                "download.requested",
                "store",
                store_id,
                {
                    "request_id": request_id,
                    "since": start.isoformat() if start else None,
                    "until": end.isoformat() if end else None,
                    "order_ids": len(ids),
                },
            )
            return request_id
    except IntegrityError as err:
        # Only the one-open-request index can refuse this insert: a second click won the race.
        if "download_requests_one_open_idx" not in str(err):
            raise
        raise DownloadRequestError(
            [f"a download of store {store_id} is already requested: wait until it finishes"]
        ) from None


# ---------------------------------------------------------------------------------------------
# Exception fixes (issue 4): one mapping fixes every order it matches
# ---------------------------------------------------------------------------------------------
#
# Each fix is one transaction: the mapping rows (app.sku_mappings, carrier_aliases,
# status_mappings, region_aliases, address_corrections or fx_rates), one app.exception_fixes row
# naming every open exception the mapping covers (so the page shows them as pending until the
# triggered run has rebuilt the queue), and one app.audit_log row. Fixes of one tenant are
# serialised by an advisory lock, so two reviewers cannot both fix the same exceptions: the second
# finds them pending and is refused.

SKU_SCOPES = ("store", "channel", "any")
CARRIER_SCOPES = ("channel", "any")
LEVEL_NAMES = {0: "country", 1: "province", 2: "city", 3: "district"}
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAX_RATE = 10**10  # numeric(20, 10)


class FixError(ValueError):
    """Why a fix cannot be done: every reason, in words a reviewer can act on."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class FixResult:
    fix_id: int
    action: str
    exception_keys: list[str]  # every open exception the fix covers (now pending)
    order_keys: list[str]
    mappings: int  # mapping rows written
    left_open: int  # chosen exceptions this fix does not cover


def _lock_fixes(conn: Any, tenant: str) -> None:
    conn.execute(
        text("select pg_advisory_xact_lock(hashtext('app.exception_fixes'), hashtext(:tenant))"),
        {"tenant": tenant},
    )


def _type_label(exception_type: str) -> str:
    return exception_type.replace("_", " ")


def _chosen_exceptions(
    conn: Any, tenant: str, keys: Any, exception_type: str, errors: list[str]
) -> list[dict[str, Any]]:
    """The chosen exceptions, refused (with ``errors`` found so far) unless every one is still in
    the queue, not pending and of the type."""
    from apps.streamlit.queries import PENDING_SQL

    wanted = list(dict.fromkeys(str(k) for k in (keys or ()) if k))
    if not wanted:
        raise FixError(["nothing selected: choose the exceptions to fix", *errors])
    rows = [
        dict(r)
        for r in conn.execute(
            text(
                f"""select e.exception_key, e.order_key, e.exception_type, e.channel, e.store_id,
                           e.platform_order_name, e.platform_order_id, e.details,
                           pending.created_by as pending_by, pending.created_at as pending_at
                    from marts.fct_order_exceptions as e
                    {PENDING_SQL}
                    where e.tenant_id = :tenant and e.exception_key = any(:keys)
                    order by e.exception_key"""
            ),
            {"tenant": tenant, "keys": wanted},
        ).mappings()
    ]
    problems: list[str] = []
    gone = len(wanted) - len(rows)
    if gone:
        problems.append(
            f"{gone} of the {len(wanted)} chosen exceptions are no longer in the queue (a run has "
            "rebuilt it since the page was loaded): refresh the page"
        )
    other = sorted({r["exception_type"] for r in rows if r["exception_type"] != exception_type})
    if other:
        problems.append(
            f"this fix is for {_type_label(exception_type)} exceptions, but the choice also holds "
            f"{', '.join(_type_label(t) for t in other)}: fix one type at a time"
        )
    pending = [r for r in rows if r["pending_by"] is not None]
    if pending:
        latest = max(pending, key=lambda r: r["pending_at"])
        problems.append(
            f"{len(pending)} of the chosen exceptions were already fixed by {latest['pending_by']} at "
            f"{latest['pending_at']:%Y-%m-%d %H:%M:%S} UTC and wait for the next run: refresh the page"
        )
    if problems:
        raise FixError(problems + errors)
    return rows


@contextmanager
def _fix_transaction(
    tenant: str, keys: Any, exception_type: str, errors: list[str]
) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """The tenant's transaction, holding the fix lock, and the chosen exceptions (refused, with the
    ``errors`` found so far, unless every one is still in the queue, not pending and of the type)."""
    with tenant_transaction(tenant) as conn:
        _lock_fixes(conn, tenant)
        yield conn, _chosen_exceptions(conn, tenant, keys, exception_type, errors)


def _insert_rows(conn: Any, user: dict[str, Any], sql: str, rows: list[dict[str, Any]]) -> None:
    """Run the insert ``sql`` once per row of ``rows``; it binds ``:tenant`` and ``:email`` (the
    user who fixes, as created_by) besides the row's own values."""
    for row in rows:
        conn.execute(text(sql), {"tenant": user["tenant_id"], **row, "email": user["email"]})


def _order_label(row: dict[str, Any]) -> str:
    return str(row.get("platform_order_name") or row.get("platform_order_id") or row["order_key"])


def _covered(
    conn: Any, tenant: str, exception_type: str, predicate: str, params: dict[str, Any]
) -> list[Any]:
    """Every open, not yet pending exception of the type that ``predicate`` (on ``e``) covers."""
    from apps.streamlit.queries import PENDING_SQL

    return list(
        conn.execute(
            text(
                f"""select e.exception_key, e.order_key, e.details
                    from marts.fct_order_exceptions as e
                    {PENDING_SQL}
                    where e.tenant_id = :tenant
                      and e.exception_type = :exception_type
                      and pending.fix_id is null
                      and ({predicate})
                    order by e.exception_key"""
            ),
            {**params, "tenant": tenant, "exception_type": exception_type},
        ).all()
    )


def _record_fix(
    conn: Any,
    user: dict[str, Any],
    exception_type: str,
    action: str,
    target: dict[str, Any],
    chosen: list[dict[str, Any]],
    covered: list[Any],
    mappings: int,
) -> FixResult:
    if not covered:
        raise FixError(["this fix would cover none of the open exceptions: nothing was saved"])
    exception_keys = [r[0] for r in covered]
    order_keys = list(dict.fromkeys(r[1] for r in covered))
    left_open = len({r["exception_key"] for r in chosen} - set(exception_keys))
    fix_id = int(
        conn.execute(
            text(
                """insert into app.exception_fixes (tenant_id, exception_type, action, target,
                                                    exception_keys, order_keys, created_by, created_at)
                   values (:tenant, :exception_type, :action, cast(:target as jsonb),
                           :exception_keys, :order_keys, :email, clock_timestamp())
                   returning fix_id"""
            ),
            {
                "tenant": user["tenant_id"],
                "exception_type": exception_type,
                "action": action,
                "target": json.dumps(target, default=str, ensure_ascii=False),
                "exception_keys": exception_keys,
                "order_keys": order_keys,
                "email": user["email"],
            },
        ).scalar_one()
    )
    _audit_in(
        conn,
        user,
        f"exception.{action}",
        "exception_fix",
        str(fix_id),
        {
            "exception_type": exception_type,
            "target": target,
            "exceptions": len(exception_keys),
            "orders": len(order_keys),
            "mappings": mappings,
        },
    )
    return FixResult(fix_id, action, exception_keys, order_keys, mappings, left_open)


# A mapping of platform key {key} added since exception e's queue was built, in e's scope.
_SKU_MAPPED_SINCE_BUILD = """sm.tenant_id = e.tenant_id
    and sm.platform_key = {key}
    and sm.created_at > e.built_at
    and sm.sku is not null
    and (sm.channel = '*'
         or (sm.channel = e.channel and (sm.store_id is null or sm.store_id = e.store_id)))"""


def _platform_keys(details: Any) -> list[str]:
    """The platform keys (SKU, else listing id) of an unmapped-product exception's lines."""
    lines = (details or {}).get("unmapped_lines") or []
    return list(
        dict.fromkeys(str(x["platform_key"]) for x in lines if isinstance(x, dict) and x.get("platform_key"))
    )


def map_sku(
    user: dict[str, Any],
    exception_keys: Any,
    sku: str,
    scope: str,
    platform_keys: Any = None,
) -> FixResult:
    """Map platform SKUs / listing ids of unmapped-product exceptions to a catalogue SKU, for the
    exception's store, its channel or every channel (app.sku_mappings). ``platform_keys`` narrows
    which of the chosen orders' unmapped keys are mapped (all of them by default)."""
    tenant = user["tenant_id"]
    sku = (sku or "").strip()
    errors = [] if sku else ["choose a catalogue SKU to map to"]
    if scope not in SKU_SCOPES:
        errors.append(f"the scope must be one of {', '.join(SKU_SCOPES)}")
    with _fix_transaction(tenant, exception_keys, "unmapped_product", errors) as (conn, chosen):
        unmapped = {k for r in chosen for k in _platform_keys(r["details"])}
        wanted = set(unmapped if platform_keys is None else (str(k) for k in platform_keys if k))
        if not wanted:
            errors.append("choose the platform SKUs or listing ids to map")
        for key in sorted(wanted - unmapped):
            errors.append(f"{key!r} is not an unmapped SKU or listing id of the chosen orders")
        if sku:
            product = (
                conn.execute(
                    text("select is_active from app.products where tenant_id = :tenant and sku = :sku"),
                    {"tenant": tenant, "sku": sku},
                )
                .mappings()
                .first()
            )
            if product is None:
                errors.append(
                    f"SKU {sku!r} is not in the catalogue: import it first (oms catalog import) or choose "
                    "another"
                )
            elif not product["is_active"]:
                errors.append(f"SKU {sku!r} is inactive in the catalogue: choose an active SKU")
        if wanted and not errors:
            # A key mapped since the queue was built (by anyone) waits for the run: not again.
            for key, by, at in conn.execute(
                text(
                    f"""select distinct on (k.platform_key) k.platform_key, sm.created_by, sm.created_at
                        from marts.fct_order_exceptions as e
                        cross join lateral (
                            select distinct line ->> 'platform_key' as platform_key
                            from jsonb_array_elements(e.details -> 'unmapped_lines') as lines (line)
                        ) as k
                        cross join lateral (
                            select sm.created_by, sm.created_at
                            from app.sku_mappings as sm
                            where {_SKU_MAPPED_SINCE_BUILD.format(key="k.platform_key")}
                            order by sm.created_at desc
                            limit 1
                        ) as sm
                        where e.tenant_id = :tenant and e.exception_key = any(:keys)
                          and k.platform_key = any(:wanted)
                        order by k.platform_key, sm.created_at desc"""
                ),
                {"tenant": tenant, "keys": [r["exception_key"] for r in chosen], "wanted": sorted(wanted)},
            ):
                errors.append(
                    f"{key!r} was already mapped by {by} at {at:%Y-%m-%d %H:%M:%S} UTC and waits for the "
                    "next run: refresh the page"
                )
        if errors:
            raise FixError(errors)
        rows = sorted(
            {
                (
                    "*" if scope == "any" else r["channel"],
                    r["store_id"] if scope == "store" else None,
                    key,
                )
                for r in chosen
                for key in _platform_keys(r["details"])
                if key in wanted
            },
            key=lambda m: (m[0], m[1] or "", m[2]),
        )
        _insert_rows(
            conn,
            user,
            """insert into app.sku_mappings (tenant_id, channel, store_id, platform_key, sku, note,
                                             created_by)
               values (:tenant, :channel, :store, :key, :sku, 'exception queue', :email)""",
            [
                {"channel": channel, "store": store_id, "key": key, "sku": sku}
                for channel, store_id, key in rows
            ],
        )
        covered = _covered(
            conn,
            tenant,
            "unmapped_product",
            # this fix maps one of the exception's keys, and with it every key is mapped
            f"""exists (
                    select 1
                    from unnest(cast(:m_channels as text[]), cast(:m_stores as text[]),
                                cast(:m_keys as text[])) as m (channel, store_id, platform_key)
                    where e.details -> 'unmapped_lines' @> jsonb_build_array(
                              jsonb_build_object('platform_key', m.platform_key))
                      and (m.channel = '*'
                           or (m.channel = e.channel and (m.store_id is null or m.store_id = e.store_id)))
                )
                and not exists (
                    select 1
                    from jsonb_array_elements(e.details -> 'unmapped_lines') as lines (line)
                    cross join lateral (select lines.line ->> 'platform_key' as platform_key) as k
                    where not exists (
                        select 1 from app.sku_mappings as sm
                        where {_SKU_MAPPED_SINCE_BUILD.format(key="k.platform_key")}
                    )
                )""",
            {
                "m_channels": [m[0] for m in rows],
                "m_stores": [m[1] for m in rows],
                "m_keys": [m[2] for m in rows],
            },
        )
        target = {
            "sku": sku,
            "scope": scope,
            "mappings": [{"channel": c, "store_id": s, "platform_key": k} for c, s, k in rows],
        }
        return _record_fix(conn, user, "unmapped_product", "map_sku", target, chosen, covered, len(rows))


def map_carrier(user: dict[str, Any], exception_keys: Any, carrier_code: str, scope: str) -> FixResult:
    """Map the platform carrier names of unknown-carrier exceptions to a carrier of
    reference.carriers, for their channel or every channel (app.carrier_aliases)."""
    tenant = user["tenant_id"]
    carrier_code = (carrier_code or "").strip()
    errors = [] if carrier_code else ["choose a carrier to map to"]
    if scope not in CARRIER_SCOPES:
        errors.append(f"the scope must be one of {', '.join(CARRIER_SCOPES)}")
    with _fix_transaction(tenant, exception_keys, "unknown_carrier", errors) as (conn, chosen):
        if (
            carrier_code
            and not conn.execute(
                text("select exists (select 1 from reference.carriers where carrier_code = :code)"),
                {"code": carrier_code},
            ).scalar_one()
        ):
            errors.append(f"carrier {carrier_code!r} is not one of the seller's carriers")
        nameless = [
            _order_label(r) for r in chosen if not ((r["details"] or {}).get("lookup_name") or "").strip()
        ]
        if nameless:
            errors.append(f"order {', '.join(nameless[:5])} names no carrier: there is nothing to map")
        if errors:
            raise FixError(errors)
        rows = sorted(
            {("*" if scope == "any" else r["channel"], r["details"]["lookup_name"]) for r in chosen}
        )
        _insert_rows(
            conn,
            user,
            """insert into app.carrier_aliases
                   (tenant_id, channel, platform_carrier_name, carrier_code, created_by)
               values (:tenant, :channel, lower(btrim(:name)), :code, :email)""",
            [{"channel": channel, "name": name, "code": carrier_code} for channel, name in rows],
        )
        covered = _covered(
            conn,
            tenant,
            "unknown_carrier",
            """exists (
                   select 1
                   from unnest(cast(:m_channels as text[]), cast(:m_names as text[])) as m (channel, name)
                   where m.name = e.details ->> 'lookup_name' and m.channel in (e.channel, '*')
               )""",
            {"m_channels": [m[0] for m in rows], "m_names": [m[1] for m in rows]},
        )
        target = {
            "carrier_code": carrier_code,
            "scope": scope,
            "mappings": [{"channel": c, "platform_carrier_name": n} for c, n in rows],
        }
        return _record_fix(conn, user, "unknown_carrier", "map_carrier", target, chosen, covered, len(rows))


def map_status(user: dict[str, Any], exception_keys: Any, status: str) -> FixResult:
    """Map the channel statuses of unmapped-status exceptions to a canonical status
    (app.status_mappings, per channel)."""
    tenant = user["tenant_id"]
    status = (status or "").strip()
    errors = [] if status else ["choose a canonical status to map to"]
    if status == "exception":
        errors.append("'exception' is what an unmapped status already is: choose the status the order is in")
    with _fix_transaction(tenant, exception_keys, "unmapped_status", errors) as (conn, chosen):
        if (
            status
            and status != "exception"
            and not conn.execute(
                text("select exists (select 1 from reference.canonical_statuses where status = :status)"),
                {"status": status},
            ).scalar_one()
        ):
            errors.append(f"{status!r} is not a canonical status")
        silent = [_order_label(r) for r in chosen if (r["details"] or {}).get("platform_status") is None]
        if silent:
            errors.append(
                f"the channel sent no status for order {', '.join(silent[:5])}: there is nothing to map "
                "(download the order again)"
            )
        if errors:
            raise FixError(errors)
        rows = sorted({(r["channel"], r["details"]["platform_status"]) for r in chosen})
        _insert_rows(
            conn,
            user,
            """insert into app.status_mappings
                   (tenant_id, channel, platform_status, status, created_by)
               values (:tenant, :channel, :platform_status, :status, :email)""",
            [{"channel": c, "platform_status": p, "status": status} for c, p in rows],
        )
        covered = _covered(
            conn,
            tenant,
            "unmapped_status",
            """exists (
                   select 1
                   from unnest(cast(:m_channels as text[]), cast(:m_statuses as text[]))
                       as m (channel, platform_status)
                   where m.channel = e.channel and m.platform_status = e.details ->> 'platform_status'
               )""",
            {"m_channels": [m[0] for m in rows], "m_statuses": [m[1] for m in rows]},
        )
        target = {
            "status": status,
            "mappings": [{"channel": c, "platform_status": s} for c, s in rows],
        }
        return _record_fix(conn, user, "unmapped_status", "map_status", target, chosen, covered, len(rows))


def _region(conn: Any, region_code: str) -> dict[str, Any] | None:
    if not conn.execute(text("select to_regclass('reference.regions') is not null")).scalar_one():
        raise FixError(["the region table (reference.regions) is not built yet: run the pipeline first"])
    row = (
        conn.execute(
            text(
                """select region_code, country_code, level, name_en
                   from reference.regions where region_code = :code"""
            ),
            {"code": region_code},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _country(details: Any) -> str:
    """The order's ship country as ISO alpha-2 (the region lookups run within it), or ''."""
    value = str((details or {}).get("ship_country") or "").strip()
    return value if re.fullmatch(r"[A-Z]{2}", value) else ""


def _one_country(chosen: list[dict[str, Any]], errors: list[str]) -> str | None:
    countries = sorted({_country(r["details"]) for r in chosen})
    if "" in countries:
        unknown = [_order_label(r) for r in chosen if not _country(r["details"])]
        errors.append(f"order {', '.join(unknown[:5])} has no known ship country: correct it on the platform")
        return None
    if len(countries) > 1:
        errors.append(
            f"the chosen orders ship to several countries ({', '.join(countries)}): fix one country at a time"
        )
        return None
    return countries[0]


def _place_alias(details: Any) -> str | None:
    """The lookup form of the place text that failed to match (the form aliases are stored in)."""
    from ingestion.reference.normalise import normalise_place

    details = details or {}
    return details.get("candidate_alias") or normalise_place(details.get("candidate_text"))


def _level(details: Any) -> int | None:
    try:
        return int((details or {}).get("candidate_level"))
    except (TypeError, ValueError):
        return None


# The region levels an alias for a place text of a level may point to: a city field may name a
# district (the order's city is then the district's parent), as the matching reads it.
ALIAS_LEVELS = {1: (1,), 2: (2, 3), 3: (3,)}


def add_region_alias(user: dict[str, Any], exception_keys: Any, region_code: str) -> FixResult:
    """Teach the place names of unresolved-address exceptions, in their lookup form, as aliases of
    a region of the same country and level (app.region_aliases): every order of the country that
    writes them resolves on the next run."""
    tenant = user["tenant_id"]
    region_code = (region_code or "").strip()
    errors = [] if region_code else ["choose the region the place name means"]
    with _fix_transaction(tenant, exception_keys, "unresolved_address", errors) as (conn, chosen):
        country = _one_country(chosen, errors)
        aliases: set[str] = set()
        for r in chosen:
            alias = _place_alias(r["details"])
            if alias:
                aliases.add(alias)
            else:
                errors.append(
                    f"order {_order_label(r)} has no place name to teach "
                    f"({(r['details'] or {}).get('address_issue') or 'no text'}): correct its address instead"
                )
        levels = sorted({lv for r in chosen if (lv := _level(r["details"])) is not None})
        if len(levels) > 1:
            names = ", ".join(LEVEL_NAMES.get(lv, str(lv)) for lv in levels)
            errors.append(f"the chosen place names are of different levels ({names}): one level at a time")
        region = _region(conn, region_code) if region_code else None
        if region_code and region is None:
            errors.append(f"region {region_code!r} is not in the region table")
        if region is not None and country and region["country_code"] != country:
            errors.append(
                f"region {region_code} ({region['name_en']}) is in {region['country_code']}, but the orders "
                f"ship to {country}: choose a region of {country}"
            )
        if region is not None and len(levels) == 1 and region["level"] not in ALIAS_LEVELS.get(levels[0], ()):
            wanted = " or ".join(LEVEL_NAMES[lv] for lv in ALIAS_LEVELS.get(levels[0], ()))
            errors.append(
                f"the place name is a {LEVEL_NAMES.get(levels[0], levels[0])} name, but {region_code} "
                f"({region['name_en']}) is a {LEVEL_NAMES.get(region['level'], region['level'])}: "
                f"choose a {wanted}"
            )
        if errors:
            raise FixError(errors)
        _insert_rows(
            conn,
            user,
            """insert into app.region_aliases
                   (tenant_id, country_code, alias, region_code, created_by)
               values (:tenant, :country, :alias, :region, :email)""",
            [{"country": country, "alias": alias, "region": region_code} for alias in sorted(aliases)],
        )
        level = levels[0] if levels else None
        # Every open exception of the country at that level whose text has one of these lookup
        # forms (the normalisation runs here, in its Python twin).
        candidates = _covered(
            conn,
            tenant,
            "unresolved_address",
            """e.details ->> 'ship_country' = :country
               and e.details ->> 'candidate_level' = cast(:level as text)""",
            {"country": country, "level": level},
        )
        covered = [row for row in candidates if _place_alias(row[2]) in aliases]
        target = {
            "region_code": region_code,
            "country_code": country,
            "level": level,
            "aliases": sorted(aliases),
        }
        return _record_fix(
            conn, user, "unresolved_address", "add_region_alias", target, chosen, covered, len(aliases)
        )


def correct_address(
    user: dict[str, Any], exception_keys: Any, region_code: str, postal_code: str | None = None
) -> FixResult:
    """Correct the address of the orders of unresolved-address exceptions: the region they go to
    (a province, city or district of their country) and optionally the postal code
    (app.address_corrections, one row per order)."""
    tenant = user["tenant_id"]
    region_code = (region_code or "").strip()
    postal = (postal_code or "").strip() or None
    errors = [] if region_code else ["choose the region the order goes to"]
    with _fix_transaction(tenant, exception_keys, "unresolved_address", errors) as (conn, chosen):
        country = _one_country(chosen, errors)
        region = _region(conn, region_code) if region_code else None
        if region_code and region is None:
            errors.append(f"region {region_code!r} is not in the region table")
        if region is not None and country and region["country_code"] != country:
            errors.append(
                f"region {region_code} ({region['name_en']}) is in {region['country_code']}, but the order "
                f"ships to {country}: choose a region of {country}"
            )
        if region is not None and region["level"] < 1:
            errors.append("choose at least a province: a country alone does not place an order")
        if country:
            errors.extend(_postal_code_errors(conn, country, postal))
        if errors:
            raise FixError(errors)
        orders = list(dict.fromkeys(r["order_key"] for r in chosen))
        _insert_rows(
            conn,
            user,
            """insert into app.address_corrections (tenant_id, order_key, region_code, postal_code,
                                                    note, created_by)
               values (:tenant, :order_key, :region, :postal, 'exception queue', :email)""",
            [{"order_key": order_key, "region": region_code, "postal": postal} for order_key in orders],
        )
        covered = _covered(
            conn, tenant, "unresolved_address", "e.order_key = any(:orders)", {"orders": orders}
        )
        target = {"region_code": region_code, "postal_code": postal, "orders": len(orders)}
        return _record_fix(
            conn, user, "unresolved_address", "correct_address", target, chosen, covered, len(orders)
        )


def _postal_code_errors(conn: Any, country: str, postal: str | None) -> list[str]:
    """Whether ``postal`` suits the country (reference.region_countries); no table, no check."""
    if not conn.execute(text("select to_regclass('reference.region_countries') is not null")).scalar_one():
        return []
    rule = (
        conn.execute(
            text(
                """select postal_code_pattern, postal_code_required
                   from reference.region_countries where country_code = :country"""
            ),
            {"country": country},
        )
        .mappings()
        .first()
    )
    if rule is None:
        return []
    pattern = (rule["postal_code_pattern"] or "").strip()
    required = str(rule["postal_code_required"]).lower() in ("true", "t", "1")
    if postal is None:
        return [f"a postal code is required in {country}"] if required else []
    if not pattern:
        return [f"{country} has no postal codes: leave the postal code empty"]
    matches = conn.execute(
        text("select cast(:postal as text) ~ ('^(?:' || cast(:pattern as text) || ')$')"),
        {"postal": postal, "pattern": pattern},
    ).scalar_one()
    return [] if matches else [f"{postal!r} is not a postal code of {country}"]


# A rate for {currency} added since exception e's queue was built that covers e's date.
_RATE_ADDED_SINCE_BUILD = """r.tenant_id = e.tenant_id
    and r.currency = {currency}
    and r.created_at > e.built_at
    and r.valid_from <= cast(e.details ->> 'fx_date' as date)"""


def add_fx_rate(
    user: dict[str, Any], exception_keys: Any, currency: str, valid_from: Any, rate_to_usd: Any
) -> FixResult:
    """Add a date-effective FX rate (US dollars per unit of ``currency`` from ``valid_from`` on,
    app.fx_rates) for missing-rate exceptions."""
    from datetime import date, datetime
    from decimal import Decimal, InvalidOperation

    tenant = user["tenant_id"]
    currency = (currency or "").strip().upper()
    errors: list[str] = []
    if not _CURRENCY.fullmatch(currency):
        errors.append("the currency must be a 3-letter ISO 4217 code, like GBP")
    if isinstance(valid_from, datetime):
        valid_from = valid_from.date()
    if not isinstance(valid_from, date):
        try:
            valid_from = date.fromisoformat(str(valid_from or "").strip())
        except ValueError:
            errors.append("'valid from' must be a date (YYYY-MM-DD)")
            valid_from = None
    try:
        rate = Decimal(str(rate_to_usd).strip())
        if not rate.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        rate = None
        errors.append("the rate must be a number (US dollars per unit of the currency)")
    if rate is not None and rate <= 0:
        errors.append("the rate must be more than 0: a missing rate is never zero")
    elif rate is not None and rate >= _MAX_RATE:
        errors.append(f"the rate must be less than {_MAX_RATE:,} US dollars per unit")
    with _fix_transaction(tenant, exception_keys, "missing_fx_rate", errors) as (conn, chosen):
        missing = {c for r in chosen for c in (r["details"] or {}).get("missing_rates") or []}
        if currency and _CURRENCY.fullmatch(currency) and currency not in missing:
            errors.append(
                f"none of the chosen orders misses a {currency} rate (they miss: "
                f"{', '.join(sorted(missing)) or 'nothing'})"
            )
        if not errors:
            for row in conn.execute(
                text(
                    f"""select e.platform_order_name, r.created_by, r.created_at
                        from marts.fct_order_exceptions as e
                        cross join lateral (
                            select r.created_by, r.created_at from app.fx_rates as r
                            where {_RATE_ADDED_SINCE_BUILD.format(currency=":currency")}
                            order by r.created_at desc
                            limit 1
                        ) as r
                        where e.tenant_id = :tenant and e.exception_key = any(:keys)
                        order by r.created_at desc"""
                ),
                {"tenant": tenant, "keys": [r["exception_key"] for r in chosen], "currency": currency},
            ).all()[:1]:
                errors.append(
                    f"a {currency} rate for these dates was already added by {row[1]} at "
                    f"{row[2]:%Y-%m-%d %H:%M:%S} UTC and waits for the next run: refresh the page"
                )
        if errors:
            raise FixError(errors)
        _insert_rows(
            conn,
            user,
            """insert into app.fx_rates (tenant_id, currency, valid_from, rate_to_usd, created_by)
               values (:tenant, :currency, :valid_from, :rate, :email)""",
            [{"currency": currency, "valid_from": valid_from, "rate": rate}],
        )
        covered = _covered(
            conn,
            tenant,
            "missing_fx_rate",
            # this rate covers the order's date, and with it every missing rate is there
            f"""e.details -> 'missing_rates' @> to_jsonb(cast(:currency as text))
                and cast(e.details ->> 'fx_date' as date) >= :valid_from
                and not exists (
                    select 1
                    from jsonb_array_elements_text(e.details -> 'missing_rates') as c (currency)
                    where not exists (
                        select 1 from app.fx_rates as r
                        where {_RATE_ADDED_SINCE_BUILD.format(currency="c.currency")}
                    )
                )""",
            {"currency": currency, "valid_from": valid_from},
        )
        if not covered:
            first = min(str((r["details"] or {}).get("fx_date") or "") for r in chosen)
            raise FixError(
                [
                    f"a rate valid from {valid_from} covers none of the chosen orders "
                    f"(their dates start {first})"
                ]
            )
        target = {"currency": currency, "valid_from": str(valid_from), "rate_to_usd": str(rate)}
        return _record_fix(conn, user, "missing_fx_rate", "add_fx_rate", target, chosen, covered, 1)

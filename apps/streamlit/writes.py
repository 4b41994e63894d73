"""Every write the app makes, all into ``app.*``, each in the signed-in user's tenant transaction.

Row-level security's ``with check`` refuses a row for any other tenant, so a write cannot leak
across tenants even if a caller passed the wrong one.
"""

from __future__ import annotations

import json
import re
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

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

"""Every write the app makes, all into ``app.*``, each in the signed-in user's tenant transaction.

Row-level security's ``with check`` refuses a row for any other tenant, so a write cannot leak
across tenants even if a caller passed the wrong one.
"""

from __future__ import annotations

import json
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

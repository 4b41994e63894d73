"""App users: argon2 password hashes, creation by an operator, and sign-in.

Creating users is an operator's act (the ``oms users add`` command, ``make up``): it uses the owner
connection and writes an audit row. Sign-in runs as the app's least-privileged role, which cannot
read ``app.users`` before it knows the tenant; it asks the security-definer function
``app.user_for_login(email)`` for the one row instead.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg2
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from warehouse import db, settings

ROLES: tuple[str, ...] = ("reviewer", "ops", "finance", "admin")

_hasher = PasswordHasher()
# Verified against when the email is unknown, so an unknown user costs the same as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches the argon2 ``password_hash``; False on mismatch or a bad hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def add_user(
    email: str,
    password: str,
    role: str,
    tenant_id: str,
    display_name: str,
    created_by: str = "system",
) -> dict[str, Any]:
    """Create the user, or update the one with this email (role, name, password; re-activated).

    Creates the tenant row if missing. A user cannot be moved to another tenant this way: that
    would hand one seller's login to another, so it is refused.
    """
    email = normalise_email(email)
    if not email or "@" not in email:
        raise ValueError(f"not an email address: {email!r}")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if not password:
        raise ValueError("password must not be empty")
    if not tenant_id or not tenant_id.strip():
        raise ValueError("tenant_id must not be empty")
    tenant_id = tenant_id.strip()
    display_name = (display_name or email.split("@")[0]).strip()
    password_hash = hash_password(password)

    with db.transaction() as cur:
        cur.execute(
            "insert into app.tenants (tenant_id, name) values (%s, %s) on conflict (tenant_id) do nothing",
            (tenant_id, tenant_id),
        )
        cur.execute("select tenant_id from app.users where email = %s for update", (email,))
        existing = cur.fetchone()
        if existing is not None and existing[0] != tenant_id:
            raise ValueError(f"user {email} belongs to tenant {existing[0]!r}, not {tenant_id!r}")
        cur.execute(
            """insert into app.users (tenant_id, email, display_name, role, password_hash, is_active,
                                      created_by)
               values (%s, %s, %s, %s, %s, true, %s)
               on conflict (email) do update
                  set display_name = excluded.display_name,
                      role = excluded.role,
                      password_hash = excluded.password_hash,
                      is_active = true
               returning user_id, tenant_id, email, display_name, role, is_active, created_at,
                         (xmax = 0) as inserted""",
            (tenant_id, email, display_name, role, password_hash, created_by),
        )
        row = cur.fetchone()
        columns = [c.name for c in cur.description]
        user = dict(zip(columns, row, strict=True))
        inserted = user.pop("inserted")
        cur.execute(
            """insert into app.audit_log (tenant_id, user_email, action, entity, entity_key, details)
               values (%s, %s, %s, 'user', %s, %s::jsonb)""",
            (
                tenant_id,
                created_by,
                "user.created" if inserted else "user.updated",
                email,
                json.dumps({"role": role, "display_name": display_name}),
            ),
        )
    return user


def set_user_active(email: str, is_active: bool, changed_by: str = "system") -> bool:
    """Activate or deactivate a user (owner connection, audited). False when there is no such user."""
    email = normalise_email(email)
    with db.transaction() as cur:
        cur.execute(
            "update app.users set is_active = %s where email = %s returning tenant_id",
            (is_active, email),
        )
        row = cur.fetchone()
        if row is None:
            return False
        cur.execute(
            """insert into app.audit_log (tenant_id, user_email, action, entity, entity_key, details)
               values (%s, %s, %s, 'user', %s, '{}'::jsonb)""",
            (row[0], changed_by, "user.activated" if is_active else "user.deactivated", email),
        )
    return True


def authenticate(email: str, password: str) -> dict[str, Any] | None:
    """The signed-in user (user_id, tenant_id, email, display_name, role), or None.

    None for an unknown email, a wrong password and an inactive user alike, so a caller cannot
    tell which (and should not tell the person signing in).
    """
    email = normalise_email(email)
    if not email or not password:
        return None
    conn = psycopg2.connect(settings.app_database_url(), application_name="oms-app-login")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                """select user_id, tenant_id, email, display_name, role, password_hash, is_active
                   from app.user_for_login(%s)""",
                (email,),
            )
            row = cur.fetchone()
            columns = [c.name for c in cur.description]
    finally:
        conn.close()
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    record = dict(zip(columns, row, strict=True))
    if not verify_password(record.pop("password_hash"), password):
        return None
    if not record.pop("is_active"):
        return None
    return record

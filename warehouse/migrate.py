"""Idempotent migrations: every file in migrations/ is applied once, in name order, under a lock.

The files themselves are also written to be re-runnable (``if not exists``), so a ledger lost
with a restored database does no harm.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from psycopg2 import sql

from warehouse import db, settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x0A5_0001


def migration_files() -> list[Path]:
    return sorted(MIGRATIONS_DIR.glob("*.sql"))


def migrate(url: str | None = None) -> list[str]:
    """Apply pending migrations; return the names applied. Always (re)sets the app role's password."""
    applied: list[str] = []
    conn = db.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            cur.execute(
                """create table if not exists public.oms_migrations (
                       name text primary key, sha256 text not null,
                       applied_at timestamptz not null default now())"""
            )
            cur.execute("select name from public.oms_migrations")
            done = {r[0] for r in cur.fetchall()}
            for path in migration_files():
                if path.name in done:
                    continue
                text = path.read_text()
                cur.execute(text)
                cur.execute(
                    "insert into public.oms_migrations (name, sha256) values (%s, %s)",
                    (path.name, hashlib.sha256(text.encode()).hexdigest()),
                )
                applied.append(path.name)
            cur.execute(
                sql.SQL("alter role {} with login password %s").format(sql.Identifier(settings.APP_ROLE)),
                (settings.app_db_password(),),
            )
    finally:
        conn.close()
    return applied

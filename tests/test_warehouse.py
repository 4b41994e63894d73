"""The warehouse: migrations are idempotent, and the app role is least-privileged."""

import psycopg2
import pytest

from warehouse import migrate, settings


def test_migrations_are_idempotent(pg):
    assert migrate.migrate() == []
    with psycopg2.connect(pg) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from public.oms_migrations")
        assert cur.fetchone()[0] == len(migrate.migration_files())
        cur.execute(
            "select nspname from pg_namespace where nspname in "
            "('raw','app','reference','staging','intermediate','marts','quality')"
        )
        assert len(cur.fetchall()) == 7


def test_app_role_cannot_read_raw_or_write_marts(pg):
    conn = psycopg2.connect(settings.app_database_url())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for stmt in (
                "select 1 from raw.batches",
                "select 1 from staging.nothing",
                "create table marts.x (a int)",
            ):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cur.execute(stmt)
            cur.execute("select * from app.user_for_login('nobody@example.com')")
            assert cur.fetchall() == []
    finally:
        conn.close()

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


def test_oms_db_owns_the_embedded_server(tmp_path):
    """`oms db start|status|url|stop`, in a private OMS_HOME, without OMS_DATABASE_URL."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    oms = str(Path(sys.executable).parent / "oms")
    env = {k: v for k, v in os.environ.items() if k not in ("OMS_DATABASE_URL", "OMS_APP_DATABASE_URL")}
    env["OMS_HOME"] = str(tmp_path / "home")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([oms, "db", *args], env=env, capture_output=True, text=True, timeout=120)

    assert run("status").returncode == 3
    started = run("start")
    assert started.returncode == 0, started.stderr
    assert "migrations applied" in started.stdout
    assert run("status").returncode == 0
    url = run("url").stdout.strip()
    app_url = run("url", "--app").stdout.strip()
    assert url.startswith("postgresql://postgres:") and "@127.0.0.1:" in url
    assert app_url.startswith("postgresql://oms_app:")
    with psycopg2.connect(app_url) as conn, conn.cursor() as cur:
        cur.execute("select current_user")
        assert cur.fetchone()[0] == "oms_app"
    conn.close()
    assert "stopped" in run("stop").stdout
    assert run("status").returncode == 3

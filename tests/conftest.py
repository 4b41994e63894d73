"""Test session: one real embedded Postgres, owned by this session, in a private OMS_HOME.

Everything a test starts (the ``oms`` command, dbt, Dagster, the app) reads the database from the
environment set here, exactly as in production; nothing is mocked. Each test session gets its own
data directory, port and dbt target folder, so sessions can run side by side.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="oms-test-"))


def pytest_configure(config: pytest.Config) -> None:
    # Set before any project module reads the environment.
    os.environ["OMS_HOME"] = str(_SESSION_HOME)
    os.environ.pop("OMS_DATABASE_URL", None)
    os.environ.pop("OMS_APP_DATABASE_URL", None)
    os.environ["DBT_TARGET_PATH"] = str(_SESSION_HOME / "dbt_target")
    os.environ["DBT_LOG_PATH"] = str(_SESSION_HOME / "dbt_logs")
    os.environ["DAGSTER_HOME"] = str(_SESSION_HOME / "dagster_home")
    (_SESSION_HOME / "dagster_home").mkdir(parents=True, exist_ok=True)
    (_SESSION_HOME / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    os.environ["OMS_PG_PORT"] = "0"  # any free port: sessions may run side by side
    os.environ["OMS_LANDING_DIR"] = str(_SESSION_HOME / "landing")
    os.environ["XDG_RUNTIME_DIR"] = str(_SESSION_HOME / "run")
    (_SESSION_HOME / "run").mkdir(mode=0o700, exist_ok=True)


@pytest.fixture(scope="session")
def pg() -> str:
    """Start the session's embedded Postgres, migrate, export its URL; stop it at the end."""
    from warehouse import embedded, migrate, settings

    state = embedded.start()
    os.environ["OMS_DATABASE_URL"] = state["url"]
    migrate.migrate()
    os.environ["OMS_APP_DATABASE_URL"] = settings.app_database_url()
    os.environ.update(settings.dbt_env(state["url"]))
    yield state["url"]
    embedded.stop()


def pytest_unconfigure(config: pytest.Config) -> None:
    try:
        from warehouse import embedded

        embedded.stop(_SESSION_HOME)
    finally:
        shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture
def db(pg: str):
    """A psycopg2 connection (autocommit) to the session database."""
    import psycopg2

    conn = psycopg2.connect(pg)
    conn.autocommit = True
    yield conn
    conn.close()


def reset_raw(conn) -> None:
    """Empty raw and app tables (keep schemas and migrations)."""
    with conn.cursor() as cur:
        cur.execute(
            """select format('%I.%I', schemaname, tablename) from pg_tables
               where schemaname in ('raw', 'app', 'quality')"""
        )
        tables = [r[0] for r in cur.fetchall()]
        if tables:
            cur.execute("truncate " + ", ".join(tables) + " restart identity cascade")


@pytest.fixture
def clean_db(db):
    """The session database with raw, app and quality tables emptied before the test."""
    reset_raw(db)
    return db

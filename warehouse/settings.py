"""Where the warehouse is, and how every process (pipeline, app, tests, dbt) reaches it.

One rule: ``OMS_DATABASE_URL`` names the Postgres to use (an owner role that runs migrations and
dbt). Without it, the embedded Postgres under ``$OMS_HOME/pg`` is used; its URL is read from the
state file that ``oms db start`` writes. Processes other than the owner never start the server.

The app connects as the least-privileged role ``oms_app``: ``OMS_APP_DATABASE_URL`` if set, else
the owner URL with that role's name and password (``OMS_APP_DB_PASSWORD`` or a password generated
once into ``$OMS_HOME/app_db_password``).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
APP_ROLE = "oms_app"


class DatabaseNotConfigured(RuntimeError):
    """Neither OMS_DATABASE_URL nor a running embedded Postgres."""


def oms_home() -> Path:
    home = Path(os.environ.get("OMS_HOME", PROJECT_ROOT / ".oms"))
    home.mkdir(parents=True, exist_ok=True)
    return home


def landing_dir() -> Path:
    """Landing folders: ``<tenant>/<source>/<store>/*.json`` (OMS_LANDING_DIR, else $OMS_HOME/landing)."""
    return Path(os.environ.get("OMS_LANDING_DIR", oms_home() / "landing"))


def dagster_home() -> Path:
    """DAGSTER_HOME (run history, schedules, sensors), else $OMS_HOME/dagster_home; telemetry off."""
    home = Path(os.environ.get("DAGSTER_HOME", oms_home() / "dagster_home"))
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text("telemetry:\n  enabled: false\n")
    return home


def embedded_state_file() -> Path:
    return oms_home() / "pg.json"


def read_embedded_state() -> dict | None:
    path = embedded_state_file()
    if not path.exists():
        return None
    return json.loads(path.read_text())


def database_url() -> str:
    """The owner URL: OMS_DATABASE_URL, else the running embedded server's."""
    url = os.environ.get("OMS_DATABASE_URL")
    if url:
        return url
    state = read_embedded_state()
    if state is None:
        raise DatabaseNotConfigured(
            "No database: set OMS_DATABASE_URL or start the embedded one with `oms db start`."
        )
    return state["url"]


def app_db_password() -> str:
    pw = os.environ.get("OMS_APP_DB_PASSWORD")
    if pw:
        return pw
    path = oms_home() / "app_db_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def app_database_url() -> str:
    """URL for the app's least-privileged role."""
    url = os.environ.get("OMS_APP_DATABASE_URL")
    if url:
        return url
    return with_credentials(database_url(), APP_ROLE, app_db_password())


def with_credentials(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def url_parts(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": str(parts.port or 5432),
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "dbname": (parts.path or "/postgres").lstrip("/") or "postgres",
    }


def sqlalchemy_url(url: str) -> str:
    """SQLAlchemy wants a driver in the scheme."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def dbt_env(url: str | None = None) -> dict[str, str]:
    """Environment variables the dbt profile reads (profiles.yml in dbt_project/).

    Keep these identical for the CLI, Dagster and tests: a change forces a full dbt re-parse.
    """
    p = url_parts(url or database_url())
    return {
        "OMS_DB_HOST": p["host"],
        "OMS_DB_PORT": p["port"],
        "OMS_DB_USER": p["user"],
        "OMS_DB_PASSWORD": p["password"],
        "OMS_DB_NAME": p["dbname"],
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }

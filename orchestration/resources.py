"""Typed resources: where the warehouse and the landing folders are, and how dbt is invoked.

Every value defaults to what the environment says (warehouse.settings), so the same definitions
run under ``oms run``, ``dagster dev`` and the tests without configuration; a deployment can still
set them explicitly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from warehouse import settings


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse's owner connection (OMS_DATABASE_URL, else the running embedded Postgres)."""

    database_url: str | None = None

    def url(self) -> str:
        return self.database_url or settings.database_url()

    def dbt_env(self) -> dict[str, str]:
        """The variables the dbt profile reads, for this warehouse."""
        return settings.dbt_env(self.url())


class LandingResource(dg.ConfigurableResource):
    """The landing folders: ``<dir>/<tenant>/<source>/<store_id>/*.json``."""

    landing_dir: str | None = None

    def path(self) -> Path:
        return landing_dir(self.landing_dir)


def landing_dir(explicit: str | None = None) -> Path:
    """OMS_LANDING_DIR, else ``$OMS_HOME/landing``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("OMS_LANDING_DIR")
    return Path(env) if env else settings.oms_home() / "landing"


def dbt_executable() -> str:
    """The venv's dbt, beside the interpreter running us (DbtCliResource insists on a real path)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())

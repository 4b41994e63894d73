"""The code location: ingestion assets, dbt assets, quality checks, the job, schedule and sensors.

Load with ``dagster dev`` / ``dagster definitions validate`` (``[tool.dagster]`` names this module,
or ``-m orchestration.definitions``, or ``-w workspace.yaml``).
"""

from __future__ import annotations

import dagster as dg

from orchestration.dbt_assets import dbt_models, dbt_project
from orchestration.downloads import download_jobs, download_sensors
from orchestration.ingestion_assets import ingestion_assets
from orchestration.jobs import everything_job
from orchestration.quality import quality_checks
from orchestration.resources import LandingResource, WarehouseResource, dbt_resource
from orchestration.schedules import schedules
from orchestration.sensors import sensors

defs = dg.Definitions(
    assets=[*ingestion_assets, dbt_models],
    asset_checks=quality_checks,
    jobs=[everything_job, *download_jobs],
    schedules=schedules,
    sensors=[*sensors, *download_sensors],
    resources={
        "warehouse": WarehouseResource(),
        "landing": LandingResource(),
        "dbt": dbt_resource(dbt_project),
    },
)

"""The job that runs everything: ingestion, then ``dbt build``, then the checks."""

from __future__ import annotations

import dagster as dg

EVERYTHING = "everything"

# In process: the multiprocess executor re-imports the code location for every step, which costs
# more than the steps themselves at this size (STACK.md).
everything_job = dg.define_asset_job(
    EVERYTHING,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Land the landing folders, build the dbt project, run the quality checks.",
    tags={"oms/pipeline": EVERYTHING},
)


def in_progress_runs(instance: dg.DagsterInstance, job_name: str = EVERYTHING) -> list[str]:
    """Run ids of this job that are queued or running (a tick starts no second one)."""
    from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES

    runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name, statuses=IN_PROGRESS_RUN_STATUSES))
    return [r.run_id for r in runs]

"""Sensors: files dropped into the landing folders start a run; so does a fix made in the app's
exception queue; every finished run is recorded.

The landing sensor's run key is a digest of the pending files' names, sizes and mtimes, so the
same set of files never starts two runs, while a new or rewritten file does. Landed files move
to ``_done/`` and stop being pending.
"""

import hashlib
from pathlib import Path

import dagster as dg

from orchestration.jobs import everything_job, in_progress_runs
from orchestration.resources import LandingResource


def pending_files(landing_dir: Path) -> list[Path]:
    """Files waiting in ``<landing>/<tenant>/<source>/<store_id>/``, as the importer sees them."""
    from ingestion.importer import pending_files as importer_pending_files

    return [path for _tenant, _source, _store, path in importer_pending_files(landing_dir)]


def files_run_key(landing_dir: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:  # landed and moved to _done/ meanwhile
            continue
        digest.update(f"{path.relative_to(landing_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return f"landing-{digest.hexdigest()[:24]}"


@dg.sensor(
    job=everything_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts `everything` when files appear or change in the landing folders.",
)
def landing_files(
    context: dg.SensorEvaluationContext, landing: LandingResource
) -> dg.RunRequest | dg.SkipReason:
    root = landing.path()
    files = pending_files(root)
    if not files:
        return dg.SkipReason(f"no pending files under {root}")
    busy = in_progress_runs(context.instance)
    if busy:
        # No run key is spent: the next tick asks again once the run is done (it may land them).
        return dg.SkipReason(f"{len(files)} pending files; `everything` is running ({busy[0]})")
    return dg.RunRequest(
        run_key=files_run_key(root, files),
        tags={"oms/trigger": "sensor", "oms/pending_files": str(len(files))},
    )


def latest_fix_id(url: str | None = None) -> int:
    """The newest row of app.exception_fixes (0 when there is none)."""
    from warehouse import db

    with db.transaction(url) as cur:
        cur.execute("select coalesce(max(fix_id), 0) from app.exception_fixes")
        return int(cur.fetchone()[0])


@dg.sensor(
    job=everything_job,
    minimum_interval_seconds=20,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Starts `everything` when a reviewer fixes exceptions in the app (a new row in "
        "app.exception_fixes), so the fixed orders move on within about a minute."
    ),
)
def conversion_fixes(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    latest = latest_fix_id()
    seen = int(context.cursor or 0)
    if latest <= seen:
        return dg.SkipReason(f"no fix since #{seen}")
    busy = in_progress_runs(context.instance)
    if busy:
        # The cursor stays: a run already going may have started before the fix, so the fix
        # gets its own run once that one is done.
        return dg.SkipReason(f"fixes up to #{latest} wait for the running `everything` ({busy[0]})")
    context.update_cursor(str(latest))
    return dg.RunRequest(
        run_key=f"fixes-{latest}",
        tags={"oms/trigger": "exception fix", "oms/fix_id": str(latest)},
    )


def _record(context: dg.RunStatusSensorContext) -> None:
    from orchestration.pipeline import record_finished_run

    record_finished_run(context.instance, context.dagster_run)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[everything_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records each finished `everything` run in quality.pipeline_runs.",
)
def record_run_success(context: dg.RunStatusSensorContext) -> None:
    _record(context)


@dg.run_failure_sensor(
    monitored_jobs=[everything_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records each failed `everything` run in quality.pipeline_runs.",
)
def record_run_failure(context: dg.RunFailureSensorContext) -> None:
    _record(context)


sensors = [landing_files, conversion_fixes, record_run_success, record_run_failure]

"""Run the whole pipeline once, in this process, and keep a record of it in ``quality.pipeline_runs``.

``run_once`` is what ``oms run`` (and the tests) call: it executes the ``everything`` job with the
in-process executor on the Dagster instance of ``DAGSTER_HOME`` (else an ephemeral one), so the
run also shows in Dagster's UI. Runs the daemon starts (schedule, sensor, UI) are recorded by the
run-status sensors through ``record_finished_run``; both build the summary from the run's event
log with ``summarize``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import traceback
from pathlib import Path
from typing import Any

import dagster as dg
import orjson
from dagster._core.events import DagsterEventType

from warehouse import db, settings

# dagster-dbt names each invocation's target folder "<op>-<run id[:7]>-<uuid[:7]>".
_DBT_RUN_FOLDER = re.compile(r"^[A-Za-z0-9_]+-[0-9a-f]{7}-[0-9a-f]{7}$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
KEEP_DBT_RUN_FOLDERS = 5


# --- the record ---------------------------------------------------------------------------------


def _record_start(run_id: str, trigger: str, url: str) -> None:
    with db.transaction(url) as cur:
        cur.execute(
            "insert into quality.pipeline_runs (run_id, trigger, status) values (%s, %s, 'running')",
            (run_id, trigger),
        )


def _record_finish(run_id: str, status: str, summary: dict[str, Any], error: str | None, url: str) -> None:
    with db.transaction(url) as cur:
        cur.execute(
            """update quality.pipeline_runs
               set status = %s, finished_at = clock_timestamp(), summary = %s::jsonb, error = %s
               where run_id = %s""",
            (status, orjson.dumps(summary, default=str).decode(), error, run_id),
        )


def trigger_of(run: dg.DagsterRun) -> str:
    tags = run.tags
    if tags.get("oms/trigger"):
        return tags["oms/trigger"]
    if tags.get("dagster/schedule_name"):
        return "schedule"
    if tags.get("dagster/sensor_name"):
        return "sensor"
    return "dagster job"


def record_finished_run(instance: dg.DagsterInstance, run: dg.DagsterRun, url: str | None = None) -> None:
    """Record a run that Dagster finished (for runs not started by ``run_once``, which records its own)."""
    summary = summarize(instance, run.run_id)
    stats = instance.get_run_stats(run.run_id)
    status = "success" if run.status == dg.DagsterRunStatus.SUCCESS and not summary["errors"] else "failure"
    if stats.start_time and stats.end_time:
        summary["duration_s"] = round(stats.end_time - stats.start_time, 1)
    with db.transaction(url) as cur:
        cur.execute(
            """insert into quality.pipeline_runs
                   (run_id, trigger, status, started_at, finished_at, summary, error)
               values (%s, %s, %s, to_timestamp(%s), to_timestamp(%s), %s::jsonb, %s)
               on conflict (run_id) do nothing""",
            (
                run.run_id,
                trigger_of(run),
                status,
                stats.start_time or time.time(),
                stats.end_time or time.time(),
                orjson.dumps(summary, default=str).decode(),
                "; ".join(summary["errors"]) or None,
            ),
        )


# --- the summary --------------------------------------------------------------------------------


def _metadata_values(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in metadata.items()}


def _error_text(error: Any) -> str:
    """The innermost error's message: Dagster wraps what the step raised in its own exception."""
    if error is None:
        return "unknown error"
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return _ANSI.sub("", error.message or "").strip() or "unknown error"


def summarize(instance: dg.DagsterInstance, run_id: str) -> dict[str, Any]:
    """Counts a person can read, from the run's events: what landed, what dbt did, what the checks said."""
    from orchestration.ingestion_assets import BATCHES_CHECK, INGESTION_KEYS, LOADED_KEYS
    from orchestration.quality import GX_CHECK_NAMES

    summary: dict[str, Any] = {
        "files": 0,
        "batches": 0,
        "fetched": 0,
        "landed": 0,
        "duplicate": 0,
        "rejected": 0,
        "failed_batches": 0,
        "dbt_models": 0,
        "dbt_tests_passed": 0,
        "dbt_tests_failed": 0,
        "dbt_tests_warned": 0,
        "checks_passed": 0,
        "checks_failed": 0,
        "failed_checks": [],
        "failed_steps": [],
        "errors": [],
    }
    own_checks = set(GX_CHECK_NAMES) | {BATCHES_CHECK}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            metadata = _metadata_values(materialization.metadata)
            if materialization.asset_key in INGESTION_KEYS:
                # Batch totals are per source, on one table each (one Amazon batch feeds two tables).
                if materialization.asset_key in LOADED_KEYS and "batches" in metadata:
                    for key in (
                        "files",
                        "batches",
                        "fetched",
                        "landed",
                        "duplicate",
                        "rejected",
                        "failed_batches",
                    ):
                        summary[key] += int(metadata.get(key) or 0)
            else:
                summary["dbt_models"] += 1
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            is_error = evaluation.severity == dg.AssetCheckSeverity.ERROR
            if evaluation.check_name in own_checks:
                summary["checks_passed" if evaluation.passed else "checks_failed"] += 1
            elif evaluation.passed:
                summary["dbt_tests_passed"] += 1
            else:
                summary["dbt_tests_failed" if is_error else "dbt_tests_warned"] += 1
            if not evaluation.passed and is_error:
                summary["failed_checks"].append(name)
                summary["errors"].append(f"check failed: {name}")
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            message = _error_text(event.event_specific_data.error)
            summary["failed_steps"].append({"step": event.step_key, "error": message[:4000]})
            summary["errors"].append(f"step {event.step_key} failed: {message[:500]}")
    return summary


def describe(run_id: str, trigger: str, status: str, summary: dict[str, Any]) -> str:
    lines = [
        f"pipeline run {run_id} ({trigger}): {status}"
        + (f" in {summary['duration_s']} s" if "duration_s" in summary else ""),
        f"  ingestion: {summary.get('files', 0)} files in {summary.get('batches', 0)} batches: "
        f"{summary.get('landed', 0)} landed, {summary.get('duplicate', 0)} duplicate, "
        f"{summary.get('rejected', 0)} rejected, {summary.get('failed_batches', 0)} failed batches",
        f"  dbt: {summary.get('dbt_models', 0)} models built, "
        f"{summary.get('dbt_tests_passed', 0)} tests passed, "
        f"{summary.get('dbt_tests_failed', 0)} failed, {summary.get('dbt_tests_warned', 0)} warned",
        f"  checks: {summary.get('checks_passed', 0)} passed, {summary.get('checks_failed', 0)} failed",
    ]
    lines += [f"  ! {e}" for e in summary.get("errors", [])]
    return "\n".join(lines)


# --- housekeeping -------------------------------------------------------------------------------


def dbt_target_dir() -> Path:
    target = Path(os.environ.get("DBT_TARGET_PATH") or "target")
    return target if target.is_absolute() else settings.DBT_PROJECT_DIR / target


def clean_dbt_run_folders(target: Path | None = None, keep: int = KEEP_DBT_RUN_FOLDERS) -> list[Path]:
    """Delete all but the newest ``keep`` dagster-dbt run folders (~1.3 MB each); return the deleted."""
    target = target or dbt_target_dir()
    if not target.is_dir():
        return []
    folders = [p for p in target.iterdir() if p.is_dir() and _DBT_RUN_FOLDER.match(p.name)]
    folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    removed = folders[keep:]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


# --- the entry point ----------------------------------------------------------------------------


def _instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()


def _run_config(full_refresh: bool) -> dict[str, Any]:
    return {
        "ops": {"dbt_models": {"config": {"full_refresh": full_refresh}}},
        # Step-by-step DEBUG events belong in Dagster's UI, not on the console of `oms run`.
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
    }


def run_once(trigger: str = "cli", full_refresh: bool = False) -> int:
    """Run ingestion, ``dbt build`` and the checks once; 0 when everything succeeded, else 1."""
    from dagster._core.utils import make_new_run_id

    from orchestration.definitions import defs
    from orchestration.jobs import EVERYTHING

    started = time.monotonic()
    url = settings.database_url()
    run_id = make_new_run_id()
    _record_start(run_id, trigger, url)
    summary: dict[str, Any] = {"errors": []}
    error: str | None = None
    try:
        with _instance() as instance:
            result = defs.resolve_job_def(EVERYTHING).execute_in_process(
                run_config=_run_config(full_refresh),
                instance=instance,
                run_id=run_id,
                raise_on_error=False,
                tags={"oms/trigger": trigger},
            )
            summary = summarize(instance, run_id)
            if not result.success and not summary["errors"]:
                summary["errors"].append("the Dagster run failed")
    except Exception:  # recorded, printed and turned into the exit code
        error = traceback.format_exc()
        summary["errors"].append(error.strip().splitlines()[-1])
    finally:
        clean_dbt_run_folders()
    summary["duration_s"] = round(time.monotonic() - started, 1)
    summary["full_refresh"] = full_refresh
    status = "failure" if summary["errors"] else "success"
    _record_finish(run_id, status, summary, error or ("; ".join(summary["errors"]) or None), url)
    print(describe(run_id, trigger, status, summary))
    return 0 if status == "success" else 1

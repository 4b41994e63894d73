"""The Dagster code location loads, validates, and holds what the pipeline relies on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

ROOT = Path(__file__).resolve().parent.parent
DAGSTER = str(Path(sys.executable).parent / "dagster")


@pytest.fixture(scope="module")
def defs(pg):
    from orchestration.definitions import defs

    return defs


def _validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [DAGSTER, "definitions", "validate", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dagster_definitions_validate_by_module(pg):
    proc = _validate("-m", "orchestration.definitions")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation successful" in proc.stdout + proc.stderr


def test_dagster_definitions_validate_by_workspace(pg):
    proc = _validate("-w", str(ROOT / "workspace.yaml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_assets_span_raw_to_marts(defs):
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for key in [
        "raw/shopify_orders",
        "raw/amazon_orders",
        "raw/amazon_order_items",
        "raw/batches",
        "raw/rejects",
        "marts/fct_orders",
        "marts/fct_order_lines",
    ]:
        assert key in keys, f"{key} missing from {sorted(keys)}"


def _reaches_raw(graph) -> bool:
    seen: set[dg.AssetKey] = set()
    frontier = [dg.AssetKey(["marts", "fct_orders"])]
    while frontier:
        key = frontier.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in seen:
                seen.add(parent)
                frontier.append(parent)
    return {dg.AssetKey(["raw", "shopify_orders"]), dg.AssetKey(["raw", "amazon_orders"])} <= seen


def test_fct_orders_lineage_reaches_raw_orders(defs):
    assert _reaches_raw(defs.resolve_asset_graph())


def test_quality_checks_exist_and_run_in_the_job(defs):
    graph = defs.resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    expected = {
        ("raw/shopify_orders", "raw_shopify_orders_suite"),
        ("raw/amazon_orders", "raw_amazon_orders_suite"),
        ("raw/amazon_order_items", "raw_amazon_order_items_suite"),
        ("raw/shopify_orders", "batches_committed"),
        ("raw/amazon_orders", "batches_committed"),
        ("raw/batches", "batch_ledger_reconciles"),
        ("marts/fct_orders", "fct_orders_suite"),
        ("marts/fct_orders", "every_landed_order_once"),
    }
    assert expected <= checks, expected - checks

    job = defs.resolve_job_def("everything")
    job_checks = {
        (c.asset_key.to_user_string(), c.name) for c in job.asset_layer.asset_graph.asset_check_keys
    }
    assert expected <= job_checks, expected - job_checks
    assert {"raw/shopify_orders", "raw/amazon_orders", "marts/fct_orders"} <= {
        k.to_user_string() for k in job.asset_layer.executable_asset_keys
    }


def test_schedule_and_sensors_are_on_by_default(defs):
    schedule = defs.resolve_schedule_def("every_five_minutes")
    assert schedule.cron_schedule == "*/5 * * * *"
    assert schedule.job_name == "everything"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING

    sensor = defs.resolve_sensor_def("landing_files")
    assert sensor.job_name == "everything"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    for name in ("record_run_success", "record_run_failure"):
        assert defs.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING


def test_landing_sensor_requests_a_run_per_new_set_of_files(defs, tmp_path):
    from orchestration.resources import LandingResource
    from orchestration.sensors import landing_files

    landing = LandingResource(landing_dir=str(tmp_path))
    with dg.instance_for_test() as instance:

        def tick():
            return landing_files(dg.build_sensor_context(instance=instance, resources={"landing": landing}))

        assert isinstance(tick(), dg.SkipReason)  # nothing there

        store = tmp_path / "demo" / "shopify" / "shopify-ksa"
        (store / "_done").mkdir(parents=True)
        (store / "_done" / "old.json").write_text("[]")  # already landed: not pending
        (tmp_path / "demo" / "stores.json").write_text("[]")  # registry, not data
        assert isinstance(tick(), dg.SkipReason)

        (store / "orders-1.json").write_text('{"orders": []}')
        first = tick()
        assert isinstance(first, dg.RunRequest)
        assert first.run_key == tick().run_key  # same files, same key: Dagster starts one run

        (store / "orders-2.json").write_text('{"orders": []}')
        second = tick()
        assert isinstance(second, dg.RunRequest) and second.run_key != first.run_key

        (store / "orders-2.json").write_text('{"orders": [ ]}')  # rewritten in place
        assert tick().run_key != second.run_key


def test_schedule_skips_while_a_run_is_in_progress(defs):
    from orchestration.schedules import every_five_minutes

    with dg.instance_for_test() as instance:
        request = every_five_minutes(dg.build_schedule_context(instance=instance))
        assert isinstance(request, dg.RunRequest)

        instance.add_run(
            dg.DagsterRun(job_name="everything", run_id="busy-run", status=dg.DagsterRunStatus.STARTED)
        )
        skipped = every_five_minutes(dg.build_schedule_context(instance=instance))
        assert isinstance(skipped, dg.SkipReason)
        assert "busy-run" in (skipped.skip_message or "")


def test_old_dbt_run_folders_are_cleaned(tmp_path):
    from orchestration.pipeline import clean_dbt_run_folders

    for i in range(8):
        folder = tmp_path / f"dbt_models-abcdef{i}-1234567"
        folder.mkdir()
        os.utime(folder, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "compiled").mkdir()
    (tmp_path / "manifest.json").write_text("{}")

    removed = clean_dbt_run_folders(tmp_path, keep=3)

    assert len(removed) == 5
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [
        "compiled",
        "dbt_models-abcdef5-1234567",
        "dbt_models-abcdef6-1234567",
        "dbt_models-abcdef7-1234567",
        "manifest.json",
    ]


@pytest.mark.parametrize("fails", [False, True])
def test_runs_started_by_dagster_are_recorded_once(db, fails):
    from orchestration.pipeline import record_finished_run

    @dg.op
    def step() -> None:
        if fails:
            raise RuntimeError("the landing folder is unreadable")

    @dg.job(tags={"dagster/schedule_name": "every_five_minutes"})
    def tiny() -> None:
        step()

    with dg.instance_for_test() as instance:
        result = tiny.execute_in_process(instance=instance, raise_on_error=False)
        run = instance.get_run_by_id(result.run_id)
        record_finished_run(instance, run)
        record_finished_run(instance, run)  # a sensor may see a run twice: one row

    with db.cursor() as cur:
        cur.execute(
            "select trigger, status, summary, error from quality.pipeline_runs where run_id = %s",
            (run.run_id,),
        )
        recorded = cur.fetchall()
    assert len(recorded) == 1
    trigger, status, summary, error = recorded[0]
    assert trigger == "schedule"
    if fails:
        assert status == "failure"
        assert "the landing folder is unreadable" in error
        assert summary["failed_steps"][0]["step"] == "step"
    else:
        assert (status, error) == ("success", None)
        assert summary["errors"] == []

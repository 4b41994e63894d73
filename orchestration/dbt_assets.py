"""The dbt project as Dagster assets: one ``DbtProject``, one ``@dbt_assets``, a thin translator.

The manifest must exist when the code location loads (``@dbt_assets`` reads it at import), so
``prepare_manifest`` runs ``dbt parse`` when it is missing or older than any of the project's
files: what ``DbtProject.prepare_if_dev`` does under ``dagster dev``, but for every process that
loads the code, and without re-parsing an unchanged project. The parse runs in a subprocess with
the profile's variables filled in, under a file lock so that processes loading at the same time
do not parse over each other.

One ``dbt build`` runs everything: staging, intermediate and marts are cheap views or incremental
models on the batch watermark, so splitting incremental models into a second invocation would
cost a second dbt start-up (~5 s) for nothing yet.
"""

import fcntl
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import WarehouseResource, dbt_executable
from warehouse import db, settings

DBT_PROJECT_DIR = settings.DBT_PROJECT_DIR
OWNERS = ["team:data-platform"]
# Serialises dbt builds across processes (a schedule tick, the sensor, `oms run`): incremental
# merges of two builds at once would race on the same watermark.
DBT_BUILD_LOCK = 727003
_PROJECT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}
_SKIP_DIRS = {"target", "logs", "dbt_packages"}


def target_path() -> Path:
    """DBT_TARGET_PATH if set (tests give each session its own), else ``dbt_project/target``."""
    return Path(os.environ.get("DBT_TARGET_PATH") or "target")


def resolved_target_path(project: DbtProject) -> Path:
    return project.project_dir / project.target_path  # an absolute target_path wins in the join


def _project_mtime(project_dir: Path) -> float:
    latest = 0.0
    for dirpath, dirnames, filenames in os.walk(project_dir):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")]
        for name in filenames:
            if Path(name).suffix in _PROJECT_SUFFIXES:
                latest = max(latest, os.stat(os.path.join(dirpath, name)).st_mtime)
    return latest


def _parse_env() -> dict[str, str]:
    """The environment for ``dbt parse``: ours, plus the profile's variables when they are unset.

    Parsing never connects, so when no database is configured yet placeholders do; the first real
    run then re-parses in full, which costs a few seconds once.
    """
    env = dict(os.environ)
    try:
        profile_env = settings.dbt_env()
    except settings.DatabaseNotConfigured:
        profile_env = {
            "OMS_DB_HOST": "127.0.0.1",
            "OMS_DB_PORT": "5432",
            "OMS_DB_USER": "postgres",
            "OMS_DB_PASSWORD": "",
            "OMS_DB_NAME": "postgres",
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        }
    for key, value in profile_env.items():
        env.setdefault(key, value)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


def prepare_manifest(project: DbtProject, *, force: bool = False) -> Path:
    """Make sure ``project.manifest_path`` exists and is not older than the project; return it."""
    manifest = project.manifest_path
    target = resolved_target_path(project)
    target.mkdir(parents=True, exist_ok=True)

    def stale() -> bool:
        return not manifest.exists() or manifest.stat().st_mtime < _project_mtime(project.project_dir)

    if not (force or stale()):
        return manifest
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if force or stale():  # another process may have parsed meanwhile
            env = _parse_env()
            env["DBT_TARGET_PATH"] = str(target)
            env["DBT_LOG_PATH"] = env.get("DBT_LOG_PATH") or str(target)
            proc = subprocess.run(
                [dbt_executable(), "parse", "--quiet", "--no-use-colors"],
                cwd=project.project_dir,
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0 or not manifest.exists():
                raise RuntimeError(
                    f"`dbt parse` failed in {project.project_dir} (exit {proc.returncode}):\n"
                    f"{(proc.stdout + proc.stderr)[-4000:]}"
                )
    return manifest


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=target_path())
prepare_manifest(dbt_project)


class OmsDbtTranslator(DagsterDbtTranslator):
    """Groups by layer, one owner. Sources keep dagster-dbt's default key, which honours
    ``meta.dagster.asset_key`` and so joins raw sources to the ingestion assets."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props.get("resource_type")
        if resource_type == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn") or []
        if len(fqn) > 2 and fqn[1] in {"staging", "intermediate", "marts"}:
            return fqn[1]
        return super().get_group_name(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return OWNERS


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=OmsDbtTranslator(),
    name="dbt_models",
)
def dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
) -> Iterator[Any]:
    """``dbt build`` (seeds, models, tests) of the selected models against the warehouse."""
    # dagster-dbt hands os.environ to dbt: point the profile at the warehouse this run uses.
    os.environ.update(warehouse.dbt_env())
    # dagster-dbt copies the prepared partial_parse.msgpack into each invocation's own target
    # folder, so every run parses partially.
    args = ["build"]
    if config.full_refresh:
        args.append("--full-refresh")
    lock_conn = db.connect(warehouse.url(), application_name="oms-dbt-lock")
    lock_conn.autocommit = True
    try:
        with lock_conn.cursor() as cur:
            cur.execute("select pg_advisory_lock(%s)", (DBT_BUILD_LOCK,))
        yield from dbt.cli(args, context=context).stream()
    finally:
        lock_conn.close()  # closing the session releases the advisory lock

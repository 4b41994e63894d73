"""`oms serve` (what `make up` runs): database, demo data, one pipeline run, then the app and Dagster.

This process is the one owner of the embedded Postgres while it runs: Ctrl-C (or SIGTERM) stops the
app, Dagster (webserver, daemon and their code servers: each is started in its own process group)
and, last, the database it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from warehouse import settings

DEMO_PASSWORD_SUFFIX = "-demo-2026"
DEMO_TENANTS = {
    # tenant: (display name, orders, seed)
    "demo": ("Demo Trading Co.", int(os.environ.get("OMS_DEMO_ORDERS", "5000")), 42),
    "acme": ("Acme Cross-Border", int(os.environ.get("OMS_DEMO_ORDERS_ACME", "800")), 7),
}
ROLES = ("reviewer", "ops", "finance", "admin")


def demo_users() -> list[dict[str, str]]:
    """The demo sign-ins: one user per role per demo tenant (printed by `make up`)."""
    return [
        {
            "email": f"{role}@{tenant}.example",
            "password": f"{role}{DEMO_PASSWORD_SUFFIX}",
            "role": role,
            "tenant_id": tenant,
            "display_name": f"{role.title()} ({tenant})",
        }
        for tenant in DEMO_TENANTS
        for role in ROLES
    ]


def landing_dir() -> Path:
    return settings.landing_dir()


def _has_landed(tenant_id: str) -> bool:
    from warehouse import db

    with db.transaction() as cur:
        cur.execute("select exists (select 1 from raw.batches where tenant_id = %s)", (tenant_id,))
        return bool(cur.fetchone()[0])


def prepare(demo: bool = True) -> int:
    """Start/migrate the database, load demo data once, create demo users, run the pipeline once."""
    from orchestration.pipeline import run_once
    from warehouse import embedded, migrate
    from warehouse.users import add_user

    if not os.environ.get("OMS_DATABASE_URL"):
        state = embedded.start()
        print(f"[oms] embedded Postgres on 127.0.0.1:{state['port']} (data in {state['data_dir']})")
    applied = migrate.migrate()
    print(f"[oms] migrations: {', '.join(applied) if applied else 'up to date'}")
    os.environ.update(settings.dbt_env())
    if demo:
        from ingestion.demo import ALL_CHANNELS, generate, load_demo_catalog

        for tenant, (_name, orders, seed) in DEMO_TENANTS.items():
            if _has_landed(tenant):
                continue
            print(f"[oms] generating demo data: tenant {tenant}, {orders} orders, seed {seed}")
            summary = generate(
                out_dir=landing_dir(), tenant_id=tenant, orders=orders, seed=seed, channels=ALL_CHANNELS
            )
            print(summary.describe())
            # the seller's catalogue and SKU mappings, before the first run maps the order lines
            print(load_demo_catalog(landing_dir(), tenant, created_by="make up").describe())
        for user in demo_users():
            add_user(created_by="make up", **user)
    print("[oms] running the pipeline once (ingestion, dbt build, checks)")
    return run_once(trigger="make up")


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    out = log.open("ab")
    return subprocess.Popen(
        cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.PROJECT_ROOT, start_new_session=True
    )


def _stop(proc: subprocess.Popen, name: str) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    print(f"[oms] stopped {name}")


def serve(
    app_port: int = 8501, dagster_port: int = 3000, demo: bool = True, webhooks_port: int = 8600
) -> int:
    from warehouse import embedded

    owns_db = not os.environ.get("OMS_DATABASE_URL")
    procs: list[tuple[str, subprocess.Popen]] = []

    def shutdown(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shutdown)
    try:
        rc = prepare(demo=demo)
        if rc != 0:
            print("[oms] the first pipeline run failed; serving anyway so you can see why (Pipeline page)")
        env = dict(os.environ)
        env["DAGSTER_HOME"] = str(settings.dagster_home())
        env.setdefault("OMS_LANDING_DIR", str(landing_dir()))
        env.update(settings.dbt_env())
        bindir = Path(sys.executable).parent
        logs = settings.oms_home() / "logs"
        procs.append(
            (
                "Dagster",
                _start(
                    [
                        str(bindir / "dagster"),
                        "dev",
                        "-m",
                        "orchestration.definitions",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        str(dagster_port),
                    ],
                    env,
                    logs / "dagster.log",
                ),
            )
        )
        procs.append(
            (
                "webhooks",
                _start(
                    [str(bindir / "oms"), "webhooks", "--host", "127.0.0.1", "--port", str(webhooks_port)],
                    env,
                    logs / "webhooks.log",
                ),
            )
        )
        procs.append(
            (
                "app",
                _start(
                    [
                        str(bindir / "streamlit"),
                        "run",
                        "apps/streamlit/app.py",
                        "--server.address",
                        "127.0.0.1",
                        "--server.port",
                        str(app_port),
                        "--server.headless",
                        "true",
                        "--browser.gatherUsageStats",
                        "false",
                        "--client.toolbarMode",
                        "minimal",
                    ],
                    env,
                    logs / "app.log",
                ),
            )
        )
        print()
        print(f"  App:         http://127.0.0.1:{app_port}")
        print(f"  Dagster UI:  http://127.0.0.1:{dagster_port}   (schedule and sensors on)")
        print(
            f"  Webhooks:    http://127.0.0.1:{webhooks_port}/webhooks/<salla|woocommerce>/<tenant>/<store>"
        )
        print(f"  Logs:        {logs}")
        print("  Demo sign-ins (email / password):")
        for u in demo_users():
            print(f"    {u['email']:<26} {u['password']:<22} {u['role']:<9} tenant {u['tenant_id']}")
        print("\n  Ctrl-C stops everything, the database included.\n", flush=True)
        while True:
            for name, p in procs:
                if p.poll() is not None:
                    print(f"[oms] {name} exited with code {p.returncode}; see {logs}")
                    raise KeyboardInterrupt
            time.sleep(1)
    except KeyboardInterrupt:
        print("\n[oms] stopping")
    finally:
        for name, p in reversed(procs):
            _stop(p, name)
        if owns_db and embedded.is_running():
            embedded.stop()
            print("[oms] stopped the embedded Postgres")
    return 0

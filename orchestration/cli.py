"""The ``oms`` command: one owner for the embedded database, and the operator's entry points.

Each subcommand is a thin wrapper over a function in the package that owns the work, imported
lazily so that ``oms db status`` does not pay for importing dbt or Dagster.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _db(args: argparse.Namespace) -> int:
    from warehouse import embedded, migrate, settings

    if "--app" in args.rest:  # `oms db url --app`: argparse leaves options after the action in `rest`
        args.rest.remove("--app")
        args.app = True
    if args.action == "start":
        if os.environ.get("OMS_DATABASE_URL"):
            print("OMS_DATABASE_URL is set: using that database, not starting the embedded one.")
        else:
            state = embedded.start()
            print(f"embedded Postgres running on 127.0.0.1:{state['port']} (data in {state['data_dir']})")
        applied = migrate.migrate()
        print(f"migrations applied: {', '.join(applied) if applied else 'none pending'}")
        return 0
    if args.action == "stop":
        stopped = embedded.stop()
        print("embedded Postgres stopped" if stopped else "embedded Postgres was not running")
        return 0
    if args.action == "status":
        if os.environ.get("OMS_DATABASE_URL"):
            print("using OMS_DATABASE_URL")
            return 0
        running = embedded.is_running()
        print("running" if running else "stopped")
        return 0 if running else 3
    if args.action == "url":
        print(settings.app_database_url() if args.app else settings.database_url())
        return 0
    if args.action == "psql":
        url = settings.app_database_url() if args.app else settings.database_url()
        psql = str(embedded.psql_path())
        os.execv(psql, [psql, url, *args.rest])
    return 2


def _migrate(args: argparse.Namespace) -> int:
    from warehouse import migrate

    applied = migrate.migrate()
    print(f"migrations applied: {', '.join(applied) if applied else 'none pending'}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from ingestion.importer import import_files, print_summary

    results = import_files(
        source=args.source, store_id=args.store, tenant_id=args.tenant, paths=[Path(p) for p in args.files]
    )
    return print_summary(results)


def _demo_data(args: argparse.Namespace) -> int:
    from ingestion.demo import generate
    from warehouse import settings

    out = Path(args.out) if args.out else settings.landing_dir()
    summary = generate(out_dir=out, tenant_id=args.tenant, orders=args.orders, seed=args.seed)
    print(summary.describe())
    return 0


def _run(args: argparse.Namespace) -> int:
    from orchestration.pipeline import run_once

    return run_once(trigger="cli", full_refresh=args.full_refresh)


def _users(args: argparse.Namespace) -> int:
    from warehouse.users import add_user

    user = add_user(
        email=args.email,
        password=args.password,
        role=args.role,
        tenant_id=args.tenant,
        display_name=args.name or args.email.split("@")[0],
        created_by="cli",
    )
    print(f"user {user['email']} ({user['role']}) in tenant {user['tenant_id']}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from orchestration.serve import serve

    return serve(app_port=args.app_port, dagster_port=args.dagster_port, demo=not args.no_demo)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="oms", description="Order platform operations")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("db", help="the embedded Postgres (start|stop|status|url|psql)")
    d.add_argument("action", choices=["start", "stop", "status", "url", "psql"])
    d.add_argument("--app", action="store_true", help="url/psql as the app's least-privileged role")
    d.add_argument("rest", nargs=argparse.REMAINDER, help="extra psql arguments")
    d.set_defaults(func=_db)

    m = sub.add_parser("migrate", help="apply pending migrations")
    m.set_defaults(func=_migrate)

    i = sub.add_parser("import", help="land files of a channel's native API responses")
    i.add_argument("--source", required=True, help="channel: shopify, amazon")
    i.add_argument("--store", required=True, help="store id (registered on first use)")
    i.add_argument("--tenant", default="demo")
    i.add_argument("files", nargs="+")
    i.set_defaults(func=_import)

    g = sub.add_parser("demo-data", help="write deterministic native-format demo files")
    g.add_argument("--tenant", default="demo")
    g.add_argument("--orders", type=int, default=2000)
    g.add_argument("--seed", type=int, default=42)
    g.add_argument(
        "--out", default=None, help="landing folder (default: OMS_LANDING_DIR or $OMS_HOME/landing)"
    )
    g.set_defaults(func=_demo_data)

    r = sub.add_parser("run", help="run the whole pipeline once (ingestion, dbt, checks)")
    r.add_argument("--full-refresh", action="store_true")
    r.set_defaults(func=_run)

    u = sub.add_parser("users", help="manage app users")
    usub = u.add_subparsers(dest="users_command", required=True)
    ua = usub.add_parser("add", help="create or update a user")
    ua.add_argument("--email", required=True)
    ua.add_argument("--password", required=True)
    ua.add_argument("--role", required=True, choices=["reviewer", "ops", "finance", "admin"])
    ua.add_argument("--tenant", default="demo")
    ua.add_argument("--name")
    ua.set_defaults(func=_users)

    s = sub.add_parser("serve", help="start the database, load demo data, run, serve app and Dagster")
    s.add_argument("--app-port", type=int, default=8501)
    s.add_argument("--dagster-port", type=int, default=3000)
    s.add_argument("--no-demo", action="store_true")
    s.set_defaults(func=_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("run", "serve"):
        from warehouse import settings

        # Runs started here belong in the same instance the Dagster UI shows.
        os.environ["DAGSTER_HOME"] = str(settings.dagster_home())
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

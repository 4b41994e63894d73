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
    from ingestion.demo import ALL_CHANNELS, generate
    from warehouse import settings

    out = Path(args.out) if args.out else settings.landing_dir()
    channels = ALL_CHANNELS if args.channels == "all" else tuple(args.channels.split(","))
    summary = generate(
        out_dir=out, tenant_id=args.tenant, orders=args.orders, seed=args.seed, channels=channels
    )
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

    return serve(
        app_port=args.app_port,
        dagster_port=args.dagster_port,
        demo=not args.no_demo,
        webhooks_port=args.webhooks_port,
    )


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
        "--channels", default="all", help="comma-separated channels (shopify,amazon,...) or 'all' (default)"
    )
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
    s.add_argument("--webhooks-port", type=int, default=8600)
    s.add_argument("--no-demo", action="store_true")
    s.set_defaults(func=_serve)

    w = sub.add_parser("webhooks", help="serve the webhook receiver (Salla, WooCommerce; carriers later)")
    w.add_argument("--host", default="127.0.0.1")
    w.add_argument("--port", type=int, default=8600)
    w.set_defaults(func=_webhooks)
    _add_store_commands(sub)
    _add_catalog_commands(sub)

    rf = sub.add_parser("reference", help="the reference seeds built from pycountry/phonenumbers")
    rf.add_argument(
        "action",
        choices=["build", "check"],
        help="build: write the seeds; check: exit 1 if the committed seeds differ from a fresh build",
    )
    rf.add_argument("--seeds-dir", default=None, help="default: dbt_project/seeds")
    rf.set_defaults(func=_reference)
    return p


def _reference(args: argparse.Namespace) -> int:
    from ingestion.reference import seeds

    seeds_dir = Path(args.seeds_dir) if args.seeds_dir else seeds.SEEDS_DIR
    if args.action == "build":
        for name, rows in seeds.write_seeds(seeds_dir).items():
            print(f"{name}: {rows} rows")
        return 0
    findings = seeds.diff_seeds(seeds_dir)
    for line in findings:
        print(line)
    if findings:
        print("the committed reference seeds differ from the generator: run `oms reference build`")
        return 1
    print("reference seeds are up to date")
    return 0


def _webhooks(args: argparse.Namespace) -> int:
    from ingestion.webhooks import serve

    return serve(host=args.host, port=args.port)


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            # Never echo the argument: it may be a pasted secret value.
            raise SystemExit(f"{what} must be KEY=VALUE (one argument had no '=' or no key)")
        out[key.strip()] = value.strip()
    return out


def _setting_value(text: str):
    import json

    try:
        return json.loads(text)  # numbers, lists (marketplace_ids=["A17E79C6D8DWNP"]), objects
    except ValueError:
        return text


def _stores(args: argparse.Namespace) -> int:
    from ingestion import stores

    try:
        if args.stores_command == "add":
            new = stores.add_store(
                args.tenant,
                args.store,
                args.channel,
                args.name,
                marketplace=args.marketplace,
                timezone=args.timezone,
                currency=args.currency,
                api_base_url=args.api_base_url,
                download_interval_minutes=args.interval_minutes,
                overlap_minutes=args.overlap_minutes,
                credential_names=_pairs(args.credential, "--credential"),
                settings={k: _setting_value(v) for k, v in _pairs(args.setting, "--setting").items()},
                initial_since=args.initial_since,
                created_by="cli",
            )
            print(f"store {args.tenant}/{args.store} ({args.channel}) {'added' if new else 'updated'}")
        elif args.stores_command == "disable":
            changed = stores.disable_store(args.tenant, args.store, by="cli")
            print(f"store {args.tenant}/{args.store} {'disabled' if changed else 'was already disabled'}")
        else:
            for s in stores.list_stores(args.tenant):
                status = stores.credential_status(s.credential_names)
                creds = ", ".join(
                    f"{role}={name} ({'set' if status[role] else 'NOT SET'})"
                    for role, name in sorted(s.credential_names.items())
                )
                print(
                    f"{s.tenant_id}/{s.store_id}  {s.channel}  {s.name!r}  "
                    f"{'active' if s.is_active else 'disabled'}  tz={s.timezone} "
                    f"currency={s.currency or '-'} "
                    f"marketplace={s.marketplace or '-'} every {s.download_interval_minutes} min "
                    f"(overlap {s.overlap_minutes})  api={s.api_base_url or '-'}  credentials: {creds or '-'}"
                )
    except (stores.InvalidStore, stores.StoreNotFound) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


def _download(args: argparse.Namespace) -> int:
    from ingestion.connectors.run import run_download

    result = run_download(
        args.store,
        args.tenant,
        since=args.since,
        until=args.until,
        order_ids=args.order_id,
        echo=lambda line: print(line, flush=True),
    )
    print(result.summary(), flush=True)
    return 0 if result.ok else 1


def _add_store_commands(sub) -> None:
    from datetime import datetime

    st = sub.add_parser("stores", help="the store registry: add, list, disable")
    ssub = st.add_subparsers(dest="stores_command", required=True)
    sa = ssub.add_parser("add", help="register a store or update its settings")
    sa.add_argument("--tenant", required=True)
    sa.add_argument("--store", required=True)
    sa.add_argument("--channel", required=True)
    sa.add_argument("--name", required=True)
    sa.add_argument("--timezone", default="UTC")
    sa.add_argument("--currency")
    sa.add_argument("--marketplace")
    sa.add_argument("--api-base-url")
    sa.add_argument("--interval-minutes", type=int, default=5)
    sa.add_argument("--overlap-minutes", type=int, default=10)
    sa.add_argument("--initial-since", type=datetime.fromisoformat, help="where the first download starts")
    sa.add_argument(
        "--credential",
        action="append",
        metavar="ROLE=SECRET_NAME",
        help="the NAME of a secret, never its value",
    )
    sa.add_argument("--setting", action="append", metavar="KEY=VALUE", help="VALUE may be JSON")
    sl = ssub.add_parser("list", help="stores and whether their secrets are set (never their values)")
    sl.add_argument("--tenant")
    sd = ssub.add_parser("disable", help="stop downloading a store")
    sd.add_argument("--tenant", required=True)
    sd.add_argument("--store", required=True)
    st.set_defaults(func=_stores)

    dl = sub.add_parser("download", help="download a store's orders from its API now")
    dl.add_argument("--store", required=True)
    dl.add_argument("--tenant")
    dl.add_argument("--since", help="ISO time; default: the last cursor minus the overlap")
    dl.add_argument("--until", help="ISO time; default: now")
    dl.add_argument("--order-id", action="append", help="re-download these orders (repeatable)")
    dl.set_defaults(func=_download)


def _catalog(args: argparse.Namespace) -> int:
    from ingestion import catalog
    from warehouse import db

    files = {}
    for kind, path in (("products", args.products), ("mappings", args.mappings)):
        if path:
            file = Path(path)
            if not file.is_file():
                print(f"error: {kind} file {file} does not exist", file=sys.stderr)
                return 1
            files[kind] = catalog.UploadedFile(file.name, file.read_bytes())
    with db.transaction() as cur:
        report = catalog.import_catalog(cur, args.tenant, created_by=args.by, **files)
    print(report.describe())
    return 0 if report.ok else 1


def _add_catalog_commands(sub) -> None:
    c = sub.add_parser("catalog", help="the seller's catalogue and SKU mappings")
    csub = c.add_subparsers(dest="catalog_command", required=True)
    ci = csub.add_parser(
        "import",
        help="load a products file (CSV/XLSX) and a SKU mappings file; nothing loads if a row is bad",
    )
    ci.add_argument("--tenant", required=True)
    ci.add_argument(
        "--products", required=True, help="sku, title, title_local, variant_title, weight_kg, components"
    )
    ci.add_argument("--mappings", help="channel, store_id, platform_key, sku, note")
    ci.add_argument("--by", default="cli", help="who imports (for the audit log)")
    c.set_defaults(func=_catalog)


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

"""Landing files: ``oms import`` (files named on the command line) and the landing folders.

One batch per file. A tenant or store seen for the first time is registered, with a notice.

Landing folders (``$OMS_LANDING_DIR``, default ``$OMS_HOME/landing``)::

    <tenant>/tenant.json                 {tenant_id, name, reporting_currency}
    <tenant>/stores.json                 [{store_id, channel, name, marketplace, timezone, currency}]
    <tenant>/<source>/<store_id>/*.json  native API responses (also .jsonl / .ndjson)

A file whose batch committed (even with rejects: they are kept in raw.rejects) moves to
``<store_id>/_done/``; a failed one stays for the next run. Files whose names start with ``.`` or
end in ``.tmp`` / ``.part`` are being written and are left alone: writers should write under such
a name and rename when done.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2

from ingestion.landing import BatchResult, LandingSession, land_batch, sweep_interrupted
from ingestion.sources import UnknownSource, known_sources, parser_for
from warehouse import db, settings

Echo = Callable[[str], None]
FILE_SUFFIXES = (".json", ".jsonl", ".ndjson")
DONE_DIR = "_done"


def _echo(message: str) -> None:
    print(message, flush=True)


def default_landing_dir() -> Path:
    return Path(os.environ.get("OMS_LANDING_DIR") or settings.oms_home() / "landing")


# -- tenants and stores --------------------------------------------------------------------------


def register_tenant(
    cur, tenant_id: str, name: str | None = None, reporting_currency: str | None = None, echo: Echo = _echo
) -> bool:
    """Insert the tenant if it is missing; True if it was new.

    An existing tenant keeps its settings, except one that ``oms import`` registered with
    placeholders (its name is its id): a tenant.json then fills them in.
    """
    cur.execute(
        """insert into app.tenants as t (tenant_id, name, reporting_currency)
           values (%(tenant_id)s, coalesce(%(name)s, %(tenant_id)s), coalesce(%(currency)s, 'USD'))
           on conflict (tenant_id) do update
              set name = excluded.name, reporting_currency = excluded.reporting_currency
            where t.name = t.tenant_id and %(name)s is not null
              and (excluded.name, excluded.reporting_currency) is distinct from (t.name, t.reporting_currency)
           returning (xmax = 0) as inserted""",
        {"tenant_id": tenant_id, "name": name, "currency": reporting_currency},
    )
    row = cur.fetchone()
    if row is None:
        return False
    echo(f"tenant {tenant_id} {'registered' if row[0] else 'settings filled in from tenant.json'}")
    return bool(row[0])


_STORE_PLACEHOLDERS_FILLED = """
    on conflict (tenant_id, store_id) do update
       set name = excluded.name, marketplace = excluded.marketplace, timezone = excluded.timezone,
           currency = excluded.currency
     where s.created_by = 'oms import' and s.name = s.store_id and s.channel = excluded.channel
       and (excluded.name, excluded.marketplace, excluded.timezone, excluded.currency)
           is distinct from (s.name, s.marketplace, s.timezone, s.currency)"""


def register_store(
    cur, tenant_id: str, store: dict, created_by: str, echo: Echo = _echo, *, settings_file: bool = False
) -> bool:
    """Insert the store if it is missing; True if it was new.

    An existing store keeps its settings, except one that ``oms import`` registered with
    placeholders (name = store id, zone UTC): an entry of the same channel in a stores.json
    (``settings_file``) fills them in.
    """
    conflict = (
        _STORE_PLACEHOLDERS_FILLED if settings_file else " on conflict (tenant_id, store_id) do nothing"
    )
    cur.execute(
        """insert into app.stores as s (tenant_id, store_id, channel, name, marketplace, timezone, currency,
                                        created_by)
           values (%(tenant_id)s, %(store_id)s, %(channel)s, %(name)s, %(marketplace)s,
                   coalesce(%(timezone)s, 'UTC'), %(currency)s, %(created_by)s)"""
        + conflict
        + " returning (xmax = 0) as inserted",
        {
            "tenant_id": tenant_id,
            "store_id": store["store_id"],
            "channel": store["channel"],
            "name": store.get("name") or store["store_id"],
            "marketplace": store.get("marketplace"),
            "timezone": store.get("timezone"),
            "currency": store.get("currency"),
            "created_by": created_by,
        },
    )
    row = cur.fetchone()
    if row is None:
        return False
    if not row[0]:
        echo(f"store {store['store_id']} of tenant {tenant_id}: settings filled in from stores.json")
        return False
    echo(f"store {store['store_id']} registered for tenant {tenant_id}")
    return True


def _store_channel(cur, tenant_id: str, store_id: str) -> str | None:
    cur.execute(
        "select channel from app.stores where tenant_id = %s and store_id = %s", (tenant_id, store_id)
    )
    row = cur.fetchone()
    return row[0] if row else None


def _ensure_store(tenant_id: str, source: str, store_id: str, created_by: str, echo: Echo) -> str | None:
    """Register tenant and store if missing; an error text if the store belongs to another channel."""
    with db.transaction() as cur:
        register_tenant(cur, tenant_id, echo=echo)
        register_store(cur, tenant_id, {"store_id": store_id, "channel": source}, created_by, echo)
        channel = _store_channel(cur, tenant_id, store_id)
    if channel != source:
        return f"store {store_id} of tenant {tenant_id} is a {channel} store, not {source}"
    return None


# -- landing files -------------------------------------------------------------------------------


def _not_landed(source: str, store_id: str, tenant_id: str, path: Path, error: str) -> BatchResult:
    return BatchResult(None, tenant_id, source, store_id, path.name, "failed", error=error)


def land_file(
    source: str,
    store_id: str,
    tenant_id: str,
    path: Path,
    *,
    origin: str = "file",
    session: LandingSession | None = None,
) -> BatchResult:
    """Land one file as one batch (the store must exist)."""
    try:
        parser = parser_for(source)
        fp = open(path, "rb")  # noqa: SIM115 - closed below, after the batch
    except (UnknownSource, OSError) as err:
        return _not_landed(source, store_id, tenant_id, path, str(err))
    with fp:
        return land_batch(
            tenant_id,
            source,
            store_id,
            parser.records(fp),
            origin=origin,
            file_name=path.name,
            session=session,
        )


def import_files(
    source: str, store_id: str, tenant_id: str, paths: list[Path], echo: Echo = _echo
) -> list[BatchResult]:
    """Land each file as its own batch; register the tenant and store first if they are new."""
    paths = [Path(p) for p in paths]
    if source not in known_sources():
        error = f"unknown source {source!r}; known: {', '.join(known_sources())}"
        return [_not_landed(source, store_id, tenant_id, p, error) for p in paths]
    try:
        error = _ensure_store(tenant_id, source, store_id, "oms import", echo)
    except (ValueError, OSError, psycopg2.Error, settings.DatabaseNotConfigured) as err:
        error = f"cannot register store: {err}"
    if error:
        return [_not_landed(source, store_id, tenant_id, p, error) for p in paths]
    with LandingSession() as session:
        return [land_file(source, store_id, tenant_id, p, session=session) for p in paths]


def print_summary(results: Iterable[BatchResult], out=None) -> int:
    """A table of the batches and every reject's reason; 1 if anything was rejected or failed."""
    out = out or sys.stdout
    results = list(results)
    width = max([len("file")] + [len(r.file_name or "-") for r in results])
    header = (
        f"{'file':<{width}}  {'batch':>6}  {'fetched':>8}  {'landed':>8}  {'duplicate':>9}  "
        f"{'rejected':>8}  status"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    for r in results:
        batch = str(r.batch_id) if r.batch_id is not None else "-"
        print(
            f"{r.file_name or '-':<{width}}  {batch:>6}  {r.fetched:>8}  {r.landed:>8}  {r.duplicate:>9}  "
            f"{r.rejected:>8}  {r.status}",
            file=out,
        )
    if len(results) > 1:
        print(
            f"{'total':<{width}}  {'':>6}  {sum(r.fetched for r in results):>8}  "
            f"{sum(r.landed for r in results):>8}  {sum(r.duplicate for r in results):>9}  "
            f"{sum(r.rejected for r in results):>8}",
            file=out,
        )
    for r in results:
        if r.error:
            print(f"\n{r.file_name}: FAILED: {r.error}", file=out)
        if r.rejected:
            print(
                f"\n{r.file_name}: {r.rejected} rejected (kept in raw.rejects, batch {r.batch_id}):", file=out
            )
            for note in r.rejects:
                where = f"record {note.record_index}" if note.record_index is not None else "record ?"
                key = f" [{note.natural_key}]" if note.natural_key else ""
                print(f"  {where}{key}: {note.reason}", file=out)
            if r.rejected > len(r.rejects):
                print(f"  ... and {r.rejected - len(r.rejects)} more", file=out)
    failed = any(r.status != "committed" for r in results)
    return 1 if failed or any(r.rejected for r in results) else 0


# -- landing folders -----------------------------------------------------------------------------


def _read_json(path: Path, echo: Echo):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        echo(f"warning: cannot read {path}: {err}")
        return None


def _register_from_files(tenant_dir: Path, tenant_id: str, echo: Echo) -> None:
    tenant = _read_json(tenant_dir / "tenant.json", echo) if (tenant_dir / "tenant.json").exists() else None
    stores = _read_json(tenant_dir / "stores.json", echo) if (tenant_dir / "stores.json").exists() else None
    with db.transaction() as cur:
        tenant = tenant if isinstance(tenant, dict) else {}
        register_tenant(cur, tenant_id, tenant.get("name"), tenant.get("reporting_currency"), echo)
        for store in stores if isinstance(stores, list) else []:
            if not isinstance(store, dict) or not store.get("store_id") or not store.get("channel"):
                echo(
                    f"warning: {tenant_dir / 'stores.json'}: a store needs store_id and channel: "
                    f"{store!r:.200}"
                )
                continue
            register_store(cur, tenant_id, store, "landing folder", echo, settings_file=True)


def _is_ready(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and name.lower().endswith(FILE_SUFFIXES)
        and not name.startswith(".")
        and not name.endswith((".tmp", ".part"))
    )


def _move_done(path: Path) -> None:
    done = path.parent / DONE_DIR
    done.mkdir(exist_ok=True)
    target = done / path.name
    if target.exists():
        target = done / f"{path.stem}.{time.strftime('%Y%m%dT%H%M%S')}.{time.monotonic_ns()}{path.suffix}"
    try:
        path.rename(target)
    except FileNotFoundError:  # another run landed and moved it meanwhile
        pass


def pending_files(
    landing: Path | None = None, tenant_id: str | None = None, source: str | None = None
) -> list[tuple[str, str, str, Path]]:
    """(tenant, source, store, path) of every file waiting in the landing folders, in name order
    (only one tenant's or one source's when given)."""
    root = Path(landing) if landing else default_landing_dir()
    found = []
    if not root.is_dir():
        return found
    for tenant_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if tenant_id and tenant_dir.name != tenant_id:
            continue
        for name in [source] if source else known_sources():
            source_dir = tenant_dir / name
            if not source_dir.is_dir():
                continue
            for store_dir in sorted(p for p in source_dir.iterdir() if p.is_dir() and p.name != DONE_DIR):
                for path in sorted(p for p in store_dir.iterdir() if _is_ready(p)):
                    found.append((tenant_dir.name, name, store_dir.name, path))
    return found


def _workers() -> int:
    return max(1, int(os.environ.get("OMS_LANDING_WORKERS") or min(2, os.cpu_count() or 1)))


def _land_store(tenant: str, source: str, store_id: str, paths: list[Path]) -> list[tuple[Path, BatchResult]]:
    """One store's files, in name order, on one session; landed files move to ``_done/``."""
    out = []
    with LandingSession() as session:
        for path in paths:
            if not path.exists():  # landed and moved by a concurrent run
                continue
            result = land_file(source, store_id, tenant, path, session=session)
            out.append((path, result))
            if result.status == "committed":
                _move_done(path)
    return out


def ingest_landing_dir(
    landing_dir: Path | None = None,
    tenant_id: str | None = None,
    echo: Echo = _echo,
    workers: int | None = None,
    source: str | None = None,
) -> list[BatchResult]:
    """Register tenants and stores from the folders' tenant.json/stores.json, land every waiting
    file (one batch each), and move the landed ones to ``_done/``. Results come in file order.

    Stores are independent, so up to ``workers`` stores (``OMS_LANDING_WORKERS``, default two)
    land side by side: one store's parsing overlaps another's COPY. A store's own files always
    land one after another, in name order. ``source`` limits the run to that channel's folders.
    Batches left ``running`` by a process that is gone are marked ``interrupted`` first.
    """
    root = Path(landing_dir) if landing_dir else default_landing_dir()
    for batch_id in sweep_interrupted():
        echo(f"batch {batch_id} was interrupted (its process is gone); marked interrupted")
    files = pending_files(root, tenant_id, source)
    by_path: dict[Path, BatchResult] = {}
    registered: set[str] = set()
    stores: dict[tuple[str, str, str], list[Path]] = {}
    for tenant, source, store_id, path in files:
        if tenant not in registered:
            _register_from_files(root / tenant, tenant, echo)
            registered.add(tenant)
        key = (tenant, source, store_id)
        if key not in stores:
            error = _ensure_store(tenant, source, store_id, "landing folder", echo)
            if error:
                by_path[path] = _not_landed(source, store_id, tenant, path, error)
                continue
            stores[key] = []
        stores[key].append(path)
    # the largest stores first, so that the last one to finish is a small one
    jobs = sorted(stores.items(), key=lambda kv: -sum(p.stat().st_size for p in kv[1] if p.exists()))
    workers = min(workers or _workers(), max(1, len(jobs)))
    if workers == 1:
        done = [_land_store(*key, paths) for key, paths in jobs]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="oms-store") as pool:
            done = list(pool.map(lambda job: _land_store(*job[0], job[1]), jobs))
    for pairs in done:
        by_path.update(pairs)
    return [by_path[path] for *_, path in files if path in by_path]

"""The benchmark: ingestion against the bare-COPY floor, the dbt build, peak memory. ``make bench``.

Everything runs in a private home (``BENCH_HOME``, default ``.oms/bench``), wiped at the start:
its own embedded Postgres (stopped at the end), demo data from ``ingestion.demo.generate``
(``BENCH_ORDERS`` orders, default 100,000; ``BENCH_SEED``, default 42), a dbt target folder.

1. floor: every payload the parsers read from the demo files, one JSON per line, COPYed (CSV
   format, quote and delimiter bytes that JSON cannot hold) into a jsonb table without indexes;
2. ingestion: ``ingest_landing_dir`` over the same files in a fresh process (its peak RSS is the
   memory figure), into the real raw tables with their indexes, ledger and rejects;
3. ``dbt build`` of ``dbt_project/`` (skipped, and recorded as null, while there is none).

Results go to ``bench/results/latest.json`` and a dated copy beside it.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MARKER = ".oms-bench-home"
COPY_FLOOR = "copy bench_floor (payload) from stdin with (format csv, delimiter E'\\x02', quote E'\\x01')"

_INGEST = """
import json, resource, sys, time
from pathlib import Path
from ingestion.importer import ingest_landing_dir
started = time.perf_counter()
results = ingest_landing_dir(Path(sys.argv[1]), echo=lambda message: None)
seconds = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds,
    "batches": len(results),
    "failed": sum(r.status != "committed" for r in results),
    "fetched": sum(r.fetched for r in results),
    "landed": sum(r.landed for r in results),
    "duplicate": sum(r.duplicate for r in results),
    "rejected": sum(r.rejected for r in results),
    "copy_s": sum(r.db_seconds.get("copy", 0.0) for r in results),
    "dedupe_s": sum(r.db_seconds.get("dedupe", 0.0) for r in results),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def prepare_home() -> Path:
    home = Path(os.environ.get("BENCH_HOME") or ROOT / ".oms" / "bench").resolve()
    if home.exists():
        if not (home / MARKER).exists():
            sys.exit(f"{home} exists and is not a bench home (no {MARKER}); refusing to wipe it")
        from warehouse import embedded

        embedded.stop(home)
        shutil.rmtree(home)
    home.mkdir(parents=True)
    (home / MARKER).write_text("created by bench/run.py; wiped at every run\n")
    os.environ.update(
        {
            "OMS_HOME": str(home),
            "OMS_PG_PORT": "0",
            "OMS_LANDING_DIR": str(home / "landing"),
            "DBT_TARGET_PATH": str(home / "dbt_target"),
            "DBT_LOG_PATH": str(home / "dbt_logs"),
            "DAGSTER_HOME": str(home / "dagster_home"),
            "XDG_RUNTIME_DIR": str(home / "run"),
        }
    )
    (home / "run").mkdir(mode=0o700)
    (home / "dagster_home").mkdir()
    for name in ("OMS_DATABASE_URL", "OMS_APP_DATABASE_URL"):
        os.environ.pop(name, None)
    return home


def floor_file(landing: Path, out: Path) -> tuple[int, int]:
    """Every payload the parsers read from the landing files, one per line; (rows, bytes)."""
    from ingestion.importer import pending_files
    from ingestion.landing import Record
    from ingestion.sources import parser_for

    rows = size = 0
    with out.open("wb") as sink:
        for _tenant, source, _store, path in pending_files(landing):
            with path.open("rb") as fp:
                for item in parser_for(source).records(fp):
                    if type(item) is Record:
                        sink.write(item.payload)
                        sink.write(b"\n")
                        rows += 1
                        size += len(item.payload) + 1
    return rows, size


def measure_floor(path: Path) -> float:
    from warehouse import db

    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("drop table if exists public.bench_floor")
            cur.execute("create table public.bench_floor (payload jsonb)")
            conn.commit()
            cur.execute("checkpoint")
            started = time.perf_counter()
            with path.open("rb") as fp:
                cur.copy_expert(COPY_FLOOR, fp, size=8 << 20)
            conn.commit()
            seconds = time.perf_counter() - started
            cur.execute("drop table public.bench_floor")
            conn.commit()
            cur.execute("checkpoint")
            return seconds
    finally:
        conn.close()


def measure_ingest(landing: Path) -> dict:
    python = (
        str(ROOT / ".venv" / "bin" / "python")
        if (ROOT / ".venv" / "bin" / "python").exists()
        else sys.executable
    )
    out = subprocess.run(
        [python, "-c", _INGEST, str(landing)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"ingestion failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_dbt(home: Path) -> tuple[float | None, str]:
    from warehouse import settings

    project = ROOT / "dbt_project"
    if not (project / "dbt_project.yml").exists():
        return None, "no dbt project yet (dbt_project/dbt_project.yml missing)"
    dbt = ROOT / ".venv" / "bin" / "dbt"
    env = {**os.environ, **settings.dbt_env(), "DBT_TARGET_PATH": str(home / "dbt_target")}
    started = time.perf_counter()
    out = subprocess.run(
        [str(dbt), "build", "--project-dir", str(project), "--profiles-dir", str(project)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    seconds = time.perf_counter() - started
    (home / "dbt_build.log").write_text(out.stdout + out.stderr)
    if out.returncode != 0:
        return seconds, f"dbt build failed (exit {out.returncode}); see {home / 'dbt_build.log'}"
    return seconds, "ok"


def machine() -> dict:
    import psutil

    return {
        "cpu_count": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> int:
    orders = int(os.environ.get("BENCH_ORDERS", "100000"))
    seed = int(os.environ.get("BENCH_SEED", "42"))
    info = machine()
    home = prepare_home()
    from warehouse import db, embedded, migrate

    say(f"home {home}; {orders:,} orders; {info['cpu_count']} cores, {info['memory_gb']} GB")
    state = embedded.start(home)
    os.environ["OMS_DATABASE_URL"] = state["url"]
    try:
        migrate.migrate()
        with db.transaction() as cur:
            cur.execute("show server_version")
            pg_version = cur.fetchone()[0]
        from ingestion.demo import generate, load_demo_catalog

        landing = home / "landing"
        started = time.perf_counter()
        summary = generate(landing, "demo", orders, seed)
        generate_s = time.perf_counter() - started
        say(f"demo data generated in {generate_s:.1f}s")
        load_demo_catalog(landing, "demo")  # the SKU lookups are part of the dbt build's work
        floor_rows, floor_bytes = floor_file(landing, home / "floor.jsonl")
        floor_s = measure_floor(home / "floor.jsonl")
        say(f"floor: {floor_rows:,} payloads ({floor_bytes / 2**20:.0f} MiB) copied in {floor_s:.2f}s")
        ingest = measure_ingest(landing)
        say(f"ingestion: {ingest['fetched']:,} records in {ingest['seconds']:.2f}s")
        dbt_s, dbt_note = measure_dbt(home)
        say(f"dbt build: {dbt_note}" + (f" in {dbt_s:.1f}s" if dbt_s is not None else ""))
    finally:
        embedded.stop(home)

    expected = (getattr(summary, "expected", None) or {}).get("ledger")
    matches = None
    if expected:
        matches = all(
            sum(table[k] for table in expected.values()) == ingest[k]
            for k in ("fetched", "landed", "duplicate", "rejected")
        )
    floor_rate = floor_rows / floor_s
    ingest_rate = ingest["fetched"] / ingest["seconds"]
    result = {
        "orders": orders,
        "seed": seed,
        "demo_files": ingest["batches"],
        "demo_expected_ledger": expected,
        "ingest_matches_demo": matches,
        "generate_s": round(generate_s, 2),
        "floor_rows": floor_rows,
        "floor_mib": round(floor_bytes / 2**20, 1),
        "floor_copy_s": round(floor_s, 3),
        "floor_copy_rows_per_s": round(floor_rate),
        "ingest_rows": ingest["fetched"],
        "ingest_landed": ingest["landed"],
        "ingest_duplicate": ingest["duplicate"],
        "ingest_rejected": ingest["rejected"],
        "ingest_failed_batches": ingest["failed"],
        "ingest_s": round(ingest["seconds"], 3),
        "ingest_db_copy_s": round(ingest["copy_s"], 3),
        "ingest_db_dedupe_s": round(ingest["dedupe_s"], 3),
        "ingest_rows_per_s": round(ingest_rate),
        "ingest_ratio": round(ingest_rate / floor_rate, 3),
        "dbt_build_s": None if dbt_s is None else round(dbt_s, 2),
        "dbt_note": dbt_note,
        "peak_rss_mb": round(ingest["peak_rss_mb"], 1),
        **info,
        "postgres": pg_version,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, default=str) + "\n"
    (RESULTS / "latest.json").write_text(text)
    (RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json").write_text(text)
    print_table(result)
    return 0


def print_table(r: dict) -> None:
    rows = [
        ("orders (demo)", f"{r['orders']:,}", ""),
        (
            "floor: bare COPY into jsonb",
            f"{r['floor_copy_rows_per_s']:,} rows/s",
            f"{r['floor_rows']:,} rows, 1.00x",
        ),
        (
            "ingestion (ingest_landing_dir)",
            f"{r['ingest_rows_per_s']:,} rows/s",
            f"{r['ingest_rows']:,} rows in {r['demo_files']:,} files, {r['ingest_ratio']:.2f}x floor",
        ),
        ("dbt build", "-" if r["dbt_build_s"] is None else f"{r['dbt_build_s']:.1f} s", r["dbt_note"]),
        ("peak RSS of ingestion", f"{r['peak_rss_mb']:.0f} MB", ""),
        ("ledger = demo's expected counts", str(r["ingest_matches_demo"]), ""),
        (
            "machine",
            f"{r['cpu_count']} cores, {r['memory_gb']} GB",
            f"load at start {r['load_average_at_start']}",
        ),
    ]
    width = max(len(a) for a, _, _ in rows)
    print()
    for a, b, c in rows:
        print(f"  {a:<{width}}  {b:>18}  {c}")
    print(f"\n  written to {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    sys.exit(main())

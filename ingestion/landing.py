"""The one landing mechanism: records in, rows in ``raw.*`` by COPY, one batch all-or-nothing.

``land_batch`` takes what a source parser produced (``Record`` and ``Reject`` items, streamed) and:

1. takes a transaction-scoped advisory lock for (tenant, source, store) on the *data* connection,
   so the batches of one store run one after another;
2. on a separate, autocommitted *ledger* connection, marks this store's ``running`` batches whose
   process is gone as ``interrupted``, then opens this batch's row (``running``, with the data
   connection's backend pid) so a killed batch stays visible in the ledger;
3. in the data transaction, chunk by chunk: drops records whose (natural_key, payload_sha256) is
   already in the raw table or earlier in the batch (counted as duplicates), COPYs the rest
   straight into the raw table, and inserts the rejects (a re-imported bad record is not stored
   twice, but is counted again);
4. takes ``pg_advisory_xact_lock(727001)`` and ``nextval('raw.batch_commit_seq')``, marks the
   batch committed with its counts and commits: ``commit_seq`` order is commit order, the
   watermark the dbt incremental models read.

An exception rolls the data transaction back and marks the batch ``failed``; a killed process
leaves the row ``running`` until the next batch of the store marks it ``interrupted``. Nothing of
an uncommitted batch is ever visible. A committed batch always has
fetched = landed + duplicate + rejected.

Parsing (main thread) overlaps with the database work (one worker thread that owns the data
connection while the batch loads): psycopg2 releases the GIL while COPY data goes out.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson
import psycopg2.extensions
from psycopg2 import sql
from psycopg2.extras import execute_values

from ingestion import jsonstream
from warehouse import db

log = logging.getLogger(__name__)

COMMIT_LOCK = 727001
CHUNK_BYTES = int(os.environ.get("OMS_LANDING_CHUNK_BYTES", 16 << 20))
MAX_REJECT_NOTES = 200
_SEP = b"\x02"
_NL = b"\n"
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_NON_LANDING_TABLES = {"batches", "rejects"}


class Record(NamedTuple):
    """One record for a raw table. ``payload`` is canonical JSON (see :func:`canonical_json`)."""

    table: str
    natural_key: str
    parent_key: str | None
    payload: bytes


class Reject(NamedTuple):
    """Input that cannot be landed, kept with its original bytes and the reason."""

    reason: str
    raw: bytes
    record_index: int | None
    natural_key: str | None


@dataclass
class RejectNote:
    record_index: int | None
    natural_key: str | None
    reason: str


@dataclass
class BatchResult:
    batch_id: int | None
    tenant_id: str
    source: str
    store_id: str
    file_name: str | None
    status: str  # committed | failed
    fetched: int = 0
    landed: int = 0
    duplicate: int = 0
    rejected: int = 0
    error: str | None = None
    commit_seq: int | None = None
    seconds: float = 0.0
    landed_by_table: dict[str, int] = field(default_factory=dict)
    db_seconds: dict[str, float] = field(default_factory=dict)  # time in the database, by step
    rejects: list[RejectNote] = field(default_factory=list)  # the first MAX_REJECT_NOTES

    @property
    def ok(self) -> bool:
        return self.status == "committed" and self.rejected == 0


class CanonicalError(ValueError):
    """A decoded record that cannot be stored as jsonb; the message is the reject reason."""


def _refuse_default(value: Any) -> Any:
    if isinstance(value, jsonstream.InexactNumber):
        raise TypeError(f"number {value.text} cannot be stored exactly")
    if isinstance(value, jsonstream.NonFinite):
        raise TypeError(f"{value.text} is not a JSON number")
    raise TypeError(f"unsupported value of type {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON (orjson, sorted keys): the bytes that are stored and hashed.

    Raises CanonicalError for what Postgres jsonb cannot hold: NaN/Infinity, text that was not
    UTF-8 or is a lone surrogate escape, the NUL character, integers beyond 64 bits.
    """
    try:
        out = orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=_refuse_default)
    except orjson.JSONEncodeError as err:
        if isinstance(err.__cause__, TypeError):  # raised by _refuse_default, with the specific reason
            raise CanonicalError(str(err.__cause__)) from None
        msg = str(err)
        if "surrogates not allowed" in msg:
            raise CanonicalError(
                "text is not valid Unicode (not UTF-8, or a lone surrogate escape)"
            ) from None
        raise CanonicalError(f"cannot store as JSON: {msg}") from None
    if b"\\u0000" in out and _NUL_ESCAPE.search(out):
        raise CanonicalError("text holds a NUL character (\\u0000), which Postgres jsonb cannot store")
    return out


def safe_text(text: str | None) -> str | None:
    """Text Postgres can store: lone surrogates (bytes that were not UTF-8) and NUL escaped."""
    if text is None or (text.isascii() and "\x00" not in text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def store_lock_key(tenant_id: str, source: str, store_id: str) -> int:
    """The advisory lock (signed 64-bit) that serialises the batches of one store."""
    digest = hashlib.sha256(f"{tenant_id}\x1f{source}\x1f{store_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _check_name(kind: str, value: str) -> None:
    if not value or not value.isprintable():
        raise ValueError(f"{kind} {value!r} must be non-empty printable text")


# Statements prepared once per connection: planning the ledger statement costs more than running it.
_PREPARE_LEDGER = """
prepare oms_open_batch (text, text, text, bigint, bigint, text, text, text, integer) as
with stale as (
    update raw.batches b
       set status = 'interrupted',
           finished_at = clock_timestamp(),
           error = 'interrupted: the loading process ended before the batch committed (backend '
                   || coalesce(b.backend_pid::text, 'unknown') || ' is gone or no longer holds the '
                   || 'store''s lock); nothing of it was landed'
     where b.tenant_id = $1 and b.source = $2 and b.store_id = $3
       and b.status = 'running'
       and (b.backend_pid is null
            or not exists (select 1 from pg_stat_activity a where a.pid = b.backend_pid)
            or not exists (select 1 from pg_locks l
                            where l.pid = b.backend_pid and l.locktype = 'advisory' and l.granted
                              and l.classid::bigint = $4 and l.objid::bigint = $5 and l.objsubid = 1))
    returning b.batch_id
)
insert into raw.batches (tenant_id, source, store_id, origin, file_name, status, cursor_before, backend_pid)
values ($1, $2, $3, $6, $7, 'running', $8, $9)
returning batch_id, (select array_agg(batch_id) from stale)
"""

_PREPARE_DATA = """
prepare oms_commit_batch (bigint, integer, integer, integer, integer, text) as
update raw.batches
   set status = 'committed', fetched_count = $2, landed_count = $3, duplicate_count = $4,
       rejected_count = $5, cursor_after = $6, error = null, finished_at = clock_timestamp(),
       commit_seq = nextval('raw.batch_commit_seq')
 where batch_id = $1
returning commit_seq
"""


def sweep_interrupted(url: str | None = None) -> list[int]:
    """Mark every ``running`` batch whose database backend is gone as ``interrupted``.

    Safe at any time: a batch's rows only become visible when its own transaction commits, and
    that transaction dies with its backend. (The next batch of the same store also catches a
    backend pid that was reused since, by the store's lock.) Returns the batch ids marked.
    """
    with db.transaction(url) as cur:
        cur.execute(
            """update raw.batches b
                  set status = 'interrupted', finished_at = clock_timestamp(),
                      error = 'interrupted: the loading process ended before the batch committed '
                              || '(backend ' || coalesce(b.backend_pid::text, 'unknown') || ' is gone); '
                              || 'nothing of it was landed'
                where b.status = 'running'
                  and (b.backend_pid is null
                       or not exists (select 1 from pg_stat_activity a where a.pid = b.backend_pid))
            returning b.batch_id"""
        )
        return [r[0] for r in cur.fetchall()]


class LandingSession:
    """The two connections a batch uses, kept open across batches (``oms import`` of many files,
    a landing folder of thousands of pages): a batch then costs a few round trips, not two logins.

    The *data* connection runs in autocommit mode with explicit ``begin``/``commit`` so that a
    batch's first and last steps each take one round trip. Use as a context manager, or call
    ``close()``. One session serves one thread at a time.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url
        self._data: psycopg2.extensions.connection | None = None
        self._ledger: psycopg2.extensions.connection | None = None
        self.data_pid: int | None = None
        self.tables: set[str] = set()
        self.exists_prepared: set[str] = set()

    def connections(self) -> tuple[psycopg2.extensions.connection, psycopg2.extensions.connection]:
        """(data, ledger), connecting again if either was lost."""
        if self._ledger is None or self._ledger.closed:
            self._ledger = db.connect(self.url, application_name="oms-ledger")
            self._ledger.autocommit = True
            with self._ledger.cursor() as cur:
                cur.execute(_PREPARE_LEDGER)
        if self._data is None or self._data.closed:
            self._data = db.connect(self.url, application_name="oms-landing")
            self._data.autocommit = True
            self.exists_prepared = set()
            with self._data.cursor() as cur:
                cur.execute(_PREPARE_DATA)
                cur.execute("select pg_backend_pid()")
                self.data_pid = cur.fetchone()[0]
                cur.execute(
                    """select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where n.nspname = 'raw' and c.relkind in ('r', 'p')"""
                )
                self.tables = {r[0] for r in cur.fetchall()} - _NON_LANDING_TABLES
        return self._data, self._ledger

    def close(self) -> None:
        for conn in (self._data, self._ledger):
            if conn is not None and not conn.closed:
                conn.close()
        self._data = self._ledger = None

    def __enter__(self) -> LandingSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Chunk:
    __slots__ = ("tables", "rejects", "nbytes", "duplicate")

    def __init__(self) -> None:
        self.tables: dict[str, dict[tuple[str, str], bytes]] = {}
        self.rejects: list[tuple] = []
        self.nbytes = 0
        self.duplicate = 0  # repeated within this chunk


class _Writer:
    """Writes chunks into the open data transaction (in the worker thread, or the caller's)."""

    def __init__(self, session: LandingSession, cur, result: BatchResult) -> None:
        self.session = session
        self.cur = cur
        self.tenant_id, self.store_id = result.tenant_id, result.store_id
        self.prefix = _SEP.join(
            [
                result.tenant_id.encode(),
                result.source.encode(),
                result.store_id.encode(),
                str(result.batch_id).encode(),
                b"",
            ]
        )
        self.landed_by_table: dict[str, int] = {}
        self.seconds = {"dedupe": 0.0, "copy": 0.0}
        self._sql: dict[str, tuple[str, str]] = {}

    def _statements(self, table: str) -> tuple[str, str]:
        """(execute-exists, copy) statements for a raw table, preparing the first on first use."""
        name = f"oms_exists_{table}"
        ident = sql.Identifier("raw", table)
        if table not in self.session.exists_prepared:
            self.cur.execute(
                sql.SQL(
                    "prepare {} (text, text, text, text) as "
                    "select k.nk, k.sha "
                    "from unnest(string_to_array($1, E'\\n'), string_to_array($2, E'\\n')) as k(nk, sha) "
                    # lateral + limit: an index probe per key whatever the (generic) plan estimates
                    "cross join lateral (select 1 from {} r where r.tenant_id = $3 and r.store_id = $4 "
                    "and r.natural_key = k.nk and r.payload_sha256 = k.sha limit 1) as found"
                ).format(sql.Identifier(name), ident)
            )
            self.session.exists_prepared.add(table)
        if table not in self._sql:
            self._sql[table] = (
                sql.SQL("execute {} (%s, %s, %s, %s)").format(sql.Identifier(name)).as_string(self.cur),
                sql.SQL(
                    "copy {} (tenant_id, source, store_id, batch_id, natural_key, parent_key, "
                    "payload_sha256, payload) from stdin "
                    "with (format csv, delimiter E'\\x02', quote E'\\x01')"
                )
                .format(ident)
                .as_string(self.cur),
            )
        return self._sql[table]

    def write(self, chunk: _Chunk) -> tuple[int, int]:
        """Land one chunk; returns (landed, duplicate)."""
        landed = duplicate = 0
        cur = self.cur
        for table, rows in chunk.tables.items():
            started = time.perf_counter()
            exists_sql, copy_sql = self._statements(table)
            cur.execute(
                exists_sql,
                ("\n".join(k[0] for k in rows), "\n".join(k[1] for k in rows), self.tenant_id, self.store_id),
            )
            for nk, sha in cur.fetchall():
                del rows[(nk, sha)]
                duplicate += 1
            copying = time.perf_counter()
            self.seconds["dedupe"] += copying - started
            if rows:
                data = self.prefix + self.prefix.join(rows.values())
                # One read of the whole chunk: libpq then sends it with the GIL released, so the
                # parsing thread cannot starve the server between small reads.
                cur.copy_expert(copy_sql, io.BytesIO(data), size=len(data))
                landed += len(rows)
                self.landed_by_table[table] = self.landed_by_table.get(table, 0) + len(rows)
            self.seconds["copy"] += time.perf_counter() - copying
        if chunk.rejects:
            execute_values(
                cur,
                "insert into raw.rejects (tenant_id, source, store_id, batch_id, file_name, record_index, "
                "natural_key, reason, raw_bytes, raw_sha256) values %s "
                "on conflict (tenant_id, source, store_id, raw_sha256, reason) do nothing",
                chunk.rejects,
                page_size=500,
            )
        return landed, duplicate


def land_batch(
    tenant_id: str,
    source: str,
    store_id: str,
    items: Iterable[Record | Reject],
    *,
    origin: str = "file",
    file_name: str | None = None,
    cursor_before: str | None = None,
    cursor_after: str | None = None,
    url: str | None = None,
    session: LandingSession | None = None,
) -> BatchResult:
    """Land one batch (see the module docstring). Never raises for bad data or a failed load:
    the returned result says ``failed`` with the error (KeyboardInterrupt still propagates).

    Pass a ``session`` to reuse its connections across batches; without one, the batch opens
    (and closes) its own, to ``url`` or the configured database.
    """
    started = time.monotonic()
    file_name = safe_text(file_name)
    result = BatchResult(None, tenant_id, source, store_id, file_name, "failed")
    own = session is None
    session = session or LandingSession(url)
    data = ledger = None
    try:
        for kind, value in (("tenant", tenant_id), ("source", source), ("store", store_id)):
            _check_name(kind, value)
        data, ledger = session.connections()
        key = store_lock_key(tenant_id, source, store_id)
        with data.cursor() as cur:
            cur.execute("begin; select pg_advisory_xact_lock(%s)", (key,))
        with ledger.cursor() as lcur:
            lcur.execute(
                "execute oms_open_batch (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    tenant_id,
                    source,
                    store_id,
                    (key >> 32) & 0xFFFFFFFF,
                    key & 0xFFFFFFFF,
                    origin,
                    file_name,
                    cursor_before,
                    session.data_pid,
                ),
            )
            result.batch_id, stale = lcur.fetchone()
        for batch_id in stale or ():
            log.warning("batch %s of %s/%s/%s marked interrupted", batch_id, tenant_id, source, store_id)
        with data.cursor() as cur:
            _load(session, cur, result, items)
            cur.execute(
                "select pg_advisory_xact_lock(%s); execute oms_commit_batch (%s, %s, %s, %s, %s, %s)",
                (
                    COMMIT_LOCK,
                    result.batch_id,
                    result.fetched,
                    result.landed,
                    result.duplicate,
                    result.rejected,
                    cursor_after,
                ),
            )
            result.commit_seq = cur.fetchone()[0]
            cur.execute("commit")
        result.status = "committed"
    except Exception as exc:  # noqa: BLE001 - a failed batch is reported, not raised
        result.status = "failed"
        result.error = f"{type(exc).__name__}: {exc}".strip()
        log.error(
            "batch %s (%s/%s/%s, %s) failed: %s",
            result.batch_id,
            tenant_id,
            source,
            store_id,
            file_name,
            result.error,
        )
        _fail(data, ledger, result)
    finally:
        if own:
            session.close()
        result.seconds = time.monotonic() - started
    return result


def _fail(data, ledger, result: BatchResult) -> None:
    if data is not None and not data.closed:
        try:
            with data.cursor() as cur:
                cur.execute("rollback")
        except psycopg2.Error as err:
            log.warning("rollback failed: %s", err)
            data.close()
    if result.batch_id is None or ledger is None or ledger.closed:
        return
    try:
        with ledger.cursor() as cur:
            cur.execute(
                """update raw.batches
                      set status = 'failed', error = %s, fetched_count = %s, landed_count = 0,
                          duplicate_count = 0, rejected_count = 0, finished_at = clock_timestamp()
                    where batch_id = %s and status = 'running'""",
                (
                    f"{result.error} (after {result.fetched} records read; nothing landed)"[:4000],
                    result.fetched,
                    result.batch_id,
                ),
            )
    except psycopg2.Error as err:
        log.warning("could not mark batch %s failed: %s", result.batch_id, err)
    result.landed = result.duplicate = result.rejected = 0
    result.landed_by_table = {}


def _load(session: LandingSession, cur, result: BatchResult, items) -> None:
    """Stream the items into the open data transaction, a chunk at a time.

    Full chunks go to one worker thread (started only when a batch has more than one chunk), so
    parsing the next chunk overlaps with landing this one. Counts go into ``result`` as they are
    known, so a failure can say how far it got.
    """
    writer = _Writer(session, cur, result)
    tables = session.tables
    reject_base = (result.tenant_id, result.source, result.store_id, result.batch_id, result.file_name)
    notes = result.rejects
    sha256 = hashlib.sha256
    chunk = _Chunk()
    pool: ThreadPoolExecutor | None = None
    pending: Future | None = None

    def collect(future: Future | None) -> None:
        if future is not None:
            got_landed, got_dup = future.result()
            result.landed += got_landed
            result.duplicate += got_dup

    try:
        for item in items:
            result.fetched += 1
            if type(item) is Record:
                table, nk, parent, payload = item
                if table not in tables:
                    raise ValueError(f"no landing table raw.{table}")
                if nk and nk.isprintable() and (parent is None or (parent and parent.isprintable())):
                    sha = sha256(payload).hexdigest()
                    rows = chunk.tables.get(table)
                    if rows is None:
                        rows = chunk.tables[table] = {}
                    key = (nk, sha)
                    if key in rows:
                        chunk.duplicate += 1
                        continue
                    rows[key] = b"".join(
                        (
                            nk.encode(),
                            _SEP,
                            parent.encode() if parent is not None else b"",
                            _SEP,
                            sha.encode(),
                            _SEP,
                            payload,
                            _NL,
                        )
                    )
                    chunk.nbytes += len(payload) + 100
                    if chunk.nbytes >= CHUNK_BYTES:
                        collect(pending)
                        result.duplicate += chunk.duplicate
                        if pool is None:
                            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oms-copy")
                        pending = pool.submit(writer.write, chunk)
                        chunk = _Chunk()
                    continue
                item = Reject(
                    f"natural key {nk!r} (parent {parent!r}) is empty or holds control characters",
                    payload,
                    None,
                    None,
                )
            elif type(item) is not Reject:
                raise TypeError(f"land_batch takes Record and Reject items, not {type(item).__name__}")
            result.rejected += 1
            raw = bytes(item.raw)
            chunk.rejects.append(
                (
                    *reject_base,
                    item.record_index,
                    safe_text(item.natural_key),
                    safe_text(item.reason),
                    psycopg2.Binary(raw),
                    sha256(raw).hexdigest(),
                )
            )
            chunk.nbytes += len(raw) + 100
            if len(notes) < MAX_REJECT_NOTES:
                notes.append(
                    RejectNote(item.record_index, safe_text(item.natural_key), safe_text(item.reason))
                )
        collect(pending)
        pending = None
        result.duplicate += chunk.duplicate
        if chunk.tables or chunk.rejects:
            landed, duplicate = writer.write(chunk)
            result.landed += landed
            result.duplicate += duplicate
    finally:
        if pool is not None:
            pool.shutdown(wait=True)  # a chunk still being written finishes before the rollback
    result.landed_by_table = writer.landed_by_table
    result.db_seconds = dict(writer.seconds)

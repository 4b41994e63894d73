"""Download runs: a store's connector pages land one batch each, and the cursor moves only on commit.

The cursor of a store is the ``cursor_after`` of its last committed ``api`` batch: the ISO UTC
high-water mark of the platform's update time among the orders landed so far. A run asks for
``[cursor - overlap, until]`` (the first run: ``initial_since`` or 30 days back; ``until``: now, or
what the connector allows, e.g. Amazon 2 minutes before now). Orders seen again in the overlap
are counted as duplicates by the landing, never stored twice. A run killed midway loses only its
uncommitted page: the next run resumes from the last committed cursor.

A failure (refused credentials, a platform that keeps failing) stops that store's run: the error
goes into the batch ledger (a ``failed`` api batch) and the result. ``run_downloads`` runs every
active store with an API URL, each isolated from the others.

Completeness: when the platform reports how many orders a window holds, the run compares it with
what it fetched and records the outcome in ``quality.check_results`` (check
``download_completeness``, asset ``raw/<channel>``).
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ingestion.connectors import connector_for
from ingestion.connectors.base import Connector, Page, as_utc, iso_utc, max_time, parse_time, utcnow
from ingestion.landing import BatchResult, LandingSession, land_batch, store_lock_key
from ingestion.sources import parser_for
from ingestion.stores import get_store, list_stores
from warehouse import db

log = logging.getLogger(__name__)

FIRST_RUN_DAYS = 30
Echo = Callable[[str], None]


@dataclass
class DownloadResult:
    tenant_id: str | None
    store_id: str
    channel: str | None = None
    status: str = "failed"  # ok | failed | skipped (another download of the store was running)
    error: str | None = None
    since: str | None = None
    until: str | None = None
    cursor_before: str | None = None
    cursor_after: str | None = None
    pages: int = 0
    fetched: int = 0
    landed: int = 0
    duplicate: int = 0
    rejected: int = 0
    orders: int = 0  # orders the pages held (for the completeness check)
    reported_total: int | None = None
    completeness_alert: str | None = None
    batch_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def summary(self) -> str:
        head = f"{self.tenant_id}/{self.store_id} ({self.channel}): {self.status}"
        counts = (
            f"{self.pages} page(s), {self.fetched} record(s) fetched, {self.landed} landed, "
            f"{self.duplicate} duplicate, {self.rejected} rejected; window {self.since} .. {self.until}; "
            f"cursor {self.cursor_before} -> {self.cursor_after}; {self.seconds:.1f}s"
        )
        tail = ""
        if self.completeness_alert:
            tail += f"\n  INCOMPLETE: {self.completeness_alert}"
        if self.error:
            tail += f"\n  error: {self.error}"
        return f"{head}: {counts}{tail}"


# -- the cursor -----------------------------------------------------------------------------------


def last_cursor(cur, tenant_id: str, channel: str, store_id: str) -> str | None:
    """The cursor_after of the store's last committed api batch that has one."""
    cur.execute(
        """select cursor_after from raw.batches
            where tenant_id = %s and source = %s and store_id = %s and origin = 'api'
              and status = 'committed' and cursor_after is not null
            order by commit_seq desc limit 1""",
        (tenant_id, channel, store_id),
    )
    row = cur.fetchone()
    return row[0] if row else None


def _items(channel: str, bodies: list[bytes]) -> Iterator[Any]:
    for body in bodies:
        yield from parser_for(channel).records(io.BytesIO(body))


def _raising(err: BaseException) -> Iterator[Any]:
    raise err
    yield  # pragma: no cover - makes this a generator


def _record_failure(
    store, session: LandingSession, cursor: str | None, err: BaseException, name: str
) -> int | None:
    """A failed api batch in the ledger carrying the error (nothing lands)."""
    batch = land_batch(
        store.tenant_id,
        store.channel,
        store.store_id,
        _raising(err),
        origin="api",
        file_name=name,
        cursor_before=cursor,
        cursor_after=cursor,
        session=session,
    )
    return batch.batch_id


def _record_completeness(cur, result: DownloadResult, run_id: str | None) -> None:
    success = result.reported_total == result.orders
    if not success:
        result.completeness_alert = (
            f"{result.channel} reported {result.reported_total} order(s) updated in "
            f"{result.since} .. {result.until}, the download fetched {result.orders}"
        )
    cur.execute(
        """insert into quality.check_results
               (run_id, check_name, asset, success, evaluated_count, failed_count, details)
           values (%s, 'download_completeness', %s, %s, %s, %s, %s::jsonb)""",
        (
            run_id,
            f"raw/{result.channel}",
            success,
            result.reported_total,
            abs((result.reported_total or 0) - result.orders),
            json.dumps(
                {
                    "tenant_id": result.tenant_id,
                    "store_id": result.store_id,
                    "since": result.since,
                    "until": result.until,
                    "reported": result.reported_total,
                    "fetched": result.orders,
                    "batch_ids": result.batch_ids,
                }
            ),
        ),
    )


# -- one store ------------------------------------------------------------------------------------


def run_download(
    store_id: str,
    tenant_id: str | None = None,
    *,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    order_ids: list[str] | None = None,
    url: str | None = None,
    echo: Echo | None = None,
    run_id: str | None = None,
    connector_kwargs: dict[str, Any] | None = None,
) -> DownloadResult:
    """Download one store (see the module docstring). Never raises for a platform or landing
    failure: the result says ``failed`` with the error (KeyboardInterrupt still propagates).

    ``order_ids``: re-download these orders (the cursor does not move). ``echo``: per-page
    progress lines. ``connector_kwargs``: passed to the connector (``http``, ``now``).
    """
    started = time.monotonic()
    say = echo or (lambda _msg: None)
    result = DownloadResult(tenant_id, store_id)
    try:
        store = get_store(tenant_id, store_id, url=url)
    except Exception as err:  # noqa: BLE001 - unknown store, missing secret: this store fails
        result.error = str(err)
        result.seconds = time.monotonic() - started
        _record_store_failure(tenant_id, store_id, err, url)
        return result
    result.tenant_id, result.channel = store.tenant_id, store.channel
    lock_conn = db.connect(url, application_name="oms-download")
    lock_conn.autocommit = True
    try:
        with lock_conn.cursor() as cur:
            cur.execute(
                "select pg_try_advisory_lock(%s)",
                (store_lock_key(store.tenant_id, f"download:{store.channel}", store.store_id),),
            )
            if not cur.fetchone()[0]:
                result.status = "skipped"
                result.error = "another download of this store is running"
                return result
            with LandingSession(url) as session:
                _download(store, session, cur, result, since, until, order_ids, say, run_id, connector_kwargs)
    finally:
        lock_conn.close()  # releases the session lock
        result.seconds = time.monotonic() - started
    return result


def _record_store_failure(tenant_id: str | None, store_id: str, err: BaseException, url: str | None) -> None:
    """A store that cannot even start (e.g. a missing secret) still shows a failed batch, when known."""
    if tenant_id is None:
        return
    try:
        with db.transaction(url) as cur:
            cur.execute(
                "select channel from app.stores where tenant_id = %s and store_id = %s", (tenant_id, store_id)
            )
            row = cur.fetchone()
        if row is None:
            return
        land_batch(tenant_id, row[0], store_id, _raising(err), origin="api", file_name="api:setup", url=url)
    except Exception as exc:  # noqa: BLE001 - reporting a failure must not hide it
        log.warning("could not record the failure of %s/%s: %s", tenant_id, store_id, exc)


def _download(
    store,
    session: LandingSession,
    cur,
    result: DownloadResult,
    since: datetime | str | None,
    until: datetime | str | None,
    order_ids: list[str] | None,
    say: Echo,
    run_id: str | None,
    connector_kwargs: dict[str, Any] | None,
) -> None:
    cursor = last_cursor(cur, store.tenant_id, store.channel, store.store_id)
    result.cursor_before = result.cursor_after = cursor
    connector: Connector | None = None
    name = "api"
    try:
        connector = connector_for(store, **(connector_kwargs or {}))
        if order_ids:
            name = f"api:{store.channel}:ids"
            pages = connector.fetch_by_ids(list(order_ids))
            moves_cursor = False
        else:
            start, end = _window(store, connector, cursor, since, until)
            result.since, result.until = iso_utc(start), iso_utc(end)
            name = f"api:{store.channel}:{result.since}..{result.until}"
            if start >= end:
                result.status = "ok"
                say(f"{store.label}: nothing to ask for ({result.since} is not before {result.until})")
                return
            pages = connector.pages(start, end)
            moves_cursor = True
        for page in pages:
            result.pages += 1
            after = max_time(cursor, page.cursor_after) if moves_cursor else cursor
            batch = land_batch(
                store.tenant_id,
                store.channel,
                store.store_id,
                _items(store.channel, page.bodies),
                origin="api",
                file_name=f"{name}:p{result.pages}",
                cursor_before=cursor,
                cursor_after=after,
                session=session,
            )
            _add(result, batch, page)
            if batch.status != "committed":
                result.error = f"page {result.pages}: landing failed: {batch.error}"
                return
            cursor = result.cursor_after = after
            say(
                f"{store.label}: page {result.pages}: {batch.fetched} fetched, {batch.landed} landed, "
                f"{batch.duplicate} duplicate, {batch.rejected} rejected; cursor {cursor}"
            )
        if moves_cursor and result.reported_total is None:
            result.reported_total = connector.reported_count(
                parse_time(result.since), parse_time(result.until)
            )
        if moves_cursor and result.reported_total is not None:
            _record_completeness(cur, result, run_id)
            if result.completeness_alert:
                say(f"{store.label}: INCOMPLETE: {result.completeness_alert}")
        result.status = "ok"
    except Exception as err:  # noqa: BLE001 - one store's failure is its result, not the caller's
        result.error = str(err) or type(err).__name__
        log.error("download of %s failed: %s", store.label, result.error)
        try:
            batch_id = _record_failure(store, session, cursor, err, f"{name}:p{result.pages + 1}")
            if batch_id is not None:
                result.batch_ids.append(batch_id)
        except Exception as exc:  # noqa: BLE001
            log.warning("could not record the failure of %s: %s", store.label, exc)
    finally:
        if connector is not None:
            connector.close()


def _window(
    store,
    connector: Connector,
    cursor: str | None,
    since: datetime | str | None,
    until: datetime | str | None,
) -> tuple[datetime, datetime]:
    latest = as_utc(connector.latest_until())
    end = latest if until is None else min(_moment(until), latest)
    if since is not None:
        start = _moment(since)
    elif cursor is not None:
        start = parse_time(cursor) - timedelta(minutes=store.overlap_minutes)
    elif store.initial_since is not None:
        start = as_utc(store.initial_since)
    else:
        start = as_utc(connector.now()) - timedelta(days=FIRST_RUN_DAYS)
    return start, end


def _moment(value: datetime | str) -> datetime:
    return parse_time(value) if isinstance(value, str) else as_utc(value)


def _add(result: DownloadResult, batch: BatchResult, page: Page) -> None:
    if batch.batch_id is not None:
        result.batch_ids.append(batch.batch_id)
    result.fetched += batch.fetched
    result.landed += batch.landed
    result.duplicate += batch.duplicate
    result.rejected += batch.rejected
    result.orders += page.order_count if page.order_count is not None else batch.fetched
    if page.reported_total is not None and result.reported_total is None:
        result.reported_total = page.reported_total


# -- every store ----------------------------------------------------------------------------------


def downloadable_stores(
    tenant_id: str | None = None, store_ids: list[str] | None = None, *, url: str | None = None
):
    """Active stores with an API URL (optionally of one tenant / some store ids)."""
    stores = [s for s in list_stores(tenant_id, active_only=True, url=url) if s.api_base_url]
    if store_ids is not None:
        wanted = set(store_ids)
        stores = [s for s in stores if s.store_id in wanted]
    return stores


def run_downloads(
    tenant_id: str | None = None,
    store_ids: list[str] | None = None,
    *,
    url: str | None = None,
    echo: Echo | None = None,
    run_id: str | None = None,
) -> list[DownloadResult]:
    """Download every active store with an API URL, one after another, each isolated."""
    results = []
    for store in downloadable_stores(tenant_id, store_ids, url=url):
        try:
            results.append(run_download(store.store_id, store.tenant_id, url=url, echo=echo, run_id=run_id))
        except Exception as err:  # noqa: BLE001 - run_download reports failures; this is a last guard
            results.append(DownloadResult(store.tenant_id, store.store_id, store.channel, error=str(err)))
    return results


def due_stores(now: datetime | None = None, *, url: str | None = None) -> list[tuple[str, str, int]]:
    """(tenant_id, store_id, slot) of the active API stores whose download interval has elapsed
    since their last api batch started (or that never ran). ``slot`` numbers the interval window
    (minutes since the epoch // interval): a run key per store and slot runs a store once per slot."""
    now = as_utc(now or utcnow())
    with db.transaction(url) as cur:
        cur.execute(
            """select s.tenant_id, s.store_id, s.download_interval_minutes,
                      (select max(b.started_at) from raw.batches b
                        where b.tenant_id = s.tenant_id and b.source = s.channel and b.store_id = s.store_id
                          and b.origin = 'api') as last_started
                 from app.stores s
                where s.is_active and s.api_base_url is not null
                order by s.tenant_id, s.store_id"""
        )
        rows = cur.fetchall()
    due = []
    for tenant_id, store_id, interval, last_started in rows:
        if last_started is None or now - as_utc(last_started) >= timedelta(minutes=interval):
            slot = int(now.timestamp() // 60) // interval
            due.append((tenant_id, store_id, slot))
    return due

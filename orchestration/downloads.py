"""API downloads in Dagster: the manual ``download_store`` job, one sensor that keeps every store
downloading at its own interval, and one that starts the downloads asked for in the app.

Stores are data (``app.stores``), so instead of one schedule per store built at code-location load
(stale until the location reloads), one sensor ticks every minute and launches a ``download_store``
run for each active API store whose interval has elapsed since its last api batch; the run key
(store + interval slot) keeps a store to one run per slot. Landed batches are picked up by the
``everything`` job on its own schedule. No business rule here: this wires ``ingestion.connectors``.

Manual downloads from the app (the Stores page's "Download now") follow the design's decision
flow: the app writes a row into ``app.download_requests``; the ``download_requests`` sensor claims
``requested`` rows (status ``running``, ``for update skip locked`` so two daemons never claim one)
and launches ``download_store`` with the request's window or order ids and ``request_id``, run key =
the request id; the op records the run id, live progress per page, and at the end the outcome
(``succeeded``/``failed``, the DownloadResult summary, the error). Only the pipeline's owner role
changes a request; the app role may read and insert them.
"""

import logging
import time
from typing import Any

import dagster as dg

log = logging.getLogger(__name__)

# A claimed request whose run never started (the daemon stopped between the claim and the launch)
# is offered again after this long; its run key is the request id, so Dagster launches it at most once.
STALE_CLAIM_MINUTES = 10
CLAIM_BATCH = 20
# A requested download that finds the store's automatic download running waits for it this long.
BUSY_RETRIES = 30
BUSY_WAIT_S = 10.0


# (no `from __future__ import annotations`: Dagster reads the config annotations at runtime)
class DownloadConfig(dg.Config):
    store_id: str
    tenant_id: str | None = None
    since: str | None = None  # ISO time; default: the store's cursor minus its overlap
    until: str | None = None  # ISO time; default: now
    order_ids: list[str] = []  # re-download these orders instead of a time window
    request_id: int | None = None  # the app.download_requests row this run serves, if any


# -- download requests (app.download_requests, as the owner role) ---------------------------------


def claim_download_requests(limit: int = CLAIM_BATCH, url: str | None = None) -> list[dict[str, Any]]:
    """Mark up to ``limit`` requested downloads ``running`` and return them (oldest first), with
    the stale claims whose run never started (see STALE_CLAIM_MINUTES)."""
    from warehouse import db

    with db.transaction(url) as cur:
        cur.execute(
            """with claimable as (
                   select request_id from app.download_requests
                   where status = 'requested'
                      or (status = 'running' and dagster_run_id is null
                          and started_at < now() - make_interval(mins => %s))
                   order by requested_at, request_id
                   limit %s
                   for update skip locked
               )
               update app.download_requests r
                  set status = 'running', started_at = now()
                 from claimable c
                where r.request_id = c.request_id
            returning r.request_id, r.tenant_id, r.store_id, r.since, r.until, r.order_ids,
                      r.requested_by, r.requested_at""",
            (STALE_CLAIM_MINUTES, limit),
        )
        columns = [d[0] for d in cur.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    return sorted(rows, key=lambda r: (r["requested_at"], r["request_id"]))


def request_run_config(request: dict[str, Any]) -> dict[str, Any]:
    """The ``download_store`` run config serving a claimed request."""
    config: dict[str, Any] = {
        "store_id": request["store_id"],
        "tenant_id": request["tenant_id"],
        "request_id": int(request["request_id"]),
    }
    if request.get("since") is not None:
        config["since"] = request["since"].isoformat()
    if request.get("until") is not None:
        config["until"] = request["until"].isoformat()
    if request.get("order_ids"):
        config["order_ids"] = list(request["order_ids"])
    return {"ops": {"download_store_op": {"config": config}}}


def _request_started(request_id: int, run_id: str, url: str | None = None) -> None:
    from warehouse import db

    with db.transaction(url) as cur:
        cur.execute(
            """update app.download_requests
                  set status = 'running', dagster_run_id = %s, started_at = coalesce(started_at, now())
                where request_id = %s and status in ('requested', 'running')""",
            (run_id, request_id),
        )


def _request_progress(request_id: int, url: str | None = None) -> None:
    """Live progress on the request: its store's api batches since the request started."""
    from warehouse import db

    with db.transaction(url) as cur:
        cur.execute(
            """update app.download_requests r
                  set summary = r.summary || jsonb_build_object('progress', (
                      select jsonb_build_object(
                                 'pages', count(*) filter (where b.status = 'committed'),
                                 'landed', coalesce(sum(b.landed_count), 0),
                                 'duplicate', coalesce(sum(b.duplicate_count), 0),
                                 'rejected', coalesce(sum(b.rejected_count), 0),
                                 'cursor_after', (array_agg(b.cursor_after order by b.batch_id desc)
                                                  filter (where b.status = 'committed'))[1],
                                 'at', now())
                        from raw.batches b
                        join app.stores s on s.tenant_id = b.tenant_id and s.store_id = b.store_id
                                         and s.channel = b.source
                       where b.tenant_id = r.tenant_id and b.store_id = r.store_id and b.origin = 'api'
                         and b.started_at >= r.started_at))
                where r.request_id = %s and r.status = 'running'""",
            (request_id,),
        )


def _request_finished(
    request_id: int, status: str, summary: dict[str, Any], error: str | None, url: str | None = None
) -> None:
    import json

    from warehouse import db

    with db.transaction(url) as cur:
        cur.execute(
            """update app.download_requests
                  set status = %s, finished_at = now(), summary = summary || %s::jsonb, error = %s
                where request_id = %s and status in ('requested', 'running')""",
            (status, json.dumps(summary, default=str), error, request_id),
        )


def _result_summary(result: Any) -> dict[str, Any]:
    return {
        "status": result.status,
        "pages": result.pages,
        "fetched": result.fetched,
        "landed": result.landed,
        "duplicate": result.duplicate,
        "rejected": result.rejected,
        "since": result.since,
        "until": result.until,
        "cursor_before": result.cursor_before,
        "cursor_after": result.cursor_after,
        "reported_total": result.reported_total,
        "completeness_alert": result.completeness_alert,
        "batch_ids": list(result.batch_ids),
        "seconds": round(result.seconds, 3),
    }


# -- the job ----------------------------------------------------------------------------------------


@dg.op(description="Download one store's orders from its API and land them (one batch per page).")
def download_store_op(context: dg.OpExecutionContext, config: DownloadConfig) -> dg.Output[dict]:
    from ingestion.connectors.run import run_download

    request_id = config.request_id
    echo = context.log.info
    if request_id is not None:
        _request_started(request_id, context.run_id)

        def echo(message: str) -> None:
            context.log.info(message)
            try:
                _request_progress(request_id)
            except Exception as err:  # noqa: BLE001 - progress is a courtesy; the download goes on
                log.warning("could not record the progress of download request %s: %s", request_id, err)

    try:
        for attempt in range(BUSY_RETRIES + 1):
            result = run_download(
                config.store_id,
                config.tenant_id,
                since=config.since,
                until=config.until,
                order_ids=config.order_ids or None,
                echo=echo,
                run_id=context.run_id,
            )
            # An asked-for download waits for the store's automatic download instead of giving up.
            if result.status != "skipped" or request_id is None or attempt == BUSY_RETRIES:
                break
            context.log.info(f"{result.error}; trying again in {BUSY_WAIT_S:.0f}s")
            time.sleep(BUSY_WAIT_S)
    except BaseException as err:
        if request_id is not None:
            _request_finished(request_id, "failed", {}, f"{type(err).__name__}: {err}")
        raise
    context.log.info(result.summary())
    if result.completeness_alert:
        context.log.warning(f"incomplete download: {result.completeness_alert}")
    summary = _result_summary(result)
    if request_id is not None:
        error = result.error if result.status != "ok" else None
        _request_finished(request_id, "succeeded" if result.status == "ok" else "failed", summary, error)
    if result.status == "failed":
        raise dg.Failure(
            description=f"download of {result.tenant_id}/{result.store_id} failed: {result.error}",
            metadata={"batch_ids": str(result.batch_ids)},
        )
    return dg.Output(summary, metadata={k: dg.MetadataValue.text(str(v)) for k, v in summary.items()})


@dg.job(description="Download one store now (tenant, store, optional since/until or order ids).")
def download_store():
    download_store_op()


# -- sensors ----------------------------------------------------------------------------------------


@dg.sensor(
    job=download_store,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Launches `download_store` for each active API store whose download interval has elapsed.",
)
def store_downloads_sensor(context: dg.SensorEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
    from ingestion.connectors.run import due_stores

    due = due_stores()
    if not due:  # returned, not yielded: a generator's SkipReason would be lost
        return dg.SkipReason("no store is due for a download")
    return [
        dg.RunRequest(
            run_key=f"download-{tenant_id}-{store_id}-{slot}",
            run_config={
                "ops": {"download_store_op": {"config": {"store_id": store_id, "tenant_id": tenant_id}}}
            },
            tags={"oms/tenant": tenant_id, "oms/store": store_id, "oms/trigger": "download sensor"},
        )
        for tenant_id, store_id, slot in due
    ]


@dg.sensor(
    name="download_requests",
    job=download_store,
    minimum_interval_seconds=20,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts `download_store` for each download asked for in the app (app.download_requests).",
)
def download_requests_sensor(context: dg.SensorEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
    claimed = claim_download_requests()
    if not claimed:
        return dg.SkipReason("no download requested")
    return [
        dg.RunRequest(
            run_key=f"download-request-{request['request_id']}",
            run_config=request_run_config(request),
            tags={
                "oms/tenant": request["tenant_id"],
                "oms/store": request["store_id"],
                "oms/trigger": "download request",
                "oms/download_request": str(request["request_id"]),
            },
        )
        for request in claimed
    ]


@dg.run_failure_sensor(
    name="download_request_failures",
    monitored_jobs=[download_store],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks a download request failed when its run failed before the op could say so.",
)
def download_request_failures(context: dg.RunFailureSensorContext) -> None:
    config = (context.dagster_run.run_config or {}).get("ops", {}).get("download_store_op", {})
    request_id = (config.get("config") or {}).get("request_id")
    if request_id is None:
        return
    message = context.failure_event.message if context.failure_event else None
    _request_finished(int(request_id), "failed", {}, f"the run failed: {message or 'see the Dagster run'}")


download_jobs = [download_store]
download_sensors = [store_downloads_sensor, download_requests_sensor, download_request_failures]

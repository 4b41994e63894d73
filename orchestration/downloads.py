"""API downloads in Dagster: the manual ``download_store`` job and one sensor that keeps every store
downloading at its own interval.

Stores are data (``app.stores``), so instead of one schedule per store built at code-location load
(stale until the location reloads), one sensor ticks every minute and launches a ``download_store``
run for each active API store whose interval has elapsed since its last api batch; the run key
(store + interval slot) keeps a store to one run per slot. Landed batches are picked up by the
``everything`` job on its own schedule. No business rule here: this wires ``ingestion.connectors``.
"""

import dagster as dg


# (no `from __future__ import annotations`: Dagster reads the config annotations at runtime)
class DownloadConfig(dg.Config):
    store_id: str
    tenant_id: str | None = None
    since: str | None = None  # ISO time; default: the store's cursor minus its overlap
    until: str | None = None  # ISO time; default: now
    order_ids: list[str] = []  # re-download these orders instead of a time window


@dg.op(description="Download one store's orders from its API and land them (one batch per page).")
def download_store_op(context: dg.OpExecutionContext, config: DownloadConfig) -> dg.Output[dict]:
    from ingestion.connectors.run import run_download

    result = run_download(
        config.store_id,
        config.tenant_id,
        since=config.since,
        until=config.until,
        order_ids=config.order_ids or None,
        echo=context.log.info,
        run_id=context.run_id,
    )
    context.log.info(result.summary())
    if result.completeness_alert:
        context.log.warning(f"incomplete download: {result.completeness_alert}")
    if result.status == "failed":
        raise dg.Failure(
            description=f"download of {result.tenant_id}/{result.store_id} failed: {result.error}",
            metadata={"batch_ids": str(result.batch_ids)},
        )
    summary = {
        "status": result.status,
        "pages": result.pages,
        "landed": result.landed,
        "duplicate": result.duplicate,
        "rejected": result.rejected,
        "cursor_after": result.cursor_after,
    }
    return dg.Output(summary, metadata={k: dg.MetadataValue.text(str(v)) for k, v in summary.items()})


@dg.job(description="Download one store now (tenant, store, optional since/until or order ids).")
def download_store():
    download_store_op()


@dg.sensor(
    job=download_store,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Launches `download_store` for each active API store whose download interval has elapsed.",
)
def store_downloads_sensor(context: dg.SensorEvaluationContext):
    from ingestion.connectors.run import due_stores

    due = due_stores()
    if not due:
        return dg.SkipReason("no store is due for a download")
    for tenant_id, store_id, slot in due:
        yield dg.RunRequest(
            run_key=f"download-{tenant_id}-{store_id}-{slot}",
            run_config={
                "ops": {"download_store_op": {"config": {"store_id": store_id, "tenant_id": tenant_id}}}
            },
            tags={"oms/tenant": tenant_id, "oms/store": store_id, "oms/trigger": "download sensor"},
        )


download_jobs = [download_store]
download_sensors = [store_downloads_sensor]

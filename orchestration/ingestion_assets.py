"""Ingestion assets: one landing folder per source, landed into the raw tables.

Each asset calls ``ingestion.importer.ingest_landing_dir`` for its source and reports what the
batches did. A batch that failed (its transaction rolled back; the file stays for a retry) fails
the asset's ``batches_committed`` check rather than the asset, so the batches that did land still
flow through dbt in the same run.

``raw.batches`` and ``raw.rejects`` are written by every loader as a side effect; the
``raw_ledger`` step after the loaders reports them, so their checks and the dbt models reading
them come after every load.
"""

from collections.abc import Sequence
from typing import Any

import dagster as dg

from orchestration.resources import LandingResource, WarehouseResource

RAW_SHOPIFY_ORDERS = dg.AssetKey(["raw", "shopify_orders"])
RAW_AMAZON_ORDERS = dg.AssetKey(["raw", "amazon_orders"])
RAW_AMAZON_ORDER_ITEMS = dg.AssetKey(["raw", "amazon_order_items"])
RAW_BATCHES = dg.AssetKey(["raw", "batches"])
RAW_REJECTS = dg.AssetKey(["raw", "rejects"])
LOADED_KEYS = [
    dg.AssetKey(["raw", t])
    for t in (
        "shopify_orders",
        "amazon_orders",
        "amazon_order_items",
        "shopee_orders",
        "lazada_orders",
        "lazada_order_items",
        "tiktok_orders",
        "woocommerce_orders",
        "salla_orders",
    )
]
INGESTION_KEYS = [*LOADED_KEYS, RAW_BATCHES, RAW_REJECTS]

BATCHES_CHECK = "batches_committed"
GROUP = "raw"
KINDS = {"python", "postgres"}


def land_source(source: str, landing: LandingResource) -> list[Any]:
    """Land every pending file of one source, for every tenant in the landing folder."""
    from ingestion import importer

    return importer.ingest_landing_dir(landing.path(), source=source)


def rows_landed(results: Sequence[Any], table: str) -> int:
    """Rows the batches landed into one raw table (one Amazon batch feeds two tables)."""
    return sum((getattr(r, "landed_by_table", None) or {}).get(table, 0) for r in results)


def batch_metadata(source: str, results: Sequence[Any]) -> dict[str, Any]:
    """Readable totals of a source's batches, plus one line per batch."""
    failed = [r for r in results if r.status != "committed"]
    ids = [r.batch_id for r in results if r.batch_id is not None]
    lines = [
        f"| {r.tenant_id} | {r.store_id} | {r.file_name} | {r.status} "
        f"| {r.landed} | {r.duplicate} | {r.rejected} |"
        for r in results
    ]
    table = (
        "| tenant | store | file | status | landed | duplicate | rejected |\n|---|---|---|---|---|---|---|\n"
    )
    return {
        "source": source,
        "files": len({(r.tenant_id, r.store_id, r.file_name) for r in results}),
        "batches": len(results),
        "fetched": sum(r.fetched for r in results),
        "landed": sum(r.landed for r in results),
        "duplicate": sum(r.duplicate for r in results),
        "rejected": sum(r.rejected for r in results),
        "failed_batches": len(failed),
        "batch_id_range": dg.MetadataValue.text(f"{min(ids)}..{max(ids)}" if ids else "none"),
        "batches_table": dg.MetadataValue.md(table + "\n".join(lines[:200]) if lines else "no new files"),
    }


def describe_batches(metadata: dict[str, Any]) -> str:
    return (
        f"{metadata['source']}: {metadata['batches']} batches, {metadata['landed']} landed, "
        f"{metadata['duplicate']} duplicate, {metadata['rejected']} rejected, "
        f"{metadata['failed_batches']} failed batches"
    )


def batches_check(asset_key: dg.AssetKey, source: str, results: Sequence[Any], run_id: str, url: str):
    """The check that every batch committed; recorded in quality.check_results like the suites."""
    from expectations.runner import CheckOutcome, record

    failed = [r for r in results if r.status != "committed"]
    details = {
        "source": source,
        "batches": len(results),
        "failed": [
            {
                "batch_id": r.batch_id,
                "tenant_id": r.tenant_id,
                "store_id": r.store_id,
                "file": r.file_name,
                "status": r.status,
                "error": r.error,
            }
            for r in failed[:20]
        ],
    }
    record(
        [
            CheckOutcome(
                check_name=f"{source}_batches_committed",
                asset=".".join(asset_key.path),
                success=not failed,
                evaluated_count=len(results),
                failed_count=len(failed),
                details=details,
            )
        ],
        run_id=run_id,
        url=url,
    )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=BATCHES_CHECK,
        passed=not failed,
        metadata={
            "batches": len(results),
            "failed": len(failed),
            "failures": dg.MetadataValue.json(details["failed"]),
        },
        description=None
        if not failed
        else f"{len(failed)} batch(es) did not commit; their files stay for a retry",
    )


def landing_asset(source: str) -> dg.AssetsDefinition:
    """The landing-folder asset of one source: one step lands its files into every raw table its
    parser feeds (an Amazon or Lazada file holds orders and their items: one batch feeds both)."""
    from ingestion.sources import parser_class

    tables = parser_class(source).tables
    keys = [dg.AssetKey(["raw", t]) for t in tables]

    @dg.multi_asset(
        name=f"{source}_orders",
        specs=[
            dg.AssetSpec(
                key,
                group_name=GROUP,
                kinds=KINDS,
                description=f"{source} responses from <landing>/<tenant>/{source}/<store>/, "
                f"one row per version (raw.{key.path[-1]}).",
            )
            for key in keys
        ],
        check_specs=[
            dg.AssetCheckSpec(BATCHES_CHECK, asset=keys[0], description=f"every {source} batch committed")
        ],
    )
    def _land(context: dg.AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource):
        results = land_source(source, landing)
        metadata = batch_metadata(source, results)
        context.log.info(describe_batches(metadata))
        for i, key in enumerate(keys):
            rows = {"rows_landed": rows_landed(results, key.path[-1])}
            if i == 0:
                yield dg.MaterializeResult(asset_key=key, metadata={**metadata, **rows})
            else:
                note = f"landed by the {source} batches reported on raw/{keys[0].path[-1]}"
                yield dg.MaterializeResult(asset_key=key, metadata={"source": source, **rows, "note": note})
        yield batches_check(keys[0], source, results, context.run.run_id, warehouse.url())

    return _land


#: Every source with a landing folder (the parser registry), in a stable order.
SOURCES = ("shopify", "amazon", "shopee", "lazada", "tiktok", "woocommerce", "salla")
landing_assets = [landing_asset(source) for source in SOURCES]


@dg.multi_asset(
    name="raw_ledger",
    specs=[
        dg.AssetSpec(
            RAW_BATCHES,
            group_name=GROUP,
            kinds={"postgres"},
            deps=LOADED_KEYS,
            description="raw.batches: the ledger of every load, written by each loader's batches.",
        ),
        dg.AssetSpec(
            RAW_REJECTS,
            group_name=GROUP,
            kinds={"postgres"},
            deps=LOADED_KEYS,
            description="raw.rejects: every record that could not be landed, with its bytes and reason.",
        ),
    ],
)
def raw_ledger(warehouse: WarehouseResource):
    """The loaders write the ledger as they land; this step reports its state once they are done,
    so the ledger's checks and the dbt models reading it run after every loader."""
    from warehouse import db

    with db.transaction(warehouse.url()) as cur:
        cur.execute("select status, count(*) from raw.batches group by status order by status")
        by_status = {status: int(n) for status, n in cur.fetchall()}
        cur.execute("select count(*), count(distinct batch_id) from raw.rejects")
        rejects, batches_with_rejects = cur.fetchone()
    yield dg.MaterializeResult(
        asset_key=RAW_BATCHES,
        metadata={"batches": sum(by_status.values()), "by_status": dg.MetadataValue.json(by_status)},
    )
    yield dg.MaterializeResult(
        asset_key=RAW_REJECTS,
        metadata={"rejects": int(rejects), "batches_with_rejects": int(batches_with_rejects)},
    )


ingestion_assets = [*landing_assets, raw_ledger]

"""Automatic download: each active API store is downloaded once its interval has elapsed."""

from __future__ import annotations

import dagster as dg

from ingestion.stores import add_store
from orchestration.downloads import store_downloads_sensor


def _requests(instance) -> list[dg.RunRequest] | dg.SkipReason:
    return store_downloads_sensor(dg.build_sensor_context(instance=instance))


def test_due_stores_get_one_run_request_each(clean_db):
    for store_id, url, active in (
        ("due-never-ran", "http://127.0.0.1:9/", True),
        ("recently-ran", "http://127.0.0.1:9/", True),
        ("no-api", None, True),
        ("disabled", "http://127.0.0.1:9/", False),
    ):
        add_store(
            "sched",
            store_id,
            "shopify",
            store_id,
            api_base_url=url,
            download_interval_minutes=5,
            created_by="test",
        )
        if not active:
            with clean_db.cursor() as cur:
                cur.execute("update app.stores set is_active = false where store_id = %s", (store_id,))
    with clean_db.cursor() as cur:
        cur.execute(
            """insert into raw.batches (tenant_id, source, store_id, origin, status, started_at)
               values ('sched', 'shopify', 'recently-ran', 'api', 'committed', now() - interval '1 minute'),
                      ('sched', 'shopify', 'due-never-ran', 'file', 'committed', now())"""
        )

    with dg.instance_for_test() as instance:
        result = _requests(instance)
        assert isinstance(result, list)
        assert [r.tags["oms/store"] for r in result] == ["due-never-ran"]
        request = result[0]
        assert request.run_config["ops"]["download_store_op"]["config"] == {
            "store_id": "due-never-ran",
            "tenant_id": "sched",
        }
        assert request.run_key.startswith("download-sched-due-never-ran-")
        # Once its download has started, the store is not due again within its interval.
        with clean_db.cursor() as cur:
            cur.execute(
                """insert into raw.batches (tenant_id, source, store_id, origin, status)
                   values ('sched', 'shopify', 'due-never-ran', 'api', 'running')"""
            )
        skipped = _requests(instance)
        assert isinstance(skipped, dg.SkipReason)

"""The Shopify connector against a fake Shopify (tests/fakes/shopify.py) on the session database."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.shopify import FakeShopify

from ingestion.connectors.base import max_time
from ingestion.connectors.run import run_download, run_downloads
from ingestion.stores import add_store

ROOT = Path(__file__).resolve().parent.parent
OMS = str(ROOT / ".venv" / "bin" / "oms") if (ROOT / ".venv" / "bin" / "oms").exists() else "oms"
TOKEN = "shpat_0123456789abcdef"
FAST = {"backoff_base_s": 0.01, "min_interval_s": 0}


@pytest.fixture
def fake():
    with FakeShopify(TOKEN) as server:
        yield server


@pytest.fixture
def secrets_env(monkeypatch, tmp_path):
    monkeypatch.setenv("OMS_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SHOPIFY_TEST_TOKEN", TOKEN)


def _store(url: str, store_id: str = "shop-ksa", secret: str = "SHOPIFY_TEST_TOKEN", page_limit: int = 5):
    add_store(
        "t1",
        store_id,
        "shopify",
        "KSA shop",
        timezone="Asia/Riyadh",
        currency="SAR",
        api_base_url=url,
        credential_names={"access_token": secret},
        settings={"page_limit": page_limit, "http": FAST},
        initial_since=datetime.now(UTC) - timedelta(days=2),
        created_by="test",
    )


def _landed_ids(db, store_id: str = "shop-ksa") -> list[str]:
    with db.cursor() as cur:
        cur.execute(
            "select natural_key from raw.shopify_orders where store_id = %s order by natural_key", (store_id,)
        )
        return [r[0] for r in cur.fetchall()]


def _versions(db, order_id: int) -> int:
    with db.cursor() as cur:
        cur.execute("select count(*) from raw.shopify_orders where natural_key = %s", (str(order_id),))
        return cur.fetchone()[0]


def test_incremental_pages_then_nothing_then_one_update(clean_db, fake, secrets_env):
    start = datetime.now(UTC) - timedelta(days=1)
    orders = fake.add_orders(start, 12)
    fake.add_order(start - timedelta(days=5))  # before the window: never asked for
    _store(fake.url)

    first = run_download("shop-ksa", "t1")
    assert first.ok, first.error
    assert first.pages == 3 and first.landed == 12 and first.duplicate == 0
    assert _landed_ids(clean_db) == sorted(str(o["id"]) for o in orders)
    assert first.cursor_after == max_time(*(o["updated_at"] for o in orders))
    # the follow-up pages carried only limit and page_info, as Shopify demands
    followups = [r for r in fake.requests_to("/admin/api/") if "page_info" in r.query]
    assert len(followups) == 2 and all(set(r.query) == {"limit", "page_info"} for r in followups)
    first_request = fake.requests_to("/admin/api/2024-10/orders.json")[0]
    assert first_request.param("status") == "any" and first_request.param("order") == "updated_at asc"
    assert first.reported_total == 12 and first.completeness_alert is None

    second = run_download("shop-ksa", "t1")
    assert second.ok and second.landed == 0
    # the overlap window asked again for the newest orders: counted as duplicates, not landed
    assert second.duplicate >= 1

    changed = orders[3]["id"]
    fake.update_order(changed, datetime.now(UTC) - timedelta(minutes=1), financial_status="refunded")
    third = run_download("shop-ksa", "t1")
    assert third.ok and third.landed == 1
    assert _versions(clean_db, changed) == 2
    assert len(_landed_ids(clean_db)) == 13


def test_429_is_waited_out(clean_db, fake, secrets_env):
    fake.add_orders(datetime.now(UTC) - timedelta(hours=3), 4)
    _store(fake.url)
    fake.fill_bucket()  # the first call finds the leaky bucket full: 429 with Retry-After
    result = run_download("shop-ksa", "t1")
    assert result.ok, result.error
    assert result.landed == 4
    assert fake.requests[0].path.endswith("orders.json") and len(fake.requests) >= 3  # 429, retry, count


def test_refused_token_fails_that_store_only(clean_db, fake, secrets_env, monkeypatch):
    fake.add_orders(datetime.now(UTC) - timedelta(hours=3), 3)
    monkeypatch.setenv("SHOPIFY_BAD_TOKEN", "shpat_revoked")
    _store(fake.url, "shop-bad", secret="SHOPIFY_BAD_TOKEN")
    _store(fake.url, "shop-good")
    results = {r.store_id: r for r in run_downloads("t1")}
    bad, good = results["shop-bad"], results["shop-good"]
    assert not bad.ok
    assert "t1/shop-bad" in bad.error and "Shopify" in bad.error and "401" in bad.error
    assert "shpat_revoked" not in bad.error
    assert good.ok and good.landed == 3
    with clean_db.cursor() as cur:
        cur.execute("select status, error from raw.batches where store_id = 'shop-bad' and origin = 'api'")
        status, error = cur.fetchone()
    assert status == "failed" and "401" in error


def test_missing_count_is_an_alert(clean_db, fake, secrets_env):
    fake.add_orders(datetime.now(UTC) - timedelta(hours=3), 3)
    fake.count_bias = 2  # the platform says 5, the pages hold 3
    _store(fake.url)
    result = run_download("shop-ksa", "t1")
    assert result.ok and result.landed == 3
    assert result.completeness_alert and "5" in result.completeness_alert and "3" in result.completeness_alert
    with clean_db.cursor() as cur:
        cur.execute(
            """select success, details->>'reported', details->>'fetched' from quality.check_results
                where check_name = 'download_completeness' and asset = 'raw/shopify'"""
        )
        assert cur.fetchall() == [(False, "5", "3")]


def test_fetch_by_ids(clean_db, fake, secrets_env):
    orders = fake.add_orders(datetime.now(UTC) - timedelta(days=40), 3)  # outside any window
    _store(fake.url)
    result = run_download("shop-ksa", "t1", order_ids=[str(orders[0]["id"]), str(orders[2]["id"])])
    assert result.ok and result.landed == 2
    assert fake.requests[0].param("ids") == f"{orders[0]['id']},{orders[2]['id']}"
    assert result.cursor_after is None  # a re-download does not move the cursor


def _committed_api_batches(db) -> int:
    with db.cursor() as cur:
        cur.execute("select count(*) from raw.batches where origin = 'api' and status = 'committed'")
        return cur.fetchone()[0]


def test_killed_download_resumes_without_gap_or_duplicate(clean_db, fake, secrets_env):
    start = datetime.now(UTC) - timedelta(days=1)
    orders = fake.add_orders(start, 20, step=timedelta(minutes=30))
    _store(fake.url)
    fake.page_delay_s = 0.7
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [OMS, "download", "--store", "shop-ksa", "--tenant", "t1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while _committed_api_batches(clean_db) < 1:
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "no batch committed in time"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    landed_before = len(_landed_ids(clean_db))
    assert 0 < landed_before < 20

    fake.page_delay_s = 0
    fake.clear_log()
    resumed = run_download("shop-ksa", "t1")
    assert resumed.ok, resumed.error
    ids = _landed_ids(clean_db)
    assert ids == sorted(str(o["id"]) for o in orders)  # every order, exactly once
    # resumed from the committed cursor (minus the overlap), not from the beginning
    assert resumed.cursor_before is not None
    first = fake.requests_to("/admin/api/2024-10/orders.json")[0]
    resumed_from = datetime.fromisoformat(first.param("updated_at_min").replace("Z", "+00:00"))
    assert resumed_from > start
    with clean_db.cursor() as cur:
        # the kill fell between pages (no batch open) or inside one (marked interrupted): nothing runs
        cur.execute("select count(*) from raw.batches where status = 'running'")
        assert cur.fetchone()[0] == 0

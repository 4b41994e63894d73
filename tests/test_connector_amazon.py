"""The Amazon SP-API connector against a fake SP-API and Login with Amazon (tests/fakes/amazon.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.amazon import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, FakeAmazon

from ingestion.connectors.run import run_download, run_downloads
from ingestion.stores import add_store

ROOT = Path(__file__).resolve().parent.parent
OMS = str(ROOT / ".venv" / "bin" / "oms") if (ROOT / ".venv" / "bin" / "oms").exists() else "oms"
CREDS = {"client_id": "AMZ_CLIENT_ID", "client_secret": "AMZ_CLIENT_SECRET", "refresh_token": "AMZ_REFRESH"}


@pytest.fixture
def fake():
    with FakeAmazon(items_page_size=2) as server:
        yield server


@pytest.fixture
def secrets_env(monkeypatch, tmp_path):
    monkeypatch.setenv("OMS_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("AMZ_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AMZ_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("AMZ_REFRESH", REFRESH_TOKEN)


def _store(url: str, store_id: str = "amazon-sa", creds: dict | None = None) -> None:
    add_store(
        "t1",
        store_id,
        "amazon",
        "Amazon SA",
        marketplace="SA",
        timezone="Asia/Riyadh",
        currency="SAR",
        api_base_url=url,
        credential_names=creds or CREDS,
        settings={
            "token_url": f"{url}/auth/o2/token",
            "page_size": 3,
            "items_min_interval_s": 0,
            "http": {"backoff_base_s": 0.01, "min_interval_s": 0},
        },
        initial_since=datetime.now(UTC) - timedelta(days=2),
        created_by="test",
    )


def _count(db, table: str, store_id: str = "amazon-sa") -> int:
    with db.cursor() as cur:
        cur.execute(f"select count(*) from raw.{table} where store_id = %s", (store_id,))
        return cur.fetchone()[0]


def _ids(db) -> list[str]:
    with db.cursor() as cur:
        cur.execute("select natural_key from raw.amazon_orders order by natural_key")
        return [r[0] for r in cur.fetchall()]


def test_incremental_pages_items_then_nothing_then_one_update(clean_db, fake, secrets_env):
    start = datetime.now(UTC) - timedelta(days=1)
    orders = [fake.add_order(start + timedelta(minutes=i), lines=3 if i == 0 else 1) for i in range(7)]
    _store(fake.url)

    first = run_download("amazon-sa", "t1")
    assert first.ok, first.error
    assert first.pages == 3
    assert _ids(clean_db) == sorted(o["AmazonOrderId"] for o in orders)
    assert _count(clean_db, "amazon_order_items") == 9  # 3 + 6, the first order's via NextToken
    assert first.cursor_after == max(o["LastUpdateDate"] for o in orders)
    requests = fake.requests_to("/orders/v0/orders", "GET")
    listing = [r for r in requests if r.path == "/orders/v0/orders"]
    assert listing[0].param("MarketplaceIds") == "A17E79C6D8DWNP"
    assert all(set(r.query) == {"MarketplaceIds", "NextToken"} for r in listing[1:])
    before = datetime.fromisoformat(listing[0].param("LastUpdatedBefore").replace("Z", "+00:00"))
    assert before <= datetime.now(UTC) - timedelta(minutes=2)

    second = run_download("amazon-sa", "t1")
    assert second.ok and second.landed == 0

    fake.update_order(
        orders[2]["AmazonOrderId"], datetime.now(UTC) - timedelta(minutes=5), OrderStatus="Shipped"
    )
    third = run_download("amazon-sa", "t1")
    assert third.ok and third.landed == 1
    assert _count(clean_db, "amazon_orders") == 8


def test_expired_token_is_refreshed_and_429_waited_out(clean_db, fake, secrets_env):
    for i in range(4):
        fake.add_order(datetime.now(UTC) - timedelta(hours=5, minutes=i))
    _store(fake.url)
    fake.inject(429, times=2, path="/orders/v0/orders", body={"errors": [{"code": "QuotaExceeded"}]})
    result = run_download("amazon-sa", "t1")
    assert result.ok, result.error
    assert fake.token_requests == 1
    fake.expire_tokens()  # the connector's token dies mid-run: the next call gets 403 "expired"
    fake.add_order(datetime.now(UTC) - timedelta(minutes=4))
    result = run_download("amazon-sa", "t1")  # a new connector: fresh token
    assert result.ok and result.landed >= 1
    assert _count(clean_db, "amazon_orders") == 5
    fake.inject(
        403,
        path="/orders/v0/orders/",
        body={
            "errors": [
                {
                    "code": "Unauthorized",
                    "message": "Access to requested resource is denied.",
                    "details": "The access token you provided has expired.",
                }
            ]
        },
    )
    fake.add_order(datetime.now(UTC) - timedelta(minutes=3))
    before = fake.token_requests
    result = run_download("amazon-sa", "t1")
    assert result.ok, result.error
    assert fake.token_requests == before + 2  # the run's first token, then one refresh
    assert _count(clean_db, "amazon_orders") == 6


def test_refused_client_fails_that_store_only(clean_db, fake, secrets_env, monkeypatch):
    fake.add_order(datetime.now(UTC) - timedelta(hours=3))
    monkeypatch.setenv("AMZ_BAD_SECRET", "wrong-secret")
    _store(fake.url, "amazon-bad", {**CREDS, "client_secret": "AMZ_BAD_SECRET"})
    _store(fake.url)
    results = {r.store_id: r for r in run_downloads("t1")}
    assert not results["amazon-bad"].ok
    assert "t1/amazon-bad" in results["amazon-bad"].error and "401" in results["amazon-bad"].error
    assert "wrong-secret" not in results["amazon-bad"].error
    assert results["amazon-sa"].ok and results["amazon-sa"].landed == 2  # the order and its item


def _committed(db) -> int:
    with db.cursor() as cur:
        cur.execute("select count(*) from raw.batches where origin = 'api' and status = 'committed'")
        return cur.fetchone()[0]


def test_killed_download_resumes_without_gap_or_duplicate(clean_db, fake, secrets_env):
    start = datetime.now(UTC) - timedelta(days=1)
    orders = [fake.add_order(start + timedelta(minutes=20 * i)) for i in range(12)]
    _store(fake.url)
    fake.page_delay_s = 0.3
    proc = subprocess.Popen(
        [OMS, "download", "--store", "amazon-sa", "--tenant", "t1"],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while _committed(clean_db) < 1:
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert 0 < _count(clean_db, "amazon_orders") < 12
    fake.page_delay_s = 0
    resumed = run_download("amazon-sa", "t1")
    assert resumed.ok, resumed.error
    assert _ids(clean_db) == sorted(o["AmazonOrderId"] for o in orders)  # each exactly once
    assert _count(clean_db, "amazon_order_items") == 12

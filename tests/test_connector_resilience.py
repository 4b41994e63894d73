"""Resilience of every API connector against its fake platform: a killed download resumes, a refused
credential fails only its store.

For Shopee, Lazada, TikTok Shop and WooCommerce:

1. an ``oms download`` subprocess is killed (SIGKILL) right after its first api batch commits; the
   next run resumes from the last committed cursor minus the overlap and lands every order exactly
   once (what the overlap, or a repeated Shopee window, brings back is counted as duplicate);
2. two stores of the channel (one with a refused credential) and a Shopify store run together via
   ``run_downloads``: the refused store fails with a clear message naming it and the platform (never
   the credential), its failed batch is in the ledger, and the other two land their orders.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeServer
from fakes.lazada import FakeLazada, lazada_order
from fakes.shopee import FakeShopee, shopee_order
from fakes.shopify import FakeShopify
from fakes.tiktok import FakeTikTok, tiktok_order
from fakes.woocommerce import FakeWooCommerce, woo_order

from ingestion.connectors import run_download, run_downloads
from ingestion.connectors.base import iso_utc, parse_time
from ingestion.stores import add_store

ROOT = Path(__file__).resolve().parent.parent
OMS = str(ROOT / ".venv" / "bin" / "oms") if (ROOT / ".venv" / "bin" / "oms").exists() else "oms"
TENANT = "t-res"
OVERLAP = timedelta(minutes=10)
STEP = timedelta(seconds=420)  # 7 minutes: no order ever sits exactly on cursor - overlap
FAST = {"backoff_base_s": 0.001, "min_interval_s": 0}
SHOPIFY_TOKEN = "shpat_resilience_0123456789"
BKK = timezone(timedelta(hours=7))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# -- one description per channel ---------------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    name: str
    platform: str  # as the connector names it in messages
    table: str  # the raw table of its orders
    auth_code: str  # what the fake answers to a refused credential, as it must appear in the error
    delay_s: float  # per-request delay of the fake during the kill test
    records_per_order: int  # landed records per order (Lazada: the order and its item)
    make_fake: Callable[[], FakeServer]
    credentials: Callable[[Any], dict[str, str]]  # role -> secret value the fake accepts
    token_role: str  # the credential role a "bad token" replaces
    settings: Callable[[Any], dict[str, Any]]
    add_orders: Callable[[Any, list[datetime]], dict[str, datetime]]  # -> natural key: update time
    first_since: Callable[[Any], datetime]  # where the first listing request of a run started
    kill_layout: Callable[[datetime], tuple[datetime, list[datetime]]]  # now -> initial_since, times


def _spread(since: datetime, count: int, offset: timedelta = timedelta(hours=1)) -> list[datetime]:
    return [since + offset + STEP * i for i in range(count)]


# Shopee: one Page per get_order_list page, only the last page of a 15-day window carries a cursor.
def _shopee_add(fake: FakeShopee, times: list[datetime]) -> dict[str, datetime]:
    out = {}
    for i, moment in enumerate(times):
        sn = f"2506{i:06d}RS"
        fake.add(shopee_order(sn, int(moment.timestamp())))
        out[sn] = moment
    return out


def _shopee_first_since(fake: FakeShopee) -> datetime:
    first = fake.requests_to("/api/v2/order/get_order_list")[0]
    return datetime.fromtimestamp(int(first.param("time_from")), UTC)


def _shopee_layout(now: datetime) -> tuple[datetime, list[datetime]]:
    # three windows: the first holds two list pages (100 + 30), the others a few orders each
    since = now - timedelta(days=40)
    times = (
        _spread(since, 130) + _spread(since, 10, timedelta(days=16)) + _spread(since, 10, timedelta(days=31))
    )
    return since, times


# Lazada: offset pages of 100, each with the items of its orders.
def _lazada_add(fake: FakeLazada, times: list[datetime]) -> dict[str, datetime]:
    out = {}
    for i, moment in enumerate(times):
        oid = 7_000_000 + i
        fake.add(lazada_order(oid, moment.astimezone(BKK).isoformat()))
        out[str(oid)] = moment
    return out


def _lazada_first_since(fake: FakeLazada) -> datetime:
    return datetime.fromisoformat(fake.requests_to("/orders/get")[0].param("update_after"))


def _lazada_layout(now: datetime) -> tuple[datetime, list[datetime]]:
    since = now - timedelta(days=2)
    return since, _spread(since, 250)  # pages of 100, 100, 50


# TikTok Shop: page_token pages of ``page_size``.
def _tiktok_add(fake: FakeTikTok, times: list[datetime]) -> dict[str, datetime]:
    out = {}
    for i, moment in enumerate(times):
        oid = f"5764696487{i:08d}"
        fake.upsert(tiktok_order(oid, int(moment.timestamp())))
        out[oid] = moment
    return out


def _tiktok_first_since(fake: FakeTikTok) -> datetime:
    first = fake.requests_to("/order/202309/orders/search", "POST")[0]
    return datetime.fromtimestamp(first.json()["update_time_ge"], UTC)


def _small_layout(now: datetime) -> tuple[datetime, list[datetime]]:
    since = now - timedelta(days=1)
    return since, _spread(since, 20)  # pages of 5


# WooCommerce: numbered pages of ``per_page``.
def _woo_add(fake: FakeWooCommerce, times: list[datetime]) -> dict[str, datetime]:
    out = {}
    for i, moment in enumerate(times):
        oid = 1000 + i
        fake.upsert(woo_order(oid, moment))
        out[str(oid)] = moment
    return out


def _woo_first_since(fake: FakeWooCommerce) -> datetime:
    first = fake.requests_to("/wp-json/wc/v3/orders")[0]
    return datetime.fromisoformat(first.param("modified_after")).replace(tzinfo=UTC)


CHANNELS = {
    c.name: c
    for c in (
        Channel(
            name="shopee",
            platform="Shopee",
            table="shopee_orders",
            auth_code="invalid_acceess_token",
            delay_s=0.4,
            records_per_order=1,
            make_fake=FakeShopee,
            credentials=lambda f: {"partner_key": f.partner_key, "access_token": next(iter(f.valid_tokens))},
            token_role="access_token",
            settings=lambda f: {"partner_id": f.partner_id, "shop_id": f.shop_id},
            add_orders=_shopee_add,
            first_since=_shopee_first_since,
            kill_layout=_shopee_layout,
        ),
        Channel(
            name="lazada",
            platform="Lazada",
            table="lazada_orders",
            auth_code="IllegalAccessToken",
            delay_s=0.3,
            records_per_order=2,
            make_fake=FakeLazada,
            credentials=lambda f: {
                "app_key": f.app_key,
                "app_secret": f.app_secret,
                "access_token": next(iter(f.valid_tokens)),
            },
            token_role="access_token",
            settings=lambda f: {},
            add_orders=_lazada_add,
            first_since=_lazada_first_since,
            kill_layout=_lazada_layout,
        ),
        Channel(
            name="tiktok",
            platform="TikTok Shop",
            table="tiktok_orders",
            auth_code="105001",
            delay_s=0.5,
            records_per_order=1,
            make_fake=FakeTikTok,
            credentials=lambda f: {"app_key": f.app_key, "app_secret": f.app_secret, "access_token": f.token},
            token_role="access_token",
            settings=lambda f: {"shop_cipher": "ROW_fake", "page_size": 5},
            add_orders=_tiktok_add,
            first_since=_tiktok_first_since,
            kill_layout=_small_layout,
        ),
        Channel(
            name="woocommerce",
            platform="WooCommerce",
            table="woocommerce_orders",
            auth_code="woocommerce_rest_cannot_view",
            delay_s=0.5,
            records_per_order=1,
            make_fake=FakeWooCommerce,
            credentials=lambda f: {"consumer_key": f.key, "consumer_secret": f.secret},
            token_role="consumer_secret",
            settings=lambda f: {"per_page": 5},
            add_orders=_woo_add,
            first_since=_woo_first_since,
            kill_layout=_small_layout,
        ),
    )
}


@pytest.fixture(params=sorted(CHANNELS))
def channel(request) -> Channel:
    return CHANNELS[request.param]


@pytest.fixture
def fake(channel: Channel):
    with channel.make_fake() as server:
        yield server


@pytest.fixture
def no_secrets_file(monkeypatch, tmp_path):
    """Secrets come from the environment only (never a real secrets file)."""
    monkeypatch.setenv("OMS_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))


def _register(
    channel: Channel,
    fake: Any,
    monkeypatch,
    store_id: str,
    *,
    initial_since: datetime,
    bad_secret: str | None = None,
) -> dict[str, str]:
    """Register a store of ``channel`` on ``fake``; its secrets go into os.environ (a subprocess
    inherits them). Returns the secret values it uses."""
    prefix = "RES_" + store_id.upper().replace("-", "_")
    values = channel.credentials(fake)
    if bad_secret is not None:
        values[channel.token_role] = bad_secret
    names = {}
    for role, value in values.items():
        names[role] = f"{prefix}_{role.upper()}"
        monkeypatch.setenv(names[role], value)
    add_store(
        TENANT,
        store_id,
        channel.name,
        f"{channel.platform} {store_id}",
        api_base_url=fake.url,
        credential_names=names,
        settings={**channel.settings(fake), "http": FAST},
        initial_since=initial_since,
        overlap_minutes=int(OVERLAP.total_seconds() // 60),
        created_by="test",
    )
    return values


# -- the database --------------------------------------------------------------------------------


def _keys(db, table: str, store_id: str) -> list[str]:
    with db.cursor() as cur:
        cur.execute(
            f"select natural_key from raw.{table} where tenant_id = %s and store_id = %s",  # noqa: S608
            (TENANT, store_id),
        )
        return [r[0] for r in cur.fetchall()]


def _version_counts(db, table: str, store_id: str) -> tuple[int, int]:
    """(rows, distinct (natural_key, payload_sha256)) of a store in a raw table."""
    with db.cursor() as cur:
        cur.execute(
            f"""select count(*), count(distinct (natural_key, payload_sha256)) from raw.{table}
                 where tenant_id = %s and store_id = %s""",  # noqa: S608 - a fixed table name
            (TENANT, store_id),
        )
        return cur.fetchone()


def _batches(db, store_id: str) -> list[tuple[int, str, str | None, str | None, str | None]]:
    """(batch_id, status, cursor_before, cursor_after, error) of a store's api batches."""
    with db.cursor() as cur:
        cur.execute(
            """select batch_id, status, cursor_before, cursor_after, error from raw.batches
                where tenant_id = %s and store_id = %s and origin = 'api' order by batch_id""",
            (TENANT, store_id),
        )
        return cur.fetchall()


def _last_committed_cursor(db, store_id: str) -> str | None:
    with db.cursor() as cur:
        cur.execute(
            """select cursor_after from raw.batches
                where tenant_id = %s and store_id = %s and origin = 'api' and status = 'committed'
                  and cursor_after is not null
                order by commit_seq desc limit 1""",
            (TENANT, store_id),
        )
        row = cur.fetchone()
        return row[0] if row else None


# -- 1. a killed download resumes without gap or duplicate ----------------------------------------


def test_killed_download_resumes_from_the_committed_cursor(
    clean_db, channel, fake, monkeypatch, no_secrets_file
):
    store_id = f"{channel.name}-kill"
    initial_since, times = channel.kill_layout(_now())
    dataset = channel.add_orders(fake, times)
    _register(channel, fake, monkeypatch, store_id, initial_since=initial_since)

    fake.page_delay_s = channel.delay_s
    proc = subprocess.Popen(
        [OMS, "download", "--store", store_id, "--tenant", TENANT],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(b[1] == "committed" for b in _batches(clean_db, store_id)):
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "no api batch committed in time"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    landed_before = set(_keys(clean_db, channel.table, store_id))
    assert 0 < len(landed_before) < len(dataset), "the kill must fall in the middle of the download"
    cursor = _last_committed_cursor(clean_db, store_id)
    killed_open = [b[0] for b in _batches(clean_db, store_id) if b[1] != "committed"]
    assert all(b[1] == "running" for b in _batches(clean_db, store_id) if b[0] in killed_open)

    fake.page_delay_s = 0
    fake.clear_log()
    resumed = run_download(store_id, TENANT)
    assert resumed.ok, resumed.error

    # resumed from the last committed cursor minus the overlap (Shopee: a window whose last page
    # never committed has no cursor, so the rerun repeats it from the start)
    assert resumed.cursor_before == cursor
    start = parse_time(cursor) - OVERLAP if cursor is not None else initial_since
    assert resumed.since == iso_utc(start)
    assert channel.first_since(fake) == start
    first_batch = min(resumed.batch_ids)
    assert [b[2] for b in _batches(clean_db, store_id) if b[0] == first_batch] == [cursor]

    # every order exactly once: nothing missing, no version twice
    keys = _keys(clean_db, channel.table, store_id)
    assert sorted(keys) == sorted(dataset)
    rows, versions = _version_counts(clean_db, channel.table, store_id)
    assert rows == versions == len(dataset)
    if channel.name == "lazada":
        items = _keys(clean_db, "lazada_order_items", store_id)
        assert sorted(items) == sorted(f"{k}/{int(k) * 10 + 1}" for k in dataset)
        assert _version_counts(clean_db, "lazada_order_items", store_id) == (len(dataset), len(dataset))

    # what the rerun fetched again (the overlap, a repeated window) was counted, not landed
    refetched = sum(1 for k in landed_before if dataset[k] >= start)
    per = channel.records_per_order
    assert resumed.landed == (len(dataset) - len(landed_before)) * per
    assert resumed.duplicate == refetched * per
    if cursor is None:
        assert refetched == len(landed_before) > 0

    # the batch the kill left open (if any) is interrupted now; nothing is left running
    after = {b[0]: b[1] for b in _batches(clean_db, store_id)}
    assert all(after[b] == "interrupted" for b in killed_open)
    assert set(after.values()) <= {"committed", "interrupted"}


# -- 2. a refused credential fails that store only -------------------------------------------------


def test_refused_credential_fails_that_store_while_the_others_complete(
    clean_db, channel, fake, monkeypatch, no_secrets_file
):
    now = _now()
    since = now - timedelta(days=1)
    dataset = channel.add_orders(fake, _spread(since, 3))
    bad_secret = f"revoked-{channel.name}-secret-0042"
    bad_id, good_id, shop_id = f"a-{channel.name}-bad", f"b-{channel.name}-good", "c-shopify"
    _register(channel, fake, monkeypatch, bad_id, initial_since=since, bad_secret=bad_secret)
    good_values = _register(channel, fake, monkeypatch, good_id, initial_since=since)

    with FakeShopify(SHOPIFY_TOKEN) as shopify:
        shopify_orders = shopify.add_orders(now - timedelta(hours=3), 2)
        monkeypatch.setenv("RES_SHOPIFY_TOKEN", SHOPIFY_TOKEN)
        add_store(
            TENANT,
            shop_id,
            "shopify",
            "Shopify KSA",
            timezone="Asia/Riyadh",
            currency="SAR",
            api_base_url=shopify.url,
            credential_names={"access_token": "RES_SHOPIFY_TOKEN"},
            settings={"http": FAST},
            initial_since=since,
            created_by="test",
        )
        results = {r.store_id: r for r in run_downloads(tenant_id=TENANT)}

    assert set(results) == {bad_id, good_id, shop_id}
    bad, good, shop = results[bad_id], results[good_id], results[shop_id]

    assert not bad.ok and bad.status == "failed"
    assert f"{TENANT}/{bad_id}" in bad.error, bad.error
    assert channel.platform in bad.error and channel.auth_code in bad.error, bad.error
    for secret in (bad_secret, *good_values.values()):
        assert secret not in bad.error
    assert _keys(clean_db, channel.table, bad_id) == []
    ledger = _batches(clean_db, bad_id)
    assert [b[1] for b in ledger] == ["failed"]
    assert bad.error in ledger[0][4] and bad_secret not in ledger[0][4]
    assert ledger[0][3] is None  # the cursor did not move

    assert good.ok, good.error
    assert good.landed == len(dataset) * channel.records_per_order
    assert sorted(_keys(clean_db, channel.table, good_id)) == sorted(dataset)
    assert shop.ok, shop.error
    assert sorted(_keys(clean_db, "shopify_orders", shop_id)) == sorted(str(o["id"]) for o in shopify_orders)
    assert {b[1] for b in _batches(clean_db, good_id) + _batches(clean_db, shop_id)} == {"committed"}

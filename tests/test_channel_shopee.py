"""Shopee: the parser's quirks and refusals, request signing, and downloads against a fake Shopee."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from fakes.shopee import FakeShopee, detail_body, shopee_order

from ingestion.connectors import AuthError, HttpClient, StoreConfig, run_download
from ingestion.connectors.shopee import ShopeeConnector, public_sign, shop_sign, windows
from ingestion.landing import Record, Reject
from ingestion.sources.shopee import ShopeeParser
from ingestion.stores import add_store

TENANT = "t-sea"
DAY = 86_400


def parse(data: bytes) -> tuple[list[Record], list[Reject]]:
    items = list(ShopeeParser().records(io.BytesIO(data)))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Reject)]


# -- the parser -------------------------------------------------------------------------------------


def test_parser_lands_detail_responses_with_quirks_as_sent():
    order = shopee_order("2404098R48U37H", 1_714_000_000, cod=True, total=32119, currency="VND")
    records, rejects = parse(detail_body([order, shopee_order("2404098R48U37J", 1_714_000_100)]))
    assert rejects == []
    assert [r.natural_key for r in records] == ["2404098R48U37H", "2404098R48U37J"]
    assert {r.table for r in records} == {"shopee_orders"}
    payload = json.loads(records[0].payload)
    assert payload["total_amount"] == 32119 and payload["cod"] is True  # a number and a bool, as sent
    assert payload["update_time"] == 1_714_000_000  # unix seconds, as sent
    assert payload["recipient_address"]["name"] == "P******n"  # masked PII is not an error
    assert payload["recipient_address"]["phone"] == "******64"


def test_parser_accepts_single_objects_lists_and_json_lines():
    a, b = shopee_order("A1", 1_714_000_000), shopee_order("B2", 1_714_000_001)
    for data in (
        json.dumps(a).encode(),
        json.dumps([a, b]).encode(),
        json.dumps(a).encode() + b"\n" + detail_body([b]),
    ):
        records, rejects = parse(data)
        assert rejects == [] and records
    records, _ = parse(json.dumps([a, b]).encode())
    assert [r.natural_key for r in records] == ["A1", "B2"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"order_sn": None}, "without `order_sn`"),
        ({"order_sn": 12345}, "`order_sn` must be a string"),
        ({"order_sn": "a/b"}, "not a usable id"),
        ({"update_time": 1_714_000_000_000}, "milliseconds"),
        ({"update_time": "2024-04-25T10:00:00Z"}, "`update_time` must be unix seconds"),
        ({"create_time": 0}, "`create_time` is 0"),
        ({"total_amount": "12,50"}, "`total_amount` is not a decimal amount"),
        ({"currency": "rm"}, "`currency` must be an ISO 4217 code"),
        ({"cod": "yes"}, "`cod` must be true or false"),
        ({"item_list": [{"item_id": 1, "model_quantity_purchased": "2"}]}, "model_quantity_purchased"),
    ],
)
def test_parser_refuses_bad_records_naming_the_field(change, reason):
    order = shopee_order("2404098R48U37H", 1_714_000_000)
    order.update(change)
    if change.get("order_sn", "x") is None:
        del order["order_sn"]
    good = shopee_order("GOOD1", 1_714_000_000)
    records, rejects = parse(detail_body([order, good]))
    assert [r.natural_key for r in records] == ["GOOD1"]
    assert len(rejects) == 1 and reason in rejects[0].reason, rejects[0].reason


def test_parser_refuses_error_responses_and_list_entries_without_detail():
    _, rejects = parse(b'{"error": "error_auth", "message": "Invalid access_token.", "request_id": "x"}')
    assert len(rejects) == 1 and "Shopee error response: error_auth" in rejects[0].reason
    listing = {
        "error": "",
        "response": {"more": False, "next_cursor": "", "order_list": [{"order_sn": "X1"}]},
    }
    records, rejects = parse(json.dumps(listing).encode())
    assert records == [] and "get_order_list entry without detail" in rejects[0].reason
    _, rejects = parse(b'"hello"')
    assert "expected a Shopee API response" in rejects[0].reason


# -- signing ----------------------------------------------------------------------------------------


def test_signatures_match_an_independent_computation():
    key, partner, path, ts, token, shop = (
        "k3y",
        2001,
        "/api/v2/order/get_order_list",
        1_714_000_000,
        "tok",
        77,
    )
    expected = hmac.new(
        b"k3y", b"2001/api/v2/order/get_order_list1714000000tok77", hashlib.sha256
    ).hexdigest()
    assert shop_sign(key, partner, path, ts, token, shop) == expected
    expected_public = hmac.new(
        b"k3y", b"2001/api/v2/auth/access_token/get1714000000", hashlib.sha256
    ).hexdigest()
    assert public_sign(key, partner, "/api/v2/auth/access_token/get", ts) == expected_public


def test_the_fake_accepts_the_connector_sign_and_refuses_a_wrong_one():
    with FakeShopee() as fake:
        fake.add(shopee_order("S1", int(time.time()) - 600))
        connector = ShopeeConnector(_config(fake), http=_http(fake))
        now = datetime.now(UTC)
        pages = list(connector.pages(now - timedelta(hours=1), now))
        assert sum(p.order_count or 0 for p in pages) == 1 and fake.refused == []
        wrong = ShopeeConnector(_config(fake, partner_key="not-the-key"), http=_http(fake))
        with pytest.raises(AuthError, match="error_sign"):
            list(wrong.pages(now - timedelta(hours=1), now))
        assert fake.refused == ["error_sign"]


def test_windows_never_exceed_fifteen_days_and_the_fake_enforces_its_limits():
    start = datetime(2025, 1, 1, tzinfo=UTC)
    parts = windows(start, start + timedelta(days=40))
    assert len(parts) == 3 and all(b - a <= 15 * DAY for a, b in parts)
    assert all(parts[i][1] == parts[i + 1][0] for i in range(2))
    with FakeShopee() as fake:
        connector = ShopeeConnector(_config(fake), http=_http(fake))
        doc, _ = _raw_call(
            connector,
            "/api/v2/order/get_order_list",
            time_range_field="update_time",
            time_from=0,
            time_to=16 * DAY,
            page_size=100,
        )
        assert doc["error"] == "error_param" and "15 days" in doc["message"]
        doc, _ = _raw_call(
            connector, "/api/v2/order/get_order_detail", order_sn_list=",".join(map(str, range(51)))
        )
        assert doc["error"] == "error_param" and "50" in doc["message"]


# -- downloads end to end ---------------------------------------------------------------------------


def test_incremental_download_lands_every_order_once_and_then_only_changes(clean_db, monkeypatch):
    now = int(time.time())
    with FakeShopee() as fake:
        # 230 orders over 25 days: two 15-day windows, one of them with two list pages
        for i in range(230):
            fake.add(shopee_order(f"2501{i:06d}SH", now - 25 * DAY + i * 9000, cod=i % 3 == 0))
        _register(fake, monkeypatch, "shopee-my")
        first = run_download("shopee-my", TENANT)
        assert first.ok, first.error
        assert first.landed == 230 and first.rejected == 0
        assert _count(clean_db) == 230
        assert all(
            len(r.param("order_sn_list").split(",")) <= 50
            for r in fake.requests_to("/api/v2/order/get_order_detail")
        )
        listed = fake.requests_to("/api/v2/order/get_order_list")
        spans = [int(r.param("time_to")) - int(r.param("time_from")) for r in listed]
        starts = {r.param("time_from") for r in listed}
        assert len(starts) >= 2 and len(listed) > len(starts)  # split into windows, and paged by cursor
        assert max(spans) <= 15 * DAY
        newest = max(o["update_time"] for o in fake.orders.values())
        assert first.cursor_after == datetime.fromtimestamp(newest, UTC).isoformat().replace("+00:00", "Z")

        second = run_download("shopee-my", TENANT)
        assert second.ok and second.landed == 0

        fake.update("2501000007SH", now - 60, order_status="SHIPPED")
        third = run_download("shopee-my", TENANT)
        assert third.ok and third.landed == 1
        assert _count(clean_db) == 231
        with clean_db.cursor() as cur:
            cur.execute("select count(*) from raw.shopee_orders where natural_key = '2501000007SH'")
            assert cur.fetchone()[0] == 2


def test_rate_limits_are_waited_out(clean_db, monkeypatch):
    now = int(time.time())
    with FakeShopee() as fake:
        for i in range(3):
            fake.add(shopee_order(f"RL{i}", now - 3600 + i))
        _register(fake, monkeypatch, "shopee-rl")
        fake.inject(
            429, times=1, headers={"Retry-After": "1"}, body={"error": "error_busy", "message": "busy"}
        )
        fake.inject(
            200,
            times=1,
            body={"error": "error_busy", "message": "System busy, try later.", "request_id": "r"},
        )
        result = run_download("shopee-rl", TENANT, connector_kwargs={"http": _http(fake)})
        assert result.ok, result.error
        assert result.landed == 3


def test_an_expired_token_is_refreshed_and_a_bad_one_fails_the_store_clearly(clean_db, monkeypatch):
    now = int(time.time())
    with FakeShopee() as fake:
        fake.add(shopee_order("TK1", now - 3600))
        _register(fake, monkeypatch, "shopee-tk", refresh=True)
        fake.expire_tokens()
        result = run_download("shopee-tk", TENANT)
        assert result.ok, result.error
        assert result.landed == 1 and len(fake.requests_to("/api/v2/auth/access_token/get")) == 1

        _register(fake, monkeypatch, "shopee-bad", token="not-a-token")
        bad = run_download("shopee-bad", TENANT)
        assert not bad.ok
        assert "store t-sea/shopee-bad" in bad.error and "invalid_acceess_token" in bad.error
        assert "not-a-token" not in bad.error  # the credential is never in a message
        with clean_db.cursor() as cur:
            cur.execute(
                "select status, error from raw.batches where store_id = 'shopee-bad' "
                "order by batch_id desc limit 1"
            )
            status, error = cur.fetchone()
        assert status == "failed" and "invalid_acceess_token" in error


def test_fetch_by_ids_lands_the_named_orders(clean_db, monkeypatch):
    now = int(time.time())
    with FakeShopee() as fake:
        for i in range(60):
            fake.add(shopee_order(f"ID{i:03d}", now - 3600 + i))
        _register(fake, monkeypatch, "shopee-ids")
        ids = [f"ID{i:03d}" for i in range(55)]
        result = run_download("shopee-ids", TENANT, order_ids=ids)
        assert result.ok and result.landed == 55
        assert len(fake.requests_to("/api/v2/order/get_order_detail")) == 2


# -- helpers ----------------------------------------------------------------------------------------


def _config(fake: FakeShopee, partner_key: str | None = None) -> StoreConfig:
    return StoreConfig(
        tenant_id=TENANT,
        store_id="shopee-unit",
        channel="shopee",
        name="Shopee unit",
        api_base_url=fake.url,
        settings={"partner_id": fake.partner_id, "shop_id": fake.shop_id},
        credentials={
            "partner_key": partner_key or fake.partner_key,
            "access_token": next(iter(fake.valid_tokens)),
        },
    )


def _http(fake: FakeShopee) -> HttpClient:
    return HttpClient(fake.url, backoff_base_s=0.01, max_retries=3, platform="Shopee", store="unit")


def _raw_call(connector: ShopeeConnector, path: str, **params) -> tuple[dict, bytes]:
    response = connector.http.get(path, params={**params, **connector._signed_params(path)})
    return response.json(), response.content


def _register(
    fake: FakeShopee, monkeypatch, store_id: str, *, token: str | None = None, refresh: bool = False
) -> None:
    prefix = store_id.upper().replace("-", "_")
    monkeypatch.setenv(f"{prefix}_PARTNER_KEY", fake.partner_key)
    monkeypatch.setenv(f"{prefix}_ACCESS_TOKEN", token or next(iter(fake.valid_tokens)))
    names = {"partner_key": f"{prefix}_PARTNER_KEY", "access_token": f"{prefix}_ACCESS_TOKEN"}
    if refresh:
        monkeypatch.setenv(f"{prefix}_REFRESH_TOKEN", fake.refresh_token)
        names["refresh_token"] = f"{prefix}_REFRESH_TOKEN"
    add_store(
        TENANT,
        store_id,
        "shopee",
        f"Shopee {store_id}",
        marketplace="MY",
        timezone="Asia/Kuala_Lumpur",
        currency="MYR",
        api_base_url=fake.url,
        credential_names=names,
        settings={"partner_id": fake.partner_id, "shop_id": fake.shop_id},
        initial_since=datetime.now(UTC) - timedelta(days=30),
        created_by="test",
    )


def _count(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("select count(*) from raw.shopee_orders")
        return cur.fetchone()[0]


# -- demo data --------------------------------------------------------------------------------------


def test_demo_files_parse_with_only_the_planted_reject(tmp_path):
    from ingestion.demo import shopee as demo

    stats = demo.write_store(tmp_path / "a", "demo", 120, 7, 1_740_000_000)
    demo.write_store(tmp_path / "b", "demo", 120, 7, 1_740_000_000)
    files = sorted((tmp_path / "a" / "demo" / "shopee" / "shopee-my").glob("*.json"))
    assert len(files) == stats["files"] > 1
    for f in files:  # same arguments, same bytes
        assert f.read_bytes() == (tmp_path / "b" / "demo" / "shopee" / "shopee-my" / f.name).read_bytes()
    records, rejects = [], []
    for f in files:
        got, bad = parse(f.read_bytes())
        records += got
        rejects += bad
    assert len(records) == stats["order_versions"] and len(rejects) == stats["planted_rejects"] == 1
    payloads = [json.loads(r.payload) for r in records]
    assert 0 < stats["cod_orders"] < 120 and any(p["cod"] for p in payloads)
    assert any(
        "******" in p["recipient_address"]["name"] for p in payloads if p["order_status"] == "COMPLETED"
    )
    assert len({r.natural_key for r in records}) == 120

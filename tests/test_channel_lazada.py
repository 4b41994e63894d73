"""Lazada: the parser's quirks and refusals, request signing, and downloads against a fake Lazada."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fakes.lazada import FakeLazada, lazada_item, lazada_order

from ingestion.connectors import AuthError, HttpClient, StoreConfig, run_download
from ingestion.connectors.lazada import LazadaConnector, lazada_sign
from ingestion.landing import Record, Reject
from ingestion.sources.lazada import LazadaParser
from ingestion.stores import add_store

TENANT = "t-sea"
BKK = timezone(timedelta(hours=7))


def parse(data: bytes) -> tuple[list[Record], list[Reject]]:
    items = list(LazadaParser().records(io.BytesIO(data)))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Reject)]


def ok(data) -> bytes:
    return json.dumps({"code": "0", "data": data, "request_id": "0ba2887315178178017221014"}).encode()


def at(minutes_ago: int) -> str:
    return (datetime.now(BKK) - timedelta(minutes=minutes_ago)).replace(microsecond=0).isoformat()


# -- the parser -------------------------------------------------------------------------------------


def test_parser_lands_orders_and_items_with_quirks_as_sent():
    order = lazada_order(3012345678, "2025-03-01T10:00:00+07:00")
    order["address_shipping"]["phone2"] = "6****67"
    body = ok({"count": "1", "countTotal": "1", "orders": [order]})
    records, rejects = parse(body)
    assert rejects == [] and [(r.table, r.natural_key) for r in records] == [("lazada_orders", "3012345678")]
    payload = json.loads(records[0].payload)
    assert payload["price"] == "1290.00" and payload["address_shipping"]["country"] == "Thailand"
    assert payload["address_shipping"]["phone2"] == "6****67" and payload["updated_at"].endswith("+07:00")

    items = ok([lazada_item(3012345678, 901), lazada_item(3012345678, 902)])
    batched = ok(
        [{"order_id": 3012345679, "order_number": 3012345679, "order_items": [lazada_item(3012345679, 903)]}]
    )
    records, rejects = parse(items + b"\n" + batched)
    assert rejects == []
    assert [(r.table, r.natural_key, r.parent_key) for r in records] == [
        ("lazada_order_items", "3012345678/901", "3012345678"),
        ("lazada_order_items", "3012345678/902", "3012345678"),
        ("lazada_order_items", "3012345679/903", "3012345679"),
    ]


def test_parser_accepts_single_objects_lists_and_lazadas_older_time_format():
    order = lazada_order(11, "2018-02-09 22:44:30 +0800", created_at="2018-02-09 22:40:00 +0800")
    records, rejects = parse(
        json.dumps([order, lazada_item(11, 5), json.loads(ok(lazada_order(12, at(5))))]).encode()
    )
    assert rejects == []
    assert [r.natural_key for r in records] == ["11", "11/5", "12"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"order_id": None}, "without `order_id`"),
        ({"order_id": {"value": 1}}, "`order_id` must be a string or an integer"),
        ({"updated_at": "2025-03-01T10:00:00"}, "`updated_at` has no UTC offset"),
        ({"created_at": 1740800000}, "`created_at` must be a time string"),
        ({"price": "1,290.00"}, "`price` is not a decimal amount"),
        ({"statuses": "pending"}, "`statuses` must be a list"),
    ],
)
def test_parser_refuses_bad_orders_naming_the_field(change, reason):
    order = lazada_order(21, "2025-03-01T10:00:00+07:00")
    order.update(change)
    if change.get("order_id", 1) is None:
        del order["order_id"]
    records, rejects = parse(ok({"count": 2, "countTotal": 2, "orders": [order, lazada_order(22, at(1))]}))
    assert [r.natural_key for r in records] == ["22"]
    assert len(rejects) == 1 and reason in rejects[0].reason, rejects[0].reason


def test_parser_refuses_error_responses_and_bad_items():
    _, rejects = parse(
        b'{"code": "IllegalAccessToken", "type": "ISV", "message": "invalid", "request_id": "x"}'
    )
    assert "Lazada error response: IllegalAccessToken" in rejects[0].reason
    item = lazada_item(31, 1)
    item["paid_price"] = "free"
    no_order = lazada_item(31, 2)
    del no_order["order_id"]
    records, rejects = parse(ok([item, no_order, lazada_item(31, 3)]))
    assert [r.natural_key for r in records] == ["31/3"]
    assert "`paid_price` is not a decimal amount" in rejects[0].reason
    assert "without `order_id`" in rejects[1].reason


# -- signing ----------------------------------------------------------------------------------------


def test_signature_matches_an_independent_computation():
    params = {
        "app_key": "123456",
        "timestamp": "1517820392000",
        "sign_method": "sha256",
        "access_token": "t",
        "offset": "0",
    }
    base = (
        "/orders/get"
        + "access_token"
        + "t"
        + "app_key123456"
        + "offset0"
        + "sign_methodsha256"
        + "timestamp1517820392000"
    )
    expected = hmac.new(b"s3cret", base.encode(), hashlib.sha256).hexdigest().upper()
    assert lazada_sign("s3cret", "/orders/get", params) == expected
    assert lazada_sign("s3cret", "/orders/get", {**params, "sign": "ignored"}) == expected


def test_the_fake_accepts_the_connector_sign_and_refuses_a_wrong_one():
    with FakeLazada() as fake:
        fake.add(lazada_order(41, at(10)))
        now = datetime.now(UTC)
        pages = list(LazadaConnector(_config(fake), http=_http(fake)).pages(now - timedelta(hours=1), now))
        assert sum(p.order_count or 0 for p in pages) == 1 and fake.refused == []
        wrong = LazadaConnector(_config(fake, app_secret="wrong"), http=_http(fake))
        with pytest.raises(AuthError, match="IncompleteSignature"):
            list(wrong.pages(now - timedelta(hours=1), now))


# -- downloads end to end ---------------------------------------------------------------------------


def test_incremental_download_lands_every_order_once_and_then_only_changes(clean_db, monkeypatch):
    with FakeLazada() as fake:
        for i in range(250):  # three pages of at most 100, with the items of each page
            fake.add(lazada_order(5_000_000 + i, at(3000 - i * 10)))
        _register(fake, monkeypatch, "lazada-th")
        first = run_download("lazada-th", TENANT)
        assert first.ok, first.error
        assert first.landed == 500 and first.rejected == 0  # 250 orders + 250 items
        assert first.reported_total == 250 and first.completeness_alert is None
        assert _count(clean_db, "lazada_orders") == 250 and _count(clean_db, "lazada_order_items") == 250
        offsets = [r.param("offset") for r in fake.requests_to("/orders/get")]
        assert offsets[:3] == ["0", "100", "200"]
        assert all(r.param("sort_direction") == "ASC" for r in fake.requests_to("/orders/get"))

        second = run_download("lazada-th", TENANT)
        assert second.ok and second.landed == 0

        fake.update(5_000_007, at(0), "shipped")
        third = run_download("lazada-th", TENANT)
        assert third.ok and third.landed == 2  # the order's new version and its item's
        assert _count(clean_db, "lazada_orders") == 251


def test_api_call_limit_and_429_are_waited_out(clean_db, monkeypatch):
    with FakeLazada() as fake:
        fake.add(lazada_order(61, at(30)))
        _register(fake, monkeypatch, "lazada-rl")
        fake.busy(2)
        fake.inject(429, times=1, headers={"Retry-After": "1"})
        result = run_download("lazada-rl", TENANT, connector_kwargs={"http": _http(fake)})
        assert result.ok, result.error
        assert result.landed == 2 and fake.refused.count("ApiCallLimit") == 2


def test_a_bad_token_fails_the_store_with_a_clear_message(clean_db, monkeypatch):
    with FakeLazada() as fake:
        fake.add(lazada_order(71, at(30)))
        _register(fake, monkeypatch, "lazada-bad", token="expired-token")
        result = run_download("lazada-bad", TENANT)
        assert not result.ok
        assert "store t-sea/lazada-bad" in result.error and "IllegalAccessToken" in result.error
        assert "expired-token" not in result.error


# -- helpers ----------------------------------------------------------------------------------------


def _config(fake: FakeLazada, app_secret: str | None = None) -> StoreConfig:
    return StoreConfig(
        tenant_id=TENANT,
        store_id="lazada-unit",
        channel="lazada",
        name="Lazada unit",
        api_base_url=fake.url,
        credentials={
            "app_key": fake.app_key,
            "app_secret": app_secret or fake.app_secret,
            "access_token": next(iter(fake.valid_tokens)),
        },
    )


def _http(fake: FakeLazada) -> HttpClient:
    return HttpClient(fake.url, backoff_base_s=0.01, max_retries=3, platform="Lazada", store="unit")


def _register(fake: FakeLazada, monkeypatch, store_id: str, *, token: str | None = None) -> None:
    prefix = store_id.upper().replace("-", "_")
    monkeypatch.setenv(f"{prefix}_APP_KEY", fake.app_key)
    monkeypatch.setenv(f"{prefix}_APP_SECRET", fake.app_secret)
    monkeypatch.setenv(f"{prefix}_ACCESS_TOKEN", token or next(iter(fake.valid_tokens)))
    add_store(
        TENANT,
        store_id,
        "lazada",
        f"Lazada {store_id}",
        marketplace="TH",
        timezone="Asia/Bangkok",
        currency="THB",
        api_base_url=fake.url,
        credential_names={
            "app_key": f"{prefix}_APP_KEY",
            "app_secret": f"{prefix}_APP_SECRET",
            "access_token": f"{prefix}_ACCESS_TOKEN",
        },
        created_by="test",
    )


def _count(conn, table: str) -> int:
    with conn.cursor() as cur:
        cur.execute(f"select count(*) from raw.{table}")  # noqa: S608 - a fixed table name
        return cur.fetchone()[0]


# -- demo data --------------------------------------------------------------------------------------


def test_demo_files_parse_with_only_the_planted_reject(tmp_path):
    import re

    from ingestion.demo import lazada as demo

    stats = demo.write_store(tmp_path / "a", "demo", 150, 7, 1_740_000_000)
    demo.write_store(tmp_path / "b", "demo", 150, 7, 1_740_000_000)
    files = sorted((tmp_path / "a" / "demo" / "lazada" / "lazada-th").glob("*.json"))
    assert len(files) == stats["files"] > 2
    for f in files:  # same arguments, same bytes
        assert f.read_bytes() == (tmp_path / "b" / "demo" / "lazada" / "lazada-th" / f.name).read_bytes()
    records, rejects = [], []
    for f in files:
        got, bad = parse(f.read_bytes())
        records += got
        rejects += bad
    orders = [json.loads(r.payload) for r in records if r.table == "lazada_orders"]
    items = [r for r in records if r.table == "lazada_order_items"]
    assert len(orders) == stats["order_versions"] and len(items) == stats["item_versions"]
    assert len(rejects) == stats["planted_rejects"] == 1 and "no UTC offset" in rejects[0].reason
    assert all(o["address_shipping"]["country"] == "Thailand" for o in orders)
    assert all(o["updated_at"].endswith("+07:00") for o in orders)
    assert any(re.search(r"[\u0E00-\u0E7F]", o["address_shipping"]["first_name"]) for o in orders)
    assert any(o["payment_method"] == "COD" for o in orders)

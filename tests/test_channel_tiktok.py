"""TikTok Shop: parser quirks and bad records, request signing, and downloads against a fake API."""

from __future__ import annotations

import copy
import hashlib
import hmac
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.tiktok import FakeTikTok, expected_sign, tiktok_order

from ingestion.connectors import HttpClient, run_download
from ingestion.connectors.tiktok import sign
from ingestion.landing import Record, Reject
from ingestion.sources import parser_for
from ingestion.stores import add_store

FIXTURES = Path(__file__).parent / "fixtures"
T0 = int(datetime(2024, 3, 15, tzinfo=UTC).timestamp())


def parse(data: bytes | str) -> list[Record | Reject]:
    if isinstance(data, str):
        data = data.encode()
    return list(parser_for("tiktok").records(io.BytesIO(data)))


def records(items) -> list[Record]:
    return [i for i in items if isinstance(i, Record)]


def rejects(items) -> list[Reject]:
    return [i for i in items if isinstance(i, Reject)]


# --------------------------------------------------------------------------- parser


def test_search_response_lands_each_order_as_sent():
    raw = (FIXTURES / "tiktok_orders_search.json").read_bytes()
    items = parse(raw)
    assert not rejects(items)
    got = records(items)
    assert [r.natural_key for r in got] == ["576469648741143553", "576469648741143554", "576469648741143555"]
    assert {r.table for r in got} == {"tiktok_orders"}
    first = json.loads(got[0].payload)
    # one line per unit, same sku_id, kept as sent (staging folds them)
    assert [li["sku_id"] for li in first["line_items"]] == ["1729582718312380123"] * 2
    assert first["payment"]["total_amount"] == "1170.00"
    assert first["recipient_address"]["first_name_local_script"] == "สมชาย"


def test_detail_response_single_order_list_and_json_lines_all_parse():
    order = tiktok_order("5001", T0)
    detail = {"code": 0, "message": "Success", "data": {"orders": [order]}}
    assert [r.natural_key for r in records(parse(json.dumps(detail)))] == ["5001"]
    assert [r.natural_key for r in records(parse(json.dumps(order)))] == ["5001"]
    two = [order, tiktok_order("5002", T0)]
    assert [r.natural_key for r in records(parse(json.dumps(two)))] == ["5001", "5002"]
    lines = "\n".join(json.dumps({"code": 0, "data": {"orders": [o]}}) for o in two)
    assert [r.natural_key for r in records(parse(lines))] == ["5001", "5002"]
    # an empty search page (TikTok leaves `orders` out) lands nothing and rejects nothing
    assert parse(json.dumps({"code": 0, "data": {"total_count": 0, "next_page_token": ""}})) == []


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda o: o.pop("id"), "without `id`"),
        (lambda o: o.update(id=576469648741143553), "must be a string"),
        (lambda o: o.update(update_time="2024-03-15T10:00:00Z"), "`update_time` must be unix seconds"),
        (lambda o: o.update(create_time=1710467400000), "milliseconds?"),
        (
            lambda o: o["payment"].update(total_amount={"amount": "1"}),
            "payment.`total_amount` must be a decimal",
        ),
        (lambda o: o["payment"].update(total_amount="1,170.00"), "is not a decimal amount"),
        (lambda o: o["payment"].pop("currency"), "payment.`currency` is missing"),
        (lambda o: o["line_items"][1].pop("sku_id"), "line_items[1].`sku_id` is missing"),
        (lambda o: o.update(is_cod="yes"), "`is_cod` must be true or false"),
        (lambda o: o["recipient_address"].update(district_info="Bangkok"), "district_info"),
    ],
)
def test_bad_orders_are_rejected_with_the_field_named(mutate, reason):
    order = tiktok_order("777", T0)
    mutate(order)
    items = parse(json.dumps({"code": 0, "data": {"orders": [tiktok_order("776", T0), order]}}))
    assert [r.natural_key for r in records(items)] == ["776"]
    (bad,) = rejects(items)
    assert reason in bad.reason
    assert json.loads(bad.raw) == order  # the original bytes are kept


def test_error_response_is_rejected_with_tiktok_code():
    (bad,) = parse(json.dumps({"code": 105002, "message": "Access token is expired", "data": None}))
    assert isinstance(bad, Reject)
    assert "105002" in bad.reason and "expired" in bad.reason


# --------------------------------------------------------------------------- signing


def test_sign_matches_an_independent_computation():
    secret, path = "app-secret-123", "/order/202309/orders/search"
    params = {
        "app_key": "6abc1def",
        "timestamp": 1710468000,
        "shop_cipher": "ROW_abc",
        "page_size": 2,
        "sort_field": "update_time",
        "sort_order": "ASC",
        "access_token": "ignored",
        "sign": "x",
    }
    body = b'{"update_time_ge":1710460000,"update_time_lt":1710470000}'
    # written out by hand from the documented rule: secret + path + sorted k+v + body + secret
    message = (
        "app-secret-123/order/202309/orders/search"
        "app_key6abc1defpage_size2shop_cipherROW_abcsort_fieldupdate_timesort_orderASCtimestamp1710468000"
        '{"update_time_ge":1710460000,"update_time_lt":1710470000}'
        "app-secret-123"
    )
    want = hmac.new(b"app-secret-123", message.encode(), hashlib.sha256).hexdigest()
    assert sign(secret, path, params, body) == want
    query = {k: [str(v)] for k, v in params.items()}
    assert expected_sign(secret, path, query, body) == want
    assert sign(secret, path, {**params, "page_size": 3}, body) != want


def test_fake_refuses_a_wrong_sign():
    import requests

    with FakeTikTok(app_secret="right") as fake:
        ts = int(datetime.now(UTC).timestamp())
        query = {"app_key": fake.app_key, "timestamp": ts, "ids": "1"}
        path = "/order/202309/orders"
        headers = {"x-tts-access-token": fake.token}
        bad = requests.get(
            fake.url + path, params={**query, "sign": sign("wrong", path, query)}, headers=headers
        )
        assert bad.status_code == 401 and bad.json()["code"] == 106001
        good = requests.get(
            fake.url + path, params={**query, "sign": sign("right", path, query)}, headers=headers
        )
        assert good.status_code == 200 and good.json()["code"] == 0
        assert fake.sign_failures == 1


# --------------------------------------------------------------------------- downloads


@pytest.fixture
def fake():
    with FakeTikTok() as server:
        yield server


def _store(fake: FakeTikTok, monkeypatch, store_id: str = "tiktok-th", token: str | None = None) -> None:
    prefix = store_id.upper().replace("-", "_")
    monkeypatch.setenv(f"{prefix}_APP_KEY", fake.app_key)
    monkeypatch.setenv(f"{prefix}_APP_SECRET", fake.app_secret)
    monkeypatch.setenv(f"{prefix}_TOKEN", token or fake.token)
    add_store(
        "t1",
        store_id,
        "tiktok",
        f"TikTok {store_id}",
        timezone="Asia/Bangkok",
        currency="THB",
        api_base_url=fake.url,
        credential_names={
            "app_key": f"{prefix}_APP_KEY",
            "app_secret": f"{prefix}_APP_SECRET",
            "access_token": f"{prefix}_TOKEN",
        },
        settings={"shop_cipher": "ROW_fake", "page_size": 2},
        initial_since=datetime.fromtimestamp(T0 - 86_400, UTC),
        created_by="test",
    )


def _http(fake: FakeTikTok, waits: list | None = None) -> HttpClient:
    return HttpClient(
        fake.url,
        backoff_base_s=0.001,
        sleep=(waits.append if waits is not None else lambda _s: None),
        platform="TikTok Shop",
        store="t1/tiktok-th",
    )


def _landed(db, store_id: str = "tiktok-th") -> list[tuple[str, int]]:
    with db.cursor() as cur:
        cur.execute(
            """select natural_key, (payload->>'update_time')::bigint from raw.tiktok_orders
               where store_id = %s order by natural_key, 2""",
            (store_id,),
        )
        return cur.fetchall()


def test_multi_page_download_second_run_and_update(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch)
    fake.upsert(*(tiktok_order(f"57646964874114{i:04d}", T0 + i * 60) for i in range(5)))
    first = run_download("tiktok-th", "t1", connector_kwargs={"http": _http(fake)})
    assert first.ok, first.error
    assert first.pages == 3 and first.landed == 5 and first.reported_total == 5
    assert first.completeness_alert is None
    assert first.cursor_after == datetime.fromtimestamp(T0 + 240, UTC).isoformat().replace("+00:00", "Z")
    # every search was signed, ascending by update time, with the token in the header
    searches = fake.requests_to("/order/202309/orders/search", "POST")
    assert {r.param("sort_order") for r in searches} == {"ASC"}
    assert all(r.param("shop_cipher") == "ROW_fake" for r in searches)
    assert fake.sign_failures == 0

    second = run_download("tiktok-th", "t1", connector_kwargs={"http": _http(fake)})
    assert second.ok and second.landed == 0 and second.duplicate == 5  # the overlap, counted not landed

    changed = copy.deepcopy(fake.orders["576469648741140002"])
    changed.update(status="IN_TRANSIT", update_time=T0 + 400)
    fake.upsert(changed)
    third = run_download("tiktok-th", "t1", connector_kwargs={"http": _http(fake)})
    assert third.ok and third.landed == 1
    rows = _landed(clean_db)
    assert len(rows) == 6
    assert [u for k, u in rows if k == "576469648741140002"] == [T0 + 120, T0 + 400]


def test_rate_limits_are_waited_out(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch)
    fake.upsert(*(tiktok_order(f"9{i}", T0 + i) for i in range(3)))
    fake.inject(429, times=1, headers={"Retry-After": "1"}, body={"code": 36009004, "message": "Too many"})
    fake.rate_limit_next(1)  # and once the way TikTok usually says it: HTTP 200, code 36009004
    waits: list[float] = []
    result = run_download("tiktok-th", "t1", connector_kwargs={"http": _http(fake, waits)})
    assert result.ok, result.error
    assert result.landed == 3
    assert 1.0 in waits and len(waits) == 2


def test_a_bad_token_fails_that_store_only(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch, "tiktok-th")
    _store(fake, monkeypatch, "tiktok-th2", token="expired-token")
    fake.upsert(tiktok_order("1", T0))
    bad = run_download("tiktok-th2", "t1", connector_kwargs={"http": _http(fake)})
    assert not bad.ok
    assert "t1/tiktok-th" in bad.error and "401" in bad.error and "105001" in bad.error
    assert "expired-token" not in bad.error
    good = run_download("tiktok-th", "t1", connector_kwargs={"http": _http(fake)})
    assert good.ok and good.landed == 1
    with clean_db.cursor() as cur:
        cur.execute("select status, error from raw.batches where store_id = 'tiktok-th2'")
        status, error = cur.fetchone()
    assert status == "failed" and "105001" in error


def test_a_wrong_app_secret_is_refused(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch)
    monkeypatch.setenv("TIKTOK_TH_APP_SECRET", "not-the-secret")
    result = run_download("tiktok-th", "t1", connector_kwargs={"http": _http(fake)})
    assert not result.ok and "106001" in result.error
    assert fake.sign_failures == 1


def test_fetch_by_ids_in_batches_of_50(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch)
    ids = [f"8{i:03d}" for i in range(60)]
    fake.upsert(*(tiktok_order(i, T0) for i in ids))
    result = run_download("tiktok-th", "t1", order_ids=ids, connector_kwargs={"http": _http(fake)})
    assert result.ok and result.landed == 60 and result.pages == 2
    assert [len(r.param("ids").split(",")) for r in fake.requests_to("/order/202309/orders", "GET")] == [
        50,
        10,
    ]
    assert result.cursor_after is None  # a re-download by id does not move the cursor


def test_window_end_is_exclusive_and_since_inclusive(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch)
    fake.upsert(tiktok_order("a", T0), tiktok_order("b", T0 + 100))
    result = run_download(
        "tiktok-th",
        "t1",
        since=datetime.fromtimestamp(T0, UTC),
        until=datetime.fromtimestamp(T0 + 100, UTC),
        connector_kwargs={"http": _http(fake)},
    )
    assert result.ok and [k for k, _ in _landed(clean_db)] == ["a"]


# --------------------------------------------------------------------------- demo data


def test_demo_files_parse_with_only_the_planted_rejects(tmp_path):
    from ingestion.demo import tiktok as demo
    from ingestion.demo.common import anchor_for_seed
    from ingestion.demo.context import StoreContext

    def build(folder: Path):
        folder.mkdir()
        ctx = StoreContext(demo.SPEC, 0, "demo", 7, 250, anchor_for_seed(7), True)
        return demo.write_store(ctx, folder)

    stats = build(tmp_path / "a")
    build(tmp_path / "b")
    files = sorted((tmp_path / "a").glob("*.json"))
    assert [f.read_bytes() for f in files] == [(tmp_path / "b" / f.name).read_bytes() for f in files]
    items = [i for f in files for i in parser_for("tiktok").records(f.open("rb"))]
    assert len(records(items)) == stats.order_versions
    assert [r.reason for r in rejects(items)] == ["TikTok Shop order without `id`"]
    orders = [json.loads(r.payload) for r in records(items)]
    assert any(o["is_cod"] for o in orders) and not all(o["is_cod"] for o in orders)
    assert any("first_name_local_script" in o["recipient_address"] for o in orders)
    assert any(len({li["sku_id"] for li in o["line_items"]}) < len(o["line_items"]) for o in orders)
    assert len({o["status"] for o in orders}) >= 4

"""WooCommerce: parser quirks and bad records, Basic auth, and downloads against a fake REST API."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from fakes.woocommerce import FakeWooCommerce, woo_order

from ingestion.connectors import HttpClient, run_download
from ingestion.landing import Record, Reject
from ingestion.sources import parser_for
from ingestion.stores import add_store

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)


def parse(data: bytes | str) -> list[Record | Reject]:
    if isinstance(data, str):
        data = data.encode()
    return list(parser_for("woocommerce").records(io.BytesIO(data)))


def records(items) -> list[Record]:
    return [i for i in items if isinstance(i, Record)]


def rejects(items) -> list[Reject]:
    return [i for i in items if isinstance(i, Reject)]


# --------------------------------------------------------------------------- parser


def test_list_response_lands_each_order_as_sent():
    items = parse((FIXTURES / "woocommerce_orders_page.json").read_bytes())
    assert not rejects(items)
    got = records(items)
    assert [r.natural_key for r in got] == ["727", "728"]
    first = json.loads(got[0].payload)
    assert first["date_created"] == "2024-03-15T19:28:02"  # local, no offset: read in the store's zone
    assert first["date_created_gmt"] == "2024-03-15T15:28:02"
    assert first["line_items"][0]["price"] == 85 and first["total"] == "193.75"
    assert first["payment_method"] == "cod"
    assert json.loads(got[1].payload)["billing"]["state"] == "Abu Dhabi"  # a name where a code was expected


def test_single_order_webhook_body_legacy_envelope_and_json_lines():
    order = woo_order(9, T0)
    assert [r.natural_key for r in records(parse(json.dumps(order)))] == ["9"]
    assert [r.natural_key for r in records(parse(json.dumps({"orders": [order]})))] == ["9"]
    lines = json.dumps([order]) + "\n" + json.dumps([woo_order(10, T0)])
    assert [r.natural_key for r in records(parse(lines))] == ["9", "10"]
    assert parse("[]") == []


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda o: o.pop("id"), "without `id`"),
        (lambda o: o.update(id="9"), "`id` must be an integer"),
        (lambda o: o.update(id=-3), "must be positive"),
        (lambda o: o.update(date_modified="15/03/2024 19:30"), "`date_modified` is not an ISO-8601 time"),
        (lambda o: o.pop("date_created"), "`date_created` is missing"),
        (lambda o: o.update(total="AED 30"), "`total` is not a decimal amount"),
        (lambda o: o.update(currency="dirham"), "`currency` must be an ISO 4217 code"),
        (lambda o: o["line_items"][0].update(quantity="2"), "line_items[0].`quantity` must be an integer"),
        (lambda o: o["line_items"][0].update(price=[85]), "line_items[0].`price` must be a decimal"),
        (lambda o: o.update(billing="Dubai"), "`billing` must be an object"),
    ],
)
def test_bad_orders_are_rejected_with_the_field_named(mutate, reason):
    order = woo_order(9, T0)
    mutate(order)
    items = parse(json.dumps([woo_order(8, T0), order]))
    assert [r.natural_key for r in records(items)] == ["8"]
    (bad,) = rejects(items)
    assert reason in bad.reason, bad.reason
    assert json.loads(bad.raw) == order


def test_error_body_is_rejected_with_its_code():
    body = {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }
    (bad,) = parse(json.dumps(body))
    assert isinstance(bad, Reject)
    assert "woocommerce_rest_cannot_view" in bad.reason and "401" in bad.reason


# --------------------------------------------------------------------------- the fake's auth


def test_fake_checks_basic_auth():
    with FakeWooCommerce(key="ck_a", secret="cs_b") as fake:
        url = fake.url + "/wp-json/wc/v3/orders"
        assert requests.get(url, auth=("ck_a", "cs_b")).status_code == 200
        refused = requests.get(url, auth=("ck_a", "cs_wrong"))
        assert refused.status_code == 401 and refused.json()["code"] == "woocommerce_rest_cannot_view"
        assert requests.get(url).status_code == 401


# --------------------------------------------------------------------------- downloads


@pytest.fixture
def fake():
    with FakeWooCommerce() as server:
        yield server


def _store(fake: FakeWooCommerce, monkeypatch, store_id: str = "woo-ae", secret: str | None = None) -> None:
    prefix = store_id.upper().replace("-", "_")
    monkeypatch.setenv(f"{prefix}_KEY", fake.key)
    monkeypatch.setenv(f"{prefix}_SECRET", secret or fake.secret)
    add_store(
        "t1",
        store_id,
        "woocommerce",
        f"Woo {store_id}",
        timezone="Asia/Dubai",
        currency="AED",
        api_base_url=fake.url,
        credential_names={"consumer_key": f"{prefix}_KEY", "consumer_secret": f"{prefix}_SECRET"},
        settings={"per_page": 2},
        initial_since=T0 - timedelta(days=1),
        created_by="test",
    )


def _http(fake: FakeWooCommerce, waits: list | None = None) -> HttpClient:
    return HttpClient(
        fake.url,
        backoff_base_s=0.001,
        sleep=(waits.append if waits is not None else lambda _s: None),
        platform="WooCommerce",
        store="t1/woo-ae",
    )


def _landed(db, store_id: str = "woo-ae") -> list[tuple[str, str]]:
    with db.cursor() as cur:
        cur.execute(
            """select natural_key, payload->>'status' from raw.woocommerce_orders
               where store_id = %s order by natural_key::int, landed_at""",
            (store_id,),
        )
        return cur.fetchall()


def test_multi_page_download_second_run_and_update(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch)
    fake.upsert(*(woo_order(100 + i, T0 + timedelta(minutes=i)) for i in range(5)))
    first = run_download("woo-ae", "t1", connector_kwargs={"http": _http(fake)})
    assert first.ok, first.error
    assert first.pages == 3 and first.landed == 5 and first.reported_total == 5
    assert first.completeness_alert is None
    assert first.cursor_after == "2024-03-15T12:04:00Z"
    listed = fake.requests_to("/wp-json/wc/v3/orders")
    assert [r.param("page") for r in listed] == ["1", "2", "3"]
    assert {(r.param("orderby"), r.param("order"), r.param("dates_are_gmt")) for r in listed} == {
        ("modified", "asc", "true")
    }

    second = run_download("woo-ae", "t1", connector_kwargs={"http": _http(fake)})
    assert second.ok and second.landed == 0 and second.duplicate == 5

    changed = copy.deepcopy(fake.orders[102])
    changed.update(
        status="completed", date_modified_gmt="2024-03-15T12:30:00", date_modified="2024-03-15T16:30:00"
    )
    fake.upsert(changed)
    third = run_download("woo-ae", "t1", connector_kwargs={"http": _http(fake)})
    assert third.ok and third.landed == 1
    rows = _landed(clean_db)
    assert len(rows) == 6 and [s for k, s in rows if k == "102"] == ["processing", "completed"]


def test_429_and_500_are_waited_out(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch)
    fake.upsert(*(woo_order(200 + i, T0 + timedelta(minutes=i)) for i in range(3)))
    fake.inject(
        429, times=1, headers={"Retry-After": "1"}, body={"code": "too_many_requests", "message": "Slow down"}
    )
    fake.inject(502, times=1)
    waits: list[float] = []
    result = run_download("woo-ae", "t1", connector_kwargs={"http": _http(fake, waits)})
    assert result.ok, result.error
    assert result.landed == 3 and 1.0 in waits and len(waits) == 2


def test_a_bad_key_fails_that_store_only(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch, "woo-ae")
    _store(fake, monkeypatch, "woo-eg", secret="cs_revoked")
    fake.upsert(woo_order(300, T0))
    bad = run_download("woo-eg", "t1", connector_kwargs={"http": _http(fake)})
    assert not bad.ok
    assert (
        "401" in bad.error and "woocommerce_rest_cannot_view" in bad.error and "cs_revoked" not in bad.error
    )
    good = run_download("woo-ae", "t1", connector_kwargs={"http": _http(fake)})
    assert good.ok and good.landed == 1
    with clean_db.cursor() as cur:
        cur.execute("select status from raw.batches where store_id = 'woo-eg'")
        assert [r[0] for r in cur.fetchall()] == ["failed"]


def test_fetch_by_ids(clean_db, fake, monkeypatch):
    _store(fake, monkeypatch)
    fake.upsert(*(woo_order(400 + i, T0) for i in range(4)))
    result = run_download("woo-ae", "t1", order_ids=["401", "403"], connector_kwargs={"http": _http(fake)})
    assert result.ok and result.landed == 2
    assert [k for k, _ in _landed(clean_db)] == ["401", "403"]


# --------------------------------------------------------------------------- demo data


def test_demo_files_parse_with_only_the_planted_rejects(tmp_path):
    from ingestion.demo import woocommerce as demo
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
    items = [i for f in files for i in parser_for("woocommerce").records(f.open("rb"))]
    assert len(records(items)) == stats.order_versions
    (bad,) = rejects(items)
    assert "`id` must be an integer" in bad.reason
    orders = [json.loads(r.payload) for r in records(items)]
    local = datetime.fromisoformat(orders[0]["date_created"])
    gmt = datetime.fromisoformat(orders[0]["date_created_gmt"])
    assert local - gmt == timedelta(hours=4) and local.tzinfo is None
    assert {o["payment_method"] for o in orders} == {"cod", "stripe"}
    assert all(isinstance(li["price"], (int, float)) for o in orders for li in o["line_items"])
    assert {"processing", "completed", "cancelled"} <= {o["status"] for o in orders}

"""The connector framework: HttpClient's retry rules against a real local HTTP server, and
run_download's cursor, failure and completeness rules with a tiny connector registered for the test.

Nothing is patched: the client talks HTTP to a FakeServer on 127.0.0.1; only ``sleep`` is injected
so that waits are recorded instead of waited (the tests assert the waits, never wall time).
"""

from __future__ import annotations

import email.utils
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import FakeRequest, FakeResponse, FakeServer, json_response, no_sleep

from ingestion.connectors import CONNECTORS
from ingestion.connectors.base import (
    MAX_RETRY_AFTER_S,
    ApiError,
    AuthError,
    Connector,
    HttpClient,
    Page,
    StoreConfig,
    iso_utc,
    max_time,
    parse_time,
    utcnow,
)
from ingestion.connectors.run import last_cursor, run_download
from ingestion.stores import add_store

TOKEN = "tok_live_9f8e7d6c5b4a"


class EchoServer(FakeServer):
    """Answers every request with 200 and what it was asked (faults are injected by the tests)."""

    def handle(self, request: FakeRequest) -> FakeResponse:
        return json_response(200, {"ok": True, "path": request.path})


@pytest.fixture
def server():
    with EchoServer() as fake:
        yield fake


def _client(url: str, **kwargs: Any) -> tuple[HttpClient, list[float]]:
    waits, sleep = no_sleep()
    options: dict[str, Any] = {
        "timeout": 5,
        "max_retries": 3,
        "backoff_base_s": 0.01,
        "platform": "Testshop",
        "store": "t1/shop-x",
        "sleep": sleep,
        **kwargs,
    }
    return HttpClient(url, **options), waits


# -- HttpClient -----------------------------------------------------------------------------------


def test_plain_request_reaches_the_server(server):
    client, waits = _client(server.url, headers={"X-Token": TOKEN})
    response = client.get("/v1/orders", params={"page": 2})
    assert response.status_code == 200 and response.json()["path"] == "/v1/orders"
    assert server.requests[0].param("page") == "2"
    assert server.requests[0].headers["x-token"] == TOKEN
    assert waits == [] and client.retry_count == 0


@pytest.mark.parametrize(("retry_after", "expected"), [("2", 2.0), ("1.5", 1.5), ("0", 0.0)])
def test_429_waits_out_retry_after(server, retry_after, expected):
    server.inject(429, headers={"Retry-After": retry_after}, body={"errors": "slow down"})
    client, waits = _client(server.url)
    response = client.get("/orders")
    assert response.status_code == 200
    assert waits == [expected]  # the server's Retry-After, not the (0.01 s) backoff
    assert len(server.requests) == 2 and client.retry_count == 1


def test_429_retry_after_as_http_date(server):
    when = datetime.now(UTC) + timedelta(seconds=30)
    server.inject(429, headers={"Retry-After": email.utils.format_datetime(when, usegmt=True)})
    client, waits = _client(server.url)
    assert client.get("/orders").status_code == 200
    assert len(waits) == 1 and 20 < waits[0] <= 30


def test_429_retry_after_is_capped(server):
    server.inject(429, headers={"Retry-After": "86400"})
    client, waits = _client(server.url)
    assert client.get("/orders").status_code == 200
    assert waits == [MAX_RETRY_AFTER_S]


def test_429_without_retry_after_backs_off(server):
    server.inject(429, times=2)
    client, waits = _client(server.url, backoff_base_s=0.25)
    assert client.get("/orders").status_code == 200
    assert waits == [0.25, 0.5]


def test_5xx_retried_with_exponential_backoff_then_succeeds(server):
    server.inject(500, times=1)
    server.inject(503, times=1)
    server.inject(502, times=1)
    client, waits = _client(server.url, max_retries=3, backoff_base_s=0.01)
    response = client.get("/orders")
    assert response.status_code == 200
    assert waits == [0.01, 0.02, 0.04]
    assert len(server.requests) == 4 and client.retry_count == 3


def test_5xx_beyond_max_retries_is_an_api_error(server):
    server.inject(503, times=10, body={"error": "maintenance"})
    client, waits = _client(server.url, max_retries=2)
    with pytest.raises(ApiError) as info:
        client.get("/orders")
    err = info.value
    assert not isinstance(err, AuthError)
    message = str(err)
    assert "t1/shop-x" in message and "Testshop" in message
    assert "after 2 retries" in message and "503" in message and "maintenance" in message
    assert "GET" in message and "/orders" in message
    assert len(server.requests) == 3 and len(waits) == 2


def test_timeout_retried_then_succeeds(server):
    server.inject_delay(3.0, times=1)
    client, waits = _client(server.url, timeout=0.5, max_retries=2)
    response = client.get("/slow")
    assert response.status_code == 200
    assert waits == [0.01] and len(server.requests) == 2


def test_timeouts_beyond_max_retries_are_an_api_error(server):
    server.inject_delay(3.0, times=3)
    client, waits = _client(server.url, timeout=0.5, max_retries=2)
    with pytest.raises(ApiError) as info:
        client.get("/slow")
    message = str(info.value)
    assert "timed out" in message and "after 2 retries" in message and "t1/shop-x" in message
    assert len(server.requests) == 3 and waits == [0.01, 0.02]


def test_connection_refused_retried_then_api_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    client, waits = _client(f"http://127.0.0.1:{port}", max_retries=1)
    with pytest.raises(ApiError, match="could not connect"):
        client.get("/orders")
    assert waits == [0.01]


@pytest.mark.parametrize("status", [401, 403])
def test_auth_refusal_raises_at_once_without_retry(server, status):
    server.inject(status, body={"errors": "[API] Invalid API key or access token"}, times=5)
    client, waits = _client(server.url, headers={"X-Shopify-Access-Token": TOKEN})
    with pytest.raises(AuthError) as info:
        # a token in the query string (Shopee/Lazada style) must not reach the message either
        client.get("/orders", params={"access_token": TOKEN, "page": 1})
    err = info.value
    assert err.status == status
    message = str(err)
    assert "t1/shop-x" in message and "Testshop" in message and str(status) in message
    assert "Invalid API key" in message
    assert TOKEN not in message and TOKEN not in repr(err) and TOKEN not in err.body
    assert len(server.requests) == 1 and waits == [] and client.retry_count == 0


def test_token_in_query_not_in_retries_exhausted_message(server):
    server.inject(500, times=5)
    client, _ = _client(server.url, max_retries=1)
    with pytest.raises(ApiError) as info:
        client.get(f"/orders?access_token={TOKEN}")
    assert TOKEN not in str(info.value)


def test_other_4xx_is_an_api_error_at_once(server):
    server.inject(400, body={"errors": {"limit": "Invalid value."}}, times=5)
    client, waits = _client(server.url)
    with pytest.raises(ApiError) as info:
        client.get("/orders")
    assert not isinstance(info.value, AuthError)
    assert info.value.status == 400 and "400" in str(info.value) and "limit" in str(info.value)
    assert len(server.requests) == 1 and waits == []


def test_min_interval_spaces_requests(server):
    client, waits = _client(server.url, min_interval_s=5.0)
    for _ in range(3):
        client.get("/orders")
    # the first request goes at once; each next one waits what is left of the 5 s since the previous
    assert len(waits) == 2
    assert all(4.0 < w <= 5.0 for w in waits), waits
    assert len(server.requests) == 3


def test_no_spacing_without_min_interval(server):
    client, waits = _client(server.url)
    for _ in range(3):
        client.get("/orders")
    assert waits == []


def test_missing_base_url_names_store_and_platform():
    with pytest.raises(Exception, match="t1/shop-x.*Testshop"):
        HttpClient("", platform="Testshop", store="t1/shop-x")


def test_store_config_never_shows_credentials():
    store = StoreConfig("t1", "s", "shopify", "S", credential_names={"access_token": "SHOP_TOKEN"})
    store.credentials = {"access_token": TOKEN}
    assert TOKEN not in repr(store)
    assert store.credential("access_token") == TOKEN
    store.credentials = {}
    with pytest.raises(KeyError) as info:
        store.credential("access_token")
    assert "SHOP_TOKEN" in str(info.value) and "t1/s" in str(info.value)


# -- run_download with a tiny connector -----------------------------------------------------------


def _order(oid: int, updated: datetime) -> dict[str, Any]:
    """A minimal order the Shopify parser accepts (the tiny connector reuses its raw table)."""
    stamp = iso_utc(updated)
    return {
        "id": oid,
        "created_at": stamp,
        "updated_at": stamp,
        "currency": "SAR",
        "total_price": "10.00",
        "line_items": [{"id": oid * 10, "quantity": 1, "price": "10.00"}],
    }


class TinyPlatform(FakeServer):
    """``GET /orders?since=&until=&page=`` (2 orders a page, ascending update time, ``X-Next-Page``
    while more are left) and ``GET /count?since=&until=``. Pages in ``broken_pages`` answer 503."""

    page_size = 2

    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[int, dict[str, Any]] = {}
        self.broken_pages: set[int] = set()
        self.count_bias = 0

    def add(self, oid: int, updated: datetime) -> dict[str, Any]:
        with self.lock:
            self.orders[oid] = _order(oid, updated)
            return self.orders[oid]

    def _window(self, request: FakeRequest) -> list[dict[str, Any]]:
        low, high = parse_time(request.param("since")), parse_time(request.param("until"))
        rows = [o for o in self.orders.values() if low <= parse_time(o["updated_at"]) <= high]
        return sorted(rows, key=lambda o: (o["updated_at"], o["id"]))

    def handle(self, request: FakeRequest) -> FakeResponse:
        with self.lock:
            if request.path == "/count":
                return json_response(200, {"count": len(self._window(request)) + self.count_bias})
            if request.path != "/orders":
                return json_response(404, {"error": "not found"})
            if request.param("ids"):
                wanted = {int(x) for x in request.param("ids").split(",")}
                return json_response(200, {"orders": [o for o in self.orders.values() if o["id"] in wanted]})
            page = int(request.param("page", "1"))
            if page in self.broken_pages:
                return json_response(503, {"error": f"page {page} is unavailable"})
            rows = self._window(request)
            chunk = rows[(page - 1) * self.page_size : page * self.page_size]
            headers = {"X-Next-Page": str(page + 1)} if page * self.page_size < len(rows) else {}
            return json_response(200, {"orders": chunk}, headers)


class TinyConnector(Connector):
    """A connector for TinyPlatform, registered (for the test) as the shopify channel's connector."""

    channel = "shopify"
    platform = "Tiny"

    def pages(self, since: datetime, until: datetime) -> Iterator[Page]:
        page = 1
        while page:
            response = self.http.get(
                "/orders", params={"since": iso_utc(since), "until": iso_utc(until), "page": page}
            )
            orders = response.json()["orders"]
            yield Page(
                [response.content],
                max_time(*(o["updated_at"] for o in orders)),
                order_count=len(orders),
            )
            page = int(response.headers.get("X-Next-Page") or 0)

    def fetch_by_ids(self, ids: list[str]) -> Iterator[Page]:
        response = self.http.get("/orders", params={"ids": ",".join(ids)})
        yield Page([response.content], None)

    def reported_count(self, since: datetime, until: datetime) -> int | None:
        response = self.http.get("/count", params={"since": iso_utc(since), "until": iso_utc(until)})
        return int(response.json()["count"])


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(CONNECTORS, "shopify", f"{__name__}:TinyConnector")
    with TinyPlatform() as platform:
        yield platform


INITIAL = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)


def _tiny_store(url: str, *, overlap: int = 10, store_id: str = "tiny") -> None:
    add_store(
        "t1",
        store_id,
        "shopify",
        "Tiny shop",
        api_base_url=url,
        overlap_minutes=overlap,
        settings={"http": {"backoff_base_s": 0.001, "max_retries": 1}},
        initial_since=INITIAL,
        created_by="test",
    )


def _batches(db, store_id: str = "tiny") -> list[tuple]:
    with db.cursor() as cur:
        cur.execute(
            """select status, cursor_before, cursor_after, error, landed_count, duplicate_count
                 from raw.batches where store_id = %s and origin = 'api' order by batch_id""",
            (store_id,),
        )
        return cur.fetchall()


def _committed_cursor(db, store_id: str = "tiny") -> str | None:
    with db.cursor() as cur:
        return last_cursor(cur, "t1", "shopify", store_id)


def _landed(db, store_id: str = "tiny") -> list[str]:
    with db.cursor() as cur:
        cur.execute(
            "select natural_key from raw.shopify_orders where store_id = %s order by natural_key", (store_id,)
        )
        return [r[0] for r in cur.fetchall()]


def _order_requests(platform: TinyPlatform) -> list[FakeRequest]:
    return [r for r in platform.requests_to("/orders") if not r.param("ids")]


def test_first_run_starts_at_initial_since_and_chains_cursors(clean_db, tiny):
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    orders = [tiny.add(100 + i, base + timedelta(minutes=i)) for i in range(5)]
    tiny.add(99, INITIAL - timedelta(hours=1))  # before the first window: never asked for
    _tiny_store(tiny.url)

    result = run_download("tiny", "t1")
    assert result.ok, result.error
    assert result.pages == 3 and result.landed == 5 and result.duplicate == 0
    assert result.cursor_before is None
    assert result.cursor_after == orders[-1]["updated_at"] == _committed_cursor(clean_db)
    assert _order_requests(tiny)[0].param("since") == iso_utc(INITIAL)
    # one committed batch per page, each starting where the previous one ended
    batches = _batches(clean_db)
    assert [b[0] for b in batches] == ["committed"] * 3
    assert [(b[1], b[2]) for b in batches] == [
        (None, orders[1]["updated_at"]),
        (orders[1]["updated_at"], orders[3]["updated_at"]),
        (orders[3]["updated_at"], orders[4]["updated_at"]),
    ]
    assert _landed(clean_db) == [str(o["id"]) for o in orders]


def test_next_run_starts_at_committed_cursor_minus_overlap(clean_db, tiny):
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    orders = [tiny.add(100 + i, base + timedelta(minutes=7 * i)) for i in range(4)]
    _tiny_store(tiny.url, overlap=10)
    first = run_download("tiny", "t1")
    assert first.ok, first.error
    cursor = first.cursor_after
    assert cursor == orders[-1]["updated_at"]

    tiny.clear_log()
    second = run_download("tiny", "t1")
    assert second.ok, second.error
    asked_from = parse_time(_order_requests(tiny)[0].param("since"))
    assert asked_from == parse_time(cursor) - timedelta(minutes=10)
    assert second.since == iso_utc(asked_from) and second.cursor_before == cursor
    # the orders inside the overlap (the last two: 7 minutes apart) come again: duplicates, not landed
    assert second.landed == 0 and second.duplicate == 2
    assert second.cursor_after == cursor  # nothing newer: the cursor stays
    assert len(_landed(clean_db)) == 4

    newer = tiny.add(200, datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1))
    third = run_download("tiny", "t1")
    assert third.ok and third.landed == 1
    assert third.cursor_after == newer["updated_at"] == _committed_cursor(clean_db)


def test_explicit_since_overrides_the_cursor(clean_db, tiny):
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    tiny.add(100, base)
    _tiny_store(tiny.url)
    assert run_download("tiny", "t1").ok
    tiny.clear_log()
    since = base - timedelta(days=3)
    result = run_download("tiny", "t1", since=since)
    assert result.ok and result.duplicate == 1
    assert _order_requests(tiny)[0].param("since") == iso_utc(since)


def test_failed_page_leaves_cursor_and_is_in_the_ledger(clean_db, tiny):
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    orders = [tiny.add(100 + i, base + timedelta(minutes=30 * i)) for i in range(5)]
    tiny.broken_pages = {2}
    _tiny_store(tiny.url, overlap=5)

    failed = run_download("tiny", "t1")
    assert not failed.ok and failed.status == "failed"
    assert "t1/tiny" in failed.error and "Tiny" in failed.error and "503" in failed.error
    page1_cursor = orders[1]["updated_at"]
    assert failed.cursor_after == page1_cursor == _committed_cursor(clean_db)
    assert failed.landed == 2 and _landed(clean_db) == ["100", "101"]
    batches = _batches(clean_db)
    assert [b[0] for b in batches] == ["committed", "failed"]
    status, before, after, error, landed, _dup = batches[1]
    # the failed batch starts at the committed cursor and moves nothing (landing sets cursor_after on commit)
    assert before == page1_cursor and after is None and landed == 0
    assert "503" in error and "page 2 is unavailable" in error
    assert failed.batch_ids and len(failed.batch_ids) == 2

    # the platform recovers: the next run resumes from the committed cursor minus the overlap
    tiny.broken_pages = set()
    tiny.clear_log()
    resumed = run_download("tiny", "t1")
    assert resumed.ok, resumed.error
    asked_from = parse_time(_order_requests(tiny)[0].param("since"))
    assert asked_from == parse_time(page1_cursor) - timedelta(minutes=5)
    assert resumed.landed == 3 and resumed.duplicate == 1
    assert _landed(clean_db) == [str(o["id"]) for o in orders]
    assert _committed_cursor(clean_db) == orders[-1]["updated_at"]


def test_failure_on_the_first_page_keeps_no_cursor(clean_db, tiny):
    tiny.add(100, datetime.now(UTC) - timedelta(hours=1))
    tiny.broken_pages = {1}
    _tiny_store(tiny.url)
    result = run_download("tiny", "t1")
    assert not result.ok and result.cursor_after is None
    assert _committed_cursor(clean_db) is None
    assert [b[0] for b in _batches(clean_db)] == ["failed"]

    tiny.broken_pages = set()
    tiny.clear_log()
    assert run_download("tiny", "t1").ok
    assert _order_requests(tiny)[0].param("since") == iso_utc(INITIAL)  # starts over from the beginning


def test_one_store_failing_does_not_touch_another(clean_db, tiny):
    tiny.add(100, datetime.now(UTC) - timedelta(hours=1))
    _tiny_store(tiny.url, store_id="good")
    _tiny_store("http://127.0.0.1:9", store_id="dead")  # nothing listens on the discard port
    dead = run_download("dead", "t1")
    good = run_download("good", "t1")
    assert not dead.ok and "could not connect" in dead.error
    assert good.ok and good.landed == 1
    assert [b[0] for b in _batches(clean_db, "dead")] == ["failed"]


def test_unknown_store_is_a_failed_result_not_an_exception(clean_db):
    result = run_download("nope", "t1")
    assert not result.ok and "nope" in result.error


def _completeness_rows(db) -> list[tuple]:
    with db.cursor() as cur:
        cur.execute(
            """select success, evaluated_count, failed_count, details from quality.check_results
                where check_name = 'download_completeness' and asset = 'raw/shopify' order by 1"""
        )
        return cur.fetchall()


def test_completeness_alert_when_the_count_differs(clean_db, tiny):
    base = datetime.now(UTC) - timedelta(hours=2)
    for i in range(3):
        tiny.add(100 + i, base + timedelta(minutes=i))
    tiny.count_bias = 2  # the platform says 5, the pages hold 3
    _tiny_store(tiny.url)
    result = run_download("tiny", "t1")
    assert result.ok, result.error
    assert result.reported_total == 5 and result.orders == 3
    assert result.completeness_alert and "5" in result.completeness_alert and "3" in result.completeness_alert
    assert "INCOMPLETE" in result.summary()
    [(success, evaluated, failed, details)] = _completeness_rows(clean_db)
    details = details if isinstance(details, dict) else json.loads(details)
    assert success is False and evaluated == 5 and failed == 2
    assert details["reported"] == 5 and details["fetched"] == 3
    assert details["store_id"] == "tiny" and details["tenant_id"] == "t1"
    assert details["batch_ids"] == result.batch_ids


def test_completeness_recorded_as_passing_when_the_count_matches(clean_db, tiny):
    tiny.add(100, datetime.now(UTC) - timedelta(hours=1))
    _tiny_store(tiny.url)
    result = run_download("tiny", "t1")
    assert result.ok and result.completeness_alert is None
    [(success, evaluated, failed, _details)] = _completeness_rows(clean_db)
    assert success is True and evaluated == 1 and failed == 0


def test_re_download_by_ids_does_not_move_the_cursor(clean_db, tiny):
    tiny.add(100, datetime.now(UTC) - timedelta(days=60))  # far outside any window
    _tiny_store(tiny.url)
    result = run_download("tiny", "t1", order_ids=["100"])
    assert result.ok and result.landed == 1 and result.cursor_after is None
    assert _committed_cursor(clean_db) is None
    assert _completeness_rows(clean_db) == []


def test_utcnow_is_aware():
    assert utcnow().tzinfo is not None

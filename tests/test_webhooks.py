"""The webhook service (Salla and WooCommerce) and the Salla parser, on the session's real Postgres.

Signatures are computed here with hmac/hashlib/base64 directly, never with the service's helpers.
The app is driven with starlette's TestClient, and once through a real uvicorn server with requests.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import io
import json
import logging
import socket
import threading
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TENANT = "acme"
SALLA_SECRET = "salla-test-secret-3f9a1c77e2"
WOO_SECRET = "wc-test-secret-b81d0e4a55"
FILE_SECRET = "salla-file-secret-0c2d9e"
TOKEN_SECRET = "salla-token-secret-77aa01"
ALL_SECRETS = (SALLA_SECRET, WOO_SECRET, FILE_SECRET, TOKEN_SECRET)


def salla_sig(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def woo_sig(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def salla_event() -> dict:
    return json.loads((FIXTURES / "salla_order_created.json").read_text())


def woo_order() -> dict:
    return json.loads((FIXTURES / "woocommerce_orders_page.json").read_text())[0]


def dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


@pytest.fixture
def stores(clean_db, monkeypatch, tmp_path):
    """A tenant with Salla and WooCommerce stores; secrets in the environment and in a secrets file."""
    monkeypatch.setenv("TEST_SALLA_SECRET", SALLA_SECRET)
    monkeypatch.setenv("TEST_WOO_SECRET", WOO_SECRET)
    monkeypatch.setenv("TEST_SALLA_TOKEN", TOKEN_SECRET)
    monkeypatch.delenv("TEST_SALLA_FILE_SECRET", raising=False)
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(f'TEST_SALLA_FILE_SECRET = "{FILE_SECRET}"\n')
    monkeypatch.setenv("OMS_SECRETS_FILE", str(secrets_file))
    rows = [
        ("salla-ksa", "salla", True, {"webhook_secret": "TEST_SALLA_SECRET"}, {}),
        ("salla-file", "salla", True, {"webhook_secret": "TEST_SALLA_FILE_SECRET"}, {}),
        ("salla-token", "salla", True, {"webhook_secret": "TEST_SALLA_TOKEN"}, {"webhook_auth": "token"}),
        ("salla-off", "salla", False, {"webhook_secret": "TEST_SALLA_SECRET"}, {}),
        ("salla-nosecret", "salla", True, {}, {}),
        ("salla-unset", "salla", True, {"webhook_secret": "TEST_NOT_SET_ANYWHERE"}, {}),
        ("woo-uae", "woocommerce", True, {"webhook_secret": "TEST_WOO_SECRET"}, {}),
    ]
    with clean_db.cursor() as cur:
        cur.execute("insert into app.tenants (tenant_id, name) values (%s, 'Acme')", (TENANT,))
        for store_id, channel, active, names, store_settings in rows:
            cur.execute(
                """insert into app.stores (tenant_id, store_id, channel, name, timezone, currency, is_active,
                                           credential_names, settings)
                   values (%s, %s, %s, %s, 'Asia/Riyadh', 'SAR', %s, %s, %s)""",
                (TENANT, store_id, channel, store_id, active, json.dumps(names), json.dumps(store_settings)),
            )
    return clean_db


@pytest.fixture
def client(stores, pg):
    from starlette.testclient import TestClient

    from ingestion.webhooks import create_app

    with TestClient(create_app(pg)) as c:
        yield c


def post_salla(client, body: bytes, store: str = "salla-ksa", signature: str | None = None, **headers):
    if signature is not None:
        headers["X-Salla-Signature"] = signature
    headers.setdefault("Content-Type", "application/json")
    return client.post(f"/webhooks/salla/{TENANT}/{store}", content=body, headers=headers)


def one(db, sql: str, *params):
    with db.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def all_rows(db, sql: str, *params):
    with db.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


# -- Salla ------------------------------------------------------------------------------------------


def test_salla_event_lands_once_and_an_update_is_a_new_version(client, stores):
    body = dumps(salla_event())
    r = post_salla(client, body, signature=salla_sig(SALLA_SECRET, body))
    assert r.status_code == 200, r.text
    assert r.json()["landed"] == 1 and r.json()["duplicate"] == 0
    rows = all_rows(stores, "select natural_key, source, store_id, tenant_id from raw.salla_orders")
    assert rows == [("251730485", "salla", "salla-ksa", TENANT)]
    batch = one(
        stores,
        "select origin, status, fetched_count, landed_count, file_name from raw.batches where batch_id = %s",
        r.json()["batch_id"],
    )
    assert batch[:4] == ("webhook", "committed", 1, 1)

    again = post_salla(client, body, signature=salla_sig(SALLA_SECRET, body))
    assert again.status_code == 200
    assert again.json()["landed"] == 0 and again.json()["duplicate"] == 1
    assert one(stores, "select count(*) from raw.salla_orders")[0] == 1

    update = salla_event()
    update["event"] = "order.status.updated"
    update["data"]["status"] = {"id": 1298199463, "name": "تم الشحن", "slug": "shipped"}
    body2 = dumps(update)
    r2 = post_salla(client, body2, signature=salla_sig(SALLA_SECRET, body2))
    assert r2.status_code == 200 and r2.json()["landed"] == 1
    slugs = all_rows(
        stores,
        "select payload #>> '{data,status,slug}' from raw.salla_orders where natural_key = '251730485' "
        "order by raw_id",
    )
    assert slugs == [("under_review",), ("shipped",)]
    assert one(stores, "select count(*) from raw.webhook_refusals")[0] == 0


def test_salla_signature_with_uppercase_hex_is_accepted(client, stores):
    body = dumps(salla_event())
    r = post_salla(client, body, signature=salla_sig(SALLA_SECRET, body).upper())
    assert r.status_code == 200


def test_salla_missing_or_bad_signature_is_refused_and_counted(client, stores, caplog):
    caplog.set_level(logging.DEBUG)
    body = dumps(salla_event())
    missing = post_salla(client, body)
    wrong_secret = post_salla(client, body, signature=salla_sig("not-the-secret", body))
    tampered = post_salla(client, body.replace(b"433", b"1"), signature=salla_sig(SALLA_SECRET, body))
    base64_form = post_salla(client, body, signature=woo_sig(SALLA_SECRET, body))
    for r in (missing, wrong_secret, tampered, base64_form):
        assert r.status_code == 401
        assert r.json()["status"] == "refused"
    assert "missing X-Salla-Signature" in missing.json()["reason"]
    assert one(stores, "select count(*) from raw.salla_orders")[0] == 0
    assert one(stores, "select count(*) from raw.batches")[0] == 0
    refusals = all_rows(
        stores,
        "select source, tenant_id, store_id, reason, headers, body_sha256, body_size "
        "from raw.webhook_refusals order by refusal_id",
    )
    assert len(refusals) == 4
    source, tenant, store, reason, headers, sha, size = refusals[1]
    assert (source, tenant, store) == ("salla", TENANT, "salla-ksa")
    assert reason.startswith("401: bad X-Salla-Signature")
    assert sha == hashlib.sha256(body).hexdigest() and size == len(body)
    assert headers["x-salla-signature"].startswith("[redacted")
    assert headers["content-type"] == "application/json"
    assert "x-salla-signature" not in refusals[0][4]

    health = client.get("/webhooks/health").json()
    assert health["refused"] == 4 and health["accepted"] == 0
    assert health["process"]["refused"] == 4


def test_unknown_store_source_channel_and_disabled_store_are_404(client, stores):
    body = dumps(salla_event())
    sig = salla_sig(SALLA_SECRET, body)
    unknown_store = post_salla(client, body, store="nope", signature=sig)
    disabled = post_salla(client, body, store="salla-off", signature=sig)
    wrong_channel = post_salla(client, body, store="woo-uae", signature=sig)
    unknown_tenant = client.post(
        "/webhooks/salla/other/salla-ksa", content=body, headers={"X-Salla-Signature": sig}
    )
    unknown_source = client.post(f"/webhooks/zid/{TENANT}/salla-ksa", content=body)
    for r in (unknown_store, disabled, wrong_channel, unknown_tenant, unknown_source):
        assert r.status_code == 404, r.text
    reasons = [r[0] for r in all_rows(stores, "select reason from raw.webhook_refusals order by refusal_id")]
    assert reasons == [
        "404: unknown store",
        "404: the store is disabled",
        "404: the store is a woocommerce store, not salla",
        "404: unknown store",
        "404: unknown webhook source",
    ]
    assert one(stores, "select count(*) from raw.batches")[0] == 0


def test_store_without_a_usable_secret_answers_503_naming_the_secret(client, stores):
    body = dumps(salla_event())
    sig = salla_sig(SALLA_SECRET, body)
    no_name = post_salla(client, body, store="salla-nosecret", signature=sig)
    unset = post_salla(client, body, store="salla-unset", signature=sig)
    assert no_name.status_code == unset.status_code == 503
    assert "credential_names.webhook_secret" in no_name.json()["reason"]
    assert "TEST_NOT_SET_ANYWHERE" in unset.json()["reason"]
    assert one(stores, "select count(*) from raw.webhook_refusals")[0] == 2


def test_secret_from_the_secrets_file(client, stores):
    body = dumps(salla_event())
    ok = post_salla(client, body, store="salla-file", signature=salla_sig(FILE_SECRET, body))
    assert ok.status_code == 200 and ok.json()["landed"] == 1
    bad = post_salla(client, body, store="salla-file", signature=salla_sig(SALLA_SECRET, body))
    assert bad.status_code == 401


def test_salla_token_strategy(client, stores):
    body = dumps(salla_event())
    ok = post_salla(client, body, store="salla-token", Authorization=f"Bearer {TOKEN_SECRET}")
    assert ok.status_code == 200 and ok.json()["landed"] == 1
    bad = post_salla(client, body, store="salla-token", Authorization="Bearer guess")
    missing = post_salla(client, body, store="salla-token", signature=salla_sig(TOKEN_SECRET, body))
    assert bad.status_code == missing.status_code == 401
    headers = one(stores, "select headers from raw.webhook_refusals order by refusal_id limit 1")[0]
    assert headers["authorization"] == "[redacted, 12 chars]"


def test_non_order_salla_event_is_kept_as_a_reject(client, stores):
    event = {
        "event": "app.installed",
        "merchant": 1305146709,
        "created_at": "Fri Feb 28 2025 09:00:00 GMT+0300",
        "data": {"id": 1662840947, "app_name": "OMS Connector"},
    }
    body = dumps(event)
    r = post_salla(client, body, signature=salla_sig(SALLA_SECRET, body))
    assert r.status_code == 200
    assert r.json()["rejected"] == 1 and r.json()["landed"] == 0
    assert r.json()["reject_reasons"] == ["not an order event: app.installed"]
    reason, raw = one(stores, "select reason, raw_bytes from raw.rejects")
    assert reason == "not an order event: app.installed"
    assert bytes(raw) == body
    assert one(stores, "select count(*) from raw.salla_orders")[0] == 0


def test_secrets_never_appear_in_refusals_or_logs(client, stores, caplog):
    caplog.set_level(logging.DEBUG)
    body = dumps(salla_event())
    post_salla(client, body, signature="00" * 32)
    post_salla(client, body, store="salla-token", Authorization=f"Bearer {TOKEN_SECRET}x")
    post_salla(client, body, signature=salla_sig(SALLA_SECRET, body))
    woo = dumps(woo_order())
    client.post(
        f"/webhooks/woocommerce/{TENANT}/woo-uae",
        content=woo,
        headers={"X-WC-Webhook-Topic": "order.updated", "X-WC-Webhook-Signature": "AAAA"},
    )
    dumped = json.dumps(all_rows(stores, "select * from raw.webhook_refusals"), default=str)
    dumped += json.dumps(all_rows(stores, "select * from raw.batches"), default=str)
    for secret in ALL_SECRETS:
        assert secret not in dumped
        assert secret not in caplog.text
    assert "refused" in caplog.text  # the refusals were logged, without their secrets


# -- WooCommerce ----------------------------------------------------------------------------------


def post_woo(client, body: bytes, topic: str | None = "order.updated", signature: str | None = None, **extra):
    headers = {"Content-Type": "application/json", **extra}
    if topic:
        headers["X-WC-Webhook-Topic"] = topic
        headers["X-WC-Webhook-Resource"] = topic.split(".")[0]
        headers["X-WC-Webhook-Event"] = topic.split(".")[-1]
    if signature is not None:
        headers["X-WC-Webhook-Signature"] = signature
    return client.post(f"/webhooks/woocommerce/{TENANT}/woo-uae", content=body, headers=headers)


def test_woo_ping_answers_200_and_lands_nothing(client, stores):
    r = client.post(
        f"/webhooks/woocommerce/{TENANT}/woo-uae",
        content=b"webhook_id=17",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200 and r.json() == {"status": "ping"}
    assert one(stores, "select count(*) from raw.batches")[0] == 0
    assert one(stores, "select count(*) from raw.webhook_refusals")[0] == 0
    assert client.get("/webhooks/health").json()["process"]["pings"] == 1
    # a ping to an unknown store is still refused
    unknown = client.post(f"/webhooks/woocommerce/{TENANT}/nope", content=b"webhook_id=17")
    assert unknown.status_code == 404


def test_woo_order_webhook_lands_through_the_woocommerce_parser(client, stores):
    order = woo_order()
    body = dumps(order)
    r = post_woo(client, body, signature=woo_sig(WOO_SECRET, body), **{"X-WC-Webhook-Delivery-ID": "a1b2"})
    assert r.status_code == 200, r.text
    assert r.json()["landed"] == 1
    assert all_rows(stores, "select natural_key from raw.woocommerce_orders") == [(str(order["id"]),)]
    file_name = one(stores, "select file_name from raw.batches where batch_id = %s", r.json()["batch_id"])[0]
    assert file_name == "webhook woocommerce order.updated a1b2"
    again = post_woo(client, body, signature=woo_sig(WOO_SECRET, body))
    assert again.status_code == 200 and again.json()["duplicate"] == 1

    for bad in (None, woo_sig("wrong", body), salla_sig(WOO_SECRET, body)):
        assert post_woo(client, body, signature=bad).status_code == 401
    assert one(stores, "select count(*) from raw.webhook_refusals")[0] == 3

    product = dumps({"id": 99, "name": "Widget"})
    kept = post_woo(client, product, topic="product.updated", signature=woo_sig(WOO_SECRET, product))
    assert kept.status_code == 200 and kept.json()["rejected"] == 1
    assert one(stores, "select reason from raw.rejects")[0] == "not an order webhook topic: product.updated"
    assert one(stores, "select count(*) from raw.woocommerce_orders")[0] == 1

    health = client.get("/webhooks/health").json()
    assert health["accepted"] == 3 and health["refused"] == 3 and health["duplicate"] == 1


def test_oversized_body_is_refused(client, stores, monkeypatch):
    from ingestion import webhooks

    monkeypatch.setattr(webhooks, "MAX_BODY_BYTES", 100)
    body = dumps(salla_event())
    r = post_salla(client, body, signature=salla_sig(SALLA_SECRET, body))
    assert r.status_code == 413
    sha, size = one(stores, "select body_sha256, body_size from raw.webhook_refusals")
    assert sha == hashlib.sha256(body).hexdigest() and size == len(body)


# -- through a real server --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_uvicorn_server(stores, pg):
    import requests
    import uvicorn

    from ingestion.webhooks import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(pg), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}/webhooks"
        body = dumps(salla_event())
        ok = requests.post(
            f"{base}/salla/{TENANT}/salla-ksa",
            data=body,
            headers={"X-Salla-Signature": salla_sig(SALLA_SECRET, body), "Content-Type": "application/json"},
            timeout=10,
        )
        assert ok.status_code == 200 and ok.json()["landed"] == 1
        refused = requests.post(f"{base}/salla/{TENANT}/salla-ksa", data=body, timeout=10)
        assert refused.status_code == 401
        ping = requests.post(f"{base}/woocommerce/{TENANT}/woo-uae", data={"webhook_id": "3"}, timeout=10)
        assert ping.status_code == 200 and ping.json() == {"status": "ping"}
        health = requests.get(f"{base}/health", timeout=10)
        assert health.status_code == 200
        assert health.json()["accepted"] == 1 and health.json()["refused"] == 1
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert not thread.is_alive()


# -- the Salla parser -------------------------------------------------------------------------------


def parse(data: bytes):
    from ingestion.sources import parser_for

    return list(parser_for("salla").records(io.BytesIO(data)))


def test_salla_parser_fixture_file():
    from ingestion.landing import Record, Reject

    items = parse((FIXTURES / "salla_events.json").read_bytes())
    records = [i for i in items if isinstance(i, Record)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [r.natural_key for r in records] == ["251730485"] * 3
    assert {r.table for r in records} == {"salla_orders"}
    assert all(r.parent_key is None for r in records)
    # the envelope is landed whole
    assert json.loads(records[2].payload)["event"] == "order.status.updated"
    assert [r.reason for r in rejects] == [
        "not an order event: app.installed",
        "Salla order 251730486 (order.created): "
        "data.amounts.`total` `amount` is not a decimal amount: '433,00'",
    ]
    assert rejects[0].natural_key is None


def test_salla_parser_json_lines_and_ids():
    from ingestion.landing import Record, Reject

    created = salla_event()
    status_by_order_id = {
        "event": "order.status.updated",
        "merchant": 1,
        "created_at": "2025-03-04 18:40:12",
        "data": {"id": 5, "order_id": "251730485", "status": {"name": "Delivered", "slug": "delivered"}},
    }
    status_by_id = copy.deepcopy(created)
    status_by_id["event"] = "order.status.updated"
    no_id = {"event": "order.updated", "data": {"reference_id": 1}}
    bad_id = {"event": "order.updated", "data": {"id": True}}
    no_event = {"merchant": 1, "data": {"id": 1}}
    bad_date = copy.deepcopy(created)
    bad_date["data"]["date"] = "2025-03-01"
    shipment = {"event": "order.shipment.created", "data": {"id": 9, "order_id": 251730485}}
    lines = b"\n".join(
        dumps(x)
        for x in (created, status_by_order_id, status_by_id, no_id, bad_id, no_event, bad_date, shipment)
    )
    items = parse(lines)
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Record", "Record", "Record", "Reject", "Reject", "Reject", "Reject", "Reject"]
    assert [i.natural_key for i in items if isinstance(i, Record)] == ["251730485"] * 3
    reasons = [i.reason for i in items if isinstance(i, Reject)]
    assert reasons[0] == "Salla order.updated event without `data.id`"
    assert reasons[1].startswith("Salla order.updated event: the order id is not usable")
    assert reasons[2] == "Salla webhook event without `event`"
    assert reasons[3].startswith("Salla order 251730485 (order.created): data.`date`")
    assert reasons[4] == "not an order event: order.shipment.created"


def test_salla_parser_rejects_what_is_not_an_event():
    from ingestion.landing import Reject

    items = parse(b'[1, "x"]')
    assert all(isinstance(i, Reject) for i in items) and len(items) == 2
    assert items[0].reason.startswith("expected a Salla webhook event object or list")


# -- the command ------------------------------------------------------------------------------------


def test_oms_webhooks_command_serves(stores, pg):
    import os
    import signal
    import subprocess
    import sys

    import requests

    from orchestration.cli import build_parser

    args = build_parser().parse_args(["webhooks", "--port", "9123"])
    assert (args.host, args.port, args.func.__name__) == ("127.0.0.1", 9123, "_webhooks")

    port = _free_port()
    env = {**os.environ, "OMS_DATABASE_URL": pg}
    proc = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "webhooks", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()
            try:
                health = requests.get(f"http://127.0.0.1:{port}/webhooks/health", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "oms webhooks did not start"
                time.sleep(0.1)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        body = dumps(salla_event())
        r = requests.post(
            f"http://127.0.0.1:{port}/webhooks/salla/{TENANT}/salla-ksa",
            data=body,
            headers={"X-Salla-Signature": salla_sig(SALLA_SECRET, body)},
            timeout=10,
        )
        assert r.status_code == 200 and r.json()["landed"] == 1
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
    text = out.decode()
    assert "webhook service on" in text
    for secret in ALL_SECRETS:
        assert secret not in text


# -- demo data --------------------------------------------------------------------------------------


def test_salla_demo_files_land_as_expected(clean_db, tmp_path):
    from collections import Counter

    from ingestion.demo import salla as demo
    from ingestion.demo.common import anchor_for_seed
    from ingestion.importer import import_files
    from ingestion.landing import Record

    anchor = anchor_for_seed(7)
    stats = demo.write_store(tmp_path / TENANT, TENANT, 300, 7, anchor)
    again = tmp_path / "again"
    assert demo.write_store(again / TENANT, TENANT, 300, 7, anchor) == stats
    files = sorted((tmp_path / TENANT / "salla" / "salla-ksa").glob("*.json"))
    assert [f.read_bytes() for f in files] == [
        f.read_bytes() for f in sorted((again / TENANT / "salla" / "salla-ksa").glob("*.json"))
    ]
    assert len(files) == stats.files > 30

    records, rejects = [], []
    for f in files:
        for item in parse(f.read_bytes()):
            (records if isinstance(item, Record) else rejects).append(item)
    assert [r.reason for r in rejects] == [
        "not an order event: app.installed",
        "not an order event: app.settings.updated",
    ]
    assert len(records) == stats.events == stats.order_versions + stats.retries
    assert len({(r.natural_key, r.payload) for r in records}) == stats.order_versions
    assert len({r.natural_key for r in records}) == stats.orders == 300
    assert stats.retries > 0 and stats.partial_status_events > 0 and stats.cancelled > 0
    assert 0.5 < stats.cod_orders / stats.orders < 0.75
    events = Counter(json.loads(payload)["event"] for payload in {r.payload for r in records})
    assert events["order.created"] == 300 and events["order.status.updated"] > 300
    first = json.loads(records[0].payload)["data"]
    assert first["currency"] == "SAR" and first["date"]["timezone"] == "Asia/Riyadh"
    assert any(
        "\u0600" <= ch <= "\u06ff" for ch in first["customer"]["first_name"] + first["items"][0]["name"]
    )

    results = import_files("salla", "salla-ksa", TENANT, files, echo=lambda _m: None)
    assert all(r.status == "committed" for r in results)
    assert sum(r.landed for r in results) == stats.order_versions
    assert sum(r.duplicate for r in results) == stats.retries
    assert sum(r.rejected for r in results) == stats.non_order_events
    assert demo.store_record(TENANT, "Acme")["timezone"] == "Asia/Riyadh"

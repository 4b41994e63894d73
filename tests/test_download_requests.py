"""Download now: the app writes app.download_requests, the ``download_requests`` sensor claims it and
launches ``download_store``, whose op lands the orders and records the outcome on the request.
Real Postgres (the session's), the app role for the app's side, a fake Shopify for the store's API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg2
import psycopg2.errors
import pytest
from fakes.shopify import FakeShopify
from streamlit.testing.v1 import AppTest

from ingestion.stores import add_store, disable_store

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "apps" / "streamlit" / "app.py"
TENANT = "dr-acme"
OTHER = "dr-other"
ADMIN = f"admin@{TENANT}.dltest"
PASSWORD = "download-test-Passw0rd"
TOKEN = "shpat_dl_0123456789abcdef"
SECRET = "DR_SHOPIFY_TOKEN"
BAD_SECRET = "DR_SHOPIFY_REVOKED_TOKEN"
BAD_TOKEN = "shpat_revoked_never_shown_42"
USER = {"tenant_id": TENANT, "email": ADMIN}


@pytest.fixture
def fake():
    with FakeShopify(TOKEN) as server:
        yield server


@pytest.fixture
def shop(clean_db, fake, monkeypatch, tmp_path) -> FakeShopify:
    """Tenant dr-acme with an admin and the Shopify store ``dr-shop`` on the fake; another tenant's store."""
    import streamlit as st

    from warehouse.users import add_user

    monkeypatch.setenv("OMS_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv(SECRET, TOKEN)
    monkeypatch.setenv(BAD_SECRET, BAD_TOKEN)
    add_user(ADMIN, PASSWORD, "admin", TENANT, "Admin", created_by="test")
    _store(TENANT, "dr-shop", fake.url)
    _store(OTHER, "dr-other-shop", fake.url)
    st.cache_data.clear()
    return fake


def _store(tenant: str, store_id: str, url: str | None, secret: str = SECRET) -> None:
    add_store(
        tenant,
        store_id,
        "shopify",
        f"{store_id} shop",
        timezone="Asia/Riyadh",
        currency="SAR",
        api_base_url=url,
        credential_names={"access_token": secret},
        settings={"page_limit": 5, "http": {"backoff_base_s": 0.001, "min_interval_s": 0}},
        initial_since=datetime.now(UTC) - timedelta(days=3),
        created_by="test",
    )


def _rows(db, sql: str, params: tuple = ()) -> list[tuple]:
    with db.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _request(db, request_id: int, columns: str) -> tuple:
    """Columns (a fixed list written in the test) of one request, as the owner sees it."""
    return _rows(db, f"select {columns} from app.download_requests where request_id = %s", (request_id,))[0]


def _app_conn(tenant: str):
    from warehouse import settings

    conn = psycopg2.connect(settings.app_database_url())
    with conn.cursor() as cur:
        cur.execute("select set_config('app.tenant_id', %s, false)", (tenant,))
    conn.commit()
    return conn


def _tick(instance) -> list[Any]:
    from orchestration.downloads import download_requests_sensor

    out = download_requests_sensor(dg.build_sensor_context(instance=instance))
    if out is None or isinstance(out, dg.SkipReason):
        return [out]
    return list(out)


# -- the table and its row-level security ----------------------------------------------------------


def test_the_app_role_adds_requests_for_its_tenant_only_and_cannot_change_them(shop, clean_db):
    conn = _app_conn(TENANT)
    try:
        with conn.cursor() as cur:
            cur.execute(
                """insert into app.download_requests (tenant_id, store_id, requested_by)
                   values (%s, 'dr-shop', %s) returning request_id, status""",
                (TENANT, ADMIN),
            )
            request_id, status = cur.fetchone()
        conn.commit()
        assert status == "requested"

        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
            with conn.cursor() as cur:
                cur.execute(
                    """insert into app.download_requests (tenant_id, store_id, requested_by)
                       values (%s, 'dr-other-shop', %s)""",
                    (OTHER, ADMIN),
                )
        conn.rollback()

        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
            with conn.cursor() as cur:
                cur.execute(
                    "update app.download_requests set status = 'succeeded' where request_id = %s",
                    (request_id,),
                )
        conn.rollback()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
            with conn.cursor() as cur:
                cur.execute("delete from app.download_requests where request_id = %s", (request_id,))
        conn.rollback()

        # The other tenant's request (written by the owner) is invisible to this tenant.
        _rows(
            clean_db,
            "insert into app.download_requests (tenant_id, store_id, requested_by) values (%s, %s, 'x')",
            (OTHER, "dr-other-shop"),
        )
        with conn.cursor() as cur:
            cur.execute("select tenant_id, store_id from app.download_requests")
            assert cur.fetchall() == [(TENANT, "dr-shop")]
    finally:
        conn.close()
    assert _rows(
        clean_db, "select status from app.download_requests where request_id = %s", (request_id,)
    ) == [("requested",)]


# -- request_download -------------------------------------------------------------------------------


def test_request_download_writes_the_request_and_its_audit_row(shop, clean_db):
    from apps.streamlit import writes

    request_id = writes.request_download(USER, "dr-shop", "2025-05-01T08:00+03:00", "2025-05-02", "")
    row = _rows(
        clean_db,
        """select tenant_id, store_id, since, until, order_ids, requested_by, status
           from app.download_requests where request_id = %s""",
        (request_id,),
    )[0]
    assert row == (
        TENANT,
        "dr-shop",
        datetime(2025, 5, 1, 5, 0, tzinfo=UTC),
        datetime(2025, 5, 2, tzinfo=UTC),
        [],
        ADMIN,
        "requested",
    )
    audit = _rows(
        clean_db,
        """select user_email, entity_key, details from app.audit_log
           where tenant_id = %s and action = 'download.requested'""",
        (TENANT,),
    )
    assert audit == [
        (
            ADMIN,
            "dr-shop",
            {
                "request_id": request_id,
                "since": "2025-05-01T05:00:00+00:00",
                "until": "2025-05-02T00:00:00+00:00",
                "order_ids": 0,
            },
        )
    ]


def test_request_download_validates_and_says_why(shop, clean_db):
    from apps.streamlit import writes

    def refused(*args: Any, **kwargs: Any) -> str:
        with pytest.raises(writes.DownloadRequestError) as info:
            writes.request_download(USER, *args, **kwargs)
        return " | ".join(info.value.errors)

    assert "store 'nope' does not exist" in refused("nope")
    assert refused("dr-shop", since="2025-05-02", until="2025-05-01") == "'since' must be before 'until'"
    assert refused("dr-shop", since="2025-05-01", until="2025-05-01") == "'since' must be before 'until'"
    assert "since 'yesterday' is not a time: write ISO 8601" in refused("dr-shop", since="yesterday")
    assert refused("dr-shop", since="2025-05-01", order_ids="123") == (
        "give either a time window or order ids, not both"
    )
    assert "holds spaces or commas: one id per line" in refused("dr-shop", order_ids="123, 456")
    # The other tenant's store does not exist for this tenant.
    assert "store 'dr-other-shop' does not exist" in refused("dr-other-shop")

    _store(TENANT, "dr-no-url", None)
    assert refused("dr-no-url") == "store dr-no-url has no API base URL: set one before downloading"
    _store(TENANT, "dr-off", "http://127.0.0.1:9")
    disable_store(TENANT, "dr-off", "test")
    assert refused("dr-off") == "store dr-off is disabled: make it active before downloading"
    assert _rows(clean_db, "select count(*) from app.download_requests") == [(0,)]

    # Order ids are trimmed, blank lines dropped, duplicates removed.
    first = writes.request_download(USER, "dr-shop", order_ids="  5001 \n\n5002\r\n 5001\n")
    assert _rows(clean_db, "select order_ids from app.download_requests where request_id = %s", (first,)) == [
        (["5001", "5002"],)
    ]
    # One open request per store.
    message = refused("dr-shop")
    assert message == (
        f"a download of store dr-shop is already requested (request #{first} by {ADMIN}): "
        "wait until it finishes"
    )
    _rows(clean_db, "update app.download_requests set status = 'running' where request_id = %s", (first,))
    assert "is already running" in refused("dr-shop")
    _rows(clean_db, "update app.download_requests set status = 'failed' where request_id = %s", (first,))
    assert writes.request_download(USER, "dr-shop") > first


# -- the Stores page --------------------------------------------------------------------------------


def _open_stores() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.text_input(key="sign_in_email").input(ADMIN)
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button(key="sign_in_submit").click().run()
    at.switch_page("app_pages/stores.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="stores_selected").set_value("dr-shop").run()
    assert not at.exception, at.exception
    return at


def test_download_now_on_the_stores_page_creates_the_request_and_shows_it(shop, clean_db):
    at = _open_stores()
    assert not at.warning or all("Download now is not available" not in w.value for w in at.warning)
    assert at.button(key="download_now_dr-shop").disabled is False
    at.text_area(key="download_ids_dr-shop").input(" 5001\n5002 \n")
    at.button(key="download_now_dr-shop").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]

    rows = _rows(
        clean_db,
        "select request_id, order_ids, requested_by, status from app.download_requests where tenant_id = %s",
        (TENANT,),
    )
    assert len(rows) == 1
    request_id, order_ids, by, status = rows[0]
    assert (order_ids, by, status) == (["5001", "5002"], ADMIN, "requested")
    assert any(f"request #{request_id}" in s.value for s in at.success)
    assert any(f"Request #{request_id} by {ADMIN} is waiting for the pipeline" in i.value for i in at.info)
    shown = next(f.value for f in at.dataframe if "Request" in f.value.columns)
    assert list(shown["Request"]) == [request_id]
    assert list(shown["Status"]) == ["requested"]
    assert shown["What"].iloc[0] == "2 order id(s): 5001, 5002"
    # While it is open, a second one cannot be asked for, and the page says why.
    assert at.button(key="download_now_dr-shop").disabled is True
    assert any("is already requested" in w.value for w in at.warning)


def test_the_page_says_why_a_store_cannot_be_downloaded(shop, clean_db):
    disable_store(TENANT, "dr-shop", "test")
    at = _open_stores()
    assert at.button(key="download_now_dr-shop").disabled is True
    assert any("Download now is not available: store dr-shop is disabled" in w.value for w in at.warning)


# -- the sensor and the job ---------------------------------------------------------------------------


def test_the_sensor_claims_a_request_and_asks_for_its_run(shop, clean_db):
    from apps.streamlit import writes

    request_id = writes.request_download(USER, "dr-shop", "2025-05-01T00:00Z", "2025-05-03T00:00Z")
    with dg.instance_for_test() as instance:
        first = _tick(instance)
        assert len(first) == 1 and isinstance(first[0], dg.RunRequest)
        run = first[0]
        assert run.run_key == f"download-request-{request_id}"
        assert run.run_config == {
            "ops": {
                "download_store_op": {
                    "config": {
                        "store_id": "dr-shop",
                        "tenant_id": TENANT,
                        "request_id": request_id,
                        "since": "2025-05-01T00:00:00+00:00",
                        "until": "2025-05-03T00:00:00+00:00",
                    }
                }
            }
        }
        status, started_at = _rows(
            clean_db,
            "select status, started_at from app.download_requests where request_id = %s",
            (request_id,),
        )[0]
        assert status == "running" and started_at is not None
        # Claimed once: the next tick has nothing to do.
        again = _tick(instance)
        assert len(again) == 1 and isinstance(again[0], dg.SkipReason)


def _run_request(instance, request_id: int) -> dg.RunRequest:
    runs = [r for r in _tick(instance) if isinstance(r, dg.RunRequest)]
    assert [r.run_key for r in runs] == [f"download-request-{request_id}"]
    return runs[0]


def test_the_job_lands_the_orders_and_marks_the_request_succeeded(shop, clean_db):
    from apps.streamlit import writes
    from orchestration.downloads import download_store

    orders = shop.add_orders(datetime.now(UTC) - timedelta(hours=5), 7)
    request_id = writes.request_download(USER, "dr-shop")
    with dg.instance_for_test() as instance:
        run = _run_request(instance, request_id)
        result = download_store.execute_in_process(run_config=run.run_config, instance=instance)
    assert result.success
    landed = _rows(clean_db, "select natural_key from raw.shopify_orders where store_id = 'dr-shop'")
    assert sorted(r[0] for r in landed) == sorted(str(o["id"]) for o in orders)
    status, run_id, finished_at, summary, error = _rows(
        clean_db,
        """select status, dagster_run_id, finished_at, summary, error
           from app.download_requests where request_id = %s""",
        (request_id,),
    )[0]
    assert (status, run_id, error) == ("succeeded", result.run_id, None)
    assert finished_at is not None
    assert (summary["status"], summary["pages"], summary["landed"], summary["duplicate"]) == ("ok", 2, 7, 0)
    assert summary["rejected"] == 0 and len(summary["batch_ids"]) == 2
    assert summary["cursor_after"] is not None
    # live progress was written page by page while the run went
    assert summary["progress"]["pages"] == 2 and summary["progress"]["landed"] == 7


def test_a_refused_token_marks_the_request_failed_with_the_reason(shop, clean_db):
    from apps.streamlit import writes
    from orchestration.downloads import download_store

    shop.add_orders(datetime.now(UTC) - timedelta(hours=5), 2)
    _store(TENANT, "dr-revoked", shop.url, secret=BAD_SECRET)
    request_id = writes.request_download(USER, "dr-revoked")
    with dg.instance_for_test() as instance:
        run = _run_request(instance, request_id)
        result = download_store.execute_in_process(
            run_config=run.run_config, instance=instance, raise_on_error=False
        )
    assert not result.success
    status, summary, error = _rows(
        clean_db,
        "select status, summary, error from app.download_requests where request_id = %s",
        (request_id,),
    )[0]
    assert status == "failed"
    assert "dr-revoked" in error and "Shopify" in error and "401" in error
    assert BAD_TOKEN not in error and BAD_TOKEN not in str(summary)
    assert summary["status"] == "failed" and summary["landed"] == 0
    # The store can be asked again once the request is closed.
    assert writes.request_download(USER, "dr-revoked") > request_id


def test_the_page_shows_a_running_request_with_its_progress(shop, clean_db):
    from apps.streamlit import writes
    from ingestion.connectors.run import run_download
    from orchestration.downloads import _request_progress, _request_started

    shop.add_orders(datetime.now(UTC) - timedelta(hours=5), 7)
    request_id = writes.request_download(USER, "dr-shop")
    with dg.instance_for_test() as instance:
        _run_request(instance, request_id)
    # What the op does while the run goes: its run id, then progress after each page.
    _request_started(request_id, "run-in-progress")
    assert run_download("dr-shop", TENANT).landed == 7
    _request_progress(request_id)

    at = _open_stores()
    assert any(f"Request #{request_id} by {ADMIN} is running" in i.value for i in at.info)
    assert any(
        "Live from the run: 2 page(s), 7 landed, 0 duplicate, 0 rejected" in c.value for c in at.caption
    )
    # Progress from the batch ledger once the pipeline has built it, else a word on when it will.
    if at.metric:
        assert {m.label: m.value for m in at.metric}["Orders landed"] is not None
    else:
        assert any("Progress appears once the pipeline has built" in c.value for c in at.caption)
    at.button(key="download_refresh_dr-shop").click().run()
    assert not at.exception, at.exception
    assert at.button(key="download_now_dr-shop").disabled is True

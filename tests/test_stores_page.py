"""The admin Stores page: stores with credential NAMES (never values), edits with validation and an
audit row, and the store's last download batches; on the session's real Postgres as the app role."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg2
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "apps" / "streamlit" / "app.py"
PASSWORD = "stores-test-Passw0rd"
TENANT = "st-acme"
SECRET_NAME = "ST_ACME_SHOPIFY_TOKEN"
SECRET_VALUE = "shpat_s3cr3t-value-never-shown-4711"
MISSING_NAME = "ST_ACME_NOT_SET_ANYWHERE"


def email(role: str) -> str:
    return f"{role}@{TENANT}.storestest"


def owner_rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


@pytest.fixture
def stores(pg: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A tenant with an admin and a reviewer, a Shopify store (one secret set, one not) and a manual store."""
    import streamlit as st

    from warehouse.users import add_user

    monkeypatch.setenv(SECRET_NAME, SECRET_VALUE)
    monkeypatch.delenv(MISSING_NAME, raising=False)
    for role in ("admin", "reviewer"):
        add_user(email(role), PASSWORD, role, TENANT, f"{role} {TENANT}", created_by="test")
    owner_rows(pg, "delete from app.stores where tenant_id = %s", (TENANT,))
    owner_rows(
        pg,
        """insert into app.stores (tenant_id, store_id, channel, name, marketplace, timezone, currency,
                                   api_base_url, credential_names)
           values (%s, 'st-shop', 'shopify', 'KSA Shopify', 'SA', 'Asia/Riyadh', 'SAR',
                   'https://ksa.myshopify.com', %s::jsonb),
                  (%s, 'st-manual', 'manual', 'manual', null, 'UTC', 'SAR', null, '{}'::jsonb)""",
        (TENANT, json.dumps({"access_token": SECRET_NAME, "webhook_secret": MISSING_NAME}), TENANT),
    )
    st.cache_data.clear()
    return pg


def open_stores(role: str = "admin") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.text_input(key="sign_in_email").input(email(role))
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button(key="sign_in_submit").click().run()
    at.switch_page("app_pages/stores.py").run()
    assert not at.exception, at.exception
    return at


def everything_shown(at: AppTest) -> str:
    """Every value the page holds: texts, tables, and widget values."""
    parts: list[str] = []
    for kind in ("title", "caption", "markdown", "error", "warning", "info", "success", "text"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for kind in ("text_input", "text_area", "number_input", "selectbox", "checkbox"):
        parts.extend(str(w.value) for w in getattr(at, kind))
    return "\n".join(parts)


def table(at: AppTest, column: str):
    return next(f.value for f in at.dataframe if column in f.value.columns)


def test_only_admins_get_the_page():
    from apps.streamlit.navigation import pages_for

    assert [
        role
        for role in ("reviewer", "ops", "finance", "admin")
        if any(p.file == "stores.py" for p in pages_for(role))
    ] == ["admin"]


def test_the_page_lists_stores_with_credential_names_and_never_a_value(stores):
    at = open_stores()
    shown = table(at, "Credentials")
    assert sorted(shown["Store"]) == ["st-manual", "st-shop"]
    shop = shown[shown["Store"] == "st-shop"].iloc[0]
    assert (shop["Channel"], shop["Time zone"], shop["Interval (min)"], shop["API base URL"]) == (
        "shopify",
        "Asia/Riyadh",
        5,
        "https://ksa.myshopify.com",
    )
    assert f"access_token: {SECRET_NAME} (set)" in shop["Credentials"]
    assert f"webhook_secret: {MISSING_NAME} (missing)" in shop["Credentials"]

    at.selectbox(key="stores_selected").set_value("st-shop").run()
    creds = table(at, "Resolves here")
    assert dict(zip(creds["Secret name"], creds["Resolves here"], strict=True)) == {
        SECRET_NAME: "yes",
        MISSING_NAME: "no",
    }
    assert any("Set the missing secrets" in w.value for w in at.warning)
    assert "Download now" in everything_shown(at)
    assert any("No API or webhook downloads" in i.value for i in at.info)
    assert SECRET_VALUE not in everything_shown(at)


def test_an_edit_lands_with_an_audit_row(stores):
    at = open_stores()
    at.selectbox(key="stores_selected").set_value("st-shop").run()
    at.number_input(key="store_interval_st-shop").set_value(15)
    at.number_input(key="store_overlap_st-shop").set_value(30)
    at.text_input(key="store_tz_st-shop").input("Asia/Dubai")
    at.text_area(key="store_credentials_st-shop").input(f"access_token = {SECRET_NAME}")
    at.checkbox(key="store_active_st-shop").uncheck()
    at.button(key="store_save_st-shop").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Store st-shop saved" in s.value for s in at.success)

    row = owner_rows(
        stores,
        """select timezone, download_interval_minutes, overlap_minutes, credential_names, is_active,
                  updated_by
           from app.stores where tenant_id = %s and store_id = 'st-shop'""",
        (TENANT,),
    )[0]
    assert row == ("Asia/Dubai", 15, 30, {"access_token": SECRET_NAME}, False, email("admin"))
    audit = owner_rows(
        stores,
        """select user_email, details from app.audit_log
           where tenant_id = %s and action = 'store.updated' and entity_key = 'st-shop'
           order by audit_id desc limit 1""",
        (TENANT,),
    )
    assert audit[0][0] == email("admin")
    changes = audit[0][1]["changes"]
    assert changes["timezone"] == ["Asia/Riyadh", "Asia/Dubai"]
    assert changes["download_interval_minutes"] == [5, 15]
    assert changes["is_active"] == [True, False]
    assert SECRET_VALUE not in json.dumps(audit[0][1])
    shown = table(at, "Credentials")
    assert shown[shown["Store"] == "st-shop"].iloc[0]["Active"] == "no"


def test_bad_values_are_refused_with_messages(stores):
    audits_before = owner_rows(stores, "select count(*) from app.audit_log where tenant_id = %s", (TENANT,))
    at = open_stores()
    at.selectbox(key="stores_selected").set_value("st-shop").run()
    at.text_input(key="store_tz_st-shop").input("Asia/Riyad")
    at.number_input(key="store_interval_st-shop").set_value(0)
    at.text_input(key="store_url_st-shop").input("ftp://user:pw@example.com")
    # A value pasted where a secret's NAME belongs is refused without being echoed.
    at.text_area(key="store_credentials_st-shop").input(f"access_token = {SECRET_VALUE}")
    at.button(key="store_save_st-shop").click().run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "unknown time zone 'Asia/Riyad' (use an IANA name such as Asia/Riyadh)" in errors
    assert "the download interval must be 1 to 1440 minutes" in errors
    assert "the API base URL must be an http(s) URL" in errors
    assert "give the NAME of the secret" in errors
    assert SECRET_VALUE not in errors
    assert owner_rows(
        stores,
        """select timezone, download_interval_minutes from app.stores
           where tenant_id = %s and store_id = 'st-shop'""",
        (TENANT,),
    ) == [("Asia/Riyadh", 5)]
    # Nothing written, not even an audit row (signing in adds one before the edit).
    assert (
        audits_before[0][0] + 1
        == owner_rows(stores, "select count(*) from app.audit_log where tenant_id = %s", (TENANT,))[0][0]
    )


def test_a_manual_store_takes_no_api_url(stores):
    from apps.streamlit import writes

    with pytest.raises(writes.StoreEditError, match="a manual store takes no API base URL"):
        writes.update_store(
            {"tenant_id": TENANT, "email": email("admin")},
            "st-manual",
            {
                "timezone": "Asia/Riyadh",
                "download_interval_minutes": 5,
                "overlap_minutes": 10,
                "api_base_url": "https://example.com",
                "credential_names": "",
                "is_active": True,
            },
        )
    changed = writes.update_store(
        {"tenant_id": TENANT, "email": email("admin")},
        "st-manual",
        {"timezone": "Asia/Riyadh", "download_interval_minutes": 5, "overlap_minutes": 10, "is_active": True},
    )
    assert changed == {"timezone": ["UTC", "Asia/Riyadh"]}

"""The store registry (ingestion/stores.py): validation, audit, credential resolution, and the
``oms stores`` / ``oms download`` commands run as real subprocesses on the session database."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.shopify import FakeShopify

from ingestion.stores import (
    InvalidStore,
    MissingCredential,
    StoreNotFound,
    add_store,
    credential_status,
    disable_store,
    get_store,
    list_stores,
    resolve_credentials,
)

ROOT = Path(__file__).resolve().parent.parent
OMS = str(ROOT / ".venv" / "bin" / "oms") if (ROOT / ".venv" / "bin" / "oms").exists() else "oms"
TOKEN = "shpat_5ecret0value0never0shown"
FILE_TOKEN = "shpat_from_the_secrets_file_1"


@pytest.fixture
def secrets(monkeypatch, tmp_path) -> Path:
    """A private secrets file (empty to begin with) and none of the test's secret names in the env."""
    path = tmp_path / "secrets.toml"
    monkeypatch.setenv("OMS_SECRETS_FILE", str(path))
    for name in ("SHOP_TOKEN", "OTHER_TOKEN", "AMZ_REFRESH", "AMZ_CLIENT"):
        monkeypatch.delenv(name, raising=False)
    return path


def _add(store_id: str = "shop-ksa", **kwargs) -> bool:
    options = {
        "timezone": "Asia/Riyadh",
        "currency": "SAR",
        "api_base_url": "https://ksa-shop.myshopify.com",
        "credential_names": {"access_token": "SHOP_TOKEN"},
        "settings": {"api_version": "2024-10"},
        "created_by": "owner@example.com",
        **kwargs,
    }
    return add_store("t1", store_id, "shopify", "KSA shop", **options)


def _audit(db, store_id: str = "shop-ksa") -> list[tuple]:
    with db.cursor() as cur:
        cur.execute(
            """select tenant_id, user_email, action, entity, entity_key, details from app.audit_log
                where entity = 'store' and entity_key = %s order by audit_id""",
            (store_id,),
        )
        return cur.fetchall()


# -- the registry ---------------------------------------------------------------------------------


def test_add_get_list_disable_with_audit(clean_db, secrets):
    assert _add() is True
    store = get_store("t1", "shop-ksa", resolve=False)
    assert (store.channel, store.name, store.timezone, store.currency) == (
        "shopify",
        "KSA shop",
        "Asia/Riyadh",
        "SAR",
    )
    assert store.is_active and store.api_base_url == "https://ksa-shop.myshopify.com"
    assert store.credential_names == {"access_token": "SHOP_TOKEN"} and store.credentials == {}
    assert store.settings == {"api_version": "2024-10"}
    with clean_db.cursor() as cur:
        cur.execute("select count(*) from app.tenants where tenant_id = 't1'")
        assert cur.fetchone()[0] == 1  # the tenant was registered on the way

    # adding again updates (and says so)
    assert _add(overlap_minutes=30, api_base_url="https://ksa-shop.myshopify.com/") is False
    store = get_store("t1", "shop-ksa", resolve=False)
    assert store.overlap_minutes == 30 and store.api_base_url == "https://ksa-shop.myshopify.com"

    _add("shop-uae", timezone="Asia/Dubai", currency="AED")
    assert [s.store_id for s in list_stores("t1")] == ["shop-ksa", "shop-uae"]
    assert list_stores("nobody") == []

    assert disable_store("t1", "shop-uae", by="owner@example.com") is True
    assert disable_store("t1", "shop-uae", by="owner@example.com") is False  # already: no second audit row
    assert [s.store_id for s in list_stores("t1", active_only=True)] == ["shop-ksa"]
    assert get_store("t1", "shop-uae", resolve=False).is_active is False
    _add("shop-uae", timezone="Asia/Dubai", currency="AED")  # adding a disabled store enables it again
    assert get_store("t1", "shop-uae", resolve=False).is_active is True

    ksa = _audit(clean_db)
    assert [r[2] for r in ksa] == ["store.created", "store.updated"]
    tenant, by, _action, entity, key, details = ksa[0]
    assert (tenant, by, entity, key) == ("t1", "owner@example.com", "store", "shop-ksa")
    details = details if isinstance(details, dict) else json.loads(details)
    assert details["credential_names"] == {"access_token": "SHOP_TOKEN"} and details["channel"] == "shopify"
    assert [r[2] for r in _audit(clean_db, "shop-uae")] == [
        "store.created",
        "store.disabled",
        "store.updated",
    ]


def test_channel_cannot_change(clean_db, secrets):
    _add()
    with pytest.raises(InvalidStore, match="shopify store.*cannot change"):
        add_store("t1", "shop-ksa", "woocommerce", "x", created_by="t")
    assert get_store("t1", "shop-ksa", resolve=False).channel == "shopify"
    assert [r[2] for r in _audit(clean_db)] == ["store.created"]


def test_disable_unknown_store(clean_db):
    with pytest.raises(StoreNotFound, match="nope"):
        disable_store("t1", "nope", by="t")


def test_get_store_lookup_rules(clean_db, secrets):
    _add()
    add_store("t2", "shop-ksa", "shopify", "Other tenant's", created_by="t")
    with pytest.raises(StoreNotFound, match="several tenants.*t1, t2"):
        get_store(None, "shop-ksa", resolve=False)
    _add("only-one")
    assert get_store(None, "only-one", resolve=False).tenant_id == "t1"
    with pytest.raises(StoreNotFound, match="'missing' for tenant 't1'"):
        get_store("t1", "missing")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": "ebay"}, "unknown channel 'ebay'"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"timezone": "Asia/Riyadh "}, "unknown time zone"),
        ({"currency": "sar"}, "3-letter ISO 4217"),
        ({"currency": "SARR"}, "3-letter ISO 4217"),
        ({"store_id": "bad id!"}, "store id"),
        ({"name": "  "}, "needs a name"),
        ({"api_base_url": "ftp://example.com"}, "http"),
        ({"api_base_url": "https://example.com/x?token=1"}, "without query"),
        ({"download_interval_minutes": 0}, "interval"),
        ({"overlap_minutes": -1}, "overlap"),
        ({"credential_names": {"AccessToken": "SHOP_TOKEN"}}, "lower_snake_case"),
        ({"credential_names": {"access_token": "shop_token"}}, "UPPER_SNAKE_CASE"),
        ({"credential_names": {"access_token": "1SHOP"}}, "UPPER_SNAKE_CASE"),
        ({"settings": {"access_token": "x"}}, "looks like a credential"),
        ({"settings": {"client_secret": "x"}}, "looks like a credential"),
        ({"settings": {"api_key": "x"}}, "looks like a credential"),
        ({"settings": {"password": "x"}}, "looks like a credential"),
        ({"settings": {"refresh_token": "x"}}, "looks like a credential"),
        ({"settings": {"partner_key": "x"}}, "looks like a credential"),  # Shopee's secret
        ({"settings": {"consumer_key": "x"}}, "looks like a credential"),  # WooCommerce
        ({"settings": {"aws_secret_access_key": "x"}}, "looks like a credential"),
    ],
)
def test_validation(clean_db, changes, message):
    args = {
        "tenant_id": "t1",
        "store_id": "s1",
        "channel": "shopify",
        "name": "Shop",
        "timezone": "UTC",
        "currency": "USD",
        "api_base_url": "https://s1.myshopify.com",
        "created_by": "t",
        **changes,
    }
    with pytest.raises(InvalidStore, match=message):
        add_store(**args)
    with clean_db.cursor() as cur:
        cur.execute("select (select count(*) from app.stores), (select count(*) from app.audit_log)")
        assert cur.fetchone() == (0, 0)  # nothing written, nothing audited


def test_ordinary_settings_are_accepted(clean_db):
    settings = {"app_key": "6abc", "shop_cipher": "ROW_x", "token_url": "https://x/o2/token", "shop_id": 1}
    assert add_store("t1", "s1", "tiktok", "TT", settings=settings, created_by="t") is True
    assert get_store("t1", "s1", resolve=False).settings == settings


def test_api_url_only_for_channels_with_a_connector(clean_db):
    with pytest.raises(InvalidStore, match="no API connector"):
        add_store("t1", "salla-1", "salla", "Salla", api_base_url="https://api.salla.dev", created_by="t")
    assert add_store("t1", "salla-1", "salla", "Salla", created_by="t") is True  # a webhook/file store


def test_a_pasted_secret_value_is_not_echoed(clean_db):
    with pytest.raises(InvalidStore) as info:
        add_store("t1", "s1", "shopify", "S", credential_names={"access_token": TOKEN}, created_by="t")
    assert TOKEN not in str(info.value)


# -- credentials ----------------------------------------------------------------------------------


def test_resolve_from_env(secrets, monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN", TOKEN)
    assert resolve_credentials({"access_token": "SHOP_TOKEN"}) == {"access_token": TOKEN}


def test_resolve_from_secrets_file(secrets):
    secrets.write_text(f'SHOP_TOKEN = "{FILE_TOKEN}"\nAMZ_CLIENT = "amzn1.client"\n')
    assert resolve_credentials({"access_token": "SHOP_TOKEN", "client_id": "AMZ_CLIENT"}) == {
        "access_token": FILE_TOKEN,
        "client_id": "amzn1.client",
    }


def test_env_wins_over_file(secrets, monkeypatch):
    secrets.write_text(f'SHOP_TOKEN = "{FILE_TOKEN}"\n')
    monkeypatch.setenv("SHOP_TOKEN", TOKEN)
    assert resolve_credentials({"access_token": "SHOP_TOKEN"}) == {"access_token": TOKEN}
    monkeypatch.setenv("SHOP_TOKEN", "")  # set but empty: the file's value
    assert resolve_credentials({"access_token": "SHOP_TOKEN"}) == {"access_token": FILE_TOKEN}


def test_missing_names_the_secret_never_a_value(secrets, monkeypatch):
    secrets.write_text(f'SHOP_TOKEN = "{FILE_TOKEN}"\n')
    monkeypatch.setenv("AMZ_CLIENT", TOKEN)
    with pytest.raises(MissingCredential) as info:
        resolve_credentials(
            {"access_token": "SHOP_TOKEN", "client_id": "AMZ_CLIENT", "refresh_token": "AMZ_REFRESH"},
            store="t1/amz",
        )
    err = info.value
    assert isinstance(err, KeyError) and err.name == "AMZ_REFRESH" and err.role == "refresh_token"
    message = str(err)
    assert "AMZ_REFRESH" in message and "t1/amz" in message and "refresh_token" in message
    assert "OMS_SECRETS_FILE" in message
    assert TOKEN not in message and FILE_TOKEN not in message and TOKEN not in repr(err)


def test_missing_when_no_file_at_all(secrets):
    assert not secrets.exists()
    with pytest.raises(MissingCredential, match="SHOP_TOKEN"):
        resolve_credentials({"access_token": "SHOP_TOKEN"})


def test_broken_secrets_file_is_not_quoted(secrets):
    secrets.write_text(f'SHOP_TOKEN = "{FILE_TOKEN}\n')  # unterminated string
    with pytest.raises(InvalidStore) as info:
        resolve_credentials({"access_token": "SHOP_TOKEN"})
    assert "not valid TOML" in str(info.value) and FILE_TOKEN not in str(info.value)
    assert credential_status({"access_token": "SHOP_TOKEN"}) == {"access_token": False}


def test_credential_status(secrets, monkeypatch):
    secrets.write_text(f'SHOP_TOKEN = "{FILE_TOKEN}"\n')
    monkeypatch.setenv("AMZ_CLIENT", "x")
    names = {"access_token": "SHOP_TOKEN", "client_id": "AMZ_CLIENT", "refresh_token": "AMZ_REFRESH"}
    assert credential_status(names) == {"access_token": True, "client_id": True, "refresh_token": False}


def test_get_store_resolves_credentials(clean_db, secrets, monkeypatch):
    _add()
    with pytest.raises(MissingCredential) as info:
        get_store("t1", "shop-ksa")
    assert "SHOP_TOKEN" in str(info.value) and "t1/shop-ksa" in str(info.value)
    monkeypatch.setenv("SHOP_TOKEN", TOKEN)
    store = get_store("t1", "shop-ksa")
    assert store.credential("access_token") == TOKEN
    assert TOKEN not in repr(store)
    with clean_db.cursor() as cur:
        cur.execute(
            "select count(*) from app.stores where row_to_json(stores)::text like %s", (f"%{TOKEN}%",)
        )
        assert cur.fetchone()[0] == 0  # names only in the database


# -- the CLI --------------------------------------------------------------------------------------


def _oms(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [OMS, *args],
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_cli_add_list_disable(clean_db, secrets):
    added = _oms(
        "stores", "add", "--tenant", "t1", "--store", "cli-shop", "--channel", "shopify",
        "--name", "CLI shop", "--timezone", "Asia/Riyadh", "--currency", "SAR", "--api-base-url", "https://cli.myshopify.com",
        "--credential", "access_token=SHOP_TOKEN", "--setting", "page_limit=50",
        "--setting", 'http={"max_retries": 2}',
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "store t1/cli-shop (shopify) added" in added.stdout
    store = get_store("t1", "cli-shop", resolve=False)
    assert store.credential_names == {"access_token": "SHOP_TOKEN"}
    assert store.settings == {"page_limit": 50, "http": {"max_retries": 2}}  # JSON values parsed

    listed = _oms("stores", "list", "--tenant", "t1")
    assert listed.returncode == 0, listed.stderr
    assert "t1/cli-shop" in listed.stdout and "access_token=SHOP_TOKEN (NOT SET)" in listed.stdout

    listed = _oms("stores", "list", env={"SHOP_TOKEN": TOKEN})
    assert listed.returncode == 0, listed.stderr
    assert "access_token=SHOP_TOKEN (set)" in listed.stdout and "active" in listed.stdout
    assert TOKEN not in listed.stdout + listed.stderr

    secrets.write_text(f'SHOP_TOKEN = "{FILE_TOKEN}"\n')
    listed = _oms("stores", "list")
    assert "access_token=SHOP_TOKEN (set)" in listed.stdout
    assert FILE_TOKEN not in listed.stdout + listed.stderr

    disabled = _oms("stores", "disable", "--tenant", "t1", "--store", "cli-shop")
    assert disabled.returncode == 0 and "disabled" in disabled.stdout
    assert "disabled" in _oms("stores", "list").stdout
    assert get_store("t1", "cli-shop", resolve=False).is_active is False
    assert [r[1:3] for r in _audit(clean_db, "cli-shop")] == [
        ("cli", "store.created"),
        ("cli", "store.disabled"),
    ]


def test_cli_refuses_bad_input_without_echoing_secrets(clean_db, secrets):
    pasted = _oms(
        "stores", "add", "--tenant", "t1", "--store", "s1", "--channel", "shopify", "--name", "S",
        "--credential", f"access_token={TOKEN}",
    )  # fmt: skip
    assert pasted.returncode == 1 and "UPPER_SNAKE_CASE" in pasted.stderr
    assert TOKEN not in pasted.stdout + pasted.stderr

    bad_tz = _oms(
        "stores", "add", "--tenant", "t1", "--store", "s1", "--channel", "shopify", "--name", "S",
        "--timezone", "Nowhere/Land",
    )  # fmt: skip
    assert bad_tz.returncode == 1 and "unknown time zone" in bad_tz.stderr

    unknown = _oms("stores", "disable", "--tenant", "t1", "--store", "ghost")
    assert unknown.returncode == 1 and "ghost" in unknown.stderr
    assert list_stores() == []


def _cli_shopify_store(url: str) -> None:
    since = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0, tzinfo=None).isoformat()
    added = _oms(
        "stores", "add", "--tenant", "t1", "--store", "dl-shop", "--channel", "shopify", "--name", "DL",
        "--api-base-url", url, "--credential", "access_token=SHOP_TOKEN", "--setting", "page_limit=2",
        "--setting", 'http={"backoff_base_s": 0.01, "max_retries": 1}', "--initial-since", since,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr


def test_cli_download_prints_a_summary(clean_db, secrets):
    with FakeShopify(TOKEN) as shop:
        shop.add_orders(datetime.now(UTC) - timedelta(hours=5), 3)
        _cli_shopify_store(shop.url)
        done = _oms("download", "--store", "dl-shop", "--tenant", "t1", env={"SHOP_TOKEN": TOKEN})
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "t1/dl-shop (shopify): ok" in done.stdout
    assert "2 page(s)" in done.stdout and "3 landed" in done.stdout and "page 1:" in done.stdout
    assert TOKEN not in out


def test_cli_download_refused_token_exits_1(clean_db, secrets):
    wrong = "shpat_revoked_token_value"
    with FakeShopify(TOKEN) as shop:
        shop.add_orders(datetime.now(UTC) - timedelta(hours=5), 2)
        _cli_shopify_store(shop.url)
        done = _oms("download", "--store", "dl-shop", "--tenant", "t1", env={"SHOP_TOKEN": wrong})
        assert len(shop.requests) == 1  # refused credentials are not retried
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "failed" in done.stdout and "t1/dl-shop" in done.stdout and "Shopify" in done.stdout
    assert "401" in done.stdout
    assert wrong not in out and TOKEN not in out


def test_cli_download_missing_secret_exits_1(clean_db, secrets):
    _cli_shopify_store("http://127.0.0.1:9")
    done = _oms("download", "--store", "dl-shop", "--tenant", "t1")
    assert done.returncode == 1
    assert "SHOP_TOKEN" in done.stdout and "not set" in done.stdout

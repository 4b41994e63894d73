"""The store registry (``app.stores``): which stores a tenant sells through and how to reach their APIs.

Credentials are never stored in the database, printed or logged. A store names, per credential
role, the secret that holds it (``{"access_token": "SHOPIFY_KSA_TOKEN"}``); ``resolve_credentials``
looks each NAME up in the environment first, then in the secrets file (``OMS_SECRETS_FILE``,
default ``~/.config/oms/secrets.toml``, outside the repository: a TOML table of NAME = "value").
Every change to a store is written to ``app.audit_log``.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingestion.connectors.base import MissingCredential, StoreConfig
from ingestion.importer import register_tenant
from warehouse import db

# Names of secrets look like environment variables, upper case: a value pasted by mistake
# (tokens are mostly lower case or mixed) is refused without being echoed.
_SECRET_NAME = re.compile(r"[A-Z][A-Z0-9_]{1,63}")
_ROLE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_STORE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_SECRET_SETTING = re.compile(
    r"(secret|password|passwd|api_?key|(private|partner|consumer|secret|access|signing|hmac)_key|_token|^token)$",
    re.IGNORECASE,
)

_COLUMNS = (
    "tenant_id, store_id, channel, name, marketplace, timezone, currency, is_active, api_base_url, "
    "download_interval_minutes, overlap_minutes, credential_names, settings, initial_since"
)

__all__ = [
    "InvalidStore",
    "MissingCredential",
    "StoreNotFound",
    "add_store",
    "credential_status",
    "disable_store",
    "get_store",
    "list_stores",
    "resolve_credentials",
    "secrets_file",
]


class InvalidStore(ValueError):
    """A store setting that cannot be accepted; the message says which and why (never a secret)."""


class StoreNotFound(LookupError):
    pass


# -- credentials ----------------------------------------------------------------------------------


def secrets_file() -> Path:
    return Path(os.environ.get("OMS_SECRETS_FILE") or Path.home() / ".config" / "oms" / "secrets.toml")


def _read_secrets() -> dict[str, Any]:
    path = secrets_file()
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fp:
            return tomllib.load(fp)
    except tomllib.TOMLDecodeError as err:
        # the parser's message may quote a line of the file: say where only
        raise InvalidStore(f"the secrets file {path} is not valid TOML (line {_toml_line(err)})") from None


def _toml_line(err: tomllib.TOMLDecodeError) -> str:
    found = re.search(r"line (\d+)", str(err))
    return found.group(1) if found else "?"


def resolve_credentials(names: dict[str, str], *, store: str | None = None) -> dict[str, str]:
    """Role → secret value for a map of role → secret NAME: the environment first, then the secrets
    file. Raises MissingCredential naming the first secret NAME that is found in neither."""
    resolved: dict[str, str] = {}
    file_values: dict[str, Any] | None = None
    for role, name in names.items():
        value = os.environ.get(name)
        if not value:
            if file_values is None:
                file_values = _read_secrets()
            found = file_values.get(name)
            value = str(found) if isinstance(found, (str, int)) and not isinstance(found, bool) else None
        if not value:
            raise MissingCredential(name, role, store)
        resolved[role] = value
    return resolved


def credential_status(names: dict[str, str]) -> dict[str, bool]:
    """Role → whether its secret NAME resolves (for listings; never the value)."""
    status: dict[str, bool] = {}
    file_values: dict[str, Any] | None = None
    for role, name in names.items():
        if os.environ.get(name):
            status[role] = True
            continue
        if file_values is None:
            try:
                file_values = _read_secrets()
            except InvalidStore:
                file_values = {}
        status[role] = bool(file_values.get(name))
    return status


# -- validation -----------------------------------------------------------------------------------


def _known_channels() -> set[str]:
    from ingestion.connectors import CONNECTORS
    from ingestion.sources import PARSERS

    return set(CONNECTORS) | set(PARSERS) | {"manual"}


def _validate(
    store_id: str,
    channel: str,
    name: str,
    timezone: str,
    currency: str | None,
    api_base_url: str | None,
    download_interval_minutes: int,
    overlap_minutes: int,
    credential_names: dict[str, str],
    settings: dict[str, Any],
) -> None:
    from ingestion.connectors import CONNECTORS

    if not _STORE_ID.fullmatch(store_id or ""):
        raise InvalidStore(
            f"store id {store_id!r}: letters, digits, '_', '.', '-' (up to 64, starting alphanumeric)"
        )
    if channel not in _known_channels():
        raise InvalidStore(f"unknown channel {channel!r}; known: {', '.join(sorted(_known_channels()))}")
    if not name or not name.strip():
        raise InvalidStore("a store needs a name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidStore(f"unknown time zone {timezone!r} (an IANA name like 'Asia/Riyadh')") from None
    if currency is not None and not _CURRENCY.fullmatch(currency):
        raise InvalidStore(f"currency {currency!r} must be a 3-letter ISO 4217 code like 'SAR'")
    if api_base_url is not None:
        if channel not in CONNECTORS:
            raise InvalidStore(f"channel {channel!r} has no API connector; a store of it takes no API URL")
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", api_base_url):
            raise InvalidStore("the API base URL must be an http(s) URL without query or fragment")
    if not 1 <= download_interval_minutes <= 1440:
        raise InvalidStore("the download interval must be 1 to 1440 minutes")
    if not 0 <= overlap_minutes <= 1440:
        raise InvalidStore("the overlap must be 0 to 1440 minutes")
    for role, secret_name in credential_names.items():
        if not _ROLE.fullmatch(role or ""):
            raise InvalidStore(f"credential role {role!r} must be lower_snake_case, like access_token")
        if not isinstance(secret_name, str) or not _SECRET_NAME.fullmatch(secret_name):
            # never echo it: it may be a secret value pasted where its name belongs
            raise InvalidStore(
                f"credential {role!r}: give the NAME of the secret (UPPER_SNAKE_CASE, like "
                "SHOPIFY_KSA_TOKEN), not its value; the value goes into the environment or the secrets file"
            )
    for key in settings:
        if _SECRET_SETTING.search(key):
            raise InvalidStore(
                f"setting {key!r} looks like a credential: name its secret with --credential instead"
            )


# -- the registry ---------------------------------------------------------------------------------


def _audit(cur, tenant_id: str, by: str, action: str, store_id: str, details: dict[str, Any]) -> None:
    cur.execute(
        """insert into app.audit_log (tenant_id, user_email, action, entity, entity_key, details)
           values (%s, %s, %s, 'store', %s, %s::jsonb)""",
        (tenant_id, by, action, store_id, json.dumps(details, default=str)),
    )


def add_store(
    tenant_id: str,
    store_id: str,
    channel: str,
    name: str,
    *,
    marketplace: str | None = None,
    timezone: str = "UTC",
    currency: str | None = None,
    api_base_url: str | None = None,
    download_interval_minutes: int = 5,
    overlap_minutes: int = 10,
    credential_names: dict[str, str] | None = None,
    settings: dict[str, Any] | None = None,
    initial_since: datetime | None = None,
    created_by: str,
    url: str | None = None,
) -> bool:
    """Register a store, or update an existing one's settings (its channel cannot change; a disabled
    store is enabled again). The tenant is registered if missing. True if the store is new."""
    credential_names = dict(credential_names or {})
    settings = dict(settings or {})
    _validate(
        store_id,
        channel,
        name,
        timezone,
        currency,
        api_base_url,
        download_interval_minutes,
        overlap_minutes,
        credential_names,
        settings,
    )
    values = {
        "tenant_id": tenant_id,
        "store_id": store_id,
        "channel": channel,
        "name": name.strip(),
        "marketplace": marketplace,
        "timezone": timezone,
        "currency": currency,
        "api_base_url": api_base_url.rstrip("/") if api_base_url else None,
        "interval": download_interval_minutes,
        "overlap": overlap_minutes,
        "credential_names": json.dumps(credential_names),
        "settings": json.dumps(settings),
        "initial_since": initial_since,
        "by": created_by,
    }
    with db.transaction(url) as cur:
        register_tenant(cur, tenant_id, echo=lambda _msg: None)
        cur.execute(
            "select channel from app.stores where tenant_id = %s and store_id = %s for update",
            (tenant_id, store_id),
        )
        row = cur.fetchone()
        if row is not None and row[0] != channel:
            raise InvalidStore(
                f"store {tenant_id}/{store_id} is a {row[0]} store; its channel cannot change to {channel}"
            )
        cur.execute(
            """insert into app.stores as s (
                   tenant_id, store_id, channel, name, marketplace, timezone, currency, is_active,
                   api_base_url, download_interval_minutes, overlap_minutes, credential_names, settings,
                   initial_since, created_by, updated_by)
               values (%(tenant_id)s, %(store_id)s, %(channel)s, %(name)s, %(marketplace)s, %(timezone)s,
                       %(currency)s, true, %(api_base_url)s, %(interval)s, %(overlap)s,
                       %(credential_names)s::jsonb, %(settings)s::jsonb, %(initial_since)s, %(by)s, %(by)s)
               on conflict (tenant_id, store_id) do update
                  set name = excluded.name, marketplace = excluded.marketplace, timezone = excluded.timezone,
                      currency = excluded.currency, is_active = true, api_base_url = excluded.api_base_url,
                      download_interval_minutes = excluded.download_interval_minutes,
                      overlap_minutes = excluded.overlap_minutes,
                      credential_names = excluded.credential_names, settings = excluded.settings,
                      initial_since = coalesce(excluded.initial_since, s.initial_since),
                      updated_at = now(), updated_by = excluded.updated_by
               returning (xmax = 0) as inserted""",
            values,
        )
        inserted = bool(cur.fetchone()[0])
        _audit(
            cur,
            tenant_id,
            created_by,
            "store.created" if inserted else "store.updated",
            store_id,
            {
                "channel": channel,
                "name": values["name"],
                "marketplace": marketplace,
                "timezone": timezone,
                "currency": currency,
                "api_base_url": values["api_base_url"],
                "download_interval_minutes": download_interval_minutes,
                "overlap_minutes": overlap_minutes,
                "credential_names": credential_names,  # names only
                "settings": settings,
            },
        )
    return inserted


def disable_store(tenant_id: str, store_id: str, by: str, *, url: str | None = None) -> bool:
    """Stop downloading a store (its data stays). False if it was already disabled."""
    with db.transaction(url) as cur:
        cur.execute(
            "select is_active from app.stores where tenant_id = %s and store_id = %s for update",
            (tenant_id, store_id),
        )
        row = cur.fetchone()
        if row is None:
            raise StoreNotFound(f"no store {store_id!r} for tenant {tenant_id!r}")
        if not row[0]:
            return False
        cur.execute(
            """update app.stores set is_active = false, updated_at = now(), updated_by = %s
                where tenant_id = %s and store_id = %s""",
            (by, tenant_id, store_id),
        )
        _audit(cur, tenant_id, by, "store.disabled", store_id, {})
    return True


def _row_to_config(row: tuple) -> StoreConfig:
    (
        tenant_id,
        store_id,
        channel,
        name,
        marketplace,
        timezone,
        currency,
        is_active,
        api_base_url,
        interval,
        overlap,
        credential_names,
        settings,
        initial_since,
    ) = row
    return StoreConfig(
        tenant_id=tenant_id,
        store_id=store_id,
        channel=channel,
        name=name,
        marketplace=marketplace,
        timezone=timezone,
        currency=currency.strip() if currency else None,
        is_active=is_active,
        api_base_url=api_base_url,
        download_interval_minutes=interval,
        overlap_minutes=overlap,
        credential_names=dict(credential_names or {}),
        settings=dict(settings or {}),
        initial_since=initial_since,
    )


def get_store(
    tenant_id: str | None, store_id: str, *, resolve: bool = True, url: str | None = None
) -> StoreConfig:
    """The store's configuration, with its credentials resolved (``resolve=False``: names only).

    Without a tenant, the store id must name one store across tenants. Raises StoreNotFound, and
    MissingCredential when a named secret is not set.
    """
    with db.transaction(url) as cur:
        if tenant_id is None:
            cur.execute(f"select {_COLUMNS} from app.stores where store_id = %s", (store_id,))
        else:
            cur.execute(
                f"select {_COLUMNS} from app.stores where tenant_id = %s and store_id = %s",
                (tenant_id, store_id),
            )
        rows = cur.fetchall()
    if not rows:
        who = f" for tenant {tenant_id!r}" if tenant_id else ""
        raise StoreNotFound(f"no store {store_id!r}{who}")
    if len(rows) > 1:
        tenants = ", ".join(sorted(r[0] for r in rows))
        raise StoreNotFound(
            f"store {store_id!r} exists for several tenants ({tenants}): say which with --tenant"
        )
    store = _row_to_config(rows[0])
    if resolve:
        store.credentials = resolve_credentials(store.credential_names, store=store.label)
    return store


def list_stores(
    tenant_id: str | None = None, *, active_only: bool = False, url: str | None = None
) -> list[StoreConfig]:
    """Stores (credentials NOT resolved), by tenant and store id."""
    clauses, params = [], []
    if tenant_id is not None:
        clauses.append("tenant_id = %s")
        params.append(tenant_id)
    if active_only:
        clauses.append("is_active")
    where = f" where {' and '.join(clauses)}" if clauses else ""
    with db.transaction(url) as cur:
        cur.execute(f"select {_COLUMNS} from app.stores{where} order by tenant_id, store_id", params)
        return [_row_to_config(r) for r in cur.fetchall()]

"""Lazada Open Platform orders: signed requests, ``/orders/get`` by update time with offset paging,
and the items of each page's orders.

- Every call carries ``app_key, timestamp`` (epoch milliseconds), ``sign_method=sha256``,
  ``access_token`` and ``sign``: the uppercase hex HMAC-SHA256, keyed with the app secret, of the
  API path followed by every other parameter as ``key + value``, sorted by key (:func:`lazada_sign`).
- ``GET /orders/get`` with ``update_after`` / ``update_before`` (ISO-8601 with offset),
  ``sort_by=updated_at``, ``sort_direction=ASC``, ``offset`` and ``limit`` (<= 100). The answer's
  ``countTotal`` (sometimes a string) is the window's count for the completeness check.
- ``GET /orders/items/get`` with ``order_ids=[id,...]`` (at most 50) for the items of a page's
  orders; the page's Page holds both bodies, so orders and their items land in one batch.
- Errors come as HTTP 200 with ``{"code": "...", "message": ...}``: ``IllegalAccessToken`` (and the
  other credential codes) raise ``AuthError``; ``ApiCallLimit`` is waited out and retried.

Store settings: none required. Credentials (roles): ``app_key``, ``app_secret``, ``access_token``.
Orders come sorted by ``updated_at`` ascending, so each page's cursor is its newest ``updated_at``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from ingestion.connectors.base import (
    ApiError,
    AuthError,
    Connector,
    HttpClient,
    Page,
    StoreConfig,
    as_utc,
    max_time,
    utcnow,
)

log = logging.getLogger(__name__)

ORDERS_PATH = "/orders/get"
ORDER_PATH = "/order/get"
ITEMS_PATH = "/orders/items/get"
LIMIT = 100
ITEMS_BATCH = 50
AUTH_CODES = frozenset(
    {
        "IllegalAccessToken",
        "InvalidAccessToken",
        "AccessTokenExpired",
        "IncompleteSignature",
        "InvalidSignature",
        "InvalidAppKey",
        "AppKeyNotExist",
        "AppWhiteIpLimit",
        "InsufficientPermission",
    }
)
BUSY_CODES = frozenset({"ApiCallLimit", "AppCallLimit", "ServiceTimeout", "ISP.ServiceUnavailable"})
BUSY_RETRIES = 5


def lazada_sign(app_secret: str, api_path: str, params: Mapping[str, Any]) -> str:
    """The ``sign`` of a call: HMAC-SHA256 (uppercase hex) of ``api_path`` + sorted ``key+value``."""
    base = api_path + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hmac.new(app_secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()


def lazada_time(value: datetime) -> str:
    """``2024-05-01T12:00:00+00:00``: an ISO-8601 time with offset, as ``update_after`` wants it."""
    return as_utc(value).isoformat(timespec="seconds")


class LazadaConnector(Connector):
    channel = "lazada"
    platform = "Lazada"

    def __init__(
        self,
        store: StoreConfig,
        http: HttpClient | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(store, http, now)
        self.app_key = store.credential("app_key")
        self.app_secret = store.credential("app_secret")
        self.access_token = store.credential("access_token")

    def call(self, path: str, params: dict[str, Any]) -> tuple[dict, bytes]:
        """A signed GET; its decoded body and raw bytes. Waits out ``ApiCallLimit``."""
        busy = 0
        while True:
            signed: dict[str, Any] = {
                **{k: str(v) for k, v in params.items()},
                "app_key": self.app_key,
                "timestamp": str(int(self.now().timestamp() * 1000)),
                "sign_method": "sha256",
                "access_token": self.access_token,
            }
            signed["sign"] = lazada_sign(self.app_secret, path, signed)
            response = self.http.get(path, params=signed)
            body = response.content
            doc = _decode(body, self.store.label)
            code = str(doc.get("code", ""))
            if code == "0":
                return doc, body
            message = str(doc.get("message") or "")[:200]
            if code in BUSY_CODES and busy < BUSY_RETRIES:
                wait = self.http.backoff_base_s * 2**busy
                busy += 1
                log.warning("store %s: Lazada answered %s; retrying in %.3gs", self.store.label, code, wait)
                self.http.sleep(wait)
                continue
            what = f"store {self.store.label}: Lazada refused {path}: {code}: {message}"
            if code in AUTH_CODES:
                raise AuthError(what, None, message)
            raise ApiError(what, None, message)

    def _items_body(self, order_ids: list[str]) -> Iterator[bytes]:
        for i in range(0, len(order_ids), ITEMS_BATCH):
            batch = order_ids[i : i + ITEMS_BATCH]
            _doc, body = self.call(ITEMS_PATH, {"order_ids": "[" + ",".join(batch) + "]"})
            yield body

    def pages(self, since: datetime, until: datetime) -> Iterator[Page]:
        offset = 0
        while True:
            doc, body = self.call(
                ORDERS_PATH,
                {
                    "update_after": lazada_time(since),
                    "update_before": lazada_time(until),
                    "sort_by": "updated_at",
                    "sort_direction": "ASC",
                    "offset": offset,
                    "limit": LIMIT,
                },
            )
            data = doc.get("data") or {}
            orders = [o for o in data.get("orders") or [] if isinstance(o, dict)]
            total = _int(data.get("countTotal"))
            if not orders:
                if offset == 0:
                    yield Page([body], None, reported_total=total, order_count=0)
                return
            ids = [str(o["order_id"]) for o in orders if o.get("order_id") is not None]
            bodies = [body, *self._items_body(ids)]
            cursor = max_time(*(o.get("updated_at") for o in orders if isinstance(o.get("updated_at"), str)))
            yield Page(bodies, cursor, reported_total=total, order_count=len(orders))
            offset += len(orders)
            if len(orders) < LIMIT or (total is not None and offset >= total):
                return

    def fetch_by_ids(self, ids: list[str]) -> Iterator[Page]:
        for order_id in ids:
            _doc, body = self.call(ORDER_PATH, {"order_id": order_id})
            yield Page([body, *self._items_body([str(order_id)])], None, order_count=1)

    def reported_count(self, since: datetime, until: datetime) -> int | None:
        doc, _ = self.call(
            ORDERS_PATH,
            {
                "update_after": lazada_time(since),
                "update_before": lazada_time(until),
                "offset": 0,
                "limit": 1,
            },
        )
        return _int((doc.get("data") or {}).get("countTotal"))


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _decode(body: bytes, store: str) -> dict:
    try:
        doc = json.loads(body)
    except ValueError as err:
        raise ApiError(f"store {store}: Lazada answered with a body that is not JSON: {err}") from None
    if not isinstance(doc, dict):
        raise ApiError(f"store {store}: Lazada answered with JSON that is not an object")
    return doc


__all__ = ["LazadaConnector", "lazada_sign", "lazada_time"]

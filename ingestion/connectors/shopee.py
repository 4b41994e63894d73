"""Shopee Open Platform v2 orders: signed requests, ``get_order_list`` by update time, detail by sn.

- Every shop-level request carries ``partner_id, timestamp, access_token, shop_id, sign`` where
  ``sign`` is the lowercase hex HMAC-SHA256, keyed with the partner key, of
  ``partner_id + api_path + timestamp + access_token + shop_id`` (:func:`shop_sign`). Public calls
  (the token refresh) sign ``partner_id + api_path + timestamp`` (:func:`public_sign`).
- ``GET /api/v2/order/get_order_list`` with ``time_range_field=update_time`` and ``time_from`` /
  ``time_to`` in unix seconds, in windows of at most 15 days (longer ranges are split), pages of
  ``page_size`` <= 100 by ``cursor`` (``""`` first) while ``response.more``.
- ``GET /api/v2/order/get_order_detail`` with ``order_sn_list`` (<= 50, comma-joined) and
  ``response_optional_fields``; these responses are what lands (``raw.shopee_orders``).
- Errors come as HTTP 200 or 403 with ``{"error": "...", "message": ...}``. An expired access token
  (``invalid_acceess_token``, Shopee's spelling, or ``invalid_access_token``) is refreshed once with
  ``POST /api/v2/auth/access_token/get`` when a refresh token is configured; other auth errors raise
  ``AuthError``; ``error_busy`` / ``error_rate_limit`` (and HTTP 429) are waited out.

Store settings: ``partner_id``, ``shop_id``. Credentials (roles): ``partner_key``, ``access_token``,
optional ``refresh_token``.

get_order_list does not promise any order within a window, so only the last page of a window
carries a cursor: the newest ``update_time`` among the window's orders, capped at the window's end.
A run stopped inside a window resumes at the window's start (what was landed comes back as
duplicates, counted and not landed again).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ingestion.connectors.base import (
    ApiError,
    AuthError,
    Connector,
    HttpClient,
    Page,
    StoreConfig,
    as_utc,
    iso_utc,
    utcnow,
)

log = logging.getLogger(__name__)

ORDER_LIST_PATH = "/api/v2/order/get_order_list"
ORDER_DETAIL_PATH = "/api/v2/order/get_order_detail"
TOKEN_PATH = "/api/v2/auth/access_token/get"
MAX_WINDOW = timedelta(days=15)
PAGE_SIZE = 100
DETAIL_BATCH = 50
OPTIONAL_FIELDS = (
    "buyer_user_id,buyer_username,estimated_shipping_fee,recipient_address,actual_shipping_fee,"
    "goods_to_declare,note,note_update_time,item_list,pay_time,dropshipper,dropshipper_phone,"
    "split_up,buyer_cancel_reason,cancel_by,cancel_reason,actual_shipping_fee_confirmed,"
    "buyer_cpf_id,fulfillment_flag,pickup_done_time,package_list,shipping_carrier,payment_method,"
    "total_amount,invoice_data,checkout_shipping_carrier,reverse_shipping_fee,order_chargeable_weight_gram"
)
TOKEN_ERRORS = frozenset({"invalid_acceess_token", "invalid_access_token", "error_token_expired"})
BUSY_ERRORS = frozenset({"error_busy", "error_rate_limit", "error_server", "error_inner"})
AUTH_ERRORS = frozenset({"error_auth", "error_permission", "error_sign", "invalid_partner_id", "error_shop"})
BUSY_RETRIES = 5


def shop_sign(
    partner_key: str,
    partner_id: int | str,
    api_path: str,
    timestamp: int,
    access_token: str,
    shop_id: int | str,
) -> str:
    """The ``sign`` of a shop-level call."""
    base = f"{partner_id}{api_path}{timestamp}{access_token}{shop_id}"
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def public_sign(partner_key: str, partner_id: int | str, api_path: str, timestamp: int) -> str:
    """The ``sign`` of a public call (no shop, no token), e.g. the token refresh."""
    base = f"{partner_id}{api_path}{timestamp}"
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def windows(since: datetime, until: datetime, size: timedelta = MAX_WINDOW) -> list[tuple[int, int]]:
    """``[since, until]`` as unix-second windows of at most ``size`` (Shopee refuses longer ones)."""
    start, end = int(as_utc(since).timestamp()), int(as_utc(until).timestamp())
    step = int(size.total_seconds())
    out = []
    while start < end:
        stop = min(start + step, end)
        out.append((start, stop))
        start = stop
    return out


class ShopeeConnector(Connector):
    channel = "shopee"
    platform = "Shopee"

    def __init__(
        self,
        store: StoreConfig,
        http: HttpClient | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(store, http, now)
        self.partner_id = _setting_int(store, "partner_id")
        self.shop_id = _setting_int(store, "shop_id")
        self.partner_key = store.credential("partner_key")
        self._access_token = store.credential("access_token")
        self._refreshed = False

    # -- requests ---------------------------------------------------------------------------

    def _signed_params(self, path: str) -> dict[str, Any]:
        ts = int(self.now().timestamp())
        return {
            "partner_id": self.partner_id,
            "timestamp": ts,
            "access_token": self._access_token,
            "shop_id": self.shop_id,
            "sign": shop_sign(self.partner_key, self.partner_id, path, ts, self._access_token, self.shop_id),
        }

    def call(self, path: str, params: dict[str, Any]) -> tuple[dict, bytes]:
        """A signed GET; its decoded body and raw bytes. Refreshes the token once; waits out busy errors."""
        busy = 0
        while True:
            try:
                response = self.http.get(path, params={**params, **self._signed_params(path)})
                body = response.content
                doc = _decode(body)
            except AuthError as err:  # a 403 carrying Shopee's error object
                doc, body = _decode_quiet(err.body), err.body.encode()
                if not doc:
                    raise
            error = doc.get("error") or ""
            if not error:
                return doc, body
            message = str(doc.get("message") or "")[:200]
            if error in TOKEN_ERRORS and not self._refreshed and self.store.credentials.get("refresh_token"):
                self._refresh_token()
                continue
            if error in BUSY_ERRORS and busy < BUSY_RETRIES:
                wait = self.http.backoff_base_s * 2**busy
                busy += 1
                log.warning("store %s: Shopee is busy (%s); retrying in %.3gs", self.store.label, error, wait)
                self.http.sleep(wait)
                continue
            what = f"store {self.store.label}: Shopee refused {path}: {error}: {message}"
            if error in TOKEN_ERRORS or error in AUTH_ERRORS:
                raise AuthError(what, None, message)
            raise ApiError(what, None, message)

    def _refresh_token(self) -> None:
        """Exchange the refresh token for a new access token (kept in memory for this run only)."""
        self._refreshed = True
        ts = int(self.now().timestamp())
        params = {
            "partner_id": self.partner_id,
            "timestamp": ts,
            "sign": public_sign(self.partner_key, self.partner_id, TOKEN_PATH, ts),
        }
        payload = {
            "refresh_token": self.store.credential("refresh_token"),
            "partner_id": self.partner_id,
            "shop_id": self.shop_id,
        }
        try:
            response = self.http.post(TOKEN_PATH, params=params, json=payload)
            doc = _decode(response.content)
        except AuthError as err:
            raise AuthError(
                f"store {self.store.label}: Shopee refused the token refresh: {err.body[:200]}"
            ) from None
        if doc.get("error") or not doc.get("access_token"):
            raise AuthError(
                f"store {self.store.label}: Shopee refused the token refresh: "
                f"{doc.get('error') or 'no access_token'}: {str(doc.get('message') or '')[:200]}"
            )
        self._access_token = str(doc["access_token"])
        log.info("store %s: Shopee access token refreshed", self.store.label)

    # -- the connector ----------------------------------------------------------------------

    def order_sns(self, time_from: int, time_to: int) -> Iterator[list[str]]:
        """The order_sns updated in one window (<= 15 days), one list per get_order_list page."""
        cursor = ""
        while True:
            doc, _ = self.call(
                ORDER_LIST_PATH,
                {
                    "time_range_field": "update_time",
                    "time_from": time_from,
                    "time_to": time_to,
                    "page_size": PAGE_SIZE,
                    "cursor": cursor,
                },
            )
            response = doc.get("response") or {}
            sns = [str(o["order_sn"]) for o in response.get("order_list") or [] if o.get("order_sn")]
            yield sns
            if not response.get("more"):
                return
            next_cursor = response.get("next_cursor") or ""
            if next_cursor == cursor:
                raise ApiError(f"store {self.store.label}: Shopee get_order_list repeated cursor {cursor!r}")
            cursor = next_cursor

    def details(self, sns: list[str]) -> Iterator[tuple[bytes, list[int]]]:
        """get_order_detail bodies for ``sns`` in batches of 50, with the update times they hold."""
        for i in range(0, len(sns), DETAIL_BATCH):
            batch = sns[i : i + DETAIL_BATCH]
            doc, body = self.call(
                ORDER_DETAIL_PATH,
                {"order_sn_list": ",".join(batch), "response_optional_fields": OPTIONAL_FIELDS},
            )
            orders = (doc.get("response") or {}).get("order_list") or []
            times = [
                o["update_time"] for o in orders if isinstance(o, dict) and type(o.get("update_time")) is int
            ]
            yield body, times

    def pages(self, since: datetime, until: datetime) -> Iterator[Page]:
        for time_from, time_to in windows(since, until):
            newest: int | None = None
            pending: Page | None = None
            for sns in self.order_sns(time_from, time_to):
                if pending is not None:
                    yield pending
                bodies: list[bytes] = []
                for body, times in self.details(sns):
                    bodies.append(body)
                    if times:
                        newest = max(newest or 0, max(times))
                pending = Page(bodies, None, order_count=len(sns))
            # the last page of the window carries its high-water mark (capped at the window's end)
            cursor = iso_utc(datetime.fromtimestamp(min(newest, time_to), UTC)) if newest else None
            if pending is None:
                pending = Page([], None, order_count=0)
            pending.cursor_after = cursor
            yield pending

    def fetch_by_ids(self, ids: list[str]) -> Iterator[Page]:
        for body, _times in self.details(list(ids)):
            yield Page([body], None)


def _setting_int(store: StoreConfig, key: str) -> int:
    value = store.setting(key)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(
            f"store {store.label}: Shopee needs the setting {key!r} (an integer), got {value!r}"
        ) from None


def _decode(body: bytes) -> dict:
    try:
        doc = json.loads(body)
    except ValueError as err:
        raise ApiError(f"Shopee answered with a body that is not JSON: {err}") from None
    if not isinstance(doc, dict):
        raise ApiError("Shopee answered with JSON that is not an object")
    return doc


def _decode_quiet(text: str) -> dict:
    try:
        doc = json.loads(text)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


__all__ = ["ShopeeConnector", "public_sign", "shop_sign", "windows"]

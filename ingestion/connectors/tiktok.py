"""TikTok Shop Open API (version 202309): signed order search by update time, detail by ids.

Every request carries ``app_key``, ``timestamp`` (unix seconds), ``shop_cipher`` (for shop-scoped
APIs) and ``sign`` in the query, and the access token in the ``x-tts-access-token`` header. The
sign is the lower-case hex HMAC-SHA256, keyed with the app secret, of::

    app_secret + path + "".join(key + value for the query params sorted by key,
                                 except sign and access_token) + body + app_secret

where ``body`` is the exact JSON text sent (POST with a JSON body only). So the connector
serialises the body itself and sends those bytes.

- ``POST /order/202309/orders/search?page_size=&page_token=&sort_field=update_time&sort_order=ASC``
  with ``{"update_time_ge": s, "update_time_lt": s}`` returns ``data{orders, next_page_token,
  total_count}``: full orders, oldest update first; ``total_count`` is the completeness figure.
- ``GET /order/202309/orders?ids=a,b`` (at most 50 ids) returns ``data{orders}``.

TikTok answers errors in the body's ``code``: 105001/105002/105003 (token invalid, expired,
revoked) and 106001 (bad sign) raise AuthError; 36009004 and its kin (rate limit) are waited out
like an HTTP 429; anything else non-zero is an ApiError.

Credentials (roles in ``credential_names``): ``app_key``, ``app_secret``, ``access_token``;
``app_key`` and ``shop_cipher`` may instead be plain ``settings``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from math import ceil
from typing import Any

from ingestion.connectors.base import ApiError, AuthError, Connector, Page, iso_utc

SEARCH_PATH = "/order/202309/orders/search"
DETAIL_PATH = "/order/202309/orders"
DETAIL_BATCH = 50
PAGE_SIZE = 100
AUTH_CODES = frozenset({105000, 105001, 105002, 105003, 105005, 106001, 106002})
RATE_LIMIT_CODES = frozenset({36009004, 36009003, 10000429})
MAX_RATE_LIMIT_WAITS = 5


def sign(app_secret: str, path: str, params: Mapping[str, Any], body: bytes | str = b"") -> str:
    """TikTok Shop's request signature (see the module docstring)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    pieces = "".join(f"{k}{params[k]}" for k in sorted(params) if k not in ("sign", "access_token"))
    message = f"{app_secret}{path}{pieces}{body}{app_secret}"
    return hmac.new(app_secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class TikTokConnector(Connector):
    channel = "tiktok"
    platform = "TikTok Shop"

    @property
    def page_size(self) -> int:
        return int(self.store.setting("page_size", PAGE_SIZE))

    # -- signed calls -----------------------------------------------------------------------

    def _app_key(self) -> str:
        return (
            self.store.credentials.get("app_key")
            or self.store.setting("app_key")
            or (self.store.credential("app_key"))
        )

    def call(self, method: str, path: str, params: dict[str, Any], body: dict | None = None) -> bytes:
        """One signed request; the response body when TikTok says ``code`` 0."""
        secret = self.store.credential("app_secret")
        token = self.store.credential("access_token")
        payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {"x-tts-access-token": token}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(MAX_RATE_LIMIT_WAITS + 1):
            query: dict[str, Any] = {"app_key": self._app_key(), "timestamp": int(self.now().timestamp())}
            cipher = self.store.setting("shop_cipher")
            if cipher:
                query["shop_cipher"] = cipher
            query.update({k: v for k, v in params.items() if v is not None})
            query["sign"] = sign(secret, path, query, payload)
            response = self.http.request(
                method, path, params=query, data=payload if body is not None else None, headers=headers
            )
            try:
                answer = response.json()
            except ValueError:
                raise ApiError(
                    f"store {self.store.label}: TikTok Shop sent a response that is not JSON for {path}",
                    response.status_code,
                ) from None
            code = answer.get("code") if isinstance(answer, dict) else None
            if code == 0:
                return response.content
            message = str(answer.get("message", ""))[:300] if isinstance(answer, dict) else ""
            if code in AUTH_CODES:
                raise AuthError(
                    f"store {self.store.label}: TikTok Shop refused the access token or signature "
                    f"(code {code}): {message}",
                    response.status_code,
                    message,
                )
            if code in RATE_LIMIT_CODES and attempt < MAX_RATE_LIMIT_WAITS:
                self.http.retry_count += 1
                self.http.sleep(self.http._backoff(attempt))
                continue
            raise ApiError(
                f"store {self.store.label}: TikTok Shop {method} {path} failed (code {code}): {message}",
                response.status_code,
                message,
            )
        raise AssertionError("unreachable")

    # -- downloads --------------------------------------------------------------------------

    def _search(self, since: datetime, until: datetime, page_size: int, token: str | None) -> bytes:
        body = {"update_time_ge": int(since.timestamp()), "update_time_lt": ceil(until.timestamp())}
        params = {
            "page_size": page_size,
            "page_token": token,
            "sort_field": "update_time",
            "sort_order": "ASC",
        }
        return self.call("POST", SEARCH_PATH, params, body)

    def pages(self, since: datetime, until: datetime) -> Iterator[Page]:
        token: str | None = None
        while True:
            content = self._search(since, until, self.page_size, token)
            data = json.loads(content).get("data") or {}
            orders = data.get("orders") or []
            newest = max((o.get("update_time") or 0 for o in orders if isinstance(o, dict)), default=0)
            yield Page(
                [content],
                iso_utc(datetime.fromtimestamp(newest, UTC)) if newest else None,
                reported_total=data.get("total_count"),
                order_count=len(orders),
            )
            token = data.get("next_page_token") or None
            if not token or not orders:
                return

    def fetch_by_ids(self, ids: list[str]) -> Iterator[Page]:
        for i in range(0, len(ids), DETAIL_BATCH):
            batch = ids[i : i + DETAIL_BATCH]
            content = self.call("GET", DETAIL_PATH, {"ids": ",".join(batch)})
            orders = (json.loads(content).get("data") or {}).get("orders") or []
            yield Page([content], None, order_count=len(orders))

    def reported_count(self, since: datetime, until: datetime) -> int | None:
        data = json.loads(self._search(since, until, 1, None)).get("data") or {}
        total = data.get("total_count")
        return int(total) if total is not None else None

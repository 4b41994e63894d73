"""Amazon Selling Partner API, Orders v0: getOrders and getOrderItems.

- Auth: Login with Amazon refresh token (credential roles ``client_id``, ``client_secret``,
  ``refresh_token``) → ``POST {token_url}`` form ``grant_type=refresh_token`` → ``access_token``
  (``expires_in`` seconds), sent as ``x-amz-access-token``. A 403 saying "The access token you
  provided has expired" refreshes once and retries.
- ``GET /orders/v0/orders`` with ``MarketplaceIds``, ``LastUpdatedAfter``, ``LastUpdatedBefore``
  (at least 2 minutes before now: Amazon refuses later ends), ``MaxResultsPerPage=100``; a
  ``NextToken`` request carries only ``MarketplaceIds`` and ``NextToken``.
- ``GET /orders/v0/orders/{id}/orderItems`` per order (``NextToken`` too), spaced by
  ``items_min_interval_s`` (default 2 s: the operation's 0.5 requests/s); 429s are waited out.

One page = the getOrders response and the getOrderItems responses of its orders. Amazon does not
promise that getOrders lists orders by LastUpdateDate, so only the last page of a window moves the
cursor (to the newest LastUpdateDate seen): a run stopped midway starts the window again, and what
it had landed comes back as duplicates, not as new rows.

Settings: ``marketplace_ids`` (a list; else the store's ``marketplace``: an id or a country code),
``token_url``, ``items_min_interval_s``, ``page_size``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson

from ingestion.connectors.base import ApiError, AuthError, Connector, HttpClient, Page, iso_utc, max_time

TOKEN_URL = "https://api.amazon.com/auth/o2/token"
LATEST_END = timedelta(minutes=2)
MARKETPLACES = {
    "SA": "A17E79C6D8DWNP",
    "AE": "A2VIGQ35RCS4UG",
    "EG": "ARBP9OOSHTCHU",
    "TR": "A33AVAJ2PDY3EV",
    "US": "ATVPDKIKX0DER",
    "UK": "A1F83G8C2ARO7P",
    "GB": "A1F83G8C2ARO7P",
    "DE": "A1PA6795UKMFR9",
    "IN": "A21TJRUUN4KGV",
}
_EXPIRED = "access token you provided has expired"


class AmazonConnector(Connector):
    channel = "amazon"
    platform = "Amazon SP-API"

    def __init__(self, store, http=None, now=None) -> None:
        kwargs: dict[str, Any] = {"http": http}
        if now is not None:
            kwargs["now"] = now
        super().__init__(store, **kwargs)
        self.items_http = self.make_http(
            min_interval_s=float(store.setting("items_min_interval_s", 2.0)),
            **({"sleep": http.sleep, "backoff_base_s": http.backoff_base_s} if http is not None else {}),
        )
        self.token_http = self.make_http()
        self.token_http.base_url = store.setting("token_url", TOKEN_URL)
        self._token: str | None = None
        self._token_expires = 0.0
        self.token_refreshes = 0

    # -- the access token ---------------------------------------------------------------------

    def _access_token(self) -> str:
        if self._token is None or time.monotonic() > self._token_expires - 60:
            response = self.token_http.post(
                "",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": self.store.credential("refresh_token"),
                    "client_id": self.store.credential("client_id"),
                    "client_secret": self.store.credential("client_secret"),
                },
            )
            try:
                body = response.json()
                self._token = str(body["access_token"])
                self._token_expires = time.monotonic() + float(body.get("expires_in", 3600))
            except (ValueError, KeyError, TypeError):
                raise ApiError(
                    f"store {self.store.label}: Login with Amazon answered without an access_token"
                ) from None
            self.token_refreshes += 1
        return self._token

    def _get(self, client: HttpClient, path: str, params: dict[str, Any]) -> bytes:
        for attempt in range(2):
            try:
                response = client.get(
                    path, params=params, headers={"x-amz-access-token": self._access_token()}
                )
            except AuthError as err:
                if attempt == 0 and err.status == 403 and _EXPIRED in err.body.lower():
                    self._token = None  # refresh once and retry
                    continue
                raise
            return response.content
        raise AssertionError("unreachable")

    # -- windows ------------------------------------------------------------------------------

    def latest_until(self) -> datetime:
        return self.now() - LATEST_END

    def _marketplace_ids(self) -> str:
        ids = self.store.setting("marketplace_ids")
        if not ids and self.store.marketplace:
            ids = [self.store.marketplace]
        if not ids:
            raise ApiError(
                f"store {self.store.label}: no Amazon marketplace: set the store's marketplace or "
                "settings.marketplace_ids"
            )
        if isinstance(ids, str):
            ids = [ids]
        return ",".join(MARKETPLACES.get(str(m).upper(), str(m)) for m in ids)

    def _order_pages(self, params: dict[str, Any], *, move_cursor: bool) -> Iterator[Page]:
        newest: str | None = None
        marketplaces = params["MarketplaceIds"]
        while True:
            body = self._get(self.http, "/orders/v0/orders", params)
            payload = _payload(body, self.store.label, "getOrders")
            orders = payload.get("Orders") or []
            bodies = [body]
            for order in orders:
                bodies.extend(self._items(str(order.get("AmazonOrderId"))))
            newest = max_time(newest, *(o.get("LastUpdateDate") for o in orders if isinstance(o, dict)))
            token = payload.get("NextToken")
            last = not token
            yield Page(bodies, newest if (move_cursor and last) else None, order_count=len(orders))
            if last:
                return
            params = {"MarketplaceIds": marketplaces, "NextToken": token}

    def _items(self, order_id: str) -> Iterator[bytes]:
        path = f"/orders/v0/orders/{order_id}/orderItems"
        params: dict[str, Any] = {}
        while True:
            body = self._get(self.items_http, path, params)
            yield body
            token = _payload(body, self.store.label, "getOrderItems").get("NextToken")
            if not token:
                return
            params = {"NextToken": token}

    def pages(self, since: datetime, until: datetime) -> Iterator[Page]:
        yield from self._order_pages(
            {
                "MarketplaceIds": self._marketplace_ids(),
                "LastUpdatedAfter": iso_utc(since),
                "LastUpdatedBefore": iso_utc(min(until, self.latest_until())),
                "MaxResultsPerPage": int(self.store.setting("page_size", 100)),
            },
            move_cursor=True,
        )

    def fetch_by_ids(self, ids: list[str]) -> Iterator[Page]:
        for start in range(0, len(ids), 50):
            yield from self._order_pages(
                {
                    "MarketplaceIds": self._marketplace_ids(),
                    "AmazonOrderIds": ",".join(ids[start : start + 50]),
                },
                move_cursor=False,
            )

    def close(self) -> None:
        for client in (self.http, self.items_http, self.token_http):
            client.close()


def _payload(body: bytes, store: str, operation: str) -> dict[str, Any]:
    try:
        payload = orjson.loads(body)["payload"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise ApiError(
            f"store {store}: Amazon {operation} answered without a payload: {body[:200]!r}"
        ) from None
    if not isinstance(payload, dict):
        raise ApiError(f"store {store}: Amazon {operation} payload is not an object")
    return payload

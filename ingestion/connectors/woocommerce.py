"""WooCommerce REST API v3: orders modified in a window, page by page.

``GET /wp-json/wc/v3/orders?modified_after=&modified_before=&dates_are_gmt=true&orderby=modified
&order=asc&per_page=100&page=N`` answers a JSON array of orders with the headers ``X-WP-Total``
(orders in the whole window: the completeness figure) and ``X-WP-TotalPages``; the connector asks
for page 1, 2, ... up to ``X-WP-TotalPages``. ``modified_before`` pins the window's end so orders
updated while paging do not push new rows onto the pages. With ``dates_are_gmt=true`` the window
bounds are read as UTC; they are sent without an offset, as WooCommerce writes its own times.

Authentication: the REST API key pair (roles ``consumer_key`` and ``consumer_secret``) as HTTP
Basic, which WooCommerce accepts over HTTPS. A refused key answers 401
``{"code": "woocommerce_rest_cannot_view", ...}``: AuthError, naming the store.

Re-download by id uses ``include=1,2,3`` (at most 100 per request).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from ingestion.connectors.base import ApiError, Connector, HttpClient, Page, StoreConfig, max_time

ORDERS_PATH = "/wp-json/wc/v3/orders"
PER_PAGE = 100


def wc_time(value: datetime) -> str:
    """``2024-03-15T15:28:02``: a UTC time the way WooCommerce takes it with ``dates_are_gmt``."""
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


class WooCommerceConnector(Connector):
    channel = "woocommerce"
    platform = "WooCommerce"

    def __init__(self, store: StoreConfig, http: HttpClient | None = None, **kwargs) -> None:
        super().__init__(store, http, **kwargs)
        # credentials are read on first use, so a missing one fails the download, not construction
        self._auth_set = False

    @property
    def per_page(self) -> int:
        return max(1, min(100, int(self.store.setting("per_page", PER_PAGE))))

    def _get(self, params: dict) -> tuple[bytes, int | None, int | None]:
        if not self._auth_set:
            self.http.session.auth = (
                self.store.credential("consumer_key"),
                self.store.credential("consumer_secret"),
            )
            self._auth_set = True
        response = self.http.get(ORDERS_PATH, params=params)
        try:
            orders = json.loads(response.content)
        except ValueError:
            raise ApiError(
                f"store {self.store.label}: WooCommerce sent a response that is not JSON "
                f"(is the API base URL the shop's address?)",
                response.status_code,
            ) from None
        if not isinstance(orders, list):
            raise ApiError(
                f"store {self.store.label}: WooCommerce answered an object, not a list of orders: "
                f"{response.text[:300]}",
                response.status_code,
            )
        return (
            response.content,
            _int(response.headers.get("X-WP-Total")),
            _int(response.headers.get("X-WP-TotalPages")),
        )

    def _window(self, since: datetime, until: datetime, page: int, per_page: int) -> dict:
        return {
            "modified_after": wc_time(since),
            "modified_before": wc_time(until),
            "dates_are_gmt": "true",
            "orderby": "modified",
            "order": "asc",
            "per_page": per_page,
            "page": page,
        }

    def pages(self, since: datetime, until: datetime) -> Iterator[Page]:
        page = 1
        while True:
            content, total, total_pages = self._get(self._window(since, until, page, self.per_page))
            orders = json.loads(content)
            newest = max_time(*(_gmt(o.get("date_modified_gmt")) for o in orders if isinstance(o, dict)))
            yield Page([content], newest, reported_total=total, order_count=len(orders))
            if not orders or total_pages is None or page >= total_pages:
                return
            page += 1

    def fetch_by_ids(self, ids: list[str]) -> Iterator[Page]:
        for i in range(0, len(ids), PER_PAGE):
            batch = ids[i : i + PER_PAGE]
            params = {"include": ",".join(batch), "per_page": PER_PAGE, "page": 1}
            content, _total, _pages = self._get(params)
            yield Page([content], None, order_count=len(json.loads(content)))

    def reported_count(self, since: datetime, until: datetime) -> int | None:
        _content, total, _pages = self._get(self._window(since, until, 1, 1))
        return total


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _gmt(value: object) -> str | None:
    """A ``*_gmt`` time (no offset, UTC by definition) as ISO UTC, or None if unusable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None
    return value if value.endswith("Z") or "+" in value[10:] else value + "Z"

"""Shopify Admin REST orders: ``GET {base}/admin/api/{version}/orders.json``.

- Incremental by ``updated_at`` (``updated_at_min``/``updated_at_max``, ISO with offset; both ends
  inclusive), ``status=any`` (the default is ``open`` only), ``order=updated_at asc``, ``limit=250``.
- Paging by the ``Link`` header's ``rel="next"`` URL and its opaque ``page_info``: follow-up requests
  carry only ``limit`` and ``page_info`` (Shopify answers 400 to any other parameter beside it).
- Auth: header ``X-Shopify-Access-Token`` (credential role ``access_token``).
- Rate limit: a leaky bucket (2 requests/s, 40 deep on standard plans); a throttled call gets 429 with
  ``Retry-After``, which the HttpClient waits out. Requests are spaced by ``min_interval_s`` (0.5 s).
- ``orders/count.json`` with the same filters gives the completeness check its count.

Settings: ``api_version`` (default 2024-10), ``page_limit`` (default 250).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from ingestion.connectors.base import ApiError, Connector, Page, iso_utc, max_time

DEFAULT_VERSION = "2024-10"
MAX_LIMIT = 250


class ShopifyConnector(Connector):
    channel = "shopify"
    platform = "Shopify"
    http_defaults = {"min_interval_s": 0.5}

    @property
    def _base(self) -> str:
        return f"/admin/api/{self.store.setting('api_version', DEFAULT_VERSION)}"

    @property
    def _limit(self) -> int:
        return max(1, min(MAX_LIMIT, int(self.store.setting("page_limit", MAX_LIMIT))))

    def _headers(self) -> dict[str, str]:
        return {"X-Shopify-Access-Token": self.store.credential("access_token"), "Accept": "application/json"}

    def _orders(self, params: dict[str, Any]) -> Iterator[Page]:
        """Pages of orders.json from the first request's params, following Link rel=next."""
        path = f"{self._base}/orders.json"
        while True:
            response = self.http.get(path, params=params, headers=self._headers())
            body = response.content
            try:
                orders = orjson.loads(body)["orders"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                raise ApiError(
                    f"store {self.store.label}: Shopify answered {path} with something that is not an "
                    f"orders list: {body[:200]!r}"
                ) from None
            newest = max_time(*(o.get("updated_at") for o in orders if isinstance(o, dict)))
            yield Page([body], newest, order_count=len(orders))
            page_info = _next_page_info(response.links)
            if page_info is None:
                return
            params = {"limit": self._limit, "page_info": page_info}

    def pages(self, since: datetime, until: datetime) -> Iterator[Page]:
        yield from self._orders(
            {
                "status": "any",
                "updated_at_min": iso_utc(since),
                "updated_at_max": iso_utc(until),
                "limit": self._limit,
                "order": "updated_at asc",
            }
        )

    def fetch_by_ids(self, ids: list[str]) -> Iterator[Page]:
        for start in range(0, len(ids), MAX_LIMIT):
            chunk = ids[start : start + MAX_LIMIT]
            for page in self._orders({"ids": ",".join(chunk), "status": "any", "limit": MAX_LIMIT}):
                page.cursor_after = None
                yield page

    def reported_count(self, since: datetime, until: datetime) -> int | None:
        response = self.http.get(
            f"{self._base}/orders/count.json",
            params={"status": "any", "updated_at_min": iso_utc(since), "updated_at_max": iso_utc(until)},
            headers=self._headers(),
        )
        try:
            return int(response.json()["count"])
        except (ValueError, KeyError, TypeError):
            return None


def _next_page_info(links: dict[str, dict[str, str]]) -> str | None:
    """The ``page_info`` of the Link header's rel="next" URL, exactly as given (None: last page)."""
    nxt = links.get("next")
    if not nxt or not nxt.get("url"):
        return None
    values = parse_qs(urlsplit(nxt["url"]).query, keep_blank_values=True).get("page_info")
    return values[0] if values else None

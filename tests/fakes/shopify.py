"""A fake Shopify Admin REST API (orders.json, orders/count.json) that behaves like Shopify:

- ``X-Shopify-Access-Token`` must match, else 401 ``[API] Invalid API key or access token``;
- ``status`` defaults to ``open``; ``updated_at_min``/``updated_at_max`` are inclusive; ``ids``;
  ``order=updated_at asc``; ``limit`` ≤ 250;
- paging by ``Link: <...page_info=...>; rel="next"`` with an opaque page_info; a request that
  carries page_info with anything but ``limit``/``fields`` gets 400, as on Shopify;
- a leaky bucket (``bucket_size`` deep, ``leak_per_s`` per second): ``X-Shopify-Shop-Api-Call-Limit:
  n/size`` on every answer, 429 with ``Retry-After: 1.0`` when full.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fakes import FakeRequest, FakeResponse, FakeServer, json_response

ALLOWED_WITH_PAGE_INFO = {"limit", "fields", "page_info"}
SHOP_TZ = timezone(timedelta(hours=3))  # shop-local offset, as Shopify writes its times


def shop_time(moment: datetime) -> str:
    return moment.astimezone(SHOP_TZ).isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakeShopify(FakeServer):
    def __init__(self, token: str = "shpat_test_token", *, bucket_size: int = 40, leak_per_s: float = 2.0):
        super().__init__()
        self.token = token
        self.bucket_size = bucket_size
        self.leak_per_s = leak_per_s
        self._level = 0.0
        self._leaked_at = time.monotonic()
        self.orders: dict[int, dict[str, Any]] = {}
        self._cursors: dict[str, dict[str, Any]] = {}
        self._next_id = 5000000000001
        self.count_bias = 0  # make orders/count.json over- or under-report (completeness tests)

    # -- the dataset --------------------------------------------------------------------------

    def add_order(
        self, updated_at: datetime, *, order_id: int | None = None, **fields: Any
    ) -> dict[str, Any]:
        with self.lock:
            oid = order_id or self._next_id
            self._next_id = max(self._next_id, oid) + 1
            order = {
                "id": oid,
                "name": f"#{1000 + len(self.orders) + 1}",
                "created_at": shop_time(updated_at),
                "updated_at": shop_time(updated_at),
                "processed_at": shop_time(updated_at),
                "cancelled_at": None,
                "closed_at": None,
                "currency": "SAR",
                "financial_status": "paid",
                "fulfillment_status": None,
                "total_price": "115.00",
                "subtotal_price": "100.00",
                "total_tax": "15.00",
                "total_discounts": "0.00",
                "line_items": [
                    {
                        "id": oid * 10 + 1,
                        "sku": "SKU-1",
                        "quantity": 1,
                        "price": "100.00",
                        "total_discount": "0.00",
                    }
                ],
                "shipping_lines": [],
                "fulfillments": [],
            }
            order.update(fields)
            self.orders[oid] = order
            return order

    def add_orders(self, start: datetime, count: int, step: timedelta = timedelta(minutes=1)) -> list[dict]:
        return [self.add_order(start + step * i) for i in range(count)]

    def update_order(self, order_id: int, updated_at: datetime, **changes: Any) -> dict[str, Any]:
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            order["updated_at"] = shop_time(updated_at)
            return order

    # -- the bucket ---------------------------------------------------------------------------

    def _take_from_bucket(self) -> bool:
        now = time.monotonic()
        self._level = max(0.0, self._level - (now - self._leaked_at) * self.leak_per_s)
        self._leaked_at = now
        if self._level + 1 > self.bucket_size:
            return False
        self._level += 1
        return True

    def fill_bucket(self) -> None:
        """The next request finds the bucket full (429)."""
        with self.lock:
            self._level = float(self.bucket_size)
            self._leaked_at = time.monotonic()

    # -- the API ------------------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.headers.get("x-shopify-access-token") != self.token:
            return json_response(
                401,
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
            )
        with self.lock:
            if not self._take_from_bucket():
                return json_response(
                    429,
                    {
                        "errors": "Exceeded 2 calls per second for api client. "
                        "Reduce request rates to resume uninterrupted service."
                    },
                    {
                        "Retry-After": "1.0",
                        "X-Shopify-Shop-Api-Call-Limit": f"{self.bucket_size}/{self.bucket_size}",
                    },
                )
            limit_header = {"X-Shopify-Shop-Api-Call-Limit": f"{int(self._level)}/{self.bucket_size}"}
            parts = request.path.split("/")
            if len(parts) == 5 and parts[1:3] == ["admin", "api"] and parts[4] == "orders.json":
                response = self._orders(request, parts[3])
            elif len(parts) == 6 and parts[1:3] == ["admin", "api"] and parts[4:] == ["orders", "count.json"]:
                response = json_response(200, {"count": len(self._filtered(request)) + self.count_bias})
            else:
                response = json_response(404, {"errors": "Not Found"})
            response.headers.update(limit_header)
            return response

    def _filtered(self, request: FakeRequest, q: dict[str, str] | None = None) -> list[dict[str, Any]]:
        q = q if q is not None else {k: v[0] for k, v in request.query.items()}
        rows = list(self.orders.values())
        status = q.get("status", "open")
        if status == "open":
            rows = [o for o in rows if o["closed_at"] is None and o["cancelled_at"] is None]
        if "ids" in q:
            wanted = {int(x) for x in q["ids"].split(",") if x}
            rows = [o for o in rows if o["id"] in wanted]
        if "updated_at_min" in q:
            low = _parse(q["updated_at_min"])
            rows = [o for o in rows if _parse(o["updated_at"]) >= low]
        if "updated_at_max" in q:
            high = _parse(q["updated_at_max"])
            rows = [o for o in rows if _parse(o["updated_at"]) <= high]
        if q.get("order") == "updated_at asc":
            rows.sort(key=lambda o: (_parse(o["updated_at"]), o["id"]))
        else:
            rows.sort(key=lambda o: -o["id"])  # Shopify's default: newest id first
        return rows

    def _orders(self, request: FakeRequest, version: str) -> FakeResponse:
        page_info = request.param("page_info")
        try:
            limit = int(request.param("limit", "50") or 50)
        except ValueError:
            return json_response(400, {"errors": {"limit": "Invalid value."}})
        if not 1 <= limit <= 250:
            return json_response(400, {"errors": {"limit": "Invalid value."}})
        if page_info is not None:
            extra = set(request.query) - ALLOWED_WITH_PAGE_INFO
            if extra:
                return json_response(
                    400,
                    {"errors": {"page_info": f"Invalid value. Parameters {sorted(extra)} are not allowed"}},
                )
            state = self._cursors.get(page_info)
            if state is None:
                return json_response(400, {"errors": {"page_info": "Invalid value."}})
            query, offset = state["query"], state["offset"]
        else:
            query, offset = {k: v[0] for k, v in request.query.items() if k != "limit"}, 0
        rows = self._filtered(request, query)
        page = rows[offset : offset + limit]
        headers: dict[str, str] = {}
        links = []
        if offset + limit < len(rows):
            token = secrets.token_urlsafe(24)
            self._cursors[token] = {"query": query, "offset": offset + limit}
            links.append(
                f'<{self.url}/admin/api/{version}/orders.json?limit={limit}&page_info={token}>; rel="next"'
            )
        if offset > 0:
            token = secrets.token_urlsafe(24)
            self._cursors[token] = {"query": query, "offset": max(0, offset - limit)}
            links.append(
                f"<{self.url}/admin/api/{version}/orders.json?limit={limit}&page_info={token}>; "
                'rel="previous"'
            )
        if links:
            headers["Link"] = ", ".join(links)
        return json_response(200, {"orders": page}, headers)


def now_utc() -> datetime:
    return datetime.now(UTC)

"""A fake Amazon SP-API (Orders v0) and Login with Amazon token endpoint:

- ``POST /auth/o2/token`` (form: grant_type=refresh_token, client_id, client_secret, refresh_token)
  → ``{"access_token", "token_type": "bearer", "expires_in"}``; wrong client → 401 invalid_client;
- every SP-API call needs ``x-amz-access-token`` of a live token: an expired one gets 403 "The
  access token you provided has expired", an unknown one 403 "Access to requested resource is denied";
- ``GET /orders/v0/orders``: MarketplaceIds, LastUpdatedAfter, LastUpdatedBefore (refused when later
  than 2 minutes before now), MaxResultsPerPage ≤ 100, AmazonOrderIds; NextToken paging, where a
  NextToken request may carry only MarketplaceIds and NextToken; orders listed by PurchaseDate;
- ``GET /orders/v0/orders/{id}/orderItems`` with NextToken paging (``items_page_size``).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from fakes import FakeRequest, FakeResponse, FakeServer, json_response

CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "amzn1.oa2-cs.v1.test-secret"
REFRESH_TOKEN = "Atzr|test-refresh-token"
SA = "A17E79C6D8DWNP"


def amz_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _error(status: int, code: str, message: str, details: str = "") -> FakeResponse:
    return json_response(status, {"errors": [{"code": code, "message": message, "details": details}]})


class FakeAmazon(FakeServer):
    def __init__(self, *, items_page_size: int = 100) -> None:
        super().__init__()
        self.tokens: dict[str, bool] = {}  # token -> live
        self.token_requests = 0
        self.items_page_size = items_page_size
        self.orders: dict[str, dict[str, Any]] = {}
        self.items: dict[str, list[dict[str, Any]]] = {}
        self._next_tokens: dict[str, dict[str, Any]] = {}
        self._n = 0

    # -- dataset ------------------------------------------------------------------------------

    def add_order(
        self, updated_at: datetime, *, purchased_at: datetime | None = None, lines: int = 1
    ) -> dict:
        with self.lock:
            self._n += 1
            oid = f"402-{1000000 + self._n:07d}-{7000000 + self._n:07d}"
            order = {
                "AmazonOrderId": oid,
                "PurchaseDate": amz_time(purchased_at or updated_at - timedelta(hours=1)),
                "LastUpdateDate": amz_time(updated_at),
                "OrderStatus": "Unshipped",
                "FulfillmentChannel": "MFN",
                "MarketplaceId": SA,
                "OrderTotal": {"CurrencyCode": "SAR", "Amount": f"{100 + self._n}.00"},
                "NumberOfItemsShipped": 0,
                "NumberOfItemsUnshipped": lines,
                "PaymentMethod": "Other",
            }
            self.orders[oid] = order
            self.items[oid] = [
                {
                    "ASIN": f"B0{self._n:08d}",
                    "SellerSKU": f"SKU-{self._n}-{i}",
                    "OrderItemId": f"{50000000000000 + self._n * 10 + i}",
                    "QuantityOrdered": 1,
                    "QuantityShipped": 0,
                    "ItemPrice": {"CurrencyCode": "SAR", "Amount": "100.00"},
                }
                for i in range(lines)
            ]
            return order

    def update_order(self, order_id: str, updated_at: datetime, **changes: Any) -> dict:
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            order["LastUpdateDate"] = amz_time(updated_at)
            return order

    def expire_tokens(self) -> None:
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = False

    # -- API ----------------------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.method == "POST" and request.path == "/auth/o2/token":
            return self._token(request)
        token = request.headers.get("x-amz-access-token")
        with self.lock:
            live = self.tokens.get(token or "")
        if live is None:
            return _error(403, "Unauthorized", "Access to requested resource is denied.", "")
        if not live:
            return _error(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided has expired.",
            )
        if request.method == "GET" and request.path == "/orders/v0/orders":
            return self._orders(request)
        found = re.fullmatch(r"/orders/v0/orders/([^/]+)/orderItems", request.path)
        if request.method == "GET" and found:
            return self._items(request, found.group(1))
        return _error(404, "NotFound", "Resource not found")

    def _token(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        with self.lock:
            self.token_requests += 1
        if form.get("grant_type") != "refresh_token":
            return json_response(400, {"error": "unsupported_grant_type", "error_description": "bad grant"})
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return json_response(
                401, {"error": "invalid_client", "error_description": "Client authentication failed"}
            )
        if form.get("refresh_token") != REFRESH_TOKEN:
            return json_response(
                400,
                {"error": "invalid_grant", "error_description": "The request has an invalid grant parameter"},
            )
        token = "Atza|" + secrets.token_urlsafe(16)
        with self.lock:
            self.tokens[token] = True
        return json_response(200, {"access_token": token, "token_type": "bearer", "expires_in": 3600})

    def _orders(self, request: FakeRequest) -> FakeResponse:
        q = {k: v[0] for k, v in request.query.items()}
        if not q.get("MarketplaceIds"):
            return _error(400, "InvalidInput", "Missing required 'MarketplaceIds'.")
        if "NextToken" in q:
            extra = set(q) - {"MarketplaceIds", "NextToken"}
            if extra:
                return _error(400, "InvalidInput", f"NextToken cannot be combined with {sorted(extra)}")
            with self.lock:
                state = self._next_tokens.get(q["NextToken"])
            if state is None:
                return _error(400, "InvalidInput", "Invalid NextToken")
            filters, offset = state["filters"], state["offset"]
        else:
            filters, offset = q, 0
            if "AmazonOrderIds" not in q and "LastUpdatedAfter" not in q and "CreatedAfter" not in q:
                return _error(
                    400, "InvalidInput", "Either CreatedAfter or LastUpdatedAfter must be specified."
                )
            before = q.get("LastUpdatedBefore")
            if before and _parse(before) > datetime.now(UTC) - timedelta(minutes=2):
                return _error(
                    400,
                    "InvalidInput",
                    "LastUpdatedBefore must be at least 2 minutes before the request time",
                )
            size = int(q.get("MaxResultsPerPage", "100"))
            if not 1 <= size <= 100:
                return _error(400, "InvalidInput", "MaxResultsPerPage must be between 1 and 100")
        size = int(filters.get("MaxResultsPerPage", "100"))
        with self.lock:
            rows = list(self.orders.values())
        if "AmazonOrderIds" in filters:
            wanted = set(filters["AmazonOrderIds"].split(","))
            rows = [o for o in rows if o["AmazonOrderId"] in wanted]
        if "LastUpdatedAfter" in filters:
            rows = [o for o in rows if _parse(o["LastUpdateDate"]) >= _parse(filters["LastUpdatedAfter"])]
        if "LastUpdatedBefore" in filters:
            rows = [o for o in rows if _parse(o["LastUpdateDate"]) <= _parse(filters["LastUpdatedBefore"])]
        rows.sort(key=lambda o: (o["PurchaseDate"], o["AmazonOrderId"]))
        page = rows[offset : offset + size]
        payload: dict[str, Any] = {"Orders": page}
        if "LastUpdatedBefore" in filters:
            payload["LastUpdatedBefore"] = filters["LastUpdatedBefore"]
        if offset + size < len(rows):
            token = secrets.token_urlsafe(32)
            with self.lock:
                self._next_tokens[token] = {"filters": filters, "offset": offset + size}
            payload["NextToken"] = token
        return json_response(200, {"payload": payload})

    def _items(self, request: FakeRequest, order_id: str) -> FakeResponse:
        with self.lock:
            items = self.items.get(order_id)
        if items is None:
            return _error(404, "NotFound", f"Order {order_id} not found")
        token = request.param("NextToken")
        offset = 0
        if token is not None:
            if set(request.query) - {"NextToken"}:
                return _error(400, "InvalidInput", "NextToken cannot be combined with other parameters")
            with self.lock:
                state = self._next_tokens.get(token)
            if state is None or state.get("order") != order_id:
                return _error(400, "InvalidInput", "Invalid NextToken")
            offset = state["offset"]
        page = items[offset : offset + self.items_page_size]
        payload: dict[str, Any] = {"AmazonOrderId": order_id, "OrderItems": page}
        if offset + self.items_page_size < len(items):
            nxt = secrets.token_urlsafe(32)
            with self.lock:
                self._next_tokens[nxt] = {"order": order_id, "offset": offset + self.items_page_size}
            payload["NextToken"] = nxt
        return json_response(200, {"payload": payload})

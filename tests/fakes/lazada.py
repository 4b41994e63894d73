"""A fake Lazada Open Platform (orders, one order, order items), strict where Lazada is.

- Verifies ``sign`` as Lazada does: uppercase hex HMAC-SHA256 with the app secret of the API path
  followed by the sorted ``key + value`` of every parameter but ``sign``; requires ``app_key``,
  ``timestamp`` in milliseconds (within 7 minutes, else ``InvalidTimestamp``),
  ``sign_method=sha256`` and a valid ``access_token``.
- ``/orders/get``: ``update_after`` (ISO-8601 with offset; required without ``created_after``),
  ``update_before``, ``sort_by``, ``sort_direction``, ``offset``, ``limit`` (1-100, else
  ``InvalidParameter``). Counts come back as strings, as Lazada sometimes sends them.
- ``/orders/items/get?order_ids=[...]`` (at most 50) and ``/order/items/get?order_id=``.
- Errors: HTTP 200 with ``{"code": "IllegalAccessToken" | "IncompleteSignature" | ..., "type",
  "message", "request_id"}``; ``busy(n)`` answers the next n calls with ``ApiCallLimit``.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime
from typing import Any

from fakes import FakeRequest, FakeResponse, FakeServer, json_response

ORDERS = "/orders/get"
ORDER = "/order/get"
ITEMS = "/orders/items/get"
ITEMS_ONE = "/order/items/get"


def sign(secret: str, path: str, params: dict[str, str]) -> str:
    base = path + "".join(k + params[k] for k in sorted(params) if k != "sign")
    return hmac.new(secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()


def lazada_order(
    order_id: int,
    updated_at: str,
    *,
    created_at: str | None = None,
    status: str = "pending",
    cod: bool = True,
) -> dict[str, Any]:
    """An /orders/get order (Thai store, masked phone2, country full name, prices as strings)."""
    return {
        "order_id": order_id,
        "order_number": order_id,
        "created_at": created_at or updated_at,
        "updated_at": updated_at,
        "price": "1290.00",
        "payment_method": "COD" if cod else "MIXEDCARD",
        "items_count": 1,
        "statuses": [status],
        "customer_first_name": "สมชาย",
        "customer_last_name": "",
        "shipping_fee": "40.00",
        "voucher": "0.00",
        "gift_option": False,
        "remarks": "",
        "warehouse_code": "dropshipping",
        "address_shipping": {
            "first_name": "สมชาย ใจดี",
            "last_name": "",
            "phone": "66*******12",
            "phone2": "",
            "address1": "99/1 ถนนสุขุมวิท",
            "address3": "กรุงเทพมหานคร",
            "address4": "วัฒนา",
            "address5": "คลองตันเหนือ",
            "city": "กรุงเทพมหานคร",
            "post_code": "10110",
            "country": "Thailand",
        },
    }


def lazada_item(order_id: int, item_id: int, status: str = "pending") -> dict[str, Any]:
    return {
        "order_id": order_id,
        "order_item_id": item_id,
        "sku": "PRF-OUD-50ML",
        "shop_sku": "1234567_TH-9876543",
        "name": "น้ำหอม Oud 50ml",
        "variation": "Size:50ml",
        "item_price": 1290.0,
        "paid_price": 1290.0,
        "currency": "THB",
        "status": status,
        "tracking_code": "",
        "shipment_provider": "",
        "shipping_type": "Dropshipping",
        "is_fbl": 0,
        "created_at": "2025-03-01T10:00:00+07:00",
        "updated_at": "2025-03-01T10:00:00+07:00",
    }


class FakeLazada(FakeServer):
    """Lazada with one app and one seller; ``orders`` maps order_id to (order, items)."""

    def __init__(
        self,
        app_key: str = "100234",
        app_secret: str = "lzd-test-app-secret",
        access_token: str = "lazada-access-1",
    ) -> None:
        super().__init__()
        self.app_key = app_key
        self.app_secret = app_secret
        self.valid_tokens = {access_token}
        self.orders: dict[int, dict[str, Any]] = {}
        self.items: dict[int, list[dict[str, Any]]] = {}
        self.busy_left = 0
        self.refused: list[str] = []

    # -- the dataset ------------------------------------------------------------------------

    def add(self, order: dict[str, Any], items: list[dict[str, Any]] | None = None) -> None:
        with self.lock:
            oid = int(order["order_id"])
            self.orders[oid] = copy.deepcopy(order)
            self.items[oid] = copy.deepcopy(items if items is not None else [lazada_item(oid, oid * 10 + 1)])

    def update(self, order_id: int, updated_at: str, status: str) -> None:
        with self.lock:
            self.orders[order_id].update(updated_at=updated_at, statuses=[status])
            for item in self.items[order_id]:
                item.update(status=status, updated_at=updated_at)

    def busy(self, times: int) -> None:
        with self.lock:
            self.busy_left = times

    # -- requests ---------------------------------------------------------------------------

    def _error(self, code: str, message: str) -> FakeResponse:
        self.refused.append(code)
        return json_response(
            200, {"code": code, "type": "ISV", "message": message, "request_id": secrets.token_hex(8)}
        )

    def _ok(self, data: Any) -> FakeResponse:
        return json_response(200, {"code": "0", "data": data, "request_id": secrets.token_hex(8)})

    def _check(self, request: FakeRequest) -> FakeResponse | None:
        params = {k: v[0] for k, v in request.query.items()}
        if "sign" not in params or "app_key" not in params:
            return self._error(
                "IncompleteSignature", "The request signature does not conform to platform standards"
            )
        if params["app_key"] != self.app_key:
            return self._error("InvalidAppKey", "Invalid app key")
        if params.get("sign_method") != "sha256":
            return self._error("InvalidSignMethod", "sign_method must be sha256")
        try:
            ts_ms = int(params.get("timestamp", ""))
        except ValueError:
            return self._error("InvalidTimestamp", "Invalid timestamp")
        if abs(time.time() * 1000 - ts_ms) > 7 * 60_000:
            return self._error("InvalidTimestamp", "Timestamp is out of range")
        if not hmac.compare_digest(params["sign"], sign(self.app_secret, request.path, params)):
            return self._error(
                "IncompleteSignature", "The request signature does not conform to platform standards"
            )
        if params.get("access_token") not in self.valid_tokens:
            return self._error("IllegalAccessToken", "The specified access token is invalid or expired")
        with self.lock:
            if self.busy_left > 0:
                self.busy_left -= 1
                return self._error("ApiCallLimit", "The request has exceeded the api call limit")
        return None

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.method != "GET":
            return self._error("InvalidApiPath", f"{request.method} not supported")
        refusal = self._check(request)
        if refusal is not None:
            return refusal
        if request.path == ORDERS:
            return self._orders(request)
        if request.path == ORDER:
            oid = int(request.param("order_id") or 0)
            with self.lock:
                if oid not in self.orders:
                    return self._error("ORDER_NOT_FOUND", f"order {oid} not found")
                return self._ok(copy.deepcopy(self.orders[oid]))
        if request.path == ITEMS:
            try:
                ids = json.loads(request.param("order_ids") or "")
            except ValueError:
                return self._error("InvalidParameter", "order_ids must be a JSON array")
            if not isinstance(ids, list) or not ids or len(ids) > 50:
                return self._error("InvalidParameter", "order_ids must hold 1 to 50 ids")
            with self.lock:
                data = [
                    {
                        "order_id": oid,
                        "order_number": oid,
                        "order_items": copy.deepcopy(self.items.get(int(oid), [])),
                    }
                    for oid in ids
                    if int(oid) in self.orders
                ]
            return self._ok(data)
        if request.path == ITEMS_ONE:
            oid = int(request.param("order_id") or 0)
            with self.lock:
                return self._ok(copy.deepcopy(self.items.get(oid, [])))
        return self._error("InvalidApiPath", f"no API {request.path}")

    def _orders(self, request: FakeRequest) -> FakeResponse:
        p = request.param
        try:
            after = datetime.fromisoformat(p("update_after") or "")
            before = datetime.fromisoformat(p("update_before")) if p("update_before") else None
        except ValueError:
            return self._error("InvalidParameter", "update_after must be ISO 8601")
        if after.tzinfo is None:
            return self._error("InvalidParameter", "update_after needs an offset")
        try:
            offset, limit = int(p("offset", "0") or 0), int(p("limit", "100") or 100)
        except ValueError:
            return self._error("InvalidParameter", "offset and limit must be integers")
        if not 1 <= limit <= 100:
            return self._error("InvalidParameter", "limit must be between 1 and 100")
        with self.lock:
            hits = [
                copy.deepcopy(o)
                for o in self.orders.values()
                if datetime.fromisoformat(o["updated_at"]) >= after
                and (before is None or datetime.fromisoformat(o["updated_at"]) <= before)
            ]
        reverse = p("sort_direction", "DESC") == "DESC"
        hits.sort(key=lambda o: (datetime.fromisoformat(o["updated_at"]), o["order_id"]), reverse=reverse)
        chunk = hits[offset : offset + limit]
        return self._ok({"count": str(len(chunk)), "countTotal": str(len(hits)), "orders": chunk})


__all__ = ["FakeLazada", "lazada_item", "lazada_order", "sign"]

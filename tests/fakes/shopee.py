"""A fake Shopee Open Platform v2 (order endpoints and the token refresh), strict where Shopee is.

- Verifies ``sign`` exactly as Shopee does (HMAC-SHA256 hex of partner_id + path + timestamp +
  access_token + shop_id with the partner key; public calls without token and shop) and refuses a
  timestamp more than 5 minutes off, a wrong partner or shop, an unknown or expired access token.
- ``get_order_list``: ``time_range_field=update_time``, ``time_from``/``time_to`` at most 15 days
  apart, ``page_size`` 1-100, an opaque ``cursor``; newest first (Shopee promises no order).
- ``get_order_detail``: at most 50 ``order_sn_list`` entries, else ``error_param``.
- Errors come as Shopee sends them: ``{"error", "message", "request_id"}`` with HTTP 403 for auth
  and HTTP 200 for parameter errors.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from fakes import FakeRequest, FakeResponse, FakeServer, json_response

LIST = "/api/v2/order/get_order_list"
DETAIL = "/api/v2/order/get_order_detail"
TOKEN = "/api/v2/auth/access_token/get"
FIFTEEN_DAYS = 15 * 86_400


def sign(key: str, base: str) -> str:
    return hmac.new(key.encode(), base.encode(), hashlib.sha256).hexdigest()


def shopee_order(
    sn: str,
    update_time: int,
    *,
    create_time: int | None = None,
    status: str = "READY_TO_SHIP",
    cod: bool = False,
    total: float = 89.9,
    currency: str = "MYR",
) -> dict[str, Any]:
    """A get_order_detail order with the fields the connector asks for (PII masked as Shopee does)."""
    create_time = create_time if create_time is not None else update_time - 3600
    return {
        "order_sn": sn,
        "region": "MY",
        "currency": currency,
        "cod": cod,
        "total_amount": total,
        "order_status": status,
        "shipping_carrier": "SPX Express (West Malaysia)",
        "payment_method": "Cash on Delivery" if cod else "Online Banking",
        "estimated_shipping_fee": 4.9,
        "message_to_seller": "",
        "create_time": create_time,
        "update_time": update_time,
        "days_to_ship": 2,
        "ship_by_date": create_time + 2 * 86_400,
        "buyer_user_id": 38291733,
        "buyer_username": "a*****8",
        "recipient_address": {
            "name": "P******n",
            "phone": "******64",
            "town": "",
            "district": "",
            "city": "Petaling Jaya",
            "state": "Selangor",
            "region": "MY",
            "zipcode": "47301",
            "full_address": "No******",
        },
        "pay_time": 0 if cod else create_time + 60,
        "item_list": [
            {
                "item_id": 2_200_100_001,
                "item_name": "Oud Perfume 50ml",
                "item_sku": "PRF-OUD-50ML",
                "model_id": 0,
                "model_name": "",
                "model_sku": "",
                "model_quantity_purchased": 1,
                "model_original_price": total,
                "model_discounted_price": total,
                "weight": 0.3,
            }
        ],
        "package_list": [
            {"package_number": f"OFG{sn[-6:]}", "logistics_status": "LOGISTICS_READY", "item_list": []}
        ],
    }


class FakeShopee(FakeServer):
    """Shopee with one partner and one shop; ``orders`` maps order_sn to its current detail object."""

    def __init__(
        self,
        partner_id: int = 2_001_234,
        partner_key: str = "shpk-test-partner-key",
        shop_id: int = 77_001,
        access_token: str = "shopee-access-1",
        refresh_token: str = "shopee-refresh-1",
    ) -> None:
        super().__init__()
        self.partner_id = partner_id
        self.partner_key = partner_key
        self.shop_id = shop_id
        self.valid_tokens = {access_token}
        self.refresh_token = refresh_token
        self.orders: dict[str, dict[str, Any]] = {}
        self.refused: list[str] = []  # the error code of every refused request, in order

    # -- the dataset ------------------------------------------------------------------------

    def add(self, order: dict[str, Any]) -> None:
        with self.lock:
            self.orders[order["order_sn"]] = copy.deepcopy(order)

    def update(self, sn: str, update_time: int, **changes: Any) -> None:
        with self.lock:
            self.orders[sn].update(changes, update_time=update_time)

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (a refresh issues a new one)."""
        with self.lock:
            self.valid_tokens.clear()

    # -- requests ---------------------------------------------------------------------------

    def _error(self, status: int, error: str, message: str) -> FakeResponse:
        self.refused.append(error)
        return json_response(status, {"error": error, "message": message, "request_id": secrets.token_hex(8)})

    def _check_sign(self, request: FakeRequest, shop_level: bool) -> FakeResponse | None:
        p = request.param
        if p("partner_id") != str(self.partner_id):
            return self._error(403, "error_auth", "Invalid partner_id.")
        try:
            ts = int(p("timestamp") or "")
        except ValueError:
            return self._error(403, "error_param", "Wrong timestamp.")
        if abs(time.time() - ts) > 300:
            return self._error(403, "error_auth", "Invalid timestamp.")
        if shop_level:
            base = f"{p('partner_id')}{request.path}{ts}{p('access_token', '')}{p('shop_id', '')}"
        else:
            base = f"{p('partner_id')}{request.path}{ts}"
        if not hmac.compare_digest(p("sign") or "", sign(self.partner_key, base)):
            return self._error(403, "error_sign", "Wrong sign.")
        if shop_level:
            if p("shop_id") != str(self.shop_id):
                return self._error(403, "error_auth", "Invalid shop_id.")
            if p("access_token") not in self.valid_tokens:
                return self._error(403, "invalid_acceess_token", "Invalid access_token.")
        return None

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.path == TOKEN and request.method == "POST":
            return self._token(request)
        if request.path in (LIST, DETAIL) and request.method == "GET":
            refusal = self._check_sign(request, shop_level=True)
            if refusal is not None:
                return refusal
            return self._list(request) if request.path == LIST else self._detail(request)
        return self._error(404, "error_not_found", f"no API {request.path}")

    def _token(self, request: FakeRequest) -> FakeResponse:
        refusal = self._check_sign(request, shop_level=False)
        if refusal is not None:
            return refusal
        body = request.json() or {}
        if body.get("refresh_token") != self.refresh_token or body.get("shop_id") != self.shop_id:
            return self._error(403, "error_auth", "Invalid refresh_token.")
        token = f"shopee-access-{secrets.token_hex(6)}"
        with self.lock:
            self.valid_tokens.add(token)
            self.refresh_token = f"shopee-refresh-{secrets.token_hex(6)}"
        return json_response(
            200,
            {
                "access_token": token,
                "refresh_token": self.refresh_token,
                "expire_in": 14_400,
                "partner_id": self.partner_id,
                "shop_id": self.shop_id,
                "error": "",
                "message": "",
                "request_id": secrets.token_hex(8),
            },
        )

    def _list(self, request: FakeRequest) -> FakeResponse:
        p = request.param
        if p("time_range_field") not in ("create_time", "update_time"):
            return self._error(200, "error_param", "time_range_field is invalid.")
        try:
            time_from, time_to = int(p("time_from") or ""), int(p("time_to") or "")
            page_size = int(p("page_size") or "")
        except ValueError:
            return self._error(200, "error_param", "time_from, time_to and page_size must be integers.")
        if time_to <= time_from or time_to - time_from > FIFTEEN_DAYS:
            return self._error(200, "error_param", "The time range should not exceed 15 days.")
        if not 1 <= page_size <= 100:
            return self._error(200, "error_param", "page_size should be between 1 and 100.")
        cursor = p("cursor") or ""
        offset = int(base64.b64decode(cursor).decode()) if cursor else 0
        field = p("time_range_field")
        with self.lock:
            hits = [o for o in self.orders.values() if time_from <= o[field] <= time_to]
        hits.sort(key=lambda o: (-o[field], o["order_sn"]))
        chunk = hits[offset : offset + page_size]
        more = offset + page_size < len(hits)
        next_cursor = base64.b64encode(str(offset + page_size).encode()).decode() if more else ""
        return json_response(
            200,
            {
                "error": "",
                "message": "",
                "request_id": secrets.token_hex(8),
                "response": {
                    "more": more,
                    "next_cursor": next_cursor,
                    "order_list": [{"order_sn": o["order_sn"]} for o in chunk],
                },
            },
        )

    def _detail(self, request: FakeRequest) -> FakeResponse:
        sns = [s for s in (request.param("order_sn_list") or "").split(",") if s]
        if not sns:
            return self._error(200, "error_param", "order_sn_list is required.")
        if len(sns) > 50:
            return self._error(200, "error_param", "order_sn_list should not exceed 50.")
        with self.lock:
            found = [copy.deepcopy(self.orders[s]) for s in sns if s in self.orders]
        return json_response(
            200,
            {
                "error": "",
                "message": "",
                "request_id": secrets.token_hex(8),
                "response": {"order_list": found},
            },
        )


def detail_body(orders: list[dict[str, Any]]) -> bytes:
    """A get_order_detail response holding ``orders`` (for parser tests)."""
    return json.dumps(
        {"error": "", "message": "", "request_id": "r1", "response": {"order_list": orders}}
    ).encode()


__all__ = ["FakeShopee", "detail_body", "shopee_order", "sign"]

"""A fake TikTok Shop Open API (202309 orders): signed requests, page tokens, TikTok's error codes.

Verifies every request as TikTok does: ``app_key`` known, ``timestamp`` present and recent,
``x-tts-access-token`` valid (else HTTP 401, code 105001), ``sign`` = HMAC-SHA256 computed here
from the request as received (else HTTP 401, code 106001). ``rate_limit_next(n)`` answers the next
n requests with HTTP 200 and code 36009004, the way TikTok reports a rate limit in the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from fakes import FakeRequest, FakeResponse, FakeServer, json_response

SEARCH_PATH = "/order/202309/orders/search"
DETAIL_PATH = "/order/202309/orders"


def expected_sign(secret: str, path: str, query: dict[str, list[str]], body: bytes) -> str:
    """The sign TikTok expects for a request as received (written apart from the connector's)."""
    keys = sorted(k for k in query if k not in ("sign", "access_token"))
    text = secret + path + "".join(k + query[k][0] for k in keys) + body.decode() + secret
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def tiktok_order(
    order_id: str,
    update_time: int,
    *,
    create_time: int | None = None,
    status: str = "AWAITING_SHIPMENT",
    units: int = 2,
    unit_price: str = "590.00",
    is_cod: bool = True,
) -> dict[str, Any]:
    """A realistic order: one line per unit with the same sku_id, money as strings, Thai names."""
    create_time = create_time if create_time is not None else update_time - 600
    total = f"{float(unit_price) * units + 40:.2f}"
    return {
        "id": order_id,
        "status": status,
        "create_time": create_time,
        "update_time": update_time,
        "paid_time": create_time + 5,
        "is_cod": is_cod,
        "payment_method_name": "Cash on delivery" if is_cod else "TrueMoney Wallet",
        "payment": {
            "currency": "THB",
            "sub_total": f"{float(unit_price) * units:.2f}",
            "shipping_fee": "40.00",
            "seller_discount": "0.00",
            "platform_discount": "0.00",
            "tax": "0.00",
            "total_amount": total,
        },
        "recipient_address": {
            "name": "Somchai Jaidee",
            "first_name_local_script": "สมชาย",
            "last_name_local_script": "ใจดี",
            "phone_number": "(+66)81*****78",
            "full_address": "99/12 ซอยสุขุมวิท 71, Watthana, Bangkok, 10110",
            "postal_code": "10110",
            "region_code": "TH",
            "district_info": [
                {"address_level": "L1", "address_level_name": "Province", "address_name": "Bangkok"},
                {"address_level": "L2", "address_level_name": "District", "address_name": "Watthana"},
            ],
        },
        "line_items": [
            {
                "id": f"{order_id}{u:02d}",
                "sku_id": "1729582718312380123",
                "seller_sku": "TEE-BLK-M",
                "product_name": "Cotton tee",
                "sku_name": "Black, M",
                "original_price": unit_price,
                "sale_price": unit_price,
                "currency": "THB",
                "display_status": status,
                "is_gift": False,
            }
            for u in range(units)
        ],
    }


class FakeTikTok(FakeServer):
    def __init__(self, app_key: str = "6abc1def", app_secret: str = "s3cr3t", token: str = "TTP_tok") -> None:
        super().__init__()
        self.app_key = app_key
        self.app_secret = app_secret
        self.token = token
        self.orders: dict[str, dict] = {}
        self.rate_limited = 0
        self.sign_failures = 0

    # -- dataset ----------------------------------------------------------------------------

    def upsert(self, *orders: dict) -> None:
        with self.lock:
            for order in orders:
                self.orders[order["id"]] = order

    def rate_limit_next(self, n: int = 1) -> None:
        with self.lock:
            self.rate_limited += n

    # -- the API ----------------------------------------------------------------------------

    def _error(self, status: int, code: int, message: str) -> FakeResponse:
        return json_response(status, {"code": code, "message": message, "request_id": "fake", "data": None})

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.param("app_key") != self.app_key:
            return self._error(401, 106002, "Invalid app_key")
        if request.headers.get("x-tts-access-token") != self.token:
            return self._error(401, 105001, "Invalid access token, please check the token")
        ts = request.param("timestamp") or ""
        if not ts.isdigit() or abs(int(ts) - time.time()) > 300:
            return self._error(400, 106003, "Invalid timestamp")
        if request.param("sign") != expected_sign(self.app_secret, request.path, request.query, request.body):
            with self.lock:
                self.sign_failures += 1
            return self._error(401, 106001, "Invalid credentials: sign does not match")
        with self.lock:
            if self.rate_limited:
                self.rate_limited -= 1
                return self._error(200, 36009004, "Too many requests, please retry later")
        if request.method == "POST" and request.path == SEARCH_PATH:
            return self._search(request)
        if request.method == "GET" and request.path == DETAIL_PATH:
            return self._detail(request)
        return self._error(404, 36009002, f"Unknown API {request.method} {request.path}")

    def _ok(self, data: dict) -> FakeResponse:
        return json_response(200, {"code": 0, "message": "Success", "request_id": "fake", "data": data})

    def _search(self, request: FakeRequest) -> FakeResponse:
        body = request.json() or {}
        size = int(request.param("page_size") or 0)
        if not 1 <= size <= 100:
            return self._error(400, 36009001, "page_size must be between 1 and 100")
        if request.param("sort_field", "create_time") != "update_time":
            return self._error(400, 36009001, "this fake only sorts by update_time")
        ge, lt = body.get("update_time_ge", 0), body.get("update_time_lt", 2**40)
        with self.lock:
            matched = sorted(
                (o for o in self.orders.values() if ge <= o["update_time"] < lt),
                key=lambda o: (o["update_time"], o["id"]),
                reverse=request.param("sort_order") == "DESC",
            )
        token = request.param("page_token") or ""
        start = int(base64.b64decode(token).decode()) if token else 0
        page = matched[start : start + size]
        nxt = start + size
        data: dict[str, Any] = {
            "next_page_token": base64.b64encode(str(nxt).encode()).decode() if nxt < len(matched) else "",
            "total_count": len(matched),
        }
        if page:
            data["orders"] = json.loads(json.dumps(page))
        return self._ok(data)

    def _detail(self, request: FakeRequest) -> FakeResponse:
        ids = [i for i in (request.param("ids") or "").split(",") if i]
        if not 1 <= len(ids) <= 50:
            return self._error(400, 36009001, "ids must hold 1 to 50 order ids")
        with self.lock:
            found = [json.loads(json.dumps(self.orders[i])) for i in ids if i in self.orders]
        return self._ok({"orders": found})

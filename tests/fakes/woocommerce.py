"""A fake WooCommerce REST API v3 (orders): Basic auth, page numbers, X-WP-Total(Pages), Link.

Behaves as WordPress does: ``modified_after``/``modified_before`` are exclusive and read as GMT
with ``dates_are_gmt=true`` (else in the site's local time), ``per_page`` above 100 is a 400
``rest_invalid_param``, a bad or missing key is a 401 ``woocommerce_rest_cannot_view``.
"""

from __future__ import annotations

import base64
import json
import math
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fakes import FakeRequest, FakeResponse, FakeServer, json_response

ORDERS_PATH = "/wp-json/wc/v3/orders"


def woo_order(
    order_id: int,
    modified_gmt: datetime,
    *,
    created_gmt: datetime | None = None,
    status: str = "processing",
    utc_offset_h: int = 4,
    cod: bool = True,
    qty: int = 2,
    price: float = 85,
) -> dict[str, Any]:
    """A realistic order: local times without offset plus ``*_gmt``, string totals, number price."""
    created_gmt = created_gmt or modified_gmt - timedelta(minutes=5)
    off = timedelta(hours=utc_offset_h)

    def t(value: datetime) -> str:
        return value.replace(microsecond=0, tzinfo=None).isoformat()

    subtotal = price * qty
    return {
        "id": order_id,
        "parent_id": 0,
        "number": str(order_id),
        "status": status,
        "currency": "AED",
        "date_created": t(created_gmt + off),
        "date_created_gmt": t(created_gmt),
        "date_modified": t(modified_gmt + off),
        "date_modified_gmt": t(modified_gmt),
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": "15.00",
        "shipping_tax": "0.00",
        "cart_tax": "0.00",
        "total": f"{subtotal + 15:.2f}",
        "total_tax": "0.00",
        "prices_include_tax": True,
        "billing": {
            "first_name": "Fatima",
            "last_name": "Al Mansoori",
            "address_1": "Apt 1204, Marina Tower",
            "city": "Dubai",
            "state": "DU",
            "postcode": "",
            "country": "AE",
            "email": "fatima@example.com",
            "phone": "050 123 4567",
        },
        "shipping": {
            "first_name": "Fatima",
            "last_name": "Al Mansoori",
            "address_1": "Apt 1204, Marina Tower",
            "city": "Dubai",
            "state": "Dubai",
            "postcode": "",
            "country": "AE",
            "phone": "",
        },
        "payment_method": "cod" if cod else "stripe",
        "payment_method_title": "Cash on delivery" if cod else "Credit card",
        "date_paid": None,
        "date_paid_gmt": None,
        "meta_data": [{"id": order_id * 10, "key": "_billing_area", "value": "Dubai Marina"}],
        "line_items": [
            {
                "id": order_id * 100 + 1,
                "name": "Linen shirt - Blue, L",
                "product_id": 93,
                "variation_id": 101,
                "quantity": qty,
                "subtotal": f"{subtotal:.2f}",
                "subtotal_tax": "0.00",
                "total": f"{subtotal:.2f}",
                "total_tax": "0.00",
                "sku": "SHIRT-LIN-BLU-L",
                "price": price,
            }
        ],
        "shipping_lines": [{"id": order_id * 100 + 2, "method_id": "flat_rate", "total": "15.00"}],
        "fee_lines": [],
        "coupon_lines": [],
    }


class FakeWooCommerce(FakeServer):
    def __init__(self, key: str = "ck_0123abcd", secret: str = "cs_4567efgh", utc_offset_h: int = 4) -> None:
        super().__init__()
        self.key = key
        self.secret = secret
        self.utc_offset_h = utc_offset_h
        self.orders: dict[int, dict] = {}

    def upsert(self, *orders: dict) -> None:
        with self.lock:
            for order in orders:
                self.orders[order["id"]] = order

    def _refuse(self) -> FakeResponse:
        return json_response(
            401,
            {
                "code": "woocommerce_rest_cannot_view",
                "message": "Sorry, you cannot list resources.",
                "data": {"status": 401},
            },
        )

    def handle(self, request: FakeRequest) -> FakeResponse:
        auth = request.headers.get("authorization", "")
        expected = "Basic " + base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        if auth != expected:
            return self._refuse()
        if request.method != "GET" or request.path.rstrip("/") != ORDERS_PATH:
            return json_response(
                404, {"code": "rest_no_route", "message": "No route was found.", "data": {"status": 404}}
            )
        per_page = int(request.param("per_page") or 10)
        page = int(request.param("page") or 1)
        if not 1 <= per_page <= 100:
            return json_response(
                400,
                {
                    "code": "rest_invalid_param",
                    "message": "Invalid parameter(s): per_page",
                    "data": {
                        "status": 400,
                        "params": {"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
                    },
                },
            )
        gmt = request.param("dates_are_gmt") == "true"
        field = "date_modified_gmt" if gmt else "date_modified"
        after, before = request.param("modified_after"), request.param("modified_before")
        include = {int(i) for i in (request.param("include") or "").split(",") if i}
        with self.lock:
            rows = list(self.orders.values())
        if include:
            rows = [o for o in rows if o["id"] in include]
        if after:
            rows = [o for o in rows if _t(o[field]) > _t(after)]
        if before:
            rows = [o for o in rows if _t(o[field]) < _t(before)]
        orderby = request.param("orderby") or "date"
        key = {"modified": "date_modified_gmt", "date": "date_created_gmt", "id": "id"}[orderby]
        rows.sort(key=lambda o: (o[key], o["id"]), reverse=(request.param("order") or "desc") == "desc")
        total = len(rows)
        pages = math.ceil(total / per_page) if total else 0
        chunk = rows[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        query = {k: v[0] for k, v in request.query.items()}
        if page < pages:
            links.append(f'<{self.url}{ORDERS_PATH}?{urlencode({**query, "page": page + 1})}>; rel="next"')
        if page > 1:
            links.append(f'<{self.url}{ORDERS_PATH}?{urlencode({**query, "page": page - 1})}>; rel="prev"')
        if links:
            headers["Link"] = ", ".join(links)
        return json_response(200, json.loads(json.dumps(chunk)), headers)


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=None)

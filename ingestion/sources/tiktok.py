"""TikTok Shop Open API 202309 orders, as the API returns them.

A file may hold the order search response (``POST /order/202309/orders/search``) or the order
detail response (``GET /order/202309/orders?ids=...``), both
``{"code": 0, "message": "Success", "request_id": ..., "data": {"orders": [...], ...}}``; the
``data`` object alone; one order object; a list of any of these; or one per line. Each order lands
in ``raw.tiktok_orders`` keyed by its ``id`` (a string of digits: TikTok ids exceed 2^53, so an id
that arrives as a JSON number may already have lost digits and is refused).

Orders are landed as sent: ``line_items`` has one entry per unit (staging folds them), money are
decimal strings in ``payment``, times unix seconds. A response whose ``code`` is not 0 is an error
(e.g. 105002 expired token) and is rejected with TikTok's own code and message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ingestion.jsonstream import Piece, json_type
from ingestion.sources.base import (
    Check,
    Fields,
    Item,
    SourceParser,
    is_amount,
    is_currency,
    is_list,
    is_object,
    is_text,
)

TABLE = "tiktok_orders"

_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
_FIRST_TIME = 946_684_800  # 2000-01-01: anything earlier is not a TikTok Shop time
_LAST_TIME = 4_102_444_800  # 2100-01-01


def _unix_seconds(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be unix seconds (an integer), got {json_type(value)} {value!r:.40}"
    if not _FIRST_TIME <= value < _LAST_TIME:
        hint = " (milliseconds?)" if value >= _LAST_TIME else ""
        return f"is not a plausible unix time in seconds: {value}{hint}"
    return None


def _flag(value: Any) -> str | None:
    return f"must be true or false, got {json_type(value)} {value!r:.40}"


is_unix_seconds = Check((), None, _unix_seconds)
is_bool = Check((bool,), None, _flag)

ORDER_FIELDS = Fields(
    {
        "status": is_text,
        "create_time": is_unix_seconds,
        "update_time": is_unix_seconds,
        "paid_time": is_unix_seconds,
        "rts_time": is_unix_seconds,
        "delivery_time": is_unix_seconds,
        "cancel_time": is_unix_seconds,
        "collection_time": is_unix_seconds,
        "is_cod": is_bool,
        "payment": is_object,
        "recipient_address": is_object,
        "line_items": is_list,
    },
    required=("status", "create_time", "update_time", "payment", "line_items"),
)
PAYMENT_FIELDS = Fields(
    {
        "currency": is_currency,
        "sub_total": is_amount,
        "shipping_fee": is_amount,
        "seller_discount": is_amount,
        "platform_discount": is_amount,
        "tax": is_amount,
        "total_amount": is_amount,
        "original_total_product_price": is_amount,
        "original_shipping_fee": is_amount,
        "shipping_fee_seller_discount": is_amount,
        "shipping_fee_platform_discount": is_amount,
    },
    required=("currency", "total_amount"),
)
LINE_FIELDS = Fields(
    {
        "id": is_text,
        "sku_id": is_text,
        "seller_sku": is_text,
        "currency": is_currency,
        "original_price": is_amount,
        "sale_price": is_amount,
        "seller_discount": is_amount,
        "platform_discount": is_amount,
        "is_gift": is_bool,
    },
    required=("id", "sku_id", "sale_price"),
)
ADDRESS_FIELDS = Fields({"district_info": is_list, "region_code": is_text, "postal_code": is_text})


class TikTokParser(SourceParser):
    source = "tiktok"
    tables = (TABLE,)
    stream_paths = frozenset({("data", "orders"), ("orders",)})
    label = "TikTok Shop"
    expected = "a TikTok Shop order, response or list"
    bad_id_types = (int, str)

    def envelope(self, piece: Piece) -> Iterator[Item]:
        value = piece.value
        if "id" not in value and ("code" in value or "data" in value):
            yield from self._response(piece)
        elif "id" not in value and "orders" in value:
            yield from self._orders(piece)
        else:
            yield self.order(piece)

    def _response(self, piece: Piece) -> Iterator[Item]:
        value = piece.value
        code = value.get("code", 0)
        if code not in (0, "0"):
            message = str(value.get("message", ""))[:300]
            yield self.reject(piece, f"TikTok Shop error response {code}: {message}")
            return
        data = value.get("data")
        if data is None:
            yield self.reject(piece, "TikTok Shop response without `data`")
        elif not isinstance(data, dict):
            yield self.reject(piece, f"TikTok Shop `data` must be an object, got {json_type(data)}")
        elif "orders" in data:
            yield from self._orders(piece.at("data"))
        elif "total_count" in data or "next_page_token" in data:
            return  # an empty search page: TikTok leaves `orders` out
        else:
            yield self.reject(piece, "TikTok Shop response `data` has no `orders`")

    def _orders(self, piece: Piece) -> Iterator[Item]:
        if piece.value["orders"] is None:  # an empty search page sends no list at all
            return
        yield from self.each(piece, "orders", self.order)

    def order_key(self, order_id: Any) -> tuple[str | None, str | None]:
        if order_id is None:
            return None, "without `id`"
        if not isinstance(order_id, str):
            why = " (ids exceed 2^53: a number may have lost digits)" if isinstance(order_id, int) else ""
            return None, f"`id` must be a string, got {json_type(order_id)} {order_id!r:.40}{why}"
        if not _ID.fullmatch(order_id):
            return None, f"`id` is not a usable id: {order_id[:64]!r}"
        return order_id, None

    def order_problem(self, order: dict, key: str) -> str | None:
        return (
            ORDER_FIELDS.problem(order)
            or PAYMENT_FIELDS.problem(order["payment"], where="payment.")
            or _address_problem(order.get("recipient_address"))
            or LINE_FIELDS.each_problem(order["line_items"], "line_items")
        )


def _address_problem(address: object) -> str | None:
    if not isinstance(address, dict):
        return None
    return ADDRESS_FIELDS.problem(address, where="recipient_address.")

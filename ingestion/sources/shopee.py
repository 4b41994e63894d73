"""Shopee Open Platform v2 orders, as ``get_order_detail`` returns them.

A file (or an API response body) may hold:

- a ``get_order_detail`` response ``{"error": "", "message": "", "request_id": ...,
  "response": {"order_list": [{order}, ...]}}``: each order lands in ``raw.shopee_orders`` keyed by
  ``order_sn``;
- a ``get_order_list`` response, whose ``order_list`` holds only ``order_sn`` (and maybe
  ``order_status``): those entries are refused with a reason saying so, since an order must land
  with its detail;
- an error response ``{"error": "error_auth", "message": ...}`` (refused, with the error);
- one order object, a list of orders or responses, or one of them per line.

Shopee's quirks land as sent: ``total_amount`` as a number, times as unix seconds, masked names and
phones (``"P******n"``, ``"******64"``). The checks guard only what staging casts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ingestion.jsonstream import Piece, json_type
from ingestion.sources.base import (
    Check,
    Fields,
    Item,
    SourceParser,
    error_text,
    is_amount,
    is_currency,
    is_list,
    is_object,
    is_text,
    text_id,
)

TABLE = "shopee_orders"

# Unix seconds between 2001 and 2096: a value outside is a unit error (milliseconds) or garbage.
_UNIX_MIN, _UNIX_MAX = 1_000_000_000, 4_000_000_000


def _unix_problem(value: Any) -> str | None:
    if type(value) is not int:
        return f"must be unix seconds (an integer), got {json_type(value)} {value!r:.40}"
    if value == 0:
        return None  # Shopee sends 0 for "not yet" (pay_time of an unpaid order, pickup_done_time)
    if value > _UNIX_MAX:
        return f"must be unix seconds, got {value} (milliseconds?)"
    if value < _UNIX_MIN:
        return f"is not a plausible unix time: {value}"
    return None


# No fast path: every value goes through ``_unix_problem``, which also checks the range.
is_unix_seconds = Check((), None, _unix_problem)
is_bool = Check((bool,), None, lambda v: f"must be true or false, got {json_type(v)} {v!r:.40}")
is_count = Check((int,), None, lambda v: f"must be an integer, got {json_type(v)} {v!r:.40}")

ORDER_FIELDS = Fields(
    {
        "create_time": is_unix_seconds,
        "update_time": is_unix_seconds,
        "pay_time": is_unix_seconds,
        "ship_by_date": is_unix_seconds,
        "pickup_done_time": is_unix_seconds,
        "order_status": is_text,
        "currency": is_currency,
        "total_amount": is_amount,
        "estimated_shipping_fee": is_amount,
        "actual_shipping_fee": is_amount,
        "cod": is_bool,
        "item_list": is_list,
        "package_list": is_list,
        "recipient_address": is_object,
    },
    required=("create_time", "update_time", "order_status"),
)
ITEM_FIELDS = Fields(
    {
        "model_quantity_purchased": is_count,
        "model_original_price": is_amount,
        "model_discounted_price": is_amount,
    },
    required=("item_id", "model_quantity_purchased"),
)
_LIST_ENTRY_KEYS = frozenset({"order_sn", "order_status", "booking_sn"})


def sn_problem(value: object) -> str | None:
    """Why ``value`` cannot be an order_sn (a short printable string without ``/``), or None."""
    return text_id(value, "order_sn")[1]


class ShopeeParser(SourceParser):
    source = "shopee"
    tables = (TABLE,)
    stream_paths = frozenset({("response", "order_list")})
    label = "Shopee"
    expected = "a Shopee API response, order object or list"
    id_field = "order_sn"

    def envelope(self, piece: Piece) -> Iterator[Item]:
        value = piece.value
        if "order_sn" in value:
            yield self.order(piece)
            return
        if value.get("error"):
            yield self.reject(piece, f"Shopee error response: {error_text(value, 'error')}")
            return
        if "response" not in value:
            yield self.reject(piece, "not a Shopee response: no `response`, `order_sn` or `error`")
            return
        response = piece.at("response")
        if not isinstance(response.value, dict):
            yield self.reject(piece, f"Shopee `response` must be an object, got {json_type(response.value)}")
            return
        orders = response.value.get("order_list")
        if orders is None:
            yield self.reject(piece, "Shopee response without `response.order_list`")
            return
        if not isinstance(orders, list):
            yield self.reject(piece, f"Shopee `order_list` must be a list, got {json_type(orders)}")
            return
        for i in range(len(orders)):
            yield self.order(response.at("order_list", i))

    def order_key(self, order_id: Any) -> tuple[str | None, str | None]:
        return text_id(order_id, "order_sn")

    def order_problem(self, order: dict, key: str) -> str | None:
        if order.keys() <= _LIST_ENTRY_KEYS:
            return "a get_order_list entry without detail (use get_order_detail)"
        return (
            ORDER_FIELDS.problem(order)
            or _times_problem(order)
            or ITEM_FIELDS.each_problem(order.get("item_list"), "item_list")
        )


def _times_problem(order: dict) -> str | None:
    for name in ("create_time", "update_time"):
        if order[name] == 0:
            return f"`{name}` is 0"
    return None

"""Lazada Open Platform orders and order items, as the API returns them.

A file (or an API response body) may hold:

- ``/orders/get``: ``{"code": "0", "data": {"count", "countTotal", "orders": [...]}, "request_id"}``;
  each order lands in ``raw.lazada_orders`` keyed by ``order_id`` (as text);
- ``/order/get``: ``{"code": "0", "data": {order}}``;
- ``/order/items/get``: ``{"code": "0", "data": [item, ...]}``; each item lands in
  ``raw.lazada_order_items`` keyed by ``order_id/order_item_id`` with parent key ``order_id``;
- ``/orders/items/get`` (batched): ``{"code": "0", "data": [{"order_id", "order_number",
  "order_items": [...]}, ...]}``; the items land as above (an item without its own ``order_id``
  takes its group's);
- an error response ``{"code": "IllegalAccessToken", "message": ...}`` (refused, with the code);
- a bare order or item object, a list of any of these, or one per line.

Lazada's quirks land as sent: prices as strings, ``order_id`` as a string or a number, country full
names (``"Malaysia"``), masked ``phone2``, times as ISO-8601 with ``+08:00`` (or Lazada's older
``"2018-02-09 22:44:30 +0800"``, which Postgres reads as well).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
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
    is_object,
)

ORDERS = "lazada_orders"
ITEMS = "lazada_order_items"

_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)").fullmatch
_LAZADA_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}").fullmatch


def _time_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be a time string, got {json_type(value)}"
    if _LAZADA_TIME(value):
        try:
            datetime.strptime(value, "%Y-%m-%d %H:%M:%S %z")
        except ValueError:
            return f"is not a valid time: {value[:40]!r}"
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return f"is not an ISO-8601 time: {value[:40]!r}"
    if parsed.tzinfo is None:
        return f"has no UTC offset: {value[:40]!r}"
    return None


is_time = Check((str,), _ISO, _time_problem)  # with an offset: Lazada times are always zoned
is_count = Check(
    (int, str), re.compile(r"\d+").fullmatch, lambda v: f"must be a count, got {json_type(v)} {v!r:.40}"
)
is_statuses = Check((list,), None, lambda v: f"must be a list of statuses, got {json_type(v)}")

ORDER_FIELDS = Fields(
    {
        "created_at": is_time,
        "updated_at": is_time,
        "price": is_amount,
        "shipping_fee": is_amount,
        "voucher": is_amount,
        "items_count": is_count,
        "statuses": is_statuses,
        "address_shipping": is_object,
        "address_billing": is_object,
    },
    required=("created_at", "updated_at"),
)
ITEM_FIELDS = Fields(
    {
        "created_at": is_time,
        "updated_at": is_time,
        "item_price": is_amount,
        "paid_price": is_amount,
        "shipping_amount": is_amount,
        "tax_amount": is_amount,
        "voucher_amount": is_amount,
        "currency": is_currency,
    },
)
_ID = re.compile(r"[0-9A-Za-z_-]{1,40}").fullmatch


def id_text(value: object, field: str) -> tuple[str | None, str | None]:
    """``(text, None)`` for a usable Lazada id (a string or a non-negative integer), else ``(None, why)``."""
    if value is None:
        return None, f"without `{field}`"
    if type(value) is int:
        if value <= 0:
            return None, f"`{field}` must be positive, got {value}"
        return str(value), None
    if not isinstance(value, str):
        return None, f"`{field}` must be a string or an integer, got {json_type(value)} {value!r:.40}"
    if not _ID(value):
        return None, f"`{field}` is not a usable id: {value[:60]!r}"
    return value, None


class LazadaParser(SourceParser):
    source = "lazada"
    tables = (ORDERS, ITEMS)
    stream_paths = frozenset({("data", "orders")})
    label = "Lazada"
    expected = "a Lazada API response, order or item object, or list"
    id_field = "order_id"

    def envelope(self, piece: Piece) -> Iterator[Item]:
        value = piece.value
        if "code" in value and "order_id" not in value:
            code = value.get("code")
            if str(code) != "0":
                yield self.reject(piece, f"Lazada error response: {error_text(value, 'code')}")
                return
            if "data" not in value:
                yield self.reject(piece, "Lazada response without `data`")
                return
            yield from self._data(piece.at("data"))
            return
        yield from self._object(piece, None)

    def _data(self, piece: Piece) -> Iterator[Item]:
        data = piece.value
        if isinstance(data, dict) and "orders" in data:
            yield from self.each(piece, "orders", self.order, name="data.orders")
        elif isinstance(data, dict):
            yield from self._object(piece, None)
        elif isinstance(data, list):
            for i in range(len(data)):
                yield from self._object(piece.at(i), None)
        else:
            yield self.reject(piece, f"Lazada `data` must be an object or a list, got {json_type(data)}")

    def _object(self, piece: Piece, order_id: object) -> Iterator[Item]:
        """An order, an item, or a batched group ``{order_id, order_items: [...]}``."""
        value = piece.value
        if not isinstance(value, dict):
            yield self.reject(piece, f"expected a Lazada order or item object, got {json_type(value)}")
        elif "order_items" in value:
            group_id = value.get("order_id")
            yield from self.each(
                piece, "order_items", lambda item: self.item(item, group_id), natural_key=group_id
            )
        elif "order_item_id" in value:
            yield self.item(piece, order_id)
        else:
            yield self.order(piece)

    # -- records ----------------------------------------------------------------------------

    def order_key(self, order_id: Any) -> tuple[str | None, str | None]:
        return id_text(order_id, "order_id")

    def order_problem(self, order: dict, key: str) -> str | None:
        return ORDER_FIELDS.problem(order) or _statuses_problem(order.get("statuses"))

    def item(self, piece: Piece, group_order_id: object) -> Item:
        item = piece.value
        if not isinstance(item, dict):
            return self.reject(piece, f"expected a Lazada order item object, got {json_type(item)}")
        raw_order = item.get("order_id", group_order_id)
        order_key, problem = id_text(raw_order, "order_id")
        if problem:
            return self.reject(piece, f"Lazada order item {problem}", item.get("order_item_id"))
        raw_item = item.get("order_item_id")
        item_key, problem = id_text(raw_item, "order_item_id")
        if problem:
            return self.reject(piece, f"Lazada order item of {order_key} {problem}", order_key)
        if group_order_id is not None and "order_id" in item:
            group_key, _ = id_text(group_order_id, "order_id")
            if group_key != order_key:
                return self.reject(
                    piece,
                    f"Lazada order item {item_key}: its order_id {order_key} is not its group's {group_key}",
                )
        key = f"{order_key}/{item_key}"
        problem = ITEM_FIELDS.problem(item)
        if problem:
            return self.reject(piece, f"Lazada order item {key}: {problem}", key)
        return self.record(ITEMS, key, order_key, piece)


def _statuses_problem(statuses: object) -> str | None:
    if isinstance(statuses, list):
        for i, status in enumerate(statuses):
            if not isinstance(status, str):
                return f"`statuses[{i}]` must be a string, got {json_type(status)}"
    return None


__all__ = ["ITEMS", "ORDERS", "LazadaParser", "id_text"]

"""Shopify Admin REST orders (``GET /admin/api/{version}/orders.json``), as the API returns them.

A file may hold one order object, ``{"order": {...}}`` (the single-order endpoint), the list
envelope ``{"orders": [...]}`` (one page), a list of orders, a list of such responses, or one
response per line. Each order lands in ``raw.shopify_orders`` keyed by its ``id``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ingestion.jsonstream import Piece, json_type
from ingestion.sources.base import (
    Fields,
    Item,
    SourceParser,
    is_amount,
    is_currency,
    is_integer,
    is_list,
    is_object,
    is_timestamp,
)

TABLE = "shopify_orders"

# What staging casts (times, amounts, currency) and the structure it walks; other fields land as sent.
ORDER_FIELDS = Fields(
    {
        "created_at": is_timestamp,
        "updated_at": is_timestamp,
        "processed_at": is_timestamp,
        "cancelled_at": is_timestamp,
        "closed_at": is_timestamp,
        "currency": is_currency,
        "total_price": is_amount,
        "subtotal_price": is_amount,
        "total_tax": is_amount,
        "total_discounts": is_amount,
        "line_items": is_list,
        "shipping_lines": is_list,
        "fulfillments": is_list,
        "shipping_address": is_object,
    },
    required=("created_at", "updated_at"),
)
LINE_FIELDS = Fields(
    {"id": is_integer, "quantity": is_integer, "price": is_amount, "total_discount": is_amount},
    required=("id",),
)
_ENVELOPE_KEYS = ("orders", "order", "errors")


class ShopifyParser(SourceParser):
    source = "shopify"
    tables = (TABLE,)
    stream_paths = frozenset({("orders",)})

    def document(self, piece: Piece) -> Iterator[Item]:
        value = piece.value
        if isinstance(value, list):
            for i in range(len(value)):
                yield from self.document(piece.at(i))
        elif isinstance(value, dict) and "id" not in value and any(k in value for k in _ENVELOPE_KEYS):
            if "orders" in value:
                orders = value["orders"]
                if not isinstance(orders, list):
                    yield self.reject(piece, f"Shopify `orders` must be a list, got {json_type(orders)}")
                    return
                for i in range(len(orders)):
                    yield self.order(piece.at("orders", i))
            elif "order" in value:
                yield self.order(piece.at("order"))
            else:
                yield self.reject(piece, f"Shopify error response: {str(value['errors'])[:300]}")
        elif isinstance(value, dict):
            yield self.order(piece)
        else:
            yield self.reject(piece, f"expected a Shopify order object or list, got {json_type(value)}")

    def part(self, path: tuple[str, ...], piece: Piece) -> Iterator[Item]:
        yield self.order(piece)

    def order(self, piece: Piece) -> Item:
        order = piece.value
        if not isinstance(order, dict):
            return self.reject(piece, f"expected a Shopify order object, got {json_type(order)}")
        order_id = order.get("id")
        if order_id is None:
            return self.reject(piece, "Shopify order without `id`")
        if type(order_id) is not int:
            return self.reject(
                piece,
                f"Shopify order `id` must be an integer, got {json_type(order_id)} {order_id!r:.40}",
                order_id,
            )
        if order_id <= 0:
            return self.reject(piece, f"Shopify order `id` must be positive, got {order_id}", order_id)
        problem = ORDER_FIELDS.problem(order) or _line_problem(order.get("line_items"))
        if problem:
            return self.reject(piece, f"Shopify order {order_id}: {problem}", order_id)
        return self.record(TABLE, str(order_id), None, piece)


def _line_problem(lines: object) -> str | None:
    if not isinstance(lines, list):
        return None
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            return f"`line_items[{i}]` must be an object, got {json_type(line)}"
        problem = LINE_FIELDS.problem(line, where=f"line_items[{i}].")
        if problem:
            return problem
    return None

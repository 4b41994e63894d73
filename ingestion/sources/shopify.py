"""Shopify Admin REST orders (``GET /admin/api/{version}/orders.json``), as the API returns them.

A file may hold one order object, ``{"order": {...}}`` (the single-order endpoint), the list
envelope ``{"orders": [...]}`` (one page), a list of orders, a list of such responses, or one
response per line. Each order lands in ``raw.shopify_orders`` keyed by its ``id``.
"""

from __future__ import annotations

from typing import Any

from ingestion.sources.base import (
    Fields,
    SourceParser,
    int_id,
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


class ShopifyParser(SourceParser):
    source = "shopify"
    tables = (TABLE,)
    stream_paths = frozenset({("orders",)})
    label = "Shopify"
    expected = "a Shopify order object or list"
    list_key = "orders"
    single_key = "order"

    def error_reason(self, value: dict) -> str | None:
        if "errors" in value and "orders" not in value and "order" not in value:  # a page wins
            return f"Shopify error response: {str(value['errors'])[:300]}"
        return None

    def order_key(self, order_id: Any) -> tuple[str | None, str | None]:
        return int_id(order_id, "id")

    def order_problem(self, order: dict, key: str) -> str | None:
        return ORDER_FIELDS.problem(order) or LINE_FIELDS.each_problem(order.get("line_items"), "line_items")

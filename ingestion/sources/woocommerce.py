"""WooCommerce REST API v3 orders (``GET /wp-json/wc/v3/orders``), as the API returns them.

A file may hold a list response (a JSON array of orders: one page), one order (``GET
/orders/<id>`` or an ``order.created|updated`` webhook body), the legacy envelope ``{"orders":
[...]}``, a list of pages, or one per line. Each order lands in ``raw.woocommerce_orders`` keyed by
its ``id`` (as text).

Landed as sent: ``date_created`` and ``date_modified`` are the site's local time without an
offset (staging reads them in the store's zone, or takes the ``*_gmt`` twins, which carry no
``Z`` either); totals are decimal strings while a line's ``price`` is a number. An error body
``{"code": "woocommerce_rest_...", "message": ..., "data": {"status": 401}}`` is rejected with
its code and message.
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
    is_text,
    is_timestamp,
)

TABLE = "woocommerce_orders"

ORDER_FIELDS = Fields(
    {
        "status": is_text,
        "currency": is_currency,
        "date_created": is_timestamp,
        "date_created_gmt": is_timestamp,
        "date_modified": is_timestamp,
        "date_modified_gmt": is_timestamp,
        "date_paid": is_timestamp,
        "date_paid_gmt": is_timestamp,
        "date_completed": is_timestamp,
        "date_completed_gmt": is_timestamp,
        "discount_total": is_amount,
        "discount_tax": is_amount,
        "shipping_total": is_amount,
        "shipping_tax": is_amount,
        "cart_tax": is_amount,
        "total": is_amount,
        "total_tax": is_amount,
        "payment_method": is_text,
        "billing": is_object,
        "shipping": is_object,
        "line_items": is_list,
        "shipping_lines": is_list,
        "fee_lines": is_list,
        "coupon_lines": is_list,
        "meta_data": is_list,
    },
    required=("status", "currency", "date_created", "date_modified", "total", "line_items"),
)
LINE_FIELDS = Fields(
    {
        "id": is_integer,
        "quantity": is_integer,
        "price": is_amount,
        "subtotal": is_amount,
        "subtotal_tax": is_amount,
        "total": is_amount,
        "total_tax": is_amount,
        "sku": is_text,
    },
    required=("id", "quantity"),
)
_ERROR_KEYS = frozenset({"code", "message"})


class WooCommerceParser(SourceParser):
    source = "woocommerce"
    tables = (TABLE,)
    stream_paths = frozenset({("orders",)})

    def document(self, piece: Piece) -> Iterator[Item]:
        value = piece.value
        if isinstance(value, list):
            for i in range(len(value)):
                yield from self.document(piece.at(i))
        elif isinstance(value, dict) and "id" not in value and _ERROR_KEYS <= value.keys():
            status = value.get("data", {}).get("status") if isinstance(value.get("data"), dict) else None
            yield self.reject(
                piece,
                f"WooCommerce error response {value['code']}"
                + (f" ({status})" if status else "")
                + f": {str(value['message'])[:300]}",
            )
        elif isinstance(value, dict) and "id" not in value and "orders" in value:
            orders = value["orders"]
            if not isinstance(orders, list):
                yield self.reject(piece, f"WooCommerce `orders` must be a list, got {json_type(orders)}")
                return
            for i in range(len(orders)):
                yield self.order(piece.at("orders", i))
        elif isinstance(value, dict) and "id" not in value and "order" in value:
            yield self.order(piece.at("order"))
        elif isinstance(value, dict):
            yield self.order(piece)
        else:
            yield self.reject(piece, f"expected a WooCommerce order object or list, got {json_type(value)}")

    def part(self, path: tuple[str, ...], piece: Piece) -> Iterator[Item]:
        yield self.order(piece)

    def order(self, piece: Piece) -> Item:
        order = piece.value
        if not isinstance(order, dict):
            return self.reject(piece, f"expected a WooCommerce order object, got {json_type(order)}")
        order_id = order.get("id")
        if order_id is None:
            return self.reject(piece, "WooCommerce order without `id`")
        if type(order_id) is not int:
            return self.reject(
                piece,
                f"WooCommerce order `id` must be an integer, got {json_type(order_id)} {order_id!r:.40}",
                order_id,
            )
        if order_id <= 0:
            return self.reject(piece, f"WooCommerce order `id` must be positive, got {order_id}", order_id)
        problem = ORDER_FIELDS.problem(order) or _line_problem(order["line_items"])
        if problem:
            return self.reject(piece, f"WooCommerce order {order_id}: {problem}", order_id)
        return self.record(TABLE, str(order_id), None, piece)


def _line_problem(lines: list) -> str | None:
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            return f"`line_items[{i}]` must be an object, got {json_type(line)}"
        problem = LINE_FIELDS.problem(line, where=f"line_items[{i}].")
        if problem:
            return problem
    return None

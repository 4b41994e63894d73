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
    label = "WooCommerce"
    expected = "a WooCommerce order object or list"
    list_key = "orders"
    single_key = "order"

    def error_reason(self, value: dict) -> str | None:
        if not _ERROR_KEYS <= value.keys():
            return None
        status = value.get("data", {}).get("status") if isinstance(value.get("data"), dict) else None
        return (
            f"WooCommerce error response {value['code']}"
            + (f" ({status})" if status else "")
            + f": {str(value['message'])[:300]}"
        )

    def order_key(self, order_id: Any) -> tuple[str | None, str | None]:
        return int_id(order_id, "id")

    def order_problem(self, order: dict, key: str) -> str | None:
        return ORDER_FIELDS.problem(order) or LINE_FIELDS.each_problem(order["line_items"], "line_items")

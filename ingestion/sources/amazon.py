"""Amazon Selling Partner API, Orders v0: getOrders and getOrderItems responses, in any order.

- getOrders: ``{"payload": {"Orders": [...], "NextToken": ..., "LastUpdatedBefore": ...}}``; each
  Order lands in ``raw.amazon_orders`` keyed by ``AmazonOrderId``.
- getOrderItems: ``{"payload": {"AmazonOrderId": ..., "OrderItems": [...], "NextToken": ...}}``;
  each OrderItem lands as received in ``raw.amazon_order_items`` keyed by
  ``AmazonOrderId/OrderItemId`` with parent key ``AmazonOrderId`` (which only the envelope holds).
- getOrder: ``{"payload": {Order}}``; a bare Order object; lists of any of these; one per line.

Items need no order to land first: each record stands alone, joined later in staging.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ingestion.jsonstream import Piece, Tail, json_type
from ingestion.sources.base import (
    Fields,
    Item,
    SourceParser,
    is_flag,
    is_integer,
    is_money,
    is_object,
    is_text,
    is_timestamp,
    text_id,
)

ORDERS = "amazon_orders"
ITEMS = "amazon_order_items"

ORDER_FIELDS = Fields(
    {
        "PurchaseDate": is_timestamp,
        "LastUpdateDate": is_timestamp,
        "OrderStatus": is_text,
        "PaymentMethod": is_text,
        "OrderTotal": is_money,
        "ShippingAddress": is_object,
        "EarliestShipDate": is_timestamp,
        "LatestShipDate": is_timestamp,
        "EarliestDeliveryDate": is_timestamp,
        "LatestDeliveryDate": is_timestamp,
    },
    required=("PurchaseDate", "LastUpdateDate", "OrderStatus"),
)
ITEM_FIELDS = Fields(
    {
        "QuantityOrdered": is_integer,
        "QuantityShipped": is_integer,
        "ItemPrice": is_money,
        "ShippingPrice": is_money,
        "ItemTax": is_money,
        "ShippingTax": is_money,
        "ShippingDiscount": is_money,
        "PromotionDiscount": is_money,
        "CODFee": is_money,
        "CODFeeDiscount": is_money,
        "IsGift": is_flag,
    },
    required=("QuantityOrdered",),
)


def _id_problem(value: object, field: str) -> str | None:
    return text_id(value, field)[1]


class AmazonParser(SourceParser):
    source = "amazon"
    tables = (ORDERS, ITEMS)
    stream_paths = frozenset({("payload", "Orders"), ("payload", "OrderItems")})
    label = "Amazon"
    expected = "an Amazon Orders API response, Order object or list"
    order_noun = "an Amazon Order object"
    id_field = "AmazonOrderId"

    def __init__(self) -> None:
        super().__init__()
        self._held_items: list[Piece] = []  # items of a walked getOrderItems response, until its id is read

    # -- whole documents --------------------------------------------------------------------

    def envelope(self, piece: Piece) -> Iterator[Item]:
        value = piece.value
        if "payload" in value:
            payload = piece.at("payload")
            if isinstance(payload.value, dict):
                yield from self._payload(payload)
            elif payload.value is None and value.get("errors"):
                yield self.reject(piece, f"Amazon error response: {_errors(value['errors'])}")
            else:
                yield self.reject(
                    piece, f"Amazon `payload` must be an object, got {json_type(payload.value)}"
                )
        elif "errors" in value and "AmazonOrderId" not in value:
            yield self.reject(piece, f"Amazon error response: {_errors(value['errors'])}")
        else:
            yield from self._payload(piece)

    def _payload(self, piece: Piece) -> Iterator[Item]:
        """The inside of a response: an Orders page, an OrderItems page, or one Order."""
        payload = piece.value
        if "Orders" in payload or "OrderItems" in payload:
            if "Orders" in payload:
                yield from self.each(piece, "Orders", self.order)
            if "OrderItems" in payload:
                order_id = payload.get("AmazonOrderId")
                problem = _id_problem(order_id, "AmazonOrderId")
                if problem:
                    yield self.reject(piece, f"Amazon getOrderItems response {problem}", order_id)
                    return
                yield from self.each(piece, "OrderItems", lambda item: self.item(item, order_id))
        elif "OrderItemId" in payload:
            if "AmazonOrderId" in payload:  # an item flattened with its order id
                yield self.item(piece, payload["AmazonOrderId"])
            else:
                yield self.reject(
                    piece,
                    "Amazon order item outside a getOrderItems response: its AmazonOrderId is unknown",
                    payload.get("OrderItemId"),
                )
        else:
            yield self.order(piece)

    # -- records ----------------------------------------------------------------------------

    def order_key(self, order_id: Any) -> tuple[str | None, str | None]:
        return text_id(order_id, "AmazonOrderId")

    def order_problem(self, order: dict, key: str) -> str | None:
        return ORDER_FIELDS.problem(order)

    def item(self, piece: Piece, order_id: str) -> Item:
        item = piece.value
        if not isinstance(item, dict):
            return self.reject(piece, f"expected an Amazon OrderItem object, got {json_type(item)}")
        item_id = item.get("OrderItemId")
        problem = _id_problem(order_id, "AmazonOrderId") or _id_problem(item_id, "OrderItemId")
        if problem:
            return self.reject(piece, f"Amazon order item of {order_id} {problem}", order_id)
        key = f"{order_id}/{item_id}"
        problem = ITEM_FIELDS.problem(item)
        if problem:
            return self.reject(piece, f"Amazon order item {key}: {problem}", key)
        return self.record(ITEMS, key, order_id, piece)

    # -- documents walked piece by piece (very large, or cut off) --------------------------------

    def part(self, path: tuple[str, ...], piece: Piece) -> Iterator[Item]:
        if path == ("payload", "Orders"):
            yield self.order(piece)
        else:  # ("payload", "OrderItems"): the order id may come after the items
            self._held_items.append(piece)

    def tail(self, tail: Tail) -> Iterator[Item]:
        held, self._held_items = self._held_items, []
        payload = tail.value.get("payload") if isinstance(tail.value, dict) else None
        order_id = payload.get("AmazonOrderId") if isinstance(payload, dict) else None
        for piece in held:
            if _id_problem(order_id, "AmazonOrderId") is None:
                yield self.item(piece, order_id)
            else:
                cut = " (the response was cut before it)" if not tail.complete else ""
                yield self.reject(piece, f"Amazon getOrderItems response without `AmazonOrderId`{cut}")
        if tail.complete and not tail.streamed:
            yield from self.document(Piece(tail.value, tail.text, tail.start))


def _errors(errors: object) -> str:
    if isinstance(errors, list):
        parts = []
        for err in errors[:5]:
            if isinstance(err, dict):
                parts.append(f"{err.get('code', '?')}: {err.get('message', '')}".strip())
            else:
                parts.append(str(err))
        return "; ".join(parts)[:300]
    return str(errors)[:300]

"""Salla webhook events (``{event, merchant, created_at, data}``), as the webhook service receives them.

Salla has no order-list endpoint we pull from: a store's orders arrive as webhook events. A file or a
delivery may hold one event envelope, a list of them, or one per line (JSON Lines). Each *order*
event lands whole (the envelope, so staging sees the event name and time beside the order) in
``raw.salla_orders`` keyed by the order id:

- ``data.id`` for the events whose ``data`` is the order (order.created, order.updated, ...);
- for ``order.status.updated`` the order id may be in ``data.order_id`` (with ``data.id`` then the
  status-history entry) or ``data.id`` (the whole order): ``order_id`` wins, then ``order.id``, then
  ``id``.

Other events (``app.installed``, ``product.updated``, ``order.shipment.created``, whose ``data`` is a
shipment, ...) are not orders: they are kept as rejects with the reason ``not an order event:
<event>``, never landed as an order. Salla's times are PHP-style objects (``{date: "2025-03-01
14:22:05.000000", timezone_type: 3, timezone: "Asia/Riyadh"}``); money is ``{amount, currency}``
with the amount a number or a decimal string.
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

TABLE = "salla_orders"

#: Events whose ``data`` is an order (or, for status updates, names one). [C/U: Salla's list is longer
#: and changes; an order event missing here is kept as a reject with its name, never lost.]
ORDER_EVENTS: frozenset[str] = frozenset(
    {
        "order.created",
        "order.updated",
        "order.status.updated",
        "order.cancelled",
        "order.refunded",
        "order.deleted",
        "order.payment.updated",
        "order.products.updated",
        "order.total.price.updated",
        "order.coupon.updated",
    }
)
STATUS_EVENT = "order.status.updated"

_PHP_DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?")
_ID_MAX = 100


def _php_date(value: Any) -> str | None:
    """A Salla date: ``{date: "YYYY-MM-DD HH:MM:SS[.ffffff]", timezone_type, timezone}``."""
    if not isinstance(value, dict):
        return f"must be a date object {{date, timezone_type, timezone}}, got {json_type(value)}"
    date = value.get("date")
    if not isinstance(date, str) or not _PHP_DATE.fullmatch(date):
        return f"`date` is not a 'YYYY-MM-DD HH:MM:SS' time: {date!r:.40}"
    zone = value.get("timezone")
    if zone is not None and not isinstance(zone, str):
        return f"`timezone` must be a string, got {json_type(zone)}"
    return None


def _money(value: Any) -> str | None:
    """Salla money: ``{amount, currency}`` (amount a number or a decimal string)."""
    if not isinstance(value, dict):
        return f"must be a money object {{amount, currency}}, got {json_type(value)}"
    if "amount" not in value:
        return "has no `amount`"
    problem = is_amount(value["amount"])
    if problem:
        return f"`amount` {problem}"
    if value.get("currency") is not None:
        problem = is_currency(value["currency"])
        if problem:
            return f"`currency` {problem}"
    return None


is_php_date = Check((), None, _php_date)
is_salla_money = Check((), None, _money)

ORDER_FIELDS = Fields(
    {
        "date": is_php_date,
        "updated_at": is_php_date,
        "status": is_object,
        "amounts": is_object,
        "customer": is_object,
        "shipping": is_object,
        "items": is_list,
        "payment_method": is_text,
        "reference_id": Check((str, int), None, lambda v: f"must be a string or number, got {json_type(v)}"),
    }
)
AMOUNT_FIELDS = Fields(
    {
        "total": is_salla_money,
        "sub_total": is_salla_money,
        "shipping_cost": is_salla_money,
        "cash_on_delivery": is_salla_money,
        "tax": is_object,
        "discounts": is_list,
    }
)
ITEM_FIELDS = Fields(
    {"amounts": is_object, "sku": Check((str, int), None, lambda v: f"must be text, got {json_type(v)}")}
)
ITEM_AMOUNT_FIELDS = Fields({"price_without_tax": is_salla_money, "total": is_salla_money})


def _id_text(value: Any) -> str | None:
    """An order id as text (Salla ids are integers; a string of digits is taken too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if text and len(text) <= _ID_MAX and text.isprintable() and "/" not in text:
            return text
    return None


def order_id_of(event: str, data: dict) -> tuple[Any, str | None]:
    """(the raw id value, its text or None) of the order an order event is about."""
    candidates: list[Any] = []
    if event == STATUS_EVENT:
        candidates.append(data.get("order_id"))
        order = data.get("order")
        if isinstance(order, dict):
            candidates.append(order.get("id"))
    candidates.append(data.get("id"))
    for value in candidates:
        if value is not None:
            return value, _id_text(value)
    return None, None


class SallaParser(SourceParser):
    source = "salla"
    tables = (TABLE,)
    stream_paths = frozenset()  # events are small: a file of them is a list or JSON lines
    label = "Salla"
    expected = "a Salla webhook event object or list"

    def envelope(self, piece: Piece) -> Iterator[Item]:
        yield self.event(piece)

    def part(self, path: tuple[str, ...], piece: Piece) -> Iterator[Item]:  # no stream paths
        yield from self.document(piece)

    def event(self, piece: Piece) -> Item:
        envelope = piece.value
        event = envelope.get("event")
        if event is None:
            return self.reject(piece, "Salla webhook event without `event`")
        if not isinstance(event, str):
            return self.reject(piece, f"Salla `event` must be a string, got {json_type(event)}")
        if event not in ORDER_EVENTS:
            return self.reject(piece, f"not an order event: {event[:80]}")
        data = envelope.get("data")
        if not isinstance(data, dict):
            return self.reject(piece, f"Salla {event} event: `data` must be an object, got {json_type(data)}")
        raw_id, order_id = order_id_of(event, data)
        if order_id is None:
            if raw_id is None:
                where = "`data.order_id` or `data.id`" if event == STATUS_EVENT else "`data.id`"
                return self.reject(piece, f"Salla {event} event without {where}")
            return self.reject(
                piece,
                f"Salla {event} event: the order id is not usable: {json_type(raw_id)} {raw_id!r:.40}",
                raw_id,
            )
        problem = _order_problem(data)
        if problem:
            return self.reject(piece, f"Salla order {order_id} ({event}): {problem}", order_id)
        return self.record(TABLE, order_id, None, piece)


def _order_problem(data: dict) -> str | None:
    problem = ORDER_FIELDS.problem(data, where="data.")
    if problem:
        return problem
    amounts = data.get("amounts")
    if isinstance(amounts, dict):
        problem = AMOUNT_FIELDS.problem(amounts, where="data.amounts.")
        if problem:
            return problem
    items = data.get("items")
    if isinstance(items, list):
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                return f"`data.items[{i}]` must be an object, got {json_type(item)}"
            where = f"data.items[{i}]."
            problem = ITEM_FIELDS.problem(item, where=where)
            if problem:
                return problem
            if isinstance(item.get("amounts"), dict):
                problem = ITEM_AMOUNT_FIELDS.problem(item["amounts"], where=f"{where}amounts.")
                if problem:
                    return problem
    return None

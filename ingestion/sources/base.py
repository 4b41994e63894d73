"""What every channel parser shares: reading a file into Records and Rejects, and field checks.

A parser turns the documents of a file (see ``ingestion.jsonstream``) into ``Record`` items for
its raw tables and ``Reject`` items for everything it cannot land, each with a reason that names
the field. Records are landed exactly as received (canonical JSON); the checks here only guard
what the raw layer and the staging models rely on: the ids that become natural keys, and the
times, amounts and currencies that staging casts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from ingestion import jsonstream
from ingestion.jsonstream import Broken, Document, Part, Piece, Tail, json_type
from ingestion.landing import CanonicalError, Record, Reject, canonical_json

Item = Record | Reject

_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_CURRENCY = re.compile(r"[A-Z]{3}")


class SourceParser:
    """Base of a channel parser. Subclasses set the class attributes and override the hooks they need.

    The shared walk: ``document`` takes a list element by element, hands an object to ``envelope``
    and rejects anything else as not ``expected``; ``envelope`` (unless overridden) rejects an error
    body, walks a page ``{list_key: [...]}`` or a single ``{single_key: {...}}``, else takes the
    object as one order; ``order`` checks an order's id (``order_key``) and fields
    (``order_problem``) and lands it in ``tables[0]`` keyed by its id.
    """

    source: str = ""
    tables: tuple[str, ...] = ()
    stream_paths: frozenset[tuple[str, ...]] = frozenset()

    label: str = ""  # the channel as reject reasons name it: "Shopify", "TikTok Shop"
    expected: str = ""  # what a document should be: "a Shopify order object or list"
    order_noun: str = ""  # what an order should be, if not "a <label> order object"
    id_field: str = "id"  # an object holding it is an order, never an envelope
    list_key: str = ""  # an envelope ``{list_key: [order, ...]}`` (one page)
    single_key: str = ""  # an envelope ``{single_key: order}``
    bad_id_types: tuple[type, ...] = (str, int, float)  # an unusable id of these types keys its reject

    def __init__(self) -> None:
        self._index = 0  # position of the next record in the file (records and rejects alike)

    # -- hooks ------------------------------------------------------------------------------

    def document(self, piece: Piece) -> Iterator[Item]:
        """A whole decoded document (a response, a record, or a list of them)."""
        value = piece.value
        if isinstance(value, list):
            for i in range(len(value)):
                yield from self.document(piece.at(i))
        elif isinstance(value, dict):
            yield from self.envelope(piece)
        else:
            yield self.reject(piece, f"expected {self.expected}, got {json_type(value)}")

    def envelope(self, piece: Piece) -> Iterator[Item]:
        """A decoded object: an error body, a page or single-order envelope, or one order."""
        value = piece.value
        if self.id_field not in value:
            reason = self.error_reason(value)
            if reason:
                yield self.reject(piece, reason)
                return
            if self.list_key and self.list_key in value:
                yield from self.each(piece, self.list_key, self.order)
                return
            if self.single_key and self.single_key in value:
                yield self.order(piece.at(self.single_key))
                return
        yield self.order(piece)

    def error_reason(self, value: dict) -> str | None:
        """The reject reason if ``value`` (an object without an order id) is an error body."""
        return None

    def part(self, path: tuple[str, ...], piece: Piece) -> Iterator[Item]:
        """An element of the list at ``path`` of a document too large or too broken to decode whole."""
        yield self.order(piece)

    def tail(self, tail: Tail) -> Iterator[Item]:
        """The rest of such a document once its lists have been streamed."""
        if tail.complete and not tail.streamed:
            yield from self.document(Piece(tail.value, tail.text, tail.start))

    def order_key(self, order_id: Any) -> tuple[str | None, str | None]:
        """``(natural key, None)`` for a usable order id, else ``(None, why)``."""
        raise NotImplementedError

    def order_problem(self, order: dict, key: str) -> str | None:
        """The first problem of an order whose id is usable, naming the field; None if it can land."""
        return None

    # -- walking ----------------------------------------------------------------------------

    def order(self, piece: Piece) -> Item:
        """One order: a Record in ``tables[0]`` keyed by its id, or a Reject saying why not."""
        order = piece.value
        if not isinstance(order, dict):
            noun = self.order_noun or f"a {self.label} order object"
            return self.reject(piece, f"expected {noun}, got {json_type(order)}")
        order_id = order.get(self.id_field)
        key, problem = self.order_key(order_id)
        if problem or key is None:
            bad_key = order_id if isinstance(order_id, self.bad_id_types) else None
            return self.reject(piece, f"{self.label} order {problem}", bad_key)
        problem = self.order_problem(order, key)
        if problem:
            return self.reject(piece, f"{self.label} order {key}: {problem}", key)
        return self.record(self.tables[0], key, None, piece)

    def each(
        self,
        piece: Piece,
        key: str,
        make: Callable[[Piece], Item],
        name: str = "",
        natural_key: Any = None,
    ) -> Iterator[Item]:
        """``make`` of each element of the list at ``piece.value[key]``, or a Reject if it is no list."""
        records = piece.value[key]
        if not isinstance(records, list):
            reason = f"{self.label} `{name or key}` must be a list, got {json_type(records)}"
            yield self.reject(piece, reason, natural_key)
            return
        for i in range(len(records)):
            yield make(piece.at(key, i))

    # -- the file ---------------------------------------------------------------------------

    def records(self, fp: BinaryIO) -> Iterator[Item]:
        """Every Record and Reject in a binary file, in file order."""
        for event in jsonstream.read(fp, self.stream_paths):
            if type(event) is Document:
                yield from self.document(event.piece)
            elif type(event) is Part:
                yield from self.part(event.path, event.piece)
            elif type(event) is Tail:
                yield from self.tail(event)
            elif type(event) is Broken:
                yield self.reject_raw(event.reason, event.raw)

    # -- building items ---------------------------------------------------------------------

    def next_index(self) -> int:
        index = self._index
        self._index += 1
        return index

    def record(self, table: str, natural_key: str, parent_key: str | None, piece: Piece) -> Item:
        """A Record of the piece's value, or a Reject if it cannot be stored as jsonb."""
        try:
            payload = canonical_json(piece.value)
        except CanonicalError as err:
            return self.reject(piece, _unicode_reason(piece) or str(err), natural_key)
        self._index += 1
        return Record(table, natural_key, parent_key, payload)

    def reject(self, piece: Piece, reason: str, natural_key: Any = None) -> Reject:
        return self.reject_raw(reason, piece.raw(), natural_key)

    def reject_raw(self, reason: str, raw: bytes, natural_key: Any = None) -> Reject:
        nk = None if natural_key is None else _key_text(natural_key)
        return Reject(reason, raw, self.next_index(), nk)


# -- ids and error bodies ------------------------------------------------------------------------

ID_MAX = 100  # the longest text id taken


def int_id(value: Any, field: str) -> tuple[str | None, str | None]:
    """``(text, None)`` for a positive integer id, else ``(None, why)``."""
    if value is None:
        return None, f"without `{field}`"
    if type(value) is not int:
        return None, f"`{field}` must be an integer, got {json_type(value)} {value!r:.40}"
    if value <= 0:
        return None, f"`{field}` must be positive, got {value}"
    return str(value), None


def text_id(value: Any, field: str) -> tuple[str | None, str | None]:
    """``(value, None)`` for a usable text id (short, printable, without ``/``), else ``(None, why)``."""
    if value is None:
        return None, f"without `{field}`"
    if not isinstance(value, str):
        return None, f"`{field}` must be a string, got {json_type(value)} {value!r:.40}"
    if not value.strip() or len(value) > ID_MAX or not value.isprintable() or "/" in value:
        return None, f"`{field}` is not a usable id: {value[:ID_MAX]!r}"
    return value, None


def error_text(value: dict, code_field: str) -> str:
    """``"<code>: <message>"`` of an error body, at most 300 characters."""
    return f"{value.get(code_field)}: {value.get('message') or ''}".strip()[:300]


def _key_text(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value)
        return text[:200]
    return None


def _unicode_reason(piece: Piece) -> str | None:
    """If the record's bytes are not UTF-8, say where (the usual cause of bad text)."""
    bad = jsonstream.first_invalid_utf8(piece.raw())
    if bad is None:
        return None
    return f"not UTF-8: invalid byte 0x{bad[1]:02x} at offset {piece.offset() + bad[0]}"


# -- field checks ---------------------------------------------------------------------------------
# A Check lets the common case through with a type test (and, for strings, one regex match) and
# only then asks its ``explain`` function, which says what is wrong (or accepts a rarer form).


@dataclass(frozen=True, slots=True)
class Check:
    types: tuple[type, ...]
    pattern: Callable[[str], Any] | None
    explain: Callable[[Any], str | None]

    def __call__(self, value: Any) -> str | None:
        kind = type(value)
        if kind in self.types and (kind is not str or self.pattern is None or self.pattern(value)):
            return None
        return self.explain(value)


def _timestamp(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be an ISO-8601 time string, got {json_type(value)}"
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return f"is not an ISO-8601 time: {value[:40]!r}"
    return None


def _amount(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"must be a decimal amount, got {json_type(value)}"
    if isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()):
        return f"is not a decimal amount: {value[:40]!r}"
    return None


def _currency(value: Any) -> str | None:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        return f"must be an ISO 4217 code like 'SAR', got {value!r:.40}"
    return None


def _money(value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"must be a Money object, got {json_type(value)}"
    for name, check in (("CurrencyCode", is_currency), ("Amount", is_amount)):
        if name not in value:
            return f"has no `{name}`"
        problem = check(value[name])
        if problem:
            return f"`{name}` {problem}"
    return None


def _must_be(kind: str) -> Callable[[Any], str]:
    return lambda value: f"must be {kind}, got {json_type(value)}"


_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)?").fullmatch

is_timestamp = Check((str,), _ISO_TIME, _timestamp)
is_amount = Check((str, int, float), _DECIMAL.fullmatch, _amount)
is_currency = Check((str,), _CURRENCY.fullmatch, _currency)
is_text = Check((str,), None, _must_be("a string"))
is_integer = Check((int,), None, _must_be("an integer"))  # bool is not int here: type() is exact
is_list = Check((list,), None, _must_be("a list"))
is_object = Check((dict,), None, _must_be("an object"))
is_flag = Check(
    (bool, str),
    re.compile("true|false|True|False").fullmatch,
    lambda v: f"must be true or false, got {v!r:.40}",
)


def _money_fast(value: Any) -> str | None:
    if type(value) is dict:
        code, amount = value.get("CurrencyCode"), value.get("Amount")
        if (
            type(code) is str
            and type(amount) is str
            and _CURRENCY.fullmatch(code)
            and _DECIMAL.fullmatch(amount)
        ):
            return None
    return _money(value)


is_money = Check((), None, _money_fast)  # an Amazon Money object: {CurrencyCode, Amount (a decimal string)}


class Fields:
    """Checks for some fields of an object: ``Fields({"updated_at": is_timestamp}, required=(...))``.

    Fields not in ``required`` may be missing or null. The loop is written out (no call per field
    unless a value needs a closer look): it runs for every record landed.
    """

    def __init__(self, checks: dict[str, Check], required: tuple[str, ...] = ()) -> None:
        self.required = required
        self.items = tuple((name, c.types, c.pattern, c.explain) for name, c in checks.items())

    def problem(self, obj: dict, where: str = "") -> str | None:
        """The first problem among ``obj``'s fields, naming the field; None if all are fine."""
        for name in self.required:
            if name not in obj:
                return f"{where}`{name}` is missing"
            if obj[name] is None:
                return f"{where}`{name}` is null"
        get = obj.get
        for name, types, pattern, explain in self.items:
            value = get(name)
            if value is None:
                continue
            kind = type(value)
            if kind in types and (kind is not str or pattern is None or pattern(value)):
                continue
            problem = explain(value)
            if problem:
                return f"{where}`{name}` {problem}"
        return None

    def each_problem(self, items: object, name: str) -> str | None:
        """The first problem among the objects of the list ``items`` (field ``name``); None if fine.

        Anything but a list passes: whether the field must be a list is the order's own check.
        """
        if not isinstance(items, list):
            return None
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                return f"`{name}[{i}]` must be an object, got {json_type(item)}"
            problem = self.problem(item, where=f"{name}[{i}].")
            if problem:
                return problem
        return None

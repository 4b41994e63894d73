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
    """Base of a channel parser. Subclasses set the class attributes and the three hooks."""

    source: str = ""
    tables: tuple[str, ...] = ()
    stream_paths: frozenset[tuple[str, ...]] = frozenset()

    def __init__(self) -> None:
        self._index = 0  # position of the next record in the file (records and rejects alike)

    # -- hooks ------------------------------------------------------------------------------

    def document(self, piece: Piece) -> Iterator[Item]:
        """A whole decoded document (a response, a record, or a list of them)."""
        raise NotImplementedError

    def part(self, path: tuple[str, ...], piece: Piece) -> Iterator[Item]:
        """An element of the list at ``path`` of a document too large or too broken to decode whole."""
        raise NotImplementedError

    def tail(self, tail: Tail) -> Iterator[Item]:
        """The rest of such a document once its lists have been streamed."""
        if tail.complete and not tail.streamed:
            yield from self.document(Piece(tail.value, tail.text, tail.start))

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

"""Read a file of JSON responses as a stream of documents, salvaging what a bad file still holds.

A file may hold one JSON value, a list of values, or several values one after another (JSON Lines).
Each top-level value is a *document*; the elements of a top-level list are documents too.

Two readers, one result:

- the usual file (one API page, at most ``FAST_LIMIT`` bytes, well-formed) is decoded by orjson in
  one call; its text is decoded again only if a record in it is rejected (for the exact bytes);
- anything else (JSON Lines, large files, broken files, numbers orjson would round) goes through
  the streaming reader: documents are decoded one at a time with the C scanner behind
  ``json.JSONDecoder.raw_decode`` over a sliding window of the file, so memory follows the largest
  document, not the file.

When a document cannot be decoded whole (it is cut off, broken, or larger than ``BIG_DOCUMENT``
characters) it is *walked* instead: objects are entered key by key along the parser's
``stream_paths`` (e.g. ``("orders",)`` or ``("payload", "Orders")``) and the elements of the list
found there come out one by one as :class:`Part` events. So a response cut in the middle of its
250th order still yields the 249 complete orders before the cut; the bytes that could not be read
come out as a :class:`Broken` event with the reason.

The streaming reader decodes text with ``surrogateescape``: bytes that are not UTF-8 survive as
lone surrogates, so a record holding one is still delimited correctly and can be rejected with its
exact bytes and the offset of the bad byte.
"""

from __future__ import annotations

import codecs
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

import orjson

READ_SIZE = 4 << 20
BIG_DOCUMENT = 8 << 20  # characters; larger documents are walked, not decoded whole
_WS = re.compile(r"[ \t\n\r]*")
_NEXT_DOCUMENT_LINE = re.compile(r"\n(?=[\[{])")


class NonFinite:
    """``NaN`` / ``Infinity`` in the input: not JSON, so the record holding it is rejected."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class InexactNumber(NonFinite):
    """A number a double cannot hold exactly (e.g. 25 significant digits): rejected, never rounded."""


def _parse_float(text: str) -> float | InexactNumber:
    value = float(text)
    if not math.isfinite(value) or (len(text) > 15 and Decimal(text) != Decimal(repr(value))):
        return InexactNumber(text)
    return value


# strict=False: a raw control character inside a string is taken as it comes (the canonical form
# escapes it); everything else JSON forbids is refused.
_DECODER = json.JSONDecoder(parse_float=_parse_float, parse_constant=NonFinite, strict=False)


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, NonFinite)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))


def to_bytes(text: str) -> bytes:
    """The original bytes of a stretch of decoded text (non-UTF-8 bytes included)."""
    return text.encode("utf-8", "surrogateescape")


def first_invalid_utf8(raw: bytes) -> tuple[int, int] | None:
    """(offset, byte) of the first byte that is not valid UTF-8, or None."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start, raw[err.start]
    return None


class Source:
    """A document's bytes, read whole; their text is decoded only if a reject asks for it."""

    __slots__ = ("data", "_text")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.data.decode("utf-8", "surrogateescape")
        return self._text


@dataclass(slots=True)
class Piece:
    """A decoded JSON value and where it came from.

    ``text`` is the exact source text of the enclosing document (or of the value itself; a
    :class:`Source` when the text is still bytes) and ``start`` its byte offset in the file;
    ``path`` leads from that text to the value. ``raw()`` finds the value's own bytes only when
    asked (a reject needs them; a landed record does not).
    """

    value: Any
    text: str | Source | None
    start: int
    path: tuple = ()

    def at(self, *keys: str | int) -> Piece:
        value = self.value
        for key in keys:
            value = value[key]
        return Piece(value, self.text, self.start, self.path + keys)

    def _source_text(self) -> str | None:
        return self.text.text if isinstance(self.text, Source) else self.text

    def raw(self) -> bytes:
        text = self._source_text()
        if text is None:  # no source text kept (a document too large to keep whole)
            return orjson.dumps(self.value, default=repr)
        start, end = locate(text, self.path)
        return to_bytes(text[start:end])

    def offset(self) -> int:
        """Byte offset of the value in the file."""
        text = self._source_text()
        if text is None:
            return self.start
        return self.start + _utf8_len(text[: locate(text, self.path)[0]])


@dataclass(slots=True)
class Document:
    """A complete top-level value (or an element of a top-level list)."""

    index: int
    piece: Piece


@dataclass(slots=True)
class Part:
    """One element of a list at a stream path, from a document that had to be walked."""

    index: int
    path: tuple[str, ...]
    piece: Piece


@dataclass(slots=True)
class Tail:
    """The end of a walked document: what it held besides the streamed lists.

    ``value`` is the document with every streamed list left empty; ``complete`` is False when
    the document was cut or broken (then ``value`` holds only what was read before).
    """

    index: int
    value: Any
    streamed: frozenset[tuple[str, ...]]
    complete: bool
    text: str | None = None  # the document's source text, while the window still holds it
    start: int = 0


@dataclass(slots=True)
class Broken:
    """Bytes that could not be read as JSON, with the reason."""

    index: int
    reason: str
    raw: bytes
    start: int


Event = Document | Part | Tail | Broken


class _Stop(Exception):
    """The walk met something that is not (or not yet) JSON at ``pos``."""

    def __init__(self, pos: int, msg: str) -> None:
        super().__init__(msg)
        self.pos = pos
        self.msg = msg


class _TooBig(Exception):
    pass


@dataclass
class _Window:
    """A sliding window of decoded text over the file, with byte offsets."""

    fp: BinaryIO
    read_size: int = READ_SIZE
    buf: str = ""
    pos: int = 0
    eof: bool = False
    _mark: int = 0
    _mark_byte: int = 0
    _decoder: Any = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("surrogateescape"))

    def fill(self, at_least: int = 0) -> bool:
        """Read more of the file; False at end of file."""
        if self.eof:
            return False
        data = self.fp.read(max(self.read_size, at_least))
        if not data:
            self.eof = True
            rest = self._decoder.decode(b"", final=True)
            self.buf += rest
            return bool(rest)
        self.buf += self._decoder.decode(data)
        return True

    def release(self, upto: int) -> int:
        """Forget the text before ``upto`` once enough has piled up; returns the shift of indexes."""
        if upto < self.read_size:
            return 0
        self.byte_at(upto)
        self.buf = self.buf[upto:]
        self.pos -= upto
        self._mark -= upto
        return upto

    def byte_at(self, idx: int) -> int:
        """Byte offset in the file of ``buf[idx]`` (cheap when called with growing ``idx``)."""
        if idx < self._mark:
            return self._mark_byte - _utf8_len(self.buf[idx : self._mark])
        if idx != self._mark:
            self._mark_byte += _utf8_len(self.buf[self._mark : idx])
            self._mark = idx
        return self._mark_byte

    def peek(self) -> str:
        """Skip whitespace; the next character, or '' at end of file."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def value(self, limit: int | None = None) -> tuple[Any, int, int]:
        """Decode the value at ``pos`` (reading more as needed); returns (value, start, end)."""
        start = self.pos
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, start)
            except json.JSONDecodeError as err:
                near_end = err.pos >= len(self.buf) - 16 or err.msg.startswith("Unterminated string")
                if self.eof or not near_end:
                    raise _Stop(err.pos, err.msg) from None
                if limit is not None and len(self.buf) - start > limit:
                    raise _TooBig from None
                self.fill(at_least=len(self.buf) - start)
                continue
            if end >= len(self.buf) and not self.eof:  # a number may go on in the next read
                self.fill()
                continue
            self.pos = end
            return value, start, end


def _stop_is_truncation(window: _Window, stop: _Stop) -> bool:
    """At end of file: was the input cut off (rather than malformed)?"""
    if not window.eof:
        return False
    if stop.msg.startswith("Unterminated string"):
        return True
    rest = window.buf[stop.pos :].strip()
    return len(rest) <= 8 and not any(c in rest for c in "]}")


def _prefixes(paths: frozenset[tuple[str, ...]]) -> frozenset[tuple[str, ...]]:
    return frozenset(p[:i] for p in paths for i in range(len(p)))


class _Reader:
    def __init__(self, fp: BinaryIO, stream_paths: frozenset[tuple[str, ...]], big_document: int) -> None:
        self.w = _Window(fp, READ_SIZE)
        self.stream_paths = stream_paths
        self.prefixes = _prefixes(stream_paths)
        self.big = big_document
        self.index = 0
        self.done = False

    # -- top level ---------------------------------------------------------------------------

    def events(self) -> Iterator[Event]:
        w = self.w
        w.fill()
        if w.buf.startswith("\ufeff"):
            w.pos = 1
        if w.peek() == "":
            yield Broken(0, "empty file: no JSON in it", to_bytes(w.buf), 0)
            return
        while not self.done:
            c = w.peek()
            if c == "":
                return
            if c == "[":
                yield from self._top_list()
            else:
                yield from self._document(resync=True)
            w.release(w.pos)

    def _top_list(self) -> Iterator[Event]:
        w = self.w
        w.pos += 1
        c = w.peek()
        if c == "]":
            w.pos += 1
            return
        while not self.done:
            yield from self._document(resync=False)
            if self.done:
                return
            c = w.peek()
            if c == ",":
                w.pos += 1
                if w.peek() == "":
                    yield self._broken_rest(w.pos, _Stop(w.pos, "Expecting value"))
                    return
                continue
            if c == "]":
                w.pos += 1
                return
            yield self._broken_rest(w.pos, _Stop(w.pos, "Expecting ',' delimiter or ']'"))
            return

    def _document(self, *, resync: bool) -> Iterator[Event]:
        w = self.w
        start = w.pos
        index = self.index
        self.index += 1
        try:
            value, s, e = w.value(limit=self.big)
        except (_Stop, _TooBig):
            w.pos = start
            yield from self._walk_document(index, start, resync=resync)
            return
        yield Document(index, Piece(value, w.buf[s:e], w.byte_at(s)))
        w.release(e)

    # -- walking a document that could not be decoded whole -----------------------------------

    def _walk_document(self, index: int, start: int, *, resync: bool) -> Iterator[Event]:
        w = self.w
        self._resume = start
        self._released = False
        self._streamed: set[tuple[str, ...]] = set()
        holder: dict[str, Any] = {}
        try:
            value = yield from self._walk((), holder, "v")
        except _Stop as stop:
            streamed = frozenset(self._streamed)
            if resync and not _stop_is_truncation(w, stop):
                yield self._broken_until_next_line(stop)
            else:
                yield self._broken_rest(self._resume, stop)
            yield Tail(index, holder.get("v"), streamed, False, None, 0)
            return
        if self._released:  # the document's text is gone: only its streamed elements kept theirs
            yield Tail(index, value, frozenset(self._streamed), True, None, 0)
        else:
            yield Tail(index, value, frozenset(self._streamed), True, w.buf[start : w.pos], w.byte_at(start))

    def _walk(self, path: tuple, holder: dict, key: Any):
        w = self.w
        c = w.peek()
        if c == "{" and path in self.prefixes:
            obj: dict[str, Any] = {}
            holder[key] = obj  # attached now, so a cut document still shows what came before
            w.pos += 1
            c = w.peek()
            if c == "}":
                w.pos += 1
                return obj
            while True:
                if c != '"':
                    raise _Stop(w.pos, "Expecting property name enclosed in double quotes")
                name, _, _ = w.value()
                if w.peek() != ":":
                    raise _Stop(w.pos, "Expecting ':' delimiter")
                w.pos += 1
                obj[name] = yield from self._walk(path + (name,), obj, name)
                c = w.peek()
                if c == ",":
                    w.pos += 1
                    c = w.peek()
                    continue
                if c == "}":
                    w.pos += 1
                    return obj
                raise _Stop(w.pos, "Expecting ',' delimiter")
        if c == "[" and path in self.stream_paths:
            self._streamed.add(path)
            w.pos += 1
            c = w.peek()
            if c == "]":
                w.pos += 1
                return []
            while True:
                value, s, e = w.value()
                yield Part(self.index - 1, path, Piece(value, w.buf[s:e], w.byte_at(s)))
                self._resume = e - w.release(e)
                self._released = True
                c = w.peek()
                if c == ",":
                    w.pos += 1
                    w.peek()
                    continue
                if c == "]":
                    w.pos += 1
                    return []
                raise _Stop(w.pos, "Expecting ',' delimiter")
        if c == "":
            raise _Stop(w.pos, "Expecting value")
        value, _, _ = w.value()
        return value

    # -- what could not be read -----------------------------------------------------------------

    def _reason(self, stop: _Stop, raw: bytes, raw_start: int) -> str:
        w = self.w
        bad = first_invalid_utf8(raw)
        if bad is not None:
            return f"not UTF-8: invalid byte 0x{bad[1]:02x} at offset {raw_start + bad[0]}"
        if _stop_is_truncation(w, stop):
            return f"truncated JSON at byte {raw_start + len(raw)}: the file ends inside a JSON value"
        return f"invalid JSON at byte {w.byte_at(stop.pos)}: {stop.msg}"

    def _broken_rest(self, start: int, stop: _Stop) -> Broken:
        """Everything from ``start`` to the end of the file, and stop reading."""
        w = self.w
        while w.fill():
            pass
        raw_start = w.byte_at(start)
        raw = to_bytes(w.buf[start:])
        reason = self._reason(stop, raw, raw_start)
        self.done = True
        w.pos = len(w.buf)
        return Broken(self.index - 1, reason, raw, raw_start)

    def _broken_until_next_line(self, stop: _Stop) -> Broken:
        """From the last good byte to the next line that starts a new value, then read on."""
        w = self.w
        start = self._resume
        while True:
            m = _NEXT_DOCUMENT_LINE.search(w.buf, max(stop.pos, start))
            if m or not w.fill():
                break
        end = m.start() + 1 if m else len(w.buf)
        raw_start = w.byte_at(start)
        raw = to_bytes(w.buf[start:end])
        reason = self._reason(stop, raw, raw_start)
        w.pos = end
        if not m:
            self.done = True
        return Broken(self.index - 1, reason, raw, raw_start)


FAST_LIMIT = 8 << 20
# A number orjson might round (16 characters or more: beyond 15 significant digits, or an
# integer past 64 bits) sends the file down the exact path, which keeps every number as written
# or rejects its record. Found with translate+find (~1 GB/s; a regex is ~8x slower): number
# characters become "0", the bytes that may precede a number outside a string become "1".
_NUMBER_SCAN = bytearray(b" " * 256)
for _byte in b"0123456789.eE+-":
    _NUMBER_SCAN[_byte] = ord("0")
for _byte in b":,[ \t\r\n":
    _NUMBER_SCAN[_byte] = ord("1")
_NUMBER_SCAN = bytes(_NUMBER_SCAN)
_LONG_NUMBER = b"1" + b"0" * 16


def _has_long_number(data: bytes) -> bool:
    return data.translate(_NUMBER_SCAN).find(_LONG_NUMBER) >= 0


def _fast(data: bytes) -> list[Event] | None:
    """The documents of a whole, well-formed file, decoded by orjson; None if it is not that."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if _has_long_number(data):
        return None
    source = Source(data)
    if isinstance(value, list):
        return [Document(i, Piece(v, source, 0, (i,))) for i, v in enumerate(value)]
    return [Document(0, Piece(value, source, 0))]


class _Prefixed:
    """A binary reader that first returns bytes already read, then the rest of the file."""

    def __init__(self, head: bytes, fp: BinaryIO) -> None:
        self.head, self.fp = head, fp

    def read(self, size: int = -1) -> bytes:
        if self.head:
            out, self.head = self.head, b""
            return out
        return self.fp.read(size)


def read(
    fp: BinaryIO,
    stream_paths: frozenset[tuple[str, ...]] = frozenset(),
    *,
    big_document: int | None = None,
    fast_limit: int | None = None,
) -> Iterator[Event]:
    """The documents of a binary file, as events (see the module docstring).

    A file of at most ``fast_limit`` bytes that is one well-formed JSON value (the usual API
    page) is decoded by orjson in one go; anything else takes the streaming reader.
    """
    fast_limit = FAST_LIMIT if fast_limit is None else fast_limit
    big_document = BIG_DOCUMENT if big_document is None else big_document
    head = fp.read(fast_limit + 1)
    if len(head) <= fast_limit:
        events = _fast(head)
        if events is not None:
            return iter(events)
        return _Reader(io.BytesIO(head), frozenset(stream_paths), big_document).events()
    return _Reader(_Prefixed(head, fp), frozenset(stream_paths), big_document).events()


# -- finding a value's own text inside a document ----------------------------------------------


def locate(text: str, path: tuple) -> tuple[int, int]:
    """(start, end) of the value at ``path`` (keys and list indexes) inside the JSON ``text``."""
    pos = _WS.match(text, 0).end()
    for key in path:
        if isinstance(key, int):
            pos = _enter(text, pos, "[")
            for _ in range(key):
                pos = _skip_value(text, pos)
                pos = _after(text, pos, ",")
        else:
            pos = _enter(text, pos, "{")
            while True:
                name, pos = _DECODER.raw_decode(text, pos)
                pos = _after(text, pos, ":")
                if name == key:
                    break
                pos = _skip_value(text, pos)
                pos = _after(text, pos, ",")
    return pos, _skip_value(text, pos)


def _enter(text: str, pos: int, bracket: str) -> int:
    if text[pos] != bracket:
        raise ValueError(f"expected {bracket!r} at {pos}")
    return _WS.match(text, pos + 1).end()


def _after(text: str, pos: int, sep: str) -> int:
    pos = _WS.match(text, pos).end()
    if text[pos] != sep:
        raise ValueError(f"expected {sep!r} at {pos}")
    return _WS.match(text, pos + 1).end()


def _skip_value(text: str, pos: int) -> int:
    _, end = _DECODER.raw_decode(text, pos)
    return end

"""Writes one store's versions as the API's own response pages, and plants the delivery anomalies.

Per sync window the versions become pages (Shopify ``{"orders": [...]}`` of up to 250; Amazon
getOrders ``{"payload": {"Orders": [...], "NextToken", "LastUpdatedBefore"}}`` of up to 100 with a
getOrderItems file beside each page). Here, and only here, the delivery anomalies are planted:
re-delivered records (byte-identical copies of a previous page's records), malformed records (an
order without its id, an id that is a nested object), single-order files, and a truncated file.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from random import Random

import orjson

from ingestion.demo.common import iso_utc, stamp
from ingestion.demo.context import StoreContext
from ingestion.demo.summary import StoreStats

P_DUPLICATE = 0.0015  # per record of the previous page
P_MALFORMED = 0.0005  # per record
P_SINGLE_FILE = 0.002  # per Shopify version
MAX_DUPLICATES_PER_PAGE = 3


@dataclass(slots=True)
class Rec:
    """One order record as delivered (compact JSON), with its Amazon items response if any."""

    body: bytes
    order_id: str
    items: bytes | None = None
    n_items: int = 0
    items_new: bool = False
    malformed: str | None = None
    duplicate: bool = False


@dataclass(slots=True)
class _Written:
    name: str
    prefix: bytes
    bodies: list[bytes]
    suffix: bytes


class StoreWriter:
    """Turns a store's windows of records into files, counting everything in ``stats``."""

    def __init__(self, ctx: StoreContext, folder: Path, stats: StoreStats, rng: Random) -> None:
        self.ctx = ctx
        self.folder = folder
        self.stats = stats
        self.rng = rng
        self.shopify = ctx.spec.channel == "shopify"
        self.limit = 250 if self.shopify else 100
        self.prev: list[Rec] = []  # records of the last closed page: candidates for re-delivery
        self.pages_closed = 0
        self.pages_written = 0
        self.forced_done: set[str] = set()
        self.last_clean: _Written | None = None  # a page without malformed records, for truncation

    # ------------------------------------------------------------------ per window

    def window(self, window_end: int, recs: list[Rec]) -> None:
        ts = stamp(window_end)
        pages: list[list[Rec]] = []
        page: list[Rec] | None = None
        for rec in recs:
            if self.shopify and self._single_now():
                self._write(f"{ts}-order-{rec.order_id}.json", b'{"order":', [rec.body], b"}")
                self._count(rec)
                self.stats.single_order_files += 1
                continue
            kind = self._malformed_now()
            if page is not None and len(page) + (2 if kind else 1) > self.limit:
                pages.append(self._close(page))
                page = None
            if page is None:
                page = self._open()
            if kind:
                page.append(self._malformed_copy(rec, kind))
            page.append(rec)
        if page:
            pages.append(self._close(page))
        for n, page in enumerate(pages, start=1):
            self._write_page(ts, window_end, n, page, last=n == len(pages))

    def finish(self) -> None:
        """Plant the truncated file if the store never had a page that qualified earlier."""
        if self._forced() and "truncated" not in self.forced_done and self.last_clean is not None:
            self._truncate(self.last_clean)

    # ------------------------------------------------------------------ anomalies

    def _forced(self) -> bool:
        return self.ctx.forced

    def _single_now(self) -> bool:
        if self._forced() and "single" not in self.forced_done and self.pages_closed >= 1:
            self.forced_done.add("single")
            return True
        return self.rng.random() < P_SINGLE_FILE

    def _malformed_now(self) -> str | None:
        if self._forced():
            for kind, after in (("missing_id", 3), ("nested_id", 4)):
                if kind not in self.forced_done and self.pages_closed >= after:
                    self.forced_done.add(kind)
                    return kind
        if self.rng.random() < P_MALFORMED:
            return "missing_id" if self.rng.random() < 0.5 else "nested_id"
        return None

    def _open(self) -> list[Rec]:
        """A new page, starting with any records of the previous page delivered again."""
        page: list[Rec] = []
        force = self._forced() and "duplicate" not in self.forced_done and self.pages_closed >= 2
        for i, rec in enumerate(self.prev):
            if len(page) >= MAX_DUPLICATES_PER_PAGE:
                break
            if self.rng.random() < P_DUPLICATE or (force and i == 0):
                page.append(Rec(rec.body, rec.order_id, rec.items, rec.n_items, False, None, True))
        if force and page:
            self.forced_done.add("duplicate")
        return page

    def _close(self, page: list[Rec]) -> list[Rec]:
        self.prev = [r for r in page if r.malformed is None and not r.duplicate]
        self.pages_closed += 1
        return page

    def _malformed_copy(self, rec: Rec, kind: str) -> Rec:
        obj = orjson.loads(rec.body)
        key = "id" if self.shopify else "AmazonOrderId"
        if kind == "missing_id":
            del obj[key]
        else:  # an id that went through a system that wraps values (Mongo extended JSON, MWS XML)
            obj[key] = {"$numberLong": str(obj[key])} if self.shopify else {"value": obj[key]}
        return Rec(orjson.dumps(obj), rec.order_id, malformed=kind)

    def _truncate(self, page: _Written) -> None:
        """Write a re-delivery of ``page`` whose tail was cut off in the middle of its last record."""
        self.forced_done.add("truncated")
        head = page.prefix + b",".join(page.bodies[:-1]) + (b"," if len(page.bodies) > 1 else b"")
        body = head + page.bodies[-1][: max(1, len(page.bodies[-1]) // 2)]
        name = page.name.replace("-p", "-resend-p", 1)
        _publish(self.folder / name, body)
        self.stats.files += 1
        self.stats.truncated_files += 1
        self.stats.truncated_whole_records += len(page.bodies) - 1
        self.stats.malformed_records["truncated_tail"] += 1

    # ------------------------------------------------------------------ files

    def _count(self, rec: Rec) -> None:
        s = self.stats
        if rec.malformed:
            s.malformed_records[rec.malformed] += 1
            return
        if rec.duplicate:
            s.duplicate_deliveries += 1
        else:
            s.order_versions += 1
        if rec.items is not None:
            s.item_records += rec.n_items
            if rec.items_new and not rec.duplicate:
                s.item_versions += rec.n_items
            else:
                s.item_duplicates += rec.n_items

    def _write(self, name: str, prefix: bytes, bodies: list[bytes], suffix: bytes) -> None:
        _publish(self.folder / name, prefix + b",".join(bodies) + suffix)
        self.stats.files += 1

    def _write_page(self, ts: str, window_end: int, n: int, page: list[Rec], last: bool) -> None:
        bodies = [r.body for r in page]
        if self.shopify:
            name, prefix = f"{ts}-orders-p{n:03d}.json", b'{"orders":['
            suffix = b"]}"
        else:
            name, prefix = f"{ts}-getOrders-p{n:03d}.json", b'{"payload":{"Orders":['
            token = b""
            if not last:
                token = b',"NextToken":' + orjson.dumps(base64.b64encode(self.rng.randbytes(45)).decode())
            suffix = b"]" + token + b',"LastUpdatedBefore":' + orjson.dumps(iso_utc(window_end)) + b"}}"
        self._write(name, prefix, bodies, suffix)
        for rec in page:
            self._count(rec)
        if not self.shopify:
            items = [r.items for r in page if r.items is not None]
            self._write(f"{ts}-getOrderItems-p{n:03d}.json", b"[", items, b"]")
        self.pages_written += 1
        if all(r.malformed is None for r in page):
            written = _Written(name, prefix, bodies, suffix)
            self.last_clean = written
            if (
                self._forced()
                and "truncated" not in self.forced_done
                and self.pages_written >= 5
                and len(page) >= 2
            ):
                self._truncate(written)


def _publish(path: Path, body: bytes) -> None:
    """Write under a ``.tmp`` name, then rename: the importer and the sensor never see half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(body)
    tmp.replace(path)

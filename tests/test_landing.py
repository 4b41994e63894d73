"""The landing mechanism and the channel parsers: shapes, salvage of bad input, the ledger.

Parser tests run on bytes in memory; landing tests on the session's embedded Postgres.
"""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest

from ingestion import jsonstream, landing
from ingestion.landing import Record, Reject, canonical_json, land_batch, store_lock_key, sweep_interrupted
from ingestion.sources import parser_for

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(params=["orjson", "stream", "stream-7-byte-reads"])
def reader(request, monkeypatch):
    """Run a parser test through both readers: orjson on the whole file, and the streaming one
    (also with tiny reads, which split characters and values across reads)."""
    if request.param.startswith("stream"):
        monkeypatch.setattr(jsonstream, "FAST_LIMIT", 0)
    if request.param == "stream-7-byte-reads":
        monkeypatch.setattr(jsonstream, "READ_SIZE", 7)
    return request.param


def parse(source: str, data: bytes) -> list[Record | Reject]:
    return list(parser_for(source).records(io.BytesIO(data)))


def keys(items) -> list[str]:
    return [i.natural_key for i in items if isinstance(i, Record)]


def rejects(items) -> list[Reject]:
    return [i for i in items if isinstance(i, Reject)]


def shopify_orders() -> list[dict]:
    return json.loads((FIXTURES / "shopify_orders_page.json").read_bytes())["orders"]


def add_up(conn) -> None:
    """Every committed batch: fetched = landed + duplicate + rejected, and its rows are there."""
    with conn.cursor() as cur:
        cur.execute(
            """select b.batch_id, b.fetched_count, b.landed_count, b.duplicate_count, b.rejected_count,
                      (select count(*) from raw.shopify_orders r where r.batch_id = b.batch_id)
                    + (select count(*) from raw.amazon_orders r where r.batch_id = b.batch_id)
                    + (select count(*) from raw.amazon_order_items r where r.batch_id = b.batch_id)
               from raw.batches b where b.status = 'committed'"""
        )
        for batch_id, fetched, landed, duplicate, rejected, rows in cur.fetchall():
            assert fetched == landed + duplicate + rejected, batch_id
            assert rows == landed, batch_id


# -- parsers: every shape the platforms return -------------------------------------------------


def test_shopify_accepts_every_response_shape(reader):
    orders = shopify_orders()
    ids = [str(o["id"]) for o in orders]
    shapes = {
        "page": {"orders": orders},
        "list": orders,
        "list of pages": [{"orders": orders[:1]}, {"orders": orders[1:]}],
    }
    for name, doc in shapes.items():
        assert keys(parse("shopify", json.dumps(doc, ensure_ascii=False).encode())) == ids, name
    jsonl = b"\n".join(json.dumps(o, ensure_ascii=False).encode() for o in orders) + b"\n"
    assert keys(parse("shopify", jsonl)) == ids
    assert keys(parse("shopify", json.dumps({"order": orders[0]}).encode())) == ids[:1]
    assert keys(parse("shopify", json.dumps(orders[0], indent=2).encode())) == ids[:1]


def test_payload_is_canonical_so_whitespace_and_key_order_do_not_matter(reader):
    order = shopify_orders()[0]
    compact = parse("shopify", json.dumps(order, separators=(",", ":")).encode())[0]
    shuffled = dict(reversed(list(order.items())))
    pretty = parse("shopify", json.dumps(shuffled, indent=4, ensure_ascii=False).encode())[0]
    assert compact.payload == pretty.payload == canonical_json(order)
    assert json.loads(compact.payload)["total_price"] == "409.94"  # money stays a string, as sent


def test_amazon_orders_and_items_any_order_and_id_after_items(reader):
    items = json.loads((FIXTURES / "amazon_get_order_items.json").read_bytes())
    got = parse("amazon", (FIXTURES / "amazon_get_order_items.json").read_bytes())
    assert [(r.table, r.natural_key, r.parent_key) for r in got] == [
        ("amazon_order_items", "405-1845936-5435065/68828574383266", "405-1845936-5435065"),
        ("amazon_order_items", "405-1845936-5435065/68828574383267", "405-1845936-5435065"),
        ("amazon_order_items", "405-7712094-1187360/40129376512154", "405-7712094-1187360"),
    ]
    # the item is landed exactly as received: no AmazonOrderId added, IsGift stays the string "false"
    assert json.loads(got[0].payload) == items[0]["payload"]["OrderItems"][0]
    orders = (FIXTURES / "amazon_get_orders.json").read_bytes()
    mixed = b"[" + (FIXTURES / "amazon_get_order_items.json").read_bytes() + b"," + orders + b"]"
    got = parse("amazon", mixed)
    assert sorted({r.table for r in got}) == ["amazon_order_items", "amazon_orders"]
    assert keys(got)[-2:] == ["405-1845936-5435065", "405-7712094-1187360"]
    assert not rejects(got)


def test_truncated_file_lands_records_before_the_cut(reader):
    page = json.dumps({"orders": shopify_orders()}, ensure_ascii=False).encode()
    cut = page[: page.index(b'"id": 5801374548155') + 40]  # inside the third order
    got = parse("shopify", cut)
    assert keys(got) == ["5801374482619", "5801374515387"]
    (bad,) = rejects(got)
    assert bad.reason.startswith(f"truncated JSON at byte {len(cut)}")
    assert bad.record_index == 2
    assert b"5801374548155" in bad.raw and cut.endswith(bad.raw)


def test_truncated_getorderitems_keeps_items_whose_order_id_came_first(reader):
    items = json.loads((FIXTURES / "amazon_get_order_items.json").read_bytes())
    payload = items[0]["payload"]
    id_first = {"payload": {"AmazonOrderId": payload["AmazonOrderId"], "OrderItems": payload["OrderItems"]}}
    data = json.dumps(id_first, ensure_ascii=False).encode()
    got = parse("amazon", data[: data.index(b"68828574383267") + 20])
    assert keys(got) == ["405-1845936-5435065/68828574383266"]
    assert rejects(got)[0].reason.startswith("truncated JSON at byte")
    # id after the items and the response cut: the complete items are kept as rejects, not dropped
    data = json.dumps(items[0], ensure_ascii=False).encode()
    got = parse("amazon", data[: data.index(b'"AmazonOrderId"') + 5])
    assert keys(got) == []
    reasons = [r.reason for r in rejects(got)]
    assert reasons[0].startswith("truncated JSON at byte")
    assert (
        reasons[1:]
        == ["Amazon getOrderItems response without `AmazonOrderId` (the response was cut before it)"] * 2
    )


def test_documents_too_large_to_decode_whole_are_walked(monkeypatch):
    """Past BIG_DOCUMENT characters a response is read element by element, with the same result."""
    orders = (FIXTURES / "shopify_orders_page.json").read_bytes()
    items = json.loads((FIXTURES / "amazon_get_order_items.json").read_bytes())
    whole = {
        "shopify": [(r.table, r.natural_key, r.payload) for r in parse("shopify", orders)],
        "amazon": [
            (r.table, r.natural_key, r.payload) for r in parse("amazon", json.dumps(items[0]).encode())
        ],
    }
    monkeypatch.setattr(jsonstream, "FAST_LIMIT", 0)
    monkeypatch.setattr(jsonstream, "BIG_DOCUMENT", 100)
    monkeypatch.setattr(jsonstream, "READ_SIZE", 64)
    events = list(jsonstream.read(io.BytesIO(orders), parser_for("shopify").stream_paths))
    assert [type(e).__name__ for e in events] == ["Part", "Part", "Part", "Tail"]
    walked_orders = parse("shopify", orders)
    # the order id comes after the items: they wait for it
    walked_items = parse("amazon", json.dumps(items[0]).encode())
    assert [(r.table, r.natural_key, r.payload) for r in walked_orders] == whole["shopify"]
    assert [(r.table, r.natural_key, r.payload) for r in walked_items] == whole["amazon"]
    assert len(whole["shopify"]) == 3 and len(whole["amazon"]) == 2


@pytest.mark.parametrize(
    ("source", "data", "reason"),
    [
        ("shopify", b'"hello"', "expected a Shopify order object or list, got string"),
        ("shopify", b'{"orders": "none"}', "Shopify `orders` must be a list, got string"),
        ("shopify", b'{"name": "#1001"}', "Shopify order without `id`"),
        ("shopify", b'{"id": "450789469"}', "Shopify order `id` must be an integer, got string '450789469'"),
        ("shopify", b'{"id": 45.5}', "Shopify order `id` must be an integer, got number 45.5"),
        ("shopify", b"", "empty file: no JSON in it"),
        ("shopify", b'{"errors": "[API] Invalid API key"}', "Shopify error response: [API] Invalid API key"),
        ("amazon", b"42", "expected an Amazon Orders API response, Order object or list, got number"),
        (
            "amazon",
            b'{"payload": {"Orders": [{"OrderStatus": "Pending"}]}}',
            "Amazon order without `AmazonOrderId`",
        ),
        (
            "amazon",
            b'{"payload": {"Orders": [{"AmazonOrderId": 405}]}}',
            "Amazon order `AmazonOrderId` must be a string",
        ),
        (
            "amazon",
            b'{"payload": {"OrderItems": [{"OrderItemId": "1"}]}}',
            "Amazon getOrderItems response without",
        ),
        (
            "amazon",
            b'{"errors": [{"code": "Unauthorized", "message": "Access denied"}]}',
            "Amazon error response: Unauthorized: Access denied",
        ),
    ],
)
def test_bad_shapes_are_rejected_with_a_reason(source, data, reason, reader):
    (bad,) = parse(source, data)
    assert isinstance(bad, Reject)
    assert bad.reason.startswith(reason), bad.reason
    assert bad.raw in data and (bad.raw or not data)  # the record's own bytes, exactly


def test_field_checks_name_the_field(reader):
    order = shopify_orders()[0]
    cases = [
        ({"total_price": "12,50"}, "`total_price` is not a decimal amount: '12,50'"),
        ({"updated_at": "yesterday"}, "`updated_at` is not an ISO-8601 time: 'yesterday'"),
        ({"currency": "riyal"}, "`currency` must be an ISO 4217 code"),
        (
            {"line_items": [{"id": 1, "quantity": "2"}]},
            "line_items[0].`quantity` must be an integer, got string",
        ),
    ]
    for change, reason in cases:
        (bad,) = parse("shopify", json.dumps({**order, **change}).encode())
        assert isinstance(bad, Reject) and reason in bad.reason, bad
        assert bad.natural_key == str(order["id"])
    items = json.loads((FIXTURES / "amazon_get_order_items.json").read_bytes())[0]
    item = items["payload"]["OrderItems"][0]
    for change, reason in [
        (
            {"ItemPrice": {"CurrencyCode": "SAR", "Amount": "12,50"}},
            "`ItemPrice` `Amount` is not a decimal amount",
        ),
        ({"ItemTax": {"Amount": "1.00"}}, "`ItemTax` has no `CurrencyCode`"),
        ({"IsGift": "yes"}, "`IsGift` must be true or false, got 'yes'"),
        ({"QuantityOrdered": None}, "`QuantityOrdered` is null"),
    ]:
        response = {"payload": {**items["payload"], "OrderItems": [{**item, **change}]}}
        (bad,) = parse("amazon", json.dumps(response).encode())
        assert isinstance(bad, Reject) and reason in bad.reason, bad
        assert bad.natural_key == "405-1845936-5435065/68828574383266"


def test_non_utf8_record_is_rejected_with_its_offset_and_bytes(reader):
    orders = shopify_orders()
    good = json.dumps(orders[0]).encode()
    bad = json.dumps({**orders[1], "note": "NOTE"}).encode().replace(b"NOTE", b"caf\xe9")
    data = b"[" + good + b",\n" + bad + b",\n" + json.dumps(orders[2]).encode() + b"]"
    got = parse("shopify", data)
    assert keys(got) == [str(orders[0]["id"]), str(orders[2]["id"])]
    (rej,) = rejects(got)
    offset = data.index(b"\xe9")
    assert rej.reason == f"not UTF-8: invalid byte 0xe9 at offset {offset}"
    assert rej.raw == bad and rej.record_index == 1


def test_broken_line_in_json_lines_is_rejected_and_reading_goes_on(reader):
    orders = shopify_orders()
    lines = [json.dumps(o).encode() for o in orders]
    data = lines[0] + b'\n{"id": 7, "x": ]\n' + lines[1] + b"\n\xff\xfe\n" + lines[2] + b"\n"
    got = parse("shopify", data)
    assert keys(got) == [str(o["id"]) for o in orders]
    first, second = rejects(got)
    assert first.reason.startswith("invalid JSON at byte") and first.raw == b'{"id": 7, "x": ]\n'
    offset = data.index(b"\xff")
    assert second.reason == f"not UTF-8: invalid byte 0xff at offset {offset}"


def test_values_jsonb_cannot_hold_are_rejected_not_altered(reader):
    base = '{"id": 1, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z", "x": %s}'
    for value, reason in [
        ("NaN", "NaN is not a JSON number"),
        ('"a\\u0000b"', "NUL character"),
        ('"\\ud800"', "not valid Unicode"),
        ("1.00000000000000000000001", "cannot be stored exactly"),
        ("1e400", "cannot be stored exactly"),
        ("18446744073709551616", "64-bit"),
    ]:
        (bad,) = parse("shopify", (base % value).encode())
        assert isinstance(bad, Reject) and reason in bad.reason, (value, bad)
    # long numbers that a double or 64 bits hold are kept exactly as written
    (good,) = parse("shopify", (base % '{"big": 123456789012345678, "rate": 0.15, "lat": 24.7006}').encode())
    assert json.loads(good.payload)["x"] == {"big": 123456789012345678, "rate": 0.15, "lat": 24.7006}


# -- land_batch on the database -----------------------------------------------------------------


def rec(nk: str, payload: dict, table: str = "shopify_orders", parent: str | None = None) -> Record:
    return Record(table, nk, parent, canonical_json(payload))


def count(conn, sql: str, *args) -> int:
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()[0]


def test_land_batch_ledger_counts_and_duplicates(clean_db):
    items = [
        rec("1", {"id": 1}),
        rec("2", {"id": 2}),
        rec("1", {"id": 1}),  # same content again in the batch: a duplicate
        Reject("bad thing", b"\x00raw", 3, None),
    ]
    result = land_batch("t1", "shopify", "s1", items, file_name="f.json")
    assert (result.status, result.fetched, result.landed, result.duplicate, result.rejected) == (
        "committed",
        4,
        2,
        1,
        1,
    )
    with clean_db.cursor() as cur:
        cur.execute("select status, file_name, commit_seq, backend_pid, finished_at from raw.batches")
        status, file_name, commit_seq, pid, finished = cur.fetchone()
        assert (status, file_name) == ("committed", "f.json") and commit_seq and pid and finished
        cur.execute("select reason, raw_bytes, record_index, file_name, batch_id from raw.rejects")
        reason, raw, index, fname, batch_id = cur.fetchone()
        assert (reason, bytes(raw), index, fname, batch_id) == (
            "bad thing",
            b"\x00raw",
            3,
            "f.json",
            result.batch_id,
        )
    again = land_batch("t1", "shopify", "s1", items, file_name="f.json")
    assert (again.landed, again.duplicate, again.rejected) == (0, 3, 1)
    assert count(clean_db, "select count(*) from raw.shopify_orders") == 2
    assert count(clean_db, "select count(*) from raw.rejects") == 1
    changed = land_batch("t1", "shopify", "s1", [rec("1", {"id": 1, "financial_status": "paid"})])
    assert (changed.landed, changed.duplicate) == (1, 0)
    assert count(clean_db, "select count(*) from raw.shopify_orders where natural_key = '1'") == 2
    # the same records in another store (or tenant) are that store's own
    other = land_batch("t1", "shopify", "s2", items[:2])
    assert other.landed == 2
    seqs = [r.commit_seq for r in (result, again, changed, other)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    add_up(clean_db)


def test_duplicates_across_chunks_of_one_batch(clean_db, monkeypatch):
    monkeypatch.setattr(landing, "CHUNK_BYTES", 300)
    items = [rec(str(i % 7), {"id": i % 7, "pad": "x" * 50}) for i in range(40)]
    result = land_batch("t1", "shopify", "s1", items)
    assert (result.landed, result.duplicate) == (7, 33)
    assert count(clean_db, "select count(*) from raw.shopify_orders") == 7
    add_up(clean_db)


def test_failing_batch_lands_nothing_and_is_marked_failed(clean_db, monkeypatch):
    monkeypatch.setattr(landing, "CHUNK_BYTES", 200)

    def items():
        for i in range(20):
            yield rec(str(i), {"id": i, "pad": "y" * 40})
        raise OSError("disk went away")

    result = land_batch("t1", "shopify", "s1", items(), file_name="broken.json")
    assert result.status == "failed" and "disk went away" in result.error
    assert count(clean_db, "select count(*) from raw.shopify_orders") == 0
    with clean_db.cursor() as cur:
        cur.execute("select status, error, fetched_count, commit_seq from raw.batches")
        status, error, fetched, seq = cur.fetchone()
    assert status == "failed" and "disk went away" in error and fetched == 20 and seq is None
    # an unknown table is a failed batch too, and the next batch is unaffected
    assert land_batch("t1", "shopify", "s1", [rec("1", {}, table="nope")]).status == "failed"
    assert land_batch("t1", "shopify", "s1", [rec("1", {"id": 1})]).status == "committed"


def test_bad_bytes_in_ids_and_names_do_not_fail_the_batch(clean_db):
    """Text that was not UTF-8 (in an id, a file name) is stored escaped; the batch commits."""
    orders = json.loads((FIXTURES / "amazon_get_orders.json").read_bytes())["payload"]["Orders"]
    doc = json.dumps({"payload": {"Orders": [{**orders[0], "AmazonOrderId": "ID"}, orders[1]]}}).encode()
    doc = doc.replace(b'"ID"', b'"405-' + bytes([0xFF]) + b'-1"')
    items = parser_for("amazon").records(io.BytesIO(doc))
    result = land_batch("t1", "amazon", "a1", items, file_name="bad-" + chr(0xDCFF) + ".json")
    assert (result.status, result.landed, result.rejected) == ("committed", 1, 1), result.error
    with clean_db.cursor() as cur:
        cur.execute("select reason, natural_key, raw_bytes, file_name from raw.rejects")
        reason, natural_key, raw, file_name = cur.fetchone()
    assert "`AmazonOrderId` is not a usable id" in reason
    assert natural_key == "405-\\udcff-1" and file_name == "bad-\\udcff.json"
    assert bytes([0xFF]) in bytes(raw)


def test_batches_of_one_store_run_one_after_another(clean_db):
    """Two loads of the same records at once: the store's lock serialises them, so each record
    lands once and the later batch counts it as a duplicate."""
    items = [rec(str(i), {"id": i, "pad": "z" * 100}) for i in range(2000)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: land_batch("t1", "shopify", "s1", items), range(2)))
    assert sorted((r.landed, r.duplicate) for r in results) == [(0, 2000), (2000, 0)]
    assert count(clean_db, "select count(*) from raw.shopify_orders") == 2000
    add_up(clean_db)


def test_stale_running_batch_is_marked_interrupted(clean_db):
    with clean_db.cursor() as cur:
        cur.execute(
            """insert into raw.batches (tenant_id, source, store_id, status, backend_pid)
               values ('t1', 'shopify', 's1', 'running', 2147483000),
                      ('t1', 'shopify', 's1', 'running', pg_backend_pid()),
                      ('t1', 'shopify', 's2', 'running', 2147483000),
                      ('t1', 'shopify', 's2', 'running', pg_backend_pid())
               returning batch_id"""
        )
        dead, alive_without_lock, other_store_dead, other_store_alive = (r[0] for r in cur.fetchall())

    def statuses() -> dict[int, tuple[str, str | None]]:
        with clean_db.cursor() as cur:
            cur.execute("select batch_id, status, error from raw.batches")
            return {r[0]: (r[1], r[2]) for r in cur.fetchall()}

    assert land_batch("t1", "shopify", "s1", [rec("1", {"id": 1})]).status == "committed"
    rows = statuses()
    assert rows[dead][0] == "interrupted" and "interrupted" in rows[dead][1]
    assert rows[alive_without_lock][0] == "interrupted"  # pid alive, but not loading: a reused pid
    assert rows[other_store_dead] == ("running", None)  # another store's batch is not this one's business
    # the sweep (run before every landing-folder pass) catches what no later batch of its store will
    assert sweep_interrupted() == [other_store_dead]
    rows = statuses()
    assert rows[other_store_dead][0] == "interrupted" and rows[other_store_alive] == ("running", None)


def test_store_lock_is_what_pg_locks_shows(pg):
    key = store_lock_key("t1", "shopify", "s1")
    conn = psycopg2.connect(pg)
    try:
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_xact_lock(%s), pg_backend_pid()", (key,))
            pid = cur.fetchone()[1]
            cur.execute(
                """select count(*) from pg_locks where pid = %s and locktype = 'advisory' and granted
                   and classid::bigint = %s and objid::bigint = %s and objsubid = 1""",
                (pid, (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
            )
            assert cur.fetchone()[0] == 1
    finally:
        conn.close()

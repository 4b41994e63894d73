"""``oms import`` and the landing folders, end to end through the real command on the session database.

Covers: landing Shopify and Amazon responses (items before orders), idempotency, bad input of every
kind (good records land, bad ones are kept with a reason, the command exits non-zero), the landing
folder layout, and a batch killed in the middle of its COPY.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil

from ingestion.importer import import_files, ingest_landing_dir

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
OMS = str(ROOT / ".venv" / "bin" / "oms") if (ROOT / ".venv" / "bin" / "oms").exists() else "oms"


def oms(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [OMS, *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )


def rows(conn, sql: str, *args) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def counts(conn) -> dict[str, int]:
    tables = ["raw.shopify_orders", "raw.amazon_orders", "raw.amazon_order_items", "raw.rejects"]
    return {t: rows(conn, f"select count(*) from {t}")[0][0] for t in tables}


def add_up(conn) -> None:
    """The accounting identity for every committed batch, and its rows are there."""
    for batch_id, fetched, landed, duplicate, rejected, found in rows(
        conn,
        """select b.batch_id, b.fetched_count, b.landed_count, b.duplicate_count, b.rejected_count,
                  (select count(*) from raw.shopify_orders r where r.batch_id = b.batch_id)
                + (select count(*) from raw.amazon_orders r where r.batch_id = b.batch_id)
                + (select count(*) from raw.amazon_order_items r where r.batch_id = b.batch_id)
           from raw.batches b where b.status = 'committed'""",
    ):
        assert fetched == landed + duplicate + rejected, batch_id
        assert found == landed, batch_id


def test_import_shopify_and_amazon_items_before_orders(clean_db):
    shop = oms(
        "import", "--source", "shopify", "--store", "shopify-x", str(FIXTURES / "shopify_orders_page.json")
    )
    assert shop.returncode == 0, shop.stdout + shop.stderr
    assert "store shopify-x registered for tenant demo" in shop.stdout
    amazon = oms(
        "import",
        "--source",
        "amazon",
        "--store",
        "amazon-sa",
        "--tenant",
        "demo",
        str(FIXTURES / "amazon_get_order_items.json"),
        str(FIXTURES / "amazon_get_orders.json"),
    )
    assert amazon.returncode == 0, amazon.stdout + amazon.stderr
    assert counts(clean_db) == {
        "raw.shopify_orders": 3,
        "raw.amazon_orders": 2,
        "raw.amazon_order_items": 3,
        "raw.rejects": 0,
    }
    assert rows(clean_db, "select tenant_id, store_id, channel from app.stores order by store_id") == [
        ("demo", "amazon-sa", "amazon"),
        ("demo", "shopify-x", "shopify"),
    ]
    items = rows(
        clean_db,
        """select natural_key, parent_key, payload->>'IsGift', payload->'ItemPrice'->>'Amount',
                  source, store_id
             from raw.amazon_order_items order by natural_key""",
    )
    assert items[0] == (
        "405-1845936-5435065/68828574383266",
        "405-1845936-5435065",
        "false",
        "238.00",
        "amazon",
        "amazon-sa",
    )
    (order,) = rows(
        clean_db,
        "select payload->>'total_price', payload->'shipping_address'->>'city' from raw.shopify_orders "
        "where natural_key = '5801374482619'",
    )
    assert order == ("409.94", "الرياض")
    assert [r[0] for r in rows(clean_db, "select file_name from raw.batches order by commit_seq")] == [
        "shopify_orders_page.json",
        "amazon_get_order_items.json",
        "amazon_get_orders.json",
    ]
    add_up(clean_db)


def write_bad_files(tmp_path: Path) -> dict[str, Path]:
    orders = json.loads((FIXTURES / "shopify_orders_page.json").read_bytes())["orders"]
    page = json.dumps({"orders": orders}, ensure_ascii=False, indent=1).encode()
    files = {
        # cut inside the third order: the first two land
        "truncated": page[: page.index(b"5801374548155") + 30],
        "wrong_shape": b'"orders"',
        # the second order's note in Windows-1256 (not UTF-8)
        "not_utf8": json.dumps({"orders": [orders[0], {**orders[1], "note": "NOTE"}]})
        .encode()
        .replace(b"NOTE", "شكرا".encode("cp1256")),
        "missing_id": json.dumps([{k: v for k, v in orders[2].items() if k != "id"}, orders[1]]).encode(),
        "id_wrong_type": json.dumps({"orders": [{**orders[0], "id": "5801374482619"}]}).encode(),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_bytes(data)
    return paths


def test_bad_files_land_good_records_keep_bad_ones_and_exit_nonzero(clean_db, tmp_path):
    paths = write_bad_files(tmp_path)
    result = oms("import", "--source", "shopify", "--store", "shopify-x", *map(str, paths.values()))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    for reason in [
        "truncated JSON at byte",
        "expected a Shopify order object or list, got string",
        "not UTF-8: invalid byte 0x",
        "Shopify order without `id`",
        "Shopify order `id` must be an integer, got string",
    ]:
        assert reason in out, (reason, out)
    rejected = rows(
        clean_db, "select file_name, record_index, natural_key, reason, raw_bytes from raw.rejects"
    )
    by_file = {r[0]: r for r in rejected}
    assert sorted(by_file) == sorted(p.name for p in paths.values()) and len(rejected) == 5
    truncated = by_file["truncated.json"]
    assert truncated[1] == 2 and truncated[3].startswith(
        f"truncated JSON at byte {paths['truncated'].stat().st_size}"
    )
    assert paths["truncated"].read_bytes().endswith(bytes(truncated[4]))
    bad_text = by_file["not_utf8.json"]
    assert bad_text[1] == 1 and bad_text[2] == "5801374515387"
    offset = paths["not_utf8"].read_bytes().index("شكرا".encode("cp1256"))
    assert bad_text[3] == f"not UTF-8: invalid byte 0x{'شكرا'.encode('cp1256')[0]:02x} at offset {offset}"
    assert "شكرا".encode("cp1256") in bytes(bad_text[4])
    assert bytes(by_file["wrong_shape.json"][4]) == b'"orders"'
    assert by_file["id_wrong_type.json"][2] == "5801374482619"
    landed = {r[0] for r in rows(clean_db, "select natural_key from raw.shopify_orders")}
    assert landed == {"5801374482619", "5801374515387"}
    add_up(clean_db)

    # the same files again: nothing changes, every record is a duplicate or a (known) reject
    before = counts(clean_db)
    again = oms("import", "--source", "shopify", "--store", "shopify-x", *map(str, paths.values()))
    assert again.returncode == 1
    assert counts(clean_db) == before
    last = rows(
        clean_db,
        "select sum(landed_count), sum(rejected_count) from raw.batches where batch_id > %s",
        max(r[0] for r in rows(clean_db, "select batch_id from raw.batches")) - len(paths),
    )
    assert last == [(0, 5)]
    add_up(clean_db)


def test_import_twice_is_idempotent_and_a_changed_order_is_a_new_version(clean_db, tmp_path):
    files = [str(FIXTURES / "amazon_get_orders.json"), str(FIXTURES / "amazon_get_order_items.json")]
    assert oms("import", "--source", "amazon", "--store", "amazon-sa", *files).returncode == 0
    before = counts(clean_db)
    second = oms("import", "--source", "amazon", "--store", "amazon-sa", *files)
    assert second.returncode == 0
    assert counts(clean_db) == before
    assert rows(
        clean_db,
        "select fetched_count, landed_count, duplicate_count from raw.batches order by batch_id desc limit 2",
    ) == [(3, 0, 3), (2, 0, 2)]
    # the same orders re-delivered with other whitespace and key order: still duplicates
    doc = json.loads(Path(files[0]).read_bytes())
    doc["payload"]["Orders"] = [dict(reversed(list(o.items()))) for o in doc["payload"]["Orders"]]
    shuffled = tmp_path / "shuffled.json"
    shuffled.write_text(json.dumps(doc, indent=3, ensure_ascii=False))
    assert oms("import", "--source", "amazon", "--store", "amazon-sa", str(shuffled)).returncode == 0
    assert counts(clean_db) == before
    # a status change is a new version of the order
    doc["payload"]["Orders"][0]["OrderStatus"] = "Shipped"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(doc))
    assert oms("import", "--source", "amazon", "--store", "amazon-sa", str(changed)).returncode == 0
    versions = rows(
        clean_db,
        "select payload->>'OrderStatus' from raw.amazon_orders where natural_key = '405-1845936-5435065' "
        "order by raw_id",
    )
    assert versions == [("Unshipped",), ("Shipped",)]
    add_up(clean_db)


def test_wrong_channel_or_unknown_source_fails_without_landing(clean_db):
    assert (
        oms(
            "import", "--source", "shopify", "--store", "s1", str(FIXTURES / "shopify_orders_page.json")
        ).returncode
        == 0
    )
    wrong = oms("import", "--source", "amazon", "--store", "s1", str(FIXTURES / "amazon_get_orders.json"))
    assert wrong.returncode == 1 and "is a shopify store, not amazon" in wrong.stdout
    unknown = oms("import", "--source", "ebay", "--store", "s2", str(FIXTURES / "amazon_get_orders.json"))
    assert unknown.returncode == 1 and "unknown source 'ebay'" in unknown.stdout
    missing = oms("import", "--source", "shopify", "--store", "s1", "/nonexistent/orders.json")
    assert missing.returncode == 1 and "No such file" in missing.stdout
    assert counts(clean_db)["raw.amazon_orders"] == 0


def test_landing_folders_register_stores_and_move_landed_files(clean_db, tmp_path):
    root = tmp_path / "landing"
    tenant = root / "acme"
    (tenant / "shopify" / "shop-ksa").mkdir(parents=True)
    (tenant / "amazon" / "amz-sa").mkdir(parents=True)
    (tenant / "tenant.json").write_text(
        json.dumps({"tenant_id": "acme", "name": "Acme Trading", "reporting_currency": "SAR"})
    )
    (tenant / "stores.json").write_text(
        json.dumps(
            [
                {
                    "store_id": "shop-ksa",
                    "channel": "shopify",
                    "name": "Acme KSA",
                    "marketplace": "acme.myshopify.com",
                    "timezone": "Asia/Riyadh",
                    "currency": "SAR",
                },
                {
                    "store_id": "amz-sa",
                    "channel": "amazon",
                    "name": "Acme Amazon SA",
                    "marketplace": "A17E79C6D8DWNP",
                    "timezone": "Asia/Riyadh",
                    "currency": "SAR",
                },
            ]
        )
    )
    shop_file = tenant / "shopify" / "shop-ksa" / "page-0001.json"
    shop_file.write_bytes((FIXTURES / "shopify_orders_page.json").read_bytes())
    items = tenant / "amazon" / "amz-sa" / "a-items.json"
    items.write_bytes((FIXTURES / "amazon_get_order_items.json").read_bytes())
    orders = tenant / "amazon" / "amz-sa" / "b-orders.json"
    orders.write_bytes((FIXTURES / "amazon_get_orders.json").read_bytes())
    in_progress = tenant / "amazon" / "amz-sa" / "c-orders.json.part"
    in_progress.write_text("{")
    messages: list[str] = []
    # registered by `oms import` first, with placeholders: the folder's files fill them in
    assert import_files("shopify", "shop-ksa", "acme", [], echo=messages.append) == []
    assert messages == ["tenant acme registered", "store shop-ksa registered for tenant acme"]

    amazon = ingest_landing_dir(root, echo=messages.append, source="amazon")
    assert [(r.file_name, r.status, r.landed) for r in amazon] == [
        ("a-items.json", "committed", 3),
        ("b-orders.json", "committed", 2),
    ]
    assert shop_file.exists()
    results = ingest_landing_dir(root, echo=messages.append)
    assert [(r.file_name, r.status, r.landed) for r in results] == [("page-0001.json", "committed", 3)]
    assert "store shop-ksa registered for tenant acme" in messages
    assert rows(clean_db, "select name, reporting_currency from app.tenants") == [("Acme Trading", "SAR")]
    assert rows(
        clean_db,
        "select store_id, channel, name, marketplace, timezone, currency from app.stores order by store_id",
    ) == [
        ("amz-sa", "amazon", "Acme Amazon SA", "A17E79C6D8DWNP", "Asia/Riyadh", "SAR"),
        ("shop-ksa", "shopify", "Acme KSA", "acme.myshopify.com", "Asia/Riyadh", "SAR"),
    ]
    assert not shop_file.exists() and (shop_file.parent / "_done" / shop_file.name).exists()
    assert (items.parent / "_done" / "b-orders.json").exists() and in_progress.exists()
    assert ingest_landing_dir(root, echo=messages.append) == []  # nothing left to land
    add_up(clean_db)


def test_demo_data_lands_with_the_ledger_the_generator_expects(clean_db, tmp_path):
    from ingestion.demo import generate

    summary = generate(tmp_path / "landing", "demo", 600, 11)
    results = ingest_landing_dir(tmp_path / "landing", echo=lambda message: None)
    assert results and all(r.status == "committed" for r in results)
    expected = summary.expected["ledger"]
    for key in ("fetched", "landed", "duplicate", "rejected"):
        assert sum(getattr(r, key) for r in results) == sum(t[key] for t in expected.values()), key
    for table, want in expected.items():
        assert rows(clean_db, f"select count(*) from raw.{table}") == [(want["landed"],)], table
    assert counts(clean_db)["raw.rejects"] == sum(t["rejected"] for t in expected.values())
    assert not list((tmp_path / "landing" / "demo" / "shopify" / "shopify-ksa").glob("*.json"))
    add_up(clean_db)


def big_shopify_file(path: Path, n: int) -> None:
    template = json.loads((FIXTURES / "shopify_orders_page.json").read_bytes())["orders"][0]
    with path.open("w") as f:
        f.write('{"orders": [\n')
        for i in range(n):
            f.write(json.dumps({**template, "id": 10_000_000 + i, "name": f"#{i}"}, ensure_ascii=False))
            f.write(",\n" if i < n - 1 else "\n")
        f.write("]}\n")


def test_killed_import_leaves_nothing_and_rerun_lands_everything_once(clean_db, tmp_path):
    n = 20_000  # ~50 MB: many COPYs, so the kill lands mid-batch
    big = tmp_path / "big.json"
    big_shopify_file(big, n)
    args = [OMS, "import", "--source", "shopify", "--store", "shopify-big", str(big)]
    env = {**os.environ, "OMS_LANDING_CHUNK_BYTES": str(1 << 20)}  # many COPYs in the one transaction
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        batch = None
        deadline = time.monotonic() + 120
        while batch is None and time.monotonic() < deadline and proc.poll() is None:
            found = rows(
                clean_db,
                """select b.batch_id, b.backend_pid, p.tuples_processed
                     from raw.batches b join pg_stat_progress_copy p on p.pid = b.backend_pid
                    where b.status = 'running' and b.file_name = 'big.json' and p.tuples_processed > 0""",
            )
            if found:
                batch = found[0]
            else:
                time.sleep(0.005)
        assert batch is not None, "never saw the batch copying rows"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    batch_id, backend_pid, _ = batch
    deadline = time.monotonic() + 30
    while rows(clean_db, "select 1 from pg_stat_activity where pid = %s", backend_pid):
        assert time.monotonic() < deadline, "the killed batch's backend lives on"
        time.sleep(0.05)
    assert rows(clean_db, "select count(*) from raw.shopify_orders where batch_id = %s", batch_id) == [(0,)]
    assert rows(clean_db, "select status from raw.batches where batch_id = %s", batch_id) == [("running",)]

    rerun = subprocess.run(args, capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert rows(clean_db, "select count(*), count(distinct natural_key) from raw.shopify_orders") == [(n, n)]
    status, error = rows(clean_db, "select status, error from raw.batches where batch_id = %s", batch_id)[0]
    assert status == "interrupted" and "interrupted" in error
    assert not psutil.pid_exists(proc.pid) or psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE
    add_up(clean_db)

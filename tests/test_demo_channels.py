"""Demo data for every channel lands with exactly the ledger the generator expects."""

from __future__ import annotations

from collections import defaultdict

from ingestion.demo import ALL_CHANNELS, generate
from ingestion.importer import ingest_landing_dir


def test_every_channels_demo_data_lands_as_expected(clean_db, tmp_path):
    summary = generate(tmp_path, "allchan", 400, 5, ALL_CHANNELS)
    assert {s.channel for s in summary.stores.values()} == set(ALL_CHANNELS)
    results = ingest_landing_dir(tmp_path)
    assert results and all(r.status == "committed" for r in results), [r.error for r in results if r.error]

    got: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in results:
        for key in ("fetched", "landed", "duplicate", "rejected"):
            got[r.source][key] += getattr(r, key)
    expected: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for table, counts in summary.ledger().items():
        channel = table.split("_order")[0]
        for key, value in counts.items():
            expected[channel][key] += value
    assert {k: dict(v) for k, v in got.items()} == {k: dict(v) for k, v in expected.items()}

    with clean_db.cursor() as cur:
        cur.execute("select channel, count(*) from app.stores where tenant_id = 'allchan' group by 1")
        assert dict(cur.fetchall()) == {
            c: (3 if c == "shopify" else 2 if c == "amazon" else 1) for c in ALL_CHANNELS
        }

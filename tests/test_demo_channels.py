"""Demo data for every channel lands with exactly the ledger the generator expects."""

from __future__ import annotations

from collections import defaultdict

from ingestion.demo import ALL_CHANNELS, generate, load_demo_catalog
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


def test_all_channels_side_by_side_in_fct_orders(clean_db, tmp_path, monkeypatch):
    """Issue 3: fct_orders shows every channel with consistent money, times, statuses and buyers."""
    from orchestration.pipeline import run_once

    landing = tmp_path / "landing"
    monkeypatch.setenv("OMS_LANDING_DIR", str(landing))
    summary = generate(landing, "sidebyside", 600, 9, ALL_CHANNELS)
    load_demo_catalog(landing, "sidebyside")
    assert run_once(trigger="test", full_refresh=True) == 0

    with clean_db.cursor() as cur:
        cur.execute(
            """select o.channel,
                      count(*),
                      count(*) filter (
                          where o.status not in (select status from reference.canonical_statuses)
                      ),
                      count(*) filter (where o.currency !~ '^[A-Z]{3}$'),
                      count(*) filter (where o.total_amount < 0),
                      count(*) filter (where o.ordered_at is null),
                      count(*) filter (where o.buyer_key is null and not o.is_pii_masked),
                      pg_typeof(min(o.total_amount))::text,
                      pg_typeof(min(o.ordered_at))::text
               from marts.fct_orders o
               where o.tenant_id = 'sidebyside'
               group by o.channel"""
        )
        rows = {r[0]: r[1:] for r in cur.fetchall()}
    assert set(rows) == set(ALL_CHANNELS)
    for channel, (n, bad_status, bad_currency, negative, no_time, no_buyer, money_t, time_t) in rows.items():
        expected_orders = sum(s.orders for s in summary.stores.values() if s.channel == channel)
        assert n == expected_orders, channel
        assert (bad_status, bad_currency, negative, no_time) == (0, 0, 0, 0), channel
        assert no_buyer == 0, channel
        assert (money_t, time_t) == ("numeric", "timestamp with time zone")

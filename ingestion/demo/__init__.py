"""Deterministic demo data: native Shopify and Amazon API responses for a cross-border seller.

``generate(out_dir, tenant_id, orders, seed)`` writes the landing layout
``<out>/<tenant>/{tenant.json, stores.json, shopify/<store>/*.json, amazon/<store>/*.json}`` plus
``<out>/<tenant>/demo_summary.json``. Same arguments, same bytes: every random draw comes from a
seed derived from (tenant, seed, store, order), and the clock is an anchor date derived from the
seed. It streams: each store is written window by window, and memory holds only the pending stage
events of a few days of orders.

Regenerating replaces the tenant's not-yet-landed demo files (``*.json`` directly in the store
folders); files already landed (in ``_done/``) are left alone.
"""

from __future__ import annotations

from pathlib import Path
from random import Random

import orjson

from ingestion.demo import amazon, shopify
from ingestion.demo.common import STORES, allocate, anchor_for_seed, iso_utc, stable_key
from ingestion.demo.context import StoreContext
from ingestion.demo.summary import DemoSummary, StoreStats
from ingestion.demo.timeline import Plan, windows
from ingestion.demo.writer import Rec, StoreWriter

__all__ = ["DemoSummary", "StoreStats", "generate"]

#: Below this many orders the anomalies are left to chance; from here on each kind is planted.
FORCE_ANOMALIES_FROM = 200


def generate(out_dir: Path, tenant_id: str, orders: int, seed: int) -> DemoSummary:
    """Write ``orders`` orders of demo data for ``tenant_id`` under ``out_dir``; return the counts."""
    if orders < 0:
        raise ValueError("orders must be >= 0")
    if not tenant_id or "/" in tenant_id or tenant_id.startswith("."):
        raise ValueError(f"not a usable tenant id: {tenant_id!r}")
    out_dir = Path(out_dir)
    root = out_dir / tenant_id
    root.mkdir(parents=True, exist_ok=True)
    tenant_name = f"{tenant_id.replace('-', ' ').replace('_', ' ').title()} Trading"
    anchor = anchor_for_seed(seed)

    (root / "tenant.json").write_bytes(
        orjson.dumps(
            {"tenant_id": tenant_id, "name": tenant_name, "reporting_currency": "USD"},
            option=orjson.OPT_INDENT_2,
        )
    )
    (root / "stores.json").write_bytes(
        orjson.dumps([s.record(tenant_id, tenant_name) for s in STORES], option=orjson.OPT_INDENT_2)
    )

    counts = allocate(orders, [s.share for s in STORES])
    first_of_channel: set[str] = set()
    stats: dict[str, StoreStats] = {}
    for store_no, (spec, n) in enumerate(zip(STORES, counts, strict=True)):
        forced = orders >= FORCE_ANOMALIES_FROM and spec.channel not in first_of_channel
        first_of_channel.add(spec.channel)
        ctx = StoreContext(spec, store_no, tenant_id, seed, n, anchor, forced)
        folder = root / spec.channel / spec.store_id
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
        stats[spec.store_id] = _write_store(ctx, folder)

    summary = DemoSummary(
        out_dir=out_dir,
        tenant_id=tenant_id,
        orders=orders,
        seed=seed,
        anchor=iso_utc(anchor),
        first_order_at=iso_utc(anchor - 60 * 86_400),
        stores=stats,
    )
    (root / "demo_summary.json").write_bytes(orjson.dumps(summary.expected, option=orjson.OPT_INDENT_2))
    return summary


def _write_store(ctx: StoreContext, folder: Path) -> StoreStats:
    spec = ctx.spec
    stats = StoreStats(store_id=spec.store_id, channel=spec.channel)
    writer = StoreWriter(
        ctx, folder, stats, Random(stable_key(ctx.tenant_id, ctx.seed, spec.store_id, "pages"))
    )
    if spec.channel == "shopify":
        orders = shopify.ShopifyOrders(ctx)
        plan_stats = shopify.plan_stats

        def render(idx: int, stage: str) -> Rec:
            obj = orders.render(idx, stage)
            return Rec(orjson.dumps(obj), str(obj["id"]))
    else:
        orders = amazon.AmazonOrders(ctx)
        plan_stats = amazon.plan_stats

        def render(idx: int, stage: str) -> Rec:
            obj, items, n_items, items_new = orders.render(idx, stage)
            return Rec(orjson.dumps(obj), obj["AmazonOrderId"], orjson.dumps(items), n_items, items_new)

    def plan_of(idx: int) -> Plan:
        p = orders.plan(idx)
        stats.orders += 1
        for key, value in plan_stats(p).items():
            setattr(stats, key, getattr(stats, key) + value)
        return p

    for window_end, events in windows(ctx.n, ctx.start, ctx.anchor, ctx.window_s, plan_of):
        writer.window(window_end, [render(idx, stage) for _t, idx, stage in events])
    writer.finish()
    return stats

"""Deterministic demo data: native API responses of every sales channel for a cross-border seller.

``channels`` picks the channels: ``CORE_CHANNELS`` (Shopify and Amazon, the default, whose counts
the foundation's tests check record by record) or ``ALL_CHANNELS`` (what ``make up`` and
``oms demo-data`` write: also Shopee, Lazada, TikTok Shop, WooCommerce and Salla, each with
``EXTRA_SHARE`` of the orders on top of the core stores' share).

``generate(out_dir, tenant_id, orders, seed)`` writes the landing layout
``<out>/<tenant>/{tenant.json, stores.json, shopify/<store>/*.json, amazon/<store>/*.json}`` plus
``<out>/<tenant>/demo_summary.json``, and the seller's catalogue and SKU mappings in
``<out>/<tenant>/catalog/`` (``ingestion.demo.catalog``; ``load_demo_catalog(out_dir, tenant)``
imports them: the landing importer reads only channel folders). Same arguments, same bytes:
every random draw comes from a seed derived from (tenant, seed, store, order), and the clock is an
anchor date derived from the seed. It streams: each store is written window by window, and memory
holds only the pending stage events of a few days of orders.

Regenerating replaces the tenant's not-yet-landed demo files (``*.json`` directly in the store
folders); files already landed (in ``_done/``) are left alone.
"""

from __future__ import annotations

from pathlib import Path
from random import Random

import orjson

from ingestion.demo import amazon, lazada, salla, shopee, shopify, tiktok, woocommerce
from ingestion.demo.catalog import load_demo_catalog, write_catalog
from ingestion.demo.common import STORES, allocate, anchor_for_seed, iso_utc, stable_key
from ingestion.demo.context import StoreContext
from ingestion.demo.summary import DemoSummary, StoreStats
from ingestion.demo.timeline import Plan, windows
from ingestion.demo.writer import Rec, StoreWriter

__all__ = ["ALL_CHANNELS", "CORE_CHANNELS", "DemoSummary", "StoreStats", "generate", "load_demo_catalog"]

CORE_CHANNELS: tuple[str, ...] = ("shopify", "amazon")
#: Channels whose demo writer runs on the shared StoreContext/StoreWriter machinery.
_SPEC_CHANNELS = {"tiktok": tiktok, "woocommerce": woocommerce}
#: Channels with a self-contained writer: write_store(...) plus store_record(...).
_OWN_CHANNELS = {"shopee": shopee, "lazada": lazada, "salla": salla}
ALL_CHANNELS: tuple[str, ...] = (*CORE_CHANNELS, *_SPEC_CHANNELS, *_OWN_CHANNELS)
#: Share of ``orders`` each non-core channel gets (the core stores share the rest).
EXTRA_SHARE = 0.06

#: Below this many orders the anomalies are left to chance; from here on each kind is planted.
FORCE_ANOMALIES_FROM = 200


def generate(
    out_dir: Path, tenant_id: str, orders: int, seed: int, channels: tuple[str, ...] = CORE_CHANNELS
) -> DemoSummary:
    """Write ``orders`` orders of demo data for ``tenant_id`` under ``out_dir``; return the counts."""
    unknown = set(channels) - set(ALL_CHANNELS)
    if unknown:
        raise ValueError(f"unknown demo channels: {sorted(unknown)}; known: {', '.join(ALL_CHANNELS)}")
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
    extras = [c for c in channels if c not in CORE_CHANNELS]
    extra_orders = dict(
        zip(extras, allocate(round(orders * EXTRA_SHARE * len(extras)), [1.0] * len(extras)), strict=True)
    )
    core_orders = orders - sum(extra_orders.values())
    specs = [s for s in STORES if s.channel in channels] + [
        _SPEC_CHANNELS[c].SPEC for c in extras if c in _SPEC_CHANNELS
    ]
    records = [s.record(tenant_id, tenant_name) for s in specs] + [
        _OWN_CHANNELS[c].store_record(tenant_id, tenant_name) for c in extras if c in _OWN_CHANNELS
    ]
    (root / "stores.json").write_bytes(orjson.dumps(records, option=orjson.OPT_INDENT_2))
    write_catalog(root, tuple(channels))

    core_specs = [s for s in specs if s.channel in CORE_CHANNELS]
    counts = allocate(core_orders, [s.share for s in core_specs]) + [
        extra_orders[s.channel] for s in specs if s.channel not in CORE_CHANNELS
    ]
    first_of_channel: set[str] = set()
    stats: dict[str, StoreStats] = {}
    for store_no, (spec, n) in enumerate(zip(specs, counts, strict=True)):
        forced = orders >= FORCE_ANOMALIES_FROM and spec.channel not in first_of_channel
        first_of_channel.add(spec.channel)
        ctx = StoreContext(spec, store_no, tenant_id, seed, n, anchor, forced)
        folder = root / spec.channel / spec.store_id
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
        if spec.channel in _SPEC_CHANNELS:
            stats[spec.store_id] = _SPEC_CHANNELS[spec.channel].write_store(ctx, folder)
        else:
            stats[spec.store_id] = _write_store(ctx, folder)
    for channel in extras:
        if channel in _OWN_CHANNELS:
            module = _OWN_CHANNELS[channel]
            stats[module.STORE_ID] = _own_store_stats(
                channel, module, out_dir, root, tenant_id, extra_orders[channel], seed, anchor
            )

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


def _own_store_stats(
    channel: str, module, out_dir: Path, root: Path, tenant_id: str, n: int, seed: int, anchor: int
) -> StoreStats:
    """Run a self-contained channel writer and express what it wrote as StoreStats (for the ledger)."""
    st = StoreStats(store_id=module.STORE_ID, channel=channel)
    if channel == "salla":
        w = module.write_store(root, tenant_id, n, seed, anchor)
        st.files, st.orders, st.order_versions, st.cod_orders = (
            w.files,
            w.orders,
            w.order_versions,
            w.cod_orders,
        )
        st.duplicate_deliveries = w.retries
        st.malformed_records["not_an_order"] = w.non_order_events
        return st
    w = module.write_store(out_dir, tenant_id, n, seed, anchor)
    st.files, st.orders, st.order_versions, st.cod_orders = (
        w["files"],
        w["orders"],
        w["order_versions"],
        w["cod_orders"],
    )
    st.malformed_records["invalid_record"] = w["planted_rejects"]
    if "item_versions" in w:
        st.item_records = st.item_versions = w["item_versions"]
    return st

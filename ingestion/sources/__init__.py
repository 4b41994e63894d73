"""Channel parsers, by source name (the ``--source`` of ``oms import``, the landing folders and the
connectors, which land API responses through the same parsers).

Parsers are named here as ``module:Class`` and imported on first use, so adding a channel is one line.
"""

from __future__ import annotations

from importlib import import_module

from ingestion.sources.base import SourceParser

PARSERS: dict[str, str] = {
    "shopify": "ingestion.sources.shopify:ShopifyParser",
    "amazon": "ingestion.sources.amazon:AmazonParser",
    "shopee": "ingestion.sources.shopee:ShopeeParser",
    "lazada": "ingestion.sources.lazada:LazadaParser",
    "tiktok": "ingestion.sources.tiktok:TikTokParser",
    "woocommerce": "ingestion.sources.woocommerce:WooCommerceParser",
    "salla": "ingestion.sources.salla:SallaParser",
}


class UnknownSource(ValueError):
    pass


def parser_class(source: str) -> type[SourceParser]:
    try:
        module, _, name = PARSERS[source].partition(":")
    except KeyError:
        raise UnknownSource(f"unknown source {source!r}; known: {', '.join(sorted(PARSERS))}") from None
    return getattr(import_module(module), name)


def parser_for(source: str) -> SourceParser:
    """A fresh parser (parsers keep per-file state: one per file)."""
    return parser_class(source)()


def known_sources() -> list[str]:
    return sorted(PARSERS)


__all__ = ["PARSERS", "SourceParser", "UnknownSource", "known_sources", "parser_class", "parser_for"]

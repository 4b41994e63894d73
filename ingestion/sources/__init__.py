"""Channel parsers, by source name (the ``--source`` of ``oms import`` and the landing folders)."""

from __future__ import annotations

from ingestion.sources.amazon import AmazonParser
from ingestion.sources.base import SourceParser
from ingestion.sources.shopify import ShopifyParser

PARSERS: dict[str, type[SourceParser]] = {
    ShopifyParser.source: ShopifyParser,
    AmazonParser.source: AmazonParser,
}


class UnknownSource(ValueError):
    pass


def parser_for(source: str) -> SourceParser:
    """A fresh parser (parsers keep per-file state: one per file)."""
    try:
        return PARSERS[source]()
    except KeyError:
        raise UnknownSource(f"unknown source {source!r}; known: {', '.join(sorted(PARSERS))}") from None


def known_sources() -> list[str]:
    return sorted(PARSERS)


__all__ = ["PARSERS", "SourceParser", "UnknownSource", "known_sources", "parser_for"]

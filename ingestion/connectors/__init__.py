"""API connectors, by channel: each downloads a store's orders incrementally and hands the raw
responses to ``run_download`` (in ``ingestion.connectors.run``), which lands them through the
channel's parser, one batch per page.

Connectors are named here as ``module:Class`` and imported on first use (like the parser
registry), so adding a channel is one line.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ingestion.connectors.base import (
    ApiError,
    AuthError,
    Connector,
    ConnectorError,
    HttpClient,
    MissingCredential,
    Page,
    StoreConfig,
)

if TYPE_CHECKING:
    from ingestion.connectors.run import DownloadResult, run_download, run_downloads  # noqa: F401

CONNECTORS: dict[str, str] = {
    "shopify": "ingestion.connectors.shopify:ShopifyConnector",
    "amazon": "ingestion.connectors.amazon:AmazonConnector",
    "shopee": "ingestion.connectors.shopee:ShopeeConnector",
    "lazada": "ingestion.connectors.lazada:LazadaConnector",
    "tiktok": "ingestion.connectors.tiktok:TikTokConnector",
    "woocommerce": "ingestion.connectors.woocommerce:WooCommerceConnector",
}


class UnknownChannel(ValueError):
    pass


def connector_class(channel: str) -> type[Connector]:
    try:
        module, _, name = CONNECTORS[channel].partition(":")
    except KeyError:
        raise UnknownChannel(
            f"no API connector for channel {channel!r}; known: {', '.join(sorted(CONNECTORS))}"
        ) from None
    return getattr(import_module(module), name)


def connector_for(store: StoreConfig, **kwargs: Any) -> Connector:
    """A connector for the store (kwargs: ``http``, ``now``)."""
    return connector_class(store.channel)(store, **kwargs)


def known_channels() -> list[str]:
    return sorted(CONNECTORS)


def __getattr__(name: str) -> Any:
    # run_download lives in run.py, which imports ingestion.stores (which validates channels against
    # CONNECTORS): imported lazily to keep the import graph acyclic.
    if name in ("run_download", "run_downloads", "DownloadResult"):
        return getattr(import_module("ingestion.connectors.run"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CONNECTORS",
    "ApiError",
    "AuthError",
    "Connector",
    "ConnectorError",
    "DownloadResult",
    "HttpClient",
    "MissingCredential",
    "Page",
    "StoreConfig",
    "UnknownChannel",
    "connector_class",
    "connector_for",
    "known_channels",
    "run_download",
    "run_downloads",
]

"""Connector stage: read articles from archives and feeds, produce them to ``articles``.

The face is ``Source`` and ``Item`` (what a connector is), ``pump`` (any source into a
writer) and ``ArticleWriter`` (the topic side). The writer is imported on first use, so
reading a feeds file or parsing ``--since`` does not load the Kafka client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Bound here, not on first use: the name ``pump`` is also the submodule's.
from borderwatch.connectors.base import Item, Source
from borderwatch.connectors.pump import PumpCounts, pump

if TYPE_CHECKING:
    from borderwatch.connectors.producer import ArticleWriter

__all__ = ["ArticleWriter", "Item", "PumpCounts", "Source", "pump"]


def __getattr__(name: str) -> Any:
    if name == "ArticleWriter":
        from borderwatch.connectors.producer import ArticleWriter

        return ArticleWriter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Stream stage: enrich articles with spaCy, match YAML rules, emit alerts.

The face is ``Detector``, ``checked_detector`` (the one way to get a detector from settings)
and ``build_alerts``. They are imported on first use: the rule schema, the lexicon or the
scoring helpers must not pay for loading spaCy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from borderwatch.streams.detect import Detector, build_alerts
    from borderwatch.streams.examples import checked_detector

__all__ = ["Detector", "build_alerts", "checked_detector"]
_HOME = {
    "Detector": "borderwatch.streams.detect",
    "build_alerts": "borderwatch.streams.detect",
    "checked_detector": "borderwatch.streams.examples",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOME[name]), name)

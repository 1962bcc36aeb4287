"""Sentence-scoped reading against the whole article: every difference in alerts, facts or
evidence, for the same-alerts test and ``bench.same_alerts``."""

from __future__ import annotations

import json
from collections.abc import Sequence

from borderwatch.core.models import Alert, Article
from borderwatch.streams.detect import Detector


def _shown(alerts: list[Alert]) -> list[str]:
    return [json.dumps(a.model_dump(mode="json", exclude={"created"}), sort_keys=True)
            for a in alerts]  # fmt: skip


def differences(detector: Detector, articles: Sequence[Article]) -> list[str]:
    """One line per article whose alerts differ between scoped and whole-article reading,
    with both sides."""
    items = list(articles)
    on = detector.alerts_many(items, scoped=True)
    off = detector.alerts_many(items, scoped=False)
    out = []
    for article, a, b in zip(items, on, off, strict=True):
        if _shown(a) != _shown(b):
            out.append(f"{article.id}:\n  scoped: {_shown(a)}\n  whole:  {_shown(b)}")
    return out

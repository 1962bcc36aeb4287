"""Honest figures: scores per fold of whole event clusters, precision per confidence band.

Several reports of one episode (eight wire stories on one week at one border) share words,
places and tolls, so a rule tuned on one of them looks good on the others. Folds keep every
``event_cluster`` whole: a fold's figure is then about episodes the other folds never saw,
and the spread between folds shows how much a whole-set figure owes to a few episodes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from borderwatch.core.models import BANDS, Alert


class Labelled(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def labels(self) -> set[str]: ...
    @property
    def cluster(self) -> str: ...


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


def _rank(cluster: str) -> str:
    return hashlib.sha256(cluster.encode("utf-8")).hexdigest()


def assign_folds(items: Sequence[Labelled], k: int) -> list[list[Labelled]]:
    """``k`` folds of whole clusters, as even in size as clusters allow, the same every run.

    Clusters go largest first (ties by a hash of their name, not by file order) to the fold
    with fewest items, so no fold is all one episode unless the episode is that large.
    """
    if k < 2:
        raise ValueError("--folds needs at least 2 folds")
    clusters: dict[str, list[Labelled]] = {}
    for item in items:
        clusters.setdefault(item.cluster, []).append(item)
    if k > len(clusters):
        raise ValueError(f"--folds {k}: only {len(clusters)} clusters to split")
    folds: list[list[Labelled]] = [[] for _ in range(k)]
    for name in sorted(clusters, key=lambda c: (-len(clusters[c]), _rank(c))):
        smallest = min(range(k), key=lambda i: (len(folds[i]), i))
        folds[smallest].extend(clusters[name])
    return folds


def score(
    items: Iterable[Labelled], predictions: Mapping[str, Sequence[str]], categories: Sequence[str]
) -> dict[str, Counts]:
    out = {c: Counts() for c in categories}
    for item in items:
        predicted = set(predictions.get(item.id, ()))
        for c in categories:
            counts = out[c]
            if c in predicted and c in item.labels:
                counts.tp += 1
            elif c in predicted:
                counts.fp += 1
            elif c in item.labels:
                counts.fn += 1
            else:
                counts.tn += 1
    return out


@dataclass
class FoldReport:
    folds: list[dict[str, Counts]]
    sizes: list[int]
    clusters: list[int]

    def mean_f1(self, category: str) -> float:
        """Mean over the folds where the category occurs (a fold without it has no F1)."""
        values = [f[category].f1 for f in self.folds if f[category].support or f[category].fp]
        return sum(values) / len(values) if values else 0.0

    def as_dict(self) -> dict[str, Any]:
        categories = list(self.folds[0]) if self.folds else []
        return {
            "k": len(self.folds),
            "sizes": self.sizes,
            "clusters": self.clusters,
            "per_fold": [
                {
                    c: {
                        "f1": round(s.f1, 4),
                        "precision": round(s.precision, 4),
                        "recall": round(s.recall, 4),
                        "support": s.support,
                    }
                    for c, s in f.items()
                }
                for f in self.folds
            ],
            "mean_f1": {c: round(self.mean_f1(c), 4) for c in categories},
        }


def fold_report(
    items: Sequence[Labelled],
    predictions: Mapping[str, Sequence[str]],
    categories: Sequence[str],
    k: int,
) -> FoldReport:
    folds = assign_folds(items, k)
    return FoldReport(
        folds=[score(f, predictions, categories) for f in folds],
        sizes=[len(f) for f in folds],
        clusters=[len({i.cluster for i in f}) for f in folds],
    )


@dataclass
class BandRow:
    alerts: int = 0
    right: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.alerts if self.alerts else 0.0


@dataclass
class Reliability:
    """Does "confirmed" mean right more often than "likely", and "likely" than "unconfirmed"?"""

    bands: dict[str, BandRow] = field(default_factory=lambda: {b: BandRow() for b in BANDS})

    def as_dict(self) -> dict[str, Any]:
        return {
            b: {"alerts": r.alerts, "right": r.right, "precision": round(r.precision, 4)}
            for b, r in self.bands.items()
        }


def reliability(items: Iterable[Labelled], alerts: Iterable[Alert]) -> Reliability:
    labels = {i.id: i.labels for i in items}
    out = Reliability()
    for alert in alerts:
        band = alert.band or "unconfirmed"
        row = out.bands.setdefault(band, BandRow())
        row.alerts += 1
        row.right += alert.category in labels.get(alert.article.id, set())
    return out


def false_alert_rate(
    items: Iterable[Labelled], predictions: Mapping[str, Sequence[str]]
) -> tuple[int, int]:
    """(negatives that raised any alert, negatives): what a feed's bulk costs ops."""
    negatives = [i for i in items if not i.labels]
    return sum(1 for i in negatives if predictions.get(i.id)), len(negatives)

"""Precision and recall of the rules over a labelled corpus, via the same detect code as live."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from borderwatch.core.errors import Codes, Problem
from borderwatch.core.models import RULE_CATEGORIES, Alert, Article
from borderwatch.streams.detect import Detector, build_alerts
from borderwatch.streams.scoring.factscore import FactsScore
from borderwatch.streams.scoring.folds import (
    Counts,
    FoldReport,
    Reliability,
    false_alert_rate,
    fold_report,
    reliability,
)


@dataclass
class LabelledItem:
    id: str
    title: str
    text: str
    labels: set[str]
    gold_facts: dict[str, Any] = field(default_factory=dict)
    published: datetime | None = None
    corpus: str = ""
    language: str | None = None

    @property
    def cluster(self) -> str:
        """The episode the item reports; one without ``event_cluster`` is its own."""
        return str(self.gold_facts.get("event_cluster") or f"item:{self.id}")


@dataclass
class Score(Counts):
    """Confusion counts of one category over a whole corpus, as ``eval`` prints and writes them."""

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
        }


@dataclass
class EvalResult:
    per_category: dict[str, Score]
    predictions: dict[str, list[str]]
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    facts_score: FactsScore | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    reliability: Reliability | None = None
    negatives: tuple[int, int] = (0, 0)  # (negatives with any alert, negatives)
    folds: FoldReport | None = None
    per_corpus: dict[str, dict[str, Any]] = field(default_factory=dict)
    per_language: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out = {
            "per_category": {c: s.as_dict() for c, s in self.per_category.items()},
            "predictions": self.predictions,
            "facts": self.facts,
        }
        if self.facts_score is not None:
            out["facts_accuracy"] = self.facts_score.as_dict()
        if self.reliability is not None:
            out["reliability"] = self.reliability.as_dict()
        out["false_alerts_on_negatives"] = {"items": self.negatives[0], "of": self.negatives[1]}
        if self.folds is not None:
            out["folds"] = self.folds.as_dict()
        if self.per_corpus:
            out["per_corpus"] = self.per_corpus
        if self.per_language:
            out["per_language"] = self.per_language
        out["frames"] = {
            item: {k: facts[k] for k in ("shootings", "border_actions") if facts.get(k)}
            for item, facts in self.facts.items()
            if facts.get("shootings") or facts.get("border_actions")
        }
        out["errors"] = self.errors
        return out


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _published(value: Any) -> datetime | None:
    """ "2020-03-02" or "2017-11"; a bare year says too little to date "in March" by."""
    text = str(value or "").strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.strptime(text, "%Y-%m")
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_corpora(paths: Iterable[Path]) -> tuple[list[LabelledItem], list[Problem]]:
    """Several labelled files as one set; an id seen twice is reported and skipped."""
    items: list[LabelledItem] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for path in paths:
        got, bad = read_corpus(path)
        problems.extend(bad)
        for item in got:
            if item.id in seen:
                error = f"duplicate id {item.id!r}"
                problems.append(Problem.of(Codes.I001, path, error=error))
                continue
            seen.add(item.id)
            items.append(item)
    return items, problems


def read_corpus(path: Path) -> tuple[list[LabelledItem], list[Problem]]:
    """Bad lines are reported with their number and skipped; good ones are all kept."""
    items: list[LabelledItem] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ValueError("not a JSON object")
                labels = rec.get("labels", [])
                if not isinstance(labels, list):
                    raise ValueError("'labels' must be a list")
                items.append(
                    LabelledItem(
                        id=str(rec["id"]),
                        title=str(rec.get("title") or ""),
                        text=str(rec["text"]),
                        labels={str(x) for x in labels} - {"none"},
                        gold_facts=_dict(rec.get("facts")),
                        published=_published(rec.get("published")),
                        corpus=path.name,
                        language=str(rec["language"]) if rec.get("language") else None,
                    )
                )
            except (ValueError, KeyError) as exc:
                problems.append(Problem.of(Codes.I001, path, lineno, error=exc))
    return items, problems


def evaluate(detector: Detector, items: list[LabelledItem]) -> EvalResult:
    categories = sorted(set(RULE_CATEGORIES) | set(detector.rules.categories))
    scores = {c: Score() for c in categories}
    predictions: dict[str, list[str]] = {}
    facts: dict[str, dict[str, Any]] = {}
    articles = [
        Article(id=i.id, title=i.title, text=i.text, published=i.published, language=i.language)
        for i in items
    ]
    facts_score = FactsScore()
    errors: list[dict[str, str]] = []
    all_alerts: list[Alert] = []
    for item, analysis in zip(items, detector.analyse_many(articles), strict=True):
        if item.labels and item.gold_facts:
            facts_score.add(item.id, item.gold_facts, analysis.facts, detector.gazetteer)
        alerts = build_alerts(
            analysis.article, analysis.facts, analysis.hits, detector.rules.version
        )
        all_alerts.extend(alerts)
        by_category = {a.category: a for a in alerts}
        predictions[item.id] = sorted(by_category)
        facts[item.id] = analysis.facts.model_dump(mode="json", exclude_none=True)
        for c in categories:
            if c in by_category and c in item.labels:
                scores[c].tp += 1
            elif c in by_category:
                scores[c].fp += 1
                alert = by_category[c]
                errors.append(
                    {
                        "id": item.id,
                        "category": c,
                        "kind": "fp",
                        "rule": alert.rule_id,
                        "evidence": alert.evidence.sentence,
                    }
                )
            elif c in item.labels:
                scores[c].fn += 1
                errors.append(
                    {
                        "id": item.id,
                        "category": c,
                        "kind": "fn",
                        "rule": "",
                        "evidence": item.title or item.text[:200],
                    }
                )
            else:
                scores[c].tn += 1
    scored = facts_score if facts_score.items else None
    result = EvalResult(
        scores, predictions, facts, facts_score=scored, errors=errors, alerts=all_alerts
    )
    result.reliability = reliability(items, all_alerts)
    result.negatives = false_alert_rate(items, predictions)
    return result


def with_folds(result: EvalResult, items: list[LabelledItem], k: int | None) -> EvalResult:
    """Fold and per-corpus figures beside the whole-set ones (same predictions, no re-run)."""
    from borderwatch.streams.scoring.folds import score

    categories = list(result.per_category)
    if k:
        result.folds = fold_report(items, result.predictions, categories, k)
    languages = sorted({i.language or "en" for i in items})
    if languages != ["en"]:  # a corpus that declares languages is scored per language too
        for language in languages:
            subset = [i for i in items if (i.language or "en") == language]
            counts = score(subset, result.predictions, categories)
            result.per_language[language] = {
                "items": len(subset),
                "f1": {c: round(v.f1, 4) for c, v in counts.items()},
                "support": {c: v.tp + v.fn for c, v in counts.items()},
            }
    corpora = sorted({i.corpus for i in items})
    if len(corpora) > 1:
        for corpus in corpora:
            subset = [i for i in items if i.corpus == corpus]
            counts = score(subset, result.predictions, categories)
            neg = false_alert_rate(subset, result.predictions)
            result.per_corpus[corpus] = {
                "items": len(subset),
                "f1": {c: round(v.f1, 4) for c, v in counts.items()},
                "false_alerts_on_negatives": {"items": neg[0], "of": neg[1]},
            }
    return result

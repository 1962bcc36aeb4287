"""The examples each rule carries, run as checks: a rule that misses its own example is broken.

``rules check``, ``rules test``, the hot reload and the test suite all run them through the
same detector code as live traffic. ``checked_detector`` is the one way to get a detector
from settings, so the worker, eval, replay and the CLI cannot disagree on what "loaded" means.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from borderwatch.core.errors import Codes, Problem, RuleError
from borderwatch.core.models import Article, Casualty, Facts
from borderwatch.core.settings import Settings
from borderwatch.streams.detect import Detector
from borderwatch.streams.reading.nlp import load_nlp
from borderwatch.streams.rules.load import load_rules
from borderwatch.streams.rules.model import ExpectedFacts


@dataclass(frozen=True)
class ExampleResult:
    rule_id: str
    kind: str  # "match" or "no_match"
    index: int
    text: str
    ok: bool
    detail: str = ""
    facts_failed: bool = False


def _casualty_ok(want: object, got: Casualty) -> bool:
    return all(value is None or getattr(got, name) == value for name, value in vars(want).items())


def facts_missing(expected: ExpectedFacts, facts: Facts) -> list[str]:
    """What the expected facts name that extraction did not find (expected is a subset)."""
    missing = [f"country {c}" for c in expected.countries if c not in facts.countries]
    for want in expected.casualties:
        if not any(_casualty_ok(want, got) for got in facts.casualties):
            shown = ", ".join(f"{k}={v}" for k, v in want.model_dump(exclude_none=True).items())
            missing.append(f"casualty ({shown})")
    return missing


def run_examples(detector: Detector, rule_ids: Iterable[str] | None = None) -> list[ExampleResult]:
    rules = detector.compiled
    chosen = [rules.rule(i) for i in rule_ids] if rule_ids is not None else list(rules.values())
    jobs = [(rule, example) for rule in chosen for example in rule.examples]
    docs = detector.parse(example.text for _, example in jobs)
    results = []
    for (rule, ex), doc in zip(jobs, docs, strict=True):
        ctx = detector.context(Article(id="example", text=ex.text), doc)
        hit = rules.trace(rule.id, ctx).hit
        if ex.kind == "no_match":
            detail = "matched, but must not" if hit else ""
            results.append(ExampleResult(rule.id, ex.kind, ex.index, ex.text, hit is None, detail))
            continue
        if hit is None:
            results.append(
                ExampleResult(rule.id, ex.kind, ex.index, ex.text, False, "did not match")
            )
            continue
        missing = facts_missing(ex.facts, ctx.facts.facts) if ex.facts else []
        detail = f"matched, but facts missing: {'; '.join(missing)}" if missing else ""
        results.append(
            ExampleResult(rule.id, ex.kind, ex.index, ex.text, not missing, detail, bool(missing))
        )
    return results


def example_problems(detector: Detector, results: Iterable[ExampleResult]) -> list[Problem]:
    """Each failed example as a problem located at the example in its rule file."""
    problems = []
    for res in results:
        if res.ok:
            continue
        msg = Codes.R009.format(
            rule_id=res.rule_id, kind=res.kind, index=res.index, detail=res.detail, text=res.text
        )
        at: tuple[str, ...] = ("facts",) if res.facts_failed else ()
        rule = detector.compiled[res.rule_id]
        problems.append(rule.problem(Codes.R009.code, msg, "examples", res.kind, res.index, *at))
    return problems


def _gazetteer_dir(paths: Sequence[Path]) -> Path:
    """The directory whose gazetteers go with these rule files: the first one's."""
    first = paths[0]
    return first if first.is_dir() else first.parent


def checked_detector(
    settings: Settings, rules: Path | Sequence[Path] | None = None, *, examples: bool = True
) -> Detector:
    """The detector for ``rules`` (rule files or directories; default ``settings.rules_dir``),
    loaded, compiled and, with ``examples``, with every rule example passing.

    Raises ``RuleError`` listing every located problem at once (``BorderwatchError`` if the
    spaCy model is missing)."""
    paths = [rules] if isinstance(rules, Path) else list(rules or [settings.rules_dir])
    nlp = load_nlp(settings.spacy_model)
    detector = Detector.build(
        nlp,
        load_rules(paths),
        _gazetteer_dir(paths),
        settings.max_text_chars,
        scoped=settings.sentence_scope,
    )
    if examples:
        problems = example_problems(detector, run_examples(detector))
        if problems:
            raise RuleError(problems)
    return detector

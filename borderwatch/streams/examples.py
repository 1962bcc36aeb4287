"""The examples each rule carries, run as checks: a rule that misses its own example is broken.

``rules check``, ``rules test``, the hot reload and the test suite all run them through the
same detector code as live traffic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from borderwatch.core.errors import Problem, RuleError
from borderwatch.core.models import Article, Casualty, Facts
from borderwatch.streams.detect import Detector
from borderwatch.streams.match import trace_rule
from borderwatch.streams.rules.load import load_rules
from borderwatch.streams.rules.model import ExpectedFacts, MatchExample, Rule


@dataclass(frozen=True)
class ExampleResult:
    rule_id: str
    kind: str  # "match" or "no_match"
    index: int
    text: str
    ok: bool
    detail: str = ""
    facts_failed: bool = False


def _cases(rule: Rule) -> Iterable[tuple[str, int, str, ExpectedFacts | None]]:
    for i, example in enumerate(rule.examples.match):
        if isinstance(example, MatchExample):
            yield "match", i, example.text, example.facts
        else:
            yield "match", i, example, None
    for i, text in enumerate(rule.examples.no_match):
        yield "no_match", i, text, None


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
    wanted = set(rule_ids) if rule_ids is not None else None
    compiled = detector.compiled
    jobs = [
        (r, rule, kind, i, text, facts)
        for r, rule in enumerate(compiled.ruleset.rules)
        if wanted is None or rule.id in wanted
        for kind, i, text, facts in _cases(rule)
    ]
    docs = detector.parse(text for *_, text, _ in jobs)
    results = []
    for (r, rule, kind, i, text, expected), doc in zip(jobs, docs, strict=True):
        ctx = detector.context(Article(id="example", text=text), doc)
        hit = trace_rule(compiled, r, ctx).hit
        if kind == "no_match":
            detail = "matched, but must not" if hit else ""
            results.append(ExampleResult(rule.id, kind, i, text, hit is None, detail))
            continue
        if hit is None:
            results.append(ExampleResult(rule.id, kind, i, text, False, "did not match"))
            continue
        missing = facts_missing(expected, ctx.facts.facts) if expected else []
        detail = f"matched, but facts missing: {'; '.join(missing)}" if missing else ""
        results.append(ExampleResult(rule.id, kind, i, text, not missing, detail, bool(missing)))
    return results


def example_problems(detector: Detector, results: Iterable[ExampleResult]) -> list[Problem]:
    problems = []
    for res in results:
        if res.ok:
            continue
        origin = detector.rules.origins.get(res.rule_id)
        msg = f"rule {res.rule_id} example {res.kind}[{res.index}] {res.detail}: {res.text!r}"
        if origin is None:
            problems.append(Problem("R009", msg))
        else:
            at: tuple[str, ...] = ("facts",) if res.facts_failed else ()
            problems.append(origin.problem("R009", msg, "examples", res.kind, res.index, *at))
    return problems


def build_checked(
    nlp: Language, paths: list[Path], rules_dir: Path, max_chars: int = 200_000
) -> Detector:
    """A detector for a whole rule set whose every example passes, or ``RuleError``."""
    detector = Detector.build(nlp, load_rules(paths), rules_dir, max_chars)
    problems = example_problems(detector, run_examples(detector))
    if problems:
        raise RuleError(problems)
    return detector

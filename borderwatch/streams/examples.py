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
from borderwatch.streams.match import CompiledRule, Example
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
    language: str = "en"
    unreadable: bool = False  # a language no lexicon reads: R015, not a failed example
    category: str = ""


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


def _foreign(example: Example) -> bool:
    return example.language not in (None, "en")


def run_examples(detector: Detector, rule_ids: Iterable[str] | None = None) -> list[ExampleResult]:
    """Every example's result, in rule order. An English example is traced through its own
    rule; one in another language goes through the detector as live traffic in that language
    does (screen, lexicon reader), and counts by the rule's category, since a lexicon's hits
    speak for the category (rule id ``<category>.<language>``), not for one rule."""
    rules = detector.compiled
    chosen = [rules.rule(i) for i in rule_ids] if rule_ids is not None else list(rules.values())
    jobs = [(rule, example) for rule in chosen for example in rule.examples]
    done: dict[int, ExampleResult] = {}
    english = [i for i, (_, ex) in enumerate(jobs) if not _foreign(ex)]
    docs = detector.parse(jobs[i][1].text for i in english)
    for i, doc in zip(english, docs, strict=True):
        rule, ex = jobs[i]
        ctx = detector.context(Article(id="example", text=ex.text), doc)
        hit = rules.trace(rule.id, ctx).hit
        done[i] = _result(rule, ex, hit is not None, ctx.facts.facts)
    reader = detector.foreign
    foreign = [i for i, (_, ex) in enumerate(jobs) if _foreign(ex)]
    readable = [i for i in foreign if reader is not None and reader.reads(jobs[i][1].language)]
    articles = [Article(id="example", text=jobs[i][1].text, language=jobs[i][1].language)
                for i in readable]  # fmt: skip
    for i, alerts in zip(readable, detector.alerts_many(articles), strict=True):
        rule, ex = jobs[i]
        fired = next((a for a in alerts if a.category == rule.rule.category), None)
        done[i] = _result(rule, ex, fired is not None, fired.facts if fired else None)
    for i in foreign:
        rule, ex = jobs[i]
        if i not in done:
            detail = f"no lexicon reads language {ex.language!r}"
            done[i] = ExampleResult(rule.id, ex.kind, ex.index, ex.text, False, detail,
                                    language=str(ex.language), unreadable=True,
                                    category=rule.rule.category)  # fmt: skip
    return [done[i] for i in range(len(jobs))]


def _result(rule: CompiledRule, ex: Example, hit: bool, facts: Facts | None) -> ExampleResult:
    language, category = ex.language or "en", rule.rule.category
    said = "" if language == "en" else f" ({language}: {category})"
    ok, detail, facts_failed = not hit, f"matched, but must not{said}" if hit else "", False
    if ex.kind == "match":
        missing = facts_missing(ex.facts, facts) if hit and facts and ex.facts else []
        ok, facts_failed = hit and not missing, bool(missing)
        detail = (
            f"did not match{said}"
            if not hit
            else f"matched, but facts missing: {'; '.join(missing)}{said}"
            if missing
            else ""
        )
    return ExampleResult(
        rule.id, ex.kind, ex.index, ex.text, ok, detail, facts_failed, language, category=category
    )


def example_problems(detector: Detector, results: Iterable[ExampleResult]) -> list[Problem]:
    """Each failed example as a problem located at the example in its rule file (at its
    ``language`` when no lexicon reads that language)."""
    problems = []
    for res in results:
        if res.ok:
            continue
        rule = detector.compiled[res.rule_id]
        if res.unreadable:
            known = ", ".join(sorted(detector.foreign.lexicons)) if detector.foreign else ""
            msg = Codes.R015.format(rule_id=res.rule_id, kind=res.kind, index=res.index,
                                    language=res.language, known=known or "none")  # fmt: skip
            at = ("examples", res.kind, res.index, "language")
            problems.append(rule.problem(Codes.R015.code, msg, *at))
            continue
        msg = Codes.R009.format(
            rule_id=res.rule_id, kind=res.kind, index=res.index, detail=res.detail, text=res.text
        )
        where: tuple[str, ...] = ("facts",) if res.facts_failed else ()
        problems.append(rule.problem(Codes.R009.code, msg, "examples", res.kind, res.index, *where))
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

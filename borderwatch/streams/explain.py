"""``rules explain``: why a rule did or did not match a text, condition by condition.

Rule authors debug by seeing what each condition found, what the modality filter or the lead
limit dropped, and which sentence became the evidence; this renders the same ``RuleTrace``
that live matching computes, so the explanation cannot disagree with the system.
"""

from __future__ import annotations

from spacy.tokens import Span

from borderwatch.core.models import Article
from borderwatch.streams.detect import Detector
from borderwatch.streams.match import RuleTrace, Sentences

MAX_LISTED = 6


def _where(span: Span, sents: Sentences) -> str:
    return f"{span.text!r}@s{sents.of(span)}"


def trace(detector: Detector, rule_id: str, article: Article) -> tuple[RuleTrace, Sentences]:
    """The rule's trace over the article (``RuleError`` R011 for an unknown id)."""
    detector.compiled.rule(rule_id)  # an unknown id fails before spaCy runs
    doc = next(detector.parse([article.body]))
    return detector.compiled.trace(rule_id, detector.context(article, doc)), Sentences(doc)


def render(result: RuleTrace, sents: Sentences, version: str) -> list[str]:
    rule = result.rule
    scope = f"within {rule.within} tokens" if rule.within else rule.scope.value
    lines = [
        f"{rule.id} ({rule.category}, {rule.severity.value}): {rule.title}  [rules {version}]",
        f"scope: {scope}; lead: {rule.lead or 'any sentence'}; "
        f"accepts: {', '.join(m.value for m in rule.accept) or 'only factual sentences'}",
    ]
    if result.filtered:
        lines.append(f"NOT APPLIED: {result.filtered}")
        return lines
    for t in result.conditions:
        mark = "✓" if t.found else "✗"
        if t.block == "none":
            mark = "✗ (blocks)" if t.found else "✓ (absent)"
        found = ", ".join(_where(s, sents) for s in t.found[:MAX_LISTED])
        more = f" +{len(t.found) - MAX_LISTED} more" if len(t.found) > MAX_LISTED else ""
        lines.append(f"  {t.block}[{t.index}] {mark} {t.condition.describe()}")
        if t.found:
            lines.append(f"      found: {found}{more}")
        for span, why in t.dropped[:MAX_LISTED]:
            lines.append(f"      dropped: {_where(span, sents)} ({why})")
    if result.hit is None:
        lines.append(f"NO MATCH (tried {result.units_tried} candidate sentence(s)/window(s))")
    else:
        ev = result.hit.evidence
        lines.append(f"MATCH: {ev.sentence}")
        lines.append("  evidence: " + ", ".join(f"{s.text!r}[{s.label}]" for s in ev.spans))
    return lines

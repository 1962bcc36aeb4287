"""Test data shared by several test modules."""

from __future__ import annotations

from borderwatch.core.models import Alert, ArticleRef, Casualty, Evidence, Facts, Severity, Span


def make_alert(title: str = "Guards fire on migrants", sentence: str | None = None) -> Alert:
    sentence = sentence or "Border guards opened fire on migrants."
    return Alert(
        alert_id="a1",
        group="border_shooting:GRC-TUR",
        category="border_shooting",
        rule_id="BW-SHOOT-001",
        rule_title="t",
        severity=Severity.critical,
        article=ArticleRef(id="x", url="https://example.org/x", title=title, source="Wire"),
        evidence=Evidence(
            sentence=sentence,
            spans=[Span(start=14, end=25, text=sentence[14:25], label="PHRASE")],
        ),
        facts=Facts(
            countries=["TUR", "GRC"],
            casualties=[Casualty(count=2, who="migrant", outcome="killed")],
        ),
        rules_version="abc",
    )


class FakeClock:
    """A clock whose sleep only moves time forward, so schedules are checked, not waited."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


# A tiny labelled corpus in the eval format: two hits, a near-miss and a mislabelled item.
CORPUS = [
    {"id": "p1", "title": "Guards fire", "text": "Border guards opened fire on migrants crossing the fence.", "labels": ["border_shooting"]},
    {"id": "p2", "title": "Sealed", "text": "Chad sealed its border with Sudan on Tuesday.", "labels": ["border_closure"]},
    {"id": "n1", "title": "Cricket", "text": "Australia and India open the Border-Gavaskar series in Perth.", "labels": ["none"]},
    {"id": "n2", "title": "Bank", "text": "The bank raised rates.", "labels": ["border_shooting"]},
]  # fmt: skip

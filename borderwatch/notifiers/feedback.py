"""What ops did with an alert in Slack, kept as data: who acknowledged, silenced, or said it
was wrong.

Every click on a story's buttons is one row in ``DATA_DIR/state/feedback.sqlite3``, with the
story, the alert its parent showed, the article (id, title, text as far as it is known) and
the verdict. Two readers need it: the Slack parent, which shows who did what (and stops
broadcasting once someone has acknowledged), and the rule authors, for whom the verdicts
are labels. ``corpus_rows`` turns them into the eval corpus format (``id, title, text,
labels``), so ``borderwatch eval feedback.jsonl --compare rules-draft/`` tells whether a rule
edit fixes what ops flagged.

A verdict speaks about categories: an acknowledgement says the alert's category is right,
"not relevant" says it is wrong, "wrong category -> X" says it is wrong and X is right. For
each article the latest statement about each category wins; a category nobody spoke about
is not a label (an eval then counts it as a false alert, which is what an unconfirmed alert
is to a corpus). Silences say nothing about the category and are not labels.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from borderwatch.core.sqlite import Row, Store


class Verdict(StrEnum):
    acknowledged = "acknowledged"
    silenced = "silenced"
    not_relevant = "not_relevant"
    wrong_category = "wrong_category"


@dataclass(frozen=True)
class Click:
    """One click on a story's parent, with what it was about."""

    click_id: str  # from the user, the click's own time and the action: a redelivery is one
    at: float
    user_id: str
    user_name: str
    verdict: Verdict
    detail: str  # the silence's length ("6h", "24h", "quiet") or the right category
    story_id: str
    alert_id: str
    article_id: str
    category: str  # the alert's, as the parent showed it
    title: str
    text: str
    url: str | None = None
    published: str | None = None  # ISO 8601, the article's own time
    fetched: str | None = None  # ISO 8601: the archive keeps the article by this day
    channel: str | None = None
    message_ts: str | None = None
    silence_id: str | None = None

    def statements(self) -> list[tuple[str, bool]]:
        """What the click says about categories: (category, right?)."""
        if self.verdict is Verdict.acknowledged:
            return [(self.category, True)]
        if self.verdict is Verdict.not_relevant:
            return [(self.category, False)]
        if self.verdict is Verdict.wrong_category:
            return [(self.category, False), (self.detail, True)]
        return []

    @property
    def fetched_at(self) -> datetime | None:
        """When the article was fetched (else published), for finding it in the archive."""
        stamp = self.fetched or self.published
        return datetime.fromisoformat(stamp) if stamp else None

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.at, UTC).strftime("%Y-%m-%d %H:%M UTC")


_COLUMNS = tuple(Click.__dataclass_fields__)


class FeedbackStore(Store):
    schema = f"""
CREATE TABLE IF NOT EXISTS clicks (
    {", ".join(f"{c} {'REAL NOT NULL' if c == 'at' else 'TEXT'}" for c in _COLUMNS)},
    PRIMARY KEY (click_id)
);
CREATE INDEX IF NOT EXISTS clicks_story ON clicks (story_id, at);
CREATE INDEX IF NOT EXISTS clicks_at ON clicks (at);
"""

    def record(self, click: Click) -> bool:
        """Keep the click; False when it was already kept (Slack delivered it again)."""
        values = [getattr(click, c) for c in _COLUMNS]
        cur = self.execute(
            f"INSERT OR IGNORE INTO clicks ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_COLUMNS))})",
            [v.value if isinstance(v, Verdict) else v for v in values],
        )
        return cur.rowcount > 0

    def known(self, click_id: str) -> bool:
        return self.one("SELECT 1 FROM clicks WHERE click_id = ?", (click_id,)) is not None

    @staticmethod
    def _click(row: Row) -> Click:
        data = dict(zip(_COLUMNS, row, strict=True))
        data["verdict"] = Verdict(data["verdict"])
        data["at"] = float(data["at"])
        return Click(**data)

    def for_story(self, story_id: str) -> list[Click]:
        rows = self.rows(
            f"SELECT {', '.join(_COLUMNS)} FROM clicks WHERE story_id = ? ORDER BY at, rowid",
            (story_id,),
        )
        return [self._click(r) for r in rows]

    def acknowledged(self, story_id: str) -> Click | None:
        """The first acknowledgement of the story, if any."""
        return next((c for c in self.for_story(story_id) if c.verdict is Verdict.acknowledged),
                    None)  # fmt: skip

    def all(self, since: float | None = None) -> list[Click]:
        rows = self.rows(
            f"SELECT {', '.join(_COLUMNS)} FROM clicks WHERE at >= ? ORDER BY at, rowid",
            (since if since is not None else float("-inf"),),
        )
        return [self._click(r) for r in rows]


def corpus_rows(clicks: list[Click], texts: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One eval corpus line per article some verdict spoke about, in the order they were
    first clicked. ``texts`` are full article texts where known (the archive); otherwise the
    text kept with the click (the evidence sentence). Reports of one story share a
    ``facts.event_cluster``, so ``eval --folds`` keeps them in one fold."""
    said: dict[str, dict[str, bool]] = {}
    first: dict[str, Click] = {}
    verdicts: dict[str, list[dict[str, str]]] = {}
    for click in sorted(clicks, key=lambda c: c.at):
        statements = click.statements()
        if not statements:
            continue
        first.setdefault(click.article_id, click)
        for category, right in statements:
            said.setdefault(click.article_id, {})[category] = right  # the latest wins
        verdicts.setdefault(click.article_id, []).append(
            {"verdict": click.verdict.value, "detail": click.detail, "by": click.user_id,
             "at": click.when, "alert_id": click.alert_id}
        )  # fmt: skip
    rows = []
    for article_id, click in first.items():
        labels = sorted(c for c, right in said[article_id].items() if right)
        row: dict[str, Any] = {
            "id": article_id,
            "title": click.title,
            "text": (texts or {}).get(article_id) or click.text,
            "labels": labels or ["none"],
            "facts": {"event_cluster": f"story:{click.story_id}"},
            "feedback": verdicts[article_id],
        }
        if click.published:
            row["published"] = click.published
        rows.append(row)
    return rows


class OpsEvent(BaseModel):
    """What a sink other tools follow (webhook, JSONL) receives when ops act in Slack: a
    line with its own ``type``, beside the alerts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["acknowledgement", "silence", "feedback"]
    verdict: Verdict
    detail: str = ""
    story_id: str
    alert_id: str
    article_id: str
    category: str
    user_id: str
    user_name: str = ""
    at: datetime
    silence_id: str | None = None
    ends_at: datetime | None = Field(default=None, description="When a silence ends.")

    @classmethod
    def of(cls, click: Click, ends_at: float | None = None) -> OpsEvent:
        kind: Literal["acknowledgement", "silence", "feedback"] = (
            "acknowledgement" if click.verdict is Verdict.acknowledged
            else "silence" if click.verdict is Verdict.silenced
            else "feedback"
        )  # fmt: skip
        return cls(
            type=kind,
            verdict=click.verdict,
            detail=click.detail,
            story_id=click.story_id,
            alert_id=click.alert_id,
            article_id=click.article_id,
            category=click.category,
            user_id=click.user_id,
            user_name=click.user_name,
            at=datetime.fromtimestamp(click.at, UTC),
            silence_id=click.silence_id,
            ends_at=datetime.fromtimestamp(ends_at, UTC) if ends_at is not None else None,
        )


def click_json(click: Click) -> str:
    """A click as one JSON object (``feedback list --json``)."""
    data = asdict(click)
    data["verdict"] = click.verdict.value
    return json.dumps(data, ensure_ascii=False)

"""Hot reload: a valid edit is picked up, an invalid one is rejected and the old set keeps going."""

from __future__ import annotations

import json
import logging
import shutil
import threading
from pathlib import Path

import pytest
from spacy.language import Language

from borderwatch.connectors.producer import ArticleWriter
from borderwatch.core.kafka import consumer, ensure_topics
from borderwatch.core.models import Alert, Article, parse_alert_message
from borderwatch.core.settings import Settings
from borderwatch.runtime.cluster import stream_worker, worker_log
from borderwatch.streams.examples import checked_detector
from borderwatch.streams.worker.processor import Processor
from borderwatch.streams.worker.reload import RulesWatcher
from tests.support.fixtures import RULES, isolated_settings
from tests.support.waiting import wait_until

NEW_RULE = """\
rules:
  - id: BW-TEST-LANDSLIDE
    title: Crossing shut by a landslide
    category: border_closure
    severity: low
    all:
      - phrase: [landslide*]
      - phrase: ["@border_words"]
    examples:
      match: ["A landslide blocked the mountain border crossing."]
"""
# A duplicate key: the file is invalid as YAML for a rule author, with a known line.
BROKEN = NEW_RULE.replace("    severity: low\n", "    severity: low\n    severity: high\n")
KNOWN = Article(id="known", text="Chad sealed its eastern frontier with Sudan on Tuesday.")
NEW = "Rescuers said a landslide buried the road at the frontier crossing on Monday."


def _alerts(processor: Processor, article: Article) -> list[Alert]:
    return [parse_alert_message(o.value) for o in processor.process(article.to_bytes())]  # type: ignore[misc]


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def test_watcher_swaps_valid_sets_and_keeps_the_last_good_one(
    nlp: Language, rules_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(rules_dir=rules_copy)
    build = lambda: checked_detector(settings)  # noqa: E731
    processor = Processor(settings, build())
    watcher = RulesWatcher(rules_copy, processor.detector, build, processor.use)
    v1 = processor.detector.rules.version
    assert watcher.poll() is None  # nothing changed
    new = Article(id="new", text=NEW)
    assert _alerts(processor, new) == []

    (rules_copy / "landslide.yaml").write_text(NEW_RULE, encoding="utf-8")
    outcome = watcher.poll()
    assert outcome is not None and outcome.accepted
    v2 = outcome.version
    assert v2 != v1
    (alert,) = _alerts(processor, new)
    assert (alert.rule_id, alert.rules_version) == ("BW-TEST-LANDSLIDE", v2)

    caplog.set_level(logging.ERROR, logger="borderwatch.streams.worker.reload")
    (rules_copy / "landslide.yaml").write_text(BROKEN, encoding="utf-8")
    outcome = watcher.poll()
    assert outcome is not None and not outcome.accepted
    (problem,) = outcome.problems
    assert str(problem).startswith(f"{rules_copy / 'landslide.yaml'}:6:5: [R002]")
    assert "[R002]" in caplog.text and v2 in caplog.text
    assert watcher.poll() is None  # one log per change, not per poll
    # Alerts keep flowing from the last good set, for old and new rules alike.
    assert [a.rules_version for a in _alerts(processor, new)] == [v2]
    assert [a.rules_version for a in _alerts(processor, KNOWN)] == [v2]

    # A failing example is an invalid set too.
    failing = NEW_RULE.replace("A landslide blocked", "Heavy snow blocked")
    (rules_copy / "landslide.yaml").write_text(failing, encoding="utf-8")
    outcome = watcher.poll()
    assert outcome is not None and not outcome.accepted
    assert "[R009]" in str(outcome.problems[0])

    (rules_copy / "landslide.yaml").unlink()
    outcome = watcher.poll()
    assert outcome is not None and outcome.accepted and outcome.version == v1
    assert _alerts(processor, new) == []


def _wait_alert(c: object, article_id: str, seen: dict[str, Alert]) -> Alert | None:
    def poll() -> bool:
        for records in c.poll(timeout_ms=500).values():  # type: ignore[attr-defined]
            for rec in records:
                msg = json.loads(rec.value)
                if msg.get("type") == "alert":
                    alert = parse_alert_message(rec.value)
                    assert isinstance(alert, Alert)
                    seen[alert.article.id] = alert
        return article_id in seen

    wait_until(poll, timeout=120)
    return seen.get(article_id)


def test_running_worker_reloads_rules(kafka: str, rules_copy: Path, tmp_path: Path) -> None:
    settings = isolated_settings(kafka, tmp_path, rules_reload_s=0.5)
    settings = settings.model_copy(update={"rules_dir": rules_copy})
    ensure_topics(settings)
    log_path = worker_log(settings)
    seen: dict[str, Alert] = {}
    c = consumer(settings, f"{settings.app_id}-test", settings.alerts_topic)
    writer = ArticleWriter(settings)
    lock = threading.Lock()

    def send(article: Article) -> None:
        with lock:
            writer.send(article)
            writer.producer.flush()

    try:
        with stream_worker(settings) as worker:
            send(KNOWN)
            first = _wait_alert(c, "known", seen)
            assert first is not None, log_path.read_text()[-3000:]
            v1 = first.rules_version

            (rules_copy / "landslide.yaml").write_text(NEW_RULE, encoding="utf-8")
            assert wait_until(lambda: "rules reloaded" in log_path.read_text(), timeout=60)
            send(Article(id="new-1", text=NEW))
            alert = _wait_alert(c, "new-1", seen)
            assert alert is not None and alert.rule_id == "BW-TEST-LANDSLIDE"
            v2 = alert.rules_version
            assert v2 != v1

            (rules_copy / "landslide.yaml").write_text(BROKEN, encoding="utf-8")
            assert wait_until(lambda: "[R002]" in log_path.read_text(), timeout=60)
            send(Article(id="new-2", text=NEW))
            alert = _wait_alert(c, "new-2", seen)
            assert alert is not None and alert.rules_version == v2
            assert worker.poll() is None, "the worker died"
    finally:
        writer.close()
        c.close()

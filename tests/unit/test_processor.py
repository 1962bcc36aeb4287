from __future__ import annotations

import json

from borderwatch.core.models import Alert, Article, Marker, parse_alert_message
from borderwatch.core.settings import Settings
from borderwatch.streams.detect import Detector
from borderwatch.streams.worker.processor import Processor

SETTINGS = Settings(kafka_bootstrap="127.0.0.1:1", alerts_partitions=3)


def test_article_becomes_alerts_keyed_by_group(detector: Detector) -> None:
    article = Article(id="a", text="Border guards opened fire on migrants crossing the fence.")
    outs = Processor(SETTINGS, detector).process(article.to_bytes(), b"a")
    alerts = [parse_alert_message(o.value) for o in outs]
    assert all(isinstance(a, Alert) for a in alerts)
    assert [o.key for o in outs] == [a.group.encode() for a in alerts if isinstance(a, Alert)]
    assert {o.topic for o in outs} == {"alerts"}
    assert "border_shooting" in {a.category for a in alerts if isinstance(a, Alert)}


def test_poison_records_go_to_the_dlq_with_a_reason(detector: Detector) -> None:
    proc = Processor(SETTINGS, detector)
    cases = {
        b"{not json": "invalid message",
        b'{"type": "article", "schema_version": 9, "id": "x", "text": "t"}': "schema_version",
        None: "empty record",
        b"x" * (SETTINGS.max_text_chars * 8 + 1): "too large",
    }
    for raw, reason in cases.items():
        (out,) = proc.process(raw, b"k")
        body = json.loads(out.value)
        assert out.topic == "articles.dlq"
        assert reason in body["reason"]
        assert len(body["sample"]) <= 2000


def test_marker_is_forwarded_to_every_alerts_partition(detector: Detector) -> None:
    marker = Marker(run_id="r", source_partition=1, count=7)
    outs = Processor(SETTINGS, detector).process(marker.to_bytes(), b"__marker__")
    assert sorted(o.partition for o in outs if o.partition is not None) == [0, 1, 2]
    assert all(parse_alert_message(o.value) == marker for o in outs)


def test_batch_keeps_order_around_markers(detector: Detector) -> None:
    from borderwatch.core.models import Marker
    from borderwatch.core.settings import Settings
    from borderwatch.streams.worker.processor import Processor

    proc = Processor(Settings(), detector)
    shooting = Article(id="s", text="Border guards opened fire on migrants at the fence.")
    closure = Article(id="c", text="Chad sealed its eastern frontier with Sudan on Tuesday.")
    plain = Article(id="p", text="The bank kept its rate at four percent.")
    marker = Marker(run_id="r", source_partition=0, count=2)
    out = proc.process_batch([
        (shooting.to_bytes(), b"s"), (plain.to_bytes(), b"p"), (marker.to_bytes(), b"m"),
        (b"{not json", b"x"), (closure.to_bytes(), b"c"),
    ])  # fmt: skip
    kinds = [json.loads(o.value).get("type") or "dlq" for o in out]
    first_marker = kinds.index("marker")
    # the shooting alert(s) come before the marker, the closure after it, the poison in between
    assert "alert" in kinds[:first_marker]
    assert kinds[first_marker : first_marker + 2] == [
        "marker",
        "marker",
    ]  # one per alerts partition
    assert kinds[first_marker + 2] == "dlq" and kinds[-1] == "alert"
    # the same result one by one
    single = [o for raw, key in [(shooting.to_bytes(), b"s"), (plain.to_bytes(), b"p")]
              for o in proc.process(raw, key)]  # fmt: skip

    def body(raw: bytes) -> dict[str, object]:
        return {k: v for k, v in json.loads(raw).items() if k != "created"}

    assert [body(o.value) for o in single] == [body(o.value) for o in out[:first_marker]]


def test_parts_give_the_batch_outputs_in_order(detector: Detector) -> None:
    """The worker sends each part's outputs before reading the next: together they are the
    batch's outputs, in the batch's order, markers after every article before them."""
    from tests.support.loadgen import realistic

    proc = Processor(Settings(), detector)
    marker = Marker(run_id="r", source_partition=0, count=20)
    records = [(a.to_bytes(), a.id.encode()) for a in realistic(20, relevant_share=0.25)]
    records.insert(13, (marker.to_bytes(), b"__marker__"))
    parts = list(proc.process_parts(records, size=4))
    assert len(parts) == 6

    def body(raw: bytes) -> dict[str, object]:
        return {k: v for k, v in json.loads(raw).items() if k != "created"}

    whole = [body(o.value) for o in proc.process_batch(records)]
    assert [body(o.value) for part in parts for o in part] == whole
    assert any(b.get("type") == "alert" for b in whole)

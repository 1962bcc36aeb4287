from __future__ import annotations

import json

import pytest
from pydantic import SecretStr
from slack_sdk.errors import SlackApiError

from borderwatch.notifiers.sinks.slack.blocks import blocks, escape, evidence_mrkdwn, fallback_text
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier
from tests.support.factories import make_alert
from tests.support.fakeslack import FakeSlack

TOKEN = SecretStr("xoxb-test-secret-token")


@pytest.mark.parametrize(
    "hostile", ["<!channel>", "<!here>", "<@U123>", "<https://evil.example|click>", "a & b"]
)
def test_article_text_cannot_ping_or_link(hostile: str) -> None:
    alert = make_alert(
        title=f"Headline {hostile}", sentence=f"Border guards opened fire {hostile}."
    )
    rendered = json.dumps(blocks(alert)) + fallback_text(alert)
    assert hostile not in rendered
    assert escape(hostile) in rendered


def test_matched_words_are_bold_and_long_text_is_cut() -> None:
    alert = make_alert()
    assert evidence_mrkdwn(alert) == "Border guards *opened fire* on migrants."
    long = make_alert(title="x" * 5000, sentence="Border guards opened fire " + "y" * 5000)
    for block in blocks(long):
        text = block.get("text", {}).get("text", "")
        assert len(text) <= 3000
    assert len(fallback_text(long)) <= 3000


def test_posts_to_the_fake_slack_with_blocks_and_fallback(fake_slack: FakeSlack) -> None:
    SlackNotifier(TOKEN, "#alerts", fake_slack.base_url).send(make_alert())
    (call,) = fake_slack.posts()
    assert call.headers["Authorization"] == f"Bearer {TOKEN.get_secret_value()}"
    assert call.body["channel"] == "#alerts"
    assert "border shooting" in call.body["text"]
    assert "2 migrants killed" in call.body["text"]
    assert "TUR" in json.dumps(call.body["blocks"])


def test_retries_429_with_retry_after_and_5xx(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next(429, retry_after=1)
    fake_slack.fail_next(503, times=2)
    SlackNotifier(TOKEN, "#alerts", fake_slack.base_url).send(make_alert())
    assert len(fake_slack.posts()) == 4  # three refused, the fourth delivered


def test_gives_up_after_max_retries(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next(500, times=3)
    notifier = SlackNotifier(TOKEN, "#alerts", fake_slack.base_url, max_retries=1)
    with pytest.raises(SlackApiError):
        notifier.send(make_alert())
    assert len(fake_slack.posts()) == 2


def test_token_is_not_in_repr() -> None:
    assert TOKEN.get_secret_value() not in repr(SlackNotifier(TOKEN, "#a", "http://127.0.0.1:9/"))


def test_message_shows_border_crossing_and_casualty_details() -> None:
    from borderwatch.core.models import Border, Casualty

    alert = make_alert()
    facts = alert.facts.model_copy(
        update={
            "border": Border(
                countries=["TUR", "GRC"], crossing="pazarkule", name="Pazarkule–Kastanies",
                region="evros", lat=41.66, lon=26.47,
            ),
            "casualties": [
                Casualty(count=None, who="migrant", outcome="wounded"),
                Casualty(count=33, lower_bound=True, who="soldier", outcome="killed",
                         nationality="TUR", by="soldier", by_text="<!channel> forces"),
            ],
        }
    )  # fmt: skip
    text = json.dumps(blocks(alert.model_copy(update={"facts": facts})), ensure_ascii=False)
    assert "Pazarkule–Kastanies crossing (TUR–GRC), Evros [41.66, 26.47]" in text
    assert "at least 33 soldiers (TUR) killed, by &lt;!channel&gt; forces" in text
    # counted records come first, the uncounted one after
    assert text.index("at least 33") < text.index("an unknown number of migrants wounded")
    assert "<!channel>" not in text

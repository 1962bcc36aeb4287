"""Clicks from Slack: the HTTP endpoint, the Socket Mode client, and what a click does.

Slack gives an app 3 seconds to answer a click, and shows the user an error after that. So
both ways in answer first (HTTP 200, or the Socket Mode envelope's acknowledgement) and hand
the click to one worker thread, which does the rest: the silence or the feedback row, the
parent's update, the ephemeral answer through the click's ``response_url``, the events for
the webhook and JSONL sinks.

HTTP requests are trusted only when Slack's signature over ``v0:<timestamp>:<body>`` checks
out with the signing secret (slack-sdk's ``SignatureVerifier``) and the timestamp is within
5 minutes: anything else is a 401 and nothing is done, so a captured request cannot be
played again later. Socket Mode needs no signature: the connection itself was opened with
the app-level token.

Silencing pages nobody for a while, so only the users and user groups named in
``slack_silencers`` may; a user group's members are asked from Slack
(``usergroups.users.list``) and kept for a few minutes.
"""

from __future__ import annotations

import gzip
import json
import logging
import queue
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from borderwatch.connectors.archive import day_path
from borderwatch.core.errors import BorderwatchError, Codes, Problem
from borderwatch.core.models import Alert
from borderwatch.core.settings import Settings
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.feedback import Click, FeedbackStore, OpsEvent, Verdict
from borderwatch.notifiers.silences import UNTIL_QUIET_S, SilenceStore
from borderwatch.notifiers.sinks.slack.interact import (
    SILENCE_FOR,
    SILENCE_LABEL,
    BadClick,
    ClickIn,
    UnknownAction,
    category_label,
    parse_click,
)
from borderwatch.notifiers.sinks.slack.notifier import SlackNotifier
from borderwatch.runtime.wiring import feedback_store, interactive, silence_store

log = logging.getLogger(__name__)

PATH = "/slack/actions"
MAX_AGE_S = 300  # Slack's own rule: a request older than 5 minutes may be a replay
MAX_BODY = 1 << 20
GROUPS_TTL_S = 300.0
SLACK_HOOKS = "https://hooks.slack.com/"
NOT_ALLOWED = (
    "You are not allowed to silence stories; ask whoever runs Borderwatch to add you "
    "(or your user group) to BORDERWATCH_SLACK_SILENCERS."
)


class Outcome:
    """What became of a click (the tests read it; the log says it)."""

    DONE = "done"
    DUPLICATE = "duplicate"
    NOT_ALLOWED = "not allowed"
    UNKNOWN_STORY = "unknown story"
    UNKNOWN_ACTION = "unknown action"
    BAD = "bad payload"
    FAILED = "failed"


class Silencers:
    """Who may silence: user IDs, and members of user groups (asked from Slack, cached)."""

    def __init__(self, named: list[str], client: WebClient,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.users = {n for n in named if not n.startswith("S")}
        self.groups = [n for n in named if n.startswith("S")]
        self._client = client
        self._clock = clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def _group(self, group: str) -> frozenset[str]:
        with self._lock:
            known = self._members.get(group)
            if known is not None and self._clock() - known[0] < GROUPS_TTL_S:
                return known[1]
        try:
            users = frozenset(self._client.usergroups_users_list(usergroup=group)["users"] or [])
        except SlackApiError as exc:  # the group cannot be asked: nobody gets in through it
            log.error("cannot list user group %s (%s); its members may not silence now",
                      group, exc.response.get("error"))  # fmt: skip
            return known[1] if known is not None else frozenset()
        with self._lock:
            self._members[group] = (self._clock(), users)
        return users

    def allowed(self, user_id: str) -> bool:
        return user_id in self.users or any(user_id in self._group(g) for g in self.groups)


def archived_text(
    archive_dir: Path | None, article_id: str, fetched: datetime | None
) -> str | None:
    """The article's full text from the archive (the day it was fetched, and either side of
    it), for the feedback corpus; None when the archive does not have it."""
    if archive_dir is None or fetched is None:
        return None
    for offset in (0, -1, 1):
        path = day_path(archive_dir, fetched.astimezone(UTC) + timedelta(days=offset))
        if not path.is_file():
            continue
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    if article_id not in line:
                        continue
                    record = json.loads(line)
                    if record.get("id") == article_id:
                        return str(record.get("text") or "") or None
        except (OSError, EOFError, ValueError) as exc:  # a damaged day: the click keeps the rest
            log.warning("archive %s unreadable while looking for %s: %s", path, article_id, exc)
    return None


class ClickHandler:
    """What a click does, after Slack has had its answer."""

    def __init__(
        self,
        slack: SlackNotifier,
        feedback: FeedbackStore,
        silences: SilenceStore,
        silencers: Silencers,
        *,
        followers: list[Notifier] | None = None,
        archive_dir: Path | None = None,
        response_hosts: tuple[str, ...] = (SLACK_HOOKS,),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.slack, self.feedback, self.silences = slack, feedback, silences
        self.silencers = silencers
        self.followers = followers or []
        self.archive_dir = archive_dir
        self.response_hosts = response_hosts
        self.clock = clock
        self._http = httpx.Client(timeout=httpx.Timeout(5.0))

    def close(self) -> None:
        self._http.close()

    def answer(self, response_url: str | None, text: str) -> bool:
        """An ephemeral reply to the one who clicked, through the click's response_url (only
        to Slack's hooks host, or the configured Slack API's, never anywhere a payload says)."""
        if not response_url or not response_url.startswith(self.response_hosts):
            log.warning("no usable response_url; the user is not told: %s", text)
            return False
        body = {"response_type": "ephemeral", "replace_original": False, "text": text}
        try:
            response = self._http.post(response_url, json=body)
        except httpx.HTTPError as exc:
            log.error("answering a click failed: %s", exc)
            return False
        if not response.is_success:
            log.error("answering a click failed: HTTP %d", response.status_code)
        return response.is_success

    def handle_payload(self, payload: dict[str, Any]) -> str:
        """A raw ``block_actions`` payload: one that is not ours is answered and dropped."""
        try:
            click = parse_click(payload)
        except UnknownAction as exc:
            log.warning("ignored a click: %s", exc)
            url = payload.get("response_url")
            told = f"Borderwatch does not know this button ({exc}); nothing was done."
            self.answer(url if isinstance(url, str) else None, told)
            return Outcome.UNKNOWN_ACTION
        except BadClick as exc:
            log.warning("ignored an interaction: %s", exc)
            return Outcome.BAD
        try:
            return self.handle(click)
        except Exception as exc:  # one click's failure must not stop the worker
            log.exception("click %s on story %s failed", click.verdict.value, click.story_id)
            self.answer(click.response_url, f"Borderwatch could not do that: {exc}")
            return Outcome.FAILED

    def handle(self, click: ClickIn) -> str:
        stories = self.slack.stories
        story = stories.get(click.story_id) if stories is not None else None
        if story is None or story.view is None:
            self.answer(click.response_url, "Borderwatch no longer knows this story "
                        "(its state was reset); nothing was done.")  # fmt: skip
            return Outcome.UNKNOWN_STORY
        if click.verdict is Verdict.silenced and not self.silencers.allowed(click.user_id):
            log.info("user %s may not silence (story %s)", click.user_id, click.story_id)
            self.answer(click.response_url, NOT_ALLOWED)
            return Outcome.NOT_ALLOWED
        if self.feedback.known(click.click_id):
            return Outcome.DUPLICATE
        alert = story.view.shown()
        ends_at: float | None = None
        silence_id: str | None = None
        now = self.clock()
        if click.verdict is Verdict.silenced:
            length = SILENCE_FOR[click.choice]
            silence = self.silences.add(
                {"story": story.story_id},
                length if length is not None else UNTIL_QUIET_S,
                f"from Slack by {click.user_name or click.user_id}: {SILENCE_LABEL[click.choice]}",
                now=now,
            )
            silence_id, ends_at = silence.silence_id, silence.ends_at
        record = self._click(click, story.story_id, alert, now, silence_id, story.channel,
                             story.parent_ts)  # fmt: skip
        self.feedback.record(record)
        log.info("story %s: %s by %s", story.story_id, click.verdict.value, click.user_id)
        try:
            self.slack.refresh_parent(story.story_id)
        finally:  # the click is kept either way; the followers hear of it either way
            self._tell_followers(OpsEvent.of(record, ends_at))
        if silence_id is not None:
            self.answer(click.response_url, f"Silenced {SILENCE_LABEL[click.choice]} "
                        f"(silence {silence_id}; `borderwatch silence expire {silence_id}` "
                        "ends it).")  # fmt: skip
        elif click.verdict is Verdict.wrong_category:
            self.answer(click.response_url, "Thanks: kept as feedback (should be "
                        f"{category_label(click.choice)}).")  # fmt: skip
        return Outcome.DONE

    def _click(self, click: ClickIn, story_id: str, alert: Alert, now: float,
               silence_id: str | None, channel: str | None, ts: str | None) -> Click:  # fmt: skip
        article = alert.article
        text = archived_text(self.archive_dir, article.id, article.fetched)
        return Click(
            click_id=click.click_id,
            at=now,
            user_id=click.user_id,
            user_name=click.user_name,
            verdict=click.verdict,
            detail=click.choice,
            story_id=story_id,
            alert_id=alert.alert_id,
            article_id=article.id,
            category=alert.category,
            title=article.title,
            text=text or alert.evidence.sentence,
            url=article.url,
            published=article.published.isoformat() if article.published else None,
            fetched=article.fetched.isoformat() if article.fetched else None,
            channel=channel,
            message_ts=ts,
            silence_id=silence_id,
        )

    def _tell_followers(self, event: OpsEvent) -> None:
        for follower in self.followers:
            try:
                follower.event(event)
            except Exception as exc:  # one follower's outage must not hide the click
                log.error("%s did not take the %s event: %s", follower.name, event.type, exc)


class ClickQueue:
    """One worker thread behind both ways in: they only put payloads here."""

    def __init__(self, handler: ClickHandler) -> None:
        self.handler = handler
        self.outcomes: queue.Queue[str] = queue.Queue()  # for the tests, and nothing else
        self.ways: list[str] = []  # how clicks come in, to tell the operator
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="slack-clicks", daemon=True)
        self._thread.start()

    def put(self, payload: dict[str, Any]) -> None:
        self._queue.put(payload)

    def _work(self) -> None:
        while (payload := self._queue.get()) is not None:
            self.outcomes.put(self.handler.handle_payload(payload))

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class ClickEndpoint:
    """``POST /slack/actions``: Slack's interactivity request URL."""

    def __init__(self, clicks: ClickQueue, signing_secret: str, host: str, port: int,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))
        try:
            self.server = ThreadingHTTPServer((host, port), _handler(clicks, verifier, clock))
        except OSError as exc:
            raise BorderwatchError(Problem.of(Codes.L003, host=host, port=port, error=exc)) from exc
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="slack-endpoint",
                                        daemon=True)  # fmt: skip

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{PATH}"

    def start(self) -> ClickEndpoint:
        self._thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(clicks: ClickQueue, verifier: SignatureVerifier,
             clock: Callable[[], float]) -> type[BaseHTTPRequestHandler]:  # fmt: skip
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            log.debug("click endpoint: " + format, *args)

        def _send(self, status: int, text: str = "") -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._send(200, "ok") if self.path == "/healthz" else self._send(404)

        def _refused(self, why: str) -> None:
            # the reason and who asked; never the secret, the signature or the body
            log.warning("click endpoint: refused a request from %s: %s", self.client_address[0],
                        why)  # fmt: skip
            self._send(401, "unauthorized")

        def do_POST(self) -> None:
            if self.path.split("?", 1)[0] != PATH:
                self._send(404)
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self._send(413)
                return
            body = self.rfile.read(length)
            stamp = self.headers.get("X-Slack-Request-Timestamp") or ""
            signature = self.headers.get("X-Slack-Signature") or ""
            if not stamp.isdigit():
                self._refused("no timestamp")
                return
            if abs(clock() - int(stamp)) > MAX_AGE_S:
                self._refused(f"timestamp {int(clock() - int(stamp))} s old")
                return
            if not verifier.is_valid(body, stamp, signature):
                self._refused("bad signature")
                return
            try:
                form = urllib.parse.parse_qs(body.decode("utf-8"), strict_parsing=True)
                payload = json.loads(form["payload"][0])
                if not isinstance(payload, dict):
                    raise ValueError("payload is not an object")
            except (ValueError, KeyError) as exc:
                log.warning("click endpoint: unreadable payload: %s", exc)
                self._send(400, "bad payload")
                return
            self._send(200)  # Slack has its answer; the work follows on the worker thread
            clicks.put(payload)

    return Handler


class SocketModeClicks:
    """Clicks over Socket Mode (slack-sdk's built-in client, app-level token): for
    deployments with no public URL. Every envelope is acknowledged first."""

    def __init__(self, clicks: ClickQueue, app_token: str, base_url: str) -> None:
        self.clicks = clicks
        self.client = SocketModeClient(
            app_token=app_token,
            web_client=WebClient(base_url=base_url if base_url.endswith("/") else base_url + "/"),
            logger=logging.getLogger("borderwatch.socket_mode"),
        )
        self.client.socket_mode_request_listeners.append(self._on_request)

    def _on_request(self, client: Any, request: SocketModeRequest) -> None:
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        if request.type == "interactive" and isinstance(request.payload, dict):
            self.clicks.put(request.payload)
        else:
            log.info("socket mode: %s envelope acknowledged and ignored", request.type)

    def start(self) -> SocketModeClicks:
        try:
            self.client.connect()
        except (SlackApiError, OSError) as exc:
            self.client.close()
            raise BorderwatchError(Problem.of(Codes.L004, error=exc)) from exc
        return self

    def close(self) -> None:
        self.client.close()


def response_hosts(settings: Settings) -> tuple[str, ...]:
    """Where ephemeral answers may go: Slack's hooks host, and the configured API's host
    (a local stand-in in tests, a proxy in some deployments)."""
    parts = urllib.parse.urlsplit(settings.slack_base_url)
    return (SLACK_HOOKS, f"{parts.scheme}://{parts.netloc}/")


@contextmanager
def clicks_served(settings: Settings, notifiers: list[Notifier],
                  archive_dir: Path | None = None) -> Iterator[ClickQueue | None]:  # fmt: skip
    """The configured ways in (HTTP endpoint, Socket Mode), sharing the notifiers of the
    process: the Slack notifier updates the parents, the others follow the events. Nothing
    (None) when neither is configured."""
    slack = next((n for n in notifiers if isinstance(n, SlackNotifier)), None)
    if slack is None or not interactive(settings):
        yield None
        return
    handler = ClickHandler(
        slack,
        slack.feedback or feedback_store(settings),
        silence_store(settings),
        Silencers(settings.slack_silencers, slack.client),
        followers=[n for n in notifiers if n is not slack],
        archive_dir=archive_dir if archive_dir is not None else settings.archive_dir,
        response_hosts=response_hosts(settings),
    )
    clicks = ClickQueue(handler)
    opened: list[ClickEndpoint | SocketModeClicks] = []
    try:
        if settings.slack_signing_secret is not None and settings.interact_port > 0:
            secret = settings.slack_signing_secret.get_secret_value()
            endpoint = ClickEndpoint(clicks, secret, settings.interact_host, settings.interact_port)
            endpoint.start()
            opened.append(endpoint)
            clicks.ways.append(f"HTTP endpoint {endpoint.url}")
        if settings.slack_app_token is not None:
            token = settings.slack_app_token.get_secret_value()
            opened.append(SocketModeClicks(clicks, token, settings.slack_base_url).start())
            clicks.ways.append("Socket Mode")
        yield clicks
    finally:
        for way in opened:
            way.close()
        clicks.close()
        handler.close()

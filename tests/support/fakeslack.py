"""A local stand-in for the Slack Web API, so the real slack_sdk client can be tested offline.

It follows Slack's documented rules where Borderwatch depends on them: channels have IDs;
``chat.postMessage`` takes a channel name ("#ops" or "ops") or an ID and answers with the ID;
``chat.update``, ``conversations.history``, ``conversations.replies`` and ``chat.getPermalink``
take only an ID (a name gets ``channel_not_found``, as real Slack answers);
``conversations.list`` pages through the channels with a cursor. A fake that took names
everywhere hid a notifier that broke every thread on real Slack.

It can be told to answer the next calls with 429 (and Retry-After) or 5xx, to exercise
slack-sdk's retry handlers the way a real outage would.

It also plays Slack's side of interactivity: ``block_actions`` builds the payload a click on
a posted (or since updated) message sends, from the buttons that message really carries;
``send_click`` POSTs it to an app's endpoint signed as Slack signs (``v0:<ts>:<body>``,
HMAC-SHA256 with the signing secret), or with a wrong signature or an old timestamp; every
click gets a ``response_url`` on this server, and what the app posts there is kept in
``responses``. ``usergroups.users.list`` answers from ``usergroups``, and
``apps.connections.open`` hands out ``socket_url`` (a local stand-in for Socket Mode).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Channels every test workspace has; a test adds others with add_channel().
DEFAULT_CHANNELS = ("ops", "alerts", "a", "b", "border-alerts", "greece-desk", "shootings", "tr")
ID_ONLY = frozenset(
    {"chat.update", "conversations.history", "conversations.replies", "chat.getPermalink"}
)


@dataclass
class Call:
    method: str
    headers: dict[str, str]
    body: dict[str, Any]
    ts: str | None = None
    channel_id: str | None = None  # the channel the call resolved to (a posted message's home)


@dataclass
class FakeSlack:
    server: ThreadingHTTPServer
    calls: list[Call] = field(default_factory=list)
    script: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # hold.set(): the next posts are recorded, then their answer waits for release.set()
    hold: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    # outage_after_script(): once the scripted answers run out, every call gets this status
    # until the outage's time is up (its clock starts at that first unscripted call)
    outage: tuple[int, float] | None = None
    outage_until: float | None = None
    # name -> ID, like a workspace's channels; conversations.list pages through it
    channels: dict[str, str] = field(default_factory=dict)
    page_size: int = 3  # small, so a client that ignores the cursor misses channels
    signing_secret: str = "fake-signing-secret"
    responses: list[dict[str, Any]] = field(default_factory=list)  # posts to response_urls
    usergroups: dict[str, list[str]] = field(default_factory=dict)  # group ID -> user IDs
    socket_url: str | None = None  # what apps.connections.open answers

    def __post_init__(self) -> None:
        for name in DEFAULT_CHANNELS:
            self.add_channel(name)

    def add_channel(self, name: str) -> str:
        """Create a channel (idempotent); returns its ID."""
        name = name.lstrip("#")
        with self.lock:
            if name not in self.channels:
                self.channels[name] = f"C{len(self.channels) + 1:08X}"
            return self.channels[name]

    def channel_id(self, name: str) -> str:
        """A channel's ID by name, for tests to compare with what was stored or called."""
        return self.channels[name.lstrip("#")]

    def resolve(self, channel: object, *, names: bool) -> str | None:
        """The channel's ID, or None when Slack would answer ``channel_not_found``: an unknown
        ID, or a name where the method takes only IDs. Called with the lock held."""
        text = str(channel or "")
        if text in self.channels.values():
            return text
        if names:
            return self.channels.get(text.lstrip("#"))
        return None

    def channel_page(self, query: dict[str, Any]) -> dict[str, Any]:
        """conversations.list: one page of channels and the cursor of the next one."""
        start = int(query.get("cursor") or 0)
        limit = min(int(query.get("limit") or 100), self.page_size)
        with self.lock:
            listed = sorted(self.channels.items(), key=lambda item: item[1])
        page = [
            {"id": cid, "name": name, "is_channel": True, "is_private": False, "is_member": True}
            for name, cid in listed[start : start + limit]
        ]
        after = start + limit
        cursor = str(after) if after < len(listed) else ""
        return {"channels": page, "response_metadata": {"next_cursor": cursor}}

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def fail_next(self, status: int, times: int = 1, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        for _ in range(times):
            self.script.append((status, headers))

    def outage_after_script(self, status: int, seconds: float) -> None:
        self.outage = (status, seconds)

    def _outage_answer(self) -> tuple[int, dict[str, str]] | None:
        """Called with the lock held, for a call the script has no answer for."""
        if self.outage is None:
            return None
        status, seconds = self.outage
        if self.outage_until is None:
            self.outage_until = time.monotonic() + seconds
        if time.monotonic() < self.outage_until:
            return (status, {})
        return None

    def error_next(self, error: str, times: int = 1) -> None:
        """HTTP 200 with ``{"ok": false, "error": ...}``, as Slack answers a bad request."""
        for _ in range(times):
            self.script.append((200, {"X-Fake-Error": error}))

    def thread(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """conversations.replies: the parent and its replies, oldest first, with metadata."""
        parent = str(query.get("ts"))
        with self.lock:
            posted = [
                c
                for c in self.calls
                if c.method == "chat.postMessage" and c.ts and c.channel_id == query.get("channel")
            ]
        return [
            self._message(c) for c in posted if c.ts == parent or c.body.get("thread_ts") == parent
        ]

    @staticmethod
    def _message(call: Call) -> dict[str, Any]:
        message: dict[str, Any] = {"ts": call.ts, "text": call.body.get("text")}
        meta = call.body.get("metadata")
        if isinstance(meta, str):
            meta = json.loads(meta)
        if meta:
            message["metadata"] = meta
        return message

    def history(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """conversations.history: posted messages in a channel, newest first, with metadata."""
        oldest = float(query.get("oldest") or 0)
        with self.lock:
            posted = [c for c in self.calls if c.method == "chat.postMessage" and c.ts]
        return [
            self._message(call)
            for call in reversed(posted)
            if call.channel_id == query.get("channel")
            and float(call.ts or 0) >= oldest
            and not call.body.get("thread_ts")  # like Slack: replies are not channel history
        ]

    def message_exists(self, channel_id: str, ts: object) -> bool:
        with self.lock:
            return any(
                c.method == "chat.postMessage" and c.ts == ts and c.channel_id == channel_id
                for c in self.calls
            )

    def message_blocks(self, channel_id: str, ts: str) -> list[dict[str, Any]]:
        """A message's blocks as Slack shows them now: its last chat.update, else its post."""
        with self.lock:
            calls = [
                c for c in self.calls
                if c.channel_id == channel_id and (
                    (c.method == "chat.postMessage" and c.ts == ts)
                    or (c.method == "chat.update" and c.body.get("ts") == ts))
            ]  # fmt: skip
        if not calls:
            raise LookupError(f"no message {ts} in {channel_id}")
        blocks = calls[-1].body.get("blocks") or []
        return list(json.loads(blocks) if isinstance(blocks, str) else blocks)

    def block_actions(
        self,
        channel_id: str,
        ts: str,
        action_id: str,
        user: str = "U0OPS1",
        option: str | None = None,
    ) -> dict[str, Any]:
        """The payload Slack sends when ``user`` presses ``action_id`` on the message (or picks
        ``option`` in that menu); the element must be on the message as it is now."""
        blocks = self.message_blocks(channel_id, ts)
        for block in blocks:
            for element in block.get("elements") or []:
                if block.get("type") != "actions" or element.get("action_id") != action_id:
                    continue
                action: dict[str, Any] = {
                    "action_id": action_id, "block_id": block.get("block_id"),
                    "type": element["type"], "action_ts": f"{time.time():.6f}",
                }  # fmt: skip
                if element["type"] == "button":
                    action["value"] = element.get("value")
                    action["text"] = element.get("text")
                else:
                    chosen = [o for o in element.get("options") or [] if o["value"] == option]
                    if not chosen:
                        raise LookupError(f"{action_id} offers no option {option!r}")
                    action["selected_option"] = chosen[0]
                return self.payload(channel_id, ts, [action], user, blocks)
        raise LookupError(f"message {ts} has no {action_id} element")

    def payload(self, channel_id: str, ts: str, actions: list[dict[str, Any]], user: str,
                blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # fmt: skip
        """A block_actions payload around ``actions`` (any, even ones no message carries)."""
        host, port = self.server.server_address[:2]
        return {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(),
                     "team_id": "T0FAKE"},
            "api_app_id": "A0FAKE",
            "team": {"id": "T0FAKE", "domain": "fake"},
            "container": {"type": "message", "message_ts": ts, "channel_id": channel_id,
                          "is_ephemeral": False},
            "channel": {"id": channel_id, "name": next(
                (n for n, c in self.channels.items() if c == channel_id), "unknown")},
            "message": {"type": "message", "ts": ts, "blocks": blocks or []},
            "trigger_id": uuid.uuid4().hex,
            "response_url": f"http://{host!s}:{port}/response/{uuid.uuid4().hex}",
            "actions": actions,
        }  # fmt: skip

    def signed(self, body: bytes, timestamp: int | None = None,
               secret: str | None = None) -> dict[str, str]:  # fmt: skip
        """Slack's request headers for ``body``: timestamp and v0 signature."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        key = (secret or self.signing_secret).encode()
        mac = hmac.new(key, f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={mac}",
                "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip

    def send_click(self, url: str, payload: dict[str, Any], *, timestamp: int | None = None,
                   secret: str | None = None) -> int:  # fmt: skip
        """POST a payload to an app's interactivity URL as Slack does; the HTTP status."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        request = urllib.request.Request(
            url, data=body, headers=self.signed(body, timestamp, secret), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def answers(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.responses)

    def by_method(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def posts(self) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == "chat.postMessage"]


def start_fake_slack() -> FakeSlack:
    fake: FakeSlack

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            if self.headers.get("Content-Type", "").startswith("application/json"):
                body = json.loads(raw or "{}")
            else:
                body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
            path, _, query = self.path.partition("?")
            if path.startswith("/response/"):  # an app answering a click (response_url)
                with fake.lock:
                    fake.responses.append({"path": path, **body})
                data = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            body = {**{k: v[0] for k, v in urllib.parse.parse_qs(query).items()}, **body}
            method = path.rsplit("/", 1)[-1]
            with fake.lock:
                scripted = fake.script.popleft() if fake.script else fake._outage_answer()
                call = Call(method, dict(self.headers), body)
                fake.calls.append(call)
                ts = f"{time.time():.6f}"
                if method == "chat.postMessage" or method in ID_ONLY:
                    call.channel_id = fake.resolve(
                        body.get("channel"), names=method == "chat.postMessage"
                    )
                if scripted is None and method == "chat.postMessage" and call.channel_id:
                    call.ts = ts  # the message exists from now on, answered or not
            if method == "chat.postMessage" and scripted is None and fake.hold.is_set():
                fake.holding.set()  # the caller may die now, before it hears the answer
                fake.release.wait(timeout=120)
            if scripted is not None:
                status, headers = scripted
                error = headers.pop("X-Fake-Error", None) if status == 200 else None
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                default = "ratelimited" if status == 429 else "fatal_error"
                payload = json.dumps({"ok": False, "error": error or default})
            elif (method == "chat.postMessage" or method in ID_ONLY) and not call.channel_id:
                self.send_response(200)
                payload = json.dumps({"ok": False, "error": "channel_not_found"})
            elif method == "usergroups.users.list":
                self.send_response(200)
                group = str(body.get("usergroup"))
                if group in fake.usergroups:
                    payload = json.dumps({"ok": True, "users": fake.usergroups[group]})
                else:
                    payload = json.dumps({"ok": False, "error": "no_such_subteam"})
            elif method == "apps.connections.open":
                self.send_response(200)
                if fake.socket_url and self.headers.get("Authorization", "").startswith(
                    "Bearer xapp-"
                ):
                    payload = json.dumps({"ok": True, "url": fake.socket_url})
                else:
                    payload = json.dumps({"ok": False, "error": "invalid_auth"})
            elif method == "conversations.list":
                self.send_response(200)
                payload = json.dumps({"ok": True, **fake.channel_page(body)})
            elif method == "conversations.history":
                self.send_response(200)
                payload = json.dumps({"ok": True, "messages": fake.history(body)})
            elif method == "conversations.replies":
                self.send_response(200)
                payload = json.dumps({"ok": True, "messages": fake.thread(body)})
            elif method in ("chat.update", "chat.getPermalink"):
                key = "ts" if method == "chat.update" else "message_ts"
                known = fake.message_exists(str(call.channel_id), body.get(key))
                self.send_response(200)
                if not known:
                    payload = json.dumps({"ok": False, "error": "message_not_found"})
                elif method == "chat.update":
                    payload = json.dumps({"ok": True, "channel": call.channel_id, "ts": body[key]})
                else:
                    link = f"https://fake.slack.test/archives/{call.channel_id}/p{body[key]}"
                    payload = json.dumps(
                        {"ok": True, "channel": call.channel_id, "permalink": link}
                    )
            else:
                self.send_response(200)
                channel = call.channel_id or body.get("channel")
                payload = json.dumps({"ok": True, "channel": channel, "ts": ts})
            data = payload.encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeSlack(server)
    threading.Thread(target=server.serve_forever, daemon=True, name="fake-slack").start()
    return fake

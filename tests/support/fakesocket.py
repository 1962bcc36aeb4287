"""A local stand-in for Slack's Socket Mode: a WebSocket server (aiohttp, on loopback) that
the real slack-sdk client connects to, which sends envelopes as Slack does and records the
acknowledgements the app sends back.

Slack opens with a ``hello`` message, then sends each interaction as an envelope
(``{"envelope_id", "type": "interactive", "payload", "accepts_response_payload"}``) and
expects ``{"envelope_id"}`` back within 3 seconds, else it delivers the envelope again.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any

from aiohttp import WSMsgType, web


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: list[str] = []
        self.connected = threading.Event()
        self._acked = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._sockets: list[web.WebSocketResponse] = []
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-socket-mode", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake Socket Mode server did not start")

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._ready.set()
        self._loop.run_forever()

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "A0FAKE"}}))  # fmt: skip
        self.connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                with self._acked:
                    self.acks.append(str(data.get("envelope_id")))
                    self._acked.notify_all()
        return ws

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def send(self, payload: dict[str, Any], kind: str = "interactive") -> str:
        """Send one envelope to every connected client; its id."""
        envelope_id = uuid.uuid4().hex
        text = json.dumps({"envelope_id": envelope_id, "type": kind, "payload": payload,
                           "accepts_response_payload": False, "retry_attempt": 0})  # fmt: skip

        async def push() -> None:
            for ws in self._sockets:
                if not ws.closed:
                    await ws.send_str(text)

        asyncio.run_coroutine_threadsafe(push(), self._loop).result(10)
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> bool:
        with self._acked:
            return self._acked.wait_for(lambda: envelope_id in self.acks, timeout)

    def close(self) -> None:
        async def stop() -> None:
            for ws in self._sockets:
                await ws.close()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

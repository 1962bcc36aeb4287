"""A generic webhook sink: the alert as JSON, signed so the receiver can trust it came from us.

The signature is HMAC-SHA256 over ``"<timestamp>.<body>"`` (the Stripe/Slack scheme), so a
receiver can reject both forged bodies and replays of old ones. The secret is a ``SecretStr``
and never appears in logs or reprs.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

import httpx
from pydantic import SecretStr

from borderwatch.core.backoff import backoff_delay
from borderwatch.core.models import Alert
from borderwatch.notifiers.base import Notifier
from borderwatch.notifiers.feedback import OpsEvent

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Borderwatch-Signature"
TIMESTAMP_HEADER = "X-Borderwatch-Timestamp"
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver runs (and what the tests run): constant-time comparison."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookError(RuntimeError):
    pass


def _retry_after(response: httpx.Response) -> float:
    """A 429/503's ``Retry-After`` in seconds (0 when absent or an HTTP date)."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return 0.0


class WebhookNotifier(Notifier):
    name = "webhook"
    pages = True

    def __init__(
        self,
        url: str,
        secret: SecretStr | None = None,
        *,
        timeout_s: float = 10.0,
        attempts: int = 4,
        backoff_s: float = 0.5,
        backoff_cap_s: float = 30.0,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook URL must be http(s): {url!r}")
        self.url = url
        self._secret = secret
        self.attempts = attempts
        self.backoff_s, self.backoff_cap_s = backoff_s, backoff_cap_s
        # One pooled client: the receiver is one host, so its connection is kept between alerts.
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            headers={"Content-Type": "application/json", "User-Agent": "borderwatch-webhook"},
        )

    def __repr__(self) -> str:
        return f"WebhookNotifier(url={self.url!r}, signed={self._secret is not None})"

    def _headers(self, body: bytes) -> dict[str, str]:
        """Signed afresh for every attempt, so a retry is not mistaken for a replay."""
        if self._secret is None:
            return {}
        stamp = str(int(time.time()))
        return {
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(self._secret.get_secret_value(), stamp, body),
        }

    def send(self, alert: Alert) -> str | None:
        """POST once; retry transient failures (429, 5xx, connection errors and timeouts) with
        the house backoff, then raise."""
        self._post(alert.model_dump_json(exclude_none=True).encode(), f"alert {alert.alert_id}")
        return None

    def event(self, event: OpsEvent) -> None:
        """What ops did in Slack, POSTed and signed like an alert (its ``type`` tells them
        apart: ``acknowledgement``, ``silence``, ``feedback``)."""
        self._post(event.model_dump_json(exclude_none=True).encode(), f"{event.type} event")

    def _post(self, body: bytes, what: str) -> None:
        last = ""
        for attempt in range(1, self.attempts + 1):
            wait = 0.0
            try:
                response = self._client.post(self.url, content=body, headers=self._headers(body))
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.is_success:
                    return
                last = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUS:
                    break
                wait = min(_retry_after(response), self.backoff_cap_s)
            if attempt < self.attempts:
                delay = max(wait, backoff_delay(attempt, self.backoff_s, self.backoff_cap_s))
                log.info("webhook %s: %s; retrying in %.1fs", self.url, last, delay)
                time.sleep(delay)
        raise WebhookError(f"webhook {self.url} failed for {what}: {last}")

    def close(self) -> None:
        self._client.close()

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
import urllib.error
import urllib.request

from pydantic import SecretStr

from borderwatch.core.models import Alert
from borderwatch.notifiers.base import Notifier

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
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook URL must be http(s): {url!r}")
        self.url = url
        self._secret = secret
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s

    def __repr__(self) -> str:
        return f"WebhookNotifier(url={self.url!r}, signed={self._secret is not None})"

    def _request(self, body: bytes) -> urllib.request.Request:
        headers = {"Content-Type": "application/json", "User-Agent": "borderwatch-webhook"}
        if self._secret is not None:
            stamp = str(int(time.time()))
            headers[TIMESTAMP_HEADER] = stamp
            headers[SIGNATURE_HEADER] = sign(self._secret.get_secret_value(), stamp, body)
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")

    def send(self, alert: Alert) -> str | None:
        """POST once; retry transient failures with exponential backoff, then raise."""
        body = alert.model_dump_json(exclude_none=True).encode()
        last = ""
        for attempt in range(self.attempts):
            try:
                with urllib.request.urlopen(self._request(body), timeout=self.timeout_s) as resp:
                    resp.read(1024)
                return None
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code not in RETRY_STATUS:
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                last = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            if attempt + 1 < self.attempts:
                time.sleep(self.backoff_s * 2**attempt)
        raise WebhookError(f"webhook {self.url} failed for alert {alert.alert_id}: {last}")

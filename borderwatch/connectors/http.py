"""Fetching from the hostile web: size caps while reading, redirects re-checked, SSRF refused.

A feed URL is configuration, but its redirects and DNS answers are not: every hop is resolved
and refused when it points at loopback, private, link-local (cloud metadata), reserved or
multicast addresses, unless the host is allow-listed. Bodies are capped while reading (and
while decompressing gzip), so a huge or endless answer cannot exhaust memory.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from typing import IO

USER_AGENT = "borderwatch/0.1 (+https://github.com/borderwatch/borderwatch; feeds)"
CHUNK = 64 * 1024


class FetchError(Exception):
    """A fetch refused or failed; ``code`` is the stable problem code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class FetchResult:
    status: int  # 200, or 304 (not modified: no body)
    body: bytes
    url: str  # after redirects
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow: tuple[str, ...] = ()  # hosts or CIDRs allowed despite being private

    def allowed(self, host: str, addresses: Iterable[str]) -> bool:
        if host in self.allow:
            return True
        nets = []
        for entry in self.allow:
            try:
                nets.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                continue
        return all(any(ipaddress.ip_address(a) in n for n in nets) for a in addresses)


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved
        or ip.is_multicast or ip.is_unspecified
    )  # fmt: skip


def check_url(url: str, policy: FetchPolicy) -> None:
    """Refuse non-HTTP schemes and hosts that resolve to internal addresses."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("F010", f"not an http(s) URL: {url!r}")
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise FetchError("F011", f"cannot resolve {host}: {exc}") from exc
    addresses = sorted({str(info[4][0]) for info in infos})
    bad = [a for a in addresses if _forbidden(a)]
    if bad and not policy.allowed(host, bad):
        raise FetchError(
            "F012", f"refused {host}: resolves to internal address {', '.join(bad)} "
            "(allow-list it in feeds_allow if intended)"
        )  # fmt: skip


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # we follow redirects ourselves, checking every hop


_OPENER = urllib.request.build_opener(_NoRedirect)


def _read_capped(stream: IO[bytes], headers: Message, max_bytes: int) -> bytes:
    gz = (headers.get("Content-Encoding") or "").lower() in ("gzip", "x-gzip")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gz else None
    out = bytearray()
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        if inflate is not None:
            chunk = inflate.decompress(chunk, max_bytes + 1 - len(out))
        out += chunk
        if len(out) > max_bytes:
            raise FetchError("F013", f"body exceeds {max_bytes} bytes; refused")
    if inflate is not None:
        out += inflate.flush()
        if len(out) > max_bytes:
            raise FetchError("F013", f"body exceeds {max_bytes} bytes; refused")
    return bytes(out)


def fetch(
    url: str,
    policy: FetchPolicy | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """GET with a conditional request, gzip, checked redirects and a capped body."""
    policy = policy or FetchPolicy()
    current = url
    for _ in range(policy.max_redirects + 1):
        check_url(current, policy)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(current, headers=headers)
        timeout = max(policy.connect_timeout_s, policy.read_timeout_s)
        try:
            response = _OPENER.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return FetchResult(304, b"", current, etag, last_modified)
            if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                current = urllib.parse.urljoin(current, exc.headers["Location"])
                continue
            raise FetchError("F014", f"HTTP {exc.code} from {current}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError("F015", f"fetch failed: {type(exc).__name__}: {reason}") from exc
        with response:
            try:
                body = _read_capped(response, response.headers, policy.max_bytes)
            except (TimeoutError, OSError, zlib.error) as exc:
                raise FetchError("F015", f"reading failed: {type(exc).__name__}: {exc}") from exc
            return FetchResult(
                response.status, body, current,
                response.headers.get("ETag"), response.headers.get("Last-Modified"),
            )  # fmt: skip
    raise FetchError("F016", f"more than {policy.max_redirects} redirects from {url}")

"""Fetching from the hostile web: size caps while reading, redirects re-checked, SSRF refused.

A feed URL is configuration, but its redirects and DNS answers are not: every hop is resolved
and refused when it points at loopback, private, link-local (cloud metadata), reserved or
multicast addresses, unless the host is allow-listed. The request then goes to the address
that was checked (the URL's host is replaced by it; ``Host`` and the TLS server name keep the
real name, so certificates are still verified against it), so a DNS answer that changes
between the check and the connection (DNS rebinding) cannot reach an internal address.
Environment proxies are ignored for the same reason: behind a proxy, the proxy resolves.

Bodies are capped while reading and while inflating gzip (we ask for the raw bytes and inflate
them ourselves, bounded), so neither an endless answer nor a gzip bomb can exhaust memory.
Connect and read timeouts are separate (httpx), and connections are never reused, so a
connection verified for one host never carries a request for another on the same address.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import httpx

from borderwatch.core.errors import Code, Codes

USER_AGENT = "borderwatch/0.1 (+https://github.com/borderwatch/borderwatch; feeds)"
CHUNK = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# The system's CAs, as urllib used; built once, since loading them costs more than a fetch.
_TLS = ssl.create_default_context()


class FetchError(Exception):
    """A fetch refused or failed; ``code`` is the stable problem code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    @classmethod
    def of(cls, code: Code, **fields: object) -> FetchError:
        """The failure ``code`` names, its message filled from ``fields``."""
        return cls(code.code, code.format(**fields))


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

    @property
    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout_s,
            read=self.read_timeout_s,
            write=self.read_timeout_s,
            pool=self.connect_timeout_s,
        )


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved
        or ip.is_multicast or ip.is_unspecified
    )  # fmt: skip


def _parse(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError.of(Codes.F010, url=url) from exc
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise FetchError.of(Codes.F010, url=url)
    return parsed


def check_url(url: str, policy: FetchPolicy) -> list[str]:
    """Refuse non-HTTP schemes and hosts that resolve to internal addresses; the addresses
    to connect to, in the resolver's order of preference."""
    return _addresses(_parse(url), policy)


def _addresses(url: httpx.URL, policy: FetchPolicy) -> list[str]:
    host = url.raw_host.decode("ascii")  # IDNA-encoded, as the resolver wants it
    try:
        infos = socket.getaddrinfo(host, url.port or (443 if url.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError.of(Codes.F011, host=host, error=exc) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    bad = sorted(a for a in addresses if _forbidden(a))
    if bad and not policy.allowed(url.host, bad):
        raise FetchError.of(Codes.F012, host=host, addresses=", ".join(bad))
    return addresses


def _inflated(chunks: Iterator[bytes], gzip: bool, max_bytes: int) -> bytes:
    """The body, refused as soon as either the bytes on the wire or the inflated bytes pass
    ``max_bytes``; inflating never produces more than one byte past the cap."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
    out = bytearray()
    wire = 0
    for chunk in chunks:
        wire += len(chunk)
        if inflate is not None:
            chunk = inflate.decompress(chunk, max_bytes + 1 - len(out))
        out += chunk
        if len(out) > max_bytes or wire > max_bytes:
            raise FetchError.of(Codes.F013, max_bytes=max_bytes)
    if inflate is not None:
        out += inflate.flush()
        if len(out) > max_bytes:
            raise FetchError.of(Codes.F013, max_bytes=max_bytes)
    return bytes(out)


def _send(client: httpx.Client, url: httpx.URL, addresses: list[str],
          headers: dict[str, str]) -> httpx.Response:  # fmt: skip
    """Send to the checked addresses in turn (a refused or unreachable one is skipped, as a
    resolver-order connect does); a timeout is final, so one dead host costs one timeout."""
    host = url.raw_host.decode("ascii")
    failure: httpx.ConnectError | None = None
    for address in addresses:
        request = client.build_request(
            "GET", url.copy_with(host=address), extensions={"sni_hostname": host},
            headers={**headers, "Host": url.netloc.decode("ascii")},
        )  # fmt: skip
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError as exc:
            failure = exc
    assert failure is not None  # check_url returns at least one address or raises
    raise failure


def _failure(exc: httpx.HTTPError, policy: FetchPolicy) -> FetchError:
    if isinstance(exc, httpx.ConnectTimeout):
        reason = f"connect timed out after {policy.connect_timeout_s:g}s"
    elif isinstance(exc, httpx.ReadTimeout):
        reason = f"read timed out after {policy.read_timeout_s:g}s"
    else:
        reason = f"{type(exc).__name__}: {exc}"
    return FetchError.of(Codes.F015, step="fetch", error=reason)


def fetch(
    url: str,
    policy: FetchPolicy | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """GET with a conditional request, gzip, checked redirects and a capped body."""
    policy = policy or FetchPolicy()
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    shown, current = url, _parse(url)  # ``shown``: the URL as written, for results and errors
    with httpx.Client(
        timeout=policy.timeout, verify=_TLS, trust_env=False, follow_redirects=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    ) as client:  # fmt: skip
        for _ in range(policy.max_redirects + 1):
            addresses = _addresses(current, policy)
            try:
                response = _send(client, current, addresses, headers)
            except httpx.HTTPError as exc:
                raise _failure(exc, policy) from exc
            except httpx.InvalidURL as exc:  # not an HTTPError: a hop httpx cannot even send
                raise FetchError.of(Codes.F010, url=shown) from exc
            try:
                status, location = response.status_code, response.headers.get("Location")
                if status == 304:
                    return FetchResult(304, b"", shown, etag, last_modified)
                if status in REDIRECTS and location:
                    shown = _join(current, location)
                    current = _parse(shown)
                    continue
                if not 200 <= status < 300:
                    raise FetchError.of(Codes.F014, status=status, url=shown)
                return FetchResult(
                    status, _body(response, policy), shown,
                    response.headers.get("ETag"), response.headers.get("Last-Modified"),
                )  # fmt: skip
            finally:
                response.close()
    raise FetchError.of(Codes.F016, max_redirects=policy.max_redirects, url=url)


def _join(base: httpx.URL, location: str) -> str:
    try:
        return str(base.join(location))
    except httpx.InvalidURL as exc:
        raise FetchError.of(Codes.F010, url=location) from exc


def _body(response: httpx.Response, policy: FetchPolicy) -> bytes:
    gzip = response.headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip")
    try:
        return _inflated(response.iter_raw(CHUNK), gzip, policy.max_bytes)
    except httpx.HTTPError as exc:
        raise _failure(exc, policy) from exc
    except zlib.error as exc:
        raise FetchError.of(Codes.F015, step="reading", error=f"bad gzip: {exc}") from exc

"""Fetching feeds and pages from other sites, carefully.

Only http and https; timeouts on connecting and reading; a size limit read as
the body streams in; at most a few redirects, each checked like the first
request; and no loopback, link-local, private or otherwise internal address
unless FETCH_ALLOW_PRIVATE_NETWORKS is on. That last check is made where the
connection is opened: the host name is resolved once, every address is
checked, and only a checked address is connected to, so a DNS answer that
changes between a check and the connection (DNS rebinding) never gets a byte
of the request. The Host header and the TLS server name stay the URL's host.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.conf import settings

USER_AGENT = "NewsroomBot/1.0 (+https://github.com/newsroom; feed reader)"
MAX_REDIRECTS = 3


class FetchFailed(Exception):
    """One plain sentence on why a URL could not be fetched."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: str = ""):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass
class Fetched:
    url: str
    status: int
    content: bytes = b""
    headers: dict = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


class _Refused(Exception):
    """A host that resolves to a refused address, or not at all (`address` is "")."""

    def __init__(self, host: str, address: str = ""):
        super().__init__(host, address)
        self.host = host
        self.address = address

    def sentence(self, url: str) -> str:
        if not self.address:
            return f"{url}: the host name {self.host} does not resolve."
        return (
            f"{url}: {self.host} is a local or private address ({self.address}), which "
            "is not fetched (set FETCH_ALLOW_PRIVATE_NETWORKS=1 to allow it)."
        )


def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in order; _Refused unless all are public."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise _Refused(host) from None
    addresses = list(dict.fromkeys(sockaddr[0] for *_, sockaddr in answers))
    if not addresses:
        raise _Refused(host)
    for address in addresses:
        if _refused(address):
            raise _Refused(host, address)
    return addresses


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchFailed(f"{url}: only http and https addresses can be fetched.")
    if not parts.hostname:
        raise FetchFailed(f"{url}: the address has no host name.")


def check_url(url: str) -> None:
    """FetchFailed unless `url` is http(s) to a host whose every address is public.

    fetch() does not rely on this answer: it checks again as it connects.
    """
    _check_scheme(url)
    if settings.FETCH_ALLOW_PRIVATE_NETWORKS:
        return
    parts = urlsplit(url)
    try:
        public_addresses(parts.hostname, parts.port or 0)
    except _Refused as refused:
        raise FetchFailed(refused.sentence(url)) from None


class _PublicOnlyBackend(httpcore.SyncBackend):
    """Opens connections only to addresses just checked to be public."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if settings.FETCH_ALLOW_PRIVATE_NETWORKS:
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        failure = None
        # Connecting to the address itself, not the name: the name is not resolved again.
        for address in public_addresses(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as error:
                failure = error
        raise failure


def _transport() -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport()
    # httpx takes no network backend of its own; the httpcore pool under it does.
    # The pool's origin keeps the URL's host, so Host and the TLS server name stay right.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=_PublicOnlyBackend()
    )
    return transport


def fetch(url: str, *, etag: str = "", last_modified: str = "", accept: str = "*/*") -> Fetched:
    """GET `url` (conditionally when validators are given); FetchFailed says why not."""
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(settings.FETCH_READ_TIMEOUT, connect=settings.FETCH_CONNECT_TIMEOUT)
    limit = settings.FETCH_MAX_BYTES
    deadline = time.monotonic() + settings.FETCH_TOTAL_TIMEOUT
    # No proxies from the environment: a proxy would resolve the names itself, unchecked.
    with httpx.Client(
        transport=_transport(),
        trust_env=False,
        timeout=timeout,
        follow_redirects=False,
        headers=headers,
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            _check_scheme(url)
            try:
                with client.stream("GET", url) as response:
                    if response.status_code == 304:
                        return Fetched(url=url, status=304, headers=dict(response.headers))
                    if response.has_redirect_location:
                        url = urljoin(url, response.headers["Location"])
                        continue
                    if response.status_code >= 400:
                        raise FetchFailed(
                            f"{url}: the server answered {response.status_code} "
                            f"{response.reason_phrase}.",
                            status=response.status_code,
                            retry_after=response.headers.get("Retry-After", ""),
                        )
                    declared = int(response.headers.get("Content-Length") or 0)
                    if declared > limit:
                        raise FetchFailed(_too_large(url, limit))
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body.extend(chunk)
                        if len(body) > limit:
                            raise FetchFailed(_too_large(url, limit))
                        # The read timeout is per read: a server trickling bytes
                        # would never trip it, so the whole fetch has a deadline.
                        if time.monotonic() > deadline:
                            raise FetchFailed(f"{url}: the server did not answer in time.")
                    return Fetched(
                        url=str(response.url),
                        status=response.status_code,
                        content=bytes(body),
                        headers=dict(response.headers),
                    )
            except _Refused as refused:
                raise FetchFailed(refused.sentence(url)) from None
            except httpx.TimeoutException:
                raise FetchFailed(f"{url}: the server did not answer in time.") from None
            except httpx.HTTPError as error:
                raise FetchFailed(f"{url}: could not be fetched ({error}).") from None
    raise FetchFailed(f"{url}: more than {MAX_REDIRECTS} redirects.")


def _too_large(url: str, limit: int) -> str:
    return f"{url}: is larger than the {_size(limit)} a page or feed may be."


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    if count >= 1024:
        return f"{count / 1024:g} kB"
    return f"{count} bytes"

"""Fetching feeds and pages from other sites, carefully.

Only http and https; timeouts on connecting and reading; a size limit read as
the body streams in; at most a few redirects, each checked like the first
request; and no loopback, link-local, private or otherwise internal address,
checked both on the DNS answer before connecting and on the address actually
connected to (so a DNS answer that changes between the two does not get
through), unless FETCH_ALLOW_PRIVATE_NETWORKS is on.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

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


def check_url(url: str) -> None:
    """FetchFailed unless `url` is http(s) to a host whose every address is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchFailed(f"{url}: only http and https addresses can be fetched.")
    if not parts.hostname:
        raise FetchFailed(f"{url}: the address has no host name.")
    if settings.FETCH_ALLOW_PRIVATE_NETWORKS:
        return
    try:
        answers = socket.getaddrinfo(parts.hostname, parts.port or 0, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise FetchFailed(f"{url}: the host name {parts.hostname} does not resolve.") from None
    for *_, sockaddr in answers:
        if _refused(sockaddr[0]):
            raise FetchFailed(
                f"{url}: {parts.hostname} is a local or private address ({sockaddr[0]}), which "
                "is not fetched (set FETCH_ALLOW_PRIVATE_NETWORKS=1 to allow it)."
            )


def _check_peer(url: str, response: httpx.Response) -> None:
    if settings.FETCH_ALLOW_PRIVATE_NETWORKS:
        return
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and _refused(peer[0]):
        raise FetchFailed(
            f"{url}: the server answered from a local or private address ({peer[0]}), "
            "which is not fetched."
        )


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
    with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url)
            try:
                with client.stream("GET", url) as response:
                    _check_peer(url, response)
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

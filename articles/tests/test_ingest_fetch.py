"""Fetching other sites safely: timeouts, size limits, redirects, schemes, private networks,
and hostile XML. The only network involved is a server on 127.0.0.1 the tests start;
where a test needs another address, DNS (what crosses the network) is replaced."""

import contextlib
import socket
import ssl
import threading
import time

import pytest

from articles.ingest import fetch as fetching
from articles.ingest.fetch import USER_AGENT, FetchFailed, check_url, fetch
from articles.models import Article, ArticleBlock, Source

from .factories import SourceFactory
from .feed_server import Answer, FeedServer, fetch_sources, import_articles, rss_feed, rss_item

SOURCE_NAME = "أخبار الوادي"
STORY = (
    "تشجير الطريق المؤدي إلى القرية",
    "زرع المتطوعون مئة شجرة على جانبي الطريق المؤدي إلى القرية.",
)
FEED = rss_feed(
    rss_item(
        title=STORY[0],
        link="https://wadi.example/news/trees",
        guid="wadi-77",
        description=f"<p>{STORY[1]}</p>",
        pub_date="Tue, 05 Mar 2024 10:00:00 +0300",
    )
)
PRIVATE_REFUSAL = "which is not fetched (set FETCH_ALLOW_PRIVATE_NETWORKS=1 to allow it)."


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # the test server is on 127.0.0.1
    with FeedServer() as running:
        yield running


@pytest.fixture
def private_networks_refused(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False


@pytest.fixture
def loopback_counts_as_public(monkeypatch, private_networks_refused):
    """The test server's 127.0.0.1 stands in for a public site; every other address is
    judged as in production."""
    real = fetching._refused
    monkeypatch.setattr(
        fetching, "_refused", lambda address: address != "127.0.0.1" and real(address)
    )


def resolve(monkeypatch, answers: dict[str, list[str]]) -> dict[str, int]:
    """DNS for the named hosts: each lookup takes the next address of the host's list
    (the last one repeats); other names and literal addresses resolve as usual.
    Returns how many times each named host has been looked up so far."""
    real = socket.getaddrinfo
    served: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        index = served.get(host, 0)
        served[host] = index + 1
        address = answers[host][min(index, len(answers[host]) - 1)]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 80))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return served


def row_counts() -> tuple[int, int]:
    return Article.objects.count(), ArticleBlock.objects.count()


def failure_of(url: str, **options) -> str:
    with pytest.raises(FetchFailed) as raised:
        fetch(url, **options)
    return str(raised.value)


# Timeouts.


def test_fetch_slow_server_fails_clearly_within_a_bounded_time(server, settings):
    settings.FETCH_READ_TIMEOUT = 0.5
    server.respond("/rss.xml", Answer(200, FEED.encode(), delay=10))
    url = server.url_for("/rss.xml")
    started = time.monotonic()

    message = failure_of(url)

    assert (message, time.monotonic() - started < 3) == (
        f"{url}: the server did not answer in time.",
        True,
    )


def test_fetch_server_that_trickles_its_body_fails_within_a_bounded_time(server, settings):
    # Each byte comes sooner than the read timeout, so only a deadline for the whole
    # response stops a server that never finishes.
    settings.FETCH_READ_TIMEOUT = 0.5
    settings.FETCH_TOTAL_TIMEOUT = 2  # if the fix names its setting so; else a few reads
    server.respond("/rss.xml", Answer(200, b"x" * 24, trickle=0.3))
    url = server.url_for("/rss.xml")
    started = time.monotonic()

    message = failure_of(url)

    assert (message, time.monotonic() - started < 4) == (
        f"{url}: the server did not answer in time.",
        True,
    )


@pytest.mark.django_db
def test_fetch_sources_slow_feed_is_a_failure_that_stores_nothing(server, settings):
    settings.FETCH_READ_TIMEOUT = 0.5
    server.respond("/rss.xml", Answer(200, FEED.encode(), delay=10))
    source = SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for("/rss.xml"))

    lines = fetch_sources()

    assert (lines[0], row_counts()) == (
        f"{SOURCE_NAME}: failed: {source.feed_url}: the server did not answer in time.",
        (0, 0),
    )


# Size.


def test_fetch_larger_body_than_allowed_fails(server, settings):
    settings.FETCH_MAX_BYTES = 1000
    server.publish("/rss.xml", b"<rss>" + b" " * 5000 + b"</rss>")
    url = server.url_for("/rss.xml")

    message = failure_of(url)

    assert message.startswith(f"{url}: is larger than")


def test_fetch_larger_body_without_content_length_fails_while_reading(server, settings):
    settings.FETCH_MAX_BYTES = 1000
    server.respond(
        "/rss.xml", Answer(200, b"<rss>" + b" " * 50_000 + b"</rss>", content_length=False)
    )
    url = server.url_for("/rss.xml")

    message = failure_of(url)

    assert message.startswith(f"{url}: is larger than")


def test_fetch_size_failure_states_a_limit_under_a_megabyte_readably(server, settings):
    settings.FETCH_MAX_BYTES = 1000
    server.publish("/rss.xml", b"<rss>" + b" " * 5000 + b"</rss>")

    message = failure_of(server.url_for("/rss.xml"))

    assert " 0 MB" not in message


def test_fetch_body_at_the_limit_is_read(server, settings):
    settings.FETCH_MAX_BYTES = 1000
    server.publish("/rss.xml", b"x" * 1000)

    fetched = fetch(server.url_for("/rss.xml"))

    assert (fetched.status, len(fetched.content)) == (200, 1000)


@pytest.mark.django_db
def test_fetch_sources_oversized_feed_is_a_failure_that_stores_nothing(server, settings):
    settings.FETCH_MAX_BYTES = 200
    server.publish("/rss.xml", FEED)
    SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for("/rss.xml"))

    lines = fetch_sources()

    assert (lines[0].startswith(f"{SOURCE_NAME}: failed: "), "is larger than" in lines[0]) == (
        True,
        True,
    )
    assert row_counts() == (0, 0)


# Conditional requests.


def test_fetch_with_the_current_etag_is_not_modified(server):
    document = server.publish("/rss.xml", FEED)

    fetched = fetch(server.url_for("/rss.xml"), etag=document.etag)

    assert (fetched.status, fetched.not_modified, fetched.content, len(server.requests)) == (
        304,
        True,
        b"",
        1,
    )


def test_fetch_with_the_current_date_is_not_modified(server):
    document = server.publish("/rss.xml", FEED)

    fetched = fetch(server.url_for("/rss.xml"), last_modified=document.last_modified)

    assert (fetched.not_modified, len(server.requests)) == (True, 1)


def test_fetch_with_an_old_etag_gets_the_document(server):
    server.publish("/rss.xml", FEED)

    fetched = fetch(server.url_for("/rss.xml"), etag='"an-old-version"')

    assert (fetched.status, fetched.content) == (200, FEED.encode())


# Redirects.


def test_fetch_follows_three_redirects(server):
    server.redirect("/old", "/older", status=301)
    server.redirect("/older", "/oldest", status=302)
    server.redirect("/oldest", "/rss.xml", status=307)
    server.publish("/rss.xml", FEED)

    fetched = fetch(server.url_for("/old"))

    assert (fetched.url, fetched.content, len(server.requests)) == (
        server.url_for("/rss.xml"),
        FEED.encode(),
        4,
    )


def test_fetch_refuses_a_fourth_redirect(server):
    for step in range(4):
        server.redirect(f"/step{step}", f"/step{step + 1}")
    server.publish("/step4", FEED)

    message = failure_of(server.url_for("/step0"))

    assert (message.endswith("more than 3 redirects."), len(server.requests)) == (True, 4)


def test_fetch_sends_the_same_headers_after_a_redirect(server):
    server.redirect("/old", "/rss.xml", status=308)
    server.publish("/rss.xml", FEED)

    fetch(server.url_for("/old"), etag='"abc"', accept="application/rss+xml")

    headers = server.requests_to("/rss.xml")[0].headers
    assert (headers["user-agent"], headers["accept"], headers["if-none-match"]) == (
        USER_AGENT,
        "application/rss+xml",
        '"abc"',
    )


def test_fetch_refuses_a_redirect_to_a_file_url(server):
    server.redirect("/rss.xml", "file:///etc/passwd")

    message = failure_of(server.url_for("/rss.xml"))

    assert message == "file:///etc/passwd: only http and https addresses can be fetched."


# Schemes.


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://wadi.example/rss.xml", "gopher://wadi.example/1"]
)
def test_fetch_refuses_anything_but_http_and_https(url):
    message = failure_of(url)

    assert message == f"{url}: only http and https addresses can be fetched."


@pytest.mark.django_db
def test_import_articles_refuses_a_file_url():
    _out, err = import_articles("file:///etc/passwd")

    assert (err[0], row_counts()) == (
        "file:///etc/passwd: only files and http(s) URLs can be imported.",
        (0, 0),
    )


@pytest.mark.django_db
def test_fetch_sources_refuses_an_ftp_feed():
    SourceFactory(name_ar=SOURCE_NAME, feed_url="ftp://wadi.example/rss.xml")

    lines = fetch_sources()

    assert lines == [
        f"{SOURCE_NAME}: failed: ftp://wadi.example/rss.xml: only http and https addresses "
        "can be fetched.",
        "CommandError: 1 source(s) polled, 1 failed.",
    ]


# Private networks.


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1/rss.xml", "127.0.0.1"),
        ("http://10.1.2.3/rss.xml", "10.1.2.3"),
        ("http://172.16.5.4/rss.xml", "172.16.5.4"),
        ("http://192.168.1.1/rss.xml", "192.168.1.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://100.64.0.1/rss.xml", "100.64.0.1"),
        ("http://0.0.0.0/rss.xml", "0.0.0.0"),  # noqa: S104 -- an address refused, not bound
        ("http://[::1]/rss.xml", "::1"),
        ("http://[fe80::1]/rss.xml", "fe80::1"),
        ("http://[fd00::1]/rss.xml", "fd00::1"),
        ("http://[::ffff:127.0.0.1]/rss.xml", "::ffff:127.0.0.1"),
    ],
)
def test_check_url_refuses_local_and_private_addresses(private_networks_refused, url, address):
    with pytest.raises(FetchFailed) as raised:
        check_url(url)

    assert str(raised.value).endswith(f"({address}), {PRIVATE_REFUSAL}")


def test_check_url_refuses_localhost_by_name(private_networks_refused):
    with pytest.raises(FetchFailed) as raised:
        check_url("http://localhost/rss.xml")

    # localhost may answer ::1 or 127.0.0.1 first, depending on the machine.
    assert str(raised.value).startswith(
        "http://localhost/rss.xml: localhost is a local or private address ("
    )


def test_fetch_refuses_the_loopback_test_server_before_connecting(server, settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    server.publish("/rss.xml", FEED)
    url = server.url_for("/rss.xml")

    message = failure_of(url)

    assert (message, server.requests) == (
        f"{url}: 127.0.0.1 is a local or private address (127.0.0.1), {PRIVATE_REFUSAL}",
        [],
    )


@pytest.mark.django_db
def test_fetch_sources_refuses_a_private_feed_and_stores_nothing(server, settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    server.publish("/rss.xml", FEED)
    source = SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for("/rss.xml"))

    lines = fetch_sources()

    source.refresh_from_db()
    assert (lines[0], row_counts(), server.requests, source.error_count) == (
        f"{SOURCE_NAME}: failed: {source.feed_url}: 127.0.0.1 is a local or private address "
        f"(127.0.0.1), {PRIVATE_REFUSAL}",
        (0, 0),
        [],
        1,
    )


@pytest.mark.django_db
def test_import_articles_refuses_a_private_url_and_stores_nothing(server, settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    server.publish("/rss.xml", FEED)
    url = server.url_for("/rss.xml")

    _out, err = import_articles(url)

    assert (err[0], row_counts(), Source.objects.count()) == (
        f"{url}: 127.0.0.1 is a local or private address (127.0.0.1), {PRIVATE_REFUSAL}",
        (0, 0),
        0,
    )


def test_fetch_refuses_a_redirect_to_a_private_address(server, loopback_counts_as_public):
    server.redirect("/rss.xml", "http://10.0.0.7/rss.xml")

    message = failure_of(server.url_for("/rss.xml"))

    assert message == (
        f"http://10.0.0.7/rss.xml: 10.0.0.7 is a local or private address (10.0.0.7), "
        f"{PRIVATE_REFUSAL}"
    )


def test_fetch_refuses_a_redirect_to_a_name_that_resolves_to_a_private_address(
    server, loopback_counts_as_public, monkeypatch
):
    resolve(monkeypatch, {"intranet.example": ["192.168.10.5"]})
    server.redirect("/rss.xml", "http://intranet.example/admin")

    message = failure_of(server.url_for("/rss.xml"))

    assert message == (
        "http://intranet.example/admin: intranet.example is a local or private address "
        f"(192.168.10.5), {PRIVATE_REFUSAL}"
    )


def test_fetch_refuses_a_name_whose_second_dns_answer_is_private(
    server, private_networks_refused, monkeypatch, settings
):
    # Looked up once, the name is public (192.0.2.80 stands in for a public address
    # here); looked up again, it is the loopback test server: a DNS-rebinding attack.
    # The name must be looked up once, and the checked address be the one connected
    # to, so the test server never hears from the fetcher.
    settings.FETCH_CONNECT_TIMEOUT = 1
    real = fetching._refused
    monkeypatch.setattr(
        fetching, "_refused", lambda address: address != "192.0.2.80" and real(address)
    )
    lookups = resolve(monkeypatch, {"rebind.example": ["192.0.2.80", "127.0.0.1"]})
    server.publish("/rss.xml", FEED)
    url = f"http://rebind.example:{server.port}/rss.xml"

    message = failure_of(url)

    assert (message.startswith(f"{url}: "), lookups, server.requests) == (
        True,
        {"rebind.example": 1},
        [],
    )


def test_fetch_connects_to_the_address_it_checked_and_names_the_host(
    server, loopback_counts_as_public, monkeypatch
):
    # Once checked, the name is never looked up again: the connection goes to the
    # checked address, while the request still names the host it asked for.
    resolve(monkeypatch, {"wadi.example": ["127.0.0.1", "10.0.0.7"]})
    server.publish("/rss.xml", FEED)

    fetched = fetch(f"http://wadi.example:{server.port}/rss.xml")

    assert (fetched.status, [request.headers["host"] for request in server.requests]) == (
        200,
        [f"wadi.example:{server.port}"],
    )


@pytest.fixture
def tls_names():
    """A TLS listener on 127.0.0.1 that records the server name each client asks for.
    It has no certificate, so every handshake fails once the name has been read."""
    names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.sni_callback = lambda _socket, name, _context: names.append(name)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(5)

        def accept_one():
            with contextlib.suppress(OSError), listener.accept()[0] as connection:
                context.wrap_socket(connection, server_side=True)

        thread = threading.Thread(target=accept_one, daemon=True)
        thread.start()
        yield listener.getsockname()[1], names
        thread.join(timeout=5)


def test_fetch_over_tls_asks_for_the_host_by_name_not_by_the_checked_address(
    tls_names, loopback_counts_as_public, monkeypatch
):
    port, names = tls_names
    resolve(monkeypatch, {"wadi.example": ["127.0.0.1"]})

    with pytest.raises(FetchFailed):
        fetch(f"https://wadi.example:{port}/rss.xml")

    assert names == ["wadi.example"]


def test_fetch_refuses_a_name_with_one_private_address_among_public_ones(
    server, loopback_counts_as_public, monkeypatch
):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in ("127.0.0.1", "10.0.0.7")
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    server.publish("/rss.xml", FEED)
    url = f"http://wadi.example:{server.port}/rss.xml"

    message = failure_of(url)

    assert (message, server.requests) == (
        f"{url}: wadi.example is a local or private address (10.0.0.7), {PRIVATE_REFUSAL}",
        [],
    )


def test_fetch_allows_a_private_address_when_the_setting_says_so(server):
    server.publish("/rss.xml", FEED)

    fetched = fetch(server.url_for("/rss.xml"))

    assert (fetched.status, fetched.content) == (200, FEED.encode())


# Servers that answer with an error.


@pytest.mark.parametrize(
    ("status", "reason"),
    [(404, "Not Found"), (410, "Gone"), (500, "Internal Server Error"), (502, "Bad Gateway")],
)
def test_fetch_error_status_is_a_failure_naming_it(server, status, reason):
    server.respond("/rss.xml", Answer(status))
    url = server.url_for("/rss.xml")

    with pytest.raises(FetchFailed) as raised:
        fetch(url)

    assert (str(raised.value), raised.value.status) == (
        f"{url}: the server answered {status} {reason}.",
        status,
    )


def test_fetch_429_keeps_the_retry_after_it_was_given(server):
    server.respond("/rss.xml", Answer(429, headers={"Retry-After": "120"}))

    with pytest.raises(FetchFailed) as raised:
        fetch(server.url_for("/rss.xml"))

    assert (raised.value.status, raised.value.retry_after) == (429, "120")


def test_fetch_closed_port_is_a_failure(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/rss.xml"

    message = failure_of(url)

    assert message.startswith(f"{url}: could not be fetched (")


# Hostile XML.

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{level} "{("&lol" + (str(level - 1) if level > 1 else "") + ";") * 10}">\n'
        for level in range(1, 10)
    )
    + "]>\n"
    + rss_feed(
        rss_item(
            title="&lol9;",
            link="https://wadi.example/news/lol",
            description="<p>نص عربي قصير عن الضحك.</p>",
            escape=False,
        ),
        declaration=None,
    )
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n'
    + rss_feed(
        rss_item(
            title="سر &secret;",
            link="https://wadi.example/news/secret",
            description="<p>&secret;</p>",
            escape=False,
        ),
        declaration=None,
    )
)
# The same attack behind a long comment: the refusal must not depend on where it starts.
BILLION_LAUGHS_AFTER_A_COMMENT = BILLION_LAUGHS.replace(
    '<?xml version="1.0"?>\n', '<?xml version="1.0"?>\n<!--' + " تعليق" * 25_000 + " -->\n", 1
)
REFUSED = "declares XML entities, which feeds never need; it was refused."
HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "external entity": EXTERNAL_ENTITY,
    "billion laughs after a long comment": BILLION_LAUGHS_AFTER_A_COMMENT,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(HOSTILE))
def test_fetch_sources_refuses_hostile_xml_quickly_and_stores_nothing(server, name):
    server.publish("/rss.xml", HOSTILE[name])
    source = SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for("/rss.xml"))
    started = time.monotonic()

    lines = fetch_sources()

    assert (lines[0], row_counts(), time.monotonic() - started < 2) == (
        f"{SOURCE_NAME}: failed: {source.feed_url}: {REFUSED}",
        (0, 0),
        True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(HOSTILE))
def test_import_articles_refuses_hostile_xml_quickly_and_stores_nothing(tmp_path, name):
    path = tmp_path / "feed.xml"
    path.write_text(HOSTILE[name], encoding="utf-8")
    started = time.monotonic()

    _out, err = import_articles(str(path))

    assert (err[0], row_counts(), Source.objects.count(), time.monotonic() - started < 2) == (
        f"{path}: {REFUSED}",
        (0, 0),
        0,
        True,
    )

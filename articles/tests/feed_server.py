"""A local news site for the ingestion tests: feeds and pages served over real HTTP.

`FeedServer` runs on 127.0.0.1 (port 0) in a background thread. Each
published document is served with an ETag and a Last-Modified date, and a
request whose If-None-Match or If-Modified-Since matches them gets 304.
Tests can also queue one-off answers for a path: any status and headers (429
with Retry-After, 500, a redirect), a delay before the headers, a body that
trickles in byte by byte, or a body without Content-Length. Every request is
recorded with its headers, so tests assert what the fetcher sent.

The builders below write the documents: RSS and Atom feeds and HTML article
pages. All the Arabic the tests serve was written for these tests.
"""

import datetime
import hashlib
import html
import io
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from django.core.management import call_command
from django.core.management.base import CommandError

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
# Every document was last modified at this time unless a test says otherwise.
LAST_MODIFIED = datetime.datetime(2024, 3, 5, 8, 0, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with its query string
    headers: dict[str, str]  # names lower-cased


@dataclass
class Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


@dataclass(frozen=True)
class Answer:
    """A one-off answer to the next request for a path, instead of its document."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    trickle: float = 0.0  # seconds between two bytes of the body
    content_length: bool = True  # without it, the body ends when the connection closes


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: "FeedServer"):
        self.site = site
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.site.dispatch(self)

    do_HEAD = do_GET

    def log_message(self, message_format, *args):
        pass  # keep test output quiet


class FeedServer:
    """A recording HTTP server for feeds and pages, with conditional GET."""

    def __init__(self):
        self.requests: list[RecordedRequest] = []
        self._documents: dict[str, Document] = {}
        self._scripted: dict[str, list[Answer]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Running.

    def start(self) -> "FeedServer":
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends the delays and trickles nobody waits for any more
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> "FeedServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + path

    # What it serves.

    def publish(
        self,
        path: str,
        body: str | bytes,
        *,
        content_type: str = RSS_TYPE,
        last_modified: datetime.datetime = LAST_MODIFIED,
        headers: dict[str, str] | None = None,
        status: int = 200,
        validators: bool = True,
    ) -> Document:
        """Serve `body` at `path` from now on, with validators derived from its content
        (or, with `validators=False`, none: every request gets the whole document)."""
        data = body.encode() if isinstance(body, str) else body
        document = Document(
            body=data,
            content_type=content_type,
            etag=f'"{hashlib.sha256(data).hexdigest()[:16]}"' if validators else "",
            last_modified=format_datetime(last_modified, usegmt=True) if validators else "",
            headers=dict(headers or {}),
            status=status,
        )
        with self._lock:
            self._documents[path] = document
        return document

    def respond(self, path: str, answer: Answer, *, times: int = 1) -> None:
        """Answer the next `times` requests for `path` with `answer`."""
        with self._lock:
            self._scripted.setdefault(path, []).extend([answer] * times)

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        """Redirect every request for `path` to `location`."""
        self.publish(
            path, b"", content_type="text/plain", headers={"Location": location}, status=status
        )

    # What it was asked.

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    # Answering.

    def dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if path.startswith(("http://", "https://")):  # an absolute-form request line
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        request = RecordedRequest(
            method=handler.command,
            path=path,
            headers={name.lower(): value for name, value in handler.headers.items()},
        )
        with self._lock:
            self.requests.append(request)
            queued = self._scripted.get(path)
            answer = queued.pop(0) if queued else None
            document = self._documents.get(path)
        if answer is None:
            answer = self._answer_from(document, request) if document else Answer(404, b"")
        self._write(handler, answer)

    @staticmethod
    def _answer_from(document: Document, request: RecordedRequest) -> Answer:
        headers = {"Content-Type": document.content_type, **document.headers}
        if document.etag:
            headers.update({"ETag": document.etag, "Last-Modified": document.last_modified})
        if document.status != 200:
            return Answer(document.status, b"", headers)
        if _not_modified(document, request.headers):
            del headers["Content-Type"]
            return Answer(304, b"", headers)
        return Answer(200, document.body, headers)

    def _write(self, handler: BaseHTTPRequestHandler, answer: Answer) -> None:
        if answer.delay and self._stopping.wait(answer.delay):
            return
        try:
            handler.send_response(answer.status)
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            if answer.content_length:
                handler.send_header("Content-Length", str(len(answer.body)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            if handler.command == "HEAD":
                return
            if not answer.trickle:
                handler.wfile.write(answer.body)
                return
            for index in range(len(answer.body)):
                handler.wfile.write(answer.body[index : index + 1])
                handler.wfile.flush()
                if self._stopping.wait(answer.trickle):
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped listening: a timeout or size-limit test


def _not_modified(document: Document, headers: dict[str, str]) -> bool:
    """RFC 9110: If-None-Match decides when it is sent, else If-Modified-Since."""
    if not document.etag:
        return False
    if "if-none-match" in headers:
        tags = [tag.strip() for tag in headers["if-none-match"].split(",")]
        return "*" in tags or document.etag in tags
    if "if-modified-since" in headers:
        try:
            since = parsedate_to_datetime(headers["if-modified-since"])
        except (TypeError, ValueError):
            return False
        return parsedate_to_datetime(document.last_modified) <= since
    return False


# --- documents -------------------------------------------------------------------


def rss_item(
    *,
    title: str,
    link: str | None = None,
    guid: str | None = None,
    description: str = "",
    pub_date: str | None = None,
    extra: str = "",
    escape: bool = True,
) -> str:
    """One <item>. Title and description are XML-escaped unless `escape` is False
    (for fixtures that bring their own CDATA or entities)."""
    text = html.escape if escape else (lambda value: value)
    parts = [f"<title>{text(title)}</title>"]
    if link is not None:
        parts.append(f"<link>{html.escape(link)}</link>")
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{html.escape(guid)}</guid>')
    if description:
        parts.append(f"<description>{text(description)}</description>")
    if pub_date is not None:
        parts.append(f"<pubDate>{pub_date}</pubDate>")
    return "<item>" + "".join(parts) + extra + "</item>"


def rss_feed(
    *items: str,
    title: str = "أخبار الوادي",
    link: str = "https://wadi.example/",
    language: str = "ar",
    ttl: int | None = None,
    declaration: str | None = '<?xml version="1.0" encoding="utf-8"?>',
    prolog: str = "",
) -> str:
    """An RSS 2.0 document (with the Dublin Core and Media RSS namespaces declared)."""
    channel = [
        f"<title>{html.escape(title)}</title>",
        f"<link>{html.escape(link)}</link>",
        "<description>آخر الأخبار</description>",
    ]
    if language:
        channel.append(f"<language>{language}</language>")
    if ttl is not None:
        channel.append(f"<ttl>{ttl}</ttl>")
    head = f"{declaration}\n" if declaration else ""
    return (
        f"{head}{prolog}"
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:media="http://search.yahoo.com/mrss/">\n<channel>\n'
        + "\n".join(channel + list(items))
        + "\n</channel>\n</rss>\n"
    )


def atom_entry(*, title: str, link: str, entry_id: str, updated: str, content: str) -> str:
    return (
        f"<entry><title>{html.escape(title)}</title>"
        f'<link rel="alternate" href="{html.escape(link)}"/>'
        f"<id>{html.escape(entry_id)}</id><updated>{updated}</updated>"
        f'<content type="html">{html.escape(content)}</content></entry>'
    )


def atom_feed(*entries: str, title: str = "أخبار الساحل", link: str = "https://sahel.example/"):
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">\n'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="alternate" href="{html.escape(link)}"/>'
        "<id>urn:uuid:5b0c6f6e-0000-4000-8000-000000000001</id>"
        "<updated>2024-03-05T08:00:00Z</updated>\n" + "\n".join(entries) + "\n</feed>\n"
    )


def article_page(
    *,
    title: str,
    paragraphs: list[str],
    canonical: str | None = None,
    author: str = "",
    published: str = "",
    image: tuple[str, str] | None = None,  # (src, caption)
    quote: tuple[str, str] | None = None,  # (text, who)
    charset: str | None = "utf-8",
    head_extra: str = "",
    body_extra: str = "",
    boilerplate: bool = True,
) -> str:
    """An article page as news sites write them: navigation, a ticker, the article,
    a "most read" box and a footer around it."""
    head = []
    if charset:
        head.append(f'<meta charset="{charset}">')
    head.append(f"<title>{html.escape(title)} - جريدة الوادي</title>")
    head.append(f'<meta property="og:title" content="{html.escape(title)}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{html.escape(canonical)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    if author:
        head.append(f'<meta name="author" content="{html.escape(author)}">')
    article = [f"<h1>{html.escape(title)}</h1>"]
    if author:
        article.append(
            f'<p class="byline">بقلم <span class="author">{html.escape(author)}</span></p>'
        )
    if image:
        article.append(
            f'<figure><img src="{html.escape(image[0])}" alt="">'
            f"<figcaption>{html.escape(image[1])}</figcaption></figure>"
        )
    for index, paragraph in enumerate(paragraphs):
        article.append(f"<p>{html.escape(paragraph)}</p>")
        if quote and index == 0:
            article.append(
                f"<blockquote><p>{html.escape(quote[0])}</p><cite>{html.escape(quote[1])}</cite>"
                "</blockquote>"
            )
    before = after = ""
    if boilerplate:
        before = (
            '<header><nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/siyasa">سياسة</a>'
            '</li><li><a href="/riyada">رياضة</a></li></ul></nav>'
            f'<div class="ticker"><ul><li><a href="/t/1">{NAV_TICKER}</a></li></ul></div></header>'
        )
        after = (
            '<aside class="most-read"><h3>الأكثر قراءة</h3><ul>'
            f'<li><a href="/a/9">{NAV_MOST_READ}</a></li></ul></aside>'
            f"<footer><p>{NAV_FOOTER}</p></footer>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head>'
        + "".join(head)
        + head_extra
        + "</head><body>"
        + before
        + "<main><article>"
        + "".join(article)
        + body_extra
        + "</article></main>"
        + after
        + "</body></html>\n"
    )


# The boilerplate around every article page: none of it belongs to the article.
NAV_TICKER = "عاجل: انقطاع الكهرباء عن الحي الشرقي لساعتين"
NAV_MOST_READ = "أسعار الخضار في سوق الهال هذا الأسبوع"
NAV_FOOTER = "جميع الحقوق محفوظة لجريدة الوادي"


# --- running the commands ----------------------------------------------------------


def fetch_sources(*args: str, verbosity: int = 1) -> list[str]:
    """`manage.py fetch_sources`'s output lines; a CommandError becomes the last line."""
    out = io.StringIO()
    try:
        call_command("fetch_sources", *args, stdout=out, stderr=io.StringIO(), verbosity=verbosity)
    except CommandError as error:
        return [*out.getvalue().splitlines(), f"CommandError: {error}"]
    return out.getvalue().splitlines()


def import_articles(*args: str, verbosity: int = 1) -> tuple[list[str], list[str]]:
    """`manage.py import_articles`'s (output, error) lines, whatever its exit status
    (test_import_bad_input checks that)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=err, verbosity=verbosity)
    except SystemExit:
        pass  # the command exits 1 when anything failed
    return out.getvalue().splitlines(), err.getvalue().splitlines()

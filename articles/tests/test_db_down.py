"""With the database down, pages answer 503 with a plain page, and the site recovers by itself.

On PostgreSQL the failure is real: the site's connection goes through a TCP
relay on 127.0.0.1 that the test cuts (dropping every open connection and
refusing new ones) and then restores, as a database restart or a network
outage would. The other tests raise the errors at the connection itself, so
that the middleware is also exercised on SQLite.
"""

import socket
import threading
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.template import loader

from articles import database_down
from articles.views import HomeView

from .factories import ArticleFactory

RETRY_AFTER = str(database_down.RETRY_AFTER_SECONDS)
ARABIC_NOTICE = "لا نستطيع الوصول إلى قاعدة البيانات الآن. حاول مرة أخرى بعد قليل."
ENGLISH_NOTICE = "we cannot reach its database"


class DatabaseRelay:
    """A TCP relay to the database server that a test can cut and restore."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.down = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return  # closed by stop()
            if self.down:
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        """The database goes away: open connections drop, new ones are refused."""
        self.down = True
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for end in sockets:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def restore(self):
        self.down = False

    def stop(self):
        self.cut()
        self._listener.close()


@pytest.fixture
def relayed_database():
    """The site's connection to PostgreSQL, through a relay the test controls."""
    if connection.vendor != "postgresql":
        pytest.skip(reason="cutting a database server off needs PostgreSQL (DATABASE_URL)")
    original = dict(connection.settings_dict)
    relay = DatabaseRelay(original["HOST"] or "127.0.0.1", int(original["PORT"] or 5432))
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(relay.port))
    yield relay
    connection.close()
    connection.settings_dict.update(HOST=original["HOST"], PORT=original["PORT"])
    relay.stop()


@pytest.fixture
def reader(client):
    """A client that gets the site's error pages, as a browser would, not the exception."""
    client.raise_request_exception = False
    return client


def is_plain_503(response) -> bool:
    body = response.content.decode()
    return (
        response.status_code,
        response["Content-Type"],
        response.get("Retry-After"),
        response.get("Cache-Control"),
        ARABIC_NOTICE in body,
        ENGLISH_NOTICE in body,
    ) == (503, "text/html; charset=utf-8", RETRY_AFTER, "no-store", True, True)


@pytest.mark.django_db(transaction=True)
def test_pages_answer_503_while_the_database_is_down_and_recover(relayed_database, reader):
    article = ArticleFactory()
    pages = ["/", "/en/", article.get_absolute_url(), "/search/?q=حديقة", "/feeds/rss/"]
    before = [reader.get(page).status_code for page in pages]

    relayed_database.cut()
    during = [reader.get(page) for page in pages]
    health_during = reader.get("/healthz")
    relayed_database.restore()
    after = [reader.get(page).status_code for page in pages]

    assert before == [200] * len(pages)
    assert [
        page for page, response in zip(pages, during, strict=True) if not is_plain_503(response)
    ] == []
    assert health_during.status_code == 503
    assert after == [200] * len(pages)
    assert reader.get("/healthz").json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db(transaction=True)
def test_site_recovers_when_the_first_failure_is_the_health_check(relayed_database, reader):
    assert reader.get("/healthz").status_code == 200

    relayed_database.cut()
    health_during = reader.get("/healthz").status_code
    relayed_database.restore()

    assert (health_during, reader.get("/healthz").status_code, reader.get("/").status_code) == (
        503,
        200,
        200,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        OperationalError("connection to server at 127.0.0.1 failed: Connection refused"),
        InterfaceError("connection already closed"),
    ],
)
def test_page_answers_503_when_the_connection_raises(reader, error):
    with mock.patch.object(connection, "cursor", side_effect=error):
        response = reader.get("/")

    assert is_plain_503(response)


@pytest.mark.django_db
def test_other_errors_still_answer_500(reader):
    with mock.patch.object(HomeView, "get", side_effect=RuntimeError("a bug, not the database")):
        response = reader.get("/")

    assert (response.status_code, response.has_header("Retry-After")) == (500, False)


def test_unavailable_page_renders_without_the_database():
    """No django_db mark: pytest-django fails any query this test makes."""
    response = database_down.unavailable_response()

    assert is_plain_503(response)
    assert response.content.decode() == loader.get_template("503.html").render()

"""newsroom.postgresql: a reused connection's health check asks the server only when it must."""

import time

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def asked(monkeypatch):
    """How many times Django's own check (SELECT 1) ran."""
    calls = []
    check = connection.is_usable

    def counted():
        calls.append(1)
        return check()

    monkeypatch.setattr(connection, "is_usable", counted)
    return calls


def start_of_a_request():
    connection.health_check_done = False  # as close_old_connections() leaves it


def test_a_quiet_connection_is_reused_without_asking_the_server(asked):
    connection.ensure_connection()
    raw = connection.connection
    start_of_a_request()

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")

    assert (asked, connection.connection) == ([], raw)


def test_a_connection_the_server_ended_is_replaced_before_the_page_s_queries(asked, client):
    connection.ensure_connection()
    raw = connection.connection
    pid = raw.info.backend_pid
    dsn = connection.get_connection_params()
    with psycopg.connect(
        **{key: value for key, value in dsn.items() if key != "cursor_factory"}, autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while connection._quiet() and time.monotonic() < deadline:
        time.sleep(0.01)
    start_of_a_request()

    response = client.get("/")

    assert response.status_code == 200
    assert asked == [1]
    assert connection.connection is not raw
    assert connection.connection.info.backend_pid != pid


def test_inside_a_transaction_django_s_own_check_runs(asked):
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        start_of_a_request()
        connection.close_if_health_check_failed()
        cursor.execute("ROLLBACK")

    assert asked == [1]

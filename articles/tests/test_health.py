"""/healthz: what a load balancer asks before sending readers to this server."""

from unittest import mock

import pytest
from django.db import OperationalError, connections


@pytest.mark.django_db
def test_healthz_is_ok_when_database_answers(client):
    response = client.get("/healthz")

    assert (response.status_code, response["Content-Type"], response.json()) == (
        200,
        "application/json",
        {"status": "ok", "database": "ok"},
    )


@pytest.mark.django_db
def test_healthz_is_not_cached(client):
    response = client.get("/healthz")

    directives = set(response["Cache-Control"].split(", "))
    assert directives == {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}


@pytest.mark.django_db
def test_healthz_is_503_when_database_does_not_answer(client):
    refused = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        response = client.get("/healthz")

    assert (response.status_code, response.json()) == (
        503,
        {"status": "error", "database": "unavailable"},
    )

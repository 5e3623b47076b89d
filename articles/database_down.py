"""A plain 503 page, instead of a 500, while the database cannot be reached.

When the database is stopped, restarting or unreachable, every page that
queries it fails with OperationalError or InterfaceError. Readers get a
short bilingual page saying so, with `Retry-After`; load balancers get the
503 that `/healthz` also gives. The page is a static template rendered with
no request context, so showing it needs no database.

The site recovers by itself: a connection that broke is closed at the end of
the request, so the next request opens a new one (and CONN_HEALTH_CHECKS
checks a kept one before reusing it).
"""

import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template import loader

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = (OperationalError, InterfaceError)
_FLAG = "_newsroom_database_unavailable"


def _note_database_failure(sender, request=None, **kwargs):
    """Marks the request whose handling raised a database-unavailable error.

    Django turns an exception into a 500 response at the layer that raised
    it (view or middleware) and sends this signal while handling it, so the
    middleware above learns why from the mark, whatever layer failed.
    """
    if request is not None and isinstance(sys.exc_info()[1], UNAVAILABLE):
        setattr(request, _FLAG, True)


got_request_exception.connect(_note_database_failure, dispatch_uid="newsroom-database-down")


def close_broken_connections() -> None:
    """Close connections that failed and no longer answer, so the next request reconnects.

    Outside transactions only: a connection closed inside one would poison it.
    """
    for connection in connections.all(initialized_only=True):
        if connection.errors_occurred and not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def unavailable_response() -> HttpResponse:
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseDownMiddleware:
    """Answers 503 with a plain page when the database could not be reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        down = getattr(request, _FLAG, False)
        close_broken_connections()
        return unavailable_response() if down else response

"""The search implementation for the database in use: PostgreSQL or SQLite.

Both offer the same three functions, `search(query, shown=..., filters)`,
`write(model, texts)` and `remove(model, article_ids)`, and behave alike:
the same normalised words go in, the same parsed query comes out as a
tsquery or an FTS5 MATCH expression, ranked the same way.
"""

from types import ModuleType

from django.core.exceptions import ImproperlyConfigured
from django.db import connection as default_connection

from . import postgres, sqlite

BACKENDS = {"postgresql": postgres, "sqlite": sqlite}


def backend(connection=default_connection) -> ModuleType:
    try:
        return BACKENDS[connection.vendor]
    except KeyError:
        raise ImproperlyConfigured(
            f"Search works on PostgreSQL and SQLite, not on {connection.vendor}."
        ) from None

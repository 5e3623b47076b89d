"""Queries every page runs, turned into SQL once per process instead of once per page.

The ticker and the section list are read on every page, an article page's
blocks, related stories and corrections by the article's id, the home page's
lists by the time. Building and compiling their querysets took most of what
reading them cost (thousands of Python calls, for a few dozen rows found in
a fraction of a millisecond). A `Prepared` query compiles its queryset the
first time it runs on a database, with stand-ins for its ids and times, and
keeps only the SQL, its parameters and the converters Django applies to the
columns (dates on SQLite, say); each run puts the real ids and times in,
executes that SQL and converts the rows as the queryset would. The rows are
read afresh every time: this keeps no data.

A page reads all of its prepared queries at once (`read_together`): on
PostgreSQL, in one pipeline (one round trip instead of one per query), as
prepared statements with generic plans (see DATABASES in the settings), so
that PostgreSQL plans each once per connection rather than on every page.
"""

import datetime
import operator
from collections.abc import Callable

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Stand-ins for the ids a prepared query is compiled with: larger than any id
# a table of this site reaches, so they cannot be mistaken for another value.
_STAND_INS = (9_007_199_254_740_881, 9_007_199_254_740_847, 9_007_199_254_740_997)
# And for times: moments long before any article.
_TIME_STAND_INS = tuple(
    datetime.datetime(1903, 3, 5, 7, 11, 13, 170_000 + index, tzinfo=datetime.UTC)
    for index in range(3)
)


class Prepared:
    """A values_list() queryset whose SQL is compiled once per database and process.

    `build` makes the queryset; it takes as many ids as `ids` names (an
    article's id, say), each used as a plain integer parameter, then as many
    times as `times` names (now, say), each compared with a date-time
    column. The query is compiled with stand-ins for them, and each run puts
    the real ones where those stand (times as the database backend adapts
    them, as the queryset would have).
    """

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        ids: tuple[str, ...] = (),
        times: tuple[str, ...] = (),
    ):
        if len(ids) > len(_STAND_INS) or len(times) > len(_TIME_STAND_INS):
            raise ValueError(f"at most {len(_STAND_INS)} ids and {len(_TIME_STAND_INS)} times")
        self.build = build
        self.ids = ids
        self.times = times
        self.compiled: dict[tuple, tuple] = {}

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        return read_together((self, values), using=using)[0]

    def statement(self, connection, values: dict) -> tuple[str, list | tuple, tuple]:
        """The SQL and parameters of one run with these ids and times, and how to read its rows."""
        if set(values) != {*self.ids, *self.times}:
            raise TypeError(f"rows() needs {(*self.ids, *self.times)}, got {tuple(values)}")
        key = (connection.alias, connection.vendor, connection.settings_dict.get("NAME"))
        compiled = self.compiled.get(key)
        if compiled is None:
            compiled = self.compiled[key] = self.compile(connection.alias)
        sql, params, _, _, slots = compiled
        if slots:
            params = list(params)
            for position, name in slots:
                if name in self.times:
                    params[position] = connection.ops.adapt_datetimefield_value(values[name])
                else:
                    params[position] = int(values[name])
        return sql, params, compiled

    @staticmethod
    def convert(connection, compiled: tuple, rows: list) -> list[tuple]:
        """Rows as the queryset gives them: its converters applied, its column order."""
        _, _, converters, order, _ = compiled
        if not converters and order == sorted(order):
            return rows  # as they came (PostgreSQL's, mostly): nothing to change
        pick = operator.itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],)
        converted = []
        for row in rows:
            if converters:
                row = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            converted.append(pick(row))
        return converted

    def compile(self, using: str) -> tuple:
        """SQL, parameters, column converters, where each asked-for column is, id slots.

        The SQL may list the columns in another order than values_list() was
        given them (django-modeltranslation rewrites the field list); the
        rows are put back in the order asked for, as values_list() does.
        """
        ids = _STAND_INS[: len(self.ids)]
        times = _TIME_STAND_INS[: len(self.times)]
        queryset = self.build(*ids, *times)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        adapt = connections[using].ops.adapt_datetimefield_value
        stands = {
            **{value: name for value, name in zip(ids, self.ids, strict=True)},
            **{adapt(value): name for value, name in zip(times, self.times, strict=True)},
        }
        slots = [
            (position, stands[value])
            for position, value in enumerate(params)
            if isinstance(value, int | str | datetime.datetime)
            and not isinstance(value, bool)
            and value in stands
        ]
        if {name for _, name in slots} != {*self.ids, *self.times}:
            raise ValueError("every id and time must reach the query as a parameter")
        selected = compiler.select[: compiler.col_count]
        columns = [expression for expression, _, _ in selected]
        converters = list(compiler.get_converters(columns).items())
        aliases = [alias for _, _, alias in selected]
        # django-modeltranslation keeps the fields as given in original_fields.
        wanted = list(getattr(queryset, "original_fields", None) or queryset._fields or ())
        if None in aliases or sorted(wanted) != sorted(aliases):
            raise ValueError("Prepared needs a values_list() of columns")
        order = [aliases.index(name) for name in wanted]
        return sql, tuple(params), converters, order, slots


def read_together(*runs: tuple[Prepared, dict], using: str = DEFAULT_DB_ALIAS) -> list[list[tuple]]:
    """The rows of several prepared queries, each (query, its ids and times), in order.

    On PostgreSQL they are sent together in one pipeline and answered in one
    round trip, each as a server-side prepared statement: planned once per
    connection, not once per page (planning took more of PostgreSQL's time
    than running them). Elsewhere, one after the other. Each is still one
    query to Django (logged, counted and wrapped like any other).
    """
    connection = connections[using]
    statements = [query.statement(connection, values) for query, values in runs]
    if connection.vendor == "postgresql" and _pipelines_work():
        results = _pipelined(connection, [(sql, params) for sql, params, _ in statements])
    else:
        results = []
        with connection.cursor() as cursor:
            for sql, params, _ in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
    return [
        Prepared.convert(connection, compiled, rows)
        for (_, _, compiled), rows in zip(statements, results, strict=True)
    ]


def _pipelines_work() -> bool:
    return psycopg.Pipeline.is_supported()


class _PreparingCursor(psycopg.Cursor):
    """Parameters bound by the server, the statement prepared at its first run, rows in binary.

    (Django's own cursors bind parameters in Python and send plain SQL, which
    PostgreSQL plans every time. Binary rows skip parsing dates from text,
    a third of the time reading an article page's rows took.)
    """

    def execute(self, query, params=None, *, prepare=True, binary=True):
        return super().execute(query, params, prepare=prepare, binary=binary)


def _pipelined(connection, statements: list[tuple[str, list | tuple]]) -> list[list[tuple]]:
    # Connected (again, if the last request left the connection unusable) and
    # health-checked as for any query; then Django's own cursor wrapper
    # around each statement, so that it is logged and counted as one query.
    connection.cursor().close()
    raw = connection.connection
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    cursors = []
    try:
        with connection.wrap_database_errors:
            if len(statements) == 1:
                cursor = wrap(_PreparingCursor(raw))
                cursors.append(cursor)
                cursor.execute(*statements[0])
            else:
                with raw.pipeline():
                    for sql, params in statements:
                        cursor = wrap(_PreparingCursor(raw))
                        cursors.append(cursor)
                        cursor.execute(sql, params)
            return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()

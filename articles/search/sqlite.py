"""Search on SQLite: an FTS5 table beside SearchDocument, ranked with bm25.

The table (created by migration 0006 on SQLite only) has one row per
article, rowid = the article's id, and three columns: the titles' exact
normalised words, the titles' keys (particles stripped), and the keys of the
lead and body. English goes into the same columns as Arabic. Its tokenizer
is `porter unicode61`: English words are stemmed by Porter's algorithm, and
Arabic words, already normalised and reduced to keys here, pass through
unchanged (SQLite has no Arabic stemmer).

A word of the query matches its key in the key columns; its exact form is
looked for in the exact column too, which adds to the score without
changing what matches. bm25's column weights rank as PostgreSQL does: an
exact title word above one with other particles, and a match in the lead or
body alone not at all, so that ties go to the newest. Where PostgreSQL ranks
a lead or body word found as itself above one sharing only its stem, SQLite
has nothing to tell apart: Arabic words match only as themselves, and the
porter tokenizer stems English text and queries alike.
"""

from django.db import connection as default_connection
from django.db.models import FloatField
from django.db.models.expressions import RawSQL

from .documents import COPIED_FIELDS, SearchText
from .query import Phrase, Query

TABLE = "articles_search_fts"
COLUMNS = ("title_exact", "title", "body")
COLUMN_WEIGHTS = (2.0, 1.0, 0.0)
KEY_COLUMNS = "{title body}"
EXACT_COLUMNS = "{title_exact}"
ARTICLE_TABLE = "articles_article"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _phrase(phrase: Phrase) -> str:
    keys = " ".join(word.key for word in phrase.words)
    exact = " ".join(word.exact for word in phrase.words)
    return f"({KEY_COLUMNS} : {_quoted(keys)} OR {EXACT_COLUMNS} : {_quoted(exact)})"


def _any(phrases) -> str:
    return "(" + " OR ".join(_phrase(phrase) for phrase in phrases) + ")"


def match_expression(query: Query) -> str:
    """The FTS5 MATCH string for a parsed query."""
    expression = " AND ".join(_any(choice) for choice in query.required)
    if query.excluded:
        expression = f"({expression}) NOT {_any(query.excluded)}"
    return expression


def search(query: Query, *, shown, source=None, section=None, start=None, end=None):
    """Published articles matching `query`, best first: a QuerySet of `shown`.

    SQLite is the embedded default, for one machine's worth of articles:
    ranking joins the articles directly, and each match's bm25 comes from a
    subquery that FTS5 answers by rowid.
    """
    articles = shown
    if source is not None:
        articles = articles.filter(source=source)
    if section is not None:
        articles = articles.filter(section=section)
    if start is not None:
        articles = articles.filter(published_at__gte=start)
    if end is not None:
        articles = articles.filter(published_at__lt=end)
    match = match_expression(query)
    quote = default_connection.ops.quote_name
    weights = ", ".join(str(weight) for weight in COLUMN_WEIGHTS)
    # Only constants are formatted into the SQL; the query is a bound parameter.
    matching = RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [match])  # noqa: S608, S611
    score = RawSQL(  # noqa: S611
        f"SELECT -bm25({TABLE}, {weights}) FROM {TABLE} "  # noqa: S608
        f"WHERE {TABLE} MATCH %s AND rowid = {quote(ARTICLE_TABLE)}.{quote('id')}",
        [match],
        output_field=FloatField(),
    )
    return (
        articles.filter(pk__in=matching)
        .annotate(search_rank=score)
        .order_by("-search_rank", "-published_at", "-pk")
    )


def _columns(text: SearchText) -> tuple[str, str, str]:
    title = text.words("title_ar") + text.words("title_en")
    body = text.words("body_ar") + text.words("body_en")
    return (
        " ".join(word.exact for word in title),
        " ".join(word.key for word in title),
        " ".join(word.key for word in body),
    )


def write(model, texts: list[SearchText], *, connection=default_connection) -> None:
    """Record the articles as indexed and replace their rows in the FTS5 table."""
    model.objects.bulk_create(
        [
            model(article_id=text.article_id, **{f: getattr(text, f) for f in COPIED_FIELDS})
            for text in texts
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=[*COPIED_FIELDS, "indexed_at"],
    )
    # Only constants are formatted into the SQL statements in this module.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM {TABLE} WHERE rowid = %s",  # noqa: S608
            [(text.article_id,) for text in texts],
        )
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [(text.article_id, *_columns(text)) for text in texts],
        )


def remove(model, article_ids, *, connection=default_connection) -> None:
    model.objects.filter(article_id__in=article_ids).delete()
    remove_rows(article_ids, connection=connection)


def remove_rows(article_ids, *, connection=default_connection) -> None:
    """Only the FTS5 rows: for articles whose SearchDocument Django deletes itself."""
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(pk,) for pk in article_ids])  # noqa: S608


def remove_orphans(*, connection=default_connection) -> None:
    """Rows left by articles deleted behind Django's back (raw SQL, a flushed database)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE rowid NOT IN (SELECT {connection.ops.quote_name('id')} "  # noqa: S608
            f"FROM {connection.ops.quote_name(ARTICLE_TABLE)})"
        )

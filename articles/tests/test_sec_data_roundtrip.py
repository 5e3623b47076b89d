"""Nothing is lost: backups round-trip every article byte for byte, and migrations
apply over a database that holds the demo content.

- `dumpdata` / `loaddata` (any database);
- `pg_dump -Fc` / `pg_restore` into a database of its own (PostgreSQL only);
- the articles app migrated back to 0005_ingestion and forward again with the
  demo content in place. 0005 is the target because unapplying the later
  migrations keeps the articles and blocks tables (they drop only what they
  added: the search index, the editorial columns and tables, permissions), and
  going forward again runs 0006's build of the search index over existing
  articles and rebuilds tables on SQLite for the columns 0008 and 0009 add.
"""

import datetime
import os
import re
import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles import demo_content
from articles.models import Article, ArticleBlock, SearchDocument

BACKWARD_TARGET = ("articles", "0005_ingestion")
# The search index is derived from the articles: not backed up, rebuilt as they load.
DUMP = {"exclude": ["articles.SearchDocument"], "verbosity": 0}
TABLES = ("articles_article", "articles_articleblock")


def rows(model) -> list[dict]:
    """Every row of `model`, every concrete field, as Python reads it back."""
    return [
        {field.attname: getattr(row, field.attname) for field in model._meta.concrete_fields}
        for row in model.objects.order_by("pk")
    ]


def differences(before: list[dict], after: list[dict]) -> list[tuple]:
    """(pk, field, before, after) for every value that changed; rows gone or added too."""
    changed = []
    after_by_pk = {row["id"]: row for row in after}
    for row in before:
        other = after_by_pk.pop(row["id"], None)
        if other is None:
            changed.append((row["id"], "row", "present", "missing"))
            continue
        changed += [
            (row["id"], name, value, other[name])
            for name, value in row.items()
            if other[name] != value
        ]
    changed += [(pk, "row", "missing", "present") for pk in after_by_pk]
    return changed


def only(records: list[dict], columns) -> list[dict]:
    return [
        {name: value for name, value in record.items() if name in columns} for record in records
    ]


def column_names(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [
            column.name for column in connection.introspection.get_table_description(cursor, table)
        ]


def table_rows(table: str, columns: list[str]) -> list[tuple]:
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        # Names from the database's own description of a table of ours, quoted.
        table_name = connection.ops.quote_name(table)
        cursor.execute(f"SELECT {quoted} FROM {table_name} ORDER BY id")  # noqa: S608 -- see above
        return cursor.fetchall()


@pytest.fixture
def demo(transactional_db):
    # Committed, as a backup sees it; flush's TRUNCATE on PostgreSQL also refuses
    # to run in a transaction that still has deferred foreign-key checks pending.
    call_command("load_demo", verbosity=0)
    articles = rows(Article)
    # The round trips below are only worth something over both languages.
    assert (
        len(articles),
        any(article["title_en"] for article in articles),
        all(article["title_ar"] for article in articles),
    ) == (len(demo_content.ARTICLES), True, True)
    return {"articles": articles, "blocks": rows(ArticleBlock)}


# dumpdata / loaddata.


def round_trip(tmp_path, format: str) -> None:
    dump = tmp_path / f"articles.{format}"
    call_command("dumpdata", "articles", format=format, output=str(dump), **DUMP)
    call_command("flush", interactive=False, verbosity=0)
    assert (Article.objects.count(), ArticleBlock.objects.count()) == (0, 0)
    call_command("loaddata", str(dump), verbosity=0)


def to_the_millisecond(rows_before: list[dict]) -> list[tuple]:
    """What Django's JSON serializer changes: times cut to milliseconds (ECMA-262)."""
    return [
        (row["id"], name, value, value.replace(microsecond=value.microsecond // 1000 * 1000))
        for row in rows_before
        for name, value in row.items()
        if isinstance(value, datetime.datetime) and value.microsecond % 1000
    ]


def test_dumpdata_xml_round_trips_every_article_and_block_exactly(demo, tmp_path):
    round_trip(tmp_path, "xml")

    assert (
        differences(demo["articles"], rows(Article)),
        differences(demo["blocks"], rows(ArticleBlock)),
    ) == ([], [])


def test_loaddata_rebuilds_the_search_index(demo, tmp_path, client):
    round_trip(tmp_path, "xml")

    title = demo["articles"][0]["title_ar"]
    found = re.sub(r"<[^>]*>", "", client.get("/search/", {"q": title}).content.decode())
    assert (SearchDocument.objects.count(), title in found) == (len(demo["articles"]), True)


def test_dumpdata_json_round_trips_all_text_and_times_to_the_millisecond(demo, tmp_path):
    round_trip(tmp_path, "json")

    assert (
        differences(demo["articles"], rows(Article)),
        differences(demo["blocks"], rows(ArticleBlock)),
    ) == (to_the_millisecond(demo["articles"]), to_the_millisecond(demo["blocks"]))


@pytest.mark.parametrize("format", ["xml", "json"])
def test_dumpdata_after_a_round_trip_is_the_same_file(demo, tmp_path, format):
    first, second = tmp_path / f"first.{format}", tmp_path / f"second.{format}"
    call_command("dumpdata", "articles", format=format, output=str(first), **DUMP)
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(first), verbosity=0)

    call_command("dumpdata", "articles", format=format, output=str(second), **DUMP)

    assert second.read_bytes() == first.read_bytes()


# pg_dump / pg_restore.


def postgres_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL command-line tools, and their environment."""
    database = connection.settings_dict
    options = []
    if database.get("HOST"):
        options += ["-h", database["HOST"]]
    if database.get("PORT"):
        options += ["-p", str(database["PORT"])]
    if database.get("USER"):
        options += ["-U", database["USER"]]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return options, env


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command[0]}: {result.stderr}"


def text_rows(dbname: str, table: str) -> tuple[list[str], list[tuple], list[tuple]]:
    """`table`'s text columns, its rows with those as UTF-8 bytes, and its whole rows."""
    database = connection.settings_dict
    with psycopg.connect(
        dbname=dbname,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
    ) as conn:
        columns = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND data_type IN ('text', 'character varying') ORDER BY ordinal_position",
                [table],
            )
        ]
        selected = ", ".join(f"convert_to({name}, 'UTF8')" for name in columns)
        # Column names from information_schema, for one of our own tables.
        query = f"SELECT id, {selected} FROM {table} ORDER BY id"  # noqa: S608 -- see above
        every_column = f"SELECT * FROM {table} ORDER BY id"  # noqa: S608 -- one of our tables
        return columns, conn.execute(query).fetchall(), conn.execute(every_column).fetchall()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
)
@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "createdb", "dropdb")),
    reason="the PostgreSQL client tools are not installed",
)
@pytest.mark.django_db(transaction=True)
def test_pg_dump_pg_restore_round_trips_every_article_byte_for_byte(tmp_path):
    # Committed (transaction=True), so that pg_dump, another session, sees the rows.
    call_command("load_demo", verbosity=0)
    options, env = postgres_arguments()
    dump = tmp_path / "newsroom.dump"
    restored = f"restore_{uuid.uuid4().hex[:12]}"
    original = connection.settings_dict["NAME"]
    run(["pg_dump", *options, "-Fc", "-f", str(dump), original], env)
    run(["createdb", *options, "-T", "template0", "-E", "UTF8", restored], env)
    try:
        run(
            ["pg_restore", *options, "--no-owner", "--exit-on-error", "-d", restored, str(dump)],
            env,
        )

        copies = {table: text_rows(restored, table) for table in TABLES}
    finally:
        run(["dropdb", *options, "--if-exists", restored], env)

    originals = {table: text_rows(original, table) for table in TABLES}
    article_columns, article_rows, _ = originals["articles_article"]
    assert copies == originals
    assert (
        len(article_rows),
        {"title_ar", "title_en", "lead_ar", "lead_en"} <= set(article_columns),
        len(originals["articles_articleblock"][1]) > len(article_rows),
    ) == (len(demo_content.ARTICLES), True, True)
    # Arabic and English both went through: every Arabic title, and some English ones.
    arabic = [row[1 + article_columns.index("title_ar")] for row in article_rows]
    english = [row[1 + article_columns.index("title_en")] for row in article_rows]
    assert (
        all(re.search("[\u0600-\u06ff]", title.decode()) for title in arabic),
        any(english),
    ) == (True, True)


# Migrations over existing content.


@pytest.mark.django_db(transaction=True)
def test_migrations_apply_forward_over_the_demo_content(client):
    call_command("load_demo", verbosity=0)
    latest_articles, latest_blocks = rows(Article), rows(ArticleBlock)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([BACKWARD_TARGET])
        kept = {table: column_names(table) for table in TABLES}
        at_target = {table: table_rows(table, kept[table]) for table in TABLES}
    finally:
        # Whatever happened, the database goes back to the latest state for the tests after.
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    after = {table: table_rows(table, kept[table]) for table in TABLES}
    assert ("expires_at" in kept["articles_article"], after) == (False, at_target)
    # Columns added after the target come back empty (going back dropped them);
    # every column that was there at the target is as it was.
    articles, blocks = kept["articles_article"], kept["articles_articleblock"]
    assert (only(rows(Article), articles), only(rows(ArticleBlock), blocks)) == (
        only(latest_articles, articles),
        only(latest_blocks, blocks),
    )
    assert SearchDocument.objects.count() == len(latest_articles)
    title = demo_content.ARTICLES[0]["title_ar"]
    found = re.sub(r"<[^>]*>", "", client.get("/search/", {"q": title}).content.decode())
    assert title in found

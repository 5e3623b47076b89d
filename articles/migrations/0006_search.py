"""Search: SearchDocument for every database, then what each database searches with.

PostgreSQL gets GIN indexes on the two search vectors (and rows kept narrow,
see below); SQLite gets an FTS5 table (`articles_search_fts`, rowid =
article id) instead. The articles already stored are indexed at the end.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FTS_TABLE = "articles_search_fts"


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """AddIndex whose index is only built on PostgreSQL (GIN means nothing to SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_fts_table(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "title_exact, title, body, tokenize = 'porter unicode61 remove_diacritics 0')"
        )


def tune_for_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Without statistics on the column PostgreSQL estimates that a text search
    # matches 0.5% of rows, so it always reads matches through the GIN index.
    # With them, a common word (10% of articles) tips it into a sequential
    # scan that unpacks every article's vector, tens of times slower than the
    # index, since the planner does not count the cost of unpacking.
    schema_editor.execute(
        "ALTER TABLE articles_searchdocument ALTER COLUMN vector SET STATISTICS 0"
    )
    # Rows of a hundred bytes or so: both vectors are stored out of the row
    # (the title vector uncompressed, it is read whole), so that counting and
    # ordering thousands of matches reads few pages.
    schema_editor.execute("ALTER TABLE articles_searchdocument SET (toast_tuple_target = 128)")
    schema_editor.execute(
        "ALTER TABLE articles_searchdocument ALTER COLUMN rank_vector SET STORAGE EXTERNAL"
    )


def drop_fts_table(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def index_existing_articles(apps, schema_editor):
    from articles.search.index import rebuild_index

    rebuild_index(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_ingestion"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="articles.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("scheduled", "Scheduled"),
                            ("published", "Published"),
                            ("archived", "Archived"),
                        ],
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("published_at", models.DateTimeField(null=True, verbose_name="published")),
                (
                    "source",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.source",
                        verbose_name="source",
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="articles.section",
                        verbose_name="section",
                    ),
                ),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(
                        editable=False, null=True, verbose_name="words"
                    ),
                ),
                (
                    "rank_vector",
                    django.contrib.postgres.search.SearchVectorField(
                        editable=False, null=True, verbose_name="title words"
                    ),
                ),
                ("indexed_at", models.DateTimeField(auto_now=True, verbose_name="indexed")),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
            },
        ),
        AddIndexOnPostgreSQL(
            model_name="searchdocument",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["vector"], name="searchdocument_vector_gin"
            ),
        ),
        AddIndexOnPostgreSQL(
            model_name="searchdocument",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["rank_vector"], name="searchdocument_rank_vector_gin"
            ),
        ),
        migrations.RunPython(create_fts_table, drop_fts_table),
        migrations.RunPython(tune_for_postgresql, migrations.RunPython.noop),
        migrations.RunPython(index_existing_articles, migrations.RunPython.noop),
    ]

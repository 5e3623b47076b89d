"""The index follows every write: admin saves, block edits, publishing, translations, imports."""

import io
import logging

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.urls import reverse

from articles import services
from articles.demo import load_demo
from articles.machine_translation import pipeline
from articles.models import Article, ArticleBlock, SearchDocument
from articles.search import index, query
from articles.search.results import search_articles

from .admin_forms import form_data
from .factories import ArticleBlockFactory, ArticleFactory, SourceFactory, make_editor
from .mt_engine import ScriptedEngine

pytestmark = pytest.mark.django_db


def found(text: str) -> list[str]:
    return [article.title_ar for article in search_articles(query.parse(text))[:50]]


def fts_rows() -> int | None:
    """Rows in SQLite's FTS5 table (None on PostgreSQL, which has none)."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_search_fts")
        return cursor.fetchone()[0]


@pytest.fixture
def article():
    article = ArticleFactory(title_ar="افتتاح مكتبة في حلب")
    ArticleBlockFactory(article=article, position=1, text_ar="حضر الافتتاح طلاب المدارس.")
    return article


def test_editor_saving_the_admin_form_reindexes_title_and_blocks(client, article):
    client.force_login(make_editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client, url)
    data["title_ar"] = "افتتاح متحف في حمص"
    data["blocks-0-text_ar"] = "حضر الافتتاح عمال المصانع."

    response = client.post(url, data)

    assert (response.status_code, found("مكتبة"), found("المدارس")) == (302, [], [])
    assert found("متحف") == found("المصانع") == ["افتتاح متحف في حمص"]


def test_saving_an_article_reindexes_it(article):
    article.title_ar = "افتتاح متحف في حلب"
    article.save()

    assert (found("مكتبة"), found("متحف")) == ([], ["افتتاح متحف في حلب"])


def test_saving_only_other_fields_leaves_the_index_alone(article, django_assert_num_queries):
    article.view_count = 5

    with django_assert_num_queries(1):
        article.save(update_fields=["view_count"])


def test_editing_adding_and_deleting_blocks_reindexes_the_article(article):
    block = article.blocks.get()
    block.text_ar = "حضر الافتتاح عمال المصانع."
    block.save()
    ArticleBlockFactory(article=article, position=2, text_ar="وألقى المحافظ كلمة.")
    after_edit = (found("المدارس"), found("المصانع"), found("المحافظ"))
    block.delete()

    assert after_edit == ([], [article.title_ar], [article.title_ar])
    assert (found("المصانع"), found("المحافظ")) == ([], [article.title_ar])


def test_deleting_an_article_takes_it_out_of_the_index(article):
    rows_before = fts_rows()

    article.delete()

    assert (found("مكتبة"), SearchDocument.objects.count()) == ([], 0)
    assert fts_rows() == (None if rows_before is None else rows_before - 1)


def test_unpublishing_and_publishing_again(article):
    services.unpublish_articles(articles=[article])
    unpublished = found("مكتبة")
    services.publish_articles(articles=[article])

    assert (unpublished, found("مكتبة")) == ([], [article.title_ar])


def test_publishing_a_draft_without_a_time_finds_it():
    draft = ArticleFactory(title_ar="مكتبة جديدة", draft=True, published_at=None)
    hidden = found("مكتبة")

    services.publish_articles(articles=[draft])

    assert (hidden, found("مكتبة")) == ([], ["مكتبة جديدة"])


def test_machine_translation_makes_the_english_searchable(settings, article):
    settings.MT_ENGINE = "test"
    settings.MT_EXTRA_ENGINES = {"test": "articles.tests.mt_engine.ScriptedEngine"}
    ScriptedEngine.reset()

    pipeline.translate_article(article_id=article.pk, engine=ScriptedEngine(), sleep=lambda s: 0)

    english = ArticleBlock.objects.get(article=article).text_en
    title_en = Article.objects.get(pk=article.pk).title_en
    assert (found(english.split()[-1]), found(title_en.split()[-1])) == (
        [article.title_ar],
        [article.title_ar],
    )


def test_english_an_editor_writes_is_searchable(article):
    block = article.blocks.get()

    services.save_english(
        article=article,
        user=make_editor(),
        title_en="Library opens in Aleppo",
        lead_en="",
        blocks={block.pk: ("Pupils from the schools attended.", "")},
    )

    assert found("aleppo") == found("pupils") == [article.title_ar]


def test_blocks_created_in_bulk_after_the_article_are_indexed_on_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()  # saves each article, then bulk-creates its blocks: no signal for them

    assert found("المخطوطات") == ["مكتبة حلب العامة تعيد فتح قاعة المخطوطات بعد ترميم دام عامين"]


def test_an_index_failure_never_fails_the_save(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise DatabaseError("the index is broken")

    monkeypatch.setattr(index, "index_articles", broken)

    with caplog.at_level(logging.ERROR, logger="articles.search.index"):
        article = ArticleFactory(title_ar="مكتبة جديدة")

    assert (Article.objects.filter(pk=article.pk).exists(), caplog.messages) == (
        True,
        [f"Could not index articles [{article.pk}] for search"],
    )


# rebuild_search_index.


def bulk_article(title: str, body: str) -> Article:
    """An article and a block written without signals, as a bulk import would."""
    (article,) = Article.objects.bulk_create(
        [
            Article(
                source=SourceFactory(),
                title=title,
                title_ar=title,
                slug="bulk",
                status=Article.Status.PUBLISHED,
                published_at=ArticleFactory.build().published_at,
            )
        ]
    )
    ArticleBlock.objects.bulk_create([ArticleBlock(article=article, position=1, text_ar=body)])
    return article


def rebuild(*args) -> str:
    out = io.StringIO()
    call_command("rebuild_search_index", *args, stdout=out)
    return out.getvalue()


def test_rebuild_search_index_indexes_what_was_written_behind_its_back():
    bulk_article("مكتبة جديدة", "حضر الطلاب.")
    before = found("الطلاب")

    output = rebuild()

    assert (before, output, found("الطلاب")) == ([], "1 article(s) indexed.\n", ["مكتبة جديدة"])


def test_rebuild_search_index_stale_only_indexes_articles_it_is_missing(article):
    bulk_article("مكتبة جديدة", "حضر الطلاب.")

    assert (rebuild("--stale", "--dry-run"), rebuild("--stale"), rebuild("--stale")) == (
        "1 article(s) would be indexed.\n",
        "1 article(s) indexed.\n",
        "0 article(s) indexed.\n",
    )


def test_rebuild_search_index_dry_run_changes_nothing():
    bulk_article("مكتبة جديدة", "حضر الطلاب.")

    output = rebuild("--dry-run")

    assert (output, found("الطلاب"), SearchDocument.objects.count()) == (
        "1 article(s) would be indexed.\n",
        [],
        0,
    )

"""articles.prepared: SQL compiled once, rows read afresh and as values_list() gives them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import _TICKER_ROWS, SECTION_NAV_ROWS, Section, TickerHeadline
from articles.prepared import Prepared

from .factories import ArticleFactory, SectionFactory, TickerHeadlineFactory


def ticker_queryset():
    return _TICKER_ROWS.build()


@pytest.mark.django_db
def test_rows_are_what_the_queryset_gives_dates_and_order_included():
    now = timezone.now()
    article = ArticleFactory()
    TickerHeadlineFactory(text_ar="أول", article=article, active_from=now, position=2)
    TickerHeadlineFactory(
        text_ar="ثان", url="https://elsewhere.example/", active_until=now, position=1
    )
    TickerHeadlineFactory(text_ar="مطفأ", is_active=False, position=3)

    assert _TICKER_ROWS.rows() == [tuple(row) for row in ticker_queryset()]
    assert [row[0] for row in _TICKER_ROWS.rows()] == ["ثان", "أول"]
    assert isinstance(_TICKER_ROWS.rows()[1][2], datetime.datetime)


@pytest.mark.django_db
def test_each_run_reads_the_table_again_with_one_query():
    SectionFactory(name_ar="أول", position=1)
    assert [row[1] for row in SECTION_NAV_ROWS.rows()] == ["أول"]
    SectionFactory(name_ar="قبله", position=0)
    Section.objects.filter(name_ar="أول").update(name_en="First")

    with CaptureQueriesContext(connection) as queries:
        rows = SECTION_NAV_ROWS.rows()

    assert [row[1:] for row in rows] == [("قبله", None), ("أول", "First")]
    assert len(queries) == 1


@pytest.mark.django_db
def test_only_plain_column_lists_are_accepted():
    prepared = Prepared(lambda: TickerHeadline.objects.all())
    with pytest.raises(ValueError, match="values_list"):
        prepared.rows()


@pytest.mark.django_db
def test_an_article_for_its_page_is_the_model_instance_a_queryset_gives():
    from articles.models import Article, article_for_page

    with_section = ArticleFactory(title_en="English", lead_en="Lead")
    without = ArticleFactory(section=None)

    for article in (with_section, without):
        expected = Article.objects.select_related("source", "section").get(pk=article.pk)
        got = article_for_page(article.pk)
        fields = [field.attname for field in Article._meta.concrete_fields]
        assert [getattr(got, name) for name in fields] == [
            getattr(expected, name) for name in fields
        ]
        assert (got.source.name_ar, got.section and got.section.slug) == (
            expected.source.name_ar,
            expected.section and expected.section.slug,
        )
        assert got._state.adding is False
    assert article_for_page(without.pk + 1000) is None


def test_ids_must_reach_the_query():
    prepared = Prepared(lambda article: TickerHeadline.objects.values_list("pk"), ids=("article",))
    with pytest.raises(ValueError, match="every id"):
        prepared.compile("default")
    with pytest.raises(TypeError):
        SECTION_NAV_ROWS.rows(article=1)


@pytest.mark.django_db
def test_article_ids_beyond_any_database_integer_are_not_found(client):
    assert client.get("/articles/99999999999999999999999/x/").status_code == 404


@pytest.mark.django_db
def test_times_are_parameters_each_run_fills_in():
    from articles.views import FEATURED_ROWS, LATEST_ROWS

    now = timezone.now()
    soon = ArticleFactory(
        title_ar="قريبا", is_featured=True, published_at=now + datetime.timedelta(hours=1)
    )
    earlier = ArticleFactory(title_ar="سابق", published_at=now - datetime.timedelta(hours=1))

    assert FEATURED_ROWS.rows(now=now) == []
    assert [row[2] for row in LATEST_ROWS.rows(now=now)] == ["سابق"]
    later = now + datetime.timedelta(hours=2)
    assert [row[0] for row in FEATURED_ROWS.rows(now=later)] == [soon.pk]
    assert [row[0] for row in LATEST_ROWS.rows(now=later)] == [soon.pk, earlier.pk]


# Several prepared queries read together (one round trip on PostgreSQL).


@pytest.mark.django_db
def test_queries_read_together_give_each_its_own_rows_in_order():
    from articles.models import BODY_ROWS
    from articles.prepared import read_together

    SectionFactory(name_ar="قسم", position=1)
    TickerHeadlineFactory(text_ar="عاجل")
    article = ArticleFactory()

    with CaptureQueriesContext(connection) as queries:
        sections, body, ticker = read_together(
            (SECTION_NAV_ROWS, {}), (BODY_ROWS, {"article": article.pk}), (_TICKER_ROWS, {})
        )

    assert (sections, body, ticker) == (
        SECTION_NAV_ROWS.rows(),
        BODY_ROWS.rows(article=article.pk),
        _TICKER_ROWS.rows(),
    )
    assert [row[1] for row in sections] == ["قسم"]
    # Each is still a query of its own to Django, logged and counted.
    assert len([query for query in queries if "SELECT 1" != query["sql"]]) == 3


@pytest.mark.django_db(transaction=True)
def test_a_failing_query_read_together_is_a_database_error_and_the_next_page_works(client):
    from django.db import DatabaseError

    from articles.prepared import read_together

    broken = Prepared(lambda: Section.objects.extra(where=["no_such_column = 1"]).values_list("pk"))
    with pytest.raises(DatabaseError):
        read_together((SECTION_NAV_ROWS, {}), (broken, {}))

    assert client.get("/").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
@pytest.mark.django_db
def test_on_postgresql_a_page_s_queries_are_prepared_statements_with_generic_plans(client):
    article = ArticleFactory()
    for _ in range(2):
        assert client.get(article.get_absolute_url()).status_code == 200
        assert client.get("/").status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        prepared = cursor.fetchall()

    # The article, its blocks, related stories and corrections, the home
    # page's four lists, the ticker and the sections: planned once each.
    assert len(prepared) >= 10
    assert all(custom == 0 and generic >= 2 for _, generic, custom in prepared)
    assert any('FROM "articles_articleblock"' in statement for statement, _, _ in prepared)

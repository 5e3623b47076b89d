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

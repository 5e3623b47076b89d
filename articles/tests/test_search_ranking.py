"""The order of results on a small corpus: title above body, exact above stemmed, newest next."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from articles.search import query
from articles.search.results import search_articles

from .factories import ArticleBlockFactory, ArticleFactory

pytestmark = pytest.mark.django_db


def ago(hours: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def ranked(text: str) -> list[str]:
    return [article.title_ar for article in search_articles(query.parse(text))[:50]]


def with_body(title: str, body: str, *, hours: int):
    article = ArticleFactory(title_ar=title, published_at=ago(hours))
    ArticleBlockFactory(article=article, text_ar=body)
    return article


@pytest.fixture
def unrelated():
    """Articles without the word: a word found everywhere tells bm25 nothing."""
    for number in range(6):
        with_body(f"أخبار الطقس {number}", "أمطار غزيرة على الساحل.", hours=100 + number)


def test_search_ranks_title_exact_then_title_prefixed_then_body_newest_first(unrelated):
    # The body matches are the newest: rank, not date, puts the titles first.
    with_body("أخبار الحي", "وصل الطلاب إلى بالمدرسة صباحا.", hours=2)
    with_body("نشاط رياضي", "أقيم النشاط في مدرسة الحي.", hours=1)
    with_body("زيارة إلى المدرسة القديمة", "استقبل الأهالي الزوار.", hours=30)
    with_body("افتتاح مدرسة جديدة", "افتتح المحافظ البناء.", hours=40)

    assert ranked("مدرسة") == [
        "افتتاح مدرسة جديدة",
        "زيارة إلى المدرسة القديمة",
        "نشاط رياضي",
        "أخبار الحي",
    ]


def test_search_ranks_exact_form_above_other_particles(unrelated):
    with_body("زيارة بالمدرسة", "نص.", hours=1)
    with_body("زيارة المدرسة", "نص.", hours=5)

    assert ranked("المدرسة") == ["زيارة المدرسة", "زيارة بالمدرسة"]


def test_search_ranks_more_title_words_found_first(unrelated):
    with_body("مدرسة جديدة", "في حلب.", hours=1)
    with_body("مدرسة جديدة في حلب", "نص.", hours=5)

    assert ranked("مدرسة حلب") == ["مدرسة جديدة في حلب", "مدرسة جديدة"]


def test_search_ranks_english_title_above_english_body(unrelated):
    body = with_body("خبر أول", "نص.", hours=1)
    ArticleBlockFactory(article=body, text_en="The library opened.")
    title = ArticleFactory(title_ar="خبر ثان", title_en="Library opens", published_at=ago(9))

    assert ranked("library") == [title.title_ar, body.title_ar]


def test_search_ranks_ties_newest_first(unrelated):
    with_body("مدرسة قديمة", "نص.", hours=9)
    with_body("مدرسة حديثة", "نص.", hours=1)

    assert ranked("مدرسة") == ["مدرسة حديثة", "مدرسة قديمة"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_search_on_postgresql_ranks_a_stem_in_the_title_below_exact_and_above_body(unrelated):
    with_body("أخبار", "التقى المعلم بالطلاب.", hours=1)
    with_body("وصل المعلمون", "نص.", hours=2)
    with_body("كرم المعلم", "نص.", hours=30)
    with_body("جاء والمعلم", "نص.", hours=20)

    assert ranked("المعلم") == ["كرم المعلم", "جاء والمعلم", "وصل المعلمون", "أخبار"]


@pytest.fixture
def teachers_in_the_body(unrelated):
    """The word looked for in the lead or body only: once as itself, once with other
    particles, once sharing only its stem (and that one the newest)."""
    with_body("تقرير أول", "تحدث المعلمون عن المنهج.", hours=1)
    with_body("تقرير ثان", "تحدث المعلم عن المنهج.", hours=30)
    ArticleFactory(title_ar="تقرير ثالث", lead_ar="تحدث والمعلم عن المنهج.", published_at=ago(20))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_search_on_postgresql_ranks_a_body_word_itself_above_a_body_word_sharing_its_stem(
    teachers_in_the_body,
):
    assert ranked("المعلم") == ["تقرير ثالث", "تقرير ثان", "تقرير أول"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no Arabic stemmer")
def test_search_on_sqlite_finds_a_body_word_only_as_itself_newest_first(teachers_in_the_body):
    assert ranked("المعلم") == ["تقرير ثالث", "تقرير ثان"]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="FTS5's porter tokenizer stems text and query alike: SQLite cannot tell them apart",
)
def test_search_on_postgresql_ranks_an_english_body_word_itself_above_its_inflection(unrelated):
    inflected = with_body("خبر أول", "نص.", hours=1)
    ArticleBlockFactory(article=inflected, text_en="The libraries opened.")
    itself = with_body("خبر ثان", "نص.", hours=9)
    ArticleBlockFactory(article=itself, text_en="The library opened.")

    assert ranked("library") == ["خبر ثان", "خبر أول"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_search_on_postgresql_ranks_a_title_stem_above_a_body_word_itself(unrelated):
    with_body("تقرير", "تحدث المعلم عن المنهج.", hours=1)
    with_body("وصل المعلمون", "نص.", hours=9)

    assert ranked("المعلم") == ["وصل المعلمون", "تقرير"]

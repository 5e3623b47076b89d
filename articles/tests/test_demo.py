"""load_demo: invented demo content, created once."""

import io

import pytest
from django.core.management import call_command

from articles import demo_content
from articles.demo import load_demo
from articles.models import Article, ArticleBlock, Correction, Section, Source, TickerHeadline

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Source, Section, Article, ArticleBlock, TickerHeadline, Correction)
    }


def test_load_demo_creates_two_sources():
    load_demo()

    slugs = sorted(Source.objects.values_list("slug", flat=True))
    assert (len(slugs), slugs) == (2, sorted(source["slug"] for source in demo_content.SOURCES))


def test_load_demo_creates_published_articles():
    load_demo()

    counts = (Article.objects.published().count(), Article.objects.count())
    assert counts == (len(demo_content.ARTICLES), len(demo_content.ARTICLES))


def test_load_demo_gives_some_articles_english_titles():
    load_demo()

    with_english = Article.objects.exclude(title_en__isnull=True).exclude(title_en="").count()
    expected = sum(1 for article in demo_content.ARTICLES if article["title_en"])
    assert (with_english, 0 < expected < len(demo_content.ARTICLES)) == (expected, True)


def test_load_demo_creates_active_ticker():
    load_demo()

    texts = list(TickerHeadline.objects.active().values_list("text_ar", flat=True))
    assert texts == [text_ar for text_ar, _text_en, _article in demo_content.TICKER]


def test_load_demo_reports_what_it_created():
    created = load_demo()

    assert created == {
        "sources": 2,
        "sections": len(demo_content.SECTIONS),
        "articles": len(demo_content.ARTICLES),
        "ticker": len(demo_content.TICKER),
        "corrections": len(demo_content.CORRECTIONS),
    }


def test_load_demo_twice_adds_nothing():
    load_demo()
    before = row_counts()

    created = load_demo()

    assert (created, row_counts()) == (
        {"sources": 0, "sections": 0, "articles": 0, "ticker": 0, "corrections": 0},
        before,
    )


def test_load_demo_command_twice_adds_nothing():
    call_command("load_demo", stdout=io.StringIO())
    before = row_counts()

    call_command("load_demo", stdout=io.StringIO())

    assert row_counts() == before


def test_load_demo_corrects_an_article_well_after_publication():
    load_demo()

    correction = Correction.objects.get()
    article = correction.article
    assert (correction.note_en, article.shows_updated) == (demo_content.CORRECTIONS[0][2], True)

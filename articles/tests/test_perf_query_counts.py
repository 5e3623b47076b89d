"""Reader pages cost a fixed number of queries, whatever the size of the database.

Each page is measured uncached on a small database and again after it has
grown twenty times (more articles, blocks, English, related stories, sources,
sections, ticker headlines and views): the two counts must be equal and at
most PAGE_QUERY_BUDGET. With the page cache on, the second request for a page
costs no query at all.
"""

import datetime
import itertools

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from articles import changes, view_counts
from articles.models import (
    Article,
    ArticleBlock,
    Correction,
    HourlyViews,
    Source,
    TickerHeadline,
)

from .factories import (
    ArticleBlockFactory,
    ArticleFactory,
    SectionFactory,
    SourceFactory,
    TickerHeadlineFactory,
)

PAGE_QUERY_BUDGET = 8
# A word every generated title carries, so that search finds many results.
COMMON_WORD = "المدينة"
PAGES = {
    "home": lambda world: "/",
    "home-en": lambda world: "/en/",
    "article-ar": lambda world: f"{world['article'].get_absolute_url()}?view=ar",
    "article-both": lambda world: f"{world['article'].get_absolute_url()}?view=both",
    "article-en": lambda world: f"{world['article'].get_absolute_url()}?view=en",
    "article-en-interface": lambda world: f"/en{world['article'].get_absolute_url()}",
    "source": lambda world: world["source"].get_absolute_url(),
    "section": lambda world: world["section"].get_absolute_url(),
    "search": lambda world: f"/search/?q={COMMON_WORD}",
    "feeds": lambda world: "/feeds/",
    "rss": lambda world: "/feeds/rss/",
    "atom": lambda world: "/feeds/atom/",
    "rss-en": lambda world: "/en/feeds/rss/",
    "atom-en": lambda world: "/en/feeds/atom/",
    "source-rss": lambda world: f"/feeds/sources/{world['source'].slug}/rss/",
    "section-atom-en": lambda world: f"/en/feeds/sections/{world['section'].slug}/atom/",
    "sitemap-index": lambda world: "/sitemap.xml",
    "sitemap-articles": lambda world: "/sitemap-articles.xml",
    "sitemap-sections": lambda world: "/sitemap-sections.xml",
    "sitemap-sources": lambda world: "/sitemap-sources.xml",
    "sitemap-news": lambda world: "/sitemap-news.xml",
    "corrections": lambda world: "/corrections/",
}
# Search is for one reader's question: it is never served from the page cache.
NOT_CACHED = {"search"}
counter = itertools.count(1)


def page_url(name: str, world: dict) -> str:
    # In the site's language whatever the last request activated: the
    # English-interface URL adds its own /en/ prefix.
    with translation.override(settings.LANGUAGE_CODE):
        return PAGES[name](world)


def english(n: int) -> dict:
    return {"title_en": f"New park opens in district {n}", "lead_en": f"A short lead {n}."}


def add_articles(*, count: int, sources, sections, blocks: int, hours_ago: int = 2) -> list:
    """`count` published articles, English on every other one, with `blocks` blocks each."""
    now = timezone.now()
    articles = []
    for index in range(count):
        n = next(counter)
        article = ArticleFactory.build(
            source=sources[index % len(sources)],
            section=sections[index % len(sections)],
            title_ar=f"افتتاح حديقة في {COMMON_WORD} رقم {n}",
            lead_ar=f"خبر قصير عن الحديقة رقم {n}.",
            slug=f"park-{n}",
            published_at=now - datetime.timedelta(hours=hours_ago, minutes=index),
            **(english(n) if index % 2 == 0 else {}),
        )
        articles.append(article)
    articles = Article.objects.bulk_create(articles)
    ArticleBlock.objects.bulk_create(
        ArticleBlockFactory.build(
            article=article,
            position=position,
            text_ar=f"فقرة رقم {position} من الخبر {article.pk} في {COMMON_WORD}.",
            text_en=f"Paragraph {position}." if article.title_en else "",
        )
        for article in articles
        for position in range(1, blocks + 1)
    )
    hour = now.replace(minute=0, second=0, microsecond=0)
    HourlyViews.objects.bulk_create(
        HourlyViews(article=article, hour=hour, count=index + 1)
        for index, article in enumerate(articles)
    )
    view_counts.rank_most_read()
    changes.articles_changed(article.pk for article in articles)
    return articles


def add_ticker(*, count: int, articles) -> None:
    start = TickerHeadline.objects.count()
    TickerHeadline.objects.bulk_create(
        TickerHeadlineFactory.build(
            position=start + index,
            text_ar=f"عاجل رقم {start + index}",
            article=articles[index % len(articles)] if index % 2 == 0 else None,
            url="" if index % 2 == 0 else f"https://elsewhere.example/{index}",
        )
        for index in range(count)
    )


@pytest.fixture
def world(db):
    """A small newsroom: the measured article has blocks, English and related stories."""
    source = SourceFactory(name_ar=f"صحيفة {COMMON_WORD}")
    other_source = SourceFactory()
    section = SectionFactory()
    other_section = SectionFactory()
    article = ArticleFactory(
        source=source,
        section=section,
        is_featured=True,
        title_ar=f"سوق جديد في {COMMON_WORD}",
        title_en="A new market in the city",
        lead_ar="خبر السوق.",
        lead_en="The market news.",
    )
    for position in (1, 2):
        ArticleBlockFactory(article=article, position=position, text_en=f"Paragraph {position}.")
    others = add_articles(
        count=2, sources=[source, other_source], sections=[section, other_section], blocks=2
    )
    article.related.add(others[0])
    add_ticker(count=2, articles=[article])
    HourlyViews.objects.create(
        article=article, hour=timezone.now().replace(minute=0, second=0, microsecond=0), count=9
    )
    view_counts.rank_most_read()
    Correction.objects.create(article=article, note_ar="صُحّح اسم السوق.")
    return {"article": article, "source": source, "section": section, "others": others}


def grow(world: dict) -> None:
    """Twenty times more of everything the pages show."""
    sources = [world["source"], *SourceFactory.create_batch(4)]
    sections = [world["section"], *SectionFactory.create_batch(3)]
    more = add_articles(count=57, sources=sources, sections=sections, blocks=15, hours_ago=3)
    world["article"].related.add(*more[:6])
    add_ticker(count=12, articles=more)
    ArticleBlock.objects.bulk_create(
        ArticleBlockFactory.build(article=world["article"], position=position)
        for position in range(3, 16)
    )
    Correction.objects.bulk_create(
        Correction(article=article, note_ar=f"صُحّح التاريخ في الخبر {article.pk}.")
        for article in more[:20]
    )
    changes.articles_changed([world["article"].pk])
    assert (Article.objects.count(), Source.objects.count()) == (60, 6)


def queries_for(client, url: str) -> tuple[int, list[str], object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), [query["sql"] for query in queries.captured_queries], response


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_uncached_page_queries_stay_within_budget_at_both_sizes(client, world, name):
    small, small_sql, small_response = queries_for(client, page_url(name, world))
    grow(world)

    large, large_sql, large_response = queries_for(client, page_url(name, world))

    assert (small_response.status_code, large_response.status_code) == (200, 200)
    assert large == small, "\n".join(large_sql)
    assert small <= PAGE_QUERY_BUDGET, "\n".join(small_sql)


def test_large_database_shows_what_it_was_grown_with(client, world):
    grow(world)

    page = client.get(world["article"].get_absolute_url() + "?view=both").content.decode()
    search = client.get(f"/search/?q={COMMON_WORD}").context

    assert page.count('class="row row-paragraph"') == 15
    assert page.count('class="card-meta"') == 7  # related stories
    assert search["paginator"].count == 60


@pytest.fixture
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name in PAGES if name not in NOT_CACHED])
def test_cached_page_costs_no_query_on_the_large_database(client, world, page_cache_on, name):
    grow(world)
    url = page_url(name, world)
    first, _, _ = queries_for(client, url)

    second, sql, response = queries_for(client, url)

    assert first > 0
    assert (response.status_code, second) == (200, 0), "\n".join(sql)

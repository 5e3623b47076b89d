"""With the translation engine or a source unreachable, nothing a reader sees changes.

The pages and feeds are rendered, then a translation is run against an
engine and a source is polled at local ports nothing listens on, then the
pages are rendered again: each page's main element (CSRF tokens and CSP
nonces aside) and each feed must be the same bytes as before.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles import tasks
from articles.models import Article

from .engine_servers import closed_port_url
from .factories import ArticleBlockFactory, ArticleFactory, SectionFactory, SourceFactory

MAIN = re.compile(rb"<main\b.*?</main>", re.DOTALL)
# What differs between two renderings of the same page by design.
PER_RESPONSE = [
    (re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'), b'name="csrfmiddlewaretoken"'),
    (re.compile(rb'nonce="[^"]*"'), b'nonce=""'),
]
FEEDS = ["/feeds/rss/", "/feeds/atom/", "/en/feeds/rss/", "/en/feeds/atom/"]


def main_element(content: bytes) -> bytes:
    found = MAIN.search(content)
    assert found, "the page has no <main> element"
    main = found.group()
    for pattern, replacement in PER_RESPONSE:
        main = pattern.sub(replacement, main)
    return main


@pytest.fixture
def translated_article():
    """A published article whose English a machine wrote an hour ago."""
    translated_at = timezone.now() - datetime.timedelta(hours=1)
    source = SourceFactory(
        name_ar="أخبار الجبل", slug="jabal", feed_url=f"{closed_port_url()}/rss.xml"
    )
    article = ArticleFactory(
        source=source,
        section=SectionFactory(name_ar="محليات", slug="local"),
        title_ar="افتتاح سوق جديد للخضار في المدينة",
        title_en="A new vegetable market opens in the city",
        lead_ar="يفتح السوق أبوابه كل صباح.",
        lead_en="The market opens every morning.",
        title_translation_origin="machine",
        translation_state=Article.TranslationState.MACHINE,
        translation_engine="libretranslate",
        translated_at=translated_at,
    )
    ArticleBlockFactory(
        article=article,
        position=1,
        text_ar="اجتمع الباعة في الساحة منذ الفجر.",
        text_en="The sellers gathered in the square from dawn.",
        translation_origin="machine",
        translation_engine="libretranslate",
        translated_at=translated_at,
    )
    ArticleBlockFactory(
        article=article,
        position=2,
        kind="quote",
        text_ar="السوق يعيد الحياة إلى الحي.",
        attribution_ar="أحمد النجار",
        text_en="The market brings the neighbourhood back to life.",
        attribution_en="Ahmad al-Najjar",
        translation_origin="machine",
        translation_engine="libretranslate",
        translated_at=translated_at,
    )
    return article


def reader_view(client, urls: list[str]) -> dict[str, bytes]:
    """What a reader or a subscriber gets: a page's main element, a feed whole."""
    seen = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        is_feed = response["Content-Type"].startswith(("application/rss", "application/atom"))
        seen[url] = response.content if is_feed else main_element(response.content)
    return seen


def article_urls(article, modes) -> list[str]:
    return [f"{article.get_absolute_url()}?view={mode}" for mode in modes]


@pytest.fixture
def unreachable(settings, translated_article):
    """Run a translation and a poll against local ports nothing listens on."""
    settings.MT_ENGINE = "libretranslate"
    settings.MT_LIBRETRANSLATE_URL = closed_port_url()
    settings.MT_MAX_ATTEMPTS = 2
    settings.MT_BACKOFF_BASE = 0.01
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True

    def run_faults() -> None:
        report = tasks.translate_article.call(translated_article.pk, force=True)
        with pytest.raises(CommandError) as polled:
            call_command("fetch_sources", "--now", verbosity=0)
        translated_article.refresh_from_db()
        translated_article.source.refresh_from_db()
        # Both faults did happen, and were recorded where editors see them.
        assert (report["state"], translated_article.translation_state) == ("failed", "failed")
        assert (str(polled.value), translated_article.source.error_count) == (
            "1 source(s) polled, 1 failed.",
            1,
        )

    return run_faults


@pytest.mark.django_db
def test_engine_and_source_unreachable_leave_pages_and_feeds_unchanged(
    client, translated_article, unreachable
):
    source = translated_article.source
    urls = [
        "/",
        "/en/",
        source.get_absolute_url(),
        *article_urls(translated_article, ["ar"]),
        *FEEDS,
        f"/feeds/sources/{source.slug}/rss/",
    ]
    before = reader_view(client, urls)

    unreachable()
    after = reader_view(client, urls)

    assert [url for url in urls if after[url] != before[url]] == []


@pytest.mark.django_db
def test_engine_unreachable_leaves_the_article_english_unchanged(
    client, translated_article, unreachable
):
    urls = article_urls(translated_article, ["both", "en"])
    before = reader_view(client, urls)

    unreachable()
    after = reader_view(client, urls)

    assert [url for url in urls if after[url] != before[url]] == []

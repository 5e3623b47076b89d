"""The page cache: hits cost no query, changes invalidate exactly what shows them."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.machine_translation import pipeline
from articles.models import Article

from .factories import (
    ArticleBlockFactory,
    ArticleFactory,
    SectionFactory,
    SourceFactory,
    TickerHeadlineFactory,
)
from .mt_engine import ScriptedEngine


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def queries_for(client, url: str, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    return len(queries), response


@pytest.fixture
def story(db):
    section = SectionFactory(name_ar="اقتصاد")
    article = ArticleFactory(title_ar="سوق الخضار يفتح أبوابه", section=section)
    ArticleBlockFactory(article=article, position=1, text_ar="افتتح السوق صباح اليوم.")
    return article


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/en/", "article", "article-en", "source", "section", "/feeds/rss/", "/en/feeds/atom/"],
)
def test_cached_page_costs_no_query(client, story, url):
    url = {
        "article": story.get_absolute_url(),
        "article-en": f"/en{story.get_absolute_url()}?view=en",
        "source": story.source.get_absolute_url(),
        "section": story.section.get_absolute_url(),
    }.get(url, url)
    client.get(url)

    count, response = queries_for(client, url)

    assert (response.status_code, count) == (200, 0)


@pytest.mark.django_db
def test_cached_page_is_not_served_to_editors(client, story):
    from .factories import make_editor

    client.get(story.get_absolute_url())
    client.force_login(make_editor())

    count, response = queries_for(client, story.get_absolute_url())

    assert response.status_code == 200
    assert count > 0


@pytest.mark.django_db
def test_cached_pages_send_headers_a_shared_cache_can_trust(client, story):
    article = client.get(story.get_absolute_url())
    home = client.get("/")

    assert article["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in article["Vary"]
    assert home["Cache-Control"] == "public, max-age=60"
    assert "Cookie" not in home.get("Vary", "")


@pytest.mark.django_db
def test_editing_an_article_shows_at_once_on_its_page_and_lists(client, story):
    client.get(story.get_absolute_url())
    client.get("/")

    story.title_ar = "سوق الخضار يفتح أبوابه مجددا"
    story.save()

    assert "مجددا" in client.get(story.get_absolute_url()).content.decode()
    assert "مجددا" in client.get("/").content.decode()


@pytest.mark.django_db
def test_editing_an_article_leaves_other_articles_pages_cached(client, story):
    other = ArticleFactory(title_ar="خبر آخر لا علاقة له", source=SourceFactory())
    client.get(other.get_absolute_url())

    story.title_ar = "عنوان معدل"
    story.save()
    count, _ = queries_for(client, other.get_absolute_url())

    assert count == 0


@pytest.mark.django_db
def test_editing_a_block_shows_at_once(client, story):
    client.get(story.get_absolute_url())
    block = story.blocks.get()

    block.text_ar = "افتتح السوق مساء اليوم."
    block.save()

    assert "مساء" in client.get(story.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_publishing_shows_the_article_in_lists_at_once(client, story):
    draft = ArticleFactory(draft=True, title_ar="خبر كان مسودة", section=story.section)
    client.get("/")
    client.get(story.section.get_absolute_url())
    client.get("/feeds/rss/")

    services.publish_articles(articles=[draft])

    assert "خبر كان مسودة" in client.get("/").content.decode()
    assert "خبر كان مسودة" in client.get(story.section.get_absolute_url()).content.decode()
    assert "خبر كان مسودة" in client.get("/feeds/rss/").content.decode()


@pytest.mark.django_db
def test_unpublishing_takes_the_article_down_at_once(client, story):
    client.get(story.get_absolute_url())
    client.get("/")

    services.unpublish_articles(articles=[story])

    assert client.get(story.get_absolute_url()).status_code == 404
    assert "سوق الخضار" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_ticker_change_shows_on_every_page_at_once(client, story):
    client.get("/")
    client.get(story.get_absolute_url())

    TickerHeadlineFactory(text_ar="عاجل: انقطاع الكهرباء")

    assert "انقطاع الكهرباء" in client.get("/").content.decode()
    assert "انقطاع الكهرباء" in client.get(story.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_finished_translation_shows_at_once(client, story, settings):
    settings.MT_EXTRA_ENGINES = {"test": "articles.tests.mt_engine.ScriptedEngine"}
    ScriptedEngine.reset()
    url = f"{story.get_absolute_url()}?view=both"
    client.get(url)

    pipeline.translate_article(article_id=story.pk, engine=ScriptedEngine())

    assert "EN swq alkhdar" in client.get(url).content.decode()


@pytest.mark.django_db
def test_reading_modes_and_languages_never_mix(client, story):
    story.title_en = "The vegetable market opens"
    story.save()
    url = story.get_absolute_url()

    arabic = client.get(f"{url}?view=ar").context
    pages = {
        "ar": client.get(f"{url}?view=ar"),
        "en": client.get(f"{url}?view=en"),
        "cookie-en": client.get(url, headers={"Cookie": "reading_mode=en"}),
        "no-cookie": client.get(url),
        "english-interface": client.get(f"/en{url}"),
    }

    assert arabic["mode"] == "ar"
    assert [name for name, page in pages.items() if "col-en" in page.content.decode()] == [
        "en",
        "cookie-en",
        "english-interface",
    ]
    assert '<html lang="en"' in pages["english-interface"].content.decode()
    assert '<html lang="ar"' in pages["no-cookie"].content.decode()


@pytest.mark.django_db
def test_feed_served_from_the_cache_answers_304_without_a_query(client, story):
    first = client.get("/feeds/rss/")

    count, response = queries_for(client, "/feeds/rss/", headers={"If-None-Match": first["ETag"]})

    assert (response.status_code, response.content, count) == (304, b"", 0)


@pytest.mark.django_db
def test_views_of_cached_pages_are_counted(client, story):
    from articles import view_counts

    for _ in range(3):
        client.get(story.get_absolute_url())
    view_counts.flush()

    assert Article.objects.get(pk=story.pk).view_count == story.view_count + 3

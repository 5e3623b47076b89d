"""The page cache: hits cost no query, changes invalidate exactly what shows them."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.machine_translation import pipeline
from articles.models import Article, Correction

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


@pytest.fixture
def newsroom(db):
    """A story with a related one elsewhere, and an unrelated one: each with its own pages."""
    section = SectionFactory(name_ar="اقتصاد", slug="economy")
    story = ArticleFactory(
        title_ar="سوق الخضار يفتح أبوابه",
        title_en="The vegetable market opens",
        source=SourceFactory(name_ar="صحيفة الشام", slug="al-sham"),
        section=section,
    )
    ArticleBlockFactory(article=story, position=1, text_ar="افتتح السوق صباح اليوم.")
    related = ArticleFactory(
        title_ar="افتتاح سوق في دمشق",
        source=SourceFactory(name_ar="جريدة الساحل", slug="al-sahel"),
        section=SectionFactory(name_ar="محليات", slug="local"),
    )
    story.related.add(related)
    unrelated = ArticleFactory(
        title_ar="مباراة كرة القدم تنتهي بالتعادل",
        title_en="The football match ends in a draw",
        source=SourceFactory(name_ar="نشرة الرياضة", slug="sport-news"),
        section=SectionFactory(name_ar="رياضة", slug="sport"),
    )
    ArticleBlockFactory(article=unrelated, position=1, text_ar="انتهت المباراة مساء أمس.")
    return {"story": story, "related": related, "unrelated": unrelated}


def newsroom_pages(newsroom) -> dict[str, str]:
    story, related, unrelated = newsroom["story"], newsroom["related"], newsroom["unrelated"]
    return {
        "story": story.get_absolute_url(),
        "story-en": f"/en{story.get_absolute_url()}",
        "related": related.get_absolute_url(),
        "unrelated": unrelated.get_absolute_url(),
        "home": "/",
        "home-en": "/en/",
        "feeds": "/feeds/",
        "rss": "/feeds/rss/",
        "atom-en": "/en/feeds/atom/",
        "story-source": "/sources/al-sham/",
        "story-section": "/sections/economy/",
        "story-section-feed": "/feeds/sections/economy/rss/",
        "related-source": "/sources/al-sahel/",
        "related-section": "/sections/local/",
        "unrelated-source": "/sources/sport-news/",
        "unrelated-section": "/sections/sport/",
        "unrelated-source-feed": "/en/feeds/sources/sport-news/atom/",
        "sitemap": "/sitemap-articles.xml",
        "corrections": "/corrections/",
    }


def rendered_anew(client, pages: dict[str, str]) -> set[str]:
    """The pages that cost a query: those the cache no longer had."""
    anew = set()
    for name, url in pages.items():
        count, response = queries_for(client, url)
        assert response.status_code in (200, 404), name
        if count:
            anew.add(name)
    return anew


def prime(client, pages: dict[str, str]) -> None:
    for url in pages.values():
        client.get(url)
    assert rendered_anew(client, pages) == set()


# Every article event re-renders the lists, the article's own source and
# section pages and feeds, and the pages naming it among related stories.
STORY_SHOWN_ON = {
    "story",
    "story-en",
    "related",
    "home",
    "home-en",
    "feeds",
    "rss",
    "atom-en",
    "story-source",
    "story-section",
    "story-section-feed",
    "sitemap",
    "corrections",
}


@pytest.mark.django_db
def test_publishing_re_renders_exactly_the_lists_it_joins(client, newsroom):
    draft = ArticleFactory(
        draft=True, title_ar="خبر كان مسودة", source=newsroom["story"].source, section=None
    )
    pages = newsroom_pages(newsroom)
    prime(client, pages)

    services.publish_articles(articles=[draft])

    assert rendered_anew(client, pages) == {
        "home",
        "home-en",
        "feeds",
        "rss",
        "atom-en",
        "story-source",
        "sitemap",
        "corrections",
    }
    assert "خبر كان مسودة" in client.get("/sources/al-sham/").content.decode()


@pytest.mark.django_db
def test_unpublishing_re_renders_exactly_the_pages_that_showed_it(client, newsroom):
    pages = newsroom_pages(newsroom)
    prime(client, pages)

    services.unpublish_articles(articles=[newsroom["story"]])

    assert rendered_anew(client, pages) == STORY_SHOWN_ON
    assert client.get(pages["story"]).status_code == 404
    for name in ("related", "home", "rss", "atom-en", "story-section", "story-section-feed"):
        assert "سوق الخضار" not in client.get(pages[name]).content.decode(), name


@pytest.mark.django_db
def test_editing_an_article_re_renders_exactly_the_pages_that_show_it(client, newsroom):
    pages = newsroom_pages(newsroom)
    prime(client, pages)
    story = newsroom["story"]

    story.title_ar = "سوق الخضار يفتح أبوابه مجددا"
    story.save()

    assert rendered_anew(client, pages) == STORY_SHOWN_ON
    for name in ("story", "related", "home", "rss", "story-section-feed"):
        assert "مجددا" in client.get(pages[name]).content.decode(), name


@pytest.mark.django_db
def test_editing_the_ticker_re_renders_every_page_but_no_feed(client, newsroom):
    pages = newsroom_pages(newsroom)
    prime(client, pages)

    TickerHeadlineFactory(text_ar="عاجل: انقطاع الكهرباء")

    feeds = {"rss", "atom-en", "story-section-feed", "unrelated-source-feed", "sitemap"}
    assert rendered_anew(client, pages) == set(pages) - feeds
    assert "انقطاع الكهرباء" in client.get(pages["unrelated-section"]).content.decode()


@pytest.mark.django_db
def test_unpublishing_an_article_the_ticker_links_to_re_renders_every_page(client, newsroom):
    TickerHeadlineFactory(text_ar="عاجل: السوق يفتح", article=newsroom["story"])
    pages = newsroom_pages(newsroom)
    prime(client, pages)

    services.unpublish_articles(articles=[newsroom["story"]])

    unrelated = client.get(pages["unrelated"]).content.decode()
    assert newsroom["story"].get_absolute_url() not in unrelated
    assert "عاجل: السوق يفتح" in unrelated


@pytest.mark.django_db
def test_finished_translation_re_renders_exactly_the_pages_that_show_it(client, newsroom, settings):
    settings.MT_EXTRA_ENGINES = {"test": "articles.tests.mt_engine.ScriptedEngine"}
    ScriptedEngine.reset()
    story = newsroom["story"]
    Article.objects.filter(pk=story.pk).update(title_en="")
    pages = {**newsroom_pages(newsroom), "story-both": f"{story.get_absolute_url()}?view=both"}
    prime(client, pages)

    pipeline.translate_article(article_id=story.pk, engine=ScriptedEngine())

    assert rendered_anew(client, pages) == {*STORY_SHOWN_ON, "story-both"}
    assert "EN swq alkhdar" in client.get(pages["story-both"]).content.decode()
    assert "EN swq alkhdar" in client.get(pages["atom-en"]).content.decode()


@pytest.mark.django_db
def test_renaming_a_source_re_renders_exactly_the_pages_that_name_it(client, newsroom):
    pages = newsroom_pages(newsroom)
    prime(client, pages)
    source = newsroom["story"].source

    source.name_ar = "صحيفة الشام الجديدة"
    source.save()

    assert rendered_anew(client, pages) == STORY_SHOWN_ON
    for name in ("story", "related", "home", "story-section", "story-source", "feeds"):
        assert "صحيفة الشام الجديدة" in client.get(pages[name]).content.decode(), name


@pytest.mark.django_db
def test_saving_a_source_without_changing_what_pages_show_leaves_articles_cached(client, newsroom):
    pages = newsroom_pages(newsroom)
    prime(client, pages)
    source = newsroom["story"].source

    source.homepage_url = "https://al-sham.example/new/"
    source.save()

    assert rendered_anew(client, pages) == {
        "home",
        "home-en",
        "feeds",
        "rss",
        "atom-en",
        "story-source",
        "sitemap",
        "corrections",
    }


@pytest.mark.django_db
def test_changing_a_source_slug_re_renders_the_pages_at_its_old_address(client, newsroom):
    old = {"source": "/sources/al-sham/", "feed": "/feeds/sources/al-sham/rss/"}
    prime(client, old)
    source = newsroom["story"].source

    source.slug = "al-sham-daily"
    source.save()

    assert [client.get(url).status_code for url in old.values()] == [404, 404]


@pytest.mark.django_db
def test_editing_a_related_article_re_renders_the_pages_listing_it(client, newsroom):
    pages = newsroom_pages(newsroom)
    prime(client, pages)
    related = newsroom["related"]

    related.title_ar = "افتتاح سوق كبير في دمشق"
    related.save()

    assert rendered_anew(client, pages) == {
        "related",
        "story",
        "story-en",
        "home",
        "home-en",
        "feeds",
        "rss",
        "atom-en",
        "related-source",
        "related-section",
        "sitemap",
        "corrections",
    }
    assert "افتتاح سوق كبير في دمشق" in client.get(pages["story"]).content.decode()


@pytest.mark.django_db
def test_a_correction_re_renders_exactly_the_pages_that_show_its_article(client, newsroom):
    pages = newsroom_pages(newsroom)
    prime(client, pages)

    Correction.objects.create(article=newsroom["story"], note_ar="صُحّح موعد افتتاح السوق.")

    # Related stories show titles, never corrections.
    assert rendered_anew(client, pages) == STORY_SHOWN_ON - {"related"}
    for name in ("story", "corrections"):
        assert "صُحّح موعد افتتاح السوق." in client.get(pages[name]).content.decode(), name


@pytest.mark.django_db
def test_unpublishing_a_related_article_takes_it_off_the_story_page(client, newsroom):
    story_url = newsroom["story"].get_absolute_url()
    client.get(story_url)

    services.unpublish_articles(articles=[newsroom["related"]])

    assert "افتتاح سوق في دمشق" not in client.get(story_url).content.decode()


@pytest.mark.django_db
def test_unlinking_related_stories_re_renders_both_pages(client, newsroom):
    pages = newsroom_pages(newsroom)
    prime(client, pages)

    newsroom["story"].related.clear()

    assert rendered_anew(client, pages) == {"story", "story-en", "related"}
    assert "افتتاح سوق في دمشق" not in client.get(pages["story"]).content.decode()


@pytest.mark.django_db
def test_saving_only_the_view_count_leaves_related_pages_cached(client, newsroom):
    pages = newsroom_pages(newsroom)
    prime(client, pages)
    related = newsroom["related"]

    related.view_count = 40
    related.save(update_fields=["view_count"])

    assert "story" not in rendered_anew(client, pages)


@pytest.mark.django_db
def test_a_page_rendered_before_a_commit_is_not_kept_after_it(
    client, newsroom, django_capture_on_commit_callbacks
):
    story = newsroom["story"]
    url = story.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        story.title_ar = "عنوان قبل الالتزام"
        story.save()
        # Rendered between the change and its commit: a reader in another
        # transaction would have stored the old title here.
        client.get(url)

    count, _ = queries_for(client, url)

    assert count > 0


@pytest.mark.django_db
def test_evicted_tag_versions_never_bring_back_a_stale_page(client, newsroom):
    url = newsroom["story"].get_absolute_url()
    client.get(url)
    cache.delete("page-tag:ticker")

    count, _ = queries_for(client, url)

    assert count > 0


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

"""What a page's head tells search engines, social networks and feed readers."""

import datetime
import json
import re

import pytest
from django.utils import translation

from articles.models import Article

from .factories import ArticleFactory, SectionFactory, SourceFactory
from .htmltree import page

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script', re.DOTALL | re.I)


def arabic_url(article) -> str:
    with translation.override("ar"):
        return f"http://testserver{article.get_absolute_url()}"


def english_url(article) -> str:
    with translation.override("en"):
        return f"http://testserver{article.get_absolute_url()}?view=en"


def english_path(article) -> str:
    with translation.override("en"):
        return article.get_absolute_url()


def head(response):
    return page(response).find("head")


def canonical(response) -> str:
    return head(response).find("link", rel="canonical").attrs["href"]


def hreflang_alternates(response) -> list[tuple[str, str]]:
    return [
        (link.attrs["hreflang"], link.attrs["href"])
        for link in head(response).find_all("link", rel="alternate")
        if "hreflang" in link.attrs
    ]


def meta(response) -> dict[str, str]:
    """The page's <meta property=...> and <meta name=...> tags, by property or name."""
    tags = head(response).find_all("meta")
    return {
        tag.attrs.get("property") or tag.attrs.get("name"): tag.attrs.get("content")
        for tag in tags
        if tag.attrs.get("property") or tag.attrs.get("name")
    }


def json_ld_texts(response) -> list[str]:
    """The JSON-LD scripts' text, cut where a browser ends a script: at the first </script."""
    return JSON_LD.findall(response.content.decode())


def json_ld(response) -> dict:
    (text,) = json_ld_texts(response)
    return json.loads(text)


def feed_links(response) -> list[tuple[str, str]]:
    return [
        (link.attrs["type"], link.attrs["href"])
        for link in head(response).find_all("link", rel="alternate")
        if link.attrs.get("type") in ("application/rss+xml", "application/atom+xml")
    ]


RSS = "application/rss+xml"
ATOM = "application/atom+xml"


# Canonical address and hreflang alternates.


def test_article_page_canonical_is_absolute_arabic_url_without_query(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url(), {"view": "both", "utm_source": "x"})

    assert canonical(response) == arabic_url(article)


def test_english_article_page_canonical_is_english_reading(client):
    article = ArticleFactory(title_en="Bread prices fall again")

    response = client.get(english_path(article))

    assert canonical(response) == english_url(article)


def test_english_page_of_article_without_english_is_canonical_to_arabic(client):
    article = ArticleFactory(title_en="")

    response = client.get(english_path(article))

    assert canonical(response) == arabic_url(article)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_article_page_with_english_has_ar_en_and_x_default_alternates(client, language):
    article = ArticleFactory(title_en="Bread prices fall again")
    path = english_path(article) if language == "en" else article.get_absolute_url()

    response = client.get(path)

    assert hreflang_alternates(response) == [
        ("ar", arabic_url(article)),
        ("en", english_url(article)),
        ("x-default", arabic_url(article)),
    ]


@pytest.mark.parametrize("language", ["ar", "en"])
def test_article_page_without_english_has_no_alternates(client, language):
    article = ArticleFactory(title_en="")
    path = english_path(article) if language == "en" else article.get_absolute_url()

    response = client.get(path)

    assert hreflang_alternates(response) == []


def test_home_page_has_canonical_and_both_languages_as_alternates(client):
    response = client.get("/en/")

    assert (canonical(response), hreflang_alternates(response)) == (
        "http://testserver/en/",
        [
            ("ar", "http://testserver/"),
            ("en", "http://testserver/en/"),
            ("x-default", "http://testserver/"),
        ],
    )


# OpenGraph and Twitter.


def test_article_page_open_graph_and_twitter_tags_in_arabic(client):
    article = ArticleFactory(
        title_ar="افتتاح سوق الخضار الجديد", lead_ar="يفتح السوق أبوابه يوم السبت.", title_en="X"
    )

    response = client.get(article.get_absolute_url())

    tags = meta(response)
    assert {
        name: tags.get(name)
        for name in ("og:title", "og:type", "og:url", "og:locale", "twitter:card", "twitter:title")
    } == {
        "og:title": "افتتاح سوق الخضار الجديد",
        "og:type": "article",
        "og:url": arabic_url(article),
        "og:locale": "ar_AR",
        "twitter:card": "summary",
        "twitter:title": "افتتاح سوق الخضار الجديد",
    }


def test_english_article_page_open_graph_and_twitter_tags_in_english(client):
    article = ArticleFactory(title_en="The new vegetable market opens")

    response = client.get(english_path(article))

    tags = meta(response)
    assert {
        name: tags.get(name)
        for name in ("og:title", "og:type", "og:url", "og:locale", "twitter:card", "twitter:title")
    } == {
        "og:title": "The new vegetable market opens",
        "og:type": "article",
        "og:url": english_url(article),
        "og:locale": "en_US",
        "twitter:card": "summary",
        "twitter:title": "The new vegetable market opens",
    }


def test_article_page_open_graph_title_keeps_quotes_and_angle_brackets_as_text(client):
    article = ArticleFactory(title_ar='قال "لا" <b>للمشروع</b>')

    response = client.get(article.get_absolute_url())

    assert meta(response)["og:title"] == 'قال "لا" <b>للمشروع</b>'


# JSON-LD.


def test_article_json_ld_is_news_article_with_required_keys(client, settings):
    settings.TIME_ZONE = "Asia/Damascus"
    source = SourceFactory(name_ar="صحيفة الوادي")
    article = ArticleFactory(
        source=source,
        title_ar="ارتفاع أسعار الذهب",
        byline="سامر العلي",
        section=SectionFactory(name_ar="اقتصاد"),
        original_url="https://wadi.example/gold",
    )
    Article.objects.filter(pk=article.pk).update(
        published_at=datetime.datetime(2024, 3, 1, 7, 19, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2024, 3, 2, 9, 0, tzinfo=datetime.UTC),
    )

    response = client.get(article.get_absolute_url())

    assert json_ld(response) == {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "ارتفاع أسعار الذهب",
        "inLanguage": "ar",
        "datePublished": "2024-03-01T10:19:00+03:00",
        "dateModified": "2024-03-02T12:00:00+03:00",
        "mainEntityOfPage": arabic_url(article),
        "url": arabic_url(article),
        "author": {"@type": "Person", "name": "سامر العلي"},
        "publisher": {
            "@type": "Organization",
            "name": "غرفة الأخبار",
            "logo": {"@type": "ImageObject", "url": "http://testserver/static/favicon.svg"},
        },
        "isBasedOn": "https://wadi.example/gold",
        "articleSection": "اقتصاد",
    }


def test_article_json_ld_dates_carry_time_zone(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url())

    data = json_ld(response)
    published = datetime.datetime.fromisoformat(data["datePublished"])
    modified = datetime.datetime.fromisoformat(data["dateModified"])
    article.refresh_from_db()
    assert (published.utcoffset() is not None, published, modified) == (
        True,
        article.published_at,
        article.updated_at,
    )


def test_article_json_ld_without_byline_names_source_as_author(client):
    source = SourceFactory(name_ar="صحيفة الوادي", homepage_url="https://wadi.example/")
    article = ArticleFactory(source=source, byline="")

    response = client.get(article.get_absolute_url())

    assert json_ld(response)["author"] == {
        "@type": "Organization",
        "name": "صحيفة الوادي",
        "url": "https://wadi.example/",
    }


def test_english_article_json_ld_is_in_english_and_points_to_arabic_original(client):
    article = ArticleFactory(title_en="Gold prices rise")

    response = client.get(english_path(article))

    data = json_ld(response)
    assert (data["headline"], data["inLanguage"], data["url"], data["translationOfWork"]) == (
        "Gold prices rise",
        "en",
        english_url(article),
        {"@type": "NewsArticle", "inLanguage": "ar", "url": arabic_url(article)},
    )


def test_english_page_of_article_without_english_json_ld_is_arabic(client):
    article = ArticleFactory(title_ar="ارتفاع أسعار الذهب", title_en="")

    response = client.get(english_path(article))

    data = json_ld(response)
    assert (data["headline"], data["inLanguage"], "translationOfWork" in data) == (
        "ارتفاع أسعار الذهب",
        "ar",
        False,
    )


HOSTILE_TITLES = [
    pytest.param('قال "لا" للمشروع', id="quotes"),
    pytest.param("عنوان </script><script>alert(1)</script>", id="end-script"),
    pytest.param("عنوان </SCRIPT >", id="end-script-upper-case"),
    pytest.param("سعر الذهب < 2000 & الفضة > 20", id="angle-brackets"),
    pytest.param("<!--<script> عنوان", id="comment-open"),
    pytest.param("عنوان \\ مائل '\u2028' سطر", id="backslash-and-line-separator"),
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_article_json_ld_stays_inside_its_script_and_parses(client, title):
    article = ArticleFactory(title_ar=title, byline=title)

    response = client.get(article.get_absolute_url())

    texts = json_ld_texts(response)
    data = json.loads(texts[0])
    assert (len(texts), "<" in texts[0], data["headline"], data["author"]["name"]) == (
        1,
        False,
        title,
        title,
    )


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_english_article_json_ld_stays_inside_its_script_and_parses(client, title):
    article = ArticleFactory(title_en=f"English {title}")

    response = client.get(english_path(article))

    texts = json_ld_texts(response)
    assert (len(texts), "<" in texts[0], json.loads(texts[0])["headline"]) == (
        1,
        False,
        f"English {title}",
    )


def test_article_page_has_one_script_per_script_end(client):
    article = ArticleFactory(title_ar="</script><script>alert(1)</script>")

    response = client.get(article.get_absolute_url())

    html = response.content.decode().lower()
    assert html.count("<script") == html.count("</script")


# The lead image.

IMAGE_TAGS = ("og:image", "twitter:card", "twitter:image")


def test_article_page_with_image_announces_it_to_social_networks(client):
    # An address with a query and an ampersand, exactly as the source gave it.
    image = "https://cdn.wadi.example/img/market.jpg?w=1200&h=630"
    article = ArticleFactory(image_url=image)

    response = client.get(article.get_absolute_url())

    tags = meta(response)
    assert ({name: tags.get(name) for name in IMAGE_TAGS}, json_ld(response)["image"]) == (
        {"og:image": image, "twitter:card": "summary_large_image", "twitter:image": image},
        [image],
    )


def test_english_article_page_with_image_announces_the_same_image(client):
    image = "http://wadi.example/market.png"
    article = ArticleFactory(title_en="The market opens", image_url=image)

    response = client.get(english_path(article))

    tags = meta(response)
    assert ({name: tags.get(name) for name in IMAGE_TAGS}, json_ld(response)["image"]) == (
        {"og:image": image, "twitter:card": "summary_large_image", "twitter:image": image},
        [image],
    )


@pytest.mark.parametrize(
    "image_url",
    [pytest.param("", id="none"), pytest.param("ftp://files.example/a.jpg", id="not-http")],
)
def test_article_page_without_a_web_image_has_a_summary_card_and_no_image(client, image_url):
    article = ArticleFactory(image_url=image_url)

    response = client.get(article.get_absolute_url())

    tags = meta(response)
    assert ({name: tags.get(name) for name in IMAGE_TAGS}, "image" in json_ld(response)) == (
        {"og:image": None, "twitter:card": "summary", "twitter:image": None},
        False,
    )


# Feed discovery.


def test_home_page_links_site_feeds(client):
    response = client.get("/")

    assert feed_links(response) == [(RSS, "/feeds/rss/"), (ATOM, "/feeds/atom/")]


def test_english_home_page_links_english_site_feeds(client):
    response = client.get("/en/")

    assert feed_links(response) == [(RSS, "/en/feeds/rss/"), (ATOM, "/en/feeds/atom/")]


@pytest.mark.parametrize("language", ["ar", "en"])
def test_article_page_links_site_feeds(client, language):
    article = ArticleFactory(title_en="Gold prices rise")
    path = english_path(article) if language == "en" else article.get_absolute_url()
    prefix = "/en" if language == "en" else ""

    response = client.get(path)

    assert feed_links(response) == [
        (RSS, f"{prefix}/feeds/rss/"),
        (ATOM, f"{prefix}/feeds/atom/"),
    ]


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize(
    ("kind", "group_factory"), [("source", SourceFactory), ("section", SectionFactory)]
)
def test_source_and_section_pages_link_site_feeds_and_their_own(
    client, language, kind, group_factory
):
    group = group_factory(slug=f"my-{kind}")
    prefix = "/en" if language == "en" else ""

    response = client.get(f"{prefix}/{kind}s/my-{kind}/")

    assert (response.status_code, feed_links(response)) == (
        200,
        [
            (RSS, f"{prefix}/feeds/rss/"),
            (ATOM, f"{prefix}/feeds/atom/"),
            (RSS, f"{prefix}/feeds/{kind}s/{group.slug}/rss/"),
            (ATOM, f"{prefix}/feeds/{kind}s/{group.slug}/atom/"),
        ],
    )


@pytest.mark.parametrize("path", ["/feeds/", "/en/feeds/"])
def test_feeds_page_links_site_feeds(client, path):
    response = client.get(path)

    prefix = path.removesuffix("/feeds/")
    assert feed_links(response) == [(RSS, f"{prefix}/feeds/rss/"), (ATOM, f"{prefix}/feeds/atom/")]

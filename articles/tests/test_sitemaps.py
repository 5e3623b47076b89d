"""Sitemaps (the index, articles with their alternates, sections, sources, news) and robots.txt."""

import datetime
import re

import lxml.etree
import pytest
from django.utils import timezone, translation

from articles.models import Article

from .factories import ArticleFactory, SectionFactory, SourceFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# W3C datetime to the second at least, with a zone offset: 2024-03-01T10:19:00+03:00.
W3C_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")

HIDDEN = [
    pytest.param({"draft": True}, id="draft"),
    pytest.param({"scheduled": True}, id="scheduled"),
    pytest.param({"archived": True}, id="archived"),
    pytest.param({"published_at": timezone.now() + datetime.timedelta(days=2)}, id="future"),
]


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def arabic_url(article) -> str:
    with translation.override("ar"):
        return f"http://testserver{article.get_absolute_url()}"


def english_url(article) -> str:
    with translation.override("en"):
        return f"http://testserver{article.get_absolute_url()}?view=en"


def xml(response):
    return lxml.etree.fromstring(response.content)


def urls(response) -> list:
    return xml(response).findall(f"{SITEMAP}url")


def locations(response) -> list[str]:
    return [url.findtext(f"{SITEMAP}loc") for url in urls(response)]


def alternates(url) -> list[tuple[str, str]]:
    return [
        (link.get("hreflang"), link.get("href"))
        for link in url.findall(f"{XHTML}link")
        if link.get("rel") == "alternate"
    ]


def entry_for(response, location: str):
    (url,) = [url for url in urls(response) if url.findtext(f"{SITEMAP}loc") == location]
    return url


# The index.


def test_sitemap_index_lists_the_four_sitemaps(client):
    ArticleFactory()

    response = client.get("/sitemap.xml")

    root = xml(response)
    assert (
        response.status_code,
        root.tag,
        [loc.text for loc in root.iter(f"{SITEMAP}loc")],
    ) == (
        200,
        f"{SITEMAP}sitemapindex",
        [
            "http://testserver/sitemap-articles.xml",
            "http://testserver/sitemap-sections.xml",
            "http://testserver/sitemap-sources.xml",
            "http://testserver/sitemap-news.xml",
        ],
    )


@pytest.mark.parametrize("section", ["articles", "sections", "sources", "news"])
def test_sitemap_is_xml_url_set(client, section):
    ArticleFactory(section=SectionFactory())

    response = client.get(f"/sitemap-{section}.xml")

    assert (response.status_code, response["Content-Type"], xml(response).tag) == (
        200,
        "application/xml",
        f"{SITEMAP}urlset",
    )


# Articles.


def test_article_sitemap_lists_arabic_readings_and_english_only_where_there_is_one(client):
    arabic_only = ArticleFactory(published_at=hours_ago(1))
    bilingual = ArticleFactory(published_at=hours_ago(2), title_en="Bread prices fall again")

    response = client.get("/sitemap-articles.xml")

    assert locations(response) == [
        arabic_url(arabic_only),
        arabic_url(bilingual),
        english_url(bilingual),
    ]


def test_article_sitemap_article_with_english_has_ar_en_and_x_default_alternates(client):
    article = ArticleFactory(title_en="Bread prices fall again")

    response = client.get("/sitemap-articles.xml")

    expected = [
        ("ar", arabic_url(article)),
        ("en", english_url(article)),
        ("x-default", arabic_url(article)),
    ]
    assert [alternates(url) for url in urls(response)] == [expected, expected]


def test_article_sitemap_english_alternate_asks_for_english_view(client):
    article = ArticleFactory(title_en="Bread prices fall again")

    response = client.get("/sitemap-articles.xml")

    english = dict(alternates(entry_for(response, arabic_url(article))))["en"]
    assert (english.startswith("http://testserver/en/"), english.endswith("?view=en")) == (
        True,
        True,
    )


def test_article_sitemap_article_without_english_has_no_alternates(client):
    article = ArticleFactory(title_en="")

    response = client.get("/sitemap-articles.xml")

    assert [(url.findtext(f"{SITEMAP}loc"), alternates(url)) for url in urls(response)] == [
        (arabic_url(article), [])
    ]


def test_article_sitemap_lastmod_is_w3c_datetime_with_time_zone(client):
    article = ArticleFactory(published_at=hours_ago(5))
    edited = hours_ago(2).replace(microsecond=0)
    Article.objects.filter(pk=article.pk).update(updated_at=edited)

    response = client.get("/sitemap-articles.xml")

    lastmod = entry_for(response, arabic_url(article)).findtext(f"{SITEMAP}lastmod")
    assert (bool(W3C_DATETIME.fullmatch(lastmod)), datetime.datetime.fromisoformat(lastmod)) == (
        True,
        edited,
    )


def test_article_sitemap_lastmod_of_article_edited_before_publication_is_publication(client):
    published = hours_ago(1).replace(microsecond=0)
    article = ArticleFactory(published_at=published)
    Article.objects.filter(pk=article.pk).update(updated_at=hours_ago(3))

    response = client.get("/sitemap-articles.xml")

    lastmod = entry_for(response, arabic_url(article)).findtext(f"{SITEMAP}lastmod")
    assert datetime.datetime.fromisoformat(lastmod) == published


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("section", ["articles", "news"])
def test_article_sitemaps_never_list_unpublished_articles(client, section, hidden):
    shown = ArticleFactory(title_en="Bread prices fall again")
    ArticleFactory(title_en="Not for readers yet", **hidden)

    response = client.get(f"/sitemap-{section}.xml")

    assert locations(response) == [arabic_url(shown), english_url(shown)]


# Sections and sources.


def test_section_sitemap_lists_every_section_page_in_order(client):
    second = SectionFactory(position=2)
    first = SectionFactory(position=1)
    published = hours_ago(3).replace(microsecond=0)
    ArticleFactory(section=first, published_at=published)
    ArticleFactory(section=first, draft=True, published_at=hours_ago(1))

    response = client.get("/sitemap-sections.xml")

    assert [
        (url.findtext(f"{SITEMAP}loc"), url.findtext(f"{SITEMAP}lastmod")) for url in urls(response)
    ] == [
        (f"http://testserver{first.get_absolute_url()}", timezone.localtime(published).isoformat()),
        (f"http://testserver{second.get_absolute_url()}", None),
    ]


def test_source_sitemap_lists_every_source_page(client):
    first = SourceFactory()
    second = SourceFactory()
    published = hours_ago(3).replace(microsecond=0)
    ArticleFactory(source=second, published_at=published)
    ArticleFactory(source=second, scheduled=True)

    response = client.get("/sitemap-sources.xml")

    assert [
        (url.findtext(f"{SITEMAP}loc"), url.findtext(f"{SITEMAP}lastmod")) for url in urls(response)
    ] == [
        (f"http://testserver{first.get_absolute_url()}", None),
        (
            f"http://testserver{second.get_absolute_url()}",
            timezone.localtime(published).isoformat(),
        ),
    ]


# Google News.


def test_news_sitemap_lists_the_last_48_hours_only(client):
    recent = ArticleFactory(published_at=hours_ago(1), title_en="Rain expected tomorrow")
    yesterday = ArticleFactory(published_at=hours_ago(47))
    ArticleFactory(published_at=hours_ago(49), title_en="An old story")

    response = client.get("/sitemap-news.xml")

    assert locations(response) == [
        arabic_url(recent),
        english_url(recent),
        arabic_url(yesterday),
    ]


def news_entry(url) -> tuple[str, str, str, str]:
    publication = f"{NEWS}news/{NEWS}publication/"
    return (
        url.findtext(f"{publication}{NEWS}name"),
        url.findtext(f"{publication}{NEWS}language"),
        url.findtext(f"{NEWS}news/{NEWS}publication_date"),
        url.findtext(f"{NEWS}news/{NEWS}title"),
    )


def test_news_sitemap_entry_names_publication_language_date_and_title(client):
    article = ArticleFactory(
        published_at=hours_ago(2), title_ar="هطول أمطار غزيرة على الساحل", title_en="Heavy rain"
    )

    response = client.get("/sitemap-news.xml")

    date = timezone.localtime(article.published_at).isoformat()
    assert [news_entry(url) for url in urls(response)] == [
        ("غرفة الأخبار", "ar", date, article.title_ar),
        ("Newsroom", "en", date, "Heavy rain"),
    ]


def test_news_sitemap_lists_at_most_1000_entries(client):
    source = SourceFactory()
    articles = ArticleFactory.build_batch(501, source=source, title_en="Market prices hold")
    for number, article in enumerate(articles):
        article.slug = f"market-{number}"
    Article.objects.bulk_create(articles)

    response = client.get("/sitemap-news.xml")

    assert len(urls(response)) == 1000


# robots.txt.


def test_robots_txt_points_to_both_sitemaps_and_disallows_admin(client):
    response = client.get("/robots.txt")

    lines = response.content.decode().splitlines()
    assert (
        response["Content-Type"],
        [line for line in lines if line.startswith("Sitemap:")],
        "Disallow: /admin/" in lines,
    ) == (
        "text/plain; charset=utf-8",
        ["Sitemap: http://testserver/sitemap.xml", "Sitemap: http://testserver/sitemap-news.xml"],
        True,
    )


def test_robots_txt_behind_https_proxy_points_to_https_sitemaps(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = client.get(
        "/robots.txt", headers={"X-Forwarded-Proto": "https", "Host": "testserver"}
    )

    lines = response.content.decode().splitlines()
    assert [line for line in lines if line.startswith("Sitemap:")] == [
        "Sitemap: https://testserver/sitemap.xml",
        "Sitemap: https://testserver/sitemap-news.xml",
    ]

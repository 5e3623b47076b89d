"""Hostile feeds and pages: the importer stores plain text, with nothing in any stored field
that runs (scripts, styles, event handlers, javascript: addresses) and no script's text."""

import pytest
from django.db import models

from articles.models import Article, ArticleBlock, ArticleUpdate, Source, TickerHeadline

from .factories import SourceFactory
from .feed_server import (
    HTML_TYPE,
    FeedServer,
    article_page,
    fetch_sources,
    import_articles,
    rss_feed,
    rss_item,
)

pytestmark = pytest.mark.django_db

# What must never be stored. Every payload below calls alert(), so "alert(" also
# catches the text of a script that was kept as text.
FORBIDDEN = ("<script", "</script", "<style", "<iframe", "onerror", "onload", "onclick",
             "onmouseover", "javascript:", "alert(")  # fmt: skip
SAFE_TEXT = "افتتحت البلدية حديقة عامة جديدة في الحي الشمالي تضم ملعبا صغيرا للأطفال."
SAFE_TITLE = "افتتاح حديقة عامة في الحي الشمالي"


def forbidden_in_storage() -> dict[str, str]:
    """Every text column of every imported row that holds something forbidden."""
    found = {}
    for model in (Article, ArticleBlock, ArticleUpdate, TickerHeadline, Source):
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model.objects.values("pk", *fields):
            for name in fields:
                value = str(row[name] or "")
                if any(bad in value.lower() for bad in FORBIDDEN):
                    found[f"{model.__name__}#{row['pk']}.{name}"] = value
    return found


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # the test server is on 127.0.0.1
    with FeedServer() as running:
        yield running


def poll(server, feed: str) -> list[str]:
    server.publish("/rss.xml", feed)
    SourceFactory(name_ar="أخبار الوادي", feed_url=server.url_for("/rss.xml"))
    return fetch_sources(verbosity=2)


# Hostile feed items, one way of attacking each.

HOSTILE_ITEMS = {
    "markup in the title": rss_item(
        title=f"<img src=x onerror=\"alert('t1')\">{SAFE_TITLE}<script>alert('t2')</script>",
        link="https://wadi.example/news/1",
        guid="h-1",
        description=f"<p>{SAFE_TEXT}</p>",
    ),
    "scripts, styles and handlers in the description": rss_item(
        title=SAFE_TITLE,
        link="https://wadi.example/news/2",
        guid="h-2",
        description=(
            f"<![CDATA[<p onclick=\"alert('d1')\">{SAFE_TEXT}</p><script>alert('d2')</script>"
            "<style>body{background:url(javascript:alert('d3'))}</style>"
            "<p><a href=\"javascript:alert('d4')\">رابط</a></p>"
            "<iframe src=\"javascript:alert('d5')\"></iframe>"
            "<p><img src=x onerror=\"alert('d6')\"><svg onload=\"alert('d7')\"></svg>نص</p>]]>"
        ),
        escape=False,
    ),
    "an escaped script in the description": rss_item(
        title=SAFE_TITLE,
        link="https://wadi.example/news/3",
        guid="h-3",
        description=f"<p>{SAFE_TEXT}</p><script>alert('e1')</script>",  # escaped by rss_item
    ),
    "a double-escaped script in the description": rss_item(
        title=SAFE_TITLE,
        link="https://wadi.example/news/4",
        guid="h-4",
        description=f"&amp;lt;p&amp;gt;{SAFE_TEXT}&amp;lt;/p&amp;gt;"
        "&amp;lt;script&amp;gt;alert('e2')&amp;lt;/script&amp;gt;",
        escape=False,
    ),
    "an escaped script beside real markup": rss_item(
        title=SAFE_TITLE,
        link="https://wadi.example/news/9",
        guid="h-9",
        description=f"<![CDATA[<p>{SAFE_TEXT}</p>&lt;script&gt;alert('e3')&lt;/script&gt;]]>",
        escape=False,
    ),
    "markup in the author's name": rss_item(
        title=SAFE_TITLE,
        link="https://wadi.example/news/5",
        guid="h-5",
        description=f"<p>{SAFE_TEXT}</p>",
        extra="<dc:creator>&lt;img src=x onerror=alert('a1')&gt;سامر الحلبي</dc:creator>",
    ),
    "javascript: image addresses": rss_item(
        title=SAFE_TITLE,
        link="https://wadi.example/news/6",
        guid="h-6",
        description=f"<p>{SAFE_TEXT}</p>",
        extra=(
            '<media:content url="javascript:alert(\'m1\')" medium="image"/>'
            '<enclosure url="javascript:alert(\'m2\')" type="image/jpeg" length="1"/>'
        ),
    ),
    "a javascript: link": rss_item(
        title=SAFE_TITLE,
        link="javascript:alert('l1')",
        guid="h-7",
        description=f"<p>{SAFE_TEXT}</p>",
    ),
    "markup in the image caption": rss_item(
        title=SAFE_TITLE,
        link="https://wadi.example/news/8",
        guid="h-8",
        description=f"<p>{SAFE_TEXT}</p>",
        extra=(
            '<media:content url="https://wadi.example/img/8.jpg" medium="image">'
            "<media:description>&lt;script&gt;alert('c1')&lt;/script&gt;الحديقة</media:description>"
            "</media:content>"
        ),
    ),
}


@pytest.mark.parametrize("attack", list(HOSTILE_ITEMS))
def test_hostile_feed_item_stores_nothing_that_runs(server, attack):
    poll(server, rss_feed(HOSTILE_ITEMS[attack]))

    assert forbidden_in_storage() == {}


def test_hostile_feed_item_still_stores_its_plain_text(server):
    poll(server, rss_feed(HOSTILE_ITEMS["scripts, styles and handlers in the description"]))

    article = Article.objects.get()
    assert list(article.blocks.order_by("position").values_list("text_ar", flat=True)) == [
        SAFE_TEXT,
        "رابط",
        "نص",
    ]


def test_hostile_feed_titles_keep_their_text_without_the_markup(server):
    poll(server, rss_feed(HOSTILE_ITEMS["markup in the title"]))

    assert list(Article.objects.values_list("title_ar", flat=True)) == [SAFE_TITLE]


def test_feed_item_with_a_javascript_link_is_not_stored_with_it(server):
    lines = poll(server, rss_feed(HOSTILE_ITEMS["a javascript: link"]))

    assert (
        list(Article.objects.values_list("original_url", flat=True)) in ([], [""]),
        lines[-1],
    ) == (True, "1 source(s) polled, 0 failed.")


# A hostile article page.

HOSTILE_PAGE = article_page(
    title=SAFE_TITLE,
    paragraphs=[
        SAFE_TEXT,
        "وقال رئيس البلدية إن الحديقة ستفتح أبوابها يوميا من السابعة صباحا حتى العاشرة ليلا.",
    ],
    canonical="https://wadi.example/news/park",
    image=("javascript:alert('p1')", "الحديقة يوم الافتتاح"),
    head_extra=(
        '<meta property="og:description" content="&lt;script&gt;alert(\'p2\')&lt;/script&gt;'
        "حديقة &lt;img src=x onerror=alert('p3')&gt;\">"
        "<script>alert('p4')</script><style>p { color: red }</style>"
        '<meta name="author" content="&lt;img src=x onerror=alert(\'p5\')&gt;">'
    ),
    body_extra=(
        "<p onmouseover=\"alert('p6')\">وتضم الحديقة ممرات للمشي وأماكن للجلوس تحت الأشجار "
        "<a href=\"javascript:alert('p7')\">للعائلات</a>.</p>"
        "<figure><img src=\"x\" onerror=\"alert('p8')\"><figcaption><script>alert('p9')</script>"
        "مدخل الحديقة</figcaption></figure>"
        "<iframe srcdoc=\"<script>alert('p10')</script>\"></iframe>"
        "<svg onload=\"alert('p11')\"><text>نص</text></svg>"
        "<noscript><img src=x onerror=\"alert('p12')\"></noscript>"
    ),
)


# The lead image's caption is read from the page itself, not from trafilatura's text.
HOSTILE_CAPTION_PAGE = article_page(
    title=SAFE_TITLE,
    paragraphs=[SAFE_TEXT],
    canonical="https://wadi.example/news/park",
    body_extra=(
        "<figure><img src=\"/img/park.jpg\"><figcaption><script>alert('q1')</script>"
        "<style>figcaption { color: red }</style>مدخل الحديقة</figcaption></figure>"
    ),
)
HOSTILE_PAGES = {"page": HOSTILE_PAGE, "lead image caption": HOSTILE_CAPTION_PAGE}


@pytest.mark.parametrize("name", list(HOSTILE_PAGES))
def test_hostile_page_from_a_file_stores_nothing_that_runs(tmp_path, name):
    path = tmp_path / "park.html"
    path.write_text(HOSTILE_PAGES[name], encoding="utf-8")

    import_articles(str(path))

    assert (Article.objects.count(), forbidden_in_storage()) == (1, {})


def test_hostile_page_from_a_url_stores_nothing_that_runs(server):
    server.publish("/news/park", HOSTILE_PAGE, content_type=HTML_TYPE)

    import_articles(server.url_for("/news/park"))

    assert (Article.objects.count(), forbidden_in_storage()) == (1, {})


def test_hostile_page_as_a_full_text_source_stores_nothing_that_runs(server):
    server.publish("/news/park", HOSTILE_PAGE, content_type=HTML_TYPE)
    server.publish(
        "/rss.xml",
        rss_feed(
            rss_item(
                title=SAFE_TITLE,
                link=server.url_for("/news/park"),
                guid="park",
                description=f"<p>{SAFE_TEXT}</p>",
            )
        ),
    )
    SourceFactory(feed_url=server.url_for("/rss.xml"), fetch_full_text=True)

    fetch_sources()

    assert (Article.objects.count(), forbidden_in_storage()) == (1, {})

"""Sources that fetch each new item's own page for its full text (Source.fetch_full_text)."""

import pytest

from articles.importing import PAGE_ACCEPT
from articles.models import Article, DeletedArticle, Source

from .factories import SourceFactory
from .feed_server import (
    HTML_TYPE,
    Answer,
    FeedServer,
    article_page,
    fetch_sources,
    rss_feed,
    rss_item,
)

pytestmark = pytest.mark.django_db

SOURCE_NAME = "أخبار الوادي"
# Items invented for these tests: the feed's summary, and the page's full text.
WELL = ("حفر بئر جديدة لسقاية البساتين", "بدأت الجمعية الزراعية حفر بئر جديدة لسقاية البساتين.")
BAKERY = ("افتتاح مخبز آلي في البلدة", "افتتح في البلدة مخبز آلي ينتج عشرة آلاف رغيف كل يوم.")
WELL_PAGE_TEXT = [
    "بدأت الجمعية الزراعية صباح اليوم حفر بئر جديدة لسقاية البساتين الواقعة شرق البلدة، "
    "بعد أن جفت الآبار القديمة في الصيف الماضي.",
    "وقال رئيس الجمعية إن البئر ستكفي لسقاية أكثر من مئتي دونم من الأشجار المثمرة طوال "
    "موسم الصيف المقبل.",
]
BAKERY_PAGE_TEXT = [
    "افتتح في البلدة صباح اليوم مخبز آلي حديث ينتج عشرة آلاف رغيف كل يوم، ويعمل فيه "
    "عشرون عاملا من أبناء المنطقة.",
    "ويأمل السكان أن ينهي المخبز الجديد طوابير الانتظار الطويلة التي كانت تتشكل كل صباح "
    "أمام المخبز القديم.",
]


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # the test server is on 127.0.0.1
    with FeedServer() as running:
        yield running


def make_source(server, **fields) -> Source:
    return SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for("/rss.xml"), **fields)


@pytest.fixture
def full_text_site(server):
    server.publish(
        "/rss.xml",
        rss_feed(
            rss_item(
                title=WELL[0],
                link=server.url_for("/news/well"),
                guid="wadi-1",
                description=f"<p>{WELL[1]}</p>",
                pub_date="Tue, 05 Mar 2024 10:00:00 +0300",
            )
        ),
    )
    server.publish(
        "/news/well",
        article_page(
            title=WELL[0], paragraphs=WELL_PAGE_TEXT, canonical=server.url_for("/news/well")
        ),
        content_type=HTML_TYPE,
    )
    server.publish(
        "/news/bakery",
        article_page(
            title=BAKERY[0], paragraphs=BAKERY_PAGE_TEXT, canonical=server.url_for("/news/bakery")
        ),
        content_type=HTML_TYPE,
    )
    return server


def add_bakery_to_the_feed(server):
    server.publish(
        "/rss.xml",
        rss_feed(
            rss_item(
                title=BAKERY[0],
                link=server.url_for("/news/bakery"),
                guid="wadi-2",
                description=f"<p>{BAKERY[1]}</p>",
                pub_date="Tue, 05 Mar 2024 11:00:00 +0300",
            ),
            rss_item(
                title=WELL[0],
                link=server.url_for("/news/well"),
                guid="wadi-1",
                description=f"<p>{WELL[1]}</p>",
                pub_date="Tue, 05 Mar 2024 10:00:00 +0300",
            ),
        ),
    )


def body_of(title: str) -> list[str]:
    article = Article.objects.get(title_ar=title)
    return list(article.blocks.order_by("position").values_list("text_ar", flat=True))


def test_full_text_source_stores_the_items_page_not_its_summary(full_text_site):
    make_source(full_text_site, fetch_full_text=True)

    fetch_sources()

    page_request = full_text_site.requests_to("/news/well")[0]
    assert (body_of(WELL[0]), page_request.headers["accept"]) == (WELL_PAGE_TEXT, PAGE_ACCEPT)


def test_full_text_source_fetches_pages_of_new_items_only(full_text_site):
    make_source(full_text_site, fetch_full_text=True)
    fetch_sources()
    add_bakery_to_the_feed(full_text_site)

    fetch_sources("--now")

    assert (
        len(full_text_site.requests_to("/news/well")),
        len(full_text_site.requests_to("/news/bakery")),
    ) == (1, 1)


def test_full_text_source_keeps_the_full_text_when_polled_again(full_text_site):
    make_source(full_text_site, fetch_full_text=True)
    fetch_sources()
    add_bakery_to_the_feed(full_text_site)

    fetch_sources("--now")

    assert (body_of(WELL[0]), body_of(BAKERY[0])) == (WELL_PAGE_TEXT, BAKERY_PAGE_TEXT)


def test_full_text_source_falls_back_to_the_summary_when_the_page_fails(full_text_site):
    full_text_site.respond("/news/well", Answer(500))
    make_source(full_text_site, fetch_full_text=True)

    fetch_sources()

    assert body_of(WELL[0]) == [WELL[1]]


def test_source_fetches_no_pages_until_an_editor_turns_full_text_on(full_text_site):
    source = make_source(full_text_site)

    fetch_sources()

    assert (source.fetch_full_text, full_text_site.requests_to("/news/well"), body_of(WELL[0])) == (
        False,
        [],
        [WELL[1]],
    )


def test_full_text_source_does_not_fetch_the_page_of_an_article_an_editor_deleted(
    full_text_site,
):
    source = make_source(full_text_site, fetch_full_text=True)
    fetch_sources()
    article = Article.objects.get()
    DeletedArticle.objects.create(source=source, identity=article.guid, title=article.title_ar)
    article.delete()
    add_bakery_to_the_feed(full_text_site)

    fetch_sources("--now")

    assert len(full_text_site.requests_to("/news/well")) == 1

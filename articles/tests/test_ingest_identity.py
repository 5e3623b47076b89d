"""Which stored article a feed item is: GUIDs, normalised URLs, hashes; editors' deletions;
the same story from two sources."""

import pytest
from django.urls import reverse

from articles.models import Article, DeletedArticle, Source

from .factories import SourceFactory, make_editor
from .feed_server import (
    HTML_TYPE,
    FeedServer,
    article_page,
    fetch_sources,
    import_articles,
    rss_feed,
    rss_item,
)
from .htmltree import page

pytestmark = pytest.mark.django_db

SOURCE_NAME = "أخبار الوادي"
TEXT = "<p>جرى ذلك بحضور عدد من الأهالي الذين عبروا عن سعادتهم بالخطوة.</p>"
POOL = "افتتاح مسبح بلدي جديد في الحي الجنوبي"
LIBRARY = "توسيع مكتبة المدرسة الثانوية"
MARKET = "سوق للمزارعين كل يوم جمعة"


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # the test server is on 127.0.0.1
    with FeedServer() as running:
        yield running


@pytest.fixture
def source(server) -> Source:
    return SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for("/rss.xml"))


def serve(server, *items: str) -> None:
    # No validators: every poll reads the feed again, as for most real feeds.
    server.publish("/rss.xml", rss_feed(*items), validators=False)


def poll_twice(server, first: list[str], second: list[str]) -> list[str]:
    serve(server, *first)
    fetch_sources("--now")
    serve(server, *second)
    return fetch_sources("--now", verbosity=2)


def rows() -> list[tuple[str, str]]:
    return list(Article.objects.order_by("pk").values_list("title_ar", "original_url"))


# One item, one row.


def test_same_item_polled_twice_is_one_row(server, source):
    item = rss_item(title=POOL, link="https://wadi.example/news/1", guid="wadi-1", description=TEXT)

    lines = poll_twice(server, [item], [item])

    assert (lines[0], rows()) == (
        f"{SOURCE_NAME}: 0 new, 0 updated, 1 skipped, 0 failed.",
        [(POOL, "https://wadi.example/news/1")],
    )


def test_unique_guids_identify_items_whose_link_changed(server, source):
    before = rss_item(
        title=POOL, link="https://wadi.example/news/1", guid="wadi-1", description=TEXT
    )
    after = rss_item(
        title=POOL, link="https://wadi.example/news/pool-opens", guid="wadi-1", description=TEXT
    )
    other = rss_item(
        title=LIBRARY, link="https://wadi.example/news/2", guid="wadi-2", description=TEXT
    )

    poll_twice(server, [before, other], [after, other])

    assert list(Article.objects.order_by("pk").values_list("title_ar", "guid")) == [
        (POOL, "wadi-1"),
        (LIBRARY, "wadi-2"),
    ]


def test_without_unique_guids_the_url_without_tracking_parameters_identifies_an_item(
    server, source
):
    first = [
        rss_item(
            title=POOL,
            link="https://wadi.example/news/1?utm_source=rss&utm_medium=feed&id=7",
            guid="same",
            description=TEXT,
        ),
        rss_item(title=LIBRARY, link="https://wadi.example/news/2", guid="same", description=TEXT),
    ]
    second = [
        rss_item(
            title=POOL,
            link="https://wadi.example/news/1?id=7&fbclid=IwAR0abc&gclid=Cj0KCQ",
            guid="same",
            description=TEXT,
        ),
        rss_item(title=LIBRARY, link="https://wadi.example/news/2", guid="same", description=TEXT),
    ]

    poll_twice(server, first, second)

    assert rows() == [
        (POOL, "https://wadi.example/news/1?id=7"),
        (LIBRARY, "https://wadi.example/news/2"),
    ]


def test_urls_differing_in_percent_encoding_case_and_trailing_slash_are_one_item(server, source):
    first = rss_item(
        title=POOL, link="https://wadi.example/%d8%ae%d8%a8%d8%b1/5/", description=TEXT
    )
    second = rss_item(
        title=POOL, link="https://WADI.example/%D8%AE%D8%A8%D8%B1/5", description=TEXT
    )

    poll_twice(server, [first], [second])

    assert rows() == [(POOL, "https://wadi.example/%D8%AE%D8%A8%D8%B1/5")]


def test_items_without_guid_or_link_are_identified_by_title_and_date(server, source):
    items = [
        rss_item(title=POOL, description=TEXT, pub_date="Tue, 05 Mar 2024 10:00:00 +0300"),
        rss_item(title=POOL, description=TEXT, pub_date="Wed, 06 Mar 2024 10:00:00 +0300"),
        rss_item(title=MARKET, description=TEXT, pub_date="Tue, 05 Mar 2024 10:00:00 +0300"),
    ]

    poll_twice(server, items, items)

    guids = list(Article.objects.values_list("guid", flat=True))
    assert (len(guids), len(set(guids)), all(guid.startswith("sha256:") for guid in guids)) == (
        3,
        3,
        True,
    )


def test_a_feed_giving_every_item_the_same_guid_still_gives_one_row_per_item(server, source):
    serve(
        server,
        *(
            rss_item(title=title, link=f"https://wadi.example/news/{n}", guid="1", description=TEXT)
            for n, title in enumerate([POOL, LIBRARY, MARKET], start=1)
        ),
    )

    lines = fetch_sources()

    assert (lines[0], rows()) == (
        f"{SOURCE_NAME}: 3 new, 0 updated, 0 skipped, 0 failed.",
        [
            (POOL, "https://wadi.example/news/1"),
            (LIBRARY, "https://wadi.example/news/2"),
            (MARKET, "https://wadi.example/news/3"),
        ],
    )


def test_a_feed_imported_by_hand_and_then_polled_keeps_one_row_per_item(server, source):
    serve(
        server,
        rss_item(title=POOL, link="https://wadi.example/news/1", guid="wadi-1", description=TEXT),
    )
    import_articles(source.feed_url)

    fetch_sources()

    assert (rows(), Source.objects.count()) == ([(POOL, "https://wadi.example/news/1")], 1)


# The same article by another import path: the source an editor made is found by its host.

POOL_PARAGRAPHS = [
    "افتتحت البلدية مسبحا جديدا في الحي الجنوبي يتسع لمئتي سباح.",
    "وسيفتح المسبح أبوابه للعائلات أيام الجمعة والسبت.",
]


def test_an_item_polled_then_its_page_imported_by_url_is_one_row(server, source):
    url = server.url_for("/news/pool")
    serve(server, rss_item(title=POOL, link=url, guid="wadi-pool", description=TEXT))
    server.publish(
        "/news/pool",
        article_page(title=POOL, paragraphs=POOL_PARAGRAPHS, canonical=url),
        content_type=HTML_TYPE,
    )
    fetch_sources()

    out, err = import_articles(url)

    assert (out[-1], err, rows(), list(Source.objects.values_list("pk", flat=True))) == (
        "1 file(s): 0 new, 1 updated, 0 skipped, 0 failed.",
        [],
        [(POOL, url)],
        [source.pk],
    )


@pytest.mark.parametrize(
    ("homepage_url", "feed_url"),
    [
        ("https://wadi.example/", ""),
        ("https://www.wadi.example/", ""),
        ("", "https://wadi.example/rss.xml"),
    ],
    ids=["home-page", "home-page-with-www", "feed"],
)
def test_a_saved_page_goes_to_the_editors_source_on_its_host(tmp_path, homepage_url, feed_url):
    source = SourceFactory(
        name_ar=SOURCE_NAME, slug="wadi", homepage_url=homepage_url, feed_url=feed_url
    )
    path = tmp_path / "pool.html"
    path.write_text(
        article_page(
            title=POOL, paragraphs=POOL_PARAGRAPHS, canonical="https://wadi.example/news/pool"
        ),
        encoding="utf-8",
    )

    import_articles(str(path))

    assert (
        list(Article.objects.values_list("source", flat=True)),
        list(Source.objects.values_list("pk", flat=True)),
    ) == ([source.pk], [source.pk])


def test_a_saved_page_from_another_host_gets_a_source_of_its_own(tmp_path):
    SourceFactory(name_ar=SOURCE_NAME, slug="wadi", homepage_url="https://wadi.example/")
    path = tmp_path / "pool.html"
    path.write_text(
        article_page(
            title=POOL, paragraphs=POOL_PARAGRAPHS, canonical="https://sahel.example/news/pool"
        ),
        encoding="utf-8",
    )

    import_articles(str(path))

    assert Article.objects.get().source.slug == "sahel-example"


# What editors deleted stays deleted.


@pytest.fixture
def imported(server, source) -> Article:
    serve(
        server,
        rss_item(title=POOL, link="https://wadi.example/news/1", guid="wadi-1", description=TEXT),
        rss_item(
            title=LIBRARY, link="https://wadi.example/news/2", guid="wadi-2", description=TEXT
        ),
    )
    fetch_sources()
    return Article.objects.get(title_ar=POOL)


def test_article_deleted_in_the_admin_delete_view_is_not_imported_again(client, source, imported):
    client.force_login(make_editor())
    client.post(reverse("admin:articles_article_delete", args=[imported.pk]), {"post": "yes"})

    lines = fetch_sources("--now", verbosity=2)

    assert (lines[:2], rows(), list(DeletedArticle.objects.values_list("identity", "title"))) == (
        [
            f"{SOURCE_NAME}: 0 new, 0 updated, 2 skipped, 0 failed.",
            f"  «{POOL}»: an editor deleted it",
        ],
        [(LIBRARY, "https://wadi.example/news/2")],
        [("wadi-1", POOL)],
    )


def test_article_deleted_with_the_admin_delete_action_is_not_imported_again(
    client, source, imported
):
    client.force_login(make_editor())
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [imported.pk], "post": "yes"},
    )

    fetch_sources("--now")

    assert (rows(), DeletedArticle.objects.count()) == (
        [(LIBRARY, "https://wadi.example/news/2")],
        1,
    )


def test_deleted_article_is_not_imported_again_when_its_guids_stop_being_unique(
    server, client, source, imported
):
    client.force_login(make_editor())
    client.post(reverse("admin:articles_article_delete", args=[imported.pk]), {"post": "yes"})
    serve(
        server,
        rss_item(title=POOL, link="https://wadi.example/news/1", guid="x", description=TEXT),
        rss_item(title=LIBRARY, link="https://wadi.example/news/2", guid="x", description=TEXT),
    )

    fetch_sources("--now")

    assert rows() == [(LIBRARY, "https://wadi.example/news/2")]


# The same story from two sources.

STORY_HERE = "افتتاح مكتبة عامة جديدة في وسط مدينة حمص"
STORY_THERE = "افتتاح مكتبة عامة جديدة وسط مدينة حمص اليوم"
UNRELATED = "ارتفاع أسعار الخضار في الأسواق الشعبية"


@pytest.fixture
def two_sources(server):
    server.publish(
        "/here.xml",
        rss_feed(
            rss_item(
                title=STORY_HERE,
                link="https://wadi.example/news/library",
                guid="wadi-lib",
                description=TEXT,
                pub_date="Tue, 05 Mar 2024 10:00:00 +0300",
            )
        ),
    )
    server.publish(
        "/there.xml",
        rss_feed(
            rss_item(
                title=STORY_THERE,
                link="https://sahel.example/a/991",
                guid="sahel-991",
                description=TEXT,
                pub_date="Tue, 05 Mar 2024 13:20:00 +0300",
            ),
            rss_item(
                title=UNRELATED,
                link="https://sahel.example/a/992",
                guid="sahel-992",
                description=TEXT,
                pub_date="Tue, 05 Mar 2024 13:30:00 +0300",
            ),
            link="https://sahel.example/",
        ),
    )
    SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for("/here.xml"), auto_publish=True)
    SourceFactory(name_ar="صوت الساحل", feed_url=server.url_for("/there.xml"), auto_publish=True)
    fetch_sources()


def test_same_story_from_two_sources_is_linked_not_duplicated(two_sources):
    here = Article.objects.get(title_ar=STORY_HERE)

    assert (
        list(here.related.values_list("title_ar", flat=True)),
        list(Article.objects.get(title_ar=STORY_THERE).related.values_list("title_ar", flat=True)),
        Article.objects.count(),
    ) == ([STORY_THERE], [STORY_HERE], 3)


def test_article_page_lists_the_same_story_elsewhere(client, two_sources):
    here = Article.objects.get(title_ar=STORY_HERE)

    response = client.get(here.get_absolute_url())

    aside = page(response).find("aside", cls="related")
    assert [link.text for link in aside.find_all("a")] == [STORY_THERE]

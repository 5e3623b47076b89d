"""import_articles on HTML article pages and RSS/Atom feeds, from files and from URLs.

The format is read from the content, never from the file name.
"""

import datetime

import pytest

from articles.ingest.fetch import USER_AGENT
from articles.models import Article, Source

from .feed_server import (
    ATOM_TYPE,
    HTML_TYPE,
    NAV_FOOTER,
    NAV_MOST_READ,
    NAV_TICKER,
    FeedServer,
    article_page,
    atom_entry,
    atom_feed,
    import_articles,
    rss_feed,
    rss_item,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC

# An article page, invented for these tests.
BRIDGE_TITLE = "افتتاح جسر جديد فوق النهر"
BRIDGE_URL = "https://wadi.example/news/2024/04/bridge"
BRIDGE_PARAGRAPHS = [
    "افتتحت المحافظة صباح اليوم جسرا جديدا يربط ضفتي النهر بعد عامين من العمل المتواصل، "
    "وحضر الافتتاح عدد كبير من سكان القرى المجاورة.",
    "ويبلغ طول الجسر نحو ثلاثمئة متر، ويتسع لمسارين للسيارات وممر واسع للمشاة "
    "والدراجات الهوائية على الجانبين.",
    "ومن المتوقع أن تبدأ حافلات النقل العام بعبور الجسر اعتبارا من الأسبوع المقبل "
    "وفق جدول جديد تعلنه البلدية.",
]
BRIDGE_QUOTE = ("هذا الجسر حلم انتظرناه سنوات طويلة، واليوم صار حقيقة نراها بأعيننا.", "أبو سمير")
BRIDGE_AUTHOR = "ليلى منصور"
BRIDGE_CAPTION = "الجسر الجديد عند افتتاحه صباح اليوم"
SCRIPT_MARKER = "tracker-script-text"
BRIDGE_PAGE = article_page(
    title=BRIDGE_TITLE,
    paragraphs=BRIDGE_PARAGRAPHS,
    canonical=BRIDGE_URL + "?utm_source=facebook",
    author=BRIDGE_AUTHOR,
    published="2024-04-02T09:15:00+03:00",
    image=("/images/2024/bridge.jpg", BRIDGE_CAPTION),
    quote=BRIDGE_QUOTE,
    head_extra=(
        f"<script>var tracker = '{SCRIPT_MARKER}';</script><style>p {{ margin: 0 }}</style>"
    ),
    body_extra=f"<script>document.write('{SCRIPT_MARKER}');</script>",
)
BRIDGE_BLOCKS = [
    ("paragraph", BRIDGE_PARAGRAPHS[0], ""),
    ("quote", *BRIDGE_QUOTE),
    ("paragraph", BRIDGE_PARAGRAPHS[1], ""),
    ("paragraph", BRIDGE_PARAGRAPHS[2], ""),
]

# A feed of two items, invented for these tests.
MARKET = (
    "افتتاح سوق شعبي جديد في الحي القديم",
    "https://wadi.example/news/market",
    "افتتحت البلدية سوقا شعبيا جديدا في الحي القديم يضم خمسين متجرا صغيرا.",
)
SCHOOL = (
    "ترميم مدرسة القرية قبل بدء العام الدراسي",
    "https://wadi.example/news/school",
    "انتهت أعمال ترميم مدرسة القرية وستستقبل التلاميذ مطلع الشهر المقبل.",
)
FEED = rss_feed(
    rss_item(
        title=MARKET[0],
        link=MARKET[1],
        guid="wadi-1001",
        description=f"<p>{MARKET[2]}</p>",
        pub_date="Tue, 05 Mar 2024 10:30:00 +0300",
    ),
    rss_item(
        title=SCHOOL[0],
        link=SCHOOL[1],
        guid="wadi-1002",
        description=f"<p>{SCHOOL[2]}</p>",
        pub_date="Tue, 05 Mar 2024 11:45:00 +0300",
    ),
)
FEED_ROWS = [
    (MARKET[0], MARKET[1], [("paragraph", MARKET[2], "")]),
    (SCHOOL[0], SCHOOL[1], [("paragraph", SCHOOL[2], "")]),
]


def article_rows() -> list[tuple]:
    return [
        (
            article.title_ar,
            article.original_url,
            list(
                article.blocks.order_by("position").values_list("kind", "text_ar", "attribution_ar")
            ),
        )
        for article in Article.objects.order_by("published_at")
    ]


def stored_texts() -> list[str]:
    texts = []
    for article in Article.objects.all():
        texts += [article.title_ar, article.lead_ar, article.byline, article.image_caption]
        for block in article.blocks.all():
            texts += [block.text_ar, block.attribution_ar]
    return texts


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # the test server is on 127.0.0.1
    with FeedServer() as running:
        yield running


@pytest.fixture
def bridge(tmp_path) -> Article:
    path = tmp_path / "bridge.html"
    path.write_text(BRIDGE_PAGE, encoding="utf-8")
    import_articles(str(path), "--publish")
    return Article.objects.get()


# HTML article pages.


def test_import_html_page_stores_the_article_text_in_order(bridge):
    blocks = list(
        bridge.blocks.order_by("position").values_list("kind", "text_ar", "attribution_ar")
    )

    assert (bridge.title_ar, blocks) == (BRIDGE_TITLE, BRIDGE_BLOCKS)


def test_import_html_page_stores_author_date_and_caption(bridge):
    assert (bridge.byline, bridge.published_at, bridge.image_caption) == (
        BRIDGE_AUTHOR,
        datetime.datetime(2024, 4, 2, 6, 15, tzinfo=UTC),
        BRIDGE_CAPTION,
    )


def test_import_html_page_stores_the_canonical_address_without_tracking(bridge):
    assert bridge.original_url == BRIDGE_URL


def test_import_html_page_makes_the_lead_image_absolute_against_the_canonical_address(bridge):
    assert bridge.image_url == "https://wadi.example/images/2024/bridge.jpg"


def test_import_html_page_drops_navigation_ticker_footer_and_scripts(bridge):
    texts = " ".join(stored_texts())

    assert [
        marker
        for marker in (NAV_TICKER, NAV_MOST_READ, NAV_FOOTER, SCRIPT_MARKER)
        if marker in texts
    ] == []


def test_import_html_page_saved_as_feed_xml_is_read_as_a_page(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(BRIDGE_PAGE, encoding="utf-8")

    out, err = import_articles(str(path))

    assert (out[-1], err, article_rows()) == (
        "1 file(s): 1 new, 0 updated, 0 skipped, 0 failed.",
        [],
        [(BRIDGE_TITLE, BRIDGE_URL, BRIDGE_BLOCKS)],
    )


def test_import_html_page_from_url_says_who_is_asking(server):
    server.publish("/news/bridge", BRIDGE_PAGE, content_type=HTML_TYPE)

    out, err = import_articles(server.url_for("/news/bridge"))

    request = server.requests_to("/news/bridge")[0]
    assert (out[-1], err, request.headers["user-agent"]) == (
        "1 file(s): 1 new, 0 updated, 0 skipped, 0 failed.",
        [],
        USER_AGENT,
    )
    assert article_rows() == [(BRIDGE_TITLE, BRIDGE_URL, BRIDGE_BLOCKS)]


def test_import_html_page_without_its_address_says_to_import_it_from_its_url(tmp_path):
    path = tmp_path / "saved.html"
    path.write_text(
        article_page(title=BRIDGE_TITLE, paragraphs=BRIDGE_PARAGRAPHS), encoding="utf-8"
    )

    out, err = import_articles(str(path))

    assert (out, err, Article.objects.count(), Source.objects.count()) == (
        ["1 file(s): 0 new, 0 updated, 0 skipped, 1 failed."],
        [
            f"{path}: the page does not say its address (no canonical link); import it from "
            "its URL instead."
        ],
        0,
        0,
    )


# RSS and Atom feeds.


def test_import_rss_file_stores_every_item(tmp_path):
    path = tmp_path / "wadi.xml"
    path.write_text(FEED, encoding="utf-8")

    out, err = import_articles(str(path))

    assert (out[-1], err, article_rows()) == (
        "1 file(s): 2 new, 0 updated, 0 skipped, 0 failed.",
        [],
        FEED_ROWS,
    )


def test_import_rss_file_names_its_source_after_the_feeds_site(tmp_path):
    path = tmp_path / "wadi.xml"
    path.write_text(FEED, encoding="utf-8")

    import_articles(str(path))

    assert list(Source.objects.values_list("slug", "homepage_url")) == [
        ("wadi-example", "https://wadi.example/")
    ]


def test_import_rss_saved_as_page_html_is_read_as_a_feed(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(FEED, encoding="utf-8")

    out, err = import_articles(str(path))

    assert (out[-1], err, article_rows()) == (
        "1 file(s): 2 new, 0 updated, 0 skipped, 0 failed.",
        [],
        FEED_ROWS,
    )


def test_import_rss_file_twice_imports_each_item_once(tmp_path):
    path = tmp_path / "wadi.xml"
    path.write_text(FEED, encoding="utf-8")
    import_articles(str(path))

    out, _err = import_articles(str(path))

    assert (out[-1], Article.objects.count()) == (
        "1 file(s): 0 new, 0 updated, 2 skipped, 0 failed.",
        2,
    )


def test_import_rss_item_dates_are_stored(tmp_path):
    path = tmp_path / "wadi.xml"
    path.write_text(FEED, encoding="utf-8")

    import_articles(str(path))

    assert list(
        Article.objects.order_by("published_at").values_list("published_at", flat=True)
    ) == [
        datetime.datetime(2024, 3, 5, 7, 30, tzinfo=UTC),
        datetime.datetime(2024, 3, 5, 8, 45, tzinfo=UTC),
    ]


def test_import_rss_from_url_asks_for_a_feed(server):
    server.publish("/rss.xml", FEED)

    out, err = import_articles(server.url_for("/rss.xml"))

    assert (out[-1], err, article_rows()) == (
        "1 file(s): 2 new, 0 updated, 0 skipped, 0 failed.",
        [],
        FEED_ROWS,
    )


def test_import_atom_from_url_stores_every_entry(server):
    server.publish(
        "/atom",
        atom_feed(
            atom_entry(
                title=MARKET[0],
                link=MARKET[1],
                entry_id="tag:sahel.example,2024:1",
                updated="2024-03-05T07:30:00Z",
                content=f"<p>{MARKET[2]}</p>",
            ),
            atom_entry(
                title=SCHOOL[0],
                link=SCHOOL[1],
                entry_id="tag:sahel.example,2024:2",
                updated="2024-03-05T08:45:00Z",
                content=f"<p>{SCHOOL[2]}</p>",
            ),
        ),
        content_type=ATOM_TYPE,
    )

    out, err = import_articles(server.url_for("/atom"))

    assert (out[-1], err, article_rows()) == (
        "1 file(s): 2 new, 0 updated, 0 skipped, 0 failed.",
        [],
        FEED_ROWS,
    )


def test_import_atom_saved_as_txt_is_read_as_a_feed(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(
        atom_feed(
            atom_entry(
                title=MARKET[0],
                link=MARKET[1],
                entry_id="tag:sahel.example,2024:1",
                updated="2024-03-05T07:30:00Z",
                content=f"<p>{MARKET[2]}</p>",
            )
        ),
        encoding="utf-8",
    )

    out, err = import_articles(str(path))

    assert (out[-1], err, article_rows()) == (
        "1 file(s): 1 new, 0 updated, 0 skipped, 0 failed.",
        [],
        FEED_ROWS[:1],
    )


def test_import_rss_item_keeps_its_description_as_body_and_media_caption_as_caption(tmp_path):
    path = tmp_path / "wadi.xml"
    path.write_text(
        rss_feed(
            rss_item(
                title=MARKET[0],
                link=MARKET[1],
                guid="wadi-1001",
                description=f"<p>{MARKET[2]}</p>",
                pub_date="Tue, 05 Mar 2024 10:30:00 +0300",
                extra=(
                    '<media:content url="https://wadi.example/img/market.jpg" medium="image">'
                    "<media:description>المتاجر الجديدة في يوم الافتتاح</media:description>"
                    "</media:content>"
                ),
            )
        ),
        encoding="utf-8",
    )

    import_articles(str(path))

    article = Article.objects.get()
    assert (article_rows(), article.image_url, article.image_caption) == (
        FEED_ROWS[:1],
        "https://wadi.example/img/market.jpg",
        "المتاجر الجديدة في يوم الافتتاح",
    )

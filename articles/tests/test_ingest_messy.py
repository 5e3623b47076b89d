"""Messy real-world input, each kind in its own fixture: bidi controls, wrong languages,
month names of every tradition, Arabic-Indic digits, missing and mixed time zones,
relative URLs, escaped HTML, windows-1256, and a page buried in scripts."""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest

from articles.models import Article

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

SOURCE_NAME = "أخبار الوادي"
UTC = datetime.UTC
PARAGRAPH = "جرى ذلك بحضور عدد من الأهالي الذين عبروا عن سعادتهم بالخطوة."


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # the test server is on 127.0.0.1
    with FeedServer() as running:
        yield running


def poll(server, feed: str | bytes, *, zone: str = "Asia/Damascus", **publish) -> list[str]:
    """Serve `feed`, poll it as a source in `zone`, and return what fetch_sources said."""
    server.publish("/feeds/ar/rss.xml", feed, **publish)
    SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for("/feeds/ar/rss.xml"), time_zone=zone)
    return fetch_sources(verbosity=2)


def dated_item(title: str, pub_date: str, number: int) -> str:
    return rss_item(
        title=title,
        link=f"https://wadi.example/news/{number}",
        guid=f"wadi-{number}",
        description=f"<p>{PARAGRAPH}</p>",
        pub_date=pub_date,
    )


def dates_by_title() -> dict[str, datetime.datetime]:
    return dict(Article.objects.values_list("title_ar", "published_at"))


def blocks_by_title() -> dict[str, list[str]]:
    return {
        article.title_ar: list(
            article.blocks.order_by("position").values_list("text_ar", flat=True)
        )
        for article in Article.objects.all()
    }


# Bidi controls.


def test_titles_and_text_lose_unclosed_embeddings_and_stray_direction_marks(server):
    feed = rss_feed(
        rss_item(
            title="\u202bافتتاح معرض الكتاب السنوي في المركز الثقافي",
            link="https://wadi.example/news/1",
            guid="wadi-1",
            description="<p>\u202bيستمر المعرض عشرة أيام ويشارك فيه ستون ناشرا.</p>",
        ),
        rss_item(
            title="\u200fمباراة\u200e ودية بين فريقي المدينة\u200f",
            link="https://wadi.example/news/2",
            guid="wadi-2",
            description="<p>انتهت المباراة\u200e بالتعادل\u200f بهدف لكل فريق.</p>",
        ),
    )

    poll(server, feed)

    assert blocks_by_title() == {
        "افتتاح معرض الكتاب السنوي في المركز الثقافي": [
            "يستمر المعرض عشرة أيام ويشارك فيه ستون ناشرا."
        ],
        "مباراة ودية بين فريقي المدينة": ["انتهت المباراة بالتعادل بهدف لكل فريق."],
    }


# Languages.


def test_feed_declared_arabic_with_english_items_skips_each_english_item(server):
    feed = rss_feed(
        rss_item(
            title="Council approves new bus routes",
            link="https://wadi.example/en/1",
            guid="wadi-en-1",
            description="<p>The council approved three new bus routes on Sunday.</p>",
        ),
        rss_item(
            title="افتتاح خط حافلات جديد بين القرى",
            link="https://wadi.example/news/2",
            guid="wadi-2",
            description="<p>بدأ خط الحافلات الجديد العمل صباح اليوم بين القرى الشرقية.</p>",
        ),
        rss_item(
            title="Weather: rain expected this weekend",
            link="https://wadi.example/en/3",
            guid="wadi-en-3",
            description="<p>Forecasters expect heavy rain across the region this weekend.</p>",
        ),
        language="ar",
    )

    lines = poll(server, feed)

    assert (lines, list(Article.objects.values_list("title_ar", flat=True))) == (
        [
            f"{SOURCE_NAME}: 1 new, 0 updated, 2 skipped, 0 failed.",
            "  «Council approves new bus routes»: it is in English, not Arabic",
            "  «Weather: rain expected this weekend»: it is in English, not Arabic",
            "1 source(s) polled, 0 failed.",
        ],
        ["افتتاح خط حافلات جديد بين القرى"],
    )


def test_feed_declared_english_with_arabic_items_stores_the_arabic_ones(server):
    feed = rss_feed(
        rss_item(
            title="افتتاح ملعب جديد لكرة السلة",
            link="https://wadi.example/news/1",
            guid="wadi-1",
            description="<p>افتتحت البلدية ملعبا جديدا لكرة السلة قرب المدرسة.</p>",
        ),
        language="en-us",
    )

    poll(server, feed)

    assert list(Article.objects.values_list("title_ar", flat=True)) == [
        "افتتاح ملعب جديد لكرة السلة"
    ]


# Month names and digits.


def test_levantine_month_names_are_read_in_the_sources_zone(server):
    zone = "Asia/Beirut"
    feed = rss_feed(
        dated_item("أمسية شعرية في دار الثقافة", "الثلاثاء 5 آذار 2024 10:30", 1),
        dated_item("حملة لتنظيف شاطئ البلدة", "12 نيسان 2024 - 08:00", 2),
        dated_item("مهرجان العنب في القرية", "3 آب 2024 6:45 م", 3),
        dated_item("انطلاق العام الدراسي الجديد", "1 تشرين الأول 2024 07:15", 4),
        dated_item("افتتاح سوق الميلاد الخيري", "20 تشرين الثاني، 2024 18:00", 5),
        dated_item("توزيع مدافئ على العائلات", "9 كانون الثاني 2024 09:00", 6),
    )

    poll(server, feed, zone=zone)

    local = ZoneInfo(zone)
    assert dates_by_title() == {
        "أمسية شعرية في دار الثقافة": datetime.datetime(2024, 3, 5, 10, 30, tzinfo=local),
        "حملة لتنظيف شاطئ البلدة": datetime.datetime(2024, 4, 12, 8, 0, tzinfo=local),
        "مهرجان العنب في القرية": datetime.datetime(2024, 8, 3, 18, 45, tzinfo=local),
        "انطلاق العام الدراسي الجديد": datetime.datetime(2024, 10, 1, 7, 15, tzinfo=local),
        "افتتاح سوق الميلاد الخيري": datetime.datetime(2024, 11, 20, 18, 0, tzinfo=local),
        "توزيع مدافئ على العائلات": datetime.datetime(2024, 1, 9, 9, 0, tzinfo=local),
    }


def test_maghrebi_month_names_are_read_in_the_sources_zone(server):
    zone = "Africa/Algiers"
    feed = rss_feed(
        dated_item("تدشين محطة تحلية مياه البحر", "15 جانفي 2024 11:00", 1),
        dated_item("معرض للصناعات التقليدية", "الأحد 4 فيفري 2024 16:30", 2),
        dated_item("موسم الاصطياف يبلغ ذروته", "10 أوت 2024 09:45", 3),
        dated_item("افتتاح مكتبة بلدية جديدة", "2 أفريل 2024", 4),
        dated_item("مهرجان الموسيقى الأندلسية", "21 جوان 2024 20:00", 5),
    )

    poll(server, feed, zone=zone)

    local = ZoneInfo(zone)
    assert dates_by_title() == {
        "تدشين محطة تحلية مياه البحر": datetime.datetime(2024, 1, 15, 11, 0, tzinfo=local),
        "معرض للصناعات التقليدية": datetime.datetime(2024, 2, 4, 16, 30, tzinfo=local),
        "موسم الاصطياف يبلغ ذروته": datetime.datetime(2024, 8, 10, 9, 45, tzinfo=local),
        "افتتاح مكتبة بلدية جديدة": datetime.datetime(2024, 4, 2, 0, 0, tzinfo=local),
        "مهرجان الموسيقى الأندلسية": datetime.datetime(2024, 6, 21, 20, 0, tzinfo=local),
    }


def test_arabic_indic_and_persian_digits_in_dates_are_read(server):
    zone = "Asia/Damascus"
    feed = rss_feed(
        dated_item("ترميم الجامع القديم", "٥ آذار ٢٠٢٤ ١٠:٣٠", 1),
        dated_item("افتتاح حديقة للأطفال", "۱۲ نيسان ۲۰۲۴ ۰۸:۰۰", 2),
        dated_item("إطلاق مسابقة للقراءة", "٢٠٢٤-٠٥-٠٧T٠٩:١٥:٠٠+٠٣:٠٠", 3),
    )

    poll(server, feed, zone=zone)

    local = ZoneInfo(zone)
    assert dates_by_title() == {
        "ترميم الجامع القديم": datetime.datetime(2024, 3, 5, 10, 30, tzinfo=local),
        "افتتاح حديقة للأطفال": datetime.datetime(2024, 4, 12, 8, 0, tzinfo=local),
        "إطلاق مسابقة للقراءة": datetime.datetime(2024, 5, 7, 6, 15, tzinfo=UTC),
    }


# Time zones.


def test_dates_without_a_zone_are_read_in_the_sources_zone(server):
    zone = "Africa/Tunis"
    feed = rss_feed(
        dated_item("افتتاح مسبح بلدي", "Tue, 05 Mar 2024 10:30:00", 1),
        dated_item("حملة تلقيح في المدارس", "2024-03-06 08:15", 2),
    )

    poll(server, feed, zone=zone)

    local = ZoneInfo(zone)
    assert dates_by_title() == {
        "افتتاح مسبح بلدي": datetime.datetime(2024, 3, 5, 10, 30, tzinfo=local),
        "حملة تلقيح في المدارس": datetime.datetime(2024, 3, 6, 8, 15, tzinfo=local),
    }


def test_a_feed_that_mixes_zones_gives_each_item_its_own(server):
    # Five ways of writing 07:30 UTC; the zone-less one is in the source's zone (UTC+1).
    feed = rss_feed(
        dated_item("خبر بتوقيت مكة", "Tue, 05 Mar 2024 10:30:00 +0300", 1),
        dated_item("خبر بتوقيت غرينتش", "Tue, 05 Mar 2024 07:30:00 GMT", 2),
        dated_item("خبر بتوقيت عالمي", "2024-03-05T07:30:00Z", 3),
        dated_item("خبر بتوقيت القاهرة", "2024-03-05T09:30:00+02:00", 4),
        dated_item("خبر بلا توقيت", "Tue, 05 Mar 2024 08:30:00", 5),
    )

    poll(server, feed, zone="Africa/Tunis")

    assert set(Article.objects.values_list("published_at", flat=True)) == {
        datetime.datetime(2024, 3, 5, 7, 30, tzinfo=UTC)
    }


def test_import_articles_reads_dates_without_a_zone_in_the_sources_zone(tmp_path):
    SourceFactory(
        slug="wadi-example", homepage_url="https://wadi.example/", time_zone="Africa/Tunis"
    )
    path = tmp_path / "wadi.xml"
    path.write_text(
        rss_feed(dated_item("افتتاح مسبح بلدي", "Tue, 05 Mar 2024 10:30:00", 1)),
        encoding="utf-8",
    )

    import_articles(str(path))

    assert dates_by_title() == {
        "افتتاح مسبح بلدي": datetime.datetime(2024, 3, 5, 10, 30, tzinfo=ZoneInfo("Africa/Tunis"))
    }


@pytest.mark.parametrize(
    "published",
    [
        '<meta property="article:published_time" content="2024-03-05T10:30:00">',
        '<script type="application/ld+json">{"datePublished": "2024-03-05 10:30"}</script>',
        '<meta name="date" content="5 آذار 2024 10:30">',
    ],
    ids=["meta", "json-ld", "arabic-month"],
)
def test_saved_page_dates_without_a_zone_are_read_in_its_sources_zone(tmp_path, published):
    # The settings' zone is Asia/Damascus (UTC+3): read there, 10:30 would be 07:30 UTC.
    # The source was made by an editor: it is found by its home page's host, not its slug.
    SourceFactory(
        slug="tunis-news", homepage_url="https://tunis.example/", time_zone="Africa/Tunis"
    )
    path = tmp_path / "pool.html"
    path.write_text(
        article_page(
            title="افتتاح مسبح بلدي",
            paragraphs=[PARAGRAPH],
            canonical="https://tunis.example/news/pool",
            head_extra=published,
        ),
        encoding="utf-8",
    )

    import_articles(str(path))

    assert dates_by_title() == {
        "افتتاح مسبح بلدي": datetime.datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    }


def test_page_fetched_from_its_url_reads_dates_without_a_zone_in_its_sources_zone(server):
    url = server.url_for("/news/pool")
    SourceFactory(homepage_url=server.url, time_zone="Africa/Tunis")
    server.publish(
        "/news/pool",
        article_page(
            title="افتتاح مسبح بلدي",
            paragraphs=[PARAGRAPH],
            canonical=url,
            published="2024-03-05T10:30:00",
        ),
        content_type=HTML_TYPE,
    )

    import_articles(url)

    assert dates_by_title() == {
        "افتتاح مسبح بلدي": datetime.datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    }


def test_saved_page_date_with_a_zone_keeps_its_own(tmp_path):
    SourceFactory(
        slug="tunis-news", homepage_url="https://tunis.example/", time_zone="Africa/Tunis"
    )
    path = tmp_path / "pool.html"
    path.write_text(
        article_page(
            title="افتتاح مسبح بلدي",
            paragraphs=[PARAGRAPH],
            canonical="https://tunis.example/news/pool",
            published="2024-03-05T10:30:00+03:00",
        ),
        encoding="utf-8",
    )

    import_articles(str(path))

    assert dates_by_title() == {
        "افتتاح مسبح بلدي": datetime.datetime(2024, 3, 5, 7, 30, tzinfo=UTC)
    }


# Addresses.


def test_relative_and_percent_encoded_urls_are_made_absolute(server):
    feed = rss_feed(
        *(
            rss_item(
                title=title,
                link=link,
                guid=f"wadi-{number}",
                description=f"<p>{PARAGRAPH}</p>",
            )
            for number, (title, link) in enumerate(
                [
                    ("تكريم المعلمين المتقاعدين", "../../news/2024/teachers"),
                    ("افتتاح معرض للصور القديمة", "/news/photos?id=3"),
                    ("سباق للدراجات في الحي", "local/bikes"),
                    ("أمسية موسيقية في الساحة", "https://wadi.example/%d8%ae%d8%a8%d8%b1/1"),
                    ("مسابقة للرسم في المدرسة", "https://wadi.example/أخبار/2"),
                ],
                start=1,
            )
        )
    )

    poll(server, feed)

    site = server.url
    assert dict(Article.objects.values_list("title_ar", "original_url")) == {
        "تكريم المعلمين المتقاعدين": f"{site}/news/2024/teachers",
        "افتتاح معرض للصور القديمة": f"{site}/news/photos?id=3",
        "سباق للدراجات في الحي": f"{site}/feeds/ar/local/bikes",
        "أمسية موسيقية في الساحة": "https://wadi.example/%D8%AE%D8%A8%D8%B1/1",
        "مسابقة للرسم في المدرسة": "https://wadi.example/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/2",
    }


def test_relative_image_urls_are_made_absolute(server):
    feed = rss_feed(
        rss_item(
            title="افتتاح جناح جديد في المستشفى",
            link="../../news/ward",
            guid="wadi-1",
            description=f"<p>{PARAGRAPH}</p>",
            extra='<enclosure url="../../img/ward.jpg" type="image/jpeg" length="1000"/>',
        ),
        rss_item(
            title="قطاف الزيتون في القرى",
            link="../../news/olives",
            guid="wadi-2",
            description=f"<p>{PARAGRAPH}</p>",
            extra='<media:content url="//cdn.wadi.example/img/olives.jpg" medium="image"/>',
        ),
    )

    poll(server, feed)

    assert dict(Article.objects.values_list("title_ar", "image_url")) == {
        "افتتاح جناح جديد في المستشفى": f"{server.url}/img/ward.jpg",
        "قطاف الزيتون في القرى": "http://cdn.wadi.example/img/olives.jpg",
    }


def test_a_link_with_an_impossible_port_fails_that_item_alone(server):
    feed = rss_feed(
        rss_item(
            title="رابط برقم منفذ مستحيل",
            link="http://wadi.example:99999/news/1",
            guid="wadi-1",
            description=f"<p>{PARAGRAPH}</p>",
        ),
        rss_item(
            title="افتتاح مركز للشباب",
            link="https://wadi.example/news/2",
            guid="wadi-2",
            description=f"<p>{PARAGRAPH}</p>",
        ),
    )

    lines = poll(server, feed)

    assert (lines[-1], Article.objects.filter(title_ar="افتتاح مركز للشباب").count()) == (
        "1 source(s) polled, 0 failed.",
        1,
    )


# Escaped HTML.


def test_entity_escaped_cdata_and_double_escaped_descriptions_become_paragraphs(server):
    first, second = "هطلت أمطار غزيرة على المنطقة.", "وفتحت البلدية قنوات التصريف."
    feed = rss_feed(
        rss_item(
            title="أمطار غزيرة في وصف مهرب",
            link="https://wadi.example/news/1",
            guid="wadi-1",
            description=f"<p>{first}</p><p>{second}</p>",  # escaped once by rss_item
        ),
        rss_item(
            title="أمطار غزيرة في وصف داخل CDATA",
            link="https://wadi.example/news/2",
            guid="wadi-2",
            description=f"<![CDATA[<p>{first}</p><p>{second}</p>]]>",
            escape=False,
        ),
        rss_item(
            title="أمطار غزيرة في وصف مهرب مرتين",
            link="https://wadi.example/news/3",
            guid="wadi-3",
            description=f"&amp;lt;p&amp;gt;{first}&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;{second}"
            "&amp;lt;/p&amp;gt;",
            escape=False,
        ),
        rss_item(
            title="أمطار غزيرة في وصف بمراجع رقمية",
            link="https://wadi.example/news/4",
            guid="wadi-4",
            description="&lt;p&gt;"
            + "".join(f"&#{ord(char)};" for char in first)
            + f"&lt;/p&gt;&lt;p&gt;{second}&lt;/p&gt;",
            escape=False,
        ),
    )

    poll(server, feed)

    assert blocks_by_title() == {
        "أمطار غزيرة في وصف مهرب": [first, second],
        "أمطار غزيرة في وصف داخل CDATA": [first, second],
        "أمطار غزيرة في وصف مهرب مرتين": [first, second],
        "أمطار غزيرة في وصف بمراجع رقمية": [first, second],
    }


# Encodings.

CP1256_TITLE = "إصلاح شبكة المياه في الحي الغربي"
CP1256_TEXT = "أنهت ورشات البلدية إصلاح شبكة المياه في الحي الغربي بعد انقطاع دام يومين."
CP1256_FEED_ITEM = rss_item(
    title=CP1256_TITLE,
    link="https://wadi.example/news/water",
    guid="wadi-water",
    description=f"<p>{CP1256_TEXT}</p>",
    pub_date="Tue, 05 Mar 2024 10:00:00 +0300",
)


@pytest.mark.parametrize(
    ("declaration", "content_type"),
    [
        ('<?xml version="1.0" encoding="windows-1256"?>', "application/rss+xml"),
        (None, "text/xml"),
        (None, "application/rss+xml; charset=utf-8"),
        ('<?xml version="1.0"?>', "application/xml"),
    ],
    ids=["declared", "undeclared", "server says utf-8", "declaration without encoding"],
)
def test_windows_1256_feed_is_read_as_arabic(server, declaration, content_type):
    feed = rss_feed(CP1256_FEED_ITEM, declaration=declaration).encode("windows-1256")

    poll(server, feed, content_type=content_type)

    assert blocks_by_title() == {CP1256_TITLE: [CP1256_TEXT]}


CP1256_PARAGRAPHS = [
    CP1256_TEXT,
    "وقال مهندس البلدية إن الورشات استبدلت أنابيب قديمة يزيد عمرها على ثلاثين عاما.",
]


def cp1256_page(*, charset: str | None, head_extra: str = "") -> str:
    return article_page(
        title=CP1256_TITLE,
        paragraphs=CP1256_PARAGRAPHS,
        canonical="https://wadi.example/news/water",
        charset=charset,
        head_extra=head_extra,
    )


@pytest.mark.parametrize(
    "document",
    [
        cp1256_page(charset="windows-1256"),
        cp1256_page(
            charset=None,
            head_extra='<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
        ),
        cp1256_page(charset=None),
    ],
    ids=["meta charset", "meta http-equiv", "undeclared"],
)
def test_windows_1256_html_page_is_read_as_arabic(tmp_path, document):
    path = tmp_path / "water.html"
    path.write_bytes(document.encode("windows-1256"))

    import_articles(str(path))

    assert blocks_by_title() == {CP1256_TITLE: CP1256_PARAGRAPHS}


def test_windows_1256_xhtml_page_with_an_xml_declaration_is_read_as_arabic(tmp_path):
    document = '<?xml version="1.0" encoding="windows-1256"?>\n' + cp1256_page(
        charset=None
    ).replace(
        "<!DOCTYPE html>",
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    ).replace("<html ", '<html xmlns="http://www.w3.org/1999/xhtml" ')
    path = tmp_path / "water.xhtml"
    path.write_bytes(document.encode("windows-1256"))

    _out, err = import_articles(str(path))

    assert (err, blocks_by_title()) == ([], {CP1256_TITLE: CP1256_PARAGRAPHS})


def test_windows_1256_page_fetched_with_a_charset_header_is_read_as_arabic(server):
    server.publish(
        "/news/water",
        cp1256_page(charset=None).encode("windows-1256"),
        content_type="text/html; charset=windows-1256",
    )

    import_articles(server.url_for("/news/water"))

    assert blocks_by_title() == {CP1256_TITLE: CP1256_PARAGRAPHS}


def test_xml_file_without_a_declaration_is_read(tmp_path):
    path = tmp_path / "feed"
    path.write_text(rss_feed(CP1256_FEED_ITEM, declaration=None), encoding="utf-8")

    _out, err = import_articles(str(path))

    assert (err, blocks_by_title()) == ([], {CP1256_TITLE: [CP1256_TEXT]})


# Size.

SCRIPT_MARKER = "analytics-beacon-payload"


def page_in_scripts() -> str:
    """About 500 kB: 50 scripts of 10 kB around a short article."""
    scripts = [
        f"<script>window.slot{index} = '{SCRIPT_MARKER}{'x' * 10_000}';</script>"
        for index in range(50)
    ]
    return article_page(
        title=CP1256_TITLE,
        paragraphs=CP1256_PARAGRAPHS,
        canonical="https://wadi.example/news/water",
        head_extra="".join(scripts[:25]),
        body_extra="".join(scripts[25:]),
    )


def test_large_page_full_of_scripts_gives_the_text_without_the_scripts(tmp_path):
    document = page_in_scripts()
    path = tmp_path / "heavy.html"
    path.write_text(document, encoding="utf-8")
    started = time.monotonic()

    import_articles(str(path))

    article = Article.objects.get()
    stored = " ".join([article.title_ar, article.lead_ar, *blocks_by_title()[CP1256_TITLE]])
    assert (
        450_000 < len(document) < 600_000,
        blocks_by_title(),
        SCRIPT_MARKER in stored,
        time.monotonic() - started < 10,
    ) == (True, {CP1256_TITLE: CP1256_PARAGRAPHS}, False, True)


def test_large_page_full_of_scripts_is_read_from_its_url(server):
    server.publish("/news/heavy", page_in_scripts(), content_type=HTML_TYPE)

    import_articles(server.url_for("/news/heavy"))

    assert blocks_by_title() == {CP1256_TITLE: CP1256_PARAGRAPHS}

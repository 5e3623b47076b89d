"""Tables for the ingestion's small parts: dates, addresses, formats, encodings, nesting,
intervals."""

import datetime
import email.utils
import html
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from articles.importing import next_interval
from articles.ingest.base import ImportFailed, ParsedBlock
from articles.ingest.dates import parse_date
from articles.ingest.decode import decode_document
from articles.ingest.detect import FEED, HTML_PAGE, SCRAPED_TEXT, detect_format
from articles.ingest.text_blocks import MAX_BLOCK_DEPTH, blocks_from_html, flatten_deep_markup
from articles.ingest.urls import absolute_url, normalise_url

from . import scraped
from .feed_server import article_page, atom_entry, atom_feed, rss_feed, rss_item

ZONE = "Asia/Beirut"
LOCAL = ZoneInfo(ZONE)
UTC = datetime.UTC


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LOCAL)


# Dates.

DATES = [
    # Levantine and Iraqi month names.
    ("5 آذار 2024", local(2024, 3, 5, 0, 0)),
    ("الثلاثاء 5 آذار 2024 - 10:30", local(2024, 3, 5, 10, 30)),
    ("12 نيسان 2024 08:00", local(2024, 4, 12, 8, 0)),
    ("3 آب 2024 6:45 م", local(2024, 8, 3, 18, 45)),
    ("3 اب 2024 6:45 مساءً", local(2024, 8, 3, 18, 45)),
    ("1 تشرين الأول 2024", local(2024, 10, 1, 0, 0)),
    ("1 تشرين الاول 2024", local(2024, 10, 1, 0, 0)),
    ("20 تشرين الثاني، 2024 18:00", local(2024, 11, 20, 18, 0)),
    ("9 كانون الثاني 2024", local(2024, 1, 9, 0, 0)),
    ("25 كانون الأول 2024", local(2024, 12, 25, 0, 0)),
    ("14 شباط 2024", local(2024, 2, 14, 0, 0)),
    ("1 أيار 2024", local(2024, 5, 1, 0, 0)),
    ("6 حزيران 2024", local(2024, 6, 6, 0, 0)),
    ("17 تموز 2024", local(2024, 7, 17, 0, 0)),
    ("30 أيلول 2024", local(2024, 9, 30, 0, 0)),
    # Maghrebi (French-derived) month names.
    ("15 جانفي 2024 11:00", local(2024, 1, 15, 11, 0)),
    ("4 فيفري 2024", local(2024, 2, 4, 0, 0)),
    ("2 أفريل 2024", local(2024, 4, 2, 0, 0)),
    ("21 جوان 2024", local(2024, 6, 21, 0, 0)),
    ("5 جويلية 2024", local(2024, 7, 5, 0, 0)),
    ("10 أوت 2024 09:45", local(2024, 8, 10, 9, 45)),
    # Moroccan and Egyptian names.
    ("3 ماي 2024", local(2024, 5, 3, 0, 0)),
    ("5 يوليوز 2024", local(2024, 7, 5, 0, 0)),
    ("6 غشت 2024", local(2024, 8, 6, 0, 0)),
    ("8 شتنبر 2024", local(2024, 9, 8, 0, 0)),
    ("10 دجنبر 2024", local(2024, 12, 10, 0, 0)),
    ("7 أغسطس 2024", local(2024, 8, 7, 0, 0)),
    ("5 من مارس 2024", local(2024, 3, 5, 0, 0)),
    # Digits.
    ("٥ آذار ٢٠٢٤ ١٠:٣٠", local(2024, 3, 5, 10, 30)),
    ("۱۲ نيسان ۲۰۲۴ ۰۸:۰۰", local(2024, 4, 12, 8, 0)),
    ("٢٠٢٤-٠٣-٠٥T٠٧:٣٠:٠٠Z", datetime.datetime(2024, 3, 5, 7, 30, tzinfo=UTC)),
    # Morning and evening.
    ("5 آذار 2024 12:15 ص", local(2024, 3, 5, 0, 15)),
    ("5 آذار 2024 12:15 م", local(2024, 3, 5, 12, 15)),
    ("5 آذار 2024 9:05 صباحا", local(2024, 3, 5, 9, 5)),
    # A Hijri date first, the Gregorian one after it.
    ("الثلاثاء 24 شعبان 1445 هـ الموافق 5 آذار 2024", local(2024, 3, 5, 0, 0)),
    # Machine formats, with and without a zone.
    ("Tue, 05 Mar 2024 10:30:00 +0300", datetime.datetime(2024, 3, 5, 7, 30, tzinfo=UTC)),
    ("Tue, 05 Mar 2024 07:30:00 GMT", datetime.datetime(2024, 3, 5, 7, 30, tzinfo=UTC)),
    ("2024-03-05T07:30:00Z", datetime.datetime(2024, 3, 5, 7, 30, tzinfo=UTC)),
    ("2024-03-05T09:30:00+02:00", datetime.datetime(2024, 3, 5, 7, 30, tzinfo=UTC)),
    ("2024-03-05 10:30", local(2024, 3, 5, 10, 30)),
    ("Tue, 05 Mar 2024 10:30:00", local(2024, 3, 5, 10, 30)),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_parse_date_reads(text, expected):
    assert parse_date(text, zone=ZONE) == expected


@pytest.mark.parametrize("text", ["", "غدا", "31 شباط 2024", "قبل ساعتين", "not a date"])
def test_parse_date_gives_none_for_what_is_not_a_date(text):
    assert parse_date(text, zone=ZONE) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2024 10:30", local(2024, 3, 5, 10, 30)),
        ("٠٥/٠٣/٢٠٢٤", local(2024, 3, 5, 0, 0)),
        ("25/12/2024", local(2024, 12, 25, 0, 0)),
    ],
)
def test_parse_date_reads_numeric_dates_day_first_as_arabic_sites_write_them(text, expected):
    assert parse_date(text, zone=ZONE) == expected


def test_parse_date_reads_rfc_822_zone_names():
    # RFC 822 defines EST as -0500: the zone is given, not the source's.
    assert parse_date("Tue, 05 Mar 2024 10:30:00 EST", zone=ZONE) == datetime.datetime(
        2024, 3, 5, 15, 30, tzinfo=UTC
    )


# Addresses.

NORMALISED = [
    ("HTTP://WADI.Example/News/1", "http://wadi.example/News/1"),
    ("https://wadi.example:443/news/1", "https://wadi.example/news/1"),
    ("http://wadi.example:80/news/1", "http://wadi.example/news/1"),
    ("https://wadi.example:8443/news/1", "https://wadi.example:8443/news/1"),
    ("https://wadi.example./news/1", "https://wadi.example/news/1"),
    ("https://wadi.example/news/1#comments", "https://wadi.example/news/1"),
    ("https://wadi.example/news/1/", "https://wadi.example/news/1"),
    ("https://wadi.example/news/1//", "https://wadi.example/news/1"),
    ("https://wadi.example", "https://wadi.example/"),
    ("https://wadi.example/", "https://wadi.example/"),
    ("https://wadi.example/%d8%ae%d8%a8%d8%b1", "https://wadi.example/%D8%AE%D8%A8%D8%B1"),
    ("https://wadi.example/خبر", "https://wadi.example/%D8%AE%D8%A8%D8%B1"),
    ("https://wadi.example/%7Euser", "https://wadi.example/~user"),
    ("https://wadi.example/a b", "https://wadi.example/a%20b"),
    ("https://wadi.example/n?id=7&utm_source=rss&utm_medium=feed", "https://wadi.example/n?id=7"),
    ("https://wadi.example/n?UTM_Source=x&id=7", "https://wadi.example/n?id=7"),
    ("https://wadi.example/n?fbclid=IwAR0&gclid=Cj0&msclkid=1&id=7", "https://wadi.example/n?id=7"),
    ("https://wadi.example/n?mc_cid=1&mc_eid=2&igshid=3&_ga=4", "https://wadi.example/n"),
    ("https://wadi.example/n?b=2&a=1", "https://wadi.example/n?b=2&a=1"),
    ("https://wadi.example/n?q=%d8%a7", "https://wadi.example/n?q=%D8%A7"),
    ("https://wadi.example/n?a=&b=1", "https://wadi.example/n?a=&b=1"),
    ("  https://wadi.example/n  ", "https://wadi.example/n"),
]


@pytest.mark.parametrize(("url", "expected"), NORMALISED)
def test_normalise_url(url, expected):
    assert normalise_url(url) == expected


@pytest.mark.parametrize(
    ("spellings"),
    [
        [
            "https://wadi.example/%d8%ae/5/",
            "https://WADI.example/%D8%AE/5",
            "https://wadi.example/خ/5?utm_campaign=x",
            "https://wadi.example:443/%D8%AE/5#top",
        ],
    ],
)
def test_normalise_url_gives_one_spelling_of_an_address(spellings):
    assert {normalise_url(url) for url in spellings} == {"https://wadi.example/%D8%AE/5"}


def test_normalise_url_keeps_an_encoded_slash_encoded():
    # "/a%2Fb" is one path segment and "/a/b" two: they are different addresses.
    assert normalise_url("https://wadi.example/a%2Fb") == "https://wadi.example/a%2Fb"


def test_normalise_url_keeps_the_brackets_of_an_ipv6_host():
    assert normalise_url("http://[2001:db8::1]:8080/a") == "http://[2001:db8::1]:8080/a"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("../../news/1", "https://wadi.example/news/1"),
        ("/news/1", "https://wadi.example/news/1"),
        ("news/1", "https://wadi.example/feeds/ar/news/1"),
        ("//cdn.wadi.example/img/1.jpg", "https://cdn.wadi.example/img/1.jpg"),
        ("?page=2", "https://wadi.example/feeds/ar/rss.xml?page=2"),
        ("  news/2 ", "https://wadi.example/feeds/ar/news/2"),
        ("https://other.example/a", "https://other.example/a"),
        ("", "https://wadi.example/feeds/ar/rss.xml"),
    ],
)
def test_absolute_url(url, expected):
    assert absolute_url(url, base="https://wadi.example/feeds/ar/rss.xml") == expected


# Formats, from content.

ITEM = rss_item(title="خبر", link="https://wadi.example/1", description="<p>نص</p>")
PAGE = article_page(title="خبر", paragraphs=["نص الخبر."])
FORMATS = [
    ("rss", rss_feed(ITEM).encode(), FEED),
    ("rss without declaration", rss_feed(ITEM, declaration=None).encode(), FEED),
    ("rss with a byte-order mark", b"\xef\xbb\xbf" + rss_feed(ITEM).encode(), FEED),
    (
        "rss with a comment and a stylesheet first",
        rss_feed(
            ITEM,
            prolog='<!-- generated -->\n<?xml-stylesheet type="text/xsl" href="/rss.xsl"?>\n',
        ).encode(),
        FEED,
    ),
    (
        "rss 0.91 with its doctype",
        rss_feed(
            ITEM,
            prolog='<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
            '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n',
        ).encode(),
        FEED,
    ),
    (
        "atom",
        atom_feed(
            atom_entry(
                title="خبر",
                link="https://sahel.example/1",
                entry_id="1",
                updated="2024-03-05T07:30:00Z",
                content="<p>نص</p>",
            )
        ).encode(),
        FEED,
    ),
    (
        "rdf",
        b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><channel/></rdf:RDF>',
        FEED,
    ),
    ("html page", PAGE.encode(), HTML_PAGE),
    ("html without a doctype", PAGE.replace("<!DOCTYPE html>\n", "").encode(), HTML_PAGE),
    (
        "xhtml with an xml declaration",
        b'<?xml version="1.0" encoding="utf-8"?>\n' + PAGE.encode(),
        HTML_PAGE,
    ),
    ("scraped text", scraped.scraped_page().encode(), SCRAPED_TEXT),
]


@pytest.mark.parametrize(
    ("data", "expected"), [(data, kind) for _, data, kind in FORMATS], ids=[n for n, *_ in FORMATS]
)
def test_detect_format(data, expected):
    assert detect_format(data) == expected


# Encodings.

ARABIC = "أخبار البلدة"
ENCODINGS = [
    ("utf-8", ARABIC.encode(), ""),
    ("utf-8 with a byte-order mark", b"\xef\xbb\xbf" + ARABIC.encode(), ""),
    ("utf-16 with a byte-order mark", ARABIC.encode("utf-16"), ""),
    ("windows-1256 undeclared", ARABIC.encode("cp1256"), ""),
    (
        "windows-1256 named by the server",
        ARABIC.encode("cp1256"),
        "text/html; charset=windows-1256",
    ),
    ("windows-1256 the server calls utf-8", ARABIC.encode("cp1256"), "text/xml; charset=utf-8"),
]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(data, content_type) for _, data, content_type in ENCODINGS],
    ids=[name for name, *_ in ENCODINGS],
)
def test_decode_document_reads_arabic(data, content_type):
    assert decode_document(data, name="t", content_type=content_type) == ARABIC


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0" encoding="windows-1256"?>',
        b'<meta charset="windows-1256">',
        b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
        b'<?xml version="1.0" encoding="utf-8"?>',  # a false declaration
        b'<?xml version="1.0" encoding="x-no-such-encoding"?>',
    ],
)
def test_decode_document_reads_windows_1256_whatever_it_declares(head):
    data = head + ARABIC.encode("cp1256")

    assert decode_document(data, name="t") == head.decode() + ARABIC


def test_decode_document_reads_windows_1256_whose_punctuation_pairs_into_utf_8():
    # "،" and "؟" are 0xA1 and 0xBF in windows-1256: after a letter they make a
    # valid two-byte UTF-8 character, which must not make the text pass for UTF-8.
    text = "قالت البلدية، إن الأعمال انتهت؟ نعم، انتهت."

    assert decode_document(text.encode("cp1256"), name="t") == text


LONG_ARABIC = "أعلنت البلدية افتتاح حديقة عامة جديدة قرب المدرسة الابتدائية."
INVALID_UTF8 = [
    (
        "undeclared Arabic with one bad byte",
        LONG_ARABIC.encode()[:10] + b"\xff" + LONG_ARABIC.encode()[10:],
        "",
        10,
    ),
    (
        "a lone lead byte, the server says windows-1256",
        LONG_ARABIC.encode()[:10] + b"\xc3(" + LONG_ARABIC.encode()[10:],
        "text/html; charset=windows-1256",
        10,
    ),
    # "\xa9" is Latin-1's copyright sign, which neither Arabic code page reads as Arabic.
    ("byte-order mark", b"\xef\xbb\xbf<p>\xa9 2024</p>", "", 6),
    ("XML declaration", b'<?xml version="1.0" encoding="utf-8"?><p>\xa9 2024</p>', "", 41),
    ("meta charset", b'<meta charset="UTF-8"><p>\xa9 2024</p>', "", 25),
]


@pytest.mark.parametrize(
    ("data", "content_type", "offset"),
    [(data, content_type, offset) for _, data, content_type, offset in INVALID_UTF8],
    ids=[name for name, *_ in INVALID_UTF8],
)
def test_decode_document_refuses_utf_8_with_invalid_bytes(data, content_type, offset):
    with pytest.raises(ImportFailed) as failure:
        decode_document(data, name="t", content_type=content_type)

    assert str(failure.value) == (
        f"t: is not valid UTF-8 (the byte at offset {offset} is not part of a character)."
    )


def test_decode_document_refuses_latin_1_that_declares_nothing():
    with pytest.raises(ImportFailed) as failure:
        decode_document(b"<p>\xa9 2024</p>", name="t")

    assert str(failure.value) == (
        "t: its text is in an encoding that could not be recognised "
        "(neither UTF-8 nor windows-1256)."
    )


# Nesting.


def nested(depth: int, inner: str) -> str:
    return "<div>" * depth + inner + "</div>" * depth


def flat(inner: str) -> str:
    """What `flatten_deep_markup(nested(4, inner), max_depth=3)` leaves."""
    return "<div>" * 3 + f" {inner} " + "</div>" * 3


FLATTENED = [
    ("shallow markup", nested(3, "<p>نص</p>"), nested(3, "<p>نص</p>")),
    ("tags below the limit", nested(4, "<p>نص</p>"), flat("<p>نص</p>")),
    ("entity-escaped tags", html.escape(nested(4, "نص")), html.escape(flat("نص"))),
    (
        "void, self-closing and optional-close tags",
        nested(4, "<br><img src=a.jpg/><span/><p>أ<p>ب<li>ج"),
        flat("<br><img src=a.jpg/><span/><p>أ<p>ب<li>ج"),
    ),
    (
        "a feed's CDATA and escaped descriptions, each counted from its own start",
        "<rss><item><![CDATA[" + nested(4, "أ") + "]]></item>"
        "<item>" + html.escape(nested(4, "ب")) + "</item></rss>",
        "<rss><item><![CDATA[" + flat("أ") + "]]></item>"
        "<item>" + html.escape(flat("ب")) + "</item></rss>",
    ),
]


@pytest.mark.parametrize(
    ("markup", "expected"),
    [(markup, expected) for _, markup, expected in FLATTENED],
    ids=[name for name, *_ in FLATTENED],
)
def test_flatten_deep_markup(markup, expected):
    assert flatten_deep_markup(markup, max_depth=3) == expected


def test_blocks_from_html_finds_blocks_down_to_the_deepest_level_it_reads():
    fragment = nested(MAX_BLOCK_DEPTH - 1, "<p>السطر الأول.</p> <p>السطر الثاني.</p>")

    assert blocks_from_html(fragment) == [
        ParsedBlock(kind="paragraph", text="السطر الأول."),
        ParsedBlock(kind="paragraph", text="السطر الثاني."),
    ]


def test_blocks_from_html_reads_deeper_blocks_as_one_paragraph():
    fragment = nested(MAX_BLOCK_DEPTH, "<p>السطر الأول.</p> <p>السطر الثاني.</p>")

    assert blocks_from_html(fragment) == [
        ParsedBlock(kind="paragraph", text="السطر الأول. السطر الثاني.")
    ]


def test_blocks_from_html_keeps_the_text_nested_deeper_than_libxml2_reads():
    fragment = "<p>قبل</p>" + nested(1_000, "<p>في العمق</p>") + "<p>بعد</p>"

    assert blocks_from_html(fragment) == [
        ParsedBlock(kind="paragraph", text="قبل"),
        ParsedBlock(kind="paragraph", text="في العمق"),
        ParsedBlock(kind="paragraph", text="بعد"),
    ]


# Intervals between polls.


@pytest.fixture
def bounds(settings):
    settings.FETCH_MIN_INTERVAL = 600
    settings.FETCH_DEFAULT_INTERVAL = 1800
    settings.FETCH_MAX_INTERVAL = 21600


INTERVALS = [
    ("no hints", {}, 1800),
    ("ttl", {"ttl_minutes": 60}, 3600),
    ("max-age", {"headers": {"Cache-Control": "public, max-age=7200"}}, 7200),
    ("lower-case header", {"headers": {"cache-control": "max-age=7200"}}, 7200),
    (
        "ttl longer than max-age",
        {"ttl_minutes": 60, "headers": {"Cache-Control": "max-age=600"}},
        3600,
    ),
    ("max-age=0", {"headers": {"Cache-Control": "max-age=0, must-revalidate"}}, 600),
    ("no-cache", {"headers": {"Cache-Control": "no-cache"}}, 1800),
    ("ttl under the minimum", {"ttl_minutes": 1}, 600),
    ("ttl over the maximum", {"ttl_minutes": 100_000}, 21600),
    ("one error", {"errors": 1}, 1800),
    ("two errors", {"errors": 2}, 3600),
    ("three errors", {"errors": 3}, 7200),
    ("many errors", {"errors": 40}, 21600),
    ("retry-after seconds", {"errors": 1, "retry_after": "5400"}, 5400),
    ("retry-after shorter than the backoff", {"errors": 1, "retry_after": "10"}, 1800),
    ("retry-after over the maximum", {"errors": 1, "retry_after": "999999"}, 21600),
    ("retry-after nonsense", {"errors": 1, "retry_after": "soon"}, 1800),
]


@pytest.mark.parametrize(
    ("hints", "expected"),
    [(hints, expected) for _, hints, expected in INTERVALS],
    ids=[name for name, *_ in INTERVALS],
)
def test_next_interval(bounds, hints, expected):
    assert next_interval(**hints) == expected


def test_next_interval_reads_a_retry_after_date(bounds):
    when = timezone.now() + datetime.timedelta(hours=3)

    seconds = next_interval(errors=1, retry_after=email.utils.format_datetime(when, usegmt=True))

    assert 3 * 3600 - 5 <= seconds <= 3 * 3600

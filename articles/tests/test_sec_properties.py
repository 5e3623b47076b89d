"""Property tests (Hypothesis): the normaliser and the importers on generated input.

Three properties from issue 9: normalising twice is normalising once; a reader
given any bytes or text fails only with ImportFailed, never with anything else;
importing the same page twice stores it once and the second import changes
nothing. Every example count is bounded so that `make test` stays quick.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import example, given, settings
from hypothesis import strategies as st

from articles import importing
from articles.ingest.base import ImportFailed, ParsedPage
from articles.ingest.decode import decode_document
from articles.ingest.detect import FEED, HTML_PAGE, SCRAPED_TEXT, detect_format
from articles.ingest.feed_reader import ParsedFeed, parse_feed
from articles.ingest.files import decode_text
from articles.ingest.html_page import parse_html_page
from articles.ingest.scraped_text import parse_scraped_text
from articles.models import Article, ArticleBlock, Source, TickerHeadline
from articles.search.normalise import normalise

ZONE = "Asia/Damascus"
# No example database: a failure prints its shrunk example to add as an
# @example, and no run depends on what an earlier run on this machine found.
BOUNDED = {"deadline": None, "database": None}

# Characters news text is made of, and the ones that arrive with it by mistake.
ARABIC_BLOCKS = [
    ("\u0600", "\u06ff"),  # Arabic: letters, harakat, tatweel, Arabic-Indic digits
    ("\u0750", "\u077f"),  # Arabic Supplement
    ("\u08a0", "\u08ff"),  # Arabic Extended-A (Quranic marks)
    ("\ufb50", "\ufdff"),  # presentation forms A (ligatures)
    ("\ufe70", "\ufeff"),  # presentation forms B, and the BOM
]
BIDI_AND_FORMAT = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad"
)
arabic_characters = st.one_of(
    *(st.characters(min_codepoint=ord(low), max_codepoint=ord(high)) for low, high in ARABIC_BLOCKS)
)
news_characters = st.one_of(
    arabic_characters,
    st.sampled_from(BIDI_AND_FORMAT),
    st.sampled_from("\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"),
    st.sampled_from("0123456789\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"),
    st.characters(min_codepoint=0x20, max_codepoint=0x24F),  # ASCII and Latin accents
    st.sampled_from(" \t\n\u00a0\u2009\u3000"),
)
news_text = st.text(alphabet=news_characters, max_size=200)

# Fragments that steer the readers into their branches: the scraped layout's
# labels, feed and page roots, declarations, encodings and broken addresses.
FRAGMENTS = [
    "المزيد\n",
    "حجم الخط:\n",
    "452\nمشاهدة\n",
    "1,204 مشاهدة\n",
    "10:19\n",
    "25:99\n",
    "١٠:١٩\n",
    "http://news.example/a/1\n",
    "https://\n",
    "http://[::1\n",
    "http://host:99999/x\n",
    "\n\n",
    "\u00a0\n",
    "\x00",
    "\ufeff",
    '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0" encoding="no-such-codec"?>',
    '<?xml version="1.0" encoding="utf-16"?>',
    '<!DOCTYPE rss [<!ENTITY a "b">]>',
    "<!DOCTYPE html>",
    '<rss version="2.0"><channel>',
    "<title>خبر</title>",
    "<link>http://[bad</link>",
    "<link>//news.example/x</link>",
    "<item>",
    "</item>",
    "<guid>1</guid>",
    "<pubDate>الأحد 12 أيار 2024 10:00</pubDate>",
    "<pubDate>not a date</pubDate>",
    '<enclosure type="image/jpeg" url="http://[x"/>',
    "<description>&lt;p&gt;نص&lt;/p&gt;</description>",
    "</channel></rss>",
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    '<entry><title>عنوان</title><link href="http://[y"/></entry>',
    "</feed>",
    '<html lang="ar"><head>',
    '<meta charset="windows-1256">',
    '<meta property="article:published_time" content="2024-13-45T99:99">',
    '<link rel="canonical" href="http://[z">',
    '<base href="http://[w">',
    "</head><body><article><h1>عنوان الخبر</h1>",
    "<p>افتتحت البلدية اليوم مكتبة عامة جديدة في وسط المدينة القديمة.</p>",
    "<blockquote>قول<cite>اسم</cite></blockquote>",
    "<script>alert(1)</script>",
    "<div>" * 50,
    "</article></body></html>",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), news_text), min_size=1, max_size=25
).map("".join)
hostile_bytes = st.one_of(
    st.binary(max_size=2000),
    hostile_text.map(lambda text: text.encode("utf-8")),
    hostile_text.map(lambda text: text.encode("utf-16")),
    hostile_text.map(lambda text: text.encode("windows-1256", errors="replace")),
)


def read_document(data: bytes) -> object:
    """What `import_articles` does with a file's bytes, short of storing anything."""
    kind = detect_format(data)
    if kind == FEED:
        return parse_feed(data, url="", name="input", zone=ZONE)
    if kind == HTML_PAGE:
        text = decode_document(data, name="input")
        return parse_html_page(text, url="", name="input", zone=ZONE)
    return parse_scraped_text(decode_text(data, name="input"), name="input")


# Normalising twice is normalising once.


@settings(max_examples=500, **BOUNDED)
@given(text=news_text)
@example(text="مَدْرَسَةٌ")
@example(text="\u202bمـــدرسة\u202c ٢٠٢٤")
@example(text="ﻻعب إسلام مستشفى")
def test_normalise_is_idempotent_on_news_text(text):
    once = normalise(text)

    assert normalise(once) == once


@settings(max_examples=300, **BOUNDED)
@given(text=st.text(max_size=50))
@example(text="ℌ")
def test_normalise_is_idempotent_on_any_text(text):
    once = normalise(text)

    assert normalise(once) == once


# Each reader fails only with its own error type.


@settings(max_examples=300, **BOUNDED)
@given(data=hostile_bytes)
def test_detect_format_names_a_format_for_any_bytes(data):
    assert detect_format(data) in (FEED, HTML_PAGE, SCRAPED_TEXT)


@settings(max_examples=300, **BOUNDED)
@given(text=hostile_text)
@example(text="عنوان الخبر\n\nhttp://[::1\n\nحجم الخط:\n\nنص الخبر.\n")
def test_scraped_text_reader_raises_only_import_failed(text):
    try:
        page = parse_scraped_text(text, name="input")
    except ImportFailed:
        return

    assert (type(page), page.paragraph_count >= 1) == (ParsedPage, True)


@settings(max_examples=300, **BOUNDED)
@given(data=hostile_bytes)
def test_text_decoding_raises_only_import_failed(data):
    try:
        text = decode_text(data, name="input")
    except ImportFailed:
        return

    assert type(text) is str


@settings(max_examples=300, **BOUNDED)
@given(data=hostile_bytes)
def test_document_decoding_raises_only_import_failed(data):
    try:
        text = decode_document(data, name="input")
    except ImportFailed:
        return

    assert type(text) is str


@settings(max_examples=100, **BOUNDED)
@given(text=hostile_text, url=st.sampled_from(["", "https://news.example/page"]))
@example(
    text='<html><head><link rel="canonical" href="http://[z"></head><body><article>'
    "<h1>عنوان الخبر</h1><p>افتتحت البلدية اليوم مكتبة عامة جديدة في وسط المدينة.</p>"
    "</article></body></html>",
    url="",
)
def test_html_page_reader_raises_only_import_failed(text, url):
    try:
        page = parse_html_page(text, url=url, name="input", zone=ZONE)
    except ImportFailed:
        return

    assert (type(page), page.paragraph_count >= 1) == (ParsedPage, True)


@settings(max_examples=200, **BOUNDED)
@given(data=hostile_bytes, url=st.sampled_from(["", "https://news.example/feed"]))
@example(
    data=b'<rss version="2.0"><channel><title>t</title><item><title>x</title>'
    b"<link>http://[bad</link></item></channel></rss>",
    url="",
)
def test_feed_reader_raises_only_import_failed(data, url):
    try:
        feed = parse_feed(data, url=url, name="input", zone=ZONE)
    except ImportFailed:
        return

    assert all(type(item) is ParsedPage for item in feed.items)


@settings(max_examples=200, **BOUNDED)
@given(data=hostile_bytes)
@example(data="عنوان الخبر\n\nhttp://host:99999/x\n\nحجم الخط:\n\nنص الخبر.\n".encode())
def test_any_document_is_read_or_refused_with_import_failed(data):
    try:
        document = read_document(data)
    except ImportFailed:
        return

    assert type(document) in (ParsedPage, ParsedFeed)


# Importing the same page twice stores it once.

arabic_letters = st.sampled_from("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
arabic_word = st.text(alphabet=arabic_letters, min_size=3, max_size=8)


def arabic_line(min_words: int, max_words: int, end: str = "") -> st.SearchStrategy[str]:
    return st.lists(arabic_word, min_size=min_words, max_size=max_words).map(
        lambda words: " ".join(words) + end
    )


@st.composite
def scraped_pages(draw) -> str:
    """A valid page in the seed's layout, every part of it generated."""
    ticker = draw(st.lists(arabic_line(3, 6), max_size=4, unique=True))
    title = draw(arabic_line(3, 8))
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    article_number = draw(st.integers(1, 10**6))
    views = draw(st.integers(0, 10**6))
    paragraphs = draw(st.lists(arabic_line(9, 20, end="."), min_size=1, max_size=6))
    quote = draw(st.none() | st.tuples(arabic_line(9, 14, end="."), arabic_line(2, 3)))
    parts = ["\n".join(["المزيد", *ticker])] if ticker else []
    parts += [
        title,
        f"{hour:02d}:{minute:02d}",
        f"https://akhbar.example/a/{article_number}\n{views}\nمشاهدة",
        f"{title}\n\nحجم الخط:",
        paragraphs[0],
    ]
    if quote is not None:
        parts.append("\n".join(quote))
    parts += paragraphs[1:]
    return "\n\n".join(parts) + "\n"


def stored_rows() -> dict[str, list[dict]]:
    """Every row an import writes, field by field."""
    return {
        model.__name__: [
            {field.attname: getattr(row, field.attname) for field in model._meta.concrete_fields}
            for row in model.objects.order_by("pk")
        ]
        for model in (Source, Article, ArticleBlock, TickerHeadline)
    }


@pytest.mark.django_db
@settings(max_examples=40, **BOUNDED)
@given(text=scraped_pages(), publish=st.booleans())
def test_importing_a_page_twice_stores_it_once(text, publish):
    # Each example in a savepoint of its own, rolled back: the db fixture is
    # set up once for all the examples of this test.
    with transaction.atomic():
        page = parse_scraped_text(text, name="generated")
        first = importing.import_page(page=page, publish=publish, date=datetime.date(2024, 5, 12))
        after_first = stored_rows()

        second = importing.import_page(
            page=parse_scraped_text(text, name="generated"),
            publish=publish,
            date=datetime.date(2024, 5, 12),
        )

        assert (first.kind, second.kind, second.article.pk) == (
            "new",
            "unchanged",
            first.article.pk,
        )
        assert stored_rows() == after_first
        assert (Article.objects.count(), ArticleBlock.objects.count()) == (1, len(page.blocks))
        transaction.set_rollback(True)

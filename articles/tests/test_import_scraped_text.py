"""The scraped-text importer: the seed page end to end, and the parser on invented pages."""

import datetime
import io
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from articles.ingest.base import ImportFailed, ParsedBlock
from articles.ingest.scraped_text import parse_scraped_text
from articles.models import Article, ArticleBlock, Source, TickerHeadline

from . import scraped
from .htmltree import page

DAMASCUS = ZoneInfo("Asia/Damascus")
QUOTED_IN_SEED = "حسام نجار"


def import_file(path, *options) -> str:
    """Run the command on one file; its standard output."""
    stdout = io.StringIO()
    call_command("import_articles", str(path), *options, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


@pytest.fixture
def seed_article(seed_path) -> Article:
    import_file(seed_path, "--publish", "--date", "2020-05-12")
    return Article.objects.get()


def block_rows(article):
    return list(
        article.blocks.order_by("position").values_list(
            "position", "kind", "text_ar", "attribution_ar"
        )
    )


# The seed page, end to end.


@pytest.mark.django_db
def test_import_seed_creates_fourteen_paragraphs_and_one_quote(seed_article):
    kinds = Counter(seed_article.blocks.values_list("kind", flat=True))

    assert kinds == {"paragraph": 14, "quote": 1}


@pytest.mark.django_db
def test_import_seed_places_quote_between_fourth_and_fifth_paragraphs(seed_article):
    kinds = list(seed_article.blocks.order_by("position").values_list("kind", flat=True))

    assert kinds == ["paragraph"] * 4 + ["quote"] + ["paragraph"] * 10


@pytest.mark.django_db
def test_import_seed_attributes_quote(seed_article):
    quote = seed_article.blocks.get(kind=ArticleBlock.Kind.QUOTE)

    assert (quote.position, quote.attribution_ar) == (5, QUOTED_IN_SEED)


@pytest.mark.django_db
def test_import_seed_blocks_are_the_files_body_in_order(seed_article, seed_layout):
    body = seed_layout["body"]
    quoted_at = body.index(QUOTED_IN_SEED)
    expected_blocks = [
        *(("paragraph", line, "") for line in body[: quoted_at - 1]),
        ("quote", body[quoted_at - 1], QUOTED_IN_SEED),
        *(("paragraph", line, "") for line in body[quoted_at + 1 :]),
    ]
    expected = [(position, *block) for position, block in enumerate(expected_blocks, start=1)]

    assert block_rows(seed_article) == expected


@pytest.mark.django_db
def test_import_seed_keeps_view_count(seed_article):
    assert seed_article.view_count == 452


@pytest.mark.django_db
def test_import_seed_keeps_original_url(seed_article, seed_layout):
    assert seed_article.original_url == seed_layout["original_url"]


@pytest.mark.django_db
def test_import_seed_title_is_files_title_line(seed_article, seed_layout):
    assert (seed_article.title_ar, seed_article.title) == (seed_layout["title"],) * 2


@pytest.mark.django_db
def test_import_seed_creates_source_from_url_host(seed_article):
    source = Source.objects.get()

    assert (source, source.slug, source.name_ar, source.homepage_url) == (
        seed_article.source,
        "anapress-net",
        "anapress.net",
        "http://anapress.net/",
    )


@pytest.mark.django_db
def test_import_seed_adds_ticker_headlines_in_file_order(seed_article, seed_layout):
    texts = list(TickerHeadline.objects.order_by("position").values_list("text_ar", flat=True))

    assert (len(texts), texts) == (8, seed_layout["ticker"])


@pytest.mark.django_db
def test_import_seed_with_publish_activates_ticker_headlines(seed_article):
    active = list(TickerHeadline.objects.values_list("is_active", flat=True))

    assert active == [True] * 8


@pytest.mark.django_db
def test_import_seed_stores_published_at_in_utc(seed_article):
    seed_article.refresh_from_db()

    assert seed_article.published_at == datetime.datetime(2020, 5, 12, 7, 19, tzinfo=datetime.UTC)
    assert seed_article.published_at.utcoffset() == datetime.timedelta(0)


@pytest.mark.django_db
def test_import_seed_published_at_is_given_date_and_time_in_damascus(seed_article):
    assert seed_article.published_at == datetime.datetime(2020, 5, 12, 10, 19, tzinfo=DAMASCUS)


@pytest.mark.django_db
def test_import_seed_with_publish_is_published(seed_article):
    assert (seed_article.status, seed_article.is_published) == (Article.Status.PUBLISHED, True)


@pytest.mark.django_db
def test_import_seed_without_publish_is_draft(seed_path):
    import_file(seed_path, "--date", "2020-05-12")

    assert Article.objects.get().status == Article.Status.DRAFT


@pytest.mark.django_db
def test_import_seed_without_publish_leaves_ticker_headlines_inactive(seed_path):
    import_file(seed_path, "--date", "2020-05-12")

    active = list(TickerHeadline.objects.values_list("is_active", flat=True))
    assert active == [False] * 8


@pytest.mark.django_db
def test_import_seed_without_date_uses_today_in_damascus(seed_path):
    today = timezone.now().astimezone(DAMASCUS).date()

    import_file(seed_path, "--publish")

    published_at = Article.objects.get().published_at
    assert published_at == datetime.datetime.combine(today, datetime.time(10, 19), tzinfo=DAMASCUS)


@pytest.mark.django_db
def test_import_seed_twice_changes_nothing(seed_path):
    import_file(seed_path, "--publish", "--date", "2020-05-12")

    import_file(seed_path, "--publish", "--date", "2020-05-12")

    counts = (
        Article.objects.count(),
        ArticleBlock.objects.count(),
        TickerHeadline.objects.count(),
        Source.objects.count(),
    )
    assert counts == (1, 15, 8, 1)


@pytest.mark.django_db
def test_import_seed_twice_reports_already_imported(seed_path):
    import_file(seed_path, "--publish", "--date", "2020-05-12")

    output = import_file(seed_path, "--publish", "--date", "2020-05-12")

    assert output.splitlines()[-1] == "1 file(s): 0 new, 0 updated, 1 skipped, 0 failed."


@pytest.mark.django_db
def test_import_seed_dry_run_stores_nothing(seed_path):
    import_file(seed_path, "--dry-run")

    counts = (Article.objects.count(), TickerHeadline.objects.count(), Source.objects.count())
    assert counts == (0, 0, 0)


@pytest.mark.django_db
def test_import_seed_leaves_english_empty(seed_article):
    english = {
        seed_article.title_en,
        seed_article.lead_en,
        seed_article.source.name_en,
        *ArticleBlock.objects.values_list("text_en", flat=True),
        *TickerHeadline.objects.values_list("text_en", flat=True),
    }

    assert english <= {None, ""}


@pytest.mark.django_db
def test_seed_article_page_shows_time_of_publication(seed_article, client, western_digits):
    response = client.get(seed_article.get_absolute_url())

    assert (response.status_code, page(response).find("time").find("bdi").text) == (200, "10:19")


# An invented page through the command.


@pytest.mark.django_db
def test_import_with_english_interface_active_leaves_english_empty(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(scraped.scraped_page(), encoding="utf-8")

    with translation.override("en"):
        import_file(path, "--publish", "--date", "2024-03-01")

    english = {
        Article.objects.get().title_en,
        Source.objects.get().name_en,
        *ArticleBlock.objects.values_list("text_en", flat=True),
        *TickerHeadline.objects.values_list("text_en", flat=True),
    }
    assert english <= {None, ""}


@pytest.fixture
def invented_page_imported_twice(tmp_path) -> str:
    """The invented page imported twice; the second run's standard output."""
    path = tmp_path / "page.txt"
    path.write_text(scraped.scraped_page(), encoding="utf-8")
    import_file(path, "--publish", "--date", "2024-03-01")
    return import_file(path, "--publish", "--date", "2024-03-01")


@pytest.mark.django_db
def test_import_invented_page_twice_leaves_one_source_one_article_and_its_headlines(
    invented_page_imported_twice,
):
    counts = (
        Source.objects.count(),
        Article.objects.count(),
        ArticleBlock.objects.count(),
        TickerHeadline.objects.count(),
    )

    assert counts == (1, 1, 5, len(scraped.TICKER))


@pytest.mark.django_db
def test_import_invented_page_twice_keeps_the_blocks_in_order(invented_page_imported_twice):
    rows = list(ArticleBlock.objects.order_by("position").values_list("kind", "text_ar"))

    assert rows == [
        ("paragraph", scraped.FIRST_PARAGRAPH),
        ("heading", scraped.HEADING),
        ("paragraph", scraped.SECOND_PARAGRAPH),
        ("quote", scraped.QUOTE),
        ("paragraph", scraped.LAST_PARAGRAPH),
    ]


@pytest.mark.django_db
def test_import_invented_page_twice_reports_it_unchanged(invented_page_imported_twice):
    assert invented_page_imported_twice.splitlines() == [
        "akhbar.example: 0 new, 0 updated, 1 skipped, 0 failed.",
        "  1 already imported, unchanged",
        "1 file(s): 0 new, 0 updated, 1 skipped, 0 failed.",
    ]


# The parser on invented pages.


def parse(text: str):
    return parse_scraped_text(text, name="page.txt")


def test_parse_scraped_text_reads_header():
    parsed = parse(scraped.scraped_page())

    assert (parsed.title, parsed.original_url, parsed.time_of_day, parsed.view_count) == (
        scraped.TITLE,
        scraped.URL,
        datetime.time(9, 45),
        123,
    )


def test_parse_scraped_text_reads_ticker_in_order():
    parsed = parse(scraped.scraped_page())

    assert parsed.ticker == scraped.TICKER


def test_parse_scraped_text_detects_heading():
    parsed = parse(scraped.scraped_page())

    assert [block.kind for block in parsed.blocks] == [
        "paragraph",
        "heading",
        "paragraph",
        "quote",
        "paragraph",
    ]
    assert parsed.blocks[1] == ParsedBlock(kind="heading", text=scraped.HEADING)


def test_parse_scraped_text_reads_quote_with_attribution():
    parsed = parse(scraped.scraped_page())

    quotes = [block for block in parsed.blocks if block.kind == "quote"]
    assert quotes == [ParsedBlock(kind="quote", text=scraped.QUOTE, attribution=scraped.QUOTED)]


def test_parse_scraped_text_without_ticker_block():
    parsed = parse(scraped.scraped_page(ticker=[]))

    assert (parsed.ticker, parsed.title, len(parsed.blocks)) == ([], scraped.TITLE, 5)


def test_parse_scraped_text_reads_views_on_one_line():
    parsed = parse(scraped.scraped_page(views_lines=("123 مشاهدة",)))

    assert parsed.view_count == 123


def test_parse_scraped_text_reads_views_with_thousands_separator():
    parsed = parse(scraped.scraped_page(views_lines=("1,234 مشاهدة",)))

    assert parsed.view_count == 1234


def test_parse_scraped_text_reads_arabic_indic_digits_in_time():
    parsed = parse(scraped.scraped_page(time_line="٠٩:٤٥"))

    assert parsed.time_of_day == datetime.time(9, 45)


def test_parse_scraped_text_strips_bidi_controls_from_title():
    title = "\u202b\u200fافتتاح مكتبة\u2067 جديدة\u2069 في حمص\u202c"

    parsed = parse(scraped.scraped_page(title=title))

    assert parsed.title == scraped.TITLE


def test_parse_scraped_text_skips_title_repeated_with_font_size_label_on_next_line():
    parsed = parse(scraped.scraped_page(label_after_blank_line=False))

    assert [block.text for block in parsed.blocks] == [
        scraped.FIRST_PARAGRAPH,
        scraped.HEADING,
        scraped.SECOND_PARAGRAPH,
        scraped.QUOTE,
        scraped.LAST_PARAGRAPH,
    ]


def test_parse_scraped_text_rejects_time_out_of_range():
    with pytest.raises(ImportFailed, match=r"^page\.txt: the time of day 25:61 "):
        parse(scraped.scraped_page(time_line="25:61"))


def test_parse_scraped_text_without_url_names_file():
    with pytest.raises(ImportFailed, match=r"^page\.txt: has no original URL line"):
        parse(scraped.scraped_page(url="akhbar.example/a/42"))

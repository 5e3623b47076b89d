"""The reader's pages: home, article, source and section lists, search."""

import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext, pgettext

from articles import view_counts

from .factories import (
    ArticleBlockFactory,
    ArticleFactory,
    SectionFactory,
    SourceFactory,
    TickerHeadlineFactory,
    make_editor,
)
from .htmltree import page

pytestmark = pytest.mark.django_db

DAMASCUS = ZoneInfo("Asia/Damascus")


def hours_ago(hours: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def arabic(message: str, context: str | None = None) -> str:
    """An interface string as the Arabic interface shows it, from the message catalogue."""
    with translation.override("ar"):
        return pgettext(context, message) if context else gettext(message)


def listed_titles(response, *, within: dict | None = None) -> list[str]:
    """Titles in the page's article list (the one inside the element `within` matches)."""
    root = page(response)
    if within is not None:
        root = root.find(**within)
    return [item.find("h3").text for item in root.find("ul", cls="article-list").elements()]


LATEST = {"tag": "section", "aria_labelledby": "latest-heading"}


# Home.


def test_home_shows_active_ticker_headlines_in_position_order(client):
    third = TickerHeadlineFactory(text_ar="انقطاع المياه عن حي الميدان", position=30)
    first = TickerHeadlineFactory(text_ar="افتتاح معرض الكتاب السنوي", position=10)
    TickerHeadlineFactory(text_ar="عنوان أوقفه المحررون", position=15, is_active=False)
    TickerHeadlineFactory(text_ar="عنوان انتهت مدته", position=16, active_until=hours_ago(1))
    second = TickerHeadlineFactory(text_ar="تأجيل مباراة الديربي", position=20)

    response = client.get("/")

    ticker = page(response).find("section", cls="ticker")
    assert [item.text for item in ticker.find_all("li")] == [
        first.text_ar,
        second.text_ar,
        third.text_ar,
    ]


def test_home_lists_latest_published_articles_only(client):
    older = ArticleFactory(title_ar="خبر الأمس عن السوق", published_at=hours_ago(30))
    newer = ArticleFactory(title_ar="خبر اليوم عن المطر", published_at=hours_ago(2))
    ArticleFactory(title_ar="مسودة لم تنشر", draft=True)
    ArticleFactory(title_ar="خبر مجدول للغد", scheduled=True)
    ArticleFactory(title_ar="خبر مؤرشف قديم", archived=True)
    ArticleFactory(
        title_ar="خبر بتاريخ قادم", published_at=timezone.now() + datetime.timedelta(hours=3)
    )

    response = client.get("/")

    assert (response.status_code, listed_titles(response, within=LATEST)) == (
        200,
        [newer.title_ar, older.title_ar],
    )


def test_home_shows_featured_article_apart_from_latest(client):
    featured = ArticleFactory(
        title_ar="الخبر الأبرز اليوم", is_featured=True, published_at=hours_ago(5)
    )
    other = ArticleFactory(title_ar="خبر عادي", published_at=hours_ago(1))

    response = client.get("/")

    featured_title = page(response).find("section", cls="featured").find("h2").text
    assert (featured_title, listed_titles(response, within=LATEST)) == (
        featured.title_ar,
        [other.title_ar],
    )


def test_home_latest_list_stays_full_when_the_featured_article_is_the_newest(client):
    from articles.views import HOME_LATEST

    featured = ArticleFactory(
        title_ar="الأبرز والأحدث", is_featured=True, published_at=hours_ago(1)
    )
    others = [
        ArticleFactory(title_ar=f"خبر رقم {number}", published_at=hours_ago(2 + number))
        for number in range(HOME_LATEST + 2)
    ]

    response = client.get("/")

    assert listed_titles(response, within=LATEST) == [
        other.title_ar for other in others[:HOME_LATEST]
    ]
    assert featured.title_ar not in listed_titles(response, within=LATEST)


def test_home_is_arabic_right_to_left(client):
    response = client.get("/")

    html = page(response).find("html")
    assert (html.attrs["lang"], html.attrs["dir"]) == ("ar", "rtl")


def test_english_home_is_english_left_to_right(client):
    response = client.get("/en/")

    html = page(response).find("html")
    assert (response.status_code, html.attrs["lang"], html.attrs["dir"]) == (200, "en", "ltr")


# The article page.


@pytest.fixture
def article():
    article = ArticleFactory(
        title_ar="افتتاح مكتبة جديدة في حمص",
        published_at=datetime.datetime(2024, 3, 1, 10, 19, tzinfo=DAMASCUS),
        view_count=41,
    )
    ArticleBlockFactory(
        article=article,
        position=1,
        text_ar="افتتحت البلدية صباح اليوم مكتبة عامة جديدة.",
        text_en="The council opened a new public library this morning.",
    )
    ArticleBlockFactory(
        article=article,
        position=2,
        kind="quote",
        text_ar="القراءة تفتح أبواب المستقبل أمام أطفالنا.",
        attribution_ar="سلمى الخطيب",
    )
    return article


def test_article_page_shows_title(client, article):
    response = client.get(article.get_absolute_url())

    assert (response.status_code, page(response).find("h1").text) == (200, article.title_ar)


def test_article_page_shows_local_time_of_publication(client, article, western_digits):
    response = client.get(article.get_absolute_url())

    time = page(response).find("time")
    assert (time.attrs["datetime"], time.find("bdi").text) == ("2024-03-01T10:19:00+03:00", "10:19")


def test_article_page_links_to_source(client, article):
    response = client.get(article.get_absolute_url())

    links = (
        page(response)
        .find("header", cls="article-header")
        .find_all("a", href=article.source.get_absolute_url())
    )
    assert [link.text for link in links] == [article.source.name_ar]


def test_article_page_shows_view_count(client, article, western_digits):
    response = client.get(article.get_absolute_url())

    assert page(response).find("span", cls="views").find("bdi").text == "41"


def test_article_page_has_font_size_buttons(client, article):
    response = client.get(article.get_absolute_url())

    buttons = page(response).find("div", cls="font-size").find_all("button")
    assert [button.text for button in buttons] == ["A−", "A+"]


def test_article_page_renders_quote_as_figure(client, article):
    response = client.get(article.get_absolute_url())

    figure = page(response).find("figure", cls="pull-quote")
    assert (figure.find("blockquote").text, figure.find("cite").text) == (
        "القراءة تفتح أبواب المستقبل أمام أطفالنا.",
        "سلمى الخطيب",
    )


def test_article_page_with_wrong_slug_redirects_permanently_to_canonical_url(client, article):
    response = client.get(f"/articles/{article.pk}/old-slug/?view=both&utm=x")

    assert (response.status_code, response["Location"]) == (
        301,
        iri_to_uri(article.get_absolute_url()) + "?view=both&utm=x",
    )


def test_article_canonical_url_keeps_arabic_slug(article):
    assert article.get_absolute_url() == (
        f"/articles/{article.pk}/{quote('افتتاح-مكتبة-جديدة-في-حمص')}/"
    )


def test_article_page_unknown_pk_is_404(client):
    response = client.get("/articles/999999/nothing/")

    assert response.status_code == 404


NOT_PUBLIC = ["draft", "scheduled", "archived"]


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_article_page_not_public_is_404_for_anonymous(client, state):
    article = ArticleFactory(**{state: True})

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_article_page_not_public_is_shown_to_staff(client, state):
    article = ArticleFactory(**{state: True})
    client.force_login(make_editor())

    response = client.get(article.get_absolute_url())

    assert (response.status_code, page(response).find("h1").text) == (200, article.title_ar)


def test_article_page_published_with_future_time_is_404(client):
    article = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1))

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404


# Reading modes.


def column_languages(response) -> list[list[tuple[str, str]]]:
    rows = page(response).find("div", cls="article-body").elements()
    return [
        [(column.attrs["lang"], column.attrs["dir"]) for column in row.find_all("div", cls="col")]
        for row in rows
    ]


@pytest.mark.parametrize(
    ("mode", "columns"),
    [
        ("ar", [("ar", "rtl")]),
        ("both", [("ar", "rtl"), ("en", "ltr")]),
        ("en", [("en", "ltr")]),
    ],
)
def test_article_page_reading_mode_sets_columns(client, article, mode, columns):
    response = client.get(article.get_absolute_url(), {"view": mode})

    assert column_languages(response) == [columns, columns]


def test_article_page_both_mode_shows_english_beside_arabic(client, article):
    response = client.get(article.get_absolute_url(), {"view": "both"})

    first_row = page(response).find("div", id="p1")
    assert [column.find_all("p")[0].text for column in first_row.find_all("div", cls="col")] == [
        "افتتحت البلدية صباح اليوم مكتبة عامة جديدة.",
        "The council opened a new public library this morning.",
    ]


def test_article_page_block_without_english_says_not_translated(client, article):
    response = client.get(article.get_absolute_url(), {"view": "both"})

    english = page(response).find("div", id="p2").find("div", cls="col-en")
    assert english.find("p", cls="untranslated").text == arabic("Not translated yet.", "block")


def test_english_article_page_block_without_english_says_not_translated(client, article):
    with translation.override("en"):
        url = article.get_absolute_url()

    response = client.get(url, {"view": "both"})

    english = page(response).find("div", id="p2").find("div", cls="col-en")
    assert (url[:4], english.find("p", cls="untranslated").text) == ("/en/", "Not translated yet.")


def test_article_page_sets_no_cookie_so_that_it_can_be_cached(client, article):
    # static/js/preferences.js remembers the mode chosen with ?view= (browser tests).
    response = client.get(article.get_absolute_url(), {"view": "both"})

    assert dict(response.cookies) == {}


def test_article_page_follows_the_remembered_reading_mode(client, article):
    client.cookies["reading_mode"] = "en"

    response = client.get(article.get_absolute_url())

    assert (response.context["mode"], column_languages(response)[0]) == ("en", [("en", "ltr")])


def test_article_page_ignores_unknown_reading_mode(client, article):
    response = client.get(article.get_absolute_url(), {"view": "fr"})

    assert ("reading_mode" in response.cookies, response.context["mode"]) == (False, "ar")


# View counts.


def test_article_page_counts_each_view_of_published_article(client, article):
    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url())
    view_counts.flush()

    article.refresh_from_db()
    assert article.view_count == 43


def test_article_page_does_not_count_views_of_draft(client):
    draft = ArticleFactory(draft=True, view_count=7)
    client.force_login(make_editor())

    client.get(draft.get_absolute_url())
    view_counts.flush()

    draft.refresh_from_db()
    assert draft.view_count == 7


# Source and section pages.


def test_source_page_lists_only_its_published_articles(client):
    source = SourceFactory()
    mine = ArticleFactory(source=source, title_ar="خبر من هذا المصدر")
    ArticleFactory(source=source, title_ar="مسودة من هذا المصدر", draft=True)
    ArticleFactory(title_ar="خبر من مصدر آخر")

    response = client.get(source.get_absolute_url())

    assert (response.status_code, listed_titles(response)) == (200, [mine.title_ar])


def test_source_page_heading_is_source_name(client):
    source = SourceFactory(name_ar="نشرة الساحل")

    response = client.get(source.get_absolute_url())

    assert page(response).find("h1").text == "نشرة الساحل"


def test_section_page_lists_only_its_published_articles(client):
    section = SectionFactory()
    mine = ArticleFactory(section=section, title_ar="خبر في هذا القسم")
    ArticleFactory(section=section, title_ar="خبر مجدول في هذا القسم", scheduled=True)
    ArticleFactory(section=SectionFactory(), title_ar="خبر في قسم آخر")

    response = client.get(section.get_absolute_url())

    assert (response.status_code, listed_titles(response)) == (200, [mine.title_ar])


@pytest.mark.parametrize("name", ["articles:source", "articles:section"])
def test_unknown_source_or_section_is_404(client, name):
    response = client.get(reverse(name, kwargs={"slug": "no-such-slug"}))

    assert response.status_code == 404


# Search.


def search(client, query: str):
    return client.get(reverse("articles:search"), {"q": query})


def test_search_finds_arabic_title_word(client):
    wanted = ArticleFactory(title_ar="افتتاح مكتبة الأطفال في حمص")
    ArticleFactory(title_ar="تأجيل مباراة الديربي")

    response = search(client, "مكتبة")

    assert listed_titles(response) == [wanted.title_ar]


def test_search_finds_english_body_word_once(client):
    wanted = ArticleFactory(title_ar="افتتاح مكتبة الأطفال في حمص")
    ArticleBlockFactory(article=wanted, position=1, text_en="The library opens on Saturday.")
    ArticleBlockFactory(article=wanted, position=2, text_en="On Saturday it opens at nine.")
    ArticleBlockFactory(text_en="The market is closed on Friday.")

    response = search(client, "saturday")

    assert listed_titles(response) == [wanted.title_ar]


def test_search_skips_unpublished_articles(client):
    ArticleFactory(title_ar="مسودة عن مكتبة الأطفال", draft=True)

    response = search(client, "مكتبة")

    notice = page(response).find("p", cls="notice").find("bdi").text
    assert (response.context["articles"].count(), notice) == (0, "مكتبة")


def test_search_with_empty_query_asks_for_words(client):
    ArticleFactory()

    response = search(client, "  ")

    assert (response.status_code, page(response).find("p", cls="notice").text) == (
        200,
        arabic("Type a word or two to search the news."),
    )


def test_search_with_too_long_query_says_so(client):
    ArticleFactory(title_ar="ا" * 201)

    response = search(client, "ا" * 201)

    assert (response.status_code, page(response).find("p", cls="notice").text) == (
        200,
        arabic("That search is too long. Try a few words."),
    )

"""The search page: results alone, filters, web search syntax, friendly messages, queries."""

import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from freezegun import freeze_time

from .factories import (
    ArticleBlockFactory,
    ArticleFactory,
    SectionFactory,
    SourceFactory,
    TickerHeadlineFactory,
)
from .htmltree import page

pytestmark = pytest.mark.django_db

DAMASCUS = ZoneInfo("Asia/Damascus")


def arabic(message: str) -> str:
    with translation.override("ar"):
        return gettext(message)


def search(client, q: str = "", **params):
    return client.get(reverse("articles:search"), {"q": q, **params})


def titles(response) -> list[str]:
    lists = page(response).find_all("ul", cls="article-list")
    if not lists:
        return []
    return [item.find("h3").text for item in lists[0].elements()]


def notice(response) -> str:
    return page(response).find("p", cls="notice").text


def ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


# What is listed.


def test_search_lists_only_published_articles(client):
    ArticleFactory(title_ar="مدرسة منشورة")
    ArticleFactory(title_ar="مدرسة مسودة", draft=True)
    ArticleFactory(title_ar="مدرسة مجدولة", scheduled=True)
    ArticleFactory(title_ar="مدرسة مؤرشفة", archived=True)
    ArticleFactory(title_ar="مدرسة بتاريخ قادم", published_at=ago(-3))

    response = search(client, "مدرسة")

    assert (response.status_code, titles(response)) == (200, ["مدرسة منشورة"])


def test_search_finds_an_article_once_its_time_has_come(client):
    ArticleFactory(title_ar="مدرسة الغد", published_at=timezone.now() + datetime.timedelta(hours=2))

    before = titles(search(client, "مدرسة"))
    with freeze_time(timezone.now() + datetime.timedelta(hours=3)):
        after = titles(search(client, "مدرسة"))

    assert (before, after) == ([], ["مدرسة الغد"])


def test_search_page_lists_the_results_alone(client):
    ArticleFactory(title_ar="مدرسة جديدة", is_featured=True)
    ArticleFactory(title_ar="خبر عن الطقس")
    TickerHeadlineFactory(text_ar="عنوان عاجل")

    root = page(search(client, "مدرسة"))

    assert (
        len(root.find_all("ul", cls="article-list")),
        root.find_all("section", cls="ticker"),
        root.find_all("section", cls="featured"),
        titles(search(client, "مدرسة")),
    ) == (1, [], [], ["مدرسة جديدة"])


def test_search_result_keeps_language_and_direction_of_each_text(client, western_digits):
    article = ArticleFactory(title_ar="مدرسة جديدة", title_en="A new school")
    ArticleBlockFactory(article=article, text_en="The school opens.")

    result = page(search(client, "school")).find("ul", cls="article-list").elements()[0]

    assert (
        (result.find("h3").attrs["lang"], result.find("h3").attrs["dir"]),
        (
            result.find("p", cls="card-title-en").attrs["lang"],
            result.find("p", cls="card-title-en").attrs["dir"],
        ),
        (
            result.find("p", cls="excerpt").attrs["lang"],
            result.find("p", cls="excerpt").attrs["dir"],
        ),
        [bdi.text for bdi in result.find("p", cls="card-meta").find_all("bdi")],
    ) == (
        ("ar", "rtl"),
        ("en", "ltr"),
        ("en", "ltr"),
        [article.source.name_ar, article.published_at.astimezone(DAMASCUS).strftime("%H:%M")],
    )


def test_search_box_keeps_the_query(client):
    root = page(search(client, '"مدرسة حلب" -حمص'))

    assert [field.attrs["value"] for field in root.find_all("input", name="q")] == [
        '"مدرسة حلب" -حمص',
        '"مدرسة حلب" -حمص',
    ]


# Web search syntax.


@pytest.fixture
def schools():
    ArticleFactory(title_ar="مدرسة في حلب", published_at=ago(1))
    ArticleFactory(title_ar="حلب ومدرسة جديدة", published_at=ago(2))
    ArticleFactory(title_ar="مدرسة في حمص", published_at=ago(3))
    ArticleFactory(title_ar="جامعة في حماة", published_at=ago(4))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"مدرسة حلب"', ["مدرسة في حلب"]),  # "في" is a stop word: the phrase holds
        ('"حلب مدرسة"', ["حلب ومدرسة جديدة"]),
        ('"حلب المدرسة الجديدة"', ["حلب ومدرسة جديدة"]),
        ('"حلب جديدة مدرسة"', []),
        ('"مدرسة حلب" OR "مدرسة حمص"', ["مدرسة في حلب", "مدرسة في حمص"]),
        ("مدرسة -حلب", ["مدرسة في حمص"]),
        ('مدرسة -"مدرسة جديدة"', ["مدرسة في حلب", "مدرسة في حمص"]),
        ("حمص OR حماة", ["مدرسة في حمص", "جامعة في حماة"]),
        ("حمص أو حماة", ["مدرسة في حمص", "جامعة في حماة"]),
        ("مدرسة حمص OR حلب", ["مدرسة في حلب", "حلب ومدرسة جديدة", "مدرسة في حمص"]),
    ],
)
def test_search_understands_web_search_syntax(client, schools, q, expected):
    # Which articles, not their order (bm25 on SQLite weighs rare words more).
    assert sorted(titles(search(client, q))) == sorted(expected)


# Filters.


@pytest.fixture
def spread():
    aleppo, homs = SourceFactory(slug="aleppo"), SourceFactory(slug="homs")
    culture, sport = SectionFactory(slug="culture"), SectionFactory(slug="sport")
    day = datetime.datetime(2024, 3, 10, 0, 30, tzinfo=DAMASCUS)
    ArticleFactory(title_ar="مدرسة أ", source=aleppo, section=culture, published_at=day)
    ArticleFactory(
        title_ar="مدرسة ب",
        source=aleppo,
        section=sport,
        published_at=day + datetime.timedelta(days=1, hours=23),
    )
    ArticleFactory(
        title_ar="مدرسة ج",
        source=homs,
        section=culture,
        published_at=day + datetime.timedelta(days=2),
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "aleppo"}, ["مدرسة ب", "مدرسة أ"]),
        ({"section": "culture"}, ["مدرسة ج", "مدرسة أ"]),
        ({"source": "aleppo", "section": "culture"}, ["مدرسة أ"]),
        ({"from": "2024-03-11"}, ["مدرسة ج", "مدرسة ب"]),
        ({"to": "2024-03-11"}, ["مدرسة ب", "مدرسة أ"]),  # the last day is included
        ({"from": "2024-03-10", "to": "2024-03-10"}, ["مدرسة أ"]),  # days in Damascus time
        ({"from": "", "to": "", "source": "", "section": ""}, ["مدرسة ج", "مدرسة ب", "مدرسة أ"]),
    ],
)
def test_search_filters_by_source_section_and_days(client, spread, params, expected):
    assert titles(search(client, "مدرسة", **params)) == expected


def test_search_pages_keep_the_query_and_filters(client, settings):
    source = SourceFactory(slug="aleppo")
    for number in range(23):
        ArticleFactory(title_ar=f"مدرسة رقم {number}", source=source, published_at=ago(number))

    first = search(client, "مدرسة", source="aleppo", **{"from": "2000-01-01"})
    next_link = page(first).find("a", rel="next").attrs["href"]
    second = client.get(reverse("articles:search") + next_link)

    assert (
        parse_qs(urlsplit(next_link).query),
        len(titles(first)),
        titles(second),
    ) == (
        {"q": ["مدرسة"], "source": ["aleppo"], "from": ["2000-01-01"], "page": ["2"]},
        20,
        ["مدرسة رقم 20", "مدرسة رقم 21", "مدرسة رقم 22"],
    )


@pytest.mark.parametrize(("number", "shown"), [("9", 2), ("two", 1), ("-1", 2)])
def test_search_page_number_out_of_range_shows_the_nearest_page(client, number, shown):
    for count in range(23):
        ArticleFactory(title_ar=f"مدرسة رقم {count}", published_at=ago(count))

    response = search(client, "مدرسة", page=number)

    assert (response.status_code, response.context["page_obj"].number) == (200, shown)


# Friendly messages.


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ""}, "Type a word or two to search the news."),
        ({"q": "مدرسة " * 40}, "That search is too long. Try a few words."),
        (
            {"q": "؟!... ،، -"},
            "Type letters or numbers to search for: punctuation alone finds nothing.",
        ),
        (
            {"q": "في على the"},
            "Those words are too common to search for. Add a word that says more.",
        ),
        (
            {"q": "-مدرسة"},
            "Say what to look for, not only which words to leave out (those after a minus sign).",
        ),
        (
            {"q": "مدرسة", "from": "2024-13-01"},
            "Write dates as year-month-day, for example 2024-03-01.",
        ),
        (
            {"q": "مدرسة", "to": "yesterday"},
            "Write dates as year-month-day, for example 2024-03-01.",
        ),
        (
            {"q": "مدرسة", "from": "2024-03-02", "to": "2024-03-01"},
            "The first day comes after the last one.",
        ),
        ({"q": "مدرسة", "source": "no-such-source"}, "There is no such source."),
        ({"q": "مدرسة", "section": "no-such-section"}, "There is no such section."),
    ],
)
def test_search_says_what_is_wrong_in_a_sentence(client, params, message):
    ArticleFactory(title_ar="مدرسة جديدة")

    response = client.get(reverse("articles:search"), params)

    assert (response.status_code, notice(response), titles(response)) == (200, arabic(message), [])


def test_search_messages_are_in_english_in_the_english_interface(client):
    with translation.override("en"):
        url = reverse("articles:search")

    response = client.get(url, {"q": "؟؟"})

    assert (url, notice(response)) == (
        "/en/search/",
        "Type letters or numbers to search for: punctuation alone finds nothing.",
    )


def test_search_without_results_says_so_with_the_query(client):
    ArticleFactory(title_ar="مدرسة جديدة")

    response = search(client, "مستشفى")

    assert page(response).find("p", cls="notice").find("bdi").text == "مستشفى"


# Queries.


@pytest.mark.parametrize("count", [3, 25])
def test_search_page_queries_do_not_grow_with_results(client, django_assert_max_num_queries, count):
    for number in range(count):
        article = ArticleFactory(title_ar=f"مدرسة {number}", published_at=ago(number))
        ArticleBlockFactory(article=article, text_ar="درس الطلاب في المدرسة.")
        ArticleBlockFactory(article=article, text_ar="وعادوا إلى البيت.")

    with django_assert_max_num_queries(8):
        response = search(client, "مدرسة", source="", section="")

    assert len(titles(response)) == min(count, 20)

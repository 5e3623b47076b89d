"""Links between reader pages keep a reading mode chosen with ?view=, for readers without JS."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from articles.views import SectionArticlesView

from .factories import ArticleFactory, SectionFactory, SourceFactory, TickerHeadlineFactory
from .htmltree import page

pytestmark = pytest.mark.django_db


def hrefs(elements) -> list[str]:
    return [element.attrs["href"] for element in elements]


def card_title_links(root) -> list[str]:
    """Where the titles in the page's list of articles lead."""
    cards = root.find("ul", cls="article-list").elements()
    return [card.find("h3").find("a").attrs["href"] for card in cards]


def article_meta_links(root) -> list[str]:
    """Where the source and section links above an article's title lead."""
    header = root.find("header", cls="article-header")
    return hrefs(header.find_all("p", cls="article-meta")[0].find_all("a"))


@pytest.fixture
def story():
    section = SectionFactory(name_ar="رياضة", slug="sport")
    source = SourceFactory(name_ar="جريدة الساحل", slug="coast")
    return ArticleFactory(
        section=section,
        source=source,
        title_ar="فوز الفريق المحلي في مباراة الأمس",
        title_en="The local team won yesterday's match",
    )


def test_reading_mode_is_kept_from_article_to_section_to_article(client, story):
    other = ArticleFactory(section=story.section, title_ar="تدريب مفتوح للجمهور يوم الجمعة")

    article_page = page(client.get(f"{story.get_absolute_url()}?view=en"))
    meta_links = article_meta_links(article_page)
    article_links = card_title_links(page(client.get(meta_links[1])))
    response = client.get(article_links[1])

    assert meta_links == ["/sources/coast/?view=en", "/sections/sport/?view=en"]
    assert article_links == [
        f"{other.get_absolute_url()}?view=en",
        f"{story.get_absolute_url()}?view=en",
    ]
    assert (response.status_code, response.context["mode"]) == (200, "en")


def test_header_links_keep_the_reading_mode(client, story):
    root = page(client.get(f"{story.get_absolute_url()}?view=both"))

    header = root.find("header", cls="site-header")
    assert (
        header.find("a", cls="site-name").attrs["href"],
        hrefs(header.find("nav", cls="section-nav").find_all("a")),
        header.find("input", type="hidden").attrs,
        hrefs(header.find("nav", cls="language-switch").find_all("a")),
    ) == (
        "/?view=both",
        ["/sections/sport/?view=both"],
        {"type": "hidden", "name": "view", "value": "both"},
        [f"/en{story.get_absolute_url()}?view=both"],
    )


def test_footer_link_keeps_the_reading_mode(client, story):
    root = page(client.get("/?view=en"))

    assert hrefs(root.find("footer").find_all("a")) == [
        "/feeds/?view=en",
        "/corrections/?view=en",
    ]


def test_home_page_links_keep_the_reading_mode(client, story):
    story.is_featured = True
    story.save()

    root = page(client.get("/?view=en"))

    featured = root.find("section", cls="featured")
    assert (
        hrefs(featured.find_all("a")),
        hrefs(root.find("section", cls="home-section").find("h2").find_all("a")),
    ) == (
        [
            "/sources/coast/?view=en",
            "/sections/sport/?view=en",
            f"{story.get_absolute_url()}?view=en",
        ],
        ["/sections/sport/?view=en"],
    )


def test_ticker_links_to_articles_keep_the_reading_mode_and_outside_links_do_not(client, story):
    TickerHeadlineFactory(text_ar="خبر الفريق", article=story, position=1)
    TickerHeadlineFactory(
        text_ar="خبر من موقع آخر", url="https://elsewhere.example/a?id=3", position=2
    )

    root = page(client.get("/sections/sport/?view=both"))

    assert hrefs(root.find("section", cls="ticker").find_all("a")) == [
        f"{story.get_absolute_url()}?view=both",
        "https://elsewhere.example/a?id=3",
    ]


def test_list_pagination_keeps_the_reading_mode(client, story, monkeypatch):
    monkeypatch.setattr(SectionArticlesView, "paginate_by", 1)
    ArticleFactory.create_batch(2, section=story.section)

    first = page(client.get("/sections/sport/?view=en"))
    second = page(client.get("/sections/sport/?view=en&page=2"))

    assert (
        hrefs(first.find("nav", cls="pagination").find_all("a")),
        hrefs(second.find("nav", cls="pagination").find_all("a")),
    ) == (["?view=en&page=2"], ["?view=en&page=1", "?view=en&page=3"])


def test_search_page_keeps_the_reading_mode(client, story):
    response = client.get(reverse("articles:search"), {"q": "الفريق", "view": "en"})

    root = page(response)
    form = root.find("form", cls="search-page-form")
    result = root.find("ul", cls="search-results").find("li")
    assert (
        form.find("input", type="hidden").attrs["value"],
        result.find("h3").find("a").attrs["href"],
        hrefs(result.find("p", cls="card-meta").find_all("a")),
    ) == (
        "en",
        f"{story.get_absolute_url()}?view=en",
        ["/sources/coast/?view=en", "/sections/sport/?view=en"],
    )


def test_links_carry_no_mode_when_the_address_has_none(client, story):
    client.cookies["reading_mode"] = "en"

    root = page(client.get(story.get_absolute_url()))

    header = root.find("header", cls="site-header")
    assert (
        header.find("a", cls="site-name").attrs["href"],
        article_meta_links(root),
        header.find_all("input", type="hidden"),
    ) == ("/", ["/sources/coast/", "/sections/sport/"], [])


def test_unknown_reading_mode_in_the_address_is_not_passed_on(client, story):
    root = page(client.get("/sections/sport/?view=fr"))

    assert card_title_links(root) == [story.get_absolute_url()]


def test_cached_pages_keep_each_address_mode_apart(client, story, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 60
    cache.clear()

    plain = page(client.get("/sections/sport/"))
    english = page(client.get("/sections/sport/?view=en"))
    plain_again = page(client.get("/sections/sport/"))
    cache.clear()

    assert [card_title_links(root) for root in (plain, english, plain_again)] == [
        [story.get_absolute_url()],
        [f"{story.get_absolute_url()}?view=en"],
        [story.get_absolute_url()],
    ]

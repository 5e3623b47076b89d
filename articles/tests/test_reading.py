"""The reader side on the server: bidi safety, view counting, home lists, digits, languages."""

import datetime
import threading
import urllib.request

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from articles import view_counts
from articles.models import Article, HourlyViews, MostRead, Section
from articles.views import SectionArticlesView

from .factories import ArticleBlockFactory, ArticleFactory, SectionFactory, TickerHeadlineFactory
from .htmltree import parse_html

BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_article_page_bidi_controls_in_stored_title_never_reach_the_page(client):
    article = ArticleFactory()
    # Stored straight into the row, as a careless import or an old row might hold it:
    # an embedding that never closes, an override, and stray marks.
    Article.objects.filter(pk=article.pk).update(
        title_ar="\u202bعاجل: \u202eافتتاح\u200f المعرض\u200e",
        lead_ar="\u2067مقدمة",
    )
    ArticleBlockFactory(article=article, text_ar="\u202dفقرة \u202aأولى")

    html = page_text(client, article.get_absolute_url())

    assert [char for char in html if char in BIDI_CONTROLS] == []
    assert "عاجل: افتتاح المعرض" in html


@pytest.mark.django_db
def test_home_page_bidi_controls_in_ticker_and_titles_are_removed(client):
    from .factories import TickerHeadlineFactory

    TickerHeadlineFactory(text_ar="\u202bخبر عاجل")
    ArticleFactory(title_ar="\u202eعنوان مقلوب")

    html = page_text(client, "/")

    assert [char for char in html if char in BIDI_CONTROLS] == []


@pytest.mark.django_db
def test_view_counting_counts_a_published_article_and_its_hour():
    article = ArticleFactory(view_count=10)
    at = timezone.now().replace(minute=42)

    for _ in range(3):
        view_counts.count_view(article_id=article.pk, at=at)
    written = view_counts.flush()

    article.refresh_from_db()
    hour = HourlyViews.objects.get(article=article)
    assert written == 3
    assert (article.view_count, hour.count, hour.hour) == (
        13,
        3,
        at.replace(minute=0, second=0, microsecond=0),
    )


@pytest.mark.django_db
def test_view_counting_ignores_drafts():
    draft = ArticleFactory(draft=True, view_count=5)

    view_counts.count_view(article_id=draft.pk)
    written = view_counts.flush()

    draft.refresh_from_db()
    assert (written, draft.view_count, HourlyViews.objects.count()) == (0, 5, 0)


@pytest.mark.django_db
def test_view_counting_skips_prefetches(client):
    article = ArticleFactory(view_count=0)

    client.get(article.get_absolute_url(), headers={"Sec-Purpose": "prefetch"})
    view_counts.flush()

    article.refresh_from_db()
    assert article.view_count == 0


@pytest.mark.django_db
def test_view_counting_counts_pages_served_from_the_cache(client, settings):
    # The page cache the performance work adds sits below the counter.
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[
            : settings.MIDDLEWARE.index("articles.middleware.ViewCountMiddleware") + 1
        ],
        "django.middleware.cache.UpdateCacheMiddleware",
        *settings.MIDDLEWARE[
            settings.MIDDLEWARE.index("articles.middleware.ViewCountMiddleware") + 1 :
        ],
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    settings.CACHE_MIDDLEWARE_SECONDS = 60
    article = ArticleFactory(view_count=0)
    url = article.get_absolute_url()

    first = client.get(url)
    Article.objects.filter(pk=article.pk).update(title_ar="عنوان تغير بعد التخزين")
    second = client.get(url)

    view_counts.flush()
    article.refresh_from_db()
    assert second.content == first.content  # served from the cache, not rendered again
    assert article.view_count == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writes need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_view_count_increases_by_exactly_n_after_n_concurrent_requests(live_server):
    article = ArticleFactory(view_count=100)
    url = f"{live_server.url}{article.get_absolute_url()}"
    requests, threads_count = 40, 8
    errors = []

    def read(count):
        for _ in range(count):
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
            except Exception as error:
                errors.append(repr(error))

    threads = [
        threading.Thread(target=read, args=(requests // threads_count,))
        for _ in range(threads_count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    view_counts.flush()

    article.refresh_from_db()
    assert errors == []
    assert article.view_count == 100 + requests
    assert sum(HourlyViews.objects.filter(article=article).values_list("count", flat=True)) == (
        requests
    )


@pytest.mark.django_db
def test_home_most_read_ranks_by_views_of_the_last_24_hours(client):
    now = timezone.now()
    old_favourite = ArticleFactory(title_ar="خبر قديم كثير القراءة")
    today = ArticleFactory(title_ar="خبر اليوم الأول")
    runner_up = ArticleFactory(title_ar="خبر اليوم الثاني")
    HourlyViews.objects.create(
        article=old_favourite, hour=now - datetime.timedelta(hours=30), count=1000
    )
    HourlyViews.objects.create(article=today, hour=now - datetime.timedelta(hours=2), count=7)
    HourlyViews.objects.create(article=today, hour=now - datetime.timedelta(hours=1), count=5)
    HourlyViews.objects.create(article=runner_up, hour=now - datetime.timedelta(hours=1), count=9)
    view_counts.rank_most_read()

    response = client.get("/")

    assert [(a.title_ar, a.recent_views) for a in response.context["most_read"]] == [
        ("خبر اليوم الأول", 12),
        ("خبر اليوم الثاني", 9),
    ]


@pytest.mark.django_db
def test_views_written_by_the_flush_rank_most_read_and_taken_down_articles_leave_it(client):
    first, second = ArticleFactory(title_ar="الخبر الأول"), ArticleFactory(title_ar="الخبر الثاني")
    assert MostRead.objects.count() == 0
    for _ in range(3):
        view_counts.count_view(article_id=second.pk)
    view_counts.count_view(article_id=first.pk)

    view_counts.flush()

    ranking = [(a.title_ar, a.recent_views) for a in client.get("/").context["most_read"]]
    assert ranking == [("الخبر الثاني", 3), ("الخبر الأول", 1)]
    Article.objects.filter(pk=second.pk).update(status=Article.Status.DRAFT)
    ranking = [(a.title_ar, a.recent_views) for a in client.get("/").context["most_read"]]
    assert ranking == [("الخبر الأول", 1)]


@pytest.mark.django_db
def test_most_read_ranking_lets_hours_leave_the_window_and_keeps_only_the_top():
    now = timezone.now()
    articles = ArticleFactory.create_batch(view_counts.RANKED + 3)
    for index, article in enumerate(articles):
        HourlyViews.objects.create(article=article, hour=now, count=index + 1)
    old = ArticleFactory()
    HourlyViews.objects.create(article=old, hour=now - datetime.timedelta(hours=23), count=500)

    assert view_counts.rank_most_read(now=now) == view_counts.RANKED
    assert MostRead.objects.get(article=old).views == 500
    assert not MostRead.objects.filter(article__in=articles[:4]).exists()

    later = now + datetime.timedelta(hours=2)
    view_counts.rank_most_read(now=later)
    assert not MostRead.objects.filter(article=old).exists()
    assert set(MostRead.objects.values_list("ranked_at", flat=True)) == {later}


@pytest.mark.django_db
def test_home_lists_the_latest_articles_of_each_section_in_section_order(client):
    politics = SectionFactory(name_ar="سياسة", position=1)
    culture = SectionFactory(name_ar="ثقافة", position=0)
    now = timezone.now()
    for hours in range(6):
        ArticleFactory(
            section=politics,
            title_ar=f"سياسة {hours}",
            published_at=now - datetime.timedelta(hours=hours + 1),
        )
    ArticleFactory(section=culture, title_ar="ثقافة 0")
    ArticleFactory(section=culture, title_ar="مسودة ثقافية", draft=True)

    response = client.get("/")

    listed = [
        (section.name_ar, [article.title_ar for article in articles])
        for section, articles in response.context["sections"]
    ]
    assert listed == [
        ("ثقافة", ["ثقافة 0"]),
        ("سياسة", ["سياسة 0", "سياسة 1", "سياسة 2", "سياسة 3"]),
    ]


@pytest.mark.django_db
def test_english_column_says_where_each_block_came_from(client):
    article = ArticleFactory(title_en="A title")
    ArticleBlockFactory(
        article=article,
        position=1,
        text_en="Machine text.",
        translation_origin="machine",
        translation_engine="libretranslate",
        translated_at=datetime.datetime(2026, 3, 4, 12, 0, tzinfo=datetime.UTC),
    )
    ArticleBlockFactory(
        article=article, position=2, text_en="Checked text.", translation_origin="reviewed"
    )

    html = page_text(client, f"/en{article.get_absolute_url()}?view=both")

    assert "Machine translation: libretranslate, 4 March 2026" in html
    assert "Reviewed by an editor" in html


@pytest.mark.django_db
@override_settings(NEWSROOM_ARABIC_INDIC_DIGITS=True)
def test_arabic_indic_digits_setting_changes_the_arabic_interface_only(client):
    article = ArticleFactory(
        view_count=452,
        published_at=datetime.datetime(2020, 5, 12, 7, 19, tzinfo=datetime.UTC),
    )

    arabic = page_text(client, article.get_absolute_url())
    english = page_text(client, f"/en{article.get_absolute_url()}")

    assert ("<bdi>١٠:١٩</bdi>" in arabic, "<bdi>٤٥٢</bdi>" in arabic) == (True, True)
    # Views are buffered: the Arabic page view above is not in the count yet.
    assert ("<bdi>10:19</bdi>" in english, "<bdi>452</bdi>" in english) == (True, True)


@pytest.mark.django_db
def test_arabic_interface_uses_arabic_month_names(client, western_digits):
    article = ArticleFactory(
        published_at=datetime.datetime(2020, 5, 12, 7, 19, tzinfo=datetime.UTC)
    )

    html = page_text(client, article.get_absolute_url())

    assert "12 مايو 2020" in html


@pytest.mark.django_db
def test_language_switch_keeps_the_reader_on_the_same_article(client):
    article = ArticleFactory()

    response = client.get(f"{article.get_absolute_url()}?view=both")

    switch = dict((code, url) for code, _, url in response.context["language_switch"])
    assert switch["en"] == f"/en{article.get_absolute_url()}?view=both"


@pytest.mark.django_db
def test_list_page_title_and_feed_titles_drop_bidi_controls_of_the_section_name(client):
    section = SectionFactory(slug="culture")
    # Stored straight into the row: an override that never closes, and a stray mark.
    Section.objects.filter(pk=section.pk).update(name_ar="\u202eثقافة\u200f وفنون")
    with translation.override("ar"):
        site = gettext("Newsroom")

    html = page_text(client, section.get_absolute_url())

    head = parse_html(html).find("head")
    feed_titles = [
        link.attrs["title"]
        for link in head.find_all("link", rel="alternate")
        if "/feeds/sections/" in link.attrs["href"]
    ]
    assert [char for char in html if char in BIDI_CONTROLS] == []
    assert (head.find("title").text, feed_titles) == (
        f"ثقافة وفنون · {site}",
        ["ثقافة وفنون (RSS)", "ثقافة وفنون (Atom)"],
    )


def quote_attribution(client, url: str):
    figure = parse_html(page_text(client, url)).find("div", cls="col-en").find("figure")
    return figure.find("cite").find("bdi")


@pytest.mark.django_db
def test_english_column_marks_an_arabic_attribution_shown_for_want_of_english(client):
    block = ArticleBlockFactory(
        kind="quote", text_en="We will open on time.", attribution_ar="ليلى حداد"
    )

    name = quote_attribution(client, f"{block.article.get_absolute_url()}?view=en")

    assert (name.text, name.attrs) == ("ليلى حداد", {"lang": "ar", "dir": "rtl"})


@pytest.mark.django_db
def test_english_column_gives_an_english_attribution_no_arabic_marks(client):
    block = ArticleBlockFactory(
        kind="quote",
        text_en="We will open on time.",
        attribution_ar="ليلى حداد",
        attribution_en="Layla Haddad",
    )

    name = quote_attribution(client, f"{block.article.get_absolute_url()}?view=en")

    assert (name.text, name.attrs) == ("Layla Haddad", {})


def arabic(message: str) -> str:
    with translation.override("ar"):
        return gettext(message)


@pytest.mark.django_db
@override_settings(NEWSROOM_ARABIC_INDIC_DIGITS=True)
def test_arabic_indic_digits_setting_writes_the_machine_translation_date(client):
    article = ArticleFactory(
        title_en="A title",
        translation_state="machine",
        translation_engine="libretranslate",
        translated_at=datetime.datetime(2026, 3, 4, 12, 0, tzinfo=datetime.UTC),
    )

    html = page_text(client, f"{article.get_absolute_url()}?view=both")

    provenance = parse_html(html).find("p", cls="provenance")
    assert provenance.text == arabic("English by machine translation (%(engine)s, %(date)s).") % {
        "engine": "libretranslate",
        "date": "٤ مارس ٢٠٢٦",
    }


@pytest.mark.django_db
@override_settings(NEWSROOM_ARABIC_INDIC_DIGITS=True)
def test_arabic_indic_digits_setting_writes_the_list_page_numbers(client, monkeypatch):
    monkeypatch.setattr(SectionArticlesView, "paginate_by", 1)
    section = SectionFactory()
    ArticleFactory.create_batch(3, section=section)

    html = page_text(client, f"{section.get_absolute_url()}?page=2")

    pagination = parse_html(html).find("nav", cls="pagination")
    assert pagination.find("span").text == arabic("Page %(number)s of %(total)s") % {
        "number": "٢",
        "total": "٣",
    }


@pytest.mark.django_db
def test_list_page_numbers_stay_western_without_the_setting(client, monkeypatch, western_digits):
    monkeypatch.setattr(SectionArticlesView, "paginate_by", 1)
    section = SectionFactory()
    ArticleFactory.create_batch(3, section=section)

    html = page_text(client, f"{section.get_absolute_url()}?page=2")

    pagination = parse_html(html).find("nav", cls="pagination")
    assert pagination.find("span").text == arabic("Page %(number)s of %(total)s") % {
        "number": "2",
        "total": "3",
    }


@pytest.mark.django_db
def test_ticker_links_only_articles_readers_may_open_and_keeps_the_reading_mode(client):
    now = timezone.now()
    live = ArticleFactory()
    expired = ArticleFactory(
        published_at=now - datetime.timedelta(days=2), expires_at=now - datetime.timedelta(hours=1)
    )
    draft = ArticleFactory(status=Article.Status.DRAFT)
    TickerHeadlineFactory(text_ar="عنوان حي", article=live)
    TickerHeadlineFactory(text_ar="عنوان منتهي", article=expired)
    TickerHeadlineFactory(text_ar="عنوان مسودة", article=draft)
    TickerHeadlineFactory(text_ar="عنوان خارجي", url="https://elsewhere.example/a?b=1")

    page = parse_html(page_text(client, "/?view=both"))

    ticker = page.find("section", cls="ticker")
    links = {
        item.text: [a.attrs["href"] for a in item.find_all("a")] for item in ticker.find_all("li")
    }
    assert links == {
        "عنوان حي": [f"{live.get_absolute_url()}?view=both"],
        "عنوان منتهي": [],
        "عنوان مسودة": [],
        "عنوان خارجي": ["https://elsewhere.example/a?b=1"],
    }


@pytest.mark.django_db
def test_section_nav_marks_the_section_shown_even_with_an_arabic_slug(client):
    SectionFactory(name_ar="رياضة", name_en="Sport", slug="رياضة", position=0)
    SectionFactory(name_ar="اقتصاد", name_en="Economy", slug="economy", position=1)

    address = "/sections/%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9/"

    page = parse_html(page_text(client, f"{address}?view=en"))
    english = parse_html(page_text(client, "/en/sections/economy/"))

    items = page.find("nav", cls="section-nav").find_all("a")
    assert [(a.text, a.attrs["href"], "aria-current" in a.attrs) for a in items] == [
        ("رياضة", f"{address}?view=en", True),
        ("اقتصاد", "/sections/economy/?view=en", False),
    ]
    items = english.find("nav", cls="section-nav").find_all("a")
    assert [(a.text, "aria-current" in a.attrs) for a in items] == [
        ("Sport", False),
        ("Economy", True),
    ]

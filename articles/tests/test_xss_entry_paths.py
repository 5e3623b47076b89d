"""The XSS corpus, put in through every way text enters, is inert on every page and feed.

Each entry path stores the whole corpus in a few articles (many payloads per
article), then every page and feed that shows them is fetched and parsed:
no script but the site's own, no event handler, no script-bearing address,
no frame, object or embed. The browser half is test_xss_browser.py.
"""

import datetime
from urllib.parse import urlencode, urlsplit

import lxml.etree
import lxml.html
import pytest
from django.core.management import call_command
from django.core.validators import ProhibitNullCharactersValidator
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from articles.machine_translation import pipeline
from articles.machine_translation.engines.base import SegmentResult
from articles.models import Article, Section, Source, TickerHeadline

from .factories import ArticleBlockFactory, ArticleFactory, SectionFactory
from .feed_server import article_page, atom_entry, atom_feed, rss_feed, rss_item
from .mt_engine import ScriptedEngine
from .xss_corpus import (
    ARABIC_BEFORE,
    INERT_AS_MARKUP,
    PAYLOADS,
    arabic_around,
    chunks,
    feed_problems,
    html_problems,
)

pytestmark = pytest.mark.django_db

# A file holding a NUL byte is refused whole ("a binary file"; test_hostile_files.py),
# so files carry the corpus without the NUL-split payloads; forms, search and
# machine translation carry those.
FILE_PAYLOADS = [payload for payload in PAYLOADS if "\x00" not in payload]
PER_ARTICLE = 20
SEARCHES = ["البلدية", "script", "onerror alert", "javascript", "svg onload"]
FEEDS = ["feeds/rss/", "feeds/atom/"]
SITE_SCRIPTS = ("js/preferences.js", "js/reader.js")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@pytest.fixture
def site_scripts() -> set[str]:
    return {static(name) for name in SITE_SCRIPTS}


def reader_urls() -> list[str]:
    """Every page and feed that shows published articles' text, in both interfaces."""
    urls = ["/", "/en/", "/feeds/", "/sitemap.xml"]
    urls += [f"{prefix}/{feed}" for prefix in ("", "/en") for feed in FEEDS]
    for article in Article.objects.published():
        path = article.get_absolute_url()
        urls += [f"{path}?view={mode}" for mode in ("ar", "both", "en")]
        urls.append(f"/en{path}?view=en")
    for source in Source.objects.all():
        urls += [f"/sources/{source.slug}/", f"/en/sources/{source.slug}/"]
        urls += [f"/feeds/sources/{source.slug}/rss/", f"/feeds/sources/{source.slug}/atom/"]
    for section in Section.objects.all():
        urls += [f"/sections/{section.slug}/", f"/en/sections/{section.slug}/"]
        urls += [f"/feeds/sections/{section.slug}/rss/", f"/feeds/sections/{section.slug}/atom/"]
    urls += [
        f"{prefix}/search/?{urlencode({'q': query})}"
        for prefix in ("", "/en")
        for query in SEARCHES
    ]
    return urls


def sitemap_urls(client) -> list[str]:
    """The index's sitemaps (their paths: the test client has no host)."""
    index = lxml.etree.fromstring(client.get("/sitemap.xml").content)
    return [urlsplit(location.text).path for location in index.iter(f"{{{SITEMAP_NS}}}loc")]


def problems_on(client, urls: list[str], site_scripts: set[str]) -> dict[str, list[str]]:
    """Each URL's problems (its status, if not 200), for the URLs that have any."""
    found = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            found[url] = [f"status {response.status_code}"]
            continue
        kind = response.headers.get("Content-Type", "")
        if "xml" in kind:
            problems = feed_problems(response.content, site_scripts=site_scripts)
        else:
            problems = html_problems(response.content.decode(), site_scripts=site_scripts)
        if problems:
            found[url] = problems
    return found


def every_page_is_inert(client, site_scripts) -> dict[str, list[str]]:
    """Problems on every reader page and feed, after checking that the corpus reached them."""
    Article.objects.filter(section=None).update(section=SectionFactory(slug="hostile"))
    showing = [
        url
        for url in ["/feeds/rss/", "/feeds/atom/"]
        + [f"{article.get_absolute_url()}?view=ar" for article in Article.objects.published()]
        if ARABIC_BEFORE in client.get(url).content.decode()
    ]
    assert len(showing) == 2 + Article.objects.published().count()
    return problems_on(client, reader_urls() + sitemap_urls(client), site_scripts)


def test_checks_find_every_payload_that_runs_as_raw_markup():
    missed = [
        payload
        for payload in PAYLOADS
        if payload not in INERT_AS_MARKUP
        and html_problems(f"<div>{payload}</div>", site_scripts=set()) == []
    ]

    assert missed == []


def test_checks_allow_the_site_scripts_and_a_json_ld_block():
    page = (
        '<html><head><script src="/static/js/reader.js" defer></script>'
        '<script type="application/ld+json">{"headline": "\\u003cscript\\u003e"}</script>'
        '</head><body><a href="https://example.org/">x</a></body></html>'
    )

    assert html_problems(page, site_scripts={"/static/js/reader.js"}) == []


def published_showing_corpus() -> int:
    """Published articles whose page text carries the Arabic the corpus is wrapped in."""
    return sum(
        1
        for article in Article.objects.published()
        if any(ARABIC_BEFORE in block.text_ar for block in article.blocks.all())
    )


# --- the seed format ---------------------------------------------------------------


def scraped_page_with(payloads: list[str], number: int) -> str:
    """A page in the seed's layout with payloads in its ticker, title and paragraphs."""
    title = f"عنوان رقم {number} {payloads[0]}".replace("\n", " ")
    body = [arabic_around(payload, index) for index, payload in enumerate(payloads)]
    ticker = [f"خبر {number}.{i} {p}".replace("\n", " ") for i, p in enumerate(payloads[:3])]
    parts = [
        "\n".join(["المزيد", *ticker]),
        title,
        "\u00a0",
        "09:45",
        "\n".join([f"https://hostile.example/a/{number}", "12", "مشاهدة"]),
        "\n\n".join([title, "حجم الخط:"]),
        *body,
        "\n".join(["نقطة أخيرة في هذا الخبر.", f"سلمى {payloads[1]}".replace("\n", " ")]),
        "وانتهى الخبر هنا كما بدأ.",
    ]
    return "\n\n".join(parts) + "\n"


def test_corpus_through_seed_importer_is_inert_everywhere(client, tmp_path, site_scripts):
    paths = []
    for number, payloads in enumerate(chunks(FILE_PAYLOADS, PER_ARTICLE)):
        path = tmp_path / f"page-{number}.txt"
        path.write_text(scraped_page_with(payloads, number), encoding="utf-8")
        paths.append(str(path))

    # The format has only a time of day: yesterday's, so it is never still to come.
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    call_command("import_articles", *paths, "--publish", "--date", yesterday, verbosity=0)

    assert published_showing_corpus() == len(paths)
    assert TickerHeadline.objects.count() > 0
    assert every_page_is_inert(client, site_scripts) == {}


# --- HTML pages ----------------------------------------------------------------------


def test_corpus_through_html_pages_is_inert_everywhere(client, tmp_path, site_scripts):
    paths = []
    for number, payloads in enumerate(chunks(FILE_PAYLOADS, PER_ARTICLE)):
        raw = "".join(f"<p>{arabic_around(p, i)}</p>" for i, p in enumerate(payloads))
        page = article_page(
            title=f"صفحة رقم {number} {payloads[0]}",
            paragraphs=[arabic_around(payload, index) for index, payload in enumerate(payloads)],
            canonical=f"https://hostile.example/page/{number}",
            author=f"كاتب {payloads[1]}",
            body_extra=raw,
            head_extra=f"<script>{payloads[2]}</script>",
        )
        path = tmp_path / f"page-{number}.html"
        path.write_text(page, encoding="utf-8")
        paths.append(str(path))

    call_command("import_articles", *paths, "--publish", verbosity=0)

    assert published_showing_corpus() == len(paths)
    assert every_page_is_inert(client, site_scripts) == {}


# --- RSS and Atom --------------------------------------------------------------------


def test_corpus_through_rss_and_atom_is_inert_everywhere(client, tmp_path, site_scripts):
    groups = chunks(FILE_PAYLOADS, PER_ARTICLE)
    items = [
        rss_item(
            title=f"خبر رقم {number} {payloads[0]}",
            link=f"https://wadi.example/news/{number}",
            guid=f"hostile-{number}",
            description="".join(f"<p>{arabic_around(p, i)}</p>" for i, p in enumerate(payloads)),
            extra=f"<dc:creator>{payloads[1].replace('&', '&amp;').replace('<', '&lt;')}"
            "</dc:creator>",
        )
        for number, payloads in enumerate(groups)
    ]
    entries = [
        atom_entry(
            title=f"مدخل رقم {number} {payloads[0]}",
            link=f"https://sahel.example/news/{number}",
            entry_id=f"urn:hostile:{number}",
            updated="2024-03-05T08:00:00Z",
            content="".join(f"<p>{arabic_around(p, i)}</p>" for i, p in enumerate(payloads)),
        )
        for number, payloads in enumerate(groups)
    ]
    rss, atom = tmp_path / "feed.rss", tmp_path / "feed.atom"
    rss.write_text(rss_feed(*items), encoding="utf-8")
    atom.write_text(atom_feed(*entries), encoding="utf-8")

    call_command("import_articles", str(rss), str(atom), "--publish", verbosity=0)

    assert published_showing_corpus() == 2 * len(groups)
    assert every_page_is_inert(client, site_scripts) == {}


# --- admin fields --------------------------------------------------------------------


def add_form_defaults(client) -> dict[str, str]:
    """The article add form's fields with the values the page gives them."""
    response = client.get(reverse("admin:articles_article_add"))
    form = lxml.html.fromstring(response.content.decode()).get_element_by_id("article_form")
    return {
        name: value
        for name, value in form.form_values()
        if not name.startswith("blocks-__prefix__")
    }


def test_corpus_through_admin_fields_is_inert_everywhere(admin_client, site_scripts):
    source = Source.objects.create(name_ar="مصدر", slug="admin-source")
    for number, payloads in enumerate(chunks(PAYLOADS, PER_ARTICLE)):
        data = add_form_defaults(admin_client)
        blocks = [arabic_around(p.replace("\x00", ""), i) for i, p in enumerate(payloads)]
        data |= {
            "source": str(source.pk),
            "status": Article.Status.PUBLISHED,
            "published_at_0": "2024-03-05",
            "published_at_1": "08:00:00",
            "title_ar": f"مقال رقم {number} {payloads[0]}",
            "lead_ar": " ".join(payloads),
            "title_en": f"Article {number} {payloads[1]}",
            "lead_en": " ".join(reversed(payloads)),
            "byline": payloads[2][:200],
            "blocks-TOTAL_FORMS": str(len(blocks)),
            "blocks-INITIAL_FORMS": "0",
        }
        for index, text in enumerate(blocks):
            data |= {
                f"blocks-{index}-position": str(index + 1),
                f"blocks-{index}-kind": "paragraph",
                f"blocks-{index}-text_ar": text,
                f"blocks-{index}-text_en": f"English {index}: {payloads[index]}",
            }
        data = {name: value.replace("\x00", "") for name, value in data.items()}

        response = admin_client.post(reverse("admin:articles_article_add"), data)

        assert response.status_code == 302, response.context["errors"]
    assert published_showing_corpus() == len(chunks(PAYLOADS, PER_ARTICLE))
    assert every_page_is_inert(admin_client, site_scripts) == {}


def test_null_characters_in_admin_fields_are_refused(admin_client):
    data = add_form_defaults(admin_client) | {
        "source": str(Source.objects.create(name_ar="مصدر", slug="nul-source").pk),
        "title_ar": f"مقال {PAYLOADS[7]}",
    }

    response = admin_client.post(reverse("admin:articles_article_add"), data)

    assert (response.status_code, Article.objects.count()) == (200, 0)
    assert response.context["adminform"].form.errors["title_ar"] == [
        str(ProhibitNullCharactersValidator.message)
    ]


# --- machine translation output --------------------------------------------------------


@pytest.fixture
def payload_engine(settings):
    """The test engine, answering every segment with a payload as its "English"."""
    settings.MT_ENGINE = "test"
    settings.MT_EXTRA_ENGINES = {"test": "articles.tests.mt_engine.ScriptedEngine"}
    ScriptedEngine.reset(max_segments=len(PAYLOADS) + 5)
    return ScriptedEngine()


def test_corpus_as_machine_translation_is_inert_everywhere(client, payload_engine, site_scripts):
    articles = []
    for number, payloads in enumerate(chunks(PAYLOADS, PER_ARTICLE)):
        article = ArticleFactory(title_ar=f"عنوان مترجم {number}", lead_ar=f"مقدمة {number}")
        for index in range(len(payloads)):
            ArticleBlockFactory(
                article=article, position=index + 1, text_ar=arabic_around(f"({index})", index)
            )
        articles.append((article, payloads))

    for article, payloads in articles:
        ScriptedEngine.script = [
            lambda segments, payloads=payloads: [
                SegmentResult(text=f"English: {payloads[i % len(payloads)]}")
                for i in range(len(segments))
            ]
        ]
        pipeline.translate_article(article_id=article.pk, engine=payload_engine, sleep=lambda s: 0)

    translated = Article.objects.exclude(title_en="").count()
    assert translated == len(articles)
    assert every_page_is_inert(client, site_scripts) == {}


# --- search queries --------------------------------------------------------------------


def test_corpus_as_search_query_is_inert(client, site_scripts):
    ArticleBlockFactory(text_ar=f"{ARABIC_BEFORE} script alert onerror {PAYLOADS[0]}")
    urls = [
        f"{prefix}/search/?{query}"
        for prefix in ("", "/en")
        for query in (
            *(urlencode({"q": payload}) for payload in PAYLOADS),
            *(urlencode({"q": "البلدية", "source": payload}) for payload in PAYLOADS[:10]),
            *(urlencode({"q": "script", "page": payload}) for payload in PAYLOADS[:10]),
        )
    ]

    assert problems_on(client, urls, site_scripts) == {}

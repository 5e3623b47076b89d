"""Feeds: RSS 2.0 and Atom 1.0, in Arabic and English, for the site, a source and a section."""

import datetime
from urllib.parse import urlsplit

import factory
import feedparser
import lxml.etree
import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date
from django.utils.translation import gettext

from articles import services
from articles.models import Article, Section, Source

from .factories import ArticleBlockFactory, ArticleFactory, SectionFactory, SourceFactory
from .htmltree import page

pytestmark = pytest.mark.django_db

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# (URL name, what the feed narrows the articles to).
RSS_FEEDS = [("feed-rss", None), ("source-feed-rss", "source"), ("section-feed-rss", "section")]
ATOM_FEEDS = [
    ("feed-atom", None),
    ("source-feed-atom", "source"),
    ("section-feed-atom", "section"),
]
GROUP_FACTORIES = {"source": SourceFactory, "section": SectionFactory}


def feed_params(feeds, languages=("ar", "en")):
    return [
        pytest.param(name, group, language, id=f"{language}-{name}")
        for language in languages
        for name, group in feeds
    ]


EVERY_FEED = feed_params(RSS_FEEDS + ATOM_FEEDS)
ARABIC_FEEDS = feed_params(RSS_FEEDS + ATOM_FEEDS, languages=["ar"])
ENGLISH_FEEDS = feed_params(RSS_FEEDS + ATOM_FEEDS, languages=["en"])
EVERY_ATOM_FEED = feed_params(ATOM_FEEDS)
EVERY_RSS_FEED = feed_params(RSS_FEEDS)
FEED_ARGS = ("name", "group", "language")


class BilingualArticleFactory(ArticleFactory):
    """A published article with a lead in both languages and English by machine, in a section.

    It is in every feed of its source and section, Arabic and English.
    """

    section = factory.SubFactory(SectionFactory, name_en=factory.Sequence(lambda n: f"Local {n}"))
    title_en = factory.Sequence(lambda n: f"New public garden opens in the old quarter {n}")
    lead_ar = factory.Sequence(lambda n: f"افتتحت البلدية حديقة عامة في الحي القديم {n}.")
    lead_en = factory.Sequence(
        lambda n: f"The council opened a public garden in the old quarter {n}."
    )
    translation_state = Article.TranslationState.MACHINE
    translation_engine = "Apertium"


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def interface(message: str, language: str) -> str:
    with translation.override(language):
        return gettext(message)


def feed_url(name: str, language: str, group=None) -> str:
    """The feed's address in `language`, for `group` (a source or a section) if it has one."""
    kwargs = {"slug": group.slug} if group is not None else {}
    with translation.override(language):
        return reverse(f"articles:{name}", kwargs=kwargs)


def url_for(name: str, group: str | None, language: str, article: Article) -> str:
    """The address of the feed that narrows to `article`'s source or section."""
    return feed_url(name, language, getattr(article, group) if group else None)


def same_feeds_as(article: Article) -> dict:
    """Factory arguments that put another article in the same source and section."""
    return {"source": article.source, "section": article.section}


def parse(response):
    return feedparser.parse(response.content)


def titles(response) -> list[str]:
    return [entry.title for entry in parse(response).entries]


def html_elements(html: str) -> list:
    return [part for part in lxml.html.fragments_fromstring(html) if not isinstance(part, str)]


def texts(html: str, tag: str = "p") -> list[str]:
    """The text of every `tag` element of an HTML fragment, white space made single."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [" ".join(element.text_content().split()) for element in root.iter(tag)]


def paragraphs(html: str) -> list[str]:
    return texts(html, "p")


def hrefs(html: str) -> list[str]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [element.get("href") for element in root.iter("a")]


def is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def item_html(response) -> list[str]:
    """Every HTML string of the feed as it was sent: summaries and full bodies, before parsing."""
    root = lxml.etree.fromstring(response.content)
    return [
        element.text or ""
        for element in root.iter(
            "description", f"{{{CONTENT}}}encoded", f"{{{ATOM}}}summary", f"{{{ATOM}}}content"
        )
    ]


def live_markup(html: str) -> list[str]:
    """Script elements, event handler attributes and javascript: links in an HTML fragment."""
    found = []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter(lxml.etree.Element):
        if element.tag == "script":
            found.append("<script>")
        found.extend(f"<{element.tag} {attr}>" for attr in element.attrib if attr.startswith("on"))
        for attr in ("href", "src"):
            if (element.get(attr) or "").strip().lower().startswith("javascript:"):
                found.append(f"<{element.tag} {attr}=javascript:>")
    return found


# Every feed parses, in its language.


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_parses_without_errors(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    assert (response.status_code, parse(response).bozo, len(parse(response).entries)) == (
        200,
        0,
        1,
    )


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_declares_its_language(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    assert parse(response).feed.language == language


@pytest.mark.parametrize(FEED_ARGS, EVERY_RSS_FEED)
def test_rss_feed_language_element_is_its_language(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    root = lxml.etree.fromstring(response.content)
    assert root.findtext("channel/language") == language


@pytest.mark.parametrize(FEED_ARGS, EVERY_ATOM_FEED)
def test_atom_feed_xml_lang_is_its_language(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    assert lxml.etree.fromstring(response.content).get(XML_LANG) == language


@pytest.mark.parametrize(FEED_ARGS, ARABIC_FEEDS)
def test_arabic_feed_item_html_is_right_to_left(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    entry = parse(response).entries[0]
    wrappers = [*html_elements(entry.summary), *html_elements(entry.content[0].value)]
    assert [(element.get("dir"), element.get("lang")) for element in wrappers] == [
        ("rtl", "ar"),
        ("rtl", "ar"),
    ]


@pytest.mark.parametrize(FEED_ARGS, ENGLISH_FEEDS)
def test_english_feed_item_html_is_left_to_right(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    entry = parse(response).entries[0]
    wrappers = [*html_elements(entry.summary), *html_elements(entry.content[0].value)]
    assert [(element.get("dir"), element.get("lang")) for element in wrappers] == [
        ("ltr", "en"),
        ("ltr", "en"),
    ]


# Which articles, in which order.


@pytest.mark.parametrize(FEED_ARGS, ARABIC_FEEDS)
def test_arabic_feed_lists_published_articles_newest_first(client, name, group, language):
    middle = BilingualArticleFactory(published_at=hours_ago(5))
    oldest = ArticleFactory(published_at=hours_ago(30), **same_feeds_as(middle))
    newest = BilingualArticleFactory(published_at=hours_ago(1), **same_feeds_as(middle))

    response = client.get(url_for(name, group, language, middle))

    assert titles(response) == [newest.title_ar, middle.title_ar, oldest.title_ar]


@pytest.mark.parametrize(FEED_ARGS, ENGLISH_FEEDS)
def test_english_feed_lists_only_articles_with_english_title(client, name, group, language):
    middle = BilingualArticleFactory(published_at=hours_ago(5))
    ArticleFactory(published_at=hours_ago(3), **same_feeds_as(middle))
    ArticleFactory(published_at=hours_ago(4), title_en="", **same_feeds_as(middle))
    oldest = BilingualArticleFactory(published_at=hours_ago(30), **same_feeds_as(middle))
    newest = BilingualArticleFactory(published_at=hours_ago(1), **same_feeds_as(middle))

    response = client.get(url_for(name, group, language, middle))

    assert titles(response) == [newest.title_en, middle.title_en, oldest.title_en]


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_lists_articles_of_its_own_source_or_section(client, name, group, language):
    mine = BilingualArticleFactory(published_at=hours_ago(2))
    elsewhere = BilingualArticleFactory(published_at=hours_ago(1))

    response = client.get(url_for(name, group, language, mine))

    everything = [elsewhere, mine] if group is None else [mine]
    field = f"title_{language}"
    assert titles(response) == [getattr(article, field) for article in everything]


def test_feed_lists_at_most_the_fifty_newest_articles(client):
    source = SourceFactory()
    ArticleFactory(source=source, published_at=hours_ago(60))
    newest = ArticleFactory.create_batch(50, source=source)

    response = client.get(feed_url("feed-rss", "ar"))

    assert titles(response) == [article.title_ar for article in reversed(newest)]


HIDDEN = [
    pytest.param({"draft": True}, id="draft"),
    pytest.param({"scheduled": True}, id="scheduled"),
    pytest.param({"archived": True}, id="archived"),
    pytest.param({"published_at": timezone.now() + datetime.timedelta(days=2)}, id="future"),
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_never_lists_unpublished_articles(client, name, group, language, hidden):
    shown = BilingualArticleFactory()
    BilingualArticleFactory(**hidden, **same_feeds_as(shown))

    response = client.get(url_for(name, group, language, shown))

    assert titles(response) == [getattr(shown, f"title_{language}")]


@pytest.mark.parametrize("name", ["source-feed-rss", "source-feed-atom"])
@pytest.mark.parametrize("language", ["ar", "en"])
def test_source_feed_lists_articles_of_inactive_source_too(client, name, language):
    article = BilingualArticleFactory(source=SourceFactory(is_active=False))

    response = client.get(feed_url(name, language, article.source))

    assert titles(response) == [getattr(article, f"title_{language}")]


@pytest.mark.parametrize(
    "name", ["source-feed-rss", "source-feed-atom", "section-feed-rss", "section-feed-atom"]
)
@pytest.mark.parametrize("language", ["ar", "en"])
def test_feed_for_unknown_source_or_section_is_404(client, name, language):
    with translation.override(language):
        url = reverse(f"articles:{name}", kwargs={"slug": "no-such-slug"})

    response = client.get(url)

    assert response.status_code == 404


# What an item carries.


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_item_summary_is_the_lead(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    summary = parse(response).entries[0].summary
    assert paragraphs(summary) == [getattr(article, f"lead_{language}")]


@pytest.mark.parametrize(FEED_ARGS, ARABIC_FEEDS)
def test_arabic_feed_item_content_is_the_full_arabic_body(client, name, group, language):
    article = BilingualArticleFactory()
    first = ArticleBlockFactory(article=article, position=1, text_en="The garden has a pond.")
    second = ArticleBlockFactory(article=article, position=2, kind="heading")

    response = client.get(url_for(name, group, language, article))

    content = parse(response).entries[0].content[0]
    original = f"{interface('Original', 'ar')}: {article.source.name_ar}"
    assert (
        content.type,
        paragraphs(content.value),
        texts(content.value, "h2"),
        hrefs(content.value),
    ) == (
        "text/html",
        [article.lead_ar, first.text_ar, original],
        [second.text_ar],
        [article.original_url],
    )


@pytest.mark.parametrize(FEED_ARGS, ENGLISH_FEEDS)
def test_english_feed_item_content_is_the_english_body_with_link_back(
    client, name, group, language
):
    article = BilingualArticleFactory()
    ArticleBlockFactory(article=article, position=1, text_en="The garden has a pond.")
    ArticleBlockFactory(article=article, position=2)
    ArticleBlockFactory(article=article, position=3, text_en="It opens at eight.")

    response = client.get(url_for(name, group, language, article))

    content = parse(response).entries[0].content[0]
    with translation.override("en"):
        article_url = f"http://testserver{article.get_absolute_url()}?view=en"
    assert (paragraphs(content.value), hrefs(content.value)) == (
        [
            "Machine translation (Apertium) of an Arabic original.",
            article.lead_en,
            "The garden has a pond.",
            "It opens at eight.",
            "Read it on Newsroom, beside the Arabic original.",
        ],
        [article_url],
    )


@pytest.mark.parametrize(FEED_ARGS, ENGLISH_FEEDS)
def test_english_feed_marks_machine_translation(client, name, group, language):
    article = BilingualArticleFactory(translation_state=Article.TranslationState.MACHINE)

    response = client.get(url_for(name, group, language, article))

    entry = parse(response).entries[0]
    assert ([tag.term for tag in entry.tags], paragraphs(entry.content[0].value)[0]) == (
        [article.section.name_en, "Machine translation"],
        "Machine translation (Apertium) of an Arabic original.",
    )


@pytest.mark.parametrize(FEED_ARGS, ENGLISH_FEEDS)
def test_english_feed_does_not_mark_reviewed_translation(client, name, group, language):
    article = BilingualArticleFactory(translation_state=Article.TranslationState.REVIEWED)

    response = client.get(url_for(name, group, language, article))

    entry = parse(response).entries[0]
    assert ([tag.term for tag in entry.tags], paragraphs(entry.content[0].value)[0]) == (
        [article.section.name_en],
        "English reviewed by an editor.",
    )


@pytest.mark.parametrize(FEED_ARGS, ARABIC_FEEDS)
def test_arabic_feed_does_not_mark_machine_translation(client, name, group, language):
    article = BilingualArticleFactory(translation_state=Article.TranslationState.MACHINE)

    response = client.get(url_for(name, group, language, article))

    assert [tag.term for tag in parse(response).entries[0].tags] == [article.section.name_ar]


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_links_are_absolute(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    parsed = parse(response)
    links = [
        parsed.feed.link,
        *(link.href for link in parsed.feed.links),
        *(entry.link for entry in parsed.entries),
        *(href for entry in parsed.entries for href in hrefs(entry.content[0].value)),
        *(href for html in item_html(response) for href in hrefs(html)),
    ]
    assert [link for link in links if not is_absolute(link)] == []


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_item_link_is_the_article_in_the_feed_language(client, name, group, language):
    article = BilingualArticleFactory()
    with translation.override(language):
        expected = {
            "ar": f"http://testserver{article.get_absolute_url()}",
            "en": f"http://testserver{article.get_absolute_url()}?view=en",
        }[language]

    response = client.get(url_for(name, group, language, article))

    assert parse(response).entries[0].link == expected


# Identity.


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_item_id_survives_title_and_slug_change(client, name, group, language):
    article = BilingualArticleFactory()
    url = url_for(name, group, language, article)
    before = parse(client.get(url)).entries[0]
    article.title_ar = "عنوان جديد بعد التحرير"
    article.title_en = "A new title after editing"
    article.slug = "new-slug-after-editing"
    article.save()

    after = parse(client.get(url)).entries[0]

    assert (after.id, after.title != before.title, after.link != before.link) == (
        before.id,
        True,
        True,
    )


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_item_ids_are_unique(client, name, group, language):
    first = BilingualArticleFactory()
    BilingualArticleFactory.create_batch(2, **same_feeds_as(first))

    response = client.get(url_for(name, group, language, first))

    ids = [entry.id for entry in parse(response).entries]
    assert (len(ids), len(set(ids))) == (3, 3)


@pytest.mark.parametrize(FEED_ARGS, EVERY_RSS_FEED)
def test_rss_item_guid_is_not_a_permalink(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    guids = lxml.etree.fromstring(response.content).findall("channel/item/guid")
    assert [guid.get("isPermaLink") for guid in guids] == ["false"]


# Atom validity.


@pytest.mark.parametrize(FEED_ARGS, EVERY_ATOM_FEED)
def test_atom_entry_has_updated_author_and_absolute_link(client, name, group, language):
    with_byline = BilingualArticleFactory(byline="ليلى حداد", published_at=hours_ago(1))
    BilingualArticleFactory(byline="", published_at=hours_ago(2), **same_feeds_as(with_byline))

    response = client.get(url_for(name, group, language, with_byline))

    entries = lxml.etree.fromstring(response.content).findall(f"{{{ATOM}}}entry")
    assert [
        (
            datetime.datetime.fromisoformat(entry.findtext(f"{{{ATOM}}}updated")).utcoffset(),
            entry.findtext(f"{{{ATOM}}}author/{{{ATOM}}}name"),
            is_absolute(entry.find(f"{{{ATOM}}}link").get("href")),
        )
        for entry in entries
    ] == [
        (datetime.timedelta(0), "ليلى حداد", True),
        (datetime.timedelta(0), with_byline.source.name_ar, True),
    ]


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_self_link_is_the_requested_url(client, name, group, language):
    article = BilingualArticleFactory()
    url = url_for(name, group, language, article)

    response = client.get(url)

    self_links = [link.href for link in parse(response).feed.links if link.rel == "self"]
    assert self_links == [f"http://testserver{url}"]


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_behind_https_proxy_links_with_https(client, settings, name, group, language):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    article = BilingualArticleFactory()
    url = url_for(name, group, language, article)

    # A proxy passes the Host it was asked for; without it Django would add the port, 80.
    response = client.get(url, headers={"X-Forwarded-Proto": "https", "Host": "testserver"})

    parsed = parse(response)
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert (self_links, [urlsplit(entry.link).scheme for entry in parsed.entries]) == (
        [f"https://testserver{url}"],
        ["https"],
    )


# Conditional GET.


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_sends_etag_and_last_modified(client, name, group, language):
    article = BilingualArticleFactory()

    response = client.get(url_for(name, group, language, article))

    assert (response.has_header("ETag"), response["Last-Modified"]) == (
        True,
        http_date(article.updated_at.timestamp()),
    )


# A 304 costs the aggregate query, the names of sources and sections, and the
# group's lookup for a source or section feed.
NOT_MODIFIED_QUERIES = [
    pytest.param(name, group, language, 2 if group is None else 3, id=f"{language}-{name}")
    for language in ("ar", "en")
    for name, group in RSS_FEEDS + ATOM_FEEDS
]


@pytest.mark.parametrize((*FEED_ARGS, "queries"), NOT_MODIFIED_QUERIES)
def test_feed_with_matching_if_none_match_is_304(
    client, django_assert_num_queries, name, group, language, queries
):
    article = BilingualArticleFactory()
    url = url_for(name, group, language, article)
    first = client.get(url)

    with django_assert_num_queries(queries):
        response = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert (response.status_code, response.content) == (304, b"")


@pytest.mark.parametrize((*FEED_ARGS, "queries"), NOT_MODIFIED_QUERIES)
def test_feed_with_if_modified_since_last_modified_is_304(
    client, django_assert_num_queries, name, group, language, queries
):
    article = BilingualArticleFactory()
    url = url_for(name, group, language, article)
    first = client.get(url)

    with django_assert_num_queries(queries):
        response = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert (response.status_code, response.content) == (304, b"")


@pytest.mark.parametrize(
    ("name", "group"), [("feed-rss", None), ("source-feed-rss", "source")], ids=["site", "source"]
)
def test_feed_304_costs_at_most_the_budgeted_queries(
    client, django_assert_max_num_queries, name, group
):
    article = BilingualArticleFactory()
    url = url_for(name, group, "ar", article)
    first = client.get(url)

    with django_assert_max_num_queries(2 if group is None else 3):
        response = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert response.status_code == 304


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_etag_and_body_do_not_change_while_content_does_not(client, name, group, language):
    article = BilingualArticleFactory()
    url = url_for(name, group, language, article)
    first = client.get(url)

    second = client.get(url)

    assert (second["ETag"], second.content) == (first["ETag"], first.content)


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_empty_feed_etag_and_body_do_not_change(client, name, group, language):
    url = feed_url(name, language, GROUP_FACTORIES[group]() if group else None)
    first = client.get(url)

    second = client.get(url)

    assert (len(parse(second).entries), second["ETag"], second.content) == (
        0,
        first["ETag"],
        first.content,
    )


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_after_publishing_answers_old_etag_with_new_feed(client, name, group, language):
    article = BilingualArticleFactory()
    draft = BilingualArticleFactory(draft=True, **same_feeds_as(article))
    url = url_for(name, group, language, article)
    first = client.get(url)
    services.publish_articles(articles=[draft])

    response = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert (response.status_code, response["ETag"] != first["ETag"], len(titles(response))) == (
        200,
        True,
        2,
    )


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_after_editing_answers_old_etag_with_new_feed(client, name, group, language):
    article = BilingualArticleFactory()
    url = url_for(name, group, language, article)
    first = client.get(url)
    article.title_ar = "عنوان صححه المحرر"
    article.title_en = "A title the editor corrected"
    article.save()

    response = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert (response.status_code, response["ETag"] != first["ETag"], titles(response)) == (
        200,
        True,
        [getattr(article, f"title_{language}")],
    )


def renamed(group, language: str) -> str:
    """Give a source or section new names in both languages; its name in `language`."""
    group.name_ar = "اسم جديد بعد التعديل"
    group.name_en = "A name given after the edit"
    group.save()
    return getattr(group, f"name_{language}")


# Items print section names as categories and source names as authors, so a
# rename is a change of every feed, not only of the renamed group's own feed.
@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_after_renaming_section_answers_old_etag_with_new_feed(client, name, group, language):
    article = BilingualArticleFactory()
    url = url_for(name, group, language, article)
    first = client.get(url)
    new_name = renamed(article.section, language)

    response = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert (
        response.status_code,
        response["ETag"] != first["ETag"],
        [tag.term for tag in parse(response).entries[0].tags][:1],
    ) == (200, True, [new_name])


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_after_renaming_source_answers_old_etag_with_new_feed(client, name, group, language):
    article = BilingualArticleFactory(byline="")
    url = url_for(name, group, language, article)
    first = client.get(url)
    new_name = renamed(article.source, language)

    response = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert (
        response.status_code,
        response["ETag"] != first["ETag"],
        parse(response).entries[0].author,
    ) == (
        200,
        True,
        new_name,
    )


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_after_renaming_section_answers_if_modified_since_with_new_feed(
    client, name, group, language
):
    article = BilingualArticleFactory()
    Article.objects.update(updated_at=hours_ago(5))
    Section.objects.update(updated_at=hours_ago(5))
    Source.objects.update(updated_at=hours_ago(5))
    url = url_for(name, group, language, article)
    first = client.get(url)
    new_name = renamed(article.section, language)

    response = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert (response.status_code, [tag.term for tag in parse(response).entries[0].tags][:1]) == (
        200,
        [new_name],
    )


@pytest.mark.parametrize(FEED_ARGS, feed_params([("feed-rss", None), ("feed-atom", None)]))
def test_feed_after_polling_a_source_answers_old_etag_with_304(client, name, group, language):
    article = BilingualArticleFactory()
    url = url_for(name, group, language, article)
    first = client.get(url)
    source = article.source
    source.last_checked_at = timezone.now()
    source.etag = '"polled"'
    source.save()

    response = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert response.status_code == 304


# A reader that sends only If-Modified-Since must not be told "not modified" after a change.
SITE_FEEDS = feed_params([("feed-rss", None), ("feed-atom", None)])


@pytest.mark.parametrize(FEED_ARGS, SITE_FEEDS)
def test_feed_after_publishing_older_draft_answers_if_modified_since_with_new_feed(
    client, name, group, language
):
    article = BilingualArticleFactory(published_at=hours_ago(2))
    draft = BilingualArticleFactory(draft=True, published_at=hours_ago(5))
    Article.objects.update(updated_at=hours_ago(5))
    url = url_for(name, group, language, article)
    first = client.get(url)
    services.publish_articles(articles=[draft])

    response = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert (response.status_code, len(titles(response))) == (200, 2)


@pytest.mark.parametrize(FEED_ARGS, SITE_FEEDS)
def test_feed_after_unpublishing_answers_if_modified_since_with_new_feed(
    client, name, group, language
):
    article = BilingualArticleFactory(published_at=hours_ago(2))
    older = BilingualArticleFactory(published_at=hours_ago(5))
    Article.objects.update(updated_at=hours_ago(5))
    url = url_for(name, group, language, article)
    first = client.get(url)
    services.unpublish_articles(articles=[older])

    response = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert (response.status_code, len(titles(response))) == (200, 1)


# Hostile text.


HOSTILE_TEXT = {
    "title_ar": "<script>alert(1)</script> عنوان خبيث",
    "title_en": "<script>alert(1)</script> hostile title",
    "lead_ar": '<img src=x onerror=alert(1)> مقدمة "خبيثة"',
    "lead_en": "<img src=x onerror=alert(1)> hostile lead",
    "byline": "<svg onload=alert(1)>",
    "original_url": "javascript:alert(1)",
}
HOSTILE_BLOCKS = [
    {
        "text_ar": '<a href="javascript:alert(1)">انقر هنا</a>',
        "text_en": '<a href="javascript:alert(1)">click here</a>',
    },
    {
        "kind": "quote",
        "text_ar": "</p><script>alert(2)</script><p>",
        "text_en": '<body onload="alert(3)">',
        "attribution_ar": "<iframe src=javascript:alert(4)>",
        "attribution_en": "<b onmouseover=alert(5)>x</b>",
    },
    {"kind": "heading", "text_ar": "javascript:alert(6)", "text_en": "javascript:alert(6)"},
]


@pytest.mark.parametrize(FEED_ARGS, EVERY_FEED)
def test_feed_never_carries_live_markup_from_article_text(client, name, group, language):
    article = BilingualArticleFactory(
        section=SectionFactory(name_ar="<script>alert(7)</script>", name_en="<i onclick=x>"),
        **HOSTILE_TEXT,
    )
    for position, block in enumerate(HOSTILE_BLOCKS, start=1):
        ArticleBlockFactory(article=article, position=position, **block)

    response = client.get(url_for(name, group, language, article))

    html = item_html(response)
    assert (
        parse(response).bozo,
        len(html) >= 2,
        [found for fragment in html for found in live_markup(fragment)],
    ) == (0, True, [])


def test_feed_shows_hostile_title_as_text(client):
    article = BilingualArticleFactory(**HOSTILE_TEXT)

    response = client.get(feed_url("feed-rss", "ar"))

    assert lxml.etree.fromstring(response.content).findtext("channel/item/title") == (
        article.title_ar
    )


# The feeds page.


def feeds_page_links(response) -> list[str]:
    return [link.attrs["href"] for link in page(response).find("table").find_all("a")]


def both_languages(name: str, group=None) -> list[str]:
    """A feed's RSS and Atom addresses, Arabic then English, as the feeds page lists them."""
    return [
        feed_url(f"{name}{kind}", language, group)
        for language in ("ar", "en")
        for kind in ("rss", "atom")
    ]


@pytest.mark.parametrize("url", ["/feeds/", "/en/feeds/"])
def test_feeds_page_lists_every_feed_in_both_languages(client, url):
    second_section = SectionFactory(position=2)
    first_section = SectionFactory(position=1)
    source_b = SourceFactory(slug="source-b")
    source_a = SourceFactory(slug="source-a")
    SourceFactory(slug="source-c-retired", is_active=False)

    response = client.get(url)

    assert (response.status_code, feeds_page_links(response)) == (
        200,
        [
            *both_languages("feed-"),
            *both_languages("section-feed-", first_section),
            *both_languages("section-feed-", second_section),
            *both_languages("source-feed-", source_a),
            *both_languages("source-feed-", source_b),
        ],
    )

"""A page cache for readers that stays correct: pages are tagged with what they show.

Each cacheable page gets tags from its URL (`article:12`, `source:<slug>`,
`section:<slug>`, `articles` for lists and feeds, `ticker` for what every
HTML page's header shows, and `sections` for the section names every page
and feed shows). Each tag has a version in the cache, and a cached page is
stored with the versions its tags had before it was rendered; a hit is
served only while they are all still current. A change
gives new versions to exactly the tags it touches (`bump`), so exactly the
pages showing it are rendered anew on their next request; nothing else is.

What a page shows beyond its URL is folded into its URL's tags when something
changes, not when the page is read: an article page also shows its source's
name and its related stories, so renaming a source bumps the pages of that
source's articles, and editing an article bumps the pages of the articles
related to it. A hit therefore needs one cache round trip (the page and its
tags' versions in one `get_many`) and no database query at all.

Only anonymous GET/HEAD requests are served from the cache, and only 200
responses without cookies are stored. A request with a session cookie is an
editor's, who may see drafts: its responses say that no cache may keep them.
"""

import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import parse_http_date_safe

from . import reading
from .models import Article, TickerHeadline

TICKER = "ticker"
SECTIONS = "sections"
LISTS = "articles"


def _page(*tags: str) -> list[str]:
    # Every HTML page's header shows the ticker and the sections' names.
    return [*tags, TICKER, SECTIONS]


def _feed(*tags: str) -> list[str]:
    # Feed items name their section; feeds have no ticker.
    return [*tags, SECTIONS]


CACHED_VIEWS = {
    "articles:home": lambda kwargs: _page(LISTS),
    "articles:detail": lambda kwargs: _page(article_tag(kwargs["pk"])),
    "articles:source": lambda kwargs: _page(source_tag(kwargs["slug"])),
    "articles:section": lambda kwargs: _page(section_tag(kwargs["slug"])),
    "articles:feeds": lambda kwargs: _page(LISTS),
    # A correction's save changes its article, which bumps the lists.
    "articles:corrections": lambda kwargs: _page(LISTS),
    "articles:feed-rss": lambda kwargs: _feed(LISTS),
    "articles:feed-atom": lambda kwargs: _feed(LISTS),
    "articles:source-feed-rss": lambda kwargs: _feed(source_tag(kwargs["slug"])),
    "articles:source-feed-atom": lambda kwargs: _feed(source_tag(kwargs["slug"])),
    "articles:section-feed-rss": lambda kwargs: _feed(section_tag(kwargs["slug"])),
    "articles:section-feed-atom": lambda kwargs: _feed(section_tag(kwargs["slug"])),
    # Sitemaps list every published article, section and source, by URL only
    # (a section's or source's save bumps the lists).
    "sitemap": lambda kwargs: [LISTS],
    "sitemap-section": lambda kwargs: [LISTS],
}
# Pages whose content follows the reader's reading-mode cookie.
COOKIE_DEPENDENT = {"articles:detail"}
# What an article's entry in another article's related stories shows: when a
# save touches none of these, the related pages stay cached.
SHOWN_IN_RELATED = frozenset(
    {"title", "title_ar", "slug", "status", "published_at", "source", "source_id"}
)


def article_tag(pk) -> str:
    return f"article:{pk}"


def source_tag(slug: str) -> str:
    return f"source:{slug}"


def section_tag(slug: str) -> str:
    return f"section:{slug}"


def _version_key(tag: str) -> str:
    return f"page-tag:{tag}"


def _new_versions(tags: Iterable[str]) -> dict[str, str]:
    # Random versions rather than counters: a version key evicted from the
    # cache and set again can never bring back the version of a stale page.
    return {_version_key(tag): secrets.token_hex(8) for tag in tags}


def _set_new_versions(tags: frozenset[str]) -> None:
    cache.set_many(_new_versions(tags), timeout=None)


def bump(*tags: str) -> None:
    """Invalidate every cached page showing any of `tags`, in one cache round trip.

    Inside a transaction the versions change again once it commits: a reader
    rendering between the first change and the commit saw the old rows, and
    must not keep that page under the new versions.
    """
    tags = frozenset(tag for tag in tags if tag)
    if not tags:
        return
    _set_new_versions(tags)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _set_new_versions(tags))


def related_ids(article_ids: Iterable[int]) -> list[int]:
    """The articles whose pages list any of `article_ids` among their related stories."""
    ids = list(article_ids)
    if not ids:
        return []
    through = Article.related.through.objects.filter(from_article_id__in=ids)
    return list(through.values_list("to_article_id", flat=True).distinct())


def articles_changed(articles: Iterable, *, with_related: bool = True) -> None:
    """What to invalidate when articles (or their blocks, state, English) changed.

    Their own pages, the lists, their sources' and sections' pages and feeds,
    and (two queries) the pages showing them among related stories and, when
    the ticker links to one of them, every page.
    """
    articles = list(articles)
    tags = {LISTS}
    for article in articles:
        tags.add(article_tag(article.pk))
        source = getattr(article, "source", None)
        section = getattr(article, "section", None)
        if source is not None:
            tags.add(source_tag(source.slug))
        if section is not None:
            tags.add(section_tag(section.slug))
    if with_related:
        ids = [article.pk for article in articles]
        tags.update(article_tag(pk) for pk in related_ids(ids))
        if TickerHeadline.objects.filter(article_id__in=ids).exists():
            # A ticker headline links to its article only while it is published.
            tags.add(TICKER)
    bump(*tags)


def article_changed(article, *, with_related: bool = True) -> None:
    articles_changed([article], with_related=with_related)


def source_shown_on(source) -> list[str]:
    """The tags of every page showing `source`'s name beyond its own and the lists.

    Its articles' pages, those listing them among related stories, and the
    pages and feeds of the sections its articles are in (their cards name it).
    """
    own = Article.objects.filter(source=source)
    pks = list(own.values_list("pk", flat=True))
    sections = own.exclude(section=None).values_list("section__slug", flat=True).distinct()
    return [
        *(article_tag(pk) for pk in {*pks, *related_ids(pks)}),
        *(section_tag(slug) for slug in sections),
    ]


def _page_tags(request) -> tuple[str, list[str]] | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    tags_of = CACHED_VIEWS.get(match.view_name)
    if tags_of is None:
        return None
    return match.view_name, tags_of(match.kwargs)


def _key(request, view_name: str) -> str:
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.LANGUAGE_CODE,
        reading.reading_mode(request) if view_name in COOKIE_DEPENDENT else "",
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _cacheable_request(request) -> bool:
    return settings.NEWSROOM_PAGE_CACHE_SECONDS > 0 and request.method in ("GET", "HEAD")


class PageCacheMiddleware:
    """Serve and store reader pages; sits below locale (the key has the language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # An editor's pages may show drafts: no cache anywhere keeps them.
            response = self.get_response(request)
            add_never_cache_headers(response)
            return response
        if not _cacheable_request(request):
            return self.get_response(request)
        page = _page_tags(request)
        if page is None:
            return self.get_response(request)
        view_name, tags = page
        key = _key(request, view_name)
        version_keys = [_version_key(tag) for tag in tags]
        found = cache.get_many([key, *version_keys])
        versions = tuple(found.get(version_key) for version_key in version_keys)
        cached = found.get(key)
        if cached is not None and cached[0] == versions:
            response = cached[1]
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=_parse_date(response.get("Last-Modified")),
                response=response,
            )
        if None in versions:
            # A tag never bumped (or evicted) gets a version now, before the
            # page is rendered, so that a later bump always differs from it.
            missing = [tag for tag, version in zip(tags, versions, strict=True) if version is None]
            fresh = _new_versions(missing)
            cache.set_many(fresh, timeout=None)
            versions = tuple(
                found.get(version_key) or fresh[version_key] for version_key in version_keys
            )
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            self._headers(response, view_name)
            timeout = settings.NEWSROOM_PAGE_CACHE_SECONDS
            if getattr(response, "is_rendered", True):
                cache.set(key, (versions, response), timeout)
            else:
                response.add_post_render_callback(
                    lambda page: cache.set(key, (versions, page), timeout)
                )
        return response

    @staticmethod
    def _headers(response, view_name: str) -> None:
        patch_cache_control(response, public=True, max_age=settings.NEWSROOM_PAGE_CACHE_SECONDS)
        if view_name in COOKIE_DEPENDENT:
            # The reading mode may come from a cookie: a shared cache must not
            # give one reader's mode to another.
            patch_vary_headers(response, ["Cookie"])


def _parse_date(value):
    return parse_http_date_safe(value) if value else None

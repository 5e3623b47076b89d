"""A page cache for readers that stays correct: pages are tagged with what they show.

Each cacheable page gets tags from what it displays (`article:12`,
`source:<slug>`, `section:<slug>`, `articles` for lists and feeds, and
`ticker` and `sections` for what every page's header shows). The cache key of
a page includes the current version of each of its tags, so a change bumps
the versions of exactly the tags it touches, and exactly the pages showing it
are rendered anew on their next request; nothing else is.

Only anonymous GET/HEAD requests are served from the cache (a session cookie
means an editor, who may see drafts), only 200 responses without cookies are
stored, and a hit costs no database query at all.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe

from . import reading

EVERY_PAGE = ("ticker", "sections")
LISTS = "articles"
CACHED_VIEWS = {
    "articles:home": lambda kwargs: [LISTS],
    "articles:detail": lambda kwargs: [f"article:{kwargs['pk']}"],
    "articles:source": lambda kwargs: [f"source:{kwargs['slug']}"],
    "articles:section": lambda kwargs: [f"section:{kwargs['slug']}"],
    "articles:feeds": lambda kwargs: [LISTS],
    "articles:feed-rss": lambda kwargs: [LISTS],
    "articles:feed-atom": lambda kwargs: [LISTS],
    "articles:source-feed-rss": lambda kwargs: [f"source:{kwargs['slug']}"],
    "articles:source-feed-atom": lambda kwargs: [f"source:{kwargs['slug']}"],
    "articles:section-feed-rss": lambda kwargs: [f"section:{kwargs['slug']}"],
    "articles:section-feed-atom": lambda kwargs: [f"section:{kwargs['slug']}"],
}
# Pages whose content follows the reader's reading-mode cookie.
COOKIE_DEPENDENT = {"articles:detail"}


def _version_key(tag: str) -> str:
    return f"page-tag:{tag}"


def bump(*tags: str) -> None:
    """Invalidate every cached page showing any of `tags`."""
    for tag in {tag for tag in tags if tag}:
        key = _version_key(tag)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 2, timeout=None)


def article_changed(article) -> None:
    """What to invalidate when an article (or its blocks, state, English) changed."""
    source = getattr(article, "source", None)
    section = getattr(article, "section", None)
    bump(
        f"article:{article.pk}",
        LISTS,
        f"source:{source.slug}" if source else "",
        f"section:{section.slug}" if section else "",
    )


def _page_tags(request) -> tuple[str, list[str]] | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    tags_of = CACHED_VIEWS.get(match.view_name)
    if tags_of is None:
        return None
    return match.view_name, [*tags_of(match.kwargs), *EVERY_PAGE]


def _key(request, view_name: str, tags: list[str]) -> str:
    versions = cache.get_many([_version_key(tag) for tag in tags])
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.LANGUAGE_CODE,
        reading.reading_mode(request) if view_name in COOKIE_DEPENDENT else "",
        *(f"{tag}={versions.get(_version_key(tag), 1)}" for tag in tags),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _cacheable_request(request) -> bool:
    return (
        settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class PageCacheMiddleware:
    """Serve and store reader pages; sits below locale (the key has the language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        page = _page_tags(request)
        if page is None:
            return self.get_response(request)
        view_name, tags = page
        key = _key(request, view_name, tags)
        cached = cache.get(key)
        if cached is not None:
            conditional = get_conditional_response(
                request,
                etag=cached.get("ETag"),
                last_modified=_parse_date(cached.get("Last-Modified")),
                response=cached,
            )
            return conditional
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            self._headers(response, view_name)
            timeout = settings.NEWSROOM_PAGE_CACHE_SECONDS
            if getattr(response, "is_rendered", True):
                cache.set(key, response, timeout)
            else:
                response.add_post_render_callback(lambda page: cache.set(key, page, timeout))
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

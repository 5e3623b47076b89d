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
related to it. A hit therefore needs no database query at all, and at most
two cache round trips (the tags' versions, then the page). With Redis it
usually needs none: each process keeps the pages it served last
(`local_pages`) and the versions it read, and Redis tells it whenever one of
those versions changes (`_read_versions`), so a hit costs about what a
static file does.

Only anonymous GET/HEAD requests are served from the cache, and only 200
responses without cookies are stored. A request with a session cookie is an
editor's, who may see drafts: its responses say that no cache may keep them.
"""

import functools
import hashlib
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language_from_path

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


def _language(request) -> str:
    """The interface language, from the address alone, as LocaleMiddleware will find it.

    Arabic pages have no prefix (prefix_default_language=False), so a path
    without a language prefix is Arabic whatever the browser asks for.
    """
    return get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def _key(request, view_name: str, language: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    parts = [
        request.scheme,
        request.get_host(),
        # The path as decoded and the query as sent: get_full_path() would
        # quote the (Arabic) path again on every hit for nothing.
        request.path,
        query,
        language,
        _reading_mode(request, query, language) if view_name in COOKIE_DEPENDENT else "",
    ]
    # "v2": pages stored as plain values (older releases pickled responses).
    return "page:v2:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _reading_mode(request, query: str, language: str) -> str:
    """reading.reading_mode() without building request.GET: a hit's key needs only ?view=.

    The raw query is part of the key too, so where this reads the query
    differently from QueryDict (a percent-encoded "view"), it only makes
    more keys, never one key for two pages.
    """
    mode = None
    if "view" in query:
        for part in query.split("&"):
            name, _, value = part.partition("=")
            if name == "view":
                mode = value  # the last one, as QueryDict.get() takes
    if mode not in reading.READING_MODES:
        mode = request.COOKIES.get(reading.READING_MODE_COOKIE)
    if mode in reading.READING_MODES:
        return mode
    return "en" if language == "en" else reading.DEFAULT_READING_MODE


def _backend_reader():
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return backend, None
    reader = backend.__dict__.get("_newsroom_reader")
    if reader is None:
        reader = backend.__dict__["_newsroom_reader"] = _RedisReader(backend)
    return backend, reader


def _read(keys: list[str]) -> list:
    """The cached values of `keys`, None where missing, in one round trip.

    With Django's Redis backend the values are read with one MGET on a
    connection of this thread's own: `cache.get_many()` builds a new redis-py
    client per call and checks every key character by character, and the
    client's pool and retry layers cost as much again. The keys and values
    are the backend's own (make_key, its serializer), so what `cache.set()`
    stored is read here and `cache.clear()` empties it.
    """
    backend, reader = _backend_reader()
    if reader is None:
        found = backend.get_many(keys)
        return [found.get(key) for key in keys]
    return reader.mget([backend.make_key(key) for key in keys])


def _read_versions(keys: list[str]) -> list:
    """The tags' current versions: like _read(), but with Redis usually without a round trip.

    Even one round trip per hit keeps a sync worker waiting longer than it
    takes to serve the page. So the versions this thread read last are kept,
    and Redis tells it (client-side caching: CLIENT TRACKING, its
    invalidation messages read before every use) whenever one of them
    changes, is deleted, evicted or flushed, whoever changed it: a bump made
    through any process or machine is seen here on the next request.
    """
    backend, reader = _backend_reader()
    if reader is None:
        found = backend.get_many(keys)
        return [found.get(key) for key in keys]
    return reader.versions([backend.make_key(key) for key in keys])


class _RedisReader:
    """Reads on a redis-py connection of this thread's own, made from the backend's pool.

    RedisCache._cache and its pool and serializer are private Django API:
    they are what the backend itself would use (URL, password, database, TLS).
    The connection speaks RESP3 with tracking on, so that Redis pushes an
    invalidation for every key it read once that key changes. Anything
    unexpected (a dropped connection, an error) forgets every kept version
    and starts again on a new connection; a kept version is also read again
    after TRUST_SECONDS, in case a connection dies without a word.
    """

    TRUST_SECONDS = 1.0

    def __init__(self, backend):
        self.client = backend._cache
        self.local = threading.local()
        # Set for good when the server cannot track (Redis before 6: no RESP3).
        self.untracked = False

    def _plain_mget(self, keys: list[str]) -> list:
        values = self.client.get_client(write=False).mget(keys)
        loads = self.client._serializer.loads
        return [None if value is None else loads(value) for value in values]

    def mget(self, keys: list[str]) -> list:
        import redis

        if self.untracked:
            return self._plain_mget(keys)
        try:
            state = self._state()
            state.connection.send_packed_command(
                state.connection.pack_command("MGET", *keys), check_health=False
            )
            values = state.connection.read_response()
            self._check(state)
        except _Untracked:
            return self._plain_mget(keys)
        except (redis.RedisError, OSError):
            self._reset()
            raise
        loads = self.client._serializer.loads
        return [None if value is None else loads(value) for value in values]

    def versions(self, keys: list[str]) -> list:
        import redis

        if self.untracked:
            return self._plain_mget(keys)
        try:
            state = self._state()
            self._invalidations(state)
            now = time.monotonic()
            known = state.known
            missing = [key for key in keys if key not in known or known[key][1] < now]
            if missing:
                values = self.mget(missing)
                state = self._state()
                until = now + self.TRUST_SECONDS
                for key, value in zip(missing, values, strict=True):
                    if value is not None:
                        known[key] = (value, until)
                # An invalidation for a key read just now may already be here:
                # applied after the values were kept, it can only drop them.
                self._invalidations(state)
                found = dict(zip(missing, values, strict=True))
                return [known[key][0] if key in known else found[key] for key in keys]
            return [known[key][0] for key in keys]
        except _Untracked:
            return self._plain_mget(keys)
        except (redis.RedisError, OSError):
            self._reset()
            raise

    def _state(self):
        import redis

        state = getattr(self.local, "state", None)
        if state is not None and state.pid == os.getpid():
            self._check(state)
            return state
        # A connection made before a fork would be shared with the parent.
        pool = self.client._get_connection_pool(write=False)
        connection = pool.connection_class(**{**pool.connection_kwargs, "protocol": 3})
        try:
            connection.connect()
            connection.send_command("CLIENT", "TRACKING", "ON")
            tracking = connection.read_response() in (b"OK", "OK")
        except redis.ResponseError:
            tracking = False
        if not tracking:
            connection.disconnect()
            self.untracked = True
            raise _Untracked
        state = _ReaderState(connection, os.getpid(), connection._sock)
        connection._parser.set_invalidation_push_handler(state.invalidated)
        self.local.state = state
        return state

    @staticmethod
    def _check(state) -> None:
        # redis-py reconnects by itself after an error, without tracking:
        # then nothing would tell this thread about changes any more.
        if state.connection._sock is not state.socket:
            raise OSError("the tracked Redis connection was replaced")

    @staticmethod
    def _invalidations(state) -> None:
        import redis

        while state.connection.can_read():
            try:
                state.connection.read_response(
                    push_request=True, timeout=0, disconnect_on_error=False
                )
            except redis.TimeoutError:
                break

    def _reset(self) -> None:
        state = getattr(self.local, "state", None)
        self.local.state = None
        if state is not None:
            state.known.clear()
            state.connection.disconnect()


class _Untracked(Exception):
    """This Redis cannot track keys: read every time instead."""


class _ReaderState:
    def __init__(self, connection, pid: int, socket):
        self.connection = connection
        self.pid = pid
        self.socket = socket
        self.known: dict[str, tuple] = {}

    def invalidated(self, message) -> None:
        # ["invalidate", [keys]], or ["invalidate", None] when the database was flushed.
        keys = message[1]
        if keys is None:
            self.known.clear()
            return
        for key in keys:
            self.known.pop(key.decode() if isinstance(key, bytes) else key, None)


def _cacheable_request(request) -> bool:
    return settings.NEWSROOM_PAGE_CACHE_SECONDS > 0 and request.method in ("GET", "HEAD")


@functools.lru_cache(maxsize=4096)
def _match(urlconf: str, language: str, path: str):
    """The URL's match, or None: resolving costs a hit a tenth of its time, and never changes.

    `language` is part of the key because the patterns under i18n_patterns
    match the active language's prefix; `urlconf` because tests change it.
    """
    try:
        return resolve(path)
    except Resolver404:
        return None


class _LocalPages:
    """The pages this process served last, so that a hit reads only its tags' versions.

    A page is served from here exactly when it would be from the shared cache:
    while the versions its tags have now (read from the shared cache on every
    request) are those it was stored with, and before it expires. So a change
    made through any process shows at once here too; what this saves is
    moving the page itself (up to 355 KB for a feed) out of the shared cache
    and unpickling it on every hit. Bounded in bytes, least recently used
    out first.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.pages: OrderedDict[str, tuple] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            page = self.pages.get(key)
            if page is None:
                return None
            if page[4] < time.time():
                self._drop(key)
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: tuple) -> None:
        size = len(page[3])
        if size > self.max_bytes // 4:
            return
        with self.lock:
            self._drop(key)
            self.pages[key] = page
            self.size += size
            while self.size > self.max_bytes:
                _, oldest = self.pages.popitem(last=False)
                self.size -= len(oldest[3])

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0

    def _drop(self, key: str) -> None:
        page = self.pages.pop(key, None)
        if page is not None:
            self.size -= len(page[3])


LOCAL_PAGE_BYTES = 32 * 1024 * 1024
local_pages = _LocalPages(LOCAL_PAGE_BYTES)


class PageCacheMiddleware:
    """Serve and store anonymous readers' pages, right below the security and static layers.

    A hit is decided from the raw request (no session is loaded: only whether
    its cookie is there; the language from the address; the reading mode from
    ?view= or its cookie) with one cache round trip, and answered without
    going through the layers below. A miss goes through them all, so the page
    stored has every header they add (CSP, X-Frame-Options,
    Content-Language, Vary); SecurityMiddleware above adds its own to hits
    and misses alike. The URL's match is left on the request for the view
    counter above, which counts hits and misses alike.
    """

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
        language = _language(request)
        # The URL patterns under i18n_patterns match the active language's prefix.
        translation.activate(language)
        match = _match(settings.ROOT_URLCONF, language, request.path_info)
        tags_of = CACHED_VIEWS.get(match.view_name) if match is not None else None
        if tags_of is None:
            return self.get_response(request)
        request.resolver_match = match
        view_name = match.view_name
        tags = tags_of(match.kwargs)
        key = _key(request, view_name, language)
        version_keys = [_version_key(tag) for tag in tags]
        versions = tuple(_read_versions(version_keys))
        page = local_pages.get(key)
        if page is None or page[0] != versions:
            # Not here, or changed since: another process may have stored it already.
            page = _read([key])[0]
        if page is not None and page[0] == versions and page[4] >= time.time():
            local_pages.put(key, page)
            return _cached_response(request, page)
        if None in versions:
            # A tag never bumped (or evicted) gets a version now, before the
            # page is rendered, so that a later bump always differs from it.
            missing = [tag for tag, version in zip(tags, versions, strict=True) if version is None]
            fresh = _new_versions(missing)
            cache.set_many(fresh, timeout=None)
            versions = tuple(
                version or fresh[version_key]
                for version_key, version in zip(version_keys, versions, strict=True)
            )
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            self._headers(response, view_name)
            if getattr(response, "is_rendered", True):
                _store(key, versions, response)
            else:
                response.add_post_render_callback(lambda page: _store(key, versions, page))
        return response

    @staticmethod
    def _headers(response, view_name: str) -> None:
        patch_cache_control(response, public=True, max_age=settings.NEWSROOM_PAGE_CACHE_SECONDS)
        if view_name in COOKIE_DEPENDENT:
            # The reading mode may come from a cookie: a shared cache must not
            # give one reader's mode to another.
            patch_vary_headers(response, ["Cookie"])


def _store(key: str, versions: tuple, response) -> None:
    """Keep a page as bytes and headers, not as a pickled response object.

    Unpickling an HttpResponse (and a 355 KB feed body inside it) on every
    hit costs more than building a new one from plain values. The expiry is
    stored with it, so that this process's copy expires with the shared one.
    """
    timeout = settings.NEWSROOM_PAGE_CACHE_SECONDS
    page = (
        versions,
        response.status_code,
        dict(response.headers),
        response.content,
        time.time() + timeout,
    )
    cache.set(key, page, timeout)
    local_pages.put(key, page)


def _cached_response(request, page: tuple) -> HttpResponse:
    _, status, headers, content, _ = page
    response = HttpResponse(content, status=status, headers=headers)
    last_modified = headers.get("Last-Modified")
    return get_conditional_response(
        request,
        etag=headers.get("ETag"),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=response,
    )

"""Addresses of articles, sources and sections, as reverse() gives them, made faster.

A home page links to about fifty articles and each card to its source and
section: a hundred and fifty reverse() calls, a tenth of the page's time.
The address of a named page differs between two objects only by their id
and slug, so reverse() is asked once per page name, language, script prefix
and URL configuration, with stand-in values, and the real id and slug are
put in their place, quoted as reverse() quotes them. A slug reverse() would
refuse (empty, or with a "/") still goes through reverse(), which raises.
"""

import functools
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# What reverse() leaves unquoted in a path (django.urls.resolvers).
_SAFE = "!$&'()*+,;=/~:@"
_PK = 918273645
_SLUG = "zq-slug-qz"


@functools.lru_cache(maxsize=8192)
def _quoted(slug: str) -> str:
    """A slug as reverse() quotes it, worked out once per process.

    An Arabic slug is quoted byte by byte, a slow loop, and a home page has fifty.
    """
    return quote(slug, safe=_SAFE)


@functools.lru_cache(maxsize=256)
def _template(name: str, with_pk: bool, language: str, prefix: str, urlconf) -> tuple[str, str]:
    kwargs = {"pk": _PK, "slug": _SLUG} if with_pk else {"slug": _SLUG}
    url = reverse(name, kwargs=kwargs)
    before, after = url.split(_SLUG)
    return before, after


def fixed(name: str) -> str:
    """reverse(name) of a page that takes no arguments (the feeds, say), in the current language."""
    return _fixed(name, get_language(), get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=256)
def _fixed(name: str, language: str, prefix: str, urlconf) -> str:
    return reverse(name)


def address(name: str, *, slug: str, pk: int | None = None) -> str:
    """reverse(name, kwargs={"pk": pk, "slug": slug}), or without pk when it is None."""
    if not slug or "/" in slug:
        kwargs = {"slug": slug} if pk is None else {"pk": pk, "slug": slug}
        return reverse(name, kwargs=kwargs)
    before, after = _template(
        name, pk is not None, get_language(), get_script_prefix(), get_urlconf()
    )
    if pk is not None:
        before = before.replace(str(_PK), str(int(pk)))
    return f"{before}{_quoted(slug)}{after}"


def addresses(name: str, *, with_pk: bool = False):
    """A function of (slug[, pk]) giving address(name, ...) in the current language.

    For a list of links: the language, script prefix and URL configuration
    are looked up once, not for every link.
    """
    before, after = _template(name, with_pk, get_language(), get_script_prefix(), get_urlconf())
    marker = str(_PK)

    def make(slug: str, pk: int | None = None) -> str:
        if not slug or "/" in slug:
            return address(name, slug=slug, pk=pk)
        start = before.replace(marker, str(int(pk))) if with_pk else before
        return f"{start}{_quoted(slug)}{after}"

    return make

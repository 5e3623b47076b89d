"""What search engines and social networks read in a page's head."""

import json
from urllib.parse import urlsplit

from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .text import strip_bidi_controls


def english_url(article) -> str:
    with translation.override("en"):
        return f"{article.get_absolute_url()}?view=en"


def arabic_url(article) -> str:
    with translation.override("ar"):
        return article.get_absolute_url()


def article_alternates(request, article) -> list[tuple[str, str]]:
    """(hreflang, absolute URL) pairs: only an article with English has any."""
    if not article.has_english:
        return []
    arabic = request.build_absolute_uri(arabic_url(article))
    return [
        ("ar", arabic),
        ("en", request.build_absolute_uri(english_url(article))),
        ("x-default", arabic),
    ]


def article_canonical(request, article) -> str:
    if translation.get_language() == "en" and article.has_english:
        return request.build_absolute_uri(english_url(article))
    return request.build_absolute_uri(arabic_url(article))


def article_image(article) -> str:
    """The lead image's absolute http(s) address, as stored; "" when there is none.

    Social networks and search engines fetch the image over the web, so an
    address they could not fetch is left out rather than announced.
    """
    url = article.image_url
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def article_json_ld(request, article, *, canonical: str) -> str:
    """schema.org NewsArticle for the article in the interface language, as safe JSON."""
    english = translation.get_language() == "en" and article.has_english
    headline = strip_bidi_controls(article.title_en if english else article.title_ar)
    modified = max(article.updated_at, article.published_at)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": headline[:110],
        "inLanguage": "en" if english else "ar",
        "datePublished": timezone.localtime(article.published_at).isoformat(),
        "dateModified": timezone.localtime(modified).isoformat(),
        "mainEntityOfPage": canonical,
        "url": canonical,
        "author": (
            {"@type": "Person", "name": strip_bidi_controls(article.byline)}
            if article.byline
            else {
                "@type": "Organization",
                "name": article.source.display_name,
                "url": article.source.homepage_url or None,
            }
        ),
        "publisher": {
            "@type": "Organization",
            "name": _("Newsroom"),
            "logo": {
                "@type": "ImageObject",
                "url": request.build_absolute_uri(static("favicon.svg")),
            },
        },
    }
    if image := article_image(article):
        data["image"] = [image]
    if article.original_url:
        data["isBasedOn"] = article.original_url
    if article.section:
        data["articleSection"] = article.section.display_name
    if english:
        data["translationOfWork"] = {
            "@type": "NewsArticle",
            "inLanguage": "ar",
            "url": request.build_absolute_uri(arabic_url(article)),
        }
    data = _without_empty(data)
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_json_script_escapes))  # noqa: S308 -- <, > and & are escaped


def _without_empty(value):
    if isinstance(value, dict):
        return {key: _without_empty(item) for key, item in value.items() if item not in (None, "")}
    return value

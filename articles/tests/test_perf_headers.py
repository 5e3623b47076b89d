"""The headers that let browsers and CDNs keep what they may, and only that.

Static files are collected as in production (hashed names, gzip and Brotli
copies made by whitenoise's storage) and served by whitenoise in this process.
"""

import gzip
from pathlib import Path

import brotli
import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings

from .factories import ArticleFactory, UserFactory

FAR_FUTURE = "max-age=315360000, public, immutable"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A client in front of whitenoise serving collectstatic's output, as in production."""
    root = tmp_path_factory.mktemp("static")
    production = override_settings(
        STATIC_ROOT=root,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    )
    with production:
        # The admin's own files are whitenoise's business as much as ours, but
        # compressing them all would only slow this test down.
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])
        yield Client()


def static_get(client, name: str, *, hashed: bool = True, encoding: str = ""):
    url = staticfiles_storage.url(name) if hashed else f"/static/{name}"
    headers = {"Accept-Encoding": encoding} if encoding else {}
    response = client.get(url, headers=headers)
    return response, b"".join(response.streaming_content)


def test_hashed_static_file_is_cached_for_ever(collected):
    response, _ = static_get(collected, "css/site.css")

    assert staticfiles_storage.url("css/site.css") != "/static/css/site.css"
    assert (response.status_code, response["Cache-Control"]) == (200, FAR_FUTURE)


def test_hashed_font_is_cached_for_ever(collected):
    response, _ = static_get(collected, "fonts/amiri-regular.ttf")

    assert (response.status_code, response["Cache-Control"]) == (200, FAR_FUTURE)


def test_static_file_under_its_plain_name_is_not_cached_for_ever(collected):
    response, _ = static_get(collected, "css/site.css", hashed=False)

    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


@pytest.mark.parametrize(
    ("asked", "encoding", "decode"),
    [("br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)],
)
def test_compressible_static_file_is_sent_compressed_when_asked(collected, asked, encoding, decode):
    _, plain = static_get(collected, "css/site.css")

    response, body = static_get(collected, "css/site.css", encoding=asked)

    assert (response["Content-Encoding"], response["Vary"]) == (encoding, "Accept-Encoding")
    assert len(body) < len(plain)
    assert decode(body) == plain


def test_brotli_is_preferred_when_both_are_accepted(collected):
    response, _ = static_get(collected, "js/reader.js", encoding="gzip, deflate, br")

    assert response["Content-Encoding"] == "br"


def test_static_file_is_sent_plain_to_clients_that_ask_for_nothing(collected):
    response, body = static_get(collected, "css/site.css")

    assert response.get("Content-Encoding") is None
    assert response["Vary"] == "Accept-Encoding"
    stored = staticfiles_storage.path(staticfiles_storage.stored_name("css/site.css"))
    assert body == Path(stored).read_bytes()


@pytest.fixture
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def vary(response) -> set[str]:
    return {value.strip() for value in response.get("Vary", "").split(",") if value.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_article_page_is_public_and_varies_on_the_reading_mode_cookie(
    client, page_cache_on, prefix
):
    article = ArticleFactory()

    response = client.get(f"{prefix}{article.get_absolute_url()}")

    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in vary(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/en/", "/feeds/rss/", "/en/feeds/atom/", "/sitemap.xml"])
def test_pages_that_are_the_same_for_every_reader_do_not_vary_on_cookies(
    client, page_cache_on, url
):
    ArticleFactory(title_en="A park opens")

    response = client.get(url)

    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" not in vary(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{"Accept-Language": "en-GB,en;q=0.9"}, {"Cookie": "django_language=en"}],
)
def test_interface_language_comes_from_the_address_alone(client, page_cache_on, headers):
    article = ArticleFactory()

    arabic = client.get(article.get_absolute_url(), headers=headers)
    english = client.get(f"/en{article.get_absolute_url()}", headers={"Accept-Language": "ar"})

    # Nothing is negotiated, so a shared cache needs no Vary: Accept-Language
    # to keep the two languages apart.
    assert '<html lang="ar" dir="rtl"' in arabic.content.decode()
    assert '<html lang="en" dir="ltr"' in english.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("staff", [True, False])
def test_pages_for_a_session_are_never_cached(client, page_cache_on, staff):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    client.force_login(UserFactory(is_staff=staff))

    response = client.get(article.get_absolute_url())

    assert set(response["Cache-Control"].split(", ")) == {
        "max-age=0",
        "no-cache",
        "no-store",
        "must-revalidate",
        "private",
    }


@pytest.mark.django_db
def test_search_results_are_not_marked_public(client, page_cache_on):
    ArticleFactory()

    response = client.get("/search/?q=حديقة")

    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")

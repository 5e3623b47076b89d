"""Security settings: Django's deployment check, headers and cookies in production,
login throttling (django-axes) and CSRF.

The settings module reads the environment when it is imported, so the
production settings are looked at in subprocesses started with a production
environment; throttling and CSRF are tested in this process.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from articles.models import Article

from .factories import ArticleFactory, UserFactory, make_editor

BASE_DIR = Path(settings.BASE_DIR)
PASSWORD = "correct horse battery staple"
CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "https:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
LOCKOUT_MESSAGE = (
    "This account cannot sign in from here for now, after too many wrong passwords. "
    "Try again in an hour, or ask another editor with user management rights to unlock it."
)

# What a production process reports about itself: its settings, and the
# responses of its own middleware and views (Django's test client, run there).
PROBE = """
import json
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

# The templates need a staticfiles manifest, which only collectstatic writes;
# the plain storage keeps this probe from needing one. Nothing else changes.
storages = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=storages):
    client = Client(HTTP_HOST="example.org")
    page = client.get("/", secure=True)
    plain = client.get("/")
    login = client.get("/admin/login/", secure=True)
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "page": [page.status_code, dict(page.headers)],
    "plain": [plain.status_code, plain.headers.get("Location", "")],
    "csrf_cookie_secure": bool(login.cookies["csrftoken"]["secure"]),
}))
"""


def production_environment(workdir: Path, **overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DJANGO_SECURE_SSL_REDIRECT": "1",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        **overrides,
    }
    # Settings a developer's shell may hold that production would not; the browser
    # tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process for Playwright.
    for name in (
        "REDIS_URL",
        "DJANGO_SECURE_HSTS_SECONDS",
        "DJANGO_TRUST_X_FORWARDED_PROTO",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A migrated production database of this module's own."""
    path = tmp_path_factory.mktemp("production-settings")
    (path / "static").mkdir()
    migrated = manage(production_environment(path), "migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    return path


def probe(workdir: Path, **overrides: str) -> dict:
    result = manage(production_environment(workdir, **overrides), "shell", "-v", "0", "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def https_site(workdir) -> dict:
    return probe(workdir)


@pytest.fixture(scope="module")
def plain_http_site(workdir) -> dict:
    return probe(workdir, DJANGO_SECURE_SSL_REDIRECT="0")


# Django's deployment checklist.


def test_check_deploy_prints_no_warning_in_production(workdir):
    result = manage(production_environment(workdir), "check", "--deploy", "--fail-level", "DEBUG")

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )


def test_check_deploy_without_ssl_redirect_names_only_the_https_settings(workdir):
    env = production_environment(workdir, DJANGO_SECURE_SSL_REDIRECT="0")

    result = manage(env, "check", "--deploy")

    warnings = sorted(re.findall(r"\((security\.W\d+)\)", result.stderr))
    assert (result.returncode, warnings) == (
        0,
        ["security.W004", "security.W008", "security.W012", "security.W016"],
    )


def test_production_without_a_secret_key_refuses_to_start(workdir):
    result = manage(production_environment(workdir, DJANGO_SECRET_KEY=""), "check")

    assert (result.returncode, "DJANGO_SECRET_KEY is not set" in result.stderr) == (1, True)


# Production settings and headers.


def test_production_cookies_are_secure_only(https_site):
    assert (
        https_site["DEBUG"],
        https_site["SESSION_COOKIE_SECURE"],
        https_site["CSRF_COOKIE_SECURE"],
        https_site["SESSION_COOKIE_HTTPONLY"],
        https_site["csrf_cookie_secure"],
    ) == (False, True, True, True, True)


def test_production_sends_hsts_for_a_year_with_subdomains(https_site):
    status, headers = https_site["page"]

    assert (https_site["SECURE_HSTS_SECONDS"], status, headers["Strict-Transport-Security"]) == (
        31536000,
        200,
        "max-age=31536000; includeSubDomains; preload",
    )


def test_production_page_forbids_content_sniffing_and_full_referrers(https_site):
    _, headers = https_site["page"]

    assert (
        headers["X-Content-Type-Options"],
        headers["Referrer-Policy"],
        headers["X-Frame-Options"],
        headers["Cross-Origin-Opener-Policy"],
    ) == ("nosniff", "strict-origin-when-cross-origin", "DENY", "same-origin")


def directives(policy: str) -> dict[str, list[str]]:
    """A policy header as directive -> sources (django-csp writes them in any order)."""
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def test_production_page_content_security_policy_allows_nothing_inline(https_site):
    _, headers = https_site["page"]
    policy = headers["Content-Security-Policy"]

    assert (directives(policy), "unsafe-inline" in policy, "unsafe-eval" in policy) == (
        CSP,
        False,
        False,
    )


def test_production_redirects_plain_http_to_https(https_site):
    assert https_site["plain"] == [301, "https://example.org/"]


def test_ssl_redirect_off_serves_plain_http(plain_http_site):
    assert plain_http_site["plain"] == [200, ""]


def test_ssl_redirect_off_turns_off_only_the_https_settings(https_site, plain_http_site):
    """Secure-only cookies and HSTS go with the redirect (as the README says); the
    headers that do not depend on HTTPS stay exactly as they are."""
    https_headers, plain_headers = https_site["page"][1], plain_http_site["page"][1]
    kept = ["X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"]
    kept += ["Cross-Origin-Opener-Policy"]

    assert (
        plain_http_site["DEBUG"],
        plain_http_site["SECURE_SSL_REDIRECT"],
        plain_http_site["SESSION_COOKIE_SECURE"],
        plain_http_site["CSRF_COOKIE_SECURE"],
        plain_http_site["SECURE_HSTS_SECONDS"],
        "Strict-Transport-Security" in plain_headers,
        [plain_headers[name] for name in kept],
        directives(plain_headers["Content-Security-Policy"]),
    ) == (False, False, False, False, 0, False, [https_headers[name] for name in kept], CSP)


# Login throttling (django-axes).


def fail_to_sign_in(client, username: str, times: int) -> list[int]:
    return [
        client.post(
            reverse("admin:login"), {"username": username, "password": "wrong guess"}
        ).status_code
        for _ in range(times)
    ]


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.mark.django_db
def test_failed_sign_ins_below_the_limit_show_the_login_form_again(client):
    make_editor(username="rima")

    statuses = fail_to_sign_in(client, "rima", settings.AXES_FAILURE_LIMIT - 1)

    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1)


@pytest.mark.django_db
def test_sign_in_at_the_failure_limit_is_locked_out(client):
    make_editor(username="rima")

    statuses = fail_to_sign_in(client, "rima", settings.AXES_FAILURE_LIMIT)

    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


@pytest.mark.django_db
def test_locked_out_sign_in_with_the_right_password_is_refused(client):
    make_editor(username="rima")
    fail_to_sign_in(client, "rima", settings.AXES_FAILURE_LIMIT)

    response = client.post(reverse("admin:login"), {"username": "rima", "password": PASSWORD})

    assert (response.status_code, SESSION_KEY in client.session) == (429, False)


@pytest.mark.django_db
def test_lockout_page_says_why_in_arabic(client):
    # The admin is not under a language prefix, so it is always in the site's language.
    make_editor(username="rima")
    fail_to_sign_in(client, "rima", settings.AXES_FAILURE_LIMIT)

    response = client.post(reverse("admin:login"), {"username": "rima", "password": PASSWORD})

    html = response.content.decode()
    heading = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    message = " ".join(html.split("<h1>", 1)[1].split("<p>", 1)[1].split("</p>", 1)[0].split())
    assert (response.status_code, heading, message, 'id="login-form"' in html) == (
        429,
        "محاولات دخول فاشلة كثيرة",
        in_language("ar", LOCKOUT_MESSAGE),
        False,
    )


@pytest.mark.django_db
def test_lockout_of_one_account_leaves_other_accounts_signing_in(client):
    make_editor(username="rima")
    make_editor(username="sami")
    fail_to_sign_in(client, "rima", settings.AXES_FAILURE_LIMIT)

    response = client.post(
        reverse("admin:login"), {"username": "sami", "password": PASSWORD, "next": "/admin/"}
    )

    assert (response.status_code, response["Location"]) == (302, "/admin/")


# CSRF.


@pytest.mark.django_db
def test_admin_login_post_without_csrf_token_is_forbidden():
    UserFactory(username="rima", is_staff=True)
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "rima", "password": PASSWORD})

    assert (response.status_code, SESSION_KEY in client.session) == (403, False)


@pytest.mark.django_db
def test_admin_login_post_with_csrf_token_signs_in():
    UserFactory(username="rima", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("admin:login"))

    response = client.post(
        reverse("admin:login"),
        {
            "username": "rima",
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )

    assert (response.status_code, SESSION_KEY in client.session) == (302, True)


@pytest.mark.django_db
def test_admin_change_form_post_without_csrf_token_is_forbidden():
    article = ArticleFactory(title_ar="عنوان لم يتغير")
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_editor())

    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {"title_ar": "عنوان غيره طرف آخر", "source": article.source_id, "status": "published"},
    )

    assert (response.status_code, Article.objects.get(pk=article.pk).title_ar) == (
        403,
        "عنوان لم يتغير",
    )


@pytest.mark.django_db
def test_admin_changelist_action_without_csrf_token_is_forbidden():
    article = ArticleFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_editor())

    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )

    assert (response.status_code, Article.objects.get(pk=article.pk).status) == (
        403,
        Article.Status.PUBLISHED,
    )


@pytest.mark.django_db
def test_language_switch_post_without_csrf_token_is_forbidden():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert (response.status_code, settings.LANGUAGE_COOKIE_NAME in response.cookies) == (
        403,
        False,
    )

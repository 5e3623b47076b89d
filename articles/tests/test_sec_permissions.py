"""The permission matrix: anonymous, editor and superuser × every reader page and admin screen.

Each row gives the exact status code of each role, in the order of ROLES.
An admin model missing from ADMIN_SCREENS fails
`test_matrix_covers_every_registered_admin_model`, so a newly registered
screen cannot escape the matrix.
"""

import datetime
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import (
    ArticleUpdate,
    AuditEntry,
    DeletedArticle,
    GlossaryTerm,
    TranslationMemory,
)

from .factories import (
    ArticleBlockFactory,
    ArticleFactory,
    SectionFactory,
    SourceFactory,
    TickerHeadlineFactory,
    UserFactory,
    make_editor,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "editor", "superuser")
# Every title holds the word searched for, so that search would show all three.
PUBLISHED_TITLE = "افتتاح سوق الخضار الجديد في الميناء"
DRAFT_TITLE = "مسودة عن سوق السمك قرب الجسر القديم"
SCHEDULED_TITLE = "خبر مجدول عن سوق الزهور في الربيع"
SEARCHED_WORD = "سوق"

# Reader pages: (anonymous, editor, superuser). Staff see drafts and scheduled
# articles on their own page (to check them before publishing), never in a list.
READER_PAGES = {
    "home": ("/", (200, 200, 200)),
    "home in English": ("/en/", (200, 200, 200)),
    "published article": ("{published}", (200, 200, 200)),
    "published article in English": ("/en{published}", (200, 200, 200)),
    "draft article": ("{draft}", (404, 200, 200)),
    "draft article in English": ("/en{draft}", (404, 200, 200)),
    "scheduled article": ("{scheduled}", (404, 200, 200)),
    "scheduled article in English": ("/en{scheduled}", (404, 200, 200)),
    "source": ("/sources/sahil/", (200, 200, 200)),
    "unknown source": ("/sources/no-such-source/", (404, 404, 404)),
    "section": ("/sections/local/", (200, 200, 200)),
    "unknown section": ("/sections/no-such-section/", (404, 404, 404)),
    "search": (f"/search/?q={SEARCHED_WORD}", (200, 200, 200)),
    "search in English": (f"/en/search/?q={SEARCHED_WORD}", (200, 200, 200)),
    "feed list": ("/feeds/", (200, 200, 200)),
    "rss": ("/feeds/rss/", (200, 200, 200)),
    "atom": ("/feeds/atom/", (200, 200, 200)),
    "rss in English": ("/en/feeds/rss/", (200, 200, 200)),
    "atom in English": ("/en/feeds/atom/", (200, 200, 200)),
    "source rss": ("/feeds/sources/sahil/rss/", (200, 200, 200)),
    "source atom": ("/feeds/sources/sahil/atom/", (200, 200, 200)),
    "section rss": ("/feeds/sections/local/rss/", (200, 200, 200)),
    "section atom": ("/feeds/sections/local/atom/", (200, 200, 200)),
    "sitemap index": ("/sitemap.xml", (200, 200, 200)),
    "articles sitemap": ("/sitemap-articles.xml", (200, 200, 200)),
    "sections sitemap": ("/sitemap-sections.xml", (200, 200, 200)),
    "sources sitemap": ("/sitemap-sources.xml", (200, 200, 200)),
    "news sitemap": ("/sitemap-news.xml", (200, 200, 200)),
    "robots.txt": ("/robots.txt", (200, 200, 200)),
    "healthz": ("/healthz", (200, 200, 200)),
}
# Pages that list articles: the published one on each, a draft or scheduled one on none.
LISTS = [
    "/",
    "/en/",
    "/sources/sahil/",
    "/sections/local/",
    f"/search/?q={SEARCHED_WORD}",
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/sources/sahil/rss/",
    "/feeds/sections/local/atom/",
]
SITEMAPS = ["/sitemap-articles.xml", "/sitemap-news.xml"]

# Anonymous visitors are sent to the login page (302) from every admin screen.
# Editors: the content models; screens without an add view (imports, deletions,
# memory, audit trail) are view or change only; nothing of users, groups,
# tasks or login records.
FULL = {"changelist": (302, 200, 200), "add": (302, 200, 200), "change": (302, 200, 200)}
NO_ADD = {"changelist": (302, 200, 200), "add": (302, 403, 403), "change": (302, 200, 200)}
SUPERUSER_ONLY = {"changelist": (302, 403, 200), "add": (302, 403, 200), "change": (302, 403, 200)}
SUPERUSER_ONLY_NO_ADD = {
    "changelist": (302, 403, 200),
    "add": (302, 403, 403),
    "change": (302, 403, 200),
}
ADMIN_SCREENS = {
    "articles.article": FULL,
    "articles.tickerheadline": FULL,
    "articles.source": FULL,
    "articles.section": FULL,
    "articles.glossaryterm": FULL,
    "articles.articleupdate": NO_ADD,
    "articles.deletedarticle": NO_ADD,
    "articles.translationmemory": NO_ADD,
    "articles.auditentry": NO_ADD,
    "auth.user": SUPERUSER_ONLY,
    "auth.group": SUPERUSER_ONLY,
    "django_tasks_database.dbtaskresult": SUPERUSER_ONLY_NO_ADD,
    "axes.accessattempt": SUPERUSER_ONLY_NO_ADD,
    "axes.accesslog": SUPERUSER_ONLY_NO_ADD,
    "axes.accessfailurelog": SUPERUSER_ONLY_NO_ADD,
}
# Screens that are not a model's changelist, add or change view.
OTHER_ADMIN_SCREENS = {
    "admin index": ("/admin/", (302, 200, 200)),
    "review screen": ("{review}", (302, 200, 200)),
    "article history": ("{article_history}", (302, 200, 200)),
    "own password change": ("/admin/password_change/", (302, 200, 200)),
    "another user's password": ("{user_password}", (302, 403, 200)),
    "auth app index": ("/admin/auth/", (302, 404, 200)),
    "axes app index": ("/admin/axes/", (302, 404, 200)),
    # django-rq's dashboard lets any staff user empty queues: it is switched off.
    "rq dashboard": ("/admin/django_rq/dashboard/", (302, 404, 404)),
}


@pytest.fixture
def site(db):
    """One row of every kind a screen shows, and the paths that show them."""
    source = SourceFactory(slug="sahil")
    section = SectionFactory(slug="local")
    published = ArticleFactory(source=source, section=section, title_ar=PUBLISHED_TITLE)
    ArticleBlockFactory(article=published, text_ar="افتتحت البلدية سوقا جديدا للخضار.")
    draft = ArticleFactory(source=source, section=section, title_ar=DRAFT_TITLE, draft=True)
    scheduled = ArticleFactory(
        source=source, section=section, title_ar=SCHEDULED_TITLE, scheduled=True
    )
    reader_account = UserFactory(username="reader-account")
    login_record = {
        "user_agent": "test",
        "http_accept": "*/*",
        "path_info": "/admin/login/",
        "username": "someone",
        "ip_address": "127.0.0.1",
    }
    rows = {
        "articles.article": published,
        "articles.tickerheadline": TickerHeadlineFactory(article=published),
        "articles.source": source,
        "articles.section": section,
        "articles.glossaryterm": GlossaryTerm.objects.create(
            term_ar="دمشق", rendering_en="Damascus"
        ),
        "articles.articleupdate": ArticleUpdate.objects.create(
            article=published, content_hash="0" * 64, title=PUBLISHED_TITLE
        ),
        "articles.deletedarticle": DeletedArticle.objects.create(
            source=source, identity="https://sahil.example/a/9", title="خبر محذوف"
        ),
        "articles.translationmemory": TranslationMemory.objects.create(
            source_hash="1" * 64,
            source_language="ar",
            target_language="en",
            engine="test",
            source_text="مرحبا",
            translated_text="Hello",
        ),
        "articles.auditentry": AuditEntry.objects.create(
            action=AuditEntry.Action.PUBLISHED, subject=PUBLISHED_TITLE, article=published
        ),
        "auth.user": reader_account,
        "auth.group": Group.objects.get(name="Editors"),
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="articles.tasks.fetch_source",
            backend_name="default",
            run_after=timezone.now() + datetime.timedelta(days=1),
            exception_class_path="",
            traceback="",
        ),
        "axes.accessattempt": AccessAttempt.objects.create(
            **login_record, get_data="", post_data="", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(**login_record),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**login_record),
    }
    paths = {
        "published": published.get_absolute_url(),
        "draft": draft.get_absolute_url(),
        "scheduled": scheduled.get_absolute_url(),
        "review": reverse("admin:articles_article_review", args=[published.pk]),
        "article_history": reverse("admin:articles_article_history", args=[published.pk]),
        "user_password": reverse("admin:auth_user_password_change", args=[reader_account.pk]),
    }
    return {"rows": rows, "paths": paths}


def signed_in(client, role: str):
    if role == "editor":
        client.force_login(make_editor())
    elif role == "superuser":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_url(label: str, screen: str, rows: dict) -> str:
    app_label, model_name = label.split(".")
    name = f"admin:{app_label}_{model_name}_{screen}"
    return reverse(name, args=[rows[label].pk] if screen == "change" else [])


def test_matrix_covers_every_registered_admin_model():
    registered = {model._meta.label_lower for model in admin.site._registry}

    assert registered == set(ADMIN_SCREENS)


# Reader pages.


@pytest.mark.parametrize("name", READER_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_reader_page_status_for_role(client, site, role, name):
    path, expected = READER_PAGES[name]

    response = signed_in(client, role).get(path.format(**site["paths"]))

    assert response.status_code == expected[ROLES.index(role)]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("role", ROLES)
def test_lists_show_only_published_articles_to_every_role(client, site, role, path):
    # Tags out: search results mark the words found inside the titles.
    body = re.sub(r"<[^>]*>", "", signed_in(client, role).get(path).content.decode())

    shown = [title for title in (PUBLISHED_TITLE, DRAFT_TITLE, SCHEDULED_TITLE) if title in body]
    assert shown == [PUBLISHED_TITLE]


@pytest.mark.parametrize("path", SITEMAPS)
@pytest.mark.parametrize("role", ROLES)
def test_sitemaps_list_only_published_articles_to_every_role(client, site, role, path):
    body = signed_in(client, role).get(path).content.decode()

    listed = [name for name in ("published", "draft", "scheduled") if site["paths"][name] in body]
    assert listed == ["published"]


# Admin screens.


@pytest.mark.parametrize(
    ("label", "screen"),
    [(label, screen) for label, screens in ADMIN_SCREENS.items() for screen in screens],
)
@pytest.mark.parametrize("role", ROLES)
def test_admin_screen_status_for_role(client, site, role, label, screen):
    url = admin_url(label, screen, site["rows"])

    response = signed_in(client, role).get(url)

    assert response.status_code == ADMIN_SCREENS[label][screen][ROLES.index(role)]


@pytest.mark.parametrize("name", OTHER_ADMIN_SCREENS)
@pytest.mark.parametrize("role", ROLES)
def test_other_admin_screen_status_for_role(client, site, role, name):
    path, expected = OTHER_ADMIN_SCREENS[name]

    response = signed_in(client, role).get(path.format(**site["paths"]))

    assert response.status_code == expected[ROLES.index(role)]


@pytest.mark.parametrize("label", ["articles.article", "auth.user"])
def test_anonymous_admin_visit_is_sent_to_the_login_page(client, site, label):
    url = admin_url(label, "changelist", site["rows"])

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/admin/login/?next={url}")


# Editors manage content, never people or permissions.


def test_editor_cannot_make_a_user(client, site):
    editor = signed_in(client, "editor")
    before = User.objects.count()

    response = editor.post(
        reverse("admin:auth_user_add"),
        {
            "username": "intruder",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )

    assert (response.status_code, User.objects.count()) == (403, before)


def test_editor_cannot_give_the_editors_group_a_permission(client, site):
    group = site["rows"]["auth.group"]
    granted = set(group.permissions.values_list("pk", flat=True))

    response = signed_in(client, "editor").post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": group.name, "permissions": []}
    )

    assert (response.status_code, set(group.permissions.values_list("pk", flat=True))) == (
        403,
        granted,
    )


def test_editor_cannot_make_themselves_superuser(client, site):
    editor = make_editor()
    client.force_login(editor)

    response = client.post(
        reverse("admin:auth_user_change", args=[editor.pk]),
        {"username": editor.username, "is_staff": "on", "is_superuser": "on"},
    )

    editor.refresh_from_db()
    assert (response.status_code, editor.is_superuser) == (403, False)

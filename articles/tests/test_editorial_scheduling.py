"""Scheduled publishing and expiry, with a controlled clock: by the command and by the task."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from articles import scheduling
from articles.models import Article, AuditEntry
from articles.search import query
from articles.search.results import search_articles

from .admin_forms import form_data
from .factories import ArticleBlockFactory, ArticleFactory, make_editor

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
GOES_LIVE = START + datetime.timedelta(hours=1)
EXPIRES = START + datetime.timedelta(hours=3)
TITLE = "افتتاح جسر المشاة فوق النهر"


@pytest.fixture
def scheduled():
    with freeze_time(START):
        article = ArticleFactory(
            title_ar=TITLE,
            status=Article.Status.SCHEDULED,
            published_at=GOES_LIVE,
            expires_at=EXPIRES,
        )
        ArticleBlockFactory(article=article, position=1, text_ar="يربط الجسر ضفتي النهر.")
    return article


def seen_by_readers(client, article) -> dict:
    """Where an anonymous reader or subscriber finds the article."""
    url = article.get_absolute_url()
    sitemap = client.get(reverse("sitemap-section", args=["articles"])).content.decode()
    return {
        "page": client.get(url).status_code,
        "home": TITLE in client.get("/").content.decode(),
        "feed": TITLE in client.get("/feeds/rss/").content.decode(),
        "atom": TITLE in client.get("/feeds/atom/").content.decode(),
        "sitemap": url in sitemap,
        "search": [a.title_ar for a in search_articles(query.parse("جسر"))[:10]] == [TITLE],
    }


HIDDEN = {
    "page": 404,
    "home": False,
    "feed": False,
    "atom": False,
    "sitemap": False,
    "search": False,
}
SHOWN = {"page": 200, "home": True, "feed": True, "atom": True, "sitemap": True, "search": True}


def test_scheduled_article_is_hidden_before_its_time(client, scheduled):
    with freeze_time(GOES_LIVE - datetime.timedelta(seconds=1)):
        call_command("publish_scheduled", stdout=io.StringIO())
        seen = seen_by_readers(client, scheduled)

    assert (Article.objects.get(pk=scheduled.pk).status, seen) == ("scheduled", HIDDEN)


def test_command_publishes_at_the_time_and_archives_at_expiry(client, scheduled):
    with freeze_time(GOES_LIVE + datetime.timedelta(seconds=1)):
        out = io.StringIO()
        call_command("publish_scheduled", stdout=out)
        live = (Article.objects.get(pk=scheduled.pk).status, seen_by_readers(client, scheduled))
    with freeze_time(EXPIRES + datetime.timedelta(seconds=1)):
        call_command("publish_scheduled", stdout=io.StringIO())
        gone = (Article.objects.get(pk=scheduled.pk).status, seen_by_readers(client, scheduled))

    assert out.getvalue() == "1 article(s) published, 0 archived.\n"
    assert live == ("published", SHOWN)
    assert gone == ("archived", HIDDEN)


def test_expired_article_is_hidden_even_before_a_run(client, scheduled):
    Article.objects.filter(pk=scheduled.pk).update(status=Article.Status.PUBLISHED)

    with freeze_time(EXPIRES + datetime.timedelta(seconds=1)):
        seen = seen_by_readers(client, scheduled)
        listed = Article.objects.published().filter(pk=scheduled.pk).exists()

    assert (seen, listed) == (HIDDEN, False)


def test_dry_run_changes_nothing(scheduled):
    with freeze_time(GOES_LIVE + datetime.timedelta(seconds=1)):
        out = io.StringIO()
        call_command("publish_scheduled", "--dry-run", stdout=out)

    assert out.getvalue() == "1 article(s) would be published, 0 would be archived.\n"
    assert Article.objects.get(pk=scheduled.pk).status == "scheduled"


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)  # tasks are enqueued when a transaction commits
def test_task_chain_publishes_and_expires_without_anyone_present(client, scheduled, settings):
    settings.NEWSROOM_SCHEDULE_CHECK_SECONDS = 24 * 3600
    with freeze_time(START):
        assert scheduling.start_chain() is True
        assert scheduling.start_chain() is False  # one chain is enough
        run_worker()
        next_run = DBTaskResult.objects.filter(status="READY").get().run_after
    with freeze_time(GOES_LIVE + datetime.timedelta(seconds=1)):
        run_worker()
        live = (Article.objects.get(pk=scheduled.pk).status, seen_by_readers(client, scheduled))
        then = DBTaskResult.objects.filter(status="READY").get().run_after
    with freeze_time(EXPIRES + datetime.timedelta(seconds=1)):
        run_worker()
        gone = (Article.objects.get(pk=scheduled.pk).status, seen_by_readers(client, scheduled))

    assert next_run == GOES_LIVE  # the chain wakes up at the publication time
    assert then == EXPIRES
    assert live == ("published", SHOWN)
    assert gone == ("archived", HIDDEN)
    assert list(
        AuditEntry.objects.filter(article=scheduled).order_by("at").values_list("action", "actor")
    ) == [("published", None), ("expired", None)]


def test_chain_looks_again_at_least_every_check_interval(settings):
    settings.NEWSROOM_SCHEDULE_CHECK_SECONDS = 120
    now = timezone.now()

    assert scheduling.next_run(now=now) == now + datetime.timedelta(seconds=120)


def test_editor_scheduling_in_the_admin_queues_a_run_at_the_time(
    client, django_capture_on_commit_callbacks
):
    article = ArticleFactory(draft=True, title_ar=TITLE)
    client.force_login(make_editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    when = timezone.now() + datetime.timedelta(days=2)
    data = form_data(client, url)
    local = timezone.localtime(when)
    data.update(
        status="published",  # a time to come makes it "scheduled"
        published_at_0=local.strftime("%Y-%m-%d"),
        published_at_1=local.strftime("%H:%M:%S"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    article.refresh_from_db()
    queued = DBTaskResult.objects.get(task_path="articles.scheduling.publish_due_now")
    assert (response.status_code, article.status) == (302, "scheduled")
    assert queued.run_after == article.published_at
    assert list(
        AuditEntry.objects.filter(article=article).order_by("pk").values_list("action", "detail")
    ) == [("scheduled", ""), ("edited", "published_at")]


def test_scheduled_without_a_time_is_refused(client):
    article = ArticleFactory(draft=True, published_at=None)
    client.force_login(make_editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client, url)
    data.update(status="scheduled")

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["published_at"] == [
        gettext("Give the time at which the scheduled article should appear.")
    ]

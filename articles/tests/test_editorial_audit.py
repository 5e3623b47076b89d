"""The audit trail: each editorial action recorded with who and when, listed in the admin."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from lxml import html

from articles import revisions, services
from articles.machine_translation import pipeline
from articles.models import AuditEntry, TickerHeadline

from .admin_forms import form_data
from .factories import (
    ArticleBlockFactory,
    ArticleFactory,
    SourceFactory,
    TickerHeadlineFactory,
    make_editor,
)
from .mt_engine import ScriptedEngine

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_editor(username="hala")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def entries():
    return list(AuditEntry.objects.order_by("pk").values_list("action", "actor__username"))


def run_action(client, action, articles):
    return client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk for article in articles]},
    )


@pytest.mark.parametrize(
    ("action", "recorded"),
    [
        ("publish", "published"),
        ("unpublish", "unpublished"),
        ("feature", "featured"),
        ("unfeature", "unfeatured"),
    ],
)
def test_article_actions_are_recorded_with_the_editor(editor_client, action, recorded):
    article = ArticleFactory(draft=action == "publish")

    run_action(editor_client, action, [article])

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor.username, entry.article, entry.subject) == (
        recorded,
        "hala",
        article,
        article.title_ar,
    )


def test_publishing_what_is_already_published_records_nothing(editor_client):
    run_action(editor_client, "publish", [ArticleFactory()])

    assert entries() == []


def test_ticker_changes_are_recorded(editor_client):
    first = TickerHeadlineFactory(position=1)
    TickerHeadlineFactory(position=2)
    url = reverse("admin:articles_tickerheadline_change", args=[first.pk])
    data = form_data(editor_client, url)
    data["text_ar"] = "عنوان عاجل معدل"

    editor_client.post(url, data)
    editor_client.post(reverse("admin:articles_tickerheadline_move", args=[first.pk, "down"]))
    editor_client.post(
        reverse("admin:articles_tickerheadline_delete", args=[first.pk]), {"post": "yes"}
    )

    assert list(AuditEntry.objects.order_by("pk").values_list("action", "subject", "detail")) == [
        ("ticker", "عنوان عاجل معدل", "changed: text_ar"),
        ("ticker", "عنوان عاجل معدل", "moved down"),
        ("ticker", "عنوان عاجل معدل", "deleted"),
    ]
    assert TickerHeadline.objects.count() == 1


def test_source_changes_are_recorded(editor_client):
    source = SourceFactory(name_ar="وكالة الأنباء")
    url = reverse("admin:articles_source_change", args=[source.pk])
    data = form_data(editor_client, url)
    data["feed_url"] = "https://agency.example/feed.xml"

    editor_client.post(url, data)

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor.username, entry.subject, entry.detail) == (
        "source",
        "hala",
        "وكالة الأنباء",
        "changed: feed_url",
    )


def test_translation_queued_and_reviewed_are_recorded(editor_client, editor, settings):
    settings.MT_ENGINE = "libretranslate"
    article = ArticleFactory(title_en="Market opens")

    run_action(editor_client, "translate", [article])
    services.mark_english_reviewed(article=article, user=editor)

    assert entries() == [("translation_queued", "hala"), ("reviewed", "hala")]


def test_editors_list_and_filter_the_trail_but_cannot_change_it(editor_client, editor):
    services.publish_articles(articles=[ArticleFactory(draft=True)], by=editor)
    services.set_featured(articles=[ArticleFactory()], featured=True, by=editor)
    url = reverse("admin:articles_auditentry_changelist")

    listed = editor_client.get(url)
    filtered = editor_client.get(url, {"action__exact": "featured"})
    entry = AuditEntry.objects.first()
    change = editor_client.post(
        reverse("admin:articles_auditentry_change", args=[entry.pk]), {"detail": "x"}
    )
    delete = editor_client.post(
        reverse("admin:articles_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert (listed.status_code, listed.context["cl"].result_count) == (200, 2)
    assert [e.action for e in filtered.context["cl"].result_list] == ["featured"]
    assert (change.status_code, delete.status_code, AuditEntry.objects.count()) == (403, 403, 2)
    rows = html.fromstring(listed.content.decode()).xpath("//table[@id='result_list']/tbody/tr")
    assert len(rows) == 2


def test_a_translation_run_is_recorded_and_keeps_a_revision(settings):
    settings.MT_ENGINE = "test"
    settings.MT_EXTRA_ENGINES = {"test": "articles.tests.mt_engine.ScriptedEngine"}
    ScriptedEngine.reset()
    cache.clear()
    article = ArticleFactory()
    ArticleBlockFactory(article=article, position=1, text_ar="افتتح السوق اليوم.")

    pipeline.translate_article(article_id=article.pk, sleep=lambda seconds: None)

    entry = AuditEntry.objects.get(article=article)
    newest = revisions.snapshot(revisions.versions_of(article)[0])
    assert (entry.action, entry.actor, entry.detail) == (
        "translated",
        None,
        "machine by test: 2 unit(s), 2 sent",
    )
    assert newest.version.revision.get_comment() == "Machine translation (test)"
    assert newest.blocks[0]["text_en"] == article.blocks.get().text_en


def test_deleting_sources_from_the_list_is_recorded(client):
    client.force_login(make_editor(username="hala"))
    sources = [SourceFactory(name_ar="وكالة أولى"), SourceFactory(name_ar="وكالة ثانية")]

    client.post(
        reverse("admin:articles_source_changelist"),
        {"action": "delete_selected", "_selected_action": [s.pk for s in sources], "post": "yes"},
    )

    assert sorted(AuditEntry.objects.values_list("action", "subject", "detail")) == [
        ("source", "وكالة أولى", "deleted"),
        ("source", "وكالة ثانية", "deleted"),
    ]

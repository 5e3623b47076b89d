"""Correction notes under articles, the "Updated" line, and the corrections page."""

import datetime

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html

from articles.models import Article, AuditEntry, Correction

from .admin_forms import form_data
from .factories import ArticleBlockFactory, ArticleFactory, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    article = ArticleFactory(
        title_ar="ارتفاع منسوب مياه السد",
        published_at=timezone.now() - datetime.timedelta(hours=3),
    )
    ArticleBlockFactory(article=article, position=1, text_ar="ارتفع منسوب المياه مترين.")
    return article


def add_correction_in_admin(client, article, note_ar, note_en=""):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client, url)
    index = int(data["corrections-TOTAL_FORMS"])
    now = timezone.localtime()
    data.update(
        {
            "corrections-TOTAL_FORMS": str(index + 1),
            f"corrections-{index}-noted_at_0": now.strftime("%Y-%m-%d"),
            f"corrections-{index}-noted_at_1": now.strftime("%H:%M:%S"),
            f"corrections-{index}-note_ar": note_ar,
            f"corrections-{index}-note_en": note_en,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def page_of(client, article, **params):
    return html.fromstring(client.get(article.get_absolute_url(), params).content.decode())


def test_editor_adds_a_correction_that_readers_see_under_the_article(client, article):
    editor = make_editor(username="hala")
    client.force_login(editor)
    add_correction_in_admin(
        client, article, "صُحّح الارتفاع: مترين لا ثلاثة.", "Corrected: two metres, not three."
    )
    client.logout()

    arabic = page_of(client, article)
    both = page_of(client, article, view="both")
    correction = Correction.objects.get()
    notes = arabic.xpath("//section[@class='corrections']//li/p")
    assert (correction.created_by, correction.note_ar) == (editor, "صُحّح الارتفاع: مترين لا ثلاثة.")
    assert [(p.get("lang"), p.text) for p in notes] == [("ar", "صُحّح الارتفاع: مترين لا ثلاثة.")]
    assert [p.get("lang") for p in both.xpath("//section[@class='corrections']//li/p")] == [
        "ar",
        "en",
    ]
    assert AuditEntry.objects.filter(action="corrected", actor=editor, article=article).count() == 1


def test_updated_line_appears_only_for_changes_well_after_publication(client, article, settings):
    settings.NEWSROOM_UPDATED_NOTICE_AFTER = datetime.timedelta(minutes=60)
    soon = article.published_at + datetime.timedelta(minutes=10)
    Article.objects.filter(pk=article.pk).update(revised_at=soon)
    early = page_of(client, article).xpath("//p[@class='article-updated']")
    later = article.published_at + datetime.timedelta(hours=2)
    Article.objects.filter(pk=article.pk).update(revised_at=later)

    shown = page_of(client, article).xpath("//p[@class='article-updated']/time/@datetime")

    assert early == []
    assert shown == [timezone.localtime(later).isoformat()]


def test_editing_the_text_after_publication_sets_the_revised_time(client, article):
    client.force_login(make_editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client, url)
    data["title_ar"] = "ارتفاع كبير في منسوب مياه السد"

    client.post(url, data)

    article.refresh_from_db()
    assert article.revised_at is not None
    assert article.shows_updated is True


def test_changing_only_featuring_is_not_an_update(client, article):
    client.force_login(make_editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client, url)
    data["is_featured"] = "on"

    client.post(url, data)

    article.refresh_from_db()
    assert (article.is_featured, article.revised_at) == (True, None)


def test_corrections_page_lists_published_articles_corrections_newest_first(client, article):
    draft = ArticleFactory(draft=True)
    now = timezone.now()
    Correction.objects.create(
        article=article, note_ar="تصحيح أول", noted_at=now - datetime.timedelta(days=1)
    )
    Correction.objects.create(article=article, note_ar="تصحيح ثان", noted_at=now)
    Correction.objects.create(article=draft, note_ar="تصحيح مسودة", noted_at=now)

    page = html.fromstring(client.get(reverse("articles:corrections")).content.decode())

    assert [p.text for p in page.xpath("//ol[@class='correction-list']/li/p")] == [
        "تصحيح ثان",
        "تصحيح أول",
    ]


def test_feeds_carry_the_updated_time(client, article):
    client.force_login(make_editor())
    add_correction_in_admin(client, article, "صُحّح الرقم.")
    client.logout()
    article.refresh_from_db()

    feed = feedparser.parse(client.get("/feeds/atom/").content)

    entry = feed.entries[0]
    updated = datetime.datetime(*entry.updated_parsed[:6], tzinfo=datetime.UTC)
    assert feed.bozo == 0
    assert updated == article.updated_at.replace(microsecond=0)
    assert updated > article.published_at

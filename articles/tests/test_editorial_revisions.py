"""Revisions: one per save with who made it, compared block by block, restored."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import html

from articles import revisions, services
from articles.models import Article, AuditEntry

from .admin_forms import form_data, form_values
from .factories import ArticleBlockFactory, ArticleFactory, UserFactory, make_editor
from .scraped import scraped_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_editor(username="hala")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def article():
    article = ArticleFactory(title_ar="افتتاح سوق الخضار", draft=True)
    ArticleBlockFactory(article=article, position=1, text_ar="افتتح السوق صباح اليوم.")
    ArticleBlockFactory(article=article, position=2, text_ar="وحضر الافتتاح مئات الناس.")
    return article


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def save_in_admin(client, article, **changes):
    data = form_data(client, change_url(article))
    data.update(changes)
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def block_field(data: dict, position: int, field: str) -> str:
    """The inline form field name of the block at `position`."""
    prefix = next(
        key[: -len("-position")]
        for key, value in data.items()
        if key.startswith("blocks-") and key.endswith("-position") and value == str(position)
    )
    return f"{prefix}-{field}"


def test_each_admin_save_keeps_a_revision_with_its_author_and_blocks(
    editor_client, editor, article
):
    save_in_admin(editor_client, article, title_ar="افتتاح سوق الفاكهة")
    data = form_data(editor_client, change_url(article))
    data[block_field(data, 2, "text_ar")] = "وحضر الافتتاح آلاف الناس."
    editor_client.post(change_url(article), data)

    versions = list(revisions.versions_of(article))
    newest, older = revisions.snapshot(versions[0]), revisions.snapshot(versions[1])
    assert [v.revision.user for v in versions] == [editor, editor]
    assert (older.fields["title_ar"], [b["text_ar"] for b in older.blocks]) == (
        "افتتاح سوق الفاكهة",
        ["افتتح السوق صباح اليوم.", "وحضر الافتتاح مئات الناس."],
    )
    assert [b["text_ar"] for b in newest.blocks] == [
        "افتتح السوق صباح اليوم.",
        "وحضر الافتتاح آلاف الناس.",
    ]


def test_publishing_and_english_edits_keep_revisions(editor, article):
    services.publish_articles(articles=[article], by=editor)
    block = article.blocks.get(position=1)
    services.save_english(
        article=article,
        user=editor,
        title_en="Vegetable market opens",
        lead_en="",
        blocks={block.pk: ("The market opened this morning.", "")},
    )

    comments = [v.revision.get_comment() for v in revisions.versions_of(article)]
    newest = revisions.snapshot(revisions.versions_of(article)[0])
    assert comments == ["English edited", "Published"]
    assert (newest.fields["title_en"], newest.blocks[0]["text_en"]) == (
        "Vegetable market opens",
        "The market opened this morning.",
    )


def two_revisions(client, article):
    save_in_admin(client, article)
    data = form_data(client, change_url(article))
    data[block_field(data, 2, "text_ar")] = "وحضر الافتتاح آلاف الناس."
    data[block_field(data, 2, "text_en")] = "Thousands of people came."
    client.post(change_url(article), data)
    newer, older = list(revisions.versions_of(article))[:2]
    return older, newer


def test_compare_shows_each_block_arabic_and_english_with_the_changed_words(editor_client, article):
    older, newer = two_revisions(editor_client, article)
    url = reverse("admin:articles_article_compare", args=[article.pk])

    response = editor_client.get(url, {"a": older.pk, "b": newer.pk})

    page = html.fromstring(response.content.decode())
    rows = page.xpath("//table[contains(@class, 'blocks')]/tbody/tr")
    changed = page.xpath("//table[contains(@class, 'blocks')]/tbody/tr[@id='p2']")[0]
    arabic, english = changed.xpath("td")
    assert (response.status_code, len(rows)) == (200, 2)
    assert [row.get("class") for row in rows] == ["same", "changed"]
    assert (arabic.get("lang"), arabic.get("dir"), english.get("lang"), english.get("dir")) == (
        "ar",
        "rtl",
        "en",
        "ltr",
    )
    assert (arabic.xpath("string(del)"), arabic.xpath("string(ins)")) == ("مئات", "آلاف")
    assert english.xpath("string(ins)") == "Thousands of people came."


def test_compare_escapes_the_text_it_marks():
    assert str(revisions.word_diff("<b>قديم</b>", "<b>جديد</b>")) == (
        "<del>&lt;b&gt;قديم&lt;/b&gt;</del><ins>&lt;b&gt;جديد&lt;/b&gt;</ins>"
    )


def test_restore_brings_back_the_text_and_keeps_the_status(editor_client, editor, article):
    older, _ = two_revisions(editor_client, article)
    services.publish_articles(articles=[article], by=editor)
    url = reverse("admin:articles_article_restore", args=[article.pk, older.pk])

    response = editor_client.post(url)

    article.refresh_from_db()
    assert response.status_code == 302
    assert article.status == Article.Status.PUBLISHED
    assert list(article.blocks.values_list("position", "text_ar", "text_en")) == [
        (1, "افتتح السوق صباح اليوم.", None),
        (2, "وحضر الافتتاح مئات الناس.", None),
    ]
    assert revisions.versions_of(article)[0].revision.get_comment().startswith("Restored")
    assert AuditEntry.objects.filter(article=article, action="restored", actor=editor).count() == 1


def test_restore_needs_a_post_and_a_revision_of_this_article(editor_client, article):
    older, _ = two_revisions(editor_client, article)
    other = ArticleFactory()
    services.publish_articles(articles=[other])

    get = editor_client.get(reverse("admin:articles_article_restore", args=[article.pk, older.pk]))
    wrong = editor_client.post(reverse("admin:articles_article_restore", args=[other.pk, older.pk]))

    assert (get.status_code, wrong.status_code) == (405, 404)


def test_history_lists_revisions_with_compare_and_restore(editor_client, article):
    two_revisions(editor_client, article)

    response = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))

    page = html.fromstring(response.content.decode())
    assert response.status_code == 200
    assert len(page.xpath("//table[@id='revision-list']/tbody/tr")) == 2
    assert len(page.xpath("//form[contains(@class, 'restore-form')]")) == 1


def test_someone_without_change_permission_cannot_restore(client, article):
    older, _ = two_revisions(_logged_in(client), article)
    reader = UserFactory(is_staff=True)
    client.force_login(reader)

    response = client.post(reverse("admin:articles_article_restore", args=[article.pk, older.pk]))

    assert response.status_code == 403


def _logged_in(client):
    client.force_login(make_editor())
    return client


def test_an_import_keeps_a_revision(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(scraped_page(), encoding="utf-8")

    call_command("import_articles", str(path), stdout=io.StringIO())

    article = Article.objects.get()
    comments = [v.revision.get_comment() for v in revisions.versions_of(article)]
    assert comments == [f"Imported from {article.source.slug}"]
    assert (
        len(revisions.snapshot(revisions.versions_of(article)[0]).blocks) == article.blocks.count()
    )


def test_reversions_own_revision_screen_leads_to_the_comparison(editor_client, article):
    older, newer = two_revisions(editor_client, article)

    response = editor_client.get(
        reverse("admin:articles_article_revision", args=[article.pk, older.pk])
    )

    compare = reverse("admin:articles_article_compare", args=[article.pk])
    assert (response.status_code, response.url) == (302, f"{compare}?a={older.pk}&b={newer.pk}")


def test_a_deleted_article_can_be_recovered_with_its_blocks(editor_client, article):
    save_in_admin(editor_client, article)
    version = revisions.versions_of(article).first()
    editor_client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    gone = Article.objects.filter(pk=article.pk).exists()
    url = reverse("admin:articles_article_recover", args=[version.pk])

    response = editor_client.post(url, form_values(editor_client.get(url).content))

    recovered = Article.objects.get(pk=article.pk)
    assert (gone, response.status_code) == (False, 302)
    assert list(recovered.blocks.values_list("position", "text_ar")) == [
        (1, "افتتح السوق صباح اليوم."),
        (2, "وحضر الافتتاح مئات الناس."),
    ]

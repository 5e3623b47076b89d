"""Editors and translation in the admin: queued on save, the action, the review screen."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult
from lxml import html

from articles.models import Article, ArticleBlock

from .admin_forms import form_data
from .factories import ArticleBlockFactory, ArticleFactory, make_editor
from .mt_engine import ScriptedEngine


@pytest.fixture(autouse=True)
def engine(settings):
    settings.MT_ENGINE = "test"
    settings.MT_EXTRA_ENGINES = {"test": "articles.tests.mt_engine.ScriptedEngine"}
    ScriptedEngine.reset()


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def article(db):
    article = ArticleFactory(title_ar="سوق جديد في المدينة", title_en="A new market in the city")
    ArticleBlockFactory(article=article, position=1, text_ar="افتتح السوق اليوم.", text_en=None)
    ArticleBlockFactory(
        article=article,
        position=2,
        text_ar="وزاره مئات الناس.",
        text_en="Hundreds of people visited it.",
        translation_origin="machine",
    )
    return article


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def review_url(article) -> str:
    return reverse("admin:articles_article_review", args=[article.pk])


@pytest.mark.django_db
def test_saving_changed_arabic_queues_a_translation(
    editor_client, article, django_capture_on_commit_callbacks
):
    data = form_data(editor_client, change_url(article))
    data["title_ar"] = "سوق جديد وكبير في المدينة"

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(article), data)

    article.refresh_from_db()
    assert response.status_code == 302
    assert (article.title_ar, article.translation_state) == ("سوق جديد وكبير في المدينة", "queued")
    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        (
            "articles.tasks.translate_article",
            {"args": [article.pk], "kwargs": {"force": False, "missing_only": False}},
        )
    ]


@pytest.mark.django_db
def test_saving_without_arabic_changes_queues_nothing(editor_client, article):
    data = form_data(editor_client, change_url(article))
    data["byline"] = "كاتب جديد"

    editor_client.post(change_url(article), data)

    article.refresh_from_db()
    assert (article.translation_state, DBTaskResult.objects.count()) == ("none", 0)


@pytest.mark.django_db
def test_english_typed_in_the_change_form_is_marked_reviewed(editor_client, editor, article):
    data = form_data(editor_client, change_url(article))
    block = article.blocks.get(position=2)
    prefix = next(
        key for key, value in data.items() if key.endswith("-id") and value == str(block.pk)
    )
    data[prefix.replace("-id", "-text_en")] = "Hundreds of people came."

    editor_client.post(change_url(article), data)

    block.refresh_from_db()
    assert (block.text_en, block.translation_origin, block.reviewed_by) == (
        "Hundreds of people came.",
        "reviewed",
        editor,
    )


@pytest.mark.django_db
def test_translate_action_queues_the_selected_articles(
    editor_client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "translate", "_selected_action": [article.pk]},
        )

    article.refresh_from_db()
    assert response.status_code == 302
    assert (article.translation_state, DBTaskResult.objects.count()) == ("queued", 1)


@pytest.mark.django_db
def test_translate_action_without_an_engine_says_how_to_set_one(editor_client, article, settings):
    settings.MT_ENGINE = "none"

    response = editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "translate", "_selected_action": [article.pk]},
        follow=True,
    )

    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "No translation engine is configured: set MT_ENGINE to libretranslate, deepl, "
        "openai or argos, with its options."
    ]
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_changelist_shows_each_articles_translation_state_and_why_it_failed(editor_client, article):
    machine = ArticleFactory(translation_state="machine")
    Article.objects.filter(pk=article.pk).update(
        translation_state="failed", translation_error="The engine cannot be reached."
    )

    response = editor_client.get(reverse("admin:articles_article_changelist"))

    page = html.fromstring(response.content.decode())
    cells = {
        row.xpath("string(.//input[@name='_selected_action']/@value)"): [
            text.strip() for text in row.xpath("td[contains(@class, 'field-translation')]//text()")
        ]
        for row in page.xpath("//table[@id='result_list']/tbody/tr")
    }
    assert cells == {
        # The admin speaks the site's language, as the test does.
        str(article.pk): [
            str(Article.TranslationState.FAILED.label),
            "The engine cannot be reached.",
        ],
        str(machine.pk): [str(Article.TranslationState.MACHINE.label)],
    }


@pytest.mark.django_db
def test_review_screen_shows_arabic_and_english_side_by_side(editor_client, article):
    response = editor_client.get(review_url(article))
    page = html.fromstring(response.content.decode())

    rows = page.xpath("//table[@class='review-table']/tbody/tr")
    assert response.status_code == 200
    assert len(rows) == 3  # the title and lead, then each block
    assert [row.xpath("string(td[@class='arabic']/p[1])").strip() for row in rows[1:]] == [
        "افتتح السوق اليوم.",
        "وزاره مئات الناس.",
    ]
    assert [
        (area.text or "").strip() for area in page.xpath("//textarea[contains(@name, 'text_en')]")
    ] == [
        "",
        "Hundreds of people visited it.",
    ]
    assert [row.xpath("string(td[@class='arabic']/@dir)") for row in rows] == ["rtl"] * 3
    assert [area.get("dir") for area in page.xpath("//textarea")] == ["ltr"] * 3


@pytest.mark.django_db
def test_review_screen_saves_edited_english_as_reviewed(editor_client, editor, article):
    data = form_data(editor_client, review_url(article))
    first = article.blocks.get(position=1)
    data[f"block-{first.pk}-text_en"] = "The market opened today."
    data["save"] = "1"

    response = editor_client.post(review_url(article), data)

    first.refresh_from_db()
    second = article.blocks.get(position=2)
    assert response.status_code == 302
    assert (first.text_en, first.translation_origin, first.reviewed_by) == (
        "The market opened today.",
        "reviewed",
        editor,
    )
    assert second.translation_origin == "machine"  # untouched English keeps its provenance


@pytest.mark.django_db
def test_review_screen_translate_missing_queues_only_missing_blocks(
    editor_client, article, django_capture_on_commit_callbacks
):
    data = form_data(editor_client, review_url(article))
    data["translate_missing"] = "1"

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(review_url(article), data)

    article.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert article.translation_state == "queued"
    assert task.args_kwargs == {
        "args": [article.pk],
        "kwargs": {"force": False, "missing_only": True},
    }


@pytest.mark.django_db
def test_review_screen_mark_reviewed_marks_every_english_text(editor_client, editor, article):
    data = form_data(editor_client, review_url(article))
    first = article.blocks.get(position=1)
    data[f"block-{first.pk}-text_en"] = "The market opened today."
    data["mark_reviewed"] = "1"

    editor_client.post(review_url(article), data)

    article.refresh_from_db()
    origins = list(article.blocks.order_by("position").values_list("translation_origin", flat=True))
    assert origins == ["reviewed", "reviewed"]
    assert (article.title_translation_origin, article.translation_state) == ("reviewed", "reviewed")


@pytest.mark.django_db
def test_review_screen_is_not_open_to_anonymous_readers(client, article):
    response = client.get(review_url(article))

    assert (response.status_code, response.url.split("?")[0]) == (302, reverse("admin:login"))


REVIEWED_AT = datetime.datetime(2026, 3, 4, 9, 30, tzinfo=datetime.UTC)
TRANSLATED_AT = datetime.datetime(2026, 3, 3, 18, 5, tzinfo=datetime.UTC)


def provenance(page) -> list[str]:
    """The provenance cell of each row, white space made single."""
    return [
        " ".join(cell.text_content().split())
        for cell in page.xpath("//table[@class='review-table']//p[@class='provenance']")
    ]


def shown(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@pytest.mark.django_db
def test_review_screen_says_who_reviewed_each_text_and_when(editor_client, article):
    reviewer = make_editor(username="salma")
    Article.objects.filter(pk=article.pk).update(
        title_translation_origin="reviewed",
        title_reviewed_by=reviewer,
        title_reviewed_at=REVIEWED_AT,
    )
    ArticleBlock.objects.filter(article=article, position=2).update(
        translation_engine="test", translated_at=TRANSLATED_AT
    )
    ArticleBlockFactory(
        article=article,
        position=3,
        text_ar="وعاد الباعة إلى الساحة.",
        text_en="The sellers came back to the square.",
        translation_origin="reviewed",
        reviewed_by=reviewer,
        reviewed_at=REVIEWED_AT,
    )

    page = html.fromstring(editor_client.get(review_url(article)).content.decode())

    with translation.override(settings.LANGUAGE_CODE):
        expected = [
            gettext("Reviewed by %(who)s, %(when)s") % {"who": "salma", "when": shown(REVIEWED_AT)},
            gettext("No English yet"),
            gettext("Machine translation: %(engine)s, %(when)s")
            % {"engine": "test", "when": shown(TRANSLATED_AT)},
            gettext("Reviewed by %(who)s, %(when)s") % {"who": "salma", "when": shown(REVIEWED_AT)},
        ]
    assert provenance(page) == expected


@pytest.mark.django_db
def test_review_screen_shows_why_the_title_needs_review(editor_client, article):
    note = "Glossary term(s) not rendered as expected: السوق"
    Article.objects.filter(pk=article.pk).update(title_needs_review=note)

    page = html.fromstring(editor_client.get(review_url(article)).content.decode())

    rows = page.xpath("//table[@class='review-table']/tbody/tr")
    assert [row.get("class") for row in rows] == ["needs-review", None, None]
    assert rows[0].xpath("string(.//p[@class='provenance']/strong)") == note


@pytest.mark.django_db
def test_review_screen_saving_the_english_title_clears_its_flag(editor_client, editor, article):
    Article.objects.filter(pk=article.pk).update(
        title_translation_origin="machine",
        title_needs_review="Glossary term(s) not rendered as expected: السوق",
    )
    data = form_data(editor_client, review_url(article))
    data["title_en"] = "A new souq in the city"
    data["save"] = "1"

    editor_client.post(review_url(article), data)

    article.refresh_from_db()
    assert (article.title_en, article.title_needs_review, article.title_reviewed_by) == (
        "A new souq in the city",
        "",
        editor,
    )


@pytest.mark.django_db
def test_review_screen_mark_reviewed_clears_the_title_flag(editor_client, article):
    Article.objects.filter(pk=article.pk).update(
        title_translation_origin="machine",
        title_needs_review="Glossary term(s) not rendered as expected: السوق",
    )
    data = form_data(editor_client, review_url(article))
    data["mark_reviewed"] = "1"

    editor_client.post(review_url(article), data)

    article.refresh_from_db()
    assert (article.title_translation_origin, article.title_needs_review) == ("reviewed", "")

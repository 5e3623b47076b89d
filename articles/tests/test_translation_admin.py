"""Editors and translation in the admin: queued on save, the action, the review screen."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from lxml import html

from articles.models import Article

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


def form_data(client, url: str) -> dict:
    """What a browser would post from the page's main form, unchanged."""
    page = html.fromstring(client.get(url).content.decode())
    # The page's main form: the one with the most fields (the header's logout form has one).
    form = max(page.xpath("//form[@method='post']"), key=lambda form: len(form.inputs))
    data = {}
    for field in form.inputs:
        kind = getattr(field, "type", field.tag)
        if field.name is None or kind in ("submit", "button", "file"):
            continue
        if kind == "checkbox":
            if field.checked:
                data[field.name] = field.value or "on"
            continue
        if field.tag == "select" and field.multiple:
            data[field.name] = list(field.value)
            continue
        value = field.value or ""
        data[field.name] = value.strip() if field.tag == "textarea" else value
    return data


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
def test_changelist_shows_each_articles_translation_state(editor_client, article):
    Article.objects.filter(pk=article.pk).update(translation_state="failed")

    response = editor_client.get(reverse("admin:articles_article_changelist"))

    assert response.context["cl"].list_display[-1] == "translation_state"
    assert [a.translation_state for a in response.context["cl"].result_list] == ["failed"]


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

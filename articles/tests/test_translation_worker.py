"""End to end: an editor's change in the admin is translated by the database worker.

Nothing is called directly: the admin change form is posted as a browser
would (inline formsets and their management data included), the save queues
the task once the transaction commits, `manage.py db_worker --batch` picks it
up, and the engine is the LibreTranslate engine talking to a local server
that speaks LibreTranslate's protocol.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from articles.machine_translation import pipeline
from articles.models import Article

from .admin_forms import form_data
from .engine_servers import LibreTranslateServer, fake_translation
from .factories import ArticleBlockFactory, ArticleFactory, UserFactory

API_KEY = "worker-test-key"
TITLE = "مكتبة جديدة في الحي"
PARAGRAPHS = ["افتتحت البلدية المكتبة صباح اليوم.", "وتضم المكتبة قاعة للمطالعة."]
EDITED = "وتضم المكتبة قاعة كبيرة للمطالعة وركنا للأطفال."


@pytest.fixture
def libretranslate(settings):
    with LibreTranslateServer(api_key=API_KEY) as server:
        settings.MT_ENGINE = "libretranslate"
        settings.MT_LIBRETRANSLATE_URL = server.url
        settings.MT_LIBRETRANSLATE_API_KEY = API_KEY
        settings.MT_AUTO_TRANSLATE = True
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        yield server


def run_worker() -> None:
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--queue-name",
        "default",
        verbosity=0,
    )


def block_prefix(data: dict, block) -> str:
    """The inline form prefix (`blocks-1`) of `block` in posted change-form data."""
    return next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.endswith("-id") and value == str(block.pk)
    )


@pytest.mark.django_db(transaction=True)
def test_arabic_edited_in_the_admin_is_translated_by_the_database_worker(client, libretranslate):
    article = ArticleFactory(title_ar=TITLE)
    blocks = [
        ArticleBlockFactory(article=article, position=position, text_ar=text)
        for position, text in enumerate(PARAGRAPHS, start=1)
    ]
    pipeline.translate_article(article_id=article.pk)  # the English as it stood before the edit
    libretranslate.requests.clear()
    # A superuser, not make_editor(): the Editors group comes from a data
    # migration, and an earlier transactional test may have flushed it away.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client, url)
    data[f"{block_prefix(data, blocks[1])}-text_ar"] = EDITED

    response = client.post(url, data)
    state_after_save = Article.objects.get(pk=article.pk).translation_state
    run_worker()

    article.refresh_from_db()
    english = list(article.blocks.order_by("position").values_list("text_en", "translation_origin"))
    sent = [request.json["q"] for request in libretranslate.requests_to("/translate")]
    task = DBTaskResult.objects.get()
    assert (response.status_code, state_after_save) == (302, "queued")
    assert (task.status, task.args_kwargs["args"]) == ("SUCCESSFUL", [article.pk])
    assert sent == [[EDITED]]  # the unchanged title and paragraph are not sent again
    assert (article.translation_state, article.translation_engine, article.title_en) == (
        "machine",
        "libretranslate",
        fake_translation(TITLE),
    )
    assert english == [
        (fake_translation(PARAGRAPHS[0]), "machine"),
        (fake_translation(EDITED), "machine"),
    ]

"""With REDIS_URL set, translation tasks go through RQ and an RQ worker does them."""

import django_rq.settings
import pytest
import redis
from django.core.management import call_command

from articles import services

from .factories import ArticleBlockFactory, ArticleFactory
from .mt_engine import ScriptedEngine

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_is_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not redis_is_up(), reason=f"no Redis answers at {REDIS_URL}")


@pytest.fixture
def rq_backend(settings, monkeypatch):
    settings.MT_ENGINE = "test"
    settings.MT_EXTRA_ENGINES = {"test": "articles.tests.mt_engine.ScriptedEngine"}
    # django-rq read its queues at import; point them at a database of their own.
    monkeypatch.setattr(
        django_rq.settings, "QUEUES", {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    ScriptedEngine.reset()
    yield
    connection.flushdb()


@pytest.mark.django_db(transaction=True)
def test_queued_translation_is_done_by_an_rq_worker(rq_backend):
    article = ArticleFactory(title_ar="مدرسة جديدة")
    ArticleBlockFactory(article=article, position=1, text_ar="افتتحت المدرسة أبوابها.")

    services.queue_translation(article=article)
    call_command(
        "rqworker",
        "default",
        "--burst",
        "--job-class",
        "django_tasks_rq.Job",
        "--worker-class",
        "rq.worker.SimpleWorker",  # no fork: the job sees the test's database
        verbosity=0,
    )

    article.refresh_from_db()
    assert (article.translation_state, article.title_en) == ("machine", "EN mdrsa jdyda")

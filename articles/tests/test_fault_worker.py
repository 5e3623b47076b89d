"""A worker killed mid-task leaves the task to be retried, not lost.

The workers here are real `manage.py db_worker` processes sharing the test
database; one is killed with SIGKILL while it waits on a translation engine,
so it never gets to say anything about its task. After `recover_tasks`, the
next worker does the task again, and it ends done once.
"""

import datetime
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import django_rq.settings
import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from articles import tasks
from articles.models import ArticleBlock, TranslationMemory

from .engine_servers import Answer, LibreTranslateServer, fake_translation
from .factories import ArticleBlockFactory, ArticleFactory

BASE_DIR = Path(settings.BASE_DIR)
TITLE = "جسر جديد فوق النهر"
PARAGRAPH = "افتتح الجسر صباح اليوم بعد عامين من العمل."
# Long enough for the test to kill the worker while it waits; the server's
# stop ends the wait early.
HELD_SECONDS = 120
REDIS_URL = "redis://127.0.0.1:6379/11"
RQ_JOB_CLASS = "django_tasks_rq.Job"


def redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class HeldLibreTranslate(LibreTranslateServer):
    """LibreTranslate that holds the first translation request and answers the others at once."""

    def answer(self, request):
        answer = super().answer(request)
        if request.path == "/translate" and len(self.requests_to("/translate")) == 1:
            return Answer(answer.status, answer.body, answer.headers, delay=HELD_SECONDS)
        return answer


@pytest.fixture
def held_engine():
    with HeldLibreTranslate() as server:
        yield server


@pytest.fixture
def shared_database(tmp_path):
    """A DATABASE_URL for worker processes that names this test's own database.

    PostgreSQL's test database is there for any process. SQLite's lives in
    this process's memory, so it is copied to a file and this test's
    connection moves to the file for the test's duration.
    """
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        user = urllib.parse.quote(database["USER"] or "", safe="")
        password = urllib.parse.quote(database["PASSWORD"] or "", safe="")
        credentials = f"{user}:{password}@" if password else f"{user}@"
        yield (
            f"postgres://{credentials}{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    in_memory, name = connection.connection, database["NAME"]
    copy = sqlite3.connect(path)
    in_memory.backup(copy)
    copy.close()
    connection.connection = None  # closing an in-memory database would destroy it
    database["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        database["NAME"] = name
        connection.connection = in_memory


@pytest.fixture
def worker_env(shared_database, held_engine):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        "DATABASE_URL": shared_database,
        "DJANGO_CONN_MAX_AGE": "0",
        "MT_ENGINE": "libretranslate",
        "MT_LIBRETRANSLATE_URL": held_engine.url,
        "MT_LIBRETRANSLATE_API_KEY": "",
        "MT_AUTO_TRANSLATE": "0",
    }


def db_worker(*options: str) -> list[str]:
    return [
        sys.executable,
        "manage.py",
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.1",
        *options,
    ]


def wait_for(condition, *, seconds: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the worker exited early: {log.read_text(errors='replace')[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_translation_whose_worker_was_killed_is_retried_and_done_once(
    worker_env, held_engine, tmp_path
):
    article = ArticleFactory(title_ar=TITLE, lead_ar="")
    block = ArticleBlockFactory(article=article, position=1, text_ar=PARAGRAPH)
    queued = tasks.translate_article.enqueue(article.pk)
    log = tmp_path / "worker.log"

    with log.open("wb") as output:
        doomed = subprocess.Popen(
            db_worker(), cwd=BASE_DIR, env=worker_env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_for(lambda: held_engine.requests_to("/translate"), seconds=60, process=doomed, log=log)
        os.kill(doomed.pid, signal.SIGKILL)
    finally:
        doomed.kill()
        doomed.wait(timeout=30)
    left_behind = DBTaskResult.objects.get(pk=queued.id).status
    recovered = io.StringIO()
    call_command("recover_tasks", "--older-than", "0", stdout=recovered)
    subprocess.run(
        db_worker("--batch"),
        cwd=BASE_DIR,
        env=worker_env,
        check=True,
        timeout=120,
        capture_output=True,
    )

    row = DBTaskResult.objects.get()
    article.refresh_from_db()
    block.refresh_from_db()
    assert (left_behind, recovered.getvalue()) == (
        "RUNNING",
        "1 task(s) left by a stopped worker queued again, 0 given up.\n",
    )
    assert (str(row.pk), row.status, len(row.worker_ids), row.return_value["state"]) == (
        str(queued.id),
        "SUCCESSFUL",
        2,
        "machine",
    )
    assert (article.translation_state, article.title_en, block.text_en) == (
        "machine",
        fake_translation(TITLE),
        fake_translation(PARAGRAPH),
    )
    assert (
        TranslationMemory.objects.count(),
        ArticleBlock.objects.filter(article=article).count(),
        len(held_engine.requests_to("/translate")),
    ) == (2, 1, 2)


def left_running(task, *, minutes_ago: float, claims: int) -> DBTaskResult:
    """A task as a worker that died `minutes_ago` minutes into it leaves it."""
    result = task.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        worker_ids=[f"worker-{n}" for n in range(claims)],
    )
    return DBTaskResult.objects.get(pk=result.id)


@pytest.mark.django_db
def test_recover_tasks_leaves_a_task_running_for_less_than_the_setting(settings):
    settings.TASKS_RECOVER_AFTER = 15 * 60
    recent = left_running(tasks.poll_sources, minutes_ago=14, claims=1)
    stale = left_running(tasks.poll_sources, minutes_ago=16, claims=1)

    call_command("recover_tasks", verbosity=0)

    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert (statuses[recent.pk], statuses[stale.pk]) == ("RUNNING", "READY")
    assert DBTaskResult.objects.get(pk=stale.pk).started_at is None


@pytest.mark.django_db
def test_recover_tasks_gives_up_on_a_task_whose_worker_stopped_every_time(settings):
    settings.TASKS_MAX_ATTEMPTS = 3
    twice = left_running(tasks.poll_sources, minutes_ago=60, claims=2)
    thrice = left_running(tasks.poll_sources, minutes_ago=60, claims=3)
    output = io.StringIO()

    call_command("recover_tasks", stdout=output)

    given_up = DBTaskResult.objects.get(pk=thrice.pk)
    assert (DBTaskResult.objects.get(pk=twice.pk).status, given_up.status) == ("READY", "FAILED")
    assert (given_up.exception_class_path, given_up.traceback) == (
        "articles.task_recovery.WorkerLost",
        "The worker running this task stopped 3 times (worker-0, worker-1, worker-2); "
        "it is not queued again.",
    )
    assert output.getvalue() == "1 task(s) left by a stopped worker queued again, 1 given up.\n"


@pytest.mark.django_db
def test_recover_tasks_dry_run_changes_nothing():
    stale = left_running(tasks.poll_sources, minutes_ago=60, claims=1)
    output = io.StringIO()

    call_command("recover_tasks", "--dry-run", stdout=output)

    assert DBTaskResult.objects.get(pk=stale.pk).status == "RUNNING"
    assert output.getvalue() == (
        f"would queue again: {stale.pk}\n"
        "1 task(s) left by a stopped worker would be queued again, 0 would be given up.\n"
    )


@pytest.mark.django_db
def test_schedule_polling_resumes_a_chain_whose_worker_died():
    stale = left_running(tasks.poll_sources, minutes_ago=60, claims=1)

    queued = tasks.schedule_polling()

    assert (queued, list(DBTaskResult.objects.values_list("pk", "status"))) == (
        False,
        [(stale.pk, "READY")],
    )


@pytest.mark.django_db
def test_schedule_polling_leaves_a_chain_that_is_running_now():
    running = left_running(tasks.poll_sources, minutes_ago=1, claims=1)

    queued = tasks.schedule_polling()

    assert (queued, list(DBTaskResult.objects.values_list("pk", "status"))) == (
        False,
        [(running.pk, "RUNNING")],
    )


@pytest.mark.django_db
def test_poll_sources_queues_no_second_next_run_when_one_is_waiting():
    waiting = tasks.poll_sources.enqueue()

    tasks.poll_sources.call()

    assert [
        (str(pk), status) for pk, status in DBTaskResult.objects.values_list("pk", "status")
    ] == [(waiting.id, "READY")]


@pytest.fixture
def rq_backend(settings, monkeypatch):
    # django-rq read its queues at import; point them at a Redis database of their own.
    monkeypatch.setattr(
        django_rq.settings, "QUEUES", {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.skipif(not redis_is_up(), reason=f"no Redis answers at {REDIS_URL}")
@pytest.mark.django_db(transaction=True)
def test_rq_translation_whose_work_horse_was_killed_is_retried_and_done_once(
    rq_backend, worker_env, held_engine, tmp_path
):
    article = ArticleFactory(title_ar=TITLE, lead_ar="")
    block = ArticleBlockFactory(article=article, position=1, text_ar=PARAGRAPH)
    queued = tasks.translate_article.enqueue(article.pk)
    registry = FailedJobRegistry(queue=django_rq.get_queue("default"))
    log = tmp_path / "rqworker.log"

    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "rqworker", "default", "--job-class", RQ_JOB_CLASS],
            cwd=BASE_DIR,
            env={**worker_env, "REDIS_URL": REDIS_URL},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: held_engine.requests_to("/translate"), seconds=60, process=worker, log=log)
        for horse in children_of(worker.pid):
            os.kill(horse, signal.SIGKILL)
        wait_for(lambda: queued.id in registry.get_job_ids(), seconds=30, process=worker, log=log)
        recovered = io.StringIO()
        call_command("recover_tasks", stdout=recovered)
        job = Job.fetch(queued.id, connection=rq_backend)
        wait_for(
            lambda: job.get_status(refresh=True) == "finished", seconds=60, process=worker, log=log
        )
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)

    article.refresh_from_db()
    block.refresh_from_db()
    assert recovered.getvalue() == "1 task(s) left by a stopped worker queued again, 0 given up.\n"
    assert [result.type.name for result in job.results()] == ["SUCCESSFUL", "FAILED"]
    assert (article.translation_state, article.title_en, block.text_en) == (
        "machine",
        fake_translation(TITLE),
        fake_translation(PARAGRAPH),
    )
    assert (TranslationMemory.objects.count(), len(held_engine.requests_to("/translate"))) == (
        2,
        2,
    )


@pytest.mark.skipif(not redis_is_up(), reason=f"no Redis answers at {REDIS_URL}")
@pytest.mark.django_db(transaction=True)
def test_rq_polling_chain_goes_on_only_on_a_worker_with_the_scheduler(rq_backend, worker_env):
    queued = tasks.poll_sources.using(
        run_after=timezone.now() + datetime.timedelta(seconds=1)
    ).enqueue()
    scheduled = ScheduledJobRegistry(queue=django_rq.get_queue("default"))
    time.sleep(1.5)  # the run is due
    rqworker = [sys.executable, "manage.py", "rqworker", "default", "--burst"]
    rqworker += ["--job-class", RQ_JOB_CLASS]
    env = {**worker_env, "REDIS_URL": REDIS_URL}

    subprocess.run(rqworker, cwd=BASE_DIR, env=env, check=True, timeout=60, capture_output=True)
    without_scheduler = Job.fetch(queued.id, connection=rq_backend).get_status()
    subprocess.run(
        [*rqworker, "--with-scheduler"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )

    next_runs = [Job.fetch(job_id, connection=rq_backend) for job_id in scheduled.get_job_ids()]
    assert (without_scheduler, Job.fetch(queued.id, connection=rq_backend).get_status()) == (
        "scheduled",
        "finished",
    )
    assert [job.func_name for job in next_runs] == ["articles.tasks.poll_sources"]

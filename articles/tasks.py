"""Background tasks (django-tasks): nothing here ever runs inside a request.

Each task may be run again from the start after its worker died mid-way
(articles/task_recovery.py puts it back in the queue), so each is written to
be repeated: translation skips what is already translated and remembered,
polling recognises the items it already stored.
"""

import logging

from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from . import importing, task_recovery
from .machine_translation import pipeline
from .models import Source

logger = logging.getLogger(__name__)


@task()
def translate_article(article_id: int, force: bool = False, missing_only: bool = False) -> dict:
    """Translate an article's missing or stale English; the report is the task's result."""
    report = pipeline.translate_article(
        article_id=article_id, force=force, missing_only=missing_only
    )
    return report.as_dict()


@task()
def poll_sources() -> dict:
    """Poll every due source, then queue the next run for when the next one is due.

    The chain is started once with `manage.py fetch_sources --schedule` (run it
    after deploying; `make run` does not): each run queues the next, so a
    worker keeps the sources fresh. On RQ the next run is a scheduled job,
    which only a worker started with `--with-scheduler` moves to the queue.
    Each run also queues again the tasks that dead workers left running.
    """
    task_recovery.recover_tasks()
    reports = {}
    try:
        for source in importing.due_sources(force=False):
            try:
                reports[source.slug] = importing.fetch_source(source=source, force=True).line()
            except Exception as error:  # one broken source must not stop the others
                logger.exception("Polling %s failed", source.slug)
                reports[source.slug] = f"{source.slug}: failed: {error}"
    finally:
        if not polling_waiting():
            poll_sources.using(run_after=importing.next_poll_time()).enqueue()
    for line in reports.values():
        logger.info(line)
    return reports


@task()
def fetch_source(source_id: int) -> str:
    """Poll one source now (the admin's "fetch now"), whatever its next check time."""
    source = Source.objects.get(pk=source_id)
    return importing.fetch_source(source=source, force=True).line()


def uses_database_backend() -> bool:
    return isinstance(task_backends[poll_sources.backend], DatabaseBackend)


def polling_waiting() -> bool:
    """Whether a run of the polling chain is already queued (known on the database backend).

    A run that was queued again after its worker died, while the first
    attempt was still going, must not fork the chain into two.
    """
    return (
        uses_database_backend()
        and DBTaskResult.objects.filter(task_path=poll_sources.module_path, status="READY").exists()
    )


def schedule_polling() -> bool:
    """Queue the first run of the polling chain, unless one is already waiting or running.

    A run that a dead worker left RUNNING is queued again first (once it is
    older than TASKS_RECOVER_AFTER), so that it never blocks the chain for good.
    """
    if uses_database_backend():
        task_recovery.recover_tasks()
        running = DBTaskResult.objects.filter(
            task_path=poll_sources.module_path, status__in=["READY", "RUNNING"]
        )
        if running.exists():
            return False
    poll_sources.enqueue()
    return True

"""Background tasks (django-tasks): nothing here ever runs inside a request."""

import logging

from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from . import importing
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

    The chain is started once with `manage.py fetch_sources --schedule` (and by
    `make run`); each run queues the next, so a worker keeps the sources fresh.
    """
    reports = {}
    try:
        for source in importing.due_sources(force=False):
            try:
                reports[source.slug] = importing.fetch_source(source=source, force=True).line()
            except Exception as error:  # one broken source must not stop the others
                logger.exception("Polling %s failed", source.slug)
                reports[source.slug] = f"{source.slug}: failed: {error}"
    finally:
        poll_sources.using(run_after=importing.next_poll_time()).enqueue()
    for line in reports.values():
        logger.info(line)
    return reports


@task()
def fetch_source(source_id: int) -> str:
    """Poll one source now (the admin's "fetch now"), whatever its next check time."""
    source = Source.objects.get(pk=source_id)
    return importing.fetch_source(source=source, force=True).line()


def schedule_polling() -> bool:
    """Queue the first run of the polling chain, unless one is already waiting."""
    if isinstance(task_backends[poll_sources.backend], DatabaseBackend):
        waiting = DBTaskResult.objects.filter(
            task_path=poll_sources.module_path, status__in=["READY", "RUNNING"]
        )
        if waiting.exists():
            return False
    poll_sources.enqueue()
    return True

"""Tasks a dead worker left behind: put back in the queue, so that they are retried, not lost.

A worker killed mid-task (kill -9, the OOM killer, a lost machine) never
reports back. What each backend then holds:

- django-tasks-db: `db_worker` marks the row RUNNING when it claims it and
  has no heartbeat, so the row stays RUNNING for ever and no worker looks at
  it again. A row RUNNING for longer than any task may take
  (`TASKS_RECOVER_AFTER` seconds) can only be a dead worker's: it is put back
  to READY, with its id, arguments and priority, and the next free worker
  runs it from the start.
- RQ: the worker's parent process sees its work-horse die ("Work-horse
  terminated unexpectedly"), or, when the whole worker died, another
  worker's maintenance finds the job's heartbeat expired (AbandonedJobError).
  Either way RQ retries a job only when it was queued with `Retry`, which
  django-tasks-rq never does, so the job lands in the FailedJobRegistry: it
  is requeued from there.

Our tasks may be run again from the start: translation skips what is already
translated and remembered, and an import recognises what it already stored.
A task that has been claimed `TASKS_MAX_ATTEMPTS` times is marked failed
instead, so that a task that kills its worker every time cannot loop for ever.
"""

import datetime
import logging
from dataclasses import dataclass, field

import django_rq
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import RQBackend
from django_tasks_rq.backend import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

logger = logging.getLogger(__name__)

# Longer than the longest task may run: the translation deadline (300 s by
# default) with a margin, and the 900 s RQ gives any job (RQ_QUEUES).
DEFAULT_RECOVER_AFTER = 15 * 60
DEFAULT_MAX_ATTEMPTS = 3
# How RQ words the two ways a worker dies under a job (rq 2.x and 3.x).
RQ_LOST_WORKER_MARKS = ("Work-horse terminated unexpectedly", "due to AbandonedJobError")


class WorkerLost(Exception):
    """The worker running a task died too many times: the task is given up."""


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)  # task ids put back in the queue
    given_up: list[str] = field(default_factory=list)  # task ids marked failed

    def line(self, *, dry_run: bool = False) -> str:
        would = "would be " if dry_run else ""
        return (
            f"{len(self.requeued)} task(s) left by a stopped worker {would}queued again, "
            f"{len(self.given_up)} {would}given up."
        )


def recover_after() -> datetime.timedelta:
    return datetime.timedelta(
        seconds=getattr(settings, "TASKS_RECOVER_AFTER", DEFAULT_RECOVER_AFTER)
    )


def max_attempts() -> int:
    return getattr(settings, "TASKS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)


def recover_tasks(
    *, older_than: datetime.timedelta | None = None, dry_run: bool = False
) -> Recovery:
    """Queue again the tasks that stopped workers left running, in every configured backend."""
    recovery = Recovery()
    for alias in settings.TASKS:
        backend = task_backends[alias]
        if isinstance(backend, DatabaseBackend):
            recover_database_tasks(
                backend_name=alias,
                older_than=recover_after() if older_than is None else older_than,
                dry_run=dry_run,
                recovery=recovery,
            )
        elif isinstance(backend, RQBackend):
            recover_rq_jobs(backend=backend, dry_run=dry_run, recovery=recovery)
    for task_id in recovery.requeued:
        logger.warning("Task %s was left by a stopped worker: queued again", task_id)
    for task_id in recovery.given_up:
        logger.error("Task %s stopped its worker %d times: given up", task_id, max_attempts())
    return recovery


def recover_database_tasks(
    *,
    backend_name: str,
    older_than: datetime.timedelta,
    dry_run: bool,
    recovery: Recovery,
) -> None:
    cutoff = timezone.now() - older_than
    stale = DBTaskResult.objects.running().filter(
        Q(started_at__lte=cutoff) | Q(started_at__isnull=True), backend_name=backend_name
    )
    for row in stale:
        # Only the row as it was read: a worker that was merely slow and has just
        # finished it (or a recovery running at the same time) wins.
        same_claim = DBTaskResult.objects.filter(
            pk=row.pk, status=row.status, started_at=row.started_at
        )
        if len(row.worker_ids) >= max_attempts():
            if dry_run or same_claim.update(
                status="FAILED",
                finished_at=timezone.now(),
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=(
                    f"The worker running this task stopped {len(row.worker_ids)} times "
                    f"({', '.join(row.worker_ids)}); it is not queued again."
                ),
            ):
                recovery.given_up.append(str(row.pk))
        elif dry_run or same_claim.update(status="READY", started_at=None):
            recovery.requeued.append(str(row.pk))


def recover_rq_jobs(*, backend: RQBackend, dry_run: bool, recovery: Recovery) -> None:
    for queue_name in sorted(backend.queues):
        queue = django_rq.get_queue(queue_name, job_class=Job)
        if not dry_run:
            # A whole worker that died leaves its job STARTED until its heartbeat
            # expires (at most 90 s); this moves it to the failed jobs now rather
            # than at another worker's next maintenance, up to 10 minutes later.
            StartedJobRegistry(queue=queue).cleanup()
        registry = FailedJobRegistry(queue=queue)
        for job_id in registry.get_job_ids():
            job = queue.fetch_job(job_id)
            if job is None:
                continue
            failures = [
                result.exc_string or ""
                for result in job.results()
                if result.type == result.Type.FAILED
            ]
            if not failures or not any(mark in failures[0] for mark in RQ_LOST_WORKER_MARKS):
                continue  # the task itself failed: that is its result, not a lost worker
            if len(failures) >= max_attempts():
                if job_id not in recovery.given_up:
                    recovery.given_up.append(job_id)
                continue
            if not dry_run:
                registry.requeue(job)
            recovery.requeued.append(job_id)

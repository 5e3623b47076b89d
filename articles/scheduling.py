"""Scheduled publishing and expiry, done by a worker without anyone present.

`publish_due` publishes the scheduled articles whose time has come and
archives those whose expiry time has come. The `publish_scheduled` task runs
it and queues its own next run for the next publication or expiry time (at
most NEWSROOM_SCHEDULE_CHECK_SECONDS away); saving a scheduled article in the
admin also queues a run for its time, and `manage.py publish_scheduled` does
the same by hand. Readers never see an article before its time or after its
expiry whether or not a run is late: `Article.objects.published()` checks
both times itself; the run moves the status and refreshes cached pages.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from . import audit, changes
from .models import Article

logger = logging.getLogger(__name__)


@transaction.atomic
def publish_due(*, now: datetime.datetime | None = None) -> tuple[list[int], list[int]]:
    """Publish what is due, archive what has expired; returns both lists of ids."""
    now = now or timezone.now()
    expired = list(
        Article.objects.due_for_expiry(now=now).select_for_update().values_list("pk", flat=True)
    )
    Article.objects.filter(pk__in=expired).update(status=Article.Status.ARCHIVED, updated_at=now)
    published = list(
        Article.objects.due_for_publishing(now=now).select_for_update().values_list("pk", flat=True)
    )
    Article.objects.filter(pk__in=published).update(status=Article.Status.PUBLISHED, updated_at=now)
    audit.record_articles(action=audit.Action.PUBLISHED, article_ids=published, detail="scheduled")
    audit.record_articles(action=audit.Action.EXPIRED, article_ids=expired)
    changes.articles_changed(published + expired)  # update() sends no signal
    return published, expired


def next_due(*, now: datetime.datetime) -> datetime.datetime | None:
    """The next time a scheduled article goes live or a live one expires."""
    times = [
        Article.objects.filter(status=Article.Status.SCHEDULED, published_at__gt=now).aggregate(
            at=Min("published_at")
        )["at"],
        Article.objects.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED], expires_at__gt=now
        ).aggregate(at=Min("expires_at"))["at"],
    ]
    times = [time for time in times if time is not None]
    return min(times) if times else None


def next_run(*, now: datetime.datetime) -> datetime.datetime:
    latest = now + datetime.timedelta(seconds=settings.NEWSROOM_SCHEDULE_CHECK_SECONDS)
    due = next_due(now=now)
    return min(due, latest) if due else latest


@task()
def publish_scheduled() -> dict:
    """Publish and expire what is due, then queue the next run of this chain."""
    try:
        published, expired = publish_due()
    finally:
        publish_scheduled.using(run_after=next_run(now=timezone.now())).enqueue()
    if published or expired:
        logger.info("Published %s, expired %s", published, expired)
    return {"published": published, "expired": expired}


@task()
def publish_due_now() -> dict:
    """One run at a time an editor chose (queued when they save); it queues nothing more."""
    published, expired = publish_due()
    return {"published": published, "expired": expired}


def queue_run_at(when: datetime.datetime) -> None:
    """Make sure a run happens at `when` (an editor scheduled something for then)."""
    transaction.on_commit(lambda: publish_due_now.using(run_after=when).enqueue())


def start_chain() -> bool:
    """Queue the first run of the chain, unless one is already waiting (database backend)."""
    if isinstance(task_backends[publish_scheduled.backend], DatabaseBackend):
        waiting = DBTaskResult.objects.filter(
            task_path=publish_scheduled.module_path, status__in=["READY", "RUNNING"]
        )
        if waiting.exists():
            return False
    publish_scheduled.enqueue()
    return True

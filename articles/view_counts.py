"""Counting article views without a database write per view.

A view adds one to a buffer in this process (a dictionary: no round trip on
the hot path). With REDIS_URL set, the process moves what it counted into a
Redis hash shared by every process at least every PUSH_SECONDS; without it,
the dictionary is the buffer. `flush()` moves this process's views on first,
then writes the buffer to the database (the article's total and its hour's
count, each incremented by the database so that concurrent flushes never
lose a view). It runs every NEWSROOM_VIEW_FLUSH_SECONDS in a background thread
of each process, and when a gunicorn worker exits (`worker_exit` in
newsroom/gunicorn.conf.py); no management command runs it. Reading and
emptying the buffer is atomic (a Redis RENAME, a lock here), so a view counted
while a flush runs goes into the next flush, never nowhere. A worker killed
without its exit hook loses at most its last PUSH_SECONDS of views.
"""

import datetime
import logging
import threading
import time
import uuid
from collections import Counter

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

logger = logging.getLogger(__name__)
PENDING = "newsroom:views:pending"
# How often a process moves the views it counted into the shared Redis hash.
PUSH_SECONDS = 1.0
# "Most read": views of the last day, ranked when views are written and at
# least every RANK_MAX_AGE seconds (hours leave the window without a view).
MOST_READ_WINDOW = datetime.timedelta(hours=24)
RANKED = 50
RANK_MAX_AGE = 60.0
_ranked_at = float("-inf")


def _hour(at: datetime.datetime) -> int:
    return int(at.replace(minute=0, second=0, microsecond=0).timestamp())


class MemoryBuffer:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()

    def add(self, article_id: int, hour: int) -> None:
        with self.lock:
            self.counts[(article_id, hour)] += 1

    def take(self) -> Counter:
        with self.lock:
            taken, self.counts = self.counts, Counter()
        return taken

    def put_back(self, counts: Counter) -> None:
        with self.lock:
            self.counts.update(counts)

    def push(self) -> None:
        """Nothing to move: this dictionary is the buffer."""


class RedisBuffer:
    def __init__(self, url: str):
        import redis  # only with REDIS_URL

        self.client = redis.Redis.from_url(url)
        self.errors = redis.ResponseError
        # Counted here first: a Redis round trip per view would cost a cached
        # page more than a tenth of its time.
        self.local = MemoryBuffer()

    def add(self, article_id: int, hour: int) -> None:
        self.local.add(article_id, hour)

    def push(self) -> None:
        """Move this process's views into the shared hash (kept here if Redis fails)."""
        counts = self.local.take()
        if not counts:
            return
        try:
            self._increment(counts)
        except Exception:
            self.local.put_back(counts)
            raise

    def take(self) -> Counter:
        self.push()
        flushing = f"{PENDING}:flushing:{uuid.uuid4().hex}"
        try:
            self.client.rename(PENDING, flushing)
        except self.errors as error:
            if "no such key" in str(error).lower():  # nothing is pending
                return Counter()
            raise
        raw = self.client.hgetall(flushing)
        self.client.delete(flushing)
        counts = Counter()
        for field, value in raw.items():
            article_id, hour = field.decode().split(":")
            counts[(int(article_id), int(hour))] += int(value)
        return counts

    def put_back(self, counts: Counter) -> None:
        self._increment(counts)

    def _increment(self, counts: Counter) -> None:
        # MULTI/EXEC: all or nothing, so that a failed push put back is never counted twice.
        pipe = self.client.pipeline()
        for (article_id, hour), value in counts.items():
            pipe.hincrby(PENDING, f"{article_id}:{hour}", value)
        pipe.execute()


_buffer = None
_buffer_lock = threading.Lock()
_flusher_started = False


def buffer():
    global _buffer
    if _buffer is None:
        with _buffer_lock:
            if _buffer is None:
                _buffer = RedisBuffer(settings.REDIS_URL) if settings.REDIS_URL else MemoryBuffer()
    return _buffer


def reset_buffer() -> None:
    """Forget the buffer (tests change REDIS_URL)."""
    global _buffer
    _buffer = None


def count_view(*, article_id: int, at: datetime.datetime | None = None) -> None:
    """One more view of an article: a buffer write, no database query."""
    buffer().add(article_id, _hour(at or timezone.now()))
    _start_flusher()


def flush() -> int:
    """Write the buffered views to the database; returns how many were written."""
    from .models import Article, HourlyViews

    counts = buffer().take()
    if not counts:
        return 0
    try:
        totals = Counter()
        for (article_id, _), value in counts.items():
            totals[article_id] += value
        with transaction.atomic():
            published = set(
                Article.objects.published().filter(pk__in=totals).values_list("pk", flat=True)
            )
            for article_id in published:
                Article.objects.filter(pk=article_id).update(
                    view_count=F("view_count") + totals[article_id]
                )
            for (article_id, hour), value in counts.items():
                if article_id not in published:
                    continue
                when = datetime.datetime.fromtimestamp(hour, tz=datetime.UTC)
                this_hour = HourlyViews.objects.filter(article_id=article_id, hour=when)
                if not this_hour.update(count=F("count") + value):
                    try:
                        with transaction.atomic():
                            HourlyViews.objects.create(
                                article_id=article_id, hour=when, count=value
                            )
                    except IntegrityError:  # another flush created this hour's row first
                        this_hour.update(count=F("count") + value)
    except Exception:
        buffer().put_back(counts)  # the views wait for the next flush
        raise
    if published:
        rank_most_read()
    return sum(totals[article_id] for article_id in published)


def rank_most_read(*, now: datetime.datetime | None = None) -> int:
    """Rank articles by their views of the last MOST_READ_WINDOW into `MostRead`.

    Keeps the RANKED first (more than the home page shows, so that one taken
    down leaves the list full). The ranking is replaced in one transaction;
    when two processes rank at once, the second one's insert fails on the
    first one's rows and that ranking stands. Returns how many were ranked.
    """
    from .models import HourlyViews, MostRead

    now = now or timezone.now()
    totals = (
        HourlyViews.objects.filter(hour__gte=now - MOST_READ_WINDOW, article__in=_rankable())
        .values("article_id")
        .annotate(total=Sum("count"))
        .order_by("-total", "-article_id")[:RANKED]
    )
    rows = [
        MostRead(article_id=row["article_id"], views=row["total"], ranked_at=now) for row in totals
    ]
    try:
        with transaction.atomic():
            MostRead.objects.all().delete()
            MostRead.objects.bulk_create(rows)
    except IntegrityError:
        return 0
    global _ranked_at
    _ranked_at = time.monotonic()
    return len(rows)


def _rankable():
    from .models import Article

    return Article.objects.published().values("pk")


def _start_flusher() -> None:
    global _flusher_started
    if _flusher_started or settings.NEWSROOM_VIEW_FLUSH_SECONDS <= 0:
        return
    with _buffer_lock:
        if _flusher_started:
            return
        _flusher_started = True
        threading.Thread(target=_flush_forever, name="view-count-flusher", daemon=True).start()


def _flush_forever() -> None:
    flush_every = settings.NEWSROOM_VIEW_FLUSH_SECONDS
    next_flush = time.monotonic() + flush_every
    while True:
        time.sleep(min(PUSH_SECONDS, flush_every))
        try:
            if time.monotonic() < next_flush:
                buffer().push()
                continue
            next_flush = time.monotonic() + flush_every
            close_old_connections()
            if not flush() and time.monotonic() - _ranked_at > RANK_MAX_AGE:
                rank_most_read()
        except Exception:
            logger.exception("Moving or flushing view counts failed; they are kept for the next")
        finally:
            connection.close()

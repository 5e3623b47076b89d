"""Keeping the search index current: index an article, or rebuild the whole index.

`index_articles` reads articles and their blocks, normalises their text and
stores it with the backend's index (a tsvector on PostgreSQL, an FTS5 row on
SQLite). It is called:

- by signal receivers (signals.py) whenever an article or one of its blocks
  is saved or deleted, the admin included: through `article_changed`;
- by the writes that bypass signals (`QuerySet.update()` of English text,
  of status on publishing and unpublishing, in services.py and in the
  translation pipeline): through `articles_changed`;
- by `rebuild_index` (the `rebuild_search_index` command, migration 0006).

Whether an article may be shown is checked when searching (its time against
the clock, and the page shown goes through `Article.objects.published()`),
so that scheduled articles appear when their time comes without re-indexing.
"""

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.apps import apps as global_apps
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q

from . import sqlite
from .backends import backend
from .documents import ARTICLE_FIELDS, BLOCK_FIELDS, SearchText

logger = logging.getLogger(__name__)

BATCH_SIZE = 500

# Articles changed in the current transaction, indexed again once it commits.
_pending = threading.local()


def index_articles(article_ids: Iterable[int], *, apps=global_apps) -> int:
    """(Re)index these articles now; those that no longer exist leave the index.

    `apps` is the app registry to take the models from: a migration passes
    its historical one. Returns how many articles were indexed.
    """
    Article = apps.get_model("articles", "Article")
    ArticleBlock = apps.get_model("articles", "ArticleBlock")
    SearchDocument = apps.get_model("articles", "SearchDocument")
    ids = set(article_ids)
    if not ids:
        return 0
    implementation = backend()
    # One savepoint around reads and writes: when this fails inside a caller's
    # transaction, that transaction can go on.
    with transaction.atomic():
        blocks = defaultdict(list)
        for block in (
            ArticleBlock.objects.filter(article_id__in=ids)
            .order_by("article_id", "position")
            .values(*BLOCK_FIELDS)
        ):
            blocks[block["article_id"]].append(block)
        texts = [
            SearchText.of(article, blocks[article["pk"]])
            for article in Article.objects.filter(pk__in=ids).values(*ARTICLE_FIELDS)
        ]
        gone = ids - {text.article_id for text in texts}
        if texts:
            implementation.write(SearchDocument, texts)
        if gone:
            implementation.remove(SearchDocument, sorted(gone))
    return len(texts)


def index_article(article_id: int) -> int:
    return index_articles([article_id])


def article_changed(article_id: int) -> None:
    articles_changed([article_id])


def articles_changed(article_ids: Iterable[int]) -> None:
    """Index articles whose text or listing may have changed: now, and again after the commit.

    Now, so that the transaction that changed them already finds them (an
    admin save, a test). Again once the transaction commits, because writes
    that send no signal may follow the one that called this in the same
    transaction (an import saves the article, then bulk-creates its blocks).
    A failure to index is logged, never passed on: an editor's save must not
    fail because of the search index, which the next save or
    `rebuild_search_index` puts right.
    """
    ids = set(article_ids)
    try:
        index_articles(ids)
    except DatabaseError:
        logger.exception("Could not index articles %s for search", sorted(ids))
    if connection.in_atomic_block:
        _pending.__dict__.setdefault("ids", set()).update(ids)
        transaction.on_commit(_index_pending, robust=True)


def _index_pending() -> None:
    pending = _pending.__dict__.setdefault("ids", set())
    ids = set(pending)
    pending.clear()
    if ids:
        index_articles(ids)


def article_deleted(article_id: int) -> None:
    """Take a deleted article out of the index (its SearchDocument goes with it)."""
    if connection.vendor == "sqlite":
        sqlite.remove_rows([article_id])


def _batches(ids: list[int], size: int):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def stale_article_ids(*, apps=global_apps) -> list[int]:
    """Articles never indexed, or changed after they were (by a write that bypassed this module)."""
    Article = apps.get_model("articles", "Article")
    return list(
        Article.objects.filter(
            Q(search_document__isnull=True) | Q(updated_at__gt=F("search_document__indexed_at"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def rebuild_index(
    *,
    article_ids: list[int] | None = None,
    batch_size: int = BATCH_SIZE,
    apps=global_apps,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Index every article again (or those of `article_ids`), `batch_size` per transaction.

    Returns how many articles were indexed.
    """
    if article_ids is None:
        Article = apps.get_model("articles", "Article")
        article_ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        if connection.vendor == "sqlite":
            sqlite.remove_orphans()
    done = 0
    for batch in _batches(article_ids, batch_size):
        done += index_articles(batch, apps=apps)
        if progress is not None:
            progress(done, len(article_ids))
    return done

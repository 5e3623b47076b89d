"""What must follow any change to an article: its search entry and its cached pages.

Saves and deletes through the ORM reach both by signals (search/signals.py,
cache_signals.py). Writes made with QuerySet.update() send no signal: the
services, the translation pipeline and the importer call these instead.
"""

from collections.abc import Iterable

from . import page_cache
from .models import Article
from .search import index as search_index


def articles_changed(article_ids: Iterable[int]) -> None:
    ids = list(article_ids)
    search_index.articles_changed(ids)
    # One batch: the related-story and ticker lookups run once for all of
    # them, and every tag they touch gets its new version in one round trip.
    articles = list(Article.objects.filter(pk__in=ids).select_related("source", "section"))
    if articles:
        page_cache.articles_changed(articles)


def article_changed(article_id: int) -> None:
    articles_changed([article_id])

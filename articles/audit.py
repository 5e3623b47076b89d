"""The audit trail: who published, featured, translated, reviewed, changed what, and when.

Services write it in the same transaction as the change they record, so an
entry exists exactly when the change does. The admin lists it, read-only.
"""

from collections.abc import Iterable

from .models import Article, AuditEntry

Action = AuditEntry.Action


def record(
    *, action: str, actor=None, article: Article | None = None, subject: str = "", detail=""
):
    """One entry; `subject` defaults to the article's title."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        article=article,
        subject=(subject or (article.title_ar if article else ""))[:500],
        detail=detail,
    )


def record_articles(*, action: str, actor=None, article_ids: Iterable[int], detail: str = ""):
    """One entry per article, in one query for the titles and one insert."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    articles = Article.objects.filter(pk__in=list(article_ids)).only("pk", "title_ar")
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action=action,
            actor=actor,
            article=article,
            subject=article.title_ar[:500],
            detail=detail,
        )
        for article in articles
    )

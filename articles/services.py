"""Writes: every change to stored news goes through a function here.

Each function takes keyword-only arguments, runs in one transaction and leaves
the database consistent when it raises. Imports have their own module,
importing.py.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from . import audit, changes, revisions
from .models import Article, ArticleBlock, TickerHeadline, TranslationOrigin


@transaction.atomic
def publish_articles(*, articles, by=None) -> int:
    """Publish drafts, scheduled and archived articles now; each keeps a revision.

    An article without a time, or with one still in the future, gets "now".
    """
    now = timezone.now()
    ids = [article.pk for article in articles]
    queryset = Article.objects.filter(pk__in=ids).exclude(status=Article.Status.PUBLISHED)
    changed = list(queryset.values_list("pk", flat=True))
    # QuerySet.update() skips auto_now: updated_at is set by hand, as feeds and
    # sitemaps date themselves by it.
    queryset.filter(Q(published_at__isnull=True) | Q(published_at__gt=now)).update(
        status=Article.Status.PUBLISHED, published_at=now, updated_at=now
    )
    queryset.update(status=Article.Status.PUBLISHED, updated_at=now)
    _record(ids=changed, action=audit.Action.PUBLISHED, by=by, comment="Published")
    changes.articles_changed(ids)  # update() sends no signal
    return len(changed)


@transaction.atomic
def unpublish_articles(*, articles, by=None) -> int:
    """Take articles off the site; they go back to drafts, nothing else changes."""
    ids = [article.pk for article in articles]
    queryset = Article.objects.filter(pk__in=ids).filter(
        status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED]
    )
    changed = list(queryset.values_list("pk", flat=True))
    queryset.update(status=Article.Status.DRAFT, updated_at=timezone.now())
    _record(ids=changed, action=audit.Action.UNPUBLISHED, by=by, comment="Unpublished")
    changes.articles_changed(ids)  # update() sends no signal
    return len(changed)


@transaction.atomic
def set_featured(*, articles, featured: bool, by=None) -> int:
    ids = [article.pk for article in articles]
    count = Article.objects.filter(pk__in=ids).update(
        is_featured=featured, updated_at=timezone.now()
    )
    action = audit.Action.FEATURED if featured else audit.Action.UNFEATURED
    audit.record_articles(action=action, actor=by, article_ids=ids)
    changes.articles_changed(ids)  # update() sends no signal
    return count


def _record(*, ids, action, by, comment) -> None:
    """The audit entries and a revision for a change of status made with update()."""
    audit.record_articles(action=action, actor=by, article_ids=ids)
    revisions.record(article_ids=ids, user=by, comment=comment)


@transaction.atomic
def move_ticker_headline(*, headline: TickerHeadline, direction: str) -> bool:
    """Swap a headline with its neighbour above ("up") or below ("down").

    Positions are unique in the database, so the swap parks one headline on a
    free position first. Returns False when there is no neighbour that way.
    """
    headlines = TickerHeadline.objects.select_for_update()
    headline = headlines.get(pk=headline.pk)
    if direction == "up":
        neighbour = headlines.filter(position__lt=headline.position).order_by("-position").first()
    elif direction == "down":
        neighbour = headlines.filter(position__gt=headline.position).order_by("position").first()
    else:
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    if neighbour is None:
        return False
    free = (TickerHeadline.objects.aggregate(top=Max("position"))["top"] or 0) + 1
    mine, theirs = headline.position, neighbour.position
    TickerHeadline.objects.filter(pk=headline.pk).update(position=free)
    TickerHeadline.objects.filter(pk=neighbour.pk).update(position=mine)
    TickerHeadline.objects.filter(pk=headline.pk).update(position=theirs)
    return True


def translation_enabled() -> bool:
    return settings.MT_ENGINE not in ("", "none")


def queue_translation(
    *, article: Article, force: bool = False, missing_only: bool = False, by=None
) -> bool:
    """Mark the article queued and hand it to a worker once this transaction commits.

    Returns False (and queues nothing) when no engine is configured. The
    article itself, its Arabic and its status, is not touched.
    """
    # Imported here: tasks import importing, which imports this module.
    from .tasks import translate_article

    if not translation_enabled():
        return False
    Article.objects.filter(pk=article.pk).update(
        translation_state=Article.TranslationState.QUEUED, translation_error=""
    )
    if by is not None:
        audit.record(action=audit.Action.TRANSLATION_QUEUED, actor=by, article=article)
    article_id = article.pk
    transaction.on_commit(
        lambda: translate_article.enqueue(article_id, force=force, missing_only=missing_only)
    )
    return True


@transaction.atomic
def mark_english_reviewed(*, article: Article, user, blocks=None, title: bool = True) -> int:
    """Mark English an editor wrote or checked as reviewed: no machine run overwrites it."""
    now = timezone.now()
    count = 0
    if title and article.title_en:
        count += Article.objects.filter(pk=article.pk).update(
            title_translation_origin=TranslationOrigin.REVIEWED,
            title_reviewed_by=user,
            title_reviewed_at=now,
            title_needs_review="",
        )
    blocks = article.blocks.all() if blocks is None else blocks
    ids = [block.pk for block in blocks if block.text_en]
    count += ArticleBlock.objects.filter(pk__in=ids).update(
        translation_origin=TranslationOrigin.REVIEWED,
        reviewed_by=user,
        reviewed_at=now,
        needs_review="",
    )
    Article.objects.filter(pk=article.pk).update(updated_at=now)
    refresh_translation_state(article_id=article.pk)
    _record(ids=[article.pk], action=audit.Action.REVIEWED, by=user, comment="English reviewed")
    changes.article_changed(article.pk)  # update() sends no signal
    return count


def refresh_translation_state(*, article_id: int) -> str:
    """Reviewed when every unit with Arabic has reviewed English; the state is left otherwise."""
    article = Article.objects.get(pk=article_id)
    blocks = [block for block in article.blocks.all() if block.text_ar]
    reviewed = article.title_translation_origin == TranslationOrigin.REVIEWED and all(
        block.translation_origin == TranslationOrigin.REVIEWED for block in blocks
    )
    if reviewed and article.translation_state != Article.TranslationState.REVIEWED:
        Article.objects.filter(pk=article_id).update(
            translation_state=Article.TranslationState.REVIEWED, translation_error=""
        )
        return Article.TranslationState.REVIEWED
    return article.translation_state


@transaction.atomic
def save_english(*, article: Article, user, title_en: str, lead_en: str, blocks: dict) -> int:
    """Store English an editor wrote; every unit it changed is marked reviewed by them.

    `blocks` maps a block's id to its (text_en, attribution_en). Units the
    editor left as they were keep their provenance. Returns how many changed.
    """
    now = timezone.now()
    changed = 0
    article = Article.objects.select_for_update().get(pk=article.pk)
    if (title_en, lead_en) != (article.title_en or "", article.lead_en or ""):
        Article.objects.filter(pk=article.pk).update(
            title_en=title_en or None,
            lead_en=lead_en or None,
            title_translation_origin=TranslationOrigin.REVIEWED
            if title_en
            else TranslationOrigin.NONE,
            title_reviewed_by=user,
            title_reviewed_at=now,
            title_needs_review="",
        )
        changed += 1
    for block in ArticleBlock.objects.select_for_update().filter(article=article, pk__in=blocks):
        text_en, attribution_en = blocks[block.pk]
        if (text_en, attribution_en) == (block.text_en or "", block.attribution_en or ""):
            continue
        ArticleBlock.objects.filter(pk=block.pk).update(
            text_en=text_en or None,
            attribution_en=attribution_en or None,
            translation_origin=TranslationOrigin.REVIEWED if text_en else TranslationOrigin.NONE,
            reviewed_by=user,
            reviewed_at=now,
            needs_review="",
        )
        changed += 1
    if changed:
        revised = {"revised_at": now} if article.is_published else {}
        Article.objects.filter(pk=article.pk).update(updated_at=now, **revised)
    changes.article_changed(article.pk)  # update() sends no signal
    refresh_translation_state(article_id=article.pk)
    if changed:
        _record(ids=[article.pk], action=audit.Action.REVIEWED, by=user, comment="English edited")
    return changed

"""Invalidate cached pages when what they show is saved or deleted through the ORM.

Writes made with QuerySet.update() send no signals; the services that make
them call page_cache.article_changed() themselves (through articles.changes).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import page_cache
from .models import Article, ArticleBlock, Section, Source, TickerHeadline

# What pages show of a source: a change to any other field (the polling state)
# re-renders nothing but the lists.
SOURCE_SHOWN = ("slug", "name", "name_ar", "name_en")


@receiver(post_save, sender=Article)
def article_saved(sender, instance, created=False, update_fields=None, **kwargs):
    # A new article is nobody's related story yet; a save of fields that
    # related stories do not show leaves those pages alone (and costs no query).
    shown_in_related = not created and (
        update_fields is None or bool(page_cache.SHOWN_IN_RELATED & set(update_fields))
    )
    page_cache.article_changed(instance, with_related=shown_in_related)


@receiver(pre_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    # Before the delete, while its links to related stories still exist.
    page_cache.article_changed(instance)


@receiver([post_save, post_delete], sender=ArticleBlock)
def block_saved(sender, instance, **kwargs):
    article = Article.objects.filter(pk=instance.article_id).select_related("source", "section")
    for found in article:
        # Related stories show titles only, never blocks.
        page_cache.article_changed(found, with_related=False)


@receiver([post_save, post_delete], sender="articles.Correction")
def correction_saved(sender, instance, **kwargs):
    # Corrections show under their article, and date it in the feeds.
    article = Article.objects.filter(pk=instance.article_id).select_related("source", "section")
    for found in article:
        page_cache.article_changed(found, with_related=False)


@receiver(m2m_changed, sender=Article.related.through)
def related_changed(sender, instance, action, pk_set=None, **kwargs):
    if action == "pre_clear":
        # post_clear no longer knows which articles lost their link.
        pk_set = set(instance.related.values_list("pk", flat=True))
    elif action not in ("post_add", "post_remove"):
        return
    page_cache.bump(
        page_cache.article_tag(instance.pk), *(page_cache.article_tag(pk) for pk in pk_set or ())
    )


@receiver([post_save, post_delete], sender=TickerHeadline)
def ticker_saved(sender, instance, **kwargs):
    page_cache.bump(page_cache.TICKER)


@receiver([post_save, post_delete], sender=Section)
def section_saved(sender, instance, **kwargs):
    page_cache.bump(page_cache.SECTIONS, page_cache.section_tag(instance.slug), page_cache.LISTS)


@receiver(pre_save, sender=Source)
def source_about_to_be_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """Remember what the pages show of the source as it was, to compare after the save."""
    instance._shown_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(SOURCE_SHOWN) & set(update_fields):
        return
    instance._shown_before = Source.objects.filter(pk=instance.pk).values(*SOURCE_SHOWN).first()


@receiver(post_save, sender=Source)
def source_saved(sender, instance, created=False, **kwargs):
    tags = [page_cache.source_tag(instance.slug), page_cache.LISTS]
    before = getattr(instance, "_shown_before", None)
    if before is not None:
        # A new slug leaves pages at the old URL (its source page and feeds).
        tags.append(page_cache.source_tag(before["slug"]))
        if any(before[field] != getattr(instance, field) for field in SOURCE_SHOWN):
            tags.extend(page_cache.source_shown_on(instance))
    page_cache.bump(*tags)


@receiver(post_delete, sender=Source)
def source_deleted(sender, instance, **kwargs):
    page_cache.bump(page_cache.source_tag(instance.slug), page_cache.LISTS)

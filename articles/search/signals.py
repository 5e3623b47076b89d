"""Signal receivers that keep the search index current when articles are saved.

Signals rather than calls in services, because editors save articles and
their blocks through the admin, which writes the models directly. Writes
that send no signal (`QuerySet.update()`, `bulk_create()`) call
`index.article_changed` themselves, or are caught by the re-indexing that
`article_changed` schedules for the end of the transaction.
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article, ArticleBlock

from . import index

# Saving only other fields (view counts, state) leaves the index as it is.
TEXT_FIELDS = frozenset({"title", "title_ar", "title_en", "lead", "lead_ar", "lead_en"})


@receiver(post_save, sender=Article, dispatch_uid="search_article_saved")
def article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields is not None and not TEXT_FIELDS & set(update_fields):
        return
    index.article_changed(instance.pk)


@receiver(post_delete, sender=Article, dispatch_uid="search_article_deleted")
def article_deleted(sender, instance, **kwargs):
    index.article_deleted(instance.pk)


@receiver(post_save, sender=ArticleBlock, dispatch_uid="search_block_saved")
def block_saved(sender, instance, raw=False, **kwargs):
    index.article_changed(instance.article_id)


@receiver(post_delete, sender=ArticleBlock, dispatch_uid="search_block_deleted")
def block_deleted(sender, instance, origin=None, **kwargs):
    # Blocks deleted along with their article: the article is leaving the index.
    if isinstance(origin, Article) or (isinstance(origin, QuerySet) and origin.model is Article):
        return
    index.article_changed(instance.article_id)

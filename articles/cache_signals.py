"""Invalidate cached pages when what they show is saved or deleted through the ORM.

Writes made with QuerySet.update() send no signals; the services that make
them call page_cache.article_changed() themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import page_cache
from .models import Article, ArticleBlock, Section, Source, TickerHeadline


@receiver([post_save, post_delete], sender=Article)
def article_saved(sender, instance, **kwargs):
    page_cache.article_changed(instance)


@receiver([post_save, post_delete], sender=ArticleBlock)
def block_saved(sender, instance, **kwargs):
    article = Article.objects.filter(pk=instance.article_id).select_related("source", "section")
    for found in article:
        page_cache.article_changed(found)


@receiver(m2m_changed, sender=Article.related.through)
def related_changed(sender, instance, pk_set=None, **kwargs):
    page_cache.bump(f"article:{instance.pk}", *(f"article:{pk}" for pk in pk_set or ()))


@receiver([post_save, post_delete], sender=TickerHeadline)
def ticker_saved(sender, instance, **kwargs):
    page_cache.bump("ticker")


@receiver([post_save, post_delete], sender=Section)
def section_saved(sender, instance, **kwargs):
    page_cache.bump("sections", f"section:{instance.slug}", page_cache.LISTS)


@receiver([post_save, post_delete], sender=Source)
def source_saved(sender, instance, **kwargs):
    page_cache.bump(f"source:{instance.slug}", page_cache.LISTS)

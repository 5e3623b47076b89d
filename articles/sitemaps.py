"""Sitemaps for search engines: articles (with ar/en alternates), sections, sources, news."""

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.utils import timezone, translation

from .models import Article, Section, Source

NEWS_WINDOW = datetime.timedelta(hours=48)
NEWS_LIMIT = 1000


def has_english(article) -> bool:
    return bool(article.title_en)


class ArticleSitemap(Sitemap):
    """Every published article in Arabic; its English reading only where there is one."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "daily"

    def items(self):
        return (
            Article.objects.published()
            .only("pk", "slug", "title_en", "published_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def get_languages_for_item(self, article):
        return ["ar", "en"] if has_english(article) else ["ar"]

    def location(self, article):
        url = article.get_absolute_url()
        return f"{url}?view=en" if translation.get_language() == "en" else url

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)

    def _urls(self, page, protocol, domain):
        # Django lists an item's own language as an alternate even when it has
        # no other: an article without English gets no alternates at all.
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            if not has_english(url["item"][0]):
                url["alternates"] = []
        return urls

    def get_latest_lastmod(self):
        latest = Article.objects.published().aggregate(
            updated=Max("updated_at"), published=Max("published_at")
        )
        dates = [date for date in latest.values() if date]
        return max(dates) if dates else None


class SectionSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Section.objects.annotate(
            latest=Max("articles__published_at", filter=_published_filter("articles__"))
        ).order_by("position", "pk")

    def lastmod(self, section):
        return section.latest


class SourceSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Source.objects.annotate(
            latest=Max("articles__published_at", filter=_published_filter("articles__"))
        ).order_by("pk")

    def lastmod(self, source):
        return source.latest


def _published_filter(prefix: str):
    return Q(**{f"{prefix}status": Article.Status.PUBLISHED}) & Q(
        **{f"{prefix}published_at__lte": timezone.now()}
    )


class NewsSitemap(Sitemap):
    """Google News: the last 48 hours, each reading in its own language, 1,000 at most."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        articles = (
            Article.objects.published()
            .filter(published_at__gte=since)
            .select_related("source")
            .order_by("-published_at", "-pk")[:NEWS_LIMIT]
        )
        readings = []
        for article in articles:
            readings.append((article, "ar"))
            if has_english(article):
                readings.append((article, "en"))
        return readings[:NEWS_LIMIT]

    def location(self, reading):
        article, language = reading
        with translation.override(language):
            url = article.get_absolute_url()
        return f"{url}?view=en" if language == "en" else url

    def lastmod(self, reading):
        article, _ = reading
        return max(article.updated_at, article.published_at)


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "sources": SourceSitemap,
}

"""Searching: what the search page calls, and its results as the page shows them."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.safestring import SafeString

from articles.models import Article, ArticleBlock, Section, Source

from .backends import backend
from .highlight import Excerpt, Highlighter
from .query import Query


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def search_articles(
    query: Query,
    *,
    source: Source | None = None,
    section: Section | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
):
    """Published articles matching `query`, best first, with what a result shows.

    Dates are days in the site's time zone, both included. What comes back
    is what Django's Paginator pages through (`count()` and slices); a slice
    is a QuerySet of articles, each with its source, section and blocks
    (prefetched, for the excerpt). Counting and fetching a page take one
    query each whatever the number of results, the page's blocks one more.
    """
    blocks = ArticleBlock.objects.only(
        "article_id", "position", "text_ar", "text_en", "attribution_ar", "attribution_en"
    ).order_by("position")
    shown = (
        Article.objects.published()
        .select_related("source", "section")
        .prefetch_related(Prefetch("blocks", queryset=blocks))
    )
    return backend().search(
        query,
        shown=shown,
        source=source,
        section=section,
        start=_start_of(date_from) if date_from else None,
        end=_start_of(date_to + datetime.timedelta(days=1)) if date_to else None,
    )


class SearchPaginator(Paginator):
    """Pages that fetch their results before counting them, when the results can tell.

    On PostgreSQL the query that orders a page also counts the matches (see
    `postgres.SearchResults`): fetching first saves counting them apart. A
    page number out of range or not a number shows the nearest page.
    """

    def get_page(self, number):
        if not hasattr(self.object_list, "known_count"):
            return super().get_page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        if number < 1:
            return super().get_page(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom : bottom + self.per_page]
        try:
            if self.validate_number(number) == number:  # counts nothing: the slice did
                return self._get_page(rows, number, self)
        except InvalidPage:
            pass
        return super().get_page(number)


@dataclass(frozen=True)
class Result:
    """One article of a results page with its title and excerpt marked."""

    article: Article
    title_ar: SafeString
    title_en: SafeString
    excerpt: Excerpt | None


def _passages(article: Article):
    blocks = list(article.blocks.all())
    yield article.lead_ar, "ar"
    for block in blocks:
        yield block.text_ar, "ar"
        yield block.attribution_ar, "ar"
    yield article.lead_en, "en"
    for block in blocks:
        yield block.text_en, "en"
        yield block.attribution_en, "en"


def present(articles: Iterable[Article], query: Query) -> list[Result]:
    """A page of results as the page shows them: words found marked, with an excerpt.

    The excerpt is the passage around the first word found in the lead or the
    body, Arabic first; failing that (a title match), the opening of the lead.
    """
    highlighter = Highlighter(query.words)
    return [
        Result(
            article=article,
            title_ar=highlighter.mark(article.title_ar),
            title_en=highlighter.mark(article.title_en),
            excerpt=highlighter.first_excerpt(_passages(article))
            or highlighter.opening(article.lead_ar, "ar"),
        )
        for article in articles
    ]

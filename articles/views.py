import datetime

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from . import reading, rendering, seo
from .models import (
    ARTICLE_PAGE_ROWS,
    BODY_ROWS,
    CORRECTION_ROWS,
    RELATED_ROWS,
    Article,
    Section,
    Source,
    article_for_page,
    read_with_frame,
)
from .prepared import Prepared, read_together
from .search import query as search_query
from .search.form import SearchForm
from .search.results import SearchPaginator, present, search_articles
from .sitemaps import SITEMAPS, NewsSitemap

ALL_SITEMAPS = {**SITEMAPS, "news": NewsSitemap}
# The home page's section lists rank only recent articles, so that the ranking
# reads a slice of the published_at index rather than every article.
RECENT_FOR_SECTIONS = datetime.timedelta(days=30)
HOME_LATEST = 10
HOME_PER_SECTION = 4
HOME_MOST_READ = 5


class ArticleListMixin:
    """Published articles with what a list shows, fetched in one query."""

    paginate_by = settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_listing()


# The home page's lists, each a query compiled once per process
# (articles.prepared): its times (now, the start of the sections' window) and
# the featured article's id are its only parameters.
FEATURED_ROWS = Prepared(
    lambda now: (
        Article.objects.published(now=now)
        .filter(is_featured=True)
        .order_by("-published_at", "-pk")
        .values_list(*rendering.CARD_COLUMNS)[:1]
    ),
    times=("now",),
)
# One more than the list shows: the featured article, if among them, is left out.
LATEST_ROWS = Prepared(
    lambda now: (
        Article.objects.published(now=now)
        .order_by("-published_at", "-pk")
        .values_list(*rendering.CARD_COLUMNS)[: HOME_LATEST + 1]
    ),
    times=("now",),
)
SECTION_ROWS = Prepared(
    lambda now, since: (
        Article.objects.filter(published_at__gte=since)
        .latest_per_section(per_section=HOME_PER_SECTION, now=now)
        .values_list(*rendering.CARD_COLUMNS)
    ),
    times=("now", "since"),
)
MOST_READ_ROWS = Prepared(
    lambda now: Article.objects.most_read(now=now).values_list(
        *rendering.CARD_COLUMNS, "recent_views"
    )[:HOME_MOST_READ],
    times=("now",),
)


class HomeView(TemplateView):
    """The featured story, the latest, each section's newest and the most read."""

    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        # Every list as plain card rows (rendering.CardRow), not model instances,
        # read together with the page's frame in one round trip.
        now = timezone.now()
        frame, (featured, latest, in_sections, most_read) = read_with_frame(
            (FEATURED_ROWS, {"now": now}),
            (LATEST_ROWS, {"now": now}),
            (SECTION_ROWS, {"now": now, "since": now - RECENT_FOR_SECTIONS}),
            (MOST_READ_ROWS, {"now": now}),
        )
        featured = next((rendering.CardRow(row) for row in featured), None)
        latest = [rendering.CardRow(row) for row in latest]
        latest = [article for article in latest if featured is None or article.pk != featured.pk]
        sections = {}
        for row in in_sections:
            article = rendering.CardRow(row)
            sections.setdefault(article.section, []).append(article)
        return super().get_context_data(
            frame=frame,
            featured=featured,
            latest=latest[:HOME_LATEST],
            sections=sections.items(),
            most_read=[rendering.CardRow(row, ("recent_views",)) for row in most_read],
            **kwargs,
        )


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).select_related("source", "section")

    def get_object(self, queryset=None):
        """The article, if this reader may see it (editors see every one).

        Read by a query compiled once per process (articles.models.
        article_for_page), together with its body, related stories and
        corrections and the page's frame, in one round trip; the same rule
        as `visible_to()`, checked here.
        """
        if queryset is not None:
            return super().get_object(queryset)
        pk = self.kwargs["pk"]
        if not 0 < pk < 2**63:
            raise Http404
        self.frame, (rows, *self.body_rows) = read_with_frame(
            (ARTICLE_PAGE_ROWS, {"article": pk}),
            *self.body_queries(pk),
        )
        article = article_for_page(pk, rows=rows)
        user = self.request.user
        if article is None or not (
            (user.is_authenticated and user.is_staff) or article.is_published
        ):
            raise Http404
        return article

    def get(self, request, *args, **kwargs):
        self.object = article = self.get_object()
        if article.slug != kwargs["slug"]:
            url = article.get_absolute_url()
            if request.GET:
                url = f"{url}?{request.GET.urlencode()}"
            return HttpResponsePermanentRedirect(url)
        # A mode chosen with ?view= is remembered by static/js/preferences.js, not
        # here: pages set no cookie, so that they can be cached for every reader.
        return self.render_to_response(self.get_context_data(object=article))

    @staticmethod
    def body_queries(pk):
        return [(query, {"article": pk}) for query in (BODY_ROWS, RELATED_ROWS, CORRECTION_ROWS)]

    def load_body(self, article):
        """The article's blocks, published related stories and corrections, as plain rows.

        Each read by a query compiled once per process (articles.prepared)
        rather than built through prefetch_related, and as values
        (rendering.BlockRow, CardRow, CorrectionRow), not model instances:
        half of the cost of making an article page. Read with the article
        when get_object() read it, else here.
        """
        rows = getattr(self, "body_rows", None)
        if rows is None:
            rows = read_together(*self.body_queries(article.pk))
        blocks, related, corrections = rows
        now = timezone.now()
        article.published_related = [
            rendering.CardRow(row[:-2])
            for row in related
            if Article.public_now(row[-2], row[5], row[-1], now=now)
        ]
        article.shown_corrections = [rendering.CorrectionRow(*row) for row in corrections]
        return [rendering.BlockRow(*row) for row in blocks]

    def get_context_data(self, **kwargs):
        article = self.object
        canonical = seo.article_canonical(self.request, article)
        return super().get_context_data(
            frame=getattr(self, "frame", None),
            mode=reading.reading_mode(self.request),
            blocks=self.load_body(article),
            canonical_url=canonical,
            image_url=seo.article_image(article),
            alternates=seo.article_alternates(self.request, article),
            json_ld=seo.article_json_ld(self.request, article, canonical=canonical),
            **kwargs,
        )


class GroupArticlesView(ArticleListMixin, ListView):
    """The published articles of one source or section, found by its slug."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    group_model = None
    group_field = ""

    def get_queryset(self):
        self.group = get_object_or_404(self.group_model, slug=self.kwargs["slug"])
        return super().get_queryset().filter(**{self.group_field: self.group})

    def paginate_queryset(self, queryset, page_size):
        """The page's articles as plain card rows (rendering.CardRow)."""
        paginator, page, articles, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = articles = articles.card_rows()
        return paginator, page, articles, is_paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading_object=self.group, **kwargs)


class SourceArticlesView(GroupArticlesView):
    group_model = Source
    group_field = "source"


class SectionArticlesView(GroupArticlesView):
    group_model = Section
    group_field = "section"


class SearchView(ListView):
    """Published articles matching ?q=, best first, filtered, words found marked.

    The search itself is `articles.search`; this view checks the parameters
    (a sentence for whatever is wrong, never an error page) and presents one
    page of results. Its queries do not grow with the results: sources and
    sections (for the filters), the count, the page, the page's blocks.
    """

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        self.sources = list(Source.objects.all())
        self.sections = list(Section.objects.all())
        self.form = SearchForm(self.request.GET, sources=self.sources, sections=self.sections)
        if not self.form.is_valid():
            return Article.objects.none()
        return search_articles(self.form.query, **self.form.filters())

    paginator_class = SearchPaginator

    def paginate_queryset(self, queryset, page_size):
        # A page number out of range or not a number shows the nearest page, not a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        others = self.request.GET.copy()
        others.pop("page", None)
        return {
            **context,
            "query": search_query.clean(self.request.GET.get("q", "")),
            "problem": self.form.problem,
            "form": self.form,
            "sources": self.sources,
            "sections": self.sections,
            "results": present(context["articles"], self.form.query) if self.form.query else [],
            "page_query": others.urlencode(),
        }


@never_cache
def healthz(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class FeedListView(TemplateView):
    """Every feed, in both languages, for people who subscribe by hand."""

    template_name = "articles/feeds.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sources=Source.objects.filter(is_active=True).order_by("slug"),
            sections=Section.objects.all(),
            **kwargs,
        )


@translation.override(settings.LANGUAGE_CODE)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Disallow: {reverse('articles:search')}",
        "Disallow: /en/search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-section', args=['news']))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def sitemap_index(request):
    """The index of the sitemaps: articles, sections, sources and the news sitemap."""
    with translation.override(settings.LANGUAGE_CODE):
        return sitemap_views.index(
            request, sitemaps=ALL_SITEMAPS, sitemap_url_name="sitemap-section"
        )


def sitemap_section(request, section):
    template = "sitemaps/news.xml" if section == "news" else "sitemaps/sitemap.xml"
    with translation.override(settings.LANGUAGE_CODE):
        return sitemap_views.sitemap(
            request, sitemaps=ALL_SITEMAPS, section=section, template_name=template
        )

import datetime

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.db import DatabaseError, connection
from django.db.models import Prefetch, Q
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from . import reading, seo
from .models import Article, ArticleBlock, Section, Source
from .sitemaps import SITEMAPS, NewsSitemap

ALL_SITEMAPS = {**SITEMAPS, "news": NewsSitemap}

SEARCH_MAX_LENGTH = 200


class ArticleListMixin:
    """Published articles with what a list shows, fetched in one query."""

    paginate_by = settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_listing()


class HomeView(ArticleListMixin, TemplateView):
    template_name = "articles/home.html"
    latest_count = 10
    per_section = 4
    most_read_count = 5

    def get_context_data(self, **kwargs):
        articles = self.get_queryset()
        featured = articles.filter(is_featured=True).first()
        latest = articles.exclude(pk=featured.pk) if featured else articles
        sections = {}
        for article in Article.objects.latest_per_section(per_section=self.per_section):
            sections.setdefault(article.section, []).append(article)
        since = timezone.now() - datetime.timedelta(hours=24)
        return super().get_context_data(
            featured=featured,
            latest=latest[: self.latest_count],
            sections=sections.items(),
            most_read=Article.objects.most_read(since=since)[: self.most_read_count],
            **kwargs,
        )


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return (
            Article.objects.visible_to(self.request.user)
            .select_related("source", "section")
            .prefetch_related(
                Prefetch("blocks", queryset=ArticleBlock.objects.order_by("position")),
                Prefetch(
                    "related",
                    queryset=Article.objects.published().select_related("source"),
                    to_attr="published_related",
                ),
            )
        )

    def get(self, request, *args, **kwargs):
        self.object = article = self.get_object()
        if article.slug != kwargs["slug"]:
            url = article.get_absolute_url()
            if request.GET:
                url = f"{url}?{request.GET.urlencode()}"
            return HttpResponsePermanentRedirect(url)
        response = self.render_to_response(self.get_context_data(object=article))
        chosen = reading.mode_from_query(request)
        if chosen:
            response.set_cookie(
                reading.READING_MODE_COOKIE,
                chosen,
                max_age=reading.COOKIE_MAX_AGE,
                samesite="Lax",
            )
        return response

    def get_context_data(self, **kwargs):
        article = self.object
        canonical = seo.article_canonical(self.request, article)
        return super().get_context_data(
            mode=reading.reading_mode(self.request),
            blocks=list(article.blocks.all()),
            canonical_url=canonical,
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

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading_object=self.group, **kwargs)


class SourceArticlesView(GroupArticlesView):
    group_model = Source
    group_field = "source"


class SectionArticlesView(GroupArticlesView):
    group_model = Section
    group_field = "section"


class SearchView(ArticleListMixin, ListView):
    """Title, lead and body, both languages; Arabic-aware search replaces this later."""

    template_name = "articles/search.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.query = " ".join(self.request.GET.get("q", "").split())
        if not self.query or len(self.query) > SEARCH_MAX_LENGTH:
            return Article.objects.none()
        matching = Article.objects.filter(
            Q(title_ar__icontains=self.query)
            | Q(title_en__icontains=self.query)
            | Q(lead_ar__icontains=self.query)
            | Q(lead_en__icontains=self.query)
            | Q(blocks__text_ar__icontains=self.query)
            | Q(blocks__text_en__icontains=self.query)
        ).values("pk")
        return super().get_queryset().filter(pk__in=matching)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query,
            query_too_long=len(self.query) > SEARCH_MAX_LENGTH,
            **kwargs,
        )


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

"""Reader-side pages of the editorial workflow: the corrections page and editors' previews."""

from django.conf import settings
from django.http import Http404
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.generic import ListView

from .models import Article, Correction
from .views import ArticleDetailView


class CorrectionListView(ListView):
    """Every correction note of a published article, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        return Correction.objects.published()

    def paginate_queryset(self, queryset, page_size):
        # A page number out of range or not a number shows the nearest page, not a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class ArticlePreviewView(ArticleDetailView):
    """An article exactly as readers will see it, whatever its status, for editors only.

    Anyone else gets a 404 (not a login page: a preview's address tells nothing).
    Never cached, by the site or anyone else, and never indexed.
    """

    def get_queryset(self):
        user = self.request.user
        if not (user.is_authenticated and user.is_staff and user.has_perm("articles.view_article")):
            raise Http404
        return super().get_queryset()

    def get(self, request, *args, **kwargs):
        self.object = article = self.get_object()
        response = self.render_to_response(self.get_context_data(object=article, preview=True))
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        try:
            return queryset.get(pk=self.kwargs["pk"])
        except Article.DoesNotExist as error:
            raise Http404 from error

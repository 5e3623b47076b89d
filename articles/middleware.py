from django.urls import Resolver404, resolve

from . import view_counts

PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ")


class ViewCountMiddleware:
    """Counts a view for every article page a reader is served.

    It sits outside the page cache (above it in MIDDLEWARE), so that a page
    served from the cache is counted exactly like a freshly rendered one.
    Prefetches are not views.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 200
            and not any("prefetch" in request.META.get(h, "") for h in PREFETCH_HEADERS)
        ):
            article_id = self.article_id(request)
            if article_id is not None:
                view_counts.count_view(article_id=article_id)
        return response

    @staticmethod
    def article_id(request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name != "articles:detail":
            return None
        return match.kwargs["pk"]

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation

from . import view_counts

PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ")


class ViewCountMiddleware:
    """Counts a view for every article page a reader is served.

    It sits above the page cache in MIDDLEWARE, so that a page served from
    the cache is counted exactly like a freshly rendered one. It reads the
    URL's match from the request (the page cache or the view left it there)
    rather than resolving the URL again. Prefetches are not views.
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
        match = request.resolver_match
        if match is None:  # answered above the URL resolver (another cache)
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return None
        if match.view_name != "articles:detail":
            return None
        return match.kwargs["pk"]


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, minus the negotiation this site never does.

    With Arabic unprefixed (prefix_default_language=False), Django's own
    middleware picks the language from the address alone, yet still reads the
    cookie and Accept-Language first and still marks unprefixed pages
    `Vary: Accept-Language`, which splits every shared cache's copy of an
    Arabic page by browser language for nothing. Any other URL layout gets
    Django's behaviour unchanged.
    """

    def process_request(self, request):
        if not self._address_alone(request):
            return super().process_request(request)
        path_language = translation.get_language_from_path(request.path_info)
        translation.activate(path_language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if not self._address_alone(request):
            return super().process_response(request, response)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    @staticmethod
    def _address_alone(request) -> bool:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(urlconf)
        return i18n_patterns_used and not prefixed_default_language

from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.functional import SimpleLazyObject


def _paths_by_language(request) -> dict[str, str]:
    """This page's path in each interface language, as translate_url() gives it.

    The view already matched the address (request.resolver_match), so each
    language costs one reverse() rather than a resolve() and a reverse().
    """
    match = getattr(request, "resolver_match", None)
    paths = {}
    for code, _ in settings.LANGUAGES:
        if match is None:
            paths[code] = translate_url(request.path, code)
            continue
        with translation.override(code):
            try:
                paths[code] = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                paths[code] = translate_url(request.path, code)
    return paths


def reader(request):
    """What every page's head and header need: the language switch and alternates.

    Views override `canonical_url` and `alternates` where a page knows better
    (an article with no English has no English alternate). Each is worked
    out only when a template uses it.
    """
    paths = SimpleLazyObject(lambda: _paths_by_language(request))

    def switch():
        query = iri_to_uri(request.META.get("QUERY_STRING", ""))
        return [
            (
                code,
                translation.get_language_info(code)["name_local"],
                f"{paths[code]}?{query}" if query else paths[code],
            )
            for code, _ in settings.LANGUAGES
        ]

    def alternates():
        return [
            *((code, request.build_absolute_uri(path)) for code, path in paths.items()),
            ("x-default", request.build_absolute_uri(paths[settings.LANGUAGE_CODE])),
        ]

    return {
        "language_switch": SimpleLazyObject(switch),
        "canonical_url": SimpleLazyObject(lambda: request.build_absolute_uri(request.path)),
        "alternates": SimpleLazyObject(alternates),
    }

from django.conf import settings
from django.urls import translate_url

from . import reading


def reader(request):
    """What every page's head and header need: preferences, language switch, alternates.

    Views override `canonical_url` and `alternates` where a page knows better
    (an article with no English has no English alternate).
    """
    path = request.get_full_path()
    switch = [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES]
    return {
        "reading_mode": reading.reading_mode(request),
        "language_switch": switch,
        "canonical_url": request.build_absolute_uri(request.path),
        "alternates": [
            *(
                (code, request.build_absolute_uri(translate_url(request.path, code)))
                for code, *_ in switch
            ),
            (
                "x-default",
                request.build_absolute_uri(translate_url(request.path, settings.LANGUAGE_CODE)),
            ),
        ],
    }

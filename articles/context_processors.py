from django.conf import settings
from django.urls import translate_url

from . import reading


def reader(request):
    """What every page's header needs: the reader's preferences and the language switch."""
    path = request.get_full_path()
    return {
        "reading_mode": reading.reading_mode(request),
        "font_size": reading.font_size(request),
        "language_switch": [
            (code, name, translate_url(path, code)) for code, name in settings.LANGUAGES
        ],
    }

"""The reader's reading mode, from the query or the cookie static/js/preferences.js sets.

The font size is applied in the browser alone, so that pages stay the same
for every reader and can be cached.
"""

from django.utils.translation import get_language

READING_MODES = ("ar", "both", "en")
DEFAULT_READING_MODE = "ar"
READING_MODE_COOKIE = "reading_mode"


def mode_from_query(request) -> str | None:
    mode = request.GET.get("view")
    return mode if mode in READING_MODES else None


def reading_mode(request) -> str:
    """?view= first, then the remembered choice, then the interface's own language."""
    mode = mode_from_query(request) or request.COOKIES.get(READING_MODE_COOKIE)
    if mode in READING_MODES:
        return mode
    return "en" if get_language() == "en" else DEFAULT_READING_MODE

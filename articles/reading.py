"""The reader's preferences: reading mode and font size, from the query or a cookie."""

from django.utils.translation import get_language

READING_MODES = ("ar", "both", "en")
DEFAULT_READING_MODE = "ar"
READING_MODE_COOKIE = "reading_mode"
FONT_SIZE_COOKIE = "font_size"
FONT_SIZES = range(5)
DEFAULT_FONT_SIZE = 1
COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def mode_from_query(request) -> str | None:
    mode = request.GET.get("view")
    return mode if mode in READING_MODES else None


def reading_mode(request) -> str:
    """?view= first, then the remembered choice, then the interface's own language."""
    mode = mode_from_query(request) or request.COOKIES.get(READING_MODE_COOKIE)
    if mode in READING_MODES:
        return mode
    return "en" if get_language() == "en" else DEFAULT_READING_MODE


def font_size(request) -> int:
    try:
        size = int(request.COOKIES.get(FONT_SIZE_COOKIE, DEFAULT_FONT_SIZE))
    except ValueError:
        return DEFAULT_FONT_SIZE
    return size if size in FONT_SIZES else DEFAULT_FONT_SIZE

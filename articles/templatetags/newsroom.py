from django import template
from django.conf import settings
from django.utils.translation import get_language

from articles import reading
from articles.models import Section, TickerHeadline
from articles.text import strip_bidi_controls

register = template.Library()

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@register.inclusion_tag("includes/ticker.html", takes_context=True)
def ticker(context):
    return {
        "headlines": list(TickerHeadline.objects.active()),
        "request": context.get("request"),
    }


@register.inclusion_tag("includes/section_nav.html", takes_context=True)
def section_nav(context):
    return {"sections": list(Section.objects.all()), "request": context.get("request")}


@register.simple_tag(takes_context=True)
def mode_url(context, mode):
    """The current page with ?view=mode, keeping the other query parameters."""
    if mode not in reading.READING_MODES:
        raise template.TemplateSyntaxError(f"unknown reading mode {mode!r}")
    query = context["request"].GET.copy()
    query["view"] = mode
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def article_url(context, article):
    """An article's address; it keeps a reading mode chosen with ?view= on this page."""
    url = article.get_absolute_url()
    request = context.get("request")
    mode = reading.mode_from_query(request) if request is not None else None
    return f"{url}?view={mode}" if mode else url


@register.filter
def nobidi(text):
    """Data text without the bidi controls that could reorder the page around it."""
    return strip_bidi_controls(text) if isinstance(text, str) else text


@register.filter
def digits(value):
    """Numbers as the interface writes them: 0-9, or Arabic-Indic when the setting asks."""
    text = str(value)
    if settings.NEWSROOM_ARABIC_INDIC_DIGITS and get_language() == "ar":
        return text.translate(_ARABIC_INDIC)
    return text

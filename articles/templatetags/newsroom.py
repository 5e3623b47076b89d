from django import template

from articles.models import Section, TickerHeadline
from articles.reading import READING_MODES

register = template.Library()


@register.inclusion_tag("includes/ticker.html")
def ticker():
    return {"headlines": list(TickerHeadline.objects.active())}


@register.inclusion_tag("includes/section_nav.html", takes_context=True)
def section_nav(context):
    return {"sections": list(Section.objects.all()), "request": context.get("request")}


@register.simple_tag(takes_context=True)
def mode_url(context, mode):
    """The current page with ?view=mode, keeping the other query parameters."""
    if mode not in READING_MODES:
        raise template.TemplateSyntaxError(f"unknown reading mode {mode!r}")
    query = context["request"].GET.copy()
    query["view"] = mode
    return f"?{query.urlencode()}"

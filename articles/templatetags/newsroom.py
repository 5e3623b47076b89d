from urllib.parse import unquote, urlsplit, urlunsplit

from django import template
from django.http import QueryDict
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from articles import links, reading, rendering
from articles.models import SECTION_NAV_ROWS, Source, TickerHeadline
from articles.text import strip_bidi_controls

register = template.Library()


def _frame(context, part: str):
    """The page's frame's rows for `part`, when its view read them (models.PageFrame)."""
    frame = context.get("frame")
    return None if frame is None else getattr(frame, part)


@register.inclusion_tag("includes/ticker.html", takes_context=True)
def ticker(context):
    """The curated headlines: (Arabic text, link or "") each, links keeping ?view=."""
    mode = mode_in_address(context)
    headlines = [
        (text, rendering.with_mode(link, mode) if link.startswith("/") else link)
        for text, link in TickerHeadline.shown(rows=_frame(context, "ticker"))
    ]
    return {"headlines": headlines, "items": rendering.ticker_items(headlines)}


@register.inclusion_tag("includes/section_nav.html", takes_context=True)
def section_nav(context):
    """(address, name, whether it is this page) of every section, in the editors' order."""
    request = context.get("request")
    mode = mode_in_address(context)
    here = request.path if request is not None else None
    sections = []
    rows = _frame(context, "sections")
    for slug, name_ar, name_en in SECTION_NAV_ROWS.rows() if rows is None else rows:
        url = links.address("articles:section", slug=slug)
        name = (name_en or name_ar) if get_language() == "en" else name_ar
        sections.append((rendering.with_mode(url, mode), name, unquote(url) == here))
    return {"sections": sections, "items": rendering.section_nav_items(sections)}


def _current_query(context, **changes) -> str:
    """The current page's query with `changes` made, as `?...` for a link on this page."""
    query = context["request"].GET.copy()
    for name, value in changes.items():
        query[name] = value
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def mode_url(context, mode):
    """The current page with ?view=mode, keeping the other query parameters."""
    if mode not in reading.READING_MODES:
        raise template.TemplateSyntaxError(f"unknown reading mode {mode!r}")
    return _current_query(context, view=mode)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """Page `number` of the current list, keeping ?view= and the other query parameters."""
    return _current_query(context, page=number)


@register.simple_tag(takes_context=True)
def mode_in_address(context):
    """The reading mode chosen with ?view= on this page, or "" when there is none."""
    request = context.get("request")
    return (reading.mode_from_query(request) if request is not None else None) or ""


@register.simple_tag(takes_context=True)
def reader_url(context, target):
    """The address of `target` (an object or a path) that keeps a ?view= chosen here.

    Without JavaScript no cookie remembers the mode, so every link from one
    reader page to another carries it on. Addresses on other sites are left
    alone. Pages are cached by their full path, query included, so a link
    with ?view= never gets a page rendered for another mode.
    """
    url = target if isinstance(target, str) else target.get_absolute_url()
    mode = mode_in_address(context)
    parts = urlsplit(url)
    if not mode or not url or parts.scheme or parts.netloc:
        return url
    query = QueryDict(parts.query, mutable=True)
    query["view"] = mode
    return urlunsplit(parts._replace(query=query.urlencode()))


@register.simple_tag
def address(name):
    """`{% url name %}` of a page that takes no arguments, worked out once per language."""
    return links.fixed(name)


@register.simple_tag(takes_context=True)
def reader_address(context, name):
    """`{% address name %}` keeping a ?view= chosen here, as reader_url does."""
    return rendering.with_mode(links.fixed(name), mode_in_address(context))


@register.filter
def nobidi(text):
    """Data text without the bidi controls that could reorder the page around it."""
    return strip_bidi_controls(text) if isinstance(text, str) else text


@register.filter
def digits(value):
    """Numbers as the interface writes them: 0-9, or Arabic-Indic when the setting asks."""
    return rendering.digits(str(value))


@register.simple_tag
def article_body(blocks, mode):
    """An article's body rows in a reading mode (see articles.rendering)."""
    return rendering.article_body(blocks, mode)


def _cards(context) -> rendering.Cards:
    """The page's one Cards (see articles.rendering), made by the first tag that needs it."""
    cards = context.render_context.get("article_cards")
    if cards is None:
        cards = context.render_context["article_cards"] = rendering.Cards(mode_in_address(context))
    return cards


def _dates(context) -> rendering.Dates:
    return _cards(context).dates


@register.simple_tag(takes_context=True)
def time_element(context, value):
    """<time>: the ISO date, then "day month year <bdi>hh:mm</bdi>" (articles.rendering.Dates).

    What `date:"c"`, `date:"j F Y"|digits` and `time:"H:i"|digits` write.
    """
    return mark_safe(_dates(context).element(value))  # noqa: S308 -- escaped by Dates


@register.simple_tag(takes_context=True)
def iso_time(context, value):
    """`{{ value|date:"c" }}`, written by articles.rendering.Dates."""
    return _dates(context).iso(value)


@register.simple_tag(takes_context=True)
def article_card(context, article):
    """One article in a list (see articles.rendering.Cards)."""
    return _cards(context).card(article)


@register.simple_tag(takes_context=True)
def article_groups(context, article):
    """An article's source and section, linked, as on its card."""
    return mark_safe(_cards(context).groups(article))  # noqa: S308 -- escaped by Cards


@register.simple_tag(takes_context=True)
def group_link(context, group):
    """A section's (or source's) name linked to its page, as on a card."""
    is_source = isinstance(group, Source) or getattr(group, "url_name", "") == "articles:source"
    kind = "source" if is_source else "section"
    return mark_safe(_cards(context).group_link(kind, group))  # noqa: S308 -- escaped by Cards


@register.simple_tag(takes_context=True)
def most_read_item(context, article):
    """One line of the most read list (see articles.rendering.Cards.most_read)."""
    return _cards(context).most_read(article)


@register.simple_tag
def block_text(block, language):
    """One block's text in `language` ("ar" or "en"), its attribution falling back to Arabic."""
    if language == "en":
        attribution = block.attribution_en or block.attribution_ar
        return rendering.block_html(block.kind, block.text_en, attribution)
    return rendering.block_html(block.kind, block.text_ar, block.attribution_ar)

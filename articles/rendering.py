"""An article's body as HTML, written in Python: the part of a page repeated per block.

An article has fifteen blocks or more and each shows up to three pieces (the
Arabic, the English, where the English came from). Rendered with a template
include per piece, the body was most of an uncached article page's time; the
same markup built here with escaped strings takes a tenth of it. The
templates keep everything else. What the markup means (a row per block with
its anchor, a column per language with its own lang/dir, bidi controls taken
out of stored text) is tested on the pages, as before.
"""

import datetime
import functools
import html
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_bidi, gettext, ngettext, pgettext

from . import links
from .text import strip_bidi_controls

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


class BlockRow(NamedTuple):
    """What the body of an article page shows of a block, read as plain values."""

    kind: str
    position: int
    text_ar: str
    text_en: str
    attribution_ar: str
    attribution_en: str
    translation_origin: str
    translation_engine: str
    translated_at: datetime.datetime | None

    @property
    def anchor(self) -> str:
        return f"p{self.position}"


class CorrectionRow(NamedTuple):
    """A correction note under an article, read as plain values."""

    pk: int
    noted_at: datetime.datetime
    note_ar: str
    note_en: str | None


def escape(text) -> str:
    """HTML-escaped text: django.utils.html.escape without its lazy-string wrapper."""
    return html.escape(str(text))


def in_language(obj, field: str, language: str) -> str:
    """A translated field in `language`, or in Arabic when that is empty (names only)."""
    return getattr(obj, f"{field}_{language}", None) or getattr(obj, f"{field}_ar")


class Named(NamedTuple):
    """A source or a section as a card shows it: its page and its name."""

    pk: int
    slug: str
    name_ar: str
    name_en: str | None
    url_name: str

    @property
    def display_name(self) -> str:
        """The name in the interface language, or in Arabic when it has none."""
        return in_language(self, "name", get_language())

    def get_absolute_url(self) -> str:
        return links.address(self.url_name, slug=self.slug)


class CardRow:
    """An article as a list shows it, read as plain values (`ArticleQuerySet.card_rows`).

    A home page lists about fifty articles; made as model instances with
    their source and section they cost more than the rest of the page.
    """

    __slots__ = (
        "lead_ar",
        "pk",
        "published_at",
        "recent_views",
        "section",
        "slug",
        "source",
        "title_ar",
        "title_en",
    )

    def __init__(self, row, extra=()):
        (pk, slug, title_ar, title_en, lead_ar, published_at) = row[:6]
        source_id, source_slug, source_ar, source_en = row[6:10]
        section_id, section_slug, section_ar, section_en = row[10:14]
        self.pk, self.slug, self.title_ar, self.title_en = pk, slug, title_ar, title_en
        self.lead_ar, self.published_at = lead_ar, published_at
        self.source = Named(source_id, source_slug, source_ar, source_en, "articles:source")
        self.section = (
            Named(section_id, section_slug, section_ar, section_en, "articles:section")
            if section_id is not None
            else None
        )
        self.recent_views = None
        for name, value in zip(extra, row[14:], strict=True):
            setattr(self, name, value)

    @property
    def id(self) -> int:
        return self.pk

    def get_absolute_url(self) -> str:
        return links.address("articles:detail", pk=self.pk, slug=self.slug)

    def __repr__(self) -> str:
        return f"<CardRow {self.pk}: {self.title_ar}>"


CARD_COLUMNS = (
    "pk",
    "slug",
    "title_ar",
    "title_en",
    "lead_ar",
    "published_at",
    "source_id",
    "source__slug",
    "source__name_ar",
    "source__name_en",
    "section_id",
    "section__slug",
    "section__name_ar",
    "section__name_en",
)


def digits(text: str) -> str:
    """Numbers as the interface writes them: 0-9, or Arabic-Indic when the setting asks."""
    if settings.NEWSROOM_ARABIC_INDIC_DIGITS and get_language() == "ar":
        return text.translate(_ARABIC_INDIC)
    return text


def data_text(value) -> str:
    """Text from the database, safe to put in HTML: escaped, bidi controls taken out."""
    return escape(strip_bidi_controls(value) if isinstance(value, str) else value)


def block_html(
    kind: str, text: str, attribution: str = "", attribution_lang: str = ""
) -> SafeString:
    """One block's text: a paragraph, a heading, or a pull quote with who is quoted."""
    return mark_safe(_block_html(kind, text, attribution, attribution_lang))  # noqa: S308 -- escaped


def _block_html(kind, text, attribution, attribution_lang) -> str:
    if kind == "heading":
        return f"<h2>{data_text(text)}</h2>"
    if kind == "quote":
        caption = ""
        if attribution:
            lang = ' lang="ar" dir="rtl"' if attribution_lang == "ar" else ""
            caption = (
                f"\n  <figcaption>— <cite><bdi{lang}>{data_text(attribution)}</bdi></cite>"
                "</figcaption>"
            )
        return (
            f'<figure class="pull-quote">\n  <blockquote><p>{data_text(text)}</p></blockquote>'
            f"{caption}\n</figure>"
        )
    return f"<p>{data_text(text)}</p>"


@functools.lru_cache(maxsize=16)
def _month_names(language: str) -> dict[int, str]:
    """The months' names in a language, as the date filter writes them (`F`)."""
    with translation.override(language):
        return {number: str(name) for number, name in MONTHS.items()}


class Dates:
    """Times as the date and time template filters write them, in the current time zone.

    `date:"c"`, `date:"j F Y"` and `time:"H:i"`, with the interface's digits;
    the month names and the zone are looked up once for a whole page (a test
    compares the output with the filters').
    """

    def __init__(self):
        language = get_language()
        self.months = _month_names(language)
        self.arabic_digits = settings.NEWSROOM_ARABIC_INDIC_DIGITS and language == "ar"
        self.zone = timezone.get_current_timezone() if settings.USE_TZ else None

    def local(self, value):
        if self.zone is not None and timezone.is_aware(value):
            return value.astimezone(self.zone)
        return value

    def digits(self, text: str) -> str:
        return text.translate(_ARABIC_INDIC) if self.arabic_digits else text

    def day(self, value) -> str:
        """`date:"j F Y"|digits`, the value already local."""
        return self.digits(f"{value.day} {self.months[value.month]} {value.year:04d}")

    def clock(self, value) -> str:
        """`time:"H:i"|digits`, the value already local."""
        return self.digits(f"{value.hour:02d}:{value.minute:02d}")

    def iso(self, value) -> str:
        """`date:"c"`."""
        return self.local(value).isoformat()

    def element(self, value) -> str:
        """<time> with the ISO date, then "day month year hh:mm" as the filters write them."""
        value = self.local(value)
        return (
            f'<time datetime="{escape(value.isoformat())}">{escape(self.day(value))} '
            f"<bdi>{escape(self.clock(value))}</bdi></time>"
        )


class Provenance:
    """Where each block's English came from, in the interface language, for one page."""

    def __init__(self, dates: Dates):
        direction = "rtl" if get_language_bidi() else "ltr"
        self.opening = f'<p class="block-provenance" lang="{get_language()}" dir="{direction}">'
        self.reviewed = escape(gettext("Reviewed by an editor"))
        self.written = escape(gettext("Written by our editors"))
        self.machine = gettext("Machine translation: %(engine)s, %(date)s")
        self.dates = dates
        self.said: dict[tuple, str] = {}

    def __call__(self, block) -> str:
        if block.translation_origin == "reviewed":
            said = self.reviewed
        elif block.translation_origin == "machine":
            when = self.dates.local(block.translated_at) if block.translated_at else None
            key = (block.translation_engine, when.date() if when else None)
            said = self.said.get(key)
            if said is None:
                date = self.dates.day(when) if when else ""
                said = self.said[key] = self.machine % {
                    "engine": escape(block.translation_engine),
                    "date": escape(date),
                }
        else:
            said = self.written
        return f"{self.opening}{said}</p>"


def article_body(blocks, mode: str) -> SafeString:
    """The rows of an article's body in a reading mode: "ar", "both" or "en".

    Each row is one block, deep-linkable by its anchor (#p7), with an Arabic
    column, an English one, or both side by side. A block with no English yet
    says so in the English column, and in the English mode shows the Arabic
    under that note.
    """
    untranslated = None
    provenance = Provenance(Dates()) if mode != "ar" else None
    rows = []
    for block in blocks:
        kind = block.kind
        arabic = None
        row = [f'<div class="row row-{escape(kind)}" id="{escape(block.anchor)}">']
        if mode != "en":
            arabic = block_html(kind, block.text_ar, block.attribution_ar)
            row.append(f'<div class="col col-ar" lang="ar" dir="rtl">{arabic}</div>')
        if mode != "ar":
            row.append('<div class="col col-en" lang="en" dir="ltr">')
            if block.text_en:
                if block.attribution_en or not block.attribution_ar:
                    row.append(block_html(kind, block.text_en, block.attribution_en))
                else:  # a name not yet given in English is shown as written, in Arabic
                    row.append(block_html(kind, block.text_en, block.attribution_ar, "ar"))
                row.append(provenance(block))
            else:
                if untranslated is None:
                    untranslated = escape(pgettext("block", "Not translated yet."))
                row.append(f'<p class="untranslated">{untranslated}</p>')
                if mode == "en":
                    arabic = arabic or block_html(kind, block.text_ar, block.attribution_ar)
                    row.append(f'<div class="original-fallback" lang="ar" dir="rtl">{arabic}</div>')
            row.append("</div>")
        row.append("</div>")
        rows.append("\n".join(row))
    return mark_safe("\n".join(rows))  # noqa: S308 -- every piece of text is escaped above


def with_mode(url: str, mode: str) -> str:
    """An address of ours (no query yet) that keeps the mode chosen with ?view= (see reader_url)."""
    if not mode:
        return url
    return f"{url}{'&' if '?' in url else '?'}view={mode}"


class Cards:
    """Articles' cards in a list, with what every card of one page shares worked out once.

    A home page shows about fifty cards, each with three links and a time in
    three formats. The interface language, the reading mode kept in links,
    the month names, the digits and the shape of each address are the same
    for all of them; only the article's own values differ. The output is the
    template filters' own: `date:"c"`, `date:"j F Y"` and `time:"H:i"` in the
    current time zone (a test compares them).
    """

    def __init__(self, mode: str = ""):
        self.mode = mode
        self.language = get_language()
        self.dates = Dates()
        self.article_url = links.addresses("articles:detail", with_pk=True)
        self.source_url = links.addresses("articles:source")
        self.section_url = links.addresses("articles:section")
        self.group_links: dict[tuple, str] = {}

    def name(self, obj) -> str:
        """A source's or section's name in the interface language, else in Arabic."""
        return in_language(obj, "name", self.language)

    def link(self, url: str) -> str:
        return escape(with_mode(url, self.mode))

    def time(self, value) -> str:
        return self.dates.element(value)

    def group_link(self, kind: str, group) -> str:
        """A source's or section's link on a card, made once per page for each."""
        key = (kind, group)
        html = self.group_links.get(key)
        if html is None:
            url = (self.source_url if kind == "source" else self.section_url)(group.slug)
            html = self.group_links[key] = (
                f'<a href="{self.link(url)}"><bdi>{data_text(self.name(group))}</bdi></a>'
            )
        return html

    def groups(self, article) -> str:
        """An article's source's link, then its section's, if it has one."""
        section = article.section
        source = self.group_link("source", article.source)
        return source if section is None else source + self.group_link("section", section)

    def meta(self, article) -> str:
        """Source, section and time of an article: a card's meta line."""
        return self.groups(article) + self.time(article.published_at)

    def most_read(self, article) -> SafeString:
        """One line of the most read list: the Arabic title (linked) and its recent views."""
        count = article.recent_views
        views = ngettext("<bdi>%(shown)s</bdi> view", "<bdi>%(shown)s</bdi> views", count) % {
            "shown": escape(self.dates.digits(str(count)))
        }
        url = self.link(self.article_url(article.slug, article.pk))
        return mark_safe(  # noqa: S308 -- every piece of text is escaped
            f'<li><a href="{url}" lang="ar" dir="rtl">{data_text(article.title_ar)}</a>\n'
            f'  <span class="card-meta">{views}</span></li>'
        )

    def card(self, article) -> SafeString:
        """One article: its Arabic title (linked), English title, source, section, time."""
        english = ""
        if article.title_en:
            english = (
                f'\n  <p class="card-title-en" lang="en" dir="ltr">'
                f"{data_text(article.title_en)}</p>"
            )
        url = self.link(self.article_url(article.slug, article.pk))
        html = (
            "<li>\n"
            f'  <h3 lang="ar" dir="rtl"><a href="{url}">{data_text(article.title_ar)}</a></h3>'
            f"{english}\n"
            f'  <p class="card-meta">\n    {self.meta(article)}\n  </p>\n'
            "</li>"
        )
        return mark_safe(html)  # noqa: S308 -- every piece of text is escaped above


def ticker_items(headlines) -> SafeString:
    """The ticker's list items: each headline's Arabic text, linked when it has a link."""
    items = []
    for text, link in headlines:
        if link:
            items.append(
                f'<li lang="ar" dir="rtl"><a href="{escape(link)}">{data_text(text)}</a></li>'
            )
        else:
            items.append(f'<li lang="ar" dir="rtl"><span>{data_text(text)}</span></li>')
    return mark_safe("\n".join(items))  # noqa: S308 -- every piece of text is escaped above


def section_nav_items(sections) -> SafeString:
    """The section navigation's list items: (address, name, whether it is this page) each."""
    items = []
    for url, name, current in sections:
        here = ' aria-current="page"' if current else ""
        items.append(f'<li><a href="{escape(url)}"{here}>{data_text(name)}</a></li>')
    return mark_safe("\n".join(items))  # noqa: S308 -- every piece of text is escaped above

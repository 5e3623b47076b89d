"""Body blocks from HTML fragments (feed descriptions, extracted page text)."""

import html
import re

import nh3
from lxml import etree
from lxml import html as lxml_html

from articles.text import clean_line

from .base import ParsedBlock

# What a stored HTML fragment may keep: nothing that runs, styles or links out
# in a way we do not control. Fragments are reduced to text blocks after this.
ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "cite",
    "ul",
    "ol",
    "li",
    "b",
    "strong",
    "i",
    "em",
    "a",
    "div",
    "span",
    "figure",
    "figcaption",
}
_BLOCK_TAGS = {"p", "h2", "h3", "h4", "blockquote", "li", "div", "figure"}
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_LATIN = re.compile("[A-Za-z]")


def sanitise_html(fragment: str) -> str:
    """nh3 with an allowlist: no script, style, event handler or javascript: URL survives."""
    return nh3.clean(
        fragment or "",
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        strip_comments=True,
    )


_ESCAPED_TAG = re.compile(r"&lt;/?[a-zA-Z]")


def _unescape_markup(fragment: str) -> str:
    """Descriptions often come entity-escaped ("&lt;p&gt;"): turn those back into markup."""
    return html.unescape(fragment) if _ESCAPED_TAG.search(fragment or "") else fragment or ""


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment (entities decoded, tags gone), on one line."""
    cleaned = sanitise_html(_unescape_markup(fragment))
    if not cleaned.strip():
        return ""
    document = lxml_html.fragment_fromstring(cleaned, create_parent="div")
    return clean_line(document.text_content())


def blocks_from_html(fragment: str) -> list[ParsedBlock]:
    """Paragraphs, headings and quotes of an HTML fragment, in order, as plain text."""
    cleaned = sanitise_html(_unescape_markup(fragment))
    if not cleaned.strip():
        return []
    root = lxml_html.fragment_fromstring(cleaned, create_parent="div")
    blocks: list[ParsedBlock] = []
    loose: list[str] = []

    def flush_loose():
        text = clean_line(" ".join(loose))
        loose.clear()
        if text:
            blocks.append(ParsedBlock(kind="paragraph", text=text))

    if root.text and root.text.strip():
        loose.append(root.text)
    for element in root:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCK_TAGS:
            flush_loose()
            blocks.extend(_block_of(element))
        elif tag == "br":
            flush_loose()
        else:
            loose.append(element.text_content() if tag else "")
        if element.tail and element.tail.strip():
            loose.append(element.tail)
    flush_loose()
    return blocks


def _block_of(element) -> list[ParsedBlock]:
    tag = element.tag
    if tag == "blockquote":
        cite = element.find(".//cite")
        attribution = clean_line(cite.text_content()) if cite is not None else ""
        if cite is not None:
            cite.drop_tree()
        text = clean_line(element.text_content())
        return [ParsedBlock(kind="quote", text=text, attribution=attribution)] if text else []
    if tag in ("h2", "h3", "h4"):
        text = clean_line(element.text_content())
        return [ParsedBlock(kind="heading", text=text)] if text else []
    if tag in ("div", "figure") and any(
        isinstance(child.tag, str) and child.tag in _BLOCK_TAGS for child in element
    ):
        inner = etree.tostring(element, encoding="unicode", method="html")
        inner = inner[inner.index(">") + 1 : inner.rindex("<")]
        return blocks_from_html(inner)
    text = clean_line(element.text_content())
    return [ParsedBlock(kind="paragraph", text=text)] if text else []


def language_of(text: str) -> str:
    """ "ar" when Arabic letters outnumber Latin ones, else "en"."""
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "ar" if arabic >= latin else "en"

"""Body blocks from HTML fragments (feed descriptions, extracted page text)."""

import html
import re

import nh3
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
# No article nests this deep: such markup is an attack or a broken generator.
# html5ever (nh3) and feedparser's sanitiser slow down with the square of the
# depth, and libxml2 silently drops everything below 255 levels, so tags nested
# deeper than this are taken out (their text stays) before any of them sees it.
MAX_MARKUP_DEPTH = 200
# Blocks are looked for this deep; below it, an element's text is one paragraph.
MAX_BLOCK_DEPTH = 50
# Elements that never enclose anything, or that close themselves when a sibling
# opens: counting them as depth would count unclosed <p> and <li> as nesting.
_NO_DEPTH_TAGS = {
    *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"),
    *("param", "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup"),
    *("tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "rb", "rt", "rp"),
}
# A tag, raw or entity-escaped, or the edge of a CDATA section. An escaped tag
# ends at the next "&lt;" or "&gt;" and a raw one at the next "<" or ">", which
# keeps the scan linear in the length of the text.
_MARKUP_TOKEN = re.compile(
    r"(?P<cdata><!\[CDATA\[|\]\]>)"
    r"|<(?P<raw_close>/?)(?P<raw>[A-Za-z][\w:.-]*)(?P<raw_rest>[^<>]*)>"
    r"|&lt;(?P<escaped_close>/?)(?P<escaped>[A-Za-z][\w:.-]*)"
    r"(?P<escaped_rest>(?:(?!&[lg]t;)[^<>])*)&gt;"
)
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


def flatten_deep_markup(text: str, *, max_depth: int = MAX_MARKUP_DEPTH) -> str:
    """`text` without the tags nested more than `max_depth` deep; their text stays.

    Works on HTML and on whole feeds, in one pass: the markup of a feed's
    structure, of a CDATA section and of an entity-escaped description are
    counted apart, since escaped or CDATA markup is one text node's and ends
    with it. Unbalanced markup is counted as it comes; that is good enough to
    bound the work of the parsers after this.
    """
    if text.count("<") + text.count("&lt;") <= max_depth:
        return text
    depths = {"structure": 0, "text": 0}
    in_cdata = False

    def flattened(match: re.Match) -> str:
        nonlocal in_cdata
        if match["cdata"]:
            in_cdata = match["cdata"] != "]]>"
            depths["text"] = 0
            return match[0]
        if match["raw"]:
            name, closing, rest = match["raw"], match["raw_close"], match["raw_rest"]
        else:
            name, closing, rest = match["escaped"], match["escaped_close"], match["escaped_rest"]
        counter = "structure" if match["raw"] and not in_cdata else "text"
        if counter == "structure":
            # A raw tag ends whatever text node held escaped markup.
            depths["text"] = 0
        if name.lower() in _NO_DEPTH_TAGS or rest.endswith("/"):
            return match[0]
        if closing:
            depth = depths[counter]
            depths[counter] = max(depth - 1, 0)
            return match[0] if depth <= max_depth else " "
        depths[counter] += 1
        return match[0] if depths[counter] <= max_depth else " "

    return _MARKUP_TOKEN.sub(flattened, text)


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment (entities decoded, tags gone), on one line."""
    cleaned = sanitise_html(flatten_deep_markup(_unescape_markup(fragment)))
    if not cleaned.strip():
        return ""
    document = lxml_html.fragment_fromstring(cleaned, create_parent="div")
    return clean_line(document.text_content())


def blocks_from_html(fragment: str) -> list[ParsedBlock]:
    """Paragraphs, headings and quotes of an HTML fragment, in order, as plain text."""
    cleaned = sanitise_html(flatten_deep_markup(_unescape_markup(fragment)))
    if not cleaned.strip():
        return []
    root = lxml_html.fragment_fromstring(cleaned, create_parent="div")
    return _blocks_in(root, depth=0)


def _blocks_in(container, *, depth: int) -> list[ParsedBlock]:
    """The blocks of `container`'s children, and of its loose text between them."""
    blocks: list[ParsedBlock] = []
    loose: list[str] = []

    def flush_loose():
        text = clean_line(" ".join(loose))
        loose.clear()
        if text:
            blocks.append(ParsedBlock(kind="paragraph", text=text))

    if container.text and container.text.strip():
        loose.append(container.text)
    for element in container:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCK_TAGS:
            flush_loose()
            blocks.extend(_block_of(element, depth=depth + 1))
        elif tag == "br":
            flush_loose()
        else:
            loose.append(element.text_content() if tag else "")
        if element.tail and element.tail.strip():
            loose.append(element.tail)
    flush_loose()
    return blocks


def _block_of(element, *, depth: int) -> list[ParsedBlock]:
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
    # The tree is walked as parsed: reading a wrapper's children again from its
    # markup made the work grow with the square of the depth.
    if (
        tag in ("div", "figure")
        and depth < MAX_BLOCK_DEPTH
        and any(isinstance(child.tag, str) and child.tag in _BLOCK_TAGS for child in element)
    ):
        return _blocks_in(element, depth=depth)
    text = clean_line(element.text_content())
    return [ParsedBlock(kind="paragraph", text=text)] if text else []


def language_of(text: str) -> str:
    """ "ar" when Arabic letters outnumber Latin ones, else "en"."""
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "ar" if arabic >= latin else "en"

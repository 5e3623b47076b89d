"""Reader for saved or fetched HTML article pages, with trafilatura.

trafilatura finds the article's main text and drops navigation, tickers,
boilerplate and scripts. What it leaves out and readers want is read here
from the page itself: the publication time with its zone, the lead image and
its caption, and the names in quotes' <cite>.
"""

import json
import re

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from articles.text import clean_line

from .base import ImportFailed, ParsedBlock, ParsedPage
from .dates import parse_date
from .text_blocks import flatten_deep_markup, language_of, plain_text
from .urls import absolute_url, normalise_url

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# trafilatura works on the whole page; a page larger than this is not an article.
MAX_PAGE_CHARS = 5_000_000
_TIME_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date",
    "dcterms.created",
)


def parse_html_page(text: str, *, url: str, name: str, zone: str | None) -> ParsedPage:
    """One article from an HTML page; ImportFailed when no article text is found.

    Times without a zone are read in `zone`, or left naive with `zone=None`.
    """
    if len(text) > MAX_PAGE_CHARS:
        raise ImportFailed(f"{name}: the page is too large to be an article.")
    # lxml refuses text that still carries an XML encoding declaration (XHTML).
    text = _XML_DECLARATION.sub("", text, count=1)
    document, text = _parsed(text, name=name)
    # JSON-LD stays: it is data (the publication time), never run or shown.
    for script in document.xpath(
        "//script[not(@type='application/ld+json')] | //style | //noscript"
    ):
        script.drop_tree()
    base = _base_url(document, url)
    if not base:
        # A saved page: its own canonical address is the base of its relative links.
        base = _canonical(document, "")
    extracted = trafilatura.extract(
        text,
        url=base or None,
        output_format="xml",
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=True,
        favor_precision=True,
    )
    if not extracted:
        raise ImportFailed(f"{name}: no article text was found in the page.")
    main = etree.fromstring(extracted.encode())
    title = plain_text(main.get("title") or _meta(document, "og:title") or "")
    blocks = _blocks(main, document, title=title)
    if not title or not any(block.kind == "paragraph" for block in blocks):
        raise ImportFailed(f"{name}: no article with a title and paragraphs was found in the page.")
    page_url = _canonical(document, base) or base
    image_url, caption = _lead_image(document, base)
    published = _published(document, zone=zone) or parse_date(main.get("date") or "", zone=zone)
    body_text = " ".join(block.text for block in blocks)
    return ParsedPage(
        title=title,
        original_url=normalise_url(page_url) if page_url else "",
        blocks=blocks,
        published_at=published,
        lead=plain_text(_meta(document, "og:description") or _meta(document, "description") or ""),
        byline=plain_text(main.get("author") or "")[:200],
        image_url=image_url,
        image_caption=caption,
        language=language_of(f"{title} {body_text}"),
    )


def _parsed(text: str, *, name: str):
    """The page's tree, and the text it was read from.

    libxml2 stops reading at 256 levels of nesting and drops the rest of the
    page, article included: such a page is read again without the tags nested
    deeper than any article needs. Other pages are read as they are, since
    counting depth in tag soup is only an estimate.
    """
    parser = lxml_html.HTMLParser()
    try:
        document = lxml_html.document_fromstring(text, parser=parser)
        if parser.error_log.filter_types([etree.ErrorTypes.ERR_RESOURCE_LIMIT]):
            text = flatten_deep_markup(text)
            document = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        raise ImportFailed(f"{name}: is not a readable HTML page.") from None
    return document, text


def _base_url(document, url: str) -> str:
    base = document.find(".//base[@href]")
    return absolute_url(base.get("href"), base=url) if base is not None else url


def _canonical(document, base: str) -> str:
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        found = document.xpath(xpath)
        if found and found[0].strip():
            return absolute_url(found[0], base=base)
    return ""


def _meta(document, name: str) -> str:
    for attribute in ("property", "name", "itemprop"):
        found = document.xpath(f"//meta[@{attribute}=$name]/@content", name=name)
        if found and found[0].strip():
            return found[0]
    return ""


def _published(document, *, zone: str | None):
    for name in _TIME_META:
        value = _meta(document, name)
        if value and (parsed := parse_date(value, zone=zone)):
            return parsed
    for script in document.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and (
                parsed := parse_date(str(item.get("datePublished", "")), zone=zone)
            ):
                return parsed
    for value in document.xpath("//time[@datetime]/@datetime"):
        if parsed := parse_date(value, zone=zone):
            return parsed
    return None


def _lead_image(document, base: str) -> tuple[str, str]:
    figure = document.xpath("(//article//figure[.//img] | //main//figure[.//img])[1]")
    if figure:
        image = figure[0].xpath(".//img[@src]")
        caption = figure[0].xpath(".//figcaption")
        if image:
            text = (
                clean_line(caption[0].text_content())
                if caption
                else clean_line(image[0].get("alt") or "")
            )
            return absolute_url(image[0].get("src"), base=base), text
    og_image = _meta(document, "og:image")
    return (absolute_url(og_image, base=base), "") if og_image else ("", "")


def _blocks(main, document, *, title: str) -> list[ParsedBlock]:
    citations = {
        clean_line(_without_cite(quote)): clean_line(cite.text_content())
        for quote in document.xpath("//blockquote[.//cite]")
        for cite in quote.xpath(".//cite")[:1]
    }
    blocks: list[ParsedBlock] = []
    for element in main.iter("p", "head", "quote", "item"):
        text = clean_line("".join(element.itertext()))
        if not text:
            continue
        if element.tag == "head":
            if text != title:
                blocks.append(ParsedBlock(kind="heading", text=text))
        elif element.tag == "quote":
            attribution = next(
                (name for quote, name in citations.items() if quote and text.startswith(quote)), ""
            )
            if attribution and text.endswith(attribution):
                text = clean_line(text[: -len(attribution)])
            blocks.append(ParsedBlock(kind="quote", text=text, attribution=attribution))
        elif element.getparent() is not None and element.getparent().tag == "quote":
            continue
        else:
            blocks.append(ParsedBlock(kind="paragraph", text=text))
    return blocks


def _without_cite(quote) -> str:
    copy = lxml_html.fromstring(etree.tostring(quote))
    for cite in copy.xpath(".//cite"):
        cite.drop_tree()
    return copy.text_content()

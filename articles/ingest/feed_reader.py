"""Reader for RSS and Atom feeds, with feedparser.

Feeds from Arabic news sites are messy: undeclared or wrong encodings,
entity-escaped HTML in descriptions, relative links, dates with Levantine or
Maghrebi month names and no zone, a language declared for the feed that is
wrong for some items, and GUIDs that are not unique. Each of those is dealt
with here, item by item; an item that cannot be read is reported, not fatal.
"""

import hashlib
import re
from dataclasses import dataclass, field

import feedparser

from articles.text import clean_line

from .base import ImportFailed, ParsedPage
from .dates import parse_date
from .decode import decode_document
from .text_blocks import blocks_from_html, flatten_deep_markup, language_of, plain_text
from .urls import absolute_url, normalise_url

# Entity declarations are how "billion laughs" and external-entity attacks
# arrive; real feeds never need them, so a feed that declares any is refused
# before any XML parser sees it.
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
MAX_ITEMS = 500


@dataclass
class ParsedFeed:
    title: str
    link: str
    language: str
    ttl_minutes: int | None
    items: list[ParsedPage] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def parse_feed(
    data: bytes, *, url: str, name: str, zone: str | None, content_type: str = ""
) -> ParsedFeed:
    """The feed's items; times without a zone are read in `zone` (naive without one)."""
    text = decode_document(data, name=name, content_type=content_type)
    if _ENTITY_DECLARATION.search(text):
        raise ImportFailed(
            f"{name}: declares XML entities, which feeds never need; it was refused."
        )
    # feedparser is given UTF-8 bytes with a matching declaration, whatever the
    # document said, since the text was decoded above. Markup nested deeper than
    # any article is flattened first: feedparser's sanitiser slows with the
    # square of the depth (about a second at 40,000 levels).
    body = flatten_deep_markup(_XML_DECLARATION.sub("", text, count=1))
    parsed = feedparser.parse(
        ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8"),
        response_headers={"content-location": url or "", "content-type": "application/xml"},
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    if not parsed.entries and not parsed.feed.get("title"):
        reason = getattr(parsed, "bozo_exception", None)
        raise ImportFailed(
            f"{name}: is not a readable RSS or Atom feed" + (f" ({reason})." if reason else ".")
        )
    channel = parsed.feed
    link = absolute_url(channel.get("link", ""), base=url) if url or channel.get("link") else ""
    feed = ParsedFeed(
        title=clean_line(plain_text(channel.get("title", ""))),
        link=link,
        language=(channel.get("language") or "").split("-")[0].lower(),
        ttl_minutes=_int(channel.get("ttl")),
    )
    entries = parsed.entries[:MAX_ITEMS]
    guids = [entry.get("id", "").strip() for entry in entries]
    trust_guids = len(set(guids)) == len(guids) and all(guids)
    base = url or link
    for index, entry in enumerate(entries, start=1):
        try:
            feed.items.append(_item(entry, base=base, zone=zone, trust_guid=trust_guids))
        except ImportFailed as error:
            feed.failures.append(f"item {index}: {error}")
    return feed


def _item(entry, *, base: str, zone: str | None, trust_guid: bool) -> ParsedPage:
    title = clean_line(plain_text(entry.get("title", "")))
    if not title:
        raise ImportFailed("it has no title")
    link = entry.get("link", "")
    url = normalise_url(absolute_url(link, base=base)) if link else ""
    # feedparser files <media:description> under "content" as plain text: only
    # HTML content is the article's body; plain text is at most a caption.
    html_content = [c for c in entry.get("content", []) if "html" in c.get("type", "html")]
    content = html_content[0].get("value", "") if html_content else ""
    summary = entry.get("summary", "")
    blocks = blocks_from_html(content or summary)
    lead = plain_text(summary) if content and summary else ""
    raw_date = entry.get("published") or entry.get("updated") or entry.get("dc_date") or ""
    published = parse_date(raw_date, zone=zone)
    guid = entry.get("id", "").strip() if trust_guid else ""
    if not guid:
        guid = url or "sha256:" + hashlib.sha256(f"{title}\x1f{raw_date}".encode()).hexdigest()
    image_url, caption = _image(entry, base=base)
    if image_url and not caption:
        captions = [c for c in entry.get("content", []) if c.get("type") == "text/plain"]
        caption = plain_text(captions[0].get("value", ""))[:500] if captions else ""
    return ParsedPage(
        title=title,
        original_url=url,
        blocks=blocks,
        published_at=published,
        lead=lead[:1000],
        byline=plain_text(entry.get("author", ""))[:200],
        image_url=image_url,
        image_caption=caption,
        guid=guid[:1000],
        language=language_of(" ".join([title, lead, *(block.text for block in blocks[:5])])),
    )


def _image(entry, *, base: str) -> tuple[str, str]:
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        if media.get("url") and media.get("medium", "image") == "image":
            return absolute_url(media["url"], base=base), clean_line(
                entry.get("media_description", "")
            )
    for enclosure in entry.get("enclosures", []):
        if enclosure.get("type", "").startswith("image/") and enclosure.get("href"):
            return absolute_url(enclosure["href"], base=base), ""
    return "", ""


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None

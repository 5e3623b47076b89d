"""Which reader a document needs, decided from its content, never from its name."""

import re

SCRAPED_TEXT, HTML_PAGE, FEED = "scraped text", "HTML page", "feed"

_FEED_ROOT = re.compile(rb"<(?:[a-z0-9]+:)?(?:rss|feed|rdf:RDF|RDF)\b", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)


_PROLOGUE = re.compile(rb"(?:<\?.*?\?>|<!--.*?-->|\s)*", re.DOTALL)


def detect_format(data: bytes) -> str:
    data = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    # Skip the XML declaration, comments and processing instructions before the
    # root, however long (a long comment must not hide a feed's root).
    head = data[:8192]
    stripped = data[_PROLOGUE.match(data).end() :][:8192]
    if re.match(rb"<!DOCTYPE\s+(?!html)", stripped, re.IGNORECASE):
        stripped = re.sub(rb"^<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*", b"", stripped, flags=re.DOTALL)
    if _FEED_ROOT.match(stripped):
        return FEED
    if _HTML_ROOT.search(head[:2048]) or stripped[:1] == b"<":
        return HTML_PAGE
    return SCRAPED_TEXT

"""Which reader a document needs, decided from its content, never from its name."""

import re

SCRAPED_TEXT, HTML_PAGE, FEED = "scraped text", "HTML page", "feed"

_FEED_ROOT = re.compile(rb"<(?:[a-z0-9]+:)?(?:rss|feed|rdf:RDF|RDF)\b", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)


def detect_format(data: bytes) -> str:
    head = data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    # Skip an XML declaration, comments and processing instructions before the root.
    stripped = re.sub(rb"^(?:<\?.*?\?>|<!--.*?-->|\s)+", b"", head, flags=re.DOTALL)
    if re.match(rb"<!DOCTYPE\s+(?!html)", stripped, re.IGNORECASE):
        stripped = re.sub(rb"^<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*", b"", stripped, flags=re.DOTALL)
    if _FEED_ROOT.match(stripped):
        return FEED
    if _HTML_ROOT.search(head[:2048]) or stripped[:1] == b"<":
        return HTML_PAGE
    return SCRAPED_TEXT

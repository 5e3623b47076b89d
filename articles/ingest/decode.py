"""Bytes to text for documents from other sites, whose encodings are often wrong or unsaid.

Order of trust: a byte-order mark, then what the document declares (XML
declaration, HTML meta), then what the server said, then UTF-8 if the bytes
are valid UTF-8, then windows-1256 (the Arabic Windows code page) when that
reads as Arabic.
"""

import codecs
import re

from .base import ImportFailed

_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?\s*([A-Za-z0-9._-]+)""", re.IGNORECASE)
_ARABIC = re.compile("[\u0600-\u06ff]")


def declared_encoding(data: bytes, *, content_type: str = "") -> str | None:
    head = data[:4096]
    for pattern in (_XML_DECLARATION, _META_CHARSET):
        match = pattern.search(head)
        if match:
            return match.group(1).decode("ascii").lower()
    match = re.search(r"charset=([A-Za-z0-9._-]+)", content_type or "", re.IGNORECASE)
    return match.group(1).lower() if match else None


def decode_document(data: bytes, *, name: str, content_type: str = "") -> str:
    """The document's text; ImportFailed when no encoding reads it."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    declared = declared_encoding(data, content_type=content_type)
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            codec = None
        if codec:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                text = None
            # A page that says UTF-8 but is not is usually windows-1256 (or its
            # ISO cousin): fall through and guess rather than mangle it.
            if text is not None:
                return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for codec in ("windows-1256", "iso-8859-6"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _ARABIC.search(text):
            return text
    raise ImportFailed(
        f"{name}: its text is in an encoding that could not be recognised "
        "(neither UTF-8 nor windows-1256)."
    )

"""Bytes to text for documents from other sites, whose encodings are often wrong or unsaid.

Order of trust: a byte-order mark, then what the document declares (XML
declaration, HTML meta), then what the server said, then UTF-8 if the bytes
are valid UTF-8, then windows-1256 (the Arabic Windows code page) when that
reads as Arabic. Bytes that are UTF-8 but for a few are refused rather than
guessed at: read as windows-1256, every Arabic letter in them would be garbled.
"""

import codecs
import re

from .base import ImportFailed

_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?\s*([A-Za-z0-9._-]+)""", re.IGNORECASE)
_ARABIC = re.compile("[\u0600-\u06ff]")
# What "surrogateescape" decodes each byte that is not part of a UTF-8 character to.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_UTF8_NAMES = {"utf-8", "utf8"}


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
        _refuse_invalid_utf8(data, name=name)
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        utf8_text = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8_text = None
        # Whatever the server or the document says: read as windows-1256, the
        # rest of the text would be garbled.
        if _mostly_utf8(data):
            _refuse_invalid_utf8(data, name=name)
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
    if utf8_text is not None:
        return utf8_text
    for codec in ("windows-1256", "iso-8859-6"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _ARABIC.search(text):
            return text
    # Only the document's own declaration counts here: servers often call
    # everything UTF-8.
    if declared_encoding(data) in _UTF8_NAMES:
        _refuse_invalid_utf8(data, name=name)
    raise ImportFailed(
        f"{name}: its text is in an encoding that could not be recognised "
        "(neither UTF-8 nor windows-1256)."
    )


def _mostly_utf8(data: bytes) -> bool:
    """Whether the non-ASCII characters that read as UTF-8 outnumber the bytes that do not.

    Text in windows-1256 is the other way round: its Arabic letters are bytes
    that only now and then happen to pair up into a UTF-8 character.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    invalid = len(text) - len(_ESCAPED_BYTE.sub("", text))
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return non_ascii - invalid > invalid


def _refuse_invalid_utf8(data: bytes, *, name: str) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            f"{name}: is not valid UTF-8 (the byte at offset {error.start} "
            "is not part of a character)."
        ) from None

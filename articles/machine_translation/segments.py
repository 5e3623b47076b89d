"""Turning stored text into segments for an engine, and checking what comes back.

A segment is an HTML fragment. Stored text (titles, leads, blocks) is plain
text: the pipeline always sends it escaped (`to_segment(text)`), and an
answer with any markup in it is refused. For text with inline markup (links,
emphasis), `to_segment(text, markup=True)` sends each tag with its attributes
replaced by a numbered placeholder (`<a id="m1">`); the answer is taken only
if every placeholder comes back once, on the same tag, balanced (the engine
may move them, as word order changes), and then the attributes are put back.
Whitespace is collapsed first, so the same paragraph always makes the same
segment and the same memory key.
"""

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from articles.text import strip_bidi_controls

from .engines.base import BadOutput

_WHITESPACE = re.compile(r"\s+")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LETTER = re.compile(r"[^\W\d_]")
VOID_TAGS = {"br", "img", "hr", "wbr"}
# Above this share of Arabic letters, an "English" translation was not translated.
MAX_ARABIC_SHARE = 0.3


def normalise(text: str) -> str:
    """The form of a text that the memory is keyed on."""
    return _WHITESPACE.sub(" ", strip_bidi_controls(unicodedata.normalize("NFC", text))).strip()


def source_hash(*texts: str) -> str:
    joined = "\x1f".join(normalise(text or "") for text in texts)
    return hashlib.sha256(joined.encode()).hexdigest()


@dataclass
class Segment:
    """One piece of text to translate, ready to send, with what is needed to take it back."""

    text: str  # normalised source text
    markup: str  # what is sent
    attributes: dict[str, str] = field(default_factory=dict)  # placeholder id -> attributes

    @property
    def hash(self) -> str:
        return source_hash(self.text)


class _Tags(HTMLParser):
    """Tags out of a fragment, each start tag's attributes replaced by a placeholder.

    On the way out (`answer=False`) placeholders are numbered in order; in an
    engine's answer they are read from the `id` the engine sent back, so that a
    tag it moved still gets its own attributes.
    """

    def __init__(self, *, answer: bool = False):
        super().__init__(convert_charrefs=True)
        self.answer = answer
        self.parts: list[str] = []
        self.attributes: dict[str, str] = {}
        self.tags: list[tuple[str, str, str]] = []  # (kind, tag, id)
        self.has_markup = False

    def handle_starttag(self, tag, attrs):
        self.has_markup = True
        if self.answer:
            placeholder = dict(attrs).get("id") or ""
        else:
            placeholder = f"m{len(self.attributes) + 1}"
        self.attributes[placeholder] = "".join(
            f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs
        )
        self.tags.append(("start", tag, placeholder))
        self.parts.append(f'<{tag} id="{html.escape(placeholder, quote=True)}">')

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.has_markup = True
        self.tags.append(("end", tag, ""))
        self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        self.parts.append(html.escape(data, quote=False))


def to_segment(text: str, *, markup: bool = False) -> Segment:
    """A segment for `text`: plain text escaped, or inline HTML with placeholders."""
    clean = normalise(text)
    if not markup:
        return Segment(text=clean, markup=html.escape(clean, quote=False))
    parser = _Tags()
    parser.feed(clean)
    parser.close()
    return Segment(text=clean, markup="".join(parser.parts), attributes=parser.attributes)


def from_segment(segment: Segment, translated: str) -> str:
    """The translation as stored text; BadOutput when it cannot be trusted."""
    result = normalise(translated)
    if not result:
        raise BadOutput("the translation is empty")
    parser = _Tags(answer=True)
    parser.feed(result)
    parser.close()
    if not segment.attributes:
        if parser.has_markup:
            raise BadOutput("the translation has markup the original did not have")
        plain = html.unescape(result)
    else:
        plain = _restore_markup(segment, parser)
    _check_language(plain)
    return plain


def _restore_markup(segment: Segment, parser: _Tags) -> str:
    sent = _Tags()
    sent.feed(segment.markup)
    sent.close()
    if sorted(sent.tags) != sorted(parser.tags):
        raise BadOutput("the translation's markup does not match the original's")
    stack = []
    for kind, tag, _placeholder in parser.tags:
        if tag in VOID_TAGS:
            continue
        if kind == "start":
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            raise BadOutput("the translation's markup is not balanced")
    if stack:
        raise BadOutput("the translation's markup is not balanced")
    restored = "".join(parser.parts)
    for placeholder, attributes in segment.attributes.items():
        restored = re.sub(
            rf'(<[a-z0-9]+) id="{placeholder}">', rf"\1{_escape_backrefs(attributes)}>", restored
        )
    return restored


def _escape_backrefs(text: str) -> str:
    return text.replace("\\", "\\\\")


def _check_language(text: str) -> None:
    letters = _LETTER.findall(re.sub(r"<[^>]+>", "", text))
    if not letters:
        return
    arabic = sum(1 for letter in letters if _ARABIC_LETTER.match(letter))
    if arabic / len(letters) > MAX_ARABIC_SHARE:
        raise BadOutput("the translation is still mostly Arabic")

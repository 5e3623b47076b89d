"""Marking the words a search found, whole words only, in escaped HTML.

A mark never starts or ends inside a word: text is cut into words at white
space and punctuation, a word (with its diacritics, tatweel and particles:
والمدرسة as one) is normalised as the index normalises it, and the whole
word is wrapped in <mark> when one of its keys is among the query's. Splitting
an Arabic word with a tag would break the joining of its letters.

Everything is escaped first and only <mark> tags are added, so data never
reaches the page as markup. Bidi controls are removed, as the `nobidi`
filter does for all data text.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.text import strip_bidi_controls

from . import normalise
from .normalise import Word

# A word as it is written: letters, digits, combining marks (harakat, shadda,
# Latin accents), tatweel (a letter for `\w`), zero-width joiners, soft hyphen.
_WRITTEN_WORD = re.compile(
    "[\\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08ca-\u08ff"
    "\u200c\u200d\u00ad]+"
)
EXCERPT_WORDS = 30  # words in an excerpt
WORDS_BEFORE = 8  # of which before the first word found
ELLIPSIS = "…"


@dataclass(frozen=True)
class Excerpt:
    """A passage of an article around the first word found, marked, and its language."""

    html: SafeString
    language: str


class Highlighter:
    """Marks the words of one query in the texts of its results."""

    def __init__(self, words: Iterable[Word]):
        self.keys = frozenset(word.key for word in words)
        self._seen: dict[str, bool] = {}

    def is_found(self, written: str) -> bool:
        """Whether a word as written in an article is one the query looked for."""
        found = self._seen.get(written)
        if found is None:
            found = self._seen[written] = any(
                word.key in self.keys for word in normalise.words(written)
            )
        return found

    def mark(self, text: str | None) -> SafeString:
        """`text` escaped, with each word found in <mark>."""
        return self._marked(strip_bidi_controls(text or ""))

    def _marked(self, text: str) -> SafeString:
        html, last = [], 0
        for span in _WRITTEN_WORD.finditer(text):
            if self.is_found(span.group()):
                html.append(escape(text[last : span.start()]))
                html.append(f"<mark>{escape(span.group())}</mark>")
                last = span.end()
        html.append(escape(text[last:]))
        return mark_safe("".join(html))  # noqa: S308 -- every piece of text is escaped above

    def mentions(self, text: str) -> bool:
        """Whether `text` has a word found: normalised whole, which is much faster
        than word by word, and what most passages of a result need."""
        return any(word.key in self.keys for word in normalise.words(text))

    def excerpt(self, text: str | None) -> SafeString | None:
        """The passage of `text` around its first word found, marked; None without one."""
        text = strip_bidi_controls(text or "")
        if not self.mentions(text):
            return None
        spans = list(_WRITTEN_WORD.finditer(text))
        first = next((i for i, span in enumerate(spans) if self.is_found(span.group())), None)
        if first is None:
            return None
        start = max(0, first - WORDS_BEFORE)
        end = min(len(spans), start + EXCERPT_WORDS)
        # The passage starts and ends on word boundaries, so it cuts into the same words.
        passage = self._marked(text[spans[start].start() : spans[end - 1].end()])
        before = ELLIPSIS + " " if start > 0 else ""
        after = " " + ELLIPSIS if end < len(spans) else ""
        return mark_safe(before + passage + after)  # noqa: S308 -- the passage is escaped

    def opening(self, text: str | None, language: str) -> Excerpt | None:
        """The first words of `text`, marked; None when it is empty."""
        text = strip_bidi_controls(text or "")
        spans = list(_WRITTEN_WORD.finditer(text))
        if not spans:
            return None
        end = min(len(spans), EXCERPT_WORDS)
        passage = self._marked(text[spans[0].start() : spans[end - 1].end()])
        after = " " + ELLIPSIS if end < len(spans) else ""
        return Excerpt(html=mark_safe(passage + after), language=language)  # noqa: S308 -- escaped

    def first_excerpt(self, passages: Iterable[tuple[str | None, str]]) -> Excerpt | None:
        """The excerpt of the first (text, language) passage with a word found."""
        for text, language in passages:
            html = self.excerpt(text)
            if html is not None:
                return Excerpt(html=html, language=language)
        return None

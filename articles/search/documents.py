"""An article's text as search sees it: four parts of normalised words.

The parts are ranked apart: the Arabic title, the Arabic lead and body
(quotes and the names they are attributed to included), the English title,
the English lead and body. Each part is its normalised words, stop words
left out, one space between words and one line per paragraph; the backends
turn them into a tsvector or an FTS5 row.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from . import normalise
from .normalise import Word

PARTS = ("title_ar", "body_ar", "title_en", "body_en")


def _part(texts: Iterable[str | None]) -> str:
    lines = (" ".join(normalise.tokens(text)) for text in texts if text)
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class SearchText:
    """The normalised parts of one article, and what search copies of it to list it."""

    article_id: int
    status: str = ""
    published_at: datetime.datetime | None = None
    source_id: int | None = None
    section_id: int | None = None
    title_ar: str = ""
    body_ar: str = ""
    title_en: str = ""
    body_en: str = ""

    @classmethod
    def of(cls, article: dict, blocks: Iterable[dict]) -> "SearchText":
        """From an article's values and its blocks' values, blocks in reading order."""
        blocks = list(blocks)
        return cls(
            article_id=article["pk"],
            status=article["status"],
            published_at=article["published_at"],
            source_id=article["source_id"],
            section_id=article["section_id"],
            title_ar=_part([article["title_ar"]]),
            body_ar=_part(
                [article["lead_ar"]]
                + [text for block in blocks for text in (block["text_ar"], block["attribution_ar"])]
            ),
            title_en=_part([article["title_en"]]),
            body_en=_part(
                [article["lead_en"]]
                + [text for block in blocks for text in (block["text_en"], block["attribution_en"])]
            ),
        )

    def words(self, part: str) -> list[Word]:
        return [Word.from_exact(exact) for exact in getattr(self, part).split()]


ARTICLE_FIELDS = (
    "pk",
    "status",
    "published_at",
    "source_id",
    "section_id",
    "title_ar",
    "lead_ar",
    "title_en",
    "lead_en",
)
# What SearchDocument copies of an article (see its docstring).
COPIED_FIELDS = ("status", "published_at", "source_id", "section_id")
BLOCK_FIELDS = ("article_id", "text_ar", "attribution_ar", "text_en", "attribution_en")

"""What every importer produces, and the one error type importers raise."""

import datetime
from dataclasses import dataclass, field


class ImportFailed(Exception):
    """Input that cannot be imported; the message is one plain sentence for the user."""


@dataclass(frozen=True)
class ParsedBlock:
    kind: str  # one of ArticleBlock.Kind's values
    text: str
    attribution: str = ""


@dataclass(frozen=True)
class ParsedPage:
    """One article as an importer read it, before anything is stored."""

    title: str
    original_url: str
    blocks: list[ParsedBlock]
    time_of_day: datetime.time | None = None
    view_count: int = 0
    ticker: list[str] = field(default_factory=list)
    # Pages and feeds give more than the scraped text layout does.
    published_at: datetime.datetime | None = None
    lead: str = ""
    byline: str = ""
    image_url: str = ""
    image_caption: str = ""
    guid: str = ""
    language: str = "ar"

    @property
    def paragraph_count(self) -> int:
        return sum(1 for block in self.blocks if block.kind == "paragraph")

    @property
    def quote_count(self) -> int:
        return sum(1 for block in self.blocks if block.kind == "quote")

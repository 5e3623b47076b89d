"""What a reader typed, parsed: web search syntax over normalised words.

The syntax is that of web search engines and of PostgreSQL's
`websearch_to_tsquery`: words are all required; `"quoted words"` must come
together, in that order; `-word` or `-"quoted words"` must not appear; `OR`
(also `or`, and Arabic أو) between two words or quotes accepts either. One
difference from PostgreSQL: OR binds its two neighbours only, as on the web
(`سوريا OR لبنان انتخابات` is (سوريا or لبنان) and انتخابات), where
PostgreSQL's function would read it as سوريا or (لبنان and انتخابات).

Typographic quotes (“ ” « » and the like) count as quotes. Words are
normalised exactly as stored text is (see `normalise`), stop words dropped; a
word that the normaliser cuts in two (covid-19) must match as a phrase.
"""

import re
from dataclasses import dataclass
from enum import Enum

from . import normalise
from .normalise import Word

MAX_LENGTH = 200

_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»″〝〞＂", '"'))
_ITEM = re.compile(r'(-)?(?:"([^"]*)(?:"|$)|([^\s"]+))')
_OR_WORDS = frozenset({"or", "او"})


class Problem(Enum):
    """Why a query cannot be searched for; the page says so in a sentence."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_WORDS = "no_words"  # punctuation only
    ONLY_COMMON_WORDS = "only_common_words"  # stop words only
    ONLY_EXCLUDED = "only_excluded"  # nothing left to look for but -words


class UnusableQuery(ValueError):
    def __init__(self, problem: Problem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together in this order; usually a single word."""

    words: tuple[Word, ...]


@dataclass(frozen=True)
class Query:
    """All of `required` (each a choice of phrases) and none of `excluded`."""

    required: tuple[tuple[Phrase, ...], ...]
    excluded: tuple[Phrase, ...] = ()

    @property
    def words(self) -> list[Word]:
        """The words looked for (not the excluded ones), for highlighting."""
        return [word for choice in self.required for phrase in choice for word in phrase.words]


def clean(text: str) -> str:
    """The query as it is shown back to the reader: white space made single."""
    return " ".join(text.split())


def parse(text: str) -> Query:
    """The reader's query, or UnusableQuery saying why there is nothing to search for."""
    text = clean(text)
    if not text:
        raise UnusableQuery(Problem.EMPTY)
    if len(text) > MAX_LENGTH:
        raise UnusableQuery(Problem.TOO_LONG)

    required: list[list[Phrase]] = []
    excluded: list[Phrase] = []
    either = False  # the previous item was OR
    for match in _ITEM.finditer(text.translate(_QUOTES)):
        negated, quoted, bare = match.groups()
        raw = quoted if quoted is not None else bare
        if quoted is None and not negated and normalise.normalise(raw) in _OR_WORDS:
            either = bool(required)
            continue
        words = normalise.words(raw)
        if not words:
            continue
        phrase = Phrase(tuple(words))
        if negated:
            excluded.append(phrase)
            either = False
        elif either:
            required[-1].append(phrase)
            either = False
        else:
            required.append([phrase])

    if not required:
        if excluded:
            raise UnusableQuery(Problem.ONLY_EXCLUDED)
        if normalise.has_word_characters(text):
            raise UnusableQuery(Problem.ONLY_COMMON_WORDS)
        raise UnusableQuery(Problem.NO_WORDS)
    return Query(
        required=tuple(dict.fromkeys(tuple(dict.fromkeys(choice)) for choice in required)),
        excluded=tuple(dict.fromkeys(excluded)),
    )

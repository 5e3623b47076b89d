"""Arabic-aware normalisation: the one function stored text and queries both go through.

Readers type Arabic the way they type it: with or without hamza, ة or ه, ى or
ي, with or without diacritics and tatweel, Arabic-Indic, Persian or Western
digits, and words glued to the particles و ف ب ل and the article ال. Text is
made comparable in two steps:

1. Characters (`normalise`): compatibility forms unfolded (presentation
   forms, ligatures such as ﻻ), alef forms to ا, hamza taken off its carrier
   (ؤ → و, ئ → ي) and lone hamza dropped, ى → ي, ة → ه, Persian letters to
   their Arabic twins, diacritics, tatweel and format characters (bidi
   controls, zero-width joiners) removed, every kind of digit to 0-9, Latin
   case folded.
2. Words (`words`): the text cut into letters-only and digits-only tokens,
   stop words dropped, and each Arabic word given a `key` with its leading
   particles stripped (والمدرسة, بالمدرسة, للمدرسة → مدرسه). Matching is done
   on keys; the exact form is kept beside the key so that ranking can put an
   exact match above a match through a stripped prefix.

Prefix stripping knows no dictionary, so it is deliberately greedy and
applied the same way on both sides: whatever a word is taken to be, the same
word typed in a query is taken to be the same thing. A stem must keep three
letters after a one-letter particle and two after ال, which keeps short words
that merely start with those letters (ولد، بيت، وقت) whole.
"""

import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

from .stopwords import ARABIC_STOP_WORDS, ENGLISH_STOP_WORDS

# Words seen are remembered, up to this many per cache (then forgotten all at
# once), in plain dicts of strings and tuples, which the garbage collector
# walks quickly; functools' LRU cache, with a linked node per entry, made its
# full collections take a tenth of a second in a process that had searched a
# while.
CACHE_SIZE = 100_000
MIN_WORD_LENGTH = 2  # single letters are particles or typos; digits are kept at any length
MAX_WORD_LENGTH = 64  # longer "words" are identifiers, hashes, glued URLs

# Arabic-script letters as they are after normalisation (presentation forms
# unfolded, marks removed); not the block's punctuation (، ؛ ؟ ٪).
_ARABIC_LETTERS = (
    "\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef"
    "\u06fa-\u06fc\u06ff\u0750-\u077f\u08a0-\u08c9"
)
_ARABIC_LETTER = re.compile(f"[{_ARABIC_LETTERS}]")
# After normalisation: runs of ASCII digits, of Arabic letters, of other letters.
_TOKEN = re.compile(rf"[0-9]+|[{_ARABIC_LETTERS}]+|[^\W\d_{_ARABIC_LETTERS}]+")


def _character_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Every combining mark (Arabic harakat, shadda, sukun, superscript alef,
    # Quranic marks, the hamza marks NFKD leaves behind, Latin accents) and
    # every format character (bidi controls, ZWJ/ZWNJ, soft hyphen, BOM).
    # The Basic Multilingual Plane holds every one that occurs in news text.
    for code in range(0x10000):
        if unicodedata.category(chr(code)) in ("Mn", "Me", "Cf"):
            table[code] = None
    table.update(
        {
            ord("\u0640"): None,  # tatweel
            ord("\u0621"): None,  # lone hamza: مساء and مسا are typed for the same word
            ord("\u0671"): "\u0627",  # alef wasla
            ord("\u0672"): "\u0627",
            ord("\u0673"): "\u0627",
            ord("\u0675"): "\u0627",
            ord("\u0629"): "\u0647",  # ة → ه
            ord("\u06c0"): "\u0647",
            ord("\u06c1"): "\u0647",
            ord("\u06d5"): "\u0647",
            ord("\u06a9"): "\u0643",  # Persian keheh → kaf
            ord("\u06cc"): "\u064a",  # Persian yeh → yeh
            ord("\u06d2"): "\u064a",
        }
    )
    for digit in range(10):
        table[0x0660 + digit] = str(digit)  # Arabic-Indic
        table[0x06F0 + digit] = str(digit)  # Persian (extended Arabic-Indic)
    return table


# ى stays ى through the first pass: it tells على (a stop word) from علي (a name).
_LIGHT = _character_table()
_ALEF_MAKSURA = "\u0649"
_YEH = "\u064a"


def _light(text: str) -> str:
    """`normalise` without ى → ي, which stop words need to tell على from علي."""
    # NFKD on both sides of casefold (Unicode's compatibility caseless match):
    # a compatibility letter (ℌ, 𝐀) decomposes to a capital only after the first.
    folded = unicodedata.normalize("NFKD", text).casefold()
    return unicodedata.normalize("NFKD", folded).translate(_LIGHT)


def normalise(text: str) -> str:
    """Text with the character-level normalisation applied (spaces and punctuation kept)."""
    return _light(text).replace(_ALEF_MAKSURA, _YEH)


def is_arabic(token: str) -> bool:
    return bool(_ARABIC_LETTER.match(token))


# Tried in this order at every step: the article (alone or after ل, where
# its alef is not written: للمدرسة), then the one-letter particles. The
# number is the shortest stem that may be left.
PREFIXES = (("ال", 2), ("لل", 2), ("و", 3), ("ف", 3), ("ب", 3), ("ل", 3))
# Words that look prefixed but are not, or whose stem is written differently.
NOT_PREFIXED = {"الله": "الله", "لله": "الله"}


def _remembered(function: Callable[[str], object]) -> Callable:
    cache: dict = {}

    def remembered(text: str):
        try:
            return cache[text]
        except KeyError:
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            result = cache[text] = function(text)
            return result

    remembered.__doc__ = function.__doc__
    return remembered


@_remembered
def strip_prefixes(word: str) -> str:
    """A normalised Arabic word without its leading particles: والمدرسه → مدرسه."""
    while word not in NOT_PREFIXED:
        for prefix, shortest_stem in PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= shortest_stem:
                word = word[len(prefix) :]
                break
        else:
            return word
    return NOT_PREFIXED[word]


class Word(NamedTuple):
    """One searchable word: its normalised form and the key it is matched on."""

    exact: str
    key: str
    arabic: bool

    @classmethod
    def from_exact(cls, exact: str) -> "Word":
        return _word(exact)


@_remembered
def _word(exact: str) -> Word:
    if is_arabic(exact):
        return Word(exact=exact, key=strip_prefixes(exact), arabic=True)
    return Word(exact=exact, key=exact, arabic=False)


def _is_stop_word(light: str) -> bool:
    if is_arabic(light):
        # و and ف attach to anything, function words included: وفي، فقد، ولكن.
        return light in ARABIC_STOP_WORDS or (light[0] in "وف" and light[1:] in ARABIC_STOP_WORDS)
    return light in ENGLISH_STOP_WORDS


@_remembered
def _searchable(light: str) -> str | None:
    """The normalised form of a token from `_light` text, or None when it is not searched."""
    if light.isdigit():
        return light
    if not MIN_WORD_LENGTH <= len(light) <= MAX_WORD_LENGTH or _is_stop_word(light):
        return None
    return light.replace(_ALEF_MAKSURA, _YEH)


def tokens(text: str) -> list[str]:
    """The searchable words of `text`, normalised, in order, stop words left out."""
    found = []
    for light in _TOKEN.findall(_light(text)):
        exact = _searchable(light)
        if exact is not None:
            found.append(exact)
    return found


def words(text: str) -> list[Word]:
    return [_word(exact) for exact in tokens(text)]


def has_word_characters(text: str) -> bool:
    """Whether `text` has any letter or digit at all (stop words included)."""
    return bool(_TOKEN.search(_light(text)))

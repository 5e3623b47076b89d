"""Search on PostgreSQL: a tsvector to match under a GIN index, a small one to rank.

For each article, SearchDocument holds:

- `vector`, what matching uses: every word's key (normalised, particles
  stripped) marked with a leading "+" at its position, written as a
  tsvector literal built here so that no PostgreSQL parser or dictionary
  changes it, and the keys' stems (unmarked)
  from the `arabic` (Snowball) configuration, or `english` for words in
  Latin letters wherever they stand; keys weigh A in a title and C in the
  lead and body, stems B and D. Fed the keys, the Arabic stemmer no longer
  sees the particles it handles unevenly (it stems وزاره and الوزاره
  apart). Marked, a key is never taken for another word's stem, so that
  the GIN index alone tells a word found as itself from one found only by
  its stem (GIN keeps no weights: a lexeme looked for with a weight is
  checked against each candidate's whole vector). Phrases match keys,
  whose positions are the words', and a hashed
  lexeme for each two neighbouring keys, which lets the GIN index find a
  phrase without unpacking the vector of every article that has its words.
- `rank_vector`, what ranking reads: the two titles only, each word's key
  marked with a leading "+" and each Arabic word's exact normalised form
  marked "=", weight A, and the keys' stems, weight B (unmarked, so that a
  stem is never taken for a key), under a GIN index of its own.

Both are kept out of the table's rows (migration 0006), which stay a hundred
bytes or so, so that counting and ordering thousands of matches reads few
pages, and neither is ever read to rank a match (see `match_score`):
ranking with ts_rank over the whole `vector` unpacks every match's several
kilobytes (measured: a p95 of 666 ms over 20,000 articles), and over the
title vectors alone still a few thousand of them for a common word.

The rank of a match, per word looked for: 4 for its exact form in a title,
3 for the same word with other particles, 2 for a title word sharing only
its stem, 1 for the word itself (any particles) in the lead or body alone,
0 for a lead or body word sharing only its stem; summed over the words,
ties going to the newest.

The vectors record no version of their layout: a change to it (as when
keys gained their "+" in `vector`) leaves the vectors written before
matching wrongly, until every article is indexed again by
`rebuild_search_index` without --stale.
"""

import functools
import hashlib
import itertools
import operator

from django.contrib.postgres.search import SearchVectorField
from django.db.models import BooleanField, Case, Count, F, Func, IntegerField, Value, When, Window
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .documents import COPIED_FIELDS, SearchText
from .normalise import Word
from .query import Phrase, Query

EXACT_MARK = "="
KEY_MARK = "+"
PAIR_MARK = "~"
# Pairs of neighbouring words are hashed into this many lexemes: enough that
# the articles sharing a phrase's hash are few, few enough to keep the GIN
# index's list of lexemes short whatever the number of articles.
PAIR_BUCKETS = 1 << 22
MAX_POSITION = 16383  # PostgreSQL's limit
MAX_POSITIONS_PER_LEXEME = 255
# (part, weight of its keys, of their stems): titles A and B, lead and body C and D.
PARTS = (
    ("title_ar", "A", "B"),
    ("body_ar", "C", "D"),
    ("title_en", "A", "B"),
    ("body_en", "C", "D"),
)
TITLES = ("title_ar", "title_en")


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def pair_lexeme(first: str, second: str) -> str:
    """The lexeme standing for two keys side by side: a hash, so that pairs stay few."""
    digest = hashlib.blake2b(f"{first} {second}".encode(), digest_size=4).digest()
    return PAIR_MARK + format(int.from_bytes(digest, "big") % PAIR_BUCKETS, "x")


def tsvector_literal(
    words: list[Word], *, weight: str = "", exact: bool = False, pairs: bool = False
) -> str:
    """Words as tsvector input: '+key':1A, apart from the stems the database adds;
    with `exact`, for the titles' vector, also '=exact':1A for Arabic words;
    with `pairs` also each two neighbours' pair lexeme (without position)."""
    positions: dict[str, list[int]] = {}
    for position, word in enumerate(words, start=1):
        position = min(position, MAX_POSITION)
        positions.setdefault(KEY_MARK + word.key, []).append(position)
        if exact and word.arabic:
            positions.setdefault(EXACT_MARK + word.exact, []).append(position)
    entries = [
        _lexeme(lexeme)
        + ":"
        + ",".join(f"{p}{weight}" for p in sorted(set(found))[:MAX_POSITIONS_PER_LEXEME])
        for lexeme, found in positions.items()
    ]
    if pairs:
        entries += {
            _lexeme(pair_lexeme(first.key, second.key))
            for first, second in itertools.pairwise(words)
        }
    return " ".join(entries)


def _stems_sql(words: list[Word], weight: str = "") -> tuple[str, list]:
    """The stems of the words' keys: Arabic through `arabic`, the rest through `english`."""
    sql, params = [], []
    for language, arabic in (("arabic", True), ("english", False)):
        stems = f"to_tsvector('{language}'::regconfig, %s)"
        sql.append(f"setweight({stems}, '{weight}')" if weight else stems)
        params.append(" ".join(word.key for word in words if word.arabic == arabic))
    return " || ".join(sql), params


def vector_expression(text: SearchText) -> RawSQL:
    """The matching vector: every part's keys, then their stems, weighted by part."""
    sql, params = [], []
    for part, weight, stem_weight in PARTS:
        words = text.words(part)
        stems, stem_params = _stems_sql(words, stem_weight)
        sql.append(f"%s::tsvector || {stems}")
        params += [tsvector_literal(words, weight=weight, pairs=True), *stem_params]
    return RawSQL(" || ".join(sql), params, output_field=SearchVectorField())  # noqa: S611 -- text is bound as parameters


def rank_vector_expression(text: SearchText) -> RawSQL:
    """The ranking vector: the titles' exact forms and keys (A) and stems (B)."""
    sql, params = [], []
    for part in TITLES:
        words = text.words(part)
        stems, stem_params = _stems_sql(words, "B")
        sql.append(f"%s::tsvector || {stems}")
        params += [tsvector_literal(words, weight="A", exact=True), *stem_params]
    return RawSQL(" || ".join(sql), params, output_field=SearchVectorField())  # noqa: S611 -- text is bound as parameters


def _stem_sql(word: Word) -> str:
    language = "arabic" if word.arabic else "english"
    return f"plainto_tsquery('{language}'::regconfig, %s)"


def _key(word: Word) -> str:
    return _lexeme(KEY_MARK + word.key)


def _word_sql(word: Word) -> tuple[str, list]:
    """A word matches its key or its stem (numbers: only themselves)."""
    if word.key.isdigit():
        return "%s::tsquery", [_key(word)]
    return f"(%s::tsquery || {_stem_sql(word)})", [_key(word), word.key]


def _phrase_sql(phrase: Phrase) -> tuple[str, list]:
    """A phrase: its pairs (which the GIN index finds), then its words in order.

    GIN keeps no positions: alone, `a <-> b` makes PostgreSQL unpack the
    vector of every article holding both words to check that they touch;
    the pairs leave it only the few articles that have them side by side
    (or whose pair shares its hash).
    """
    words = phrase.words
    if len(words) == 1:
        return _word_sql(words[0])
    pairs = [pair_lexeme(a.key, b.key) for a, b in itertools.pairwise(words)]
    in_order = " <-> ".join(_key(word) for word in words)
    return "%s::tsquery", [" & ".join(map(_lexeme, pairs)) + f" & ({in_order})"]


def _joined(parts: list[tuple[str, list]], operator: str) -> tuple[str, list]:
    return (
        "(" + f" {operator} ".join(sql for sql, _ in parts) + ")",
        [param for _, params in parts for param in params],
    )


def match_expression(query: Query) -> RawSQL:
    """The tsquery matching: every choice required, no excluded phrase."""
    parts = [_joined([_phrase_sql(p) for p in choice], "||") for choice in query.required]
    if query.excluded:
        sql, params = _joined([_phrase_sql(p) for p in query.excluded], "||")
        parts.append((f"!!{sql}", params))
    return RawSQL(*_joined(parts, "&&"))  # noqa: S611 -- words are bound as parameters


class Matches(Func):
    """vector @@ query, as a condition filter() and When() accept."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class SearchResults:
    """Matches counted and ordered on SearchDocument alone, fetched a page at a time.

    What Django's Paginator needs: `count()` and slicing. Counting and
    ordering read only the search table (the copied status, time, source
    and section), never joining the articles; a slice gives the page's
    articles, through `shown` (`Article.objects.published()` with what a
    result needs), in rank order. The query for a slice's ids also counts
    all the matches (a window), so that `SearchPaginator`, which slices
    before it counts, pages through a search in one pass over the matches.
    """

    def __init__(self, documents, shown):
        self.documents = documents
        self.shown = shown
        self.known_count = None

    def count(self) -> int:
        if self.known_count is None:
            self.known_count = self.documents.count()
        return self.known_count

    def ids_and_count(self, page: slice):
        """The query for a page's article ids, each row with the number of matches."""
        counted = self.documents.annotate(matches=Window(Count("article_id")))
        return counted.values_list("article_id", "matches")[page]

    def __getitem__(self, page: slice):
        rows = list(self.ids_and_count(page))
        if rows:
            self.known_count = rows[0][1]
        elif not page.start:
            self.known_count = 0
        ids = [article_id for article_id, _ in rows]
        in_rank_order = Case(
            *(When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)),
            default=Value(len(ids)),
        )
        return self.shown.filter(pk__in=ids).order_by(in_rank_order)


def _having(field: str, tsquery_sql: str, params: list):
    """Ids of the articles whose `field` vector matches: read from its GIN index alone."""
    from articles.models import SearchDocument

    tsquery = RawSQL(tsquery_sql, params)  # noqa: S611 -- words are bound as parameters
    return SearchDocument.objects.filter(Matches(F(field), tsquery)).values("article_id")


def match_score(query: Query):
    """How well a match matches: per word looked for, 4 for its exact form in the
    title, 3 for the same word with other particles, 2 for a word sharing its stem,
    1 for the word itself in the lead or body alone, 0 for a lead or body word
    sharing only its stem; summed over the query's words.

    Each tier is a set of ids from a GIN index (the title vectors', then the
    whole vector's), which PostgreSQL hashes once per query: no article's
    vector is read to rank it. The lead-or-body tiers are told apart by the
    few articles that have the stem but not the word (stem & !key, both
    answered by the index), not by the many that have the word: measured on
    100,000 articles, hashing every article with a common word cost 20 to 45
    ms a search, this 3 to 8. That needs every match to have the word or its
    stem, so a word one of several choices (OR) gets the title tiers only.
    """
    required = {}
    for choice in query.required:
        for phrase in choice:
            for word in phrase.words:
                required[word] = required.get(word, False) or len(choice) == 1
    scores = []
    for word, always in required.items():
        tiers = []
        if word.arabic:
            exact = _lexeme(EXACT_MARK + word.exact)
            tiers.append((4, _having("rank_vector", "%s::tsquery", [exact])))
        tiers.append((3 if word.arabic else 4, _having("rank_vector", "%s::tsquery", [_key(word)])))
        if not word.key.isdigit():
            tiers.append((2, _having("rank_vector", _stem_sql(word), [word.key])))
            if always:
                stem_only = f"({_stem_sql(word)} && !!%s::tsquery)"
                tiers.append((0, _having("vector", stem_only, [word.key, _key(word)])))
        scores.append(
            Case(
                *(When(article_id__in=ids, then=Value(score)) for score, ids in tiers),
                default=Value(1 if always else 0),
                output_field=IntegerField(),
            )
        )
    return functools.reduce(operator.add, scores)


def search(query: Query, *, shown, source=None, section=None, start=None, end=None):
    """Published articles matching `query`, best first, as pages of `shown`."""
    from articles.models import Article, SearchDocument

    documents = SearchDocument.objects.filter(
        Matches(F("vector"), match_expression(query)),
        status=Article.Status.PUBLISHED,
        published_at__lte=timezone.now(),
    )
    if source is not None:
        documents = documents.filter(source=source)
    if section is not None:
        documents = documents.filter(section=section)
    if start is not None:
        documents = documents.filter(published_at__gte=start)
    if end is not None:
        documents = documents.filter(published_at__lt=end)
    ranked = documents.annotate(search_rank=match_score(query)).order_by(
        "-search_rank", "-published_at", "-article_id"
    )
    return SearchResults(ranked, shown)


def write(model, texts: list[SearchText]) -> None:
    """Store the articles' vectors and copied fields, replacing what was there."""
    model.objects.bulk_create(
        [
            model(
                article_id=text.article_id,
                **{field: getattr(text, field) for field in COPIED_FIELDS},
                vector=vector_expression(text),
                rank_vector=rank_vector_expression(text),
            )
            for text in texts
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=[*COPIED_FIELDS, "vector", "rank_vector", "indexed_at"],
    )


def remove(model, article_ids) -> None:
    model.objects.filter(article_id__in=article_ids).delete()

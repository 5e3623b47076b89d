"""Search benchmark: p50/p95/p99 of a search over N articles on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom \\
        .venv/bin/python bench/search.py --articles 100000

DATABASE_URL names the server (and the user); the benchmark creates its own
database beside the one named (`newsroom_search_bench` unless --database says
otherwise), fills it, and drops it at the end (--keep leaves it). It never
touches another database.

Steps: migrate; create the articles in bulk (an invented Arabic vocabulary
with Zipf-distributed words, written the ways readers write: with and
without hamza, particles and diacritics, and an invented English one for the
translations; nothing is taken from ../shared/seed/); build the search index
with `rebuild_index`; ANALYZE; then run --searches searches through the search
page (Django's test client: parameters checked, search, count, one page of
results with excerpts, template rendered), after a warm-up, and print the
latency percentiles and the EXPLAIN of one search. Exits 1 when the p95 is
100 ms or more, or when that plan does not use the GIN index.

Not part of the test suite.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

BUDGET_MS = 100.0
GIN_INDEX = "searchdocument_vector_gin"

CONSONANTS = list("بتثجحخدذرزسشصضطظعغفقكلمنهوي")
# Word patterns over a three-letter root (1, 2, 3 stand for its letters).
PATTERNS = [
    "123", "1ا23", "م123", "م12و3", "12ي3", "ت12ي3", "م123ة", "12ا3ة", "ا123",
    "است12ا3", "م1ا23", "1و2ا3", "12ا3ات", "م123ون", "م123ين", "ت1ا2ي3", "ان12ا3",
]  # fmt: skip
PARTICLES = ["", "", "", "", "", "", "ال", "ال", "ال", "و", "ب", "ل", "وال", "بال", "لل", "فال"]
ARABIC_STOP = ["في", "من", "على", "إلى", "أن", "عن", "مع", "هذا", "التي", "قد"]
ENGLISH_STOP = ["the", "of", "and", "in", "to", "a", "for", "on", "with", "was"]
SYLLABLES = [
    "ka", "lo", "mer", "tan", "si", "ve", "dor", "pa", "ril", "nu", "go", "ben", "sha", "tor",
    "el", "mi", "qua", "zen", "ho", "rat",
]  # fmt: skip
DIACRITICS = ["\u064e", "\u064f", "\u0650", "\u0652", "\u0651"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles to create")
    parser.add_argument("--searches", type=int, default=300, help="searches to time")
    parser.add_argument("--database", default="newsroom_search_bench", help="database to create")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--reuse", action="store_true", help="search a database kept by --keep; create nothing"
    )
    return parser.parse_args()


def server_url(database: str) -> tuple[str, str]:
    """(URL of the benchmark database, URL of the server's maintenance database)."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("DATABASE_URL must name a PostgreSQL server, e.g. postgres://postgres@127.0.0.1/x")
    return (
        urlunsplit(parts._replace(path=f"/{database}")),
        urlunsplit(parts._replace(path="/postgres", scheme="postgresql")),
    )


def recreate_database(maintenance_url: str, database: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        name = sql.Identifier(database)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


class Vocabulary:
    """Invented words and Zipf-distributed draws from them."""

    def __init__(self, rng: random.Random, *, arabic: int = 20_000, english: int = 15_000):
        self.rng = rng
        self.arabic = self._unique(arabic, self._arabic_word)
        self.english = self._unique(english, self._english_word)
        self.arabic_weights = self._zipf(len(self.arabic))
        self.english_weights = self._zipf(len(self.english))

    def _unique(self, count, make):
        words = {}
        while len(words) < count:
            words.setdefault(make(), None)
        return list(words)

    def _arabic_word(self) -> str:
        root = self.rng.sample(CONSONANTS, 3)
        word = self.rng.choice(PATTERNS)
        for digit, letter in zip("123", root, strict=True):
            word = word.replace(digit, letter)
        return word

    def _english_word(self) -> str:
        return "".join(self.rng.choices(SYLLABLES, k=self.rng.randint(2, 4)))

    @staticmethod
    def _zipf(count: int, exponent: float = 1.05, offset: int = 50) -> list[float]:
        """Cumulative Zipf-Mandelbrot weights, 1 / (rank + offset) ** exponent.

        The offset stands for the stop words, which take the top ranks of real
        text and are written in separately here: without it the commonest
        invented words would be a tenth of all words, as no content word is.
        """
        total, cumulative = 0.0, []
        for rank in range(1, count + 1):
            total += 1 / (rank + offset) ** exponent
            cumulative.append(total)
        return cumulative

    def arabic_words(self, count: int) -> list[str]:
        return self.rng.choices(self.arabic, cum_weights=self.arabic_weights, k=count)

    def english_words(self, count: int) -> list[str]:
        return self.rng.choices(self.english, cum_weights=self.english_weights, k=count)

    def written(self, word: str) -> str:
        """A word as a writer might put it: particles, hamza or not, a diacritic, ى/ي."""
        rng = self.rng
        word = rng.choice(PARTICLES) + word
        if word.startswith("ا") and rng.random() < 0.5:
            word = rng.choice("أإ") + word[1:]
        if word.endswith("ي") and rng.random() < 0.3:
            word = word[:-1] + "ى"
        if rng.random() < 0.05:
            at = rng.randrange(1, len(word) + 1)
            word = word[:at] + rng.choice(DIACRITICS) + word[at:]
        return word

    def arabic_sentence(self, length: int) -> str:
        out = []
        for word in self.arabic_words(length):
            if self.rng.random() < 0.2:
                out.append(self.rng.choice(ARABIC_STOP))
            out.append(self.written(word))
        return " ".join(out) + "."

    def english_sentence(self, length: int) -> str:
        out = []
        for word in self.english_words(length):
            if self.rng.random() < 0.3:
                out.append(self.rng.choice(ENGLISH_STOP))
            out.append(word)
        return " ".join(out).capitalize() + "."


def create_articles(count: int, vocabulary: Vocabulary, rng: random.Random) -> None:
    from django.utils import timezone

    from articles.models import Article, ArticleBlock, Section, Source, unicode_slug

    sources = Source.objects.bulk_create(
        Source(name=f"مصدر {n}", name_ar=f"مصدر {n}", slug=f"source-{n}") for n in range(12)
    )
    sections = Section.objects.bulk_create(
        Section(name=f"قسم {n}", name_ar=f"قسم {n}", slug=f"section-{n}", position=n)
        for n in range(8)
    )
    now = timezone.now()
    batch = 2000
    for start in range(0, count, batch):
        articles, blocks = [], []
        for number in range(start, min(count, start + batch)):
            title = vocabulary.arabic_sentence(rng.randint(6, 11)).rstrip(".")
            english = rng.random() < 0.6
            published = rng.random() < 0.95
            articles.append(
                Article(
                    source=rng.choice(sources),
                    section=rng.choice(sections),
                    title=title,
                    title_ar=title,
                    title_en=vocabulary.english_sentence(rng.randint(6, 11)) if english else None,
                    lead_ar=vocabulary.arabic_sentence(rng.randint(18, 30)),
                    lead_en=vocabulary.english_sentence(rng.randint(18, 30)) if english else None,
                    slug=unicode_slug(title),
                    guid=f"bench:{number}",
                    status=Article.Status.PUBLISHED if published else Article.Status.DRAFT,
                    published_at=now - datetime.timedelta(minutes=rng.randint(1, 3 * 365 * 1440)),
                )
            )
        Article.objects.bulk_create(articles)
        for article in articles:
            english = article.title_en is not None
            for position in range(1, rng.randint(3, 6) + 1):
                text = " ".join(vocabulary.arabic_sentence(rng.randint(8, 16)) for _ in range(3))
                blocks.append(
                    ArticleBlock(
                        article=article,
                        position=position,
                        text=text,
                        text_ar=text,
                        text_en=" ".join(
                            vocabulary.english_sentence(rng.randint(8, 16)) for _ in range(3)
                        )
                        if english
                        else None,
                    )
                )
        ArticleBlock.objects.bulk_create(blocks)
        print(f"  {min(count, start + batch):>7} articles", end="\r", flush=True)
    print()


def make_queries(count: int, vocabulary: Vocabulary, rng: random.Random) -> list[dict]:
    """Varied searches: words common and rare, written variously, phrases, OR, -, filters."""
    from articles.models import Article, Section, Source

    def word(low: int = 10) -> str:
        # Ranks drawn log-uniformly from the 10th word on: common words often,
        # rare ones too (the ten commonest are in over half of the articles).
        size = len(vocabulary.arabic)
        return vocabulary.arabic[min(size - 1, int(low * (size / low) ** rng.random()))]

    # Every 97th published article's title, for the phrases: the same ones every run.
    titles = list(
        Article.objects.published().order_by("pk").values_list("title_ar", flat=True)[::97][:count]
    )
    sources = list(Source.objects.values_list("slug", flat=True))
    sections = list(Section.objects.values_list("slug", flat=True))
    queries = []
    for number in range(count):
        kind = number % 10
        if kind in (0, 1, 2):
            params = {"q": word()}
        elif kind == 3:
            params = {"q": vocabulary.written(word())}
        elif kind == 4:
            params = {"q": f"{word()} {word()}"}
        elif kind == 5:
            words = titles[number % len(titles)].split()
            at = rng.randrange(0, max(1, len(words) - 1))
            params = {"q": '"' + " ".join(words[at : at + 2]) + '"'}
        elif kind == 6:
            params = {"q": f"{word()} OR {word()}"}
        elif kind == 7:
            params = {"q": f"{word()} -{word()}"}
        elif kind == 8:
            day = datetime.date.today() - datetime.timedelta(days=rng.randint(30, 900))
            params = {
                "q": word(),
                "source": rng.choice(sources),
                "section": rng.choice(sections),
                "from": day.isoformat(),
                "to": (day + datetime.timedelta(days=180)).isoformat(),
            }
        else:
            params = {"q": vocabulary.english[min(14_999, int(10 * 1500 ** rng.random()))]}
        queries.append(params)
    return queries


def found(params: dict) -> int:
    """How many articles a search finds (counted apart, not timed)."""
    from articles.models import Section, Source
    from articles.search.form import SearchForm
    from articles.search.results import search_articles

    form = SearchForm(params, sources=Source.objects.all(), sections=Section.objects.all())
    return search_articles(form.query, **form.filters()).count() if form.is_valid() else 0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    args = parse_args()
    bench_url, maintenance_url = server_url(args.database)
    os.environ.update(
        DATABASE_URL=bench_url,
        DJANGO_SETTINGS_MODULE="newsroom.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="benchmark-only",  # noqa: S106 -- a throwaway database's settings
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    if not args.reuse:
        print(f"database {args.database}: creating")
        recreate_database(maintenance_url, args.database)
    try:
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep and not args.reuse:
            recreate_database(maintenance_url, args.database, drop_only=True)
            print(f"database {args.database}: dropped")


def run(args) -> int:
    import django

    django.setup()
    from django.test import override_settings

    # Pages render without collectstatic having run.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        if not args.reuse:
            build(args)
        return measure(args)


def build(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    from articles.search.index import rebuild_index

    rng = random.Random(args.seed)  # noqa: S311 -- invented text, not secrets
    call_command("migrate", verbosity=0)
    vocabulary = Vocabulary(rng)

    started = time.perf_counter()
    print(f"creating {args.articles} articles")
    create_articles(args.articles, vocabulary, rng)
    print(f"  {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    print("indexing")
    rebuild_index(
        batch_size=1000,
        progress=lambda done, total: print(f"  {done:>7}/{total}", end="\r", flush=True),
    )
    print(f"\n  {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('articles_searchdocument')), "
            f"pg_size_pretty(pg_relation_size('{GIN_INDEX}'))"
        )
        table_size, index_size = cursor.fetchone()
    print(f"  search documents {table_size} in all, GIN index {index_size}")


def measure(args) -> int:
    from django.test import Client

    from articles.search import query as search_query
    from articles.search.results import search_articles

    rng = random.Random(args.seed + 1)  # noqa: S311 -- invented queries, not secrets
    vocabulary = Vocabulary(random.Random(args.seed))  # noqa: S311 -- the same vocabulary again
    queries = make_queries(args.searches + 50, vocabulary, rng)
    client = Client()
    load_before = os.getloadavg()[0]
    for params in queries[args.searches :]:  # warm-up, not timed
        client.get("/search/", params)
    timings = []
    for params in queries[: args.searches]:
        started = time.perf_counter()
        response = client.get("/search/", params)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{params}: the search page answered {response.status_code}")
    counts = [found(params) for params in queries[: args.searches]]

    p50, p95, p99 = (percentile(timings, f) for f in (0.50, 0.95, 0.99))
    print(f"\n{args.searches} searches over {args.articles} articles (search page, rendered):")
    print(
        f"  {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"load average {load_before:.2f} before the searches, {os.getloadavg()[0]:.2f} after"
    )
    print(f"  p50 {p50:.1f} ms   p95 {p95:.1f} ms   p99 {p99:.1f} ms   max {max(timings):.1f} ms")
    print(
        f"  articles found per search: median {statistics.median(counts):.0f}, "
        f"p95 {percentile(counts, 0.95):.0f}, max {max(counts)}, none {counts.count(0)}"
    )
    print("  slowest:")
    slowest = sorted(zip(timings, counts, queries, strict=False), key=lambda t: -t[0])[:8]
    for took, count, params in slowest:
        print(f"    {took:7.1f} ms  {count:>6} found  {params}")

    sample = search_query.parse(queries[0]["q"])
    page_query = search_articles(sample).ids_and_count(slice(0, 20))
    plan = page_query.explain(analyze=True, buffers=True)
    print(f"\nEXPLAIN ANALYZE of the query for a page of {queries[0]['q']!r}:\n{plan}")
    uses_index = GIN_INDEX in plan
    print(f"\nGIN index used: {'yes' if uses_index else 'NO'}")
    ok = p95 < BUDGET_MS and uses_index
    print(f"budget: p95 < {BUDGET_MS:.0f} ms: {'met' if p95 < BUDGET_MS else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

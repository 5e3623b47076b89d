"""Load test: many readers on the home and article pages through gunicorn, every view counted.

    .venv/bin/python bench/load.py [--clients 64] [--seconds 60] [--articles 1000] [--keep-db]

What it does, in one run:

1. creates a PostgreSQL database (`newsroom_load`), migrates it and fills it
   with N articles, as bench/pages.py does (its helpers, imported), and
   collects the static files into a temporary STATIC_ROOT;
2. reads the view counts of the 20 most recent articles from the database;
3. starts gunicorn on 127.0.0.1 with newsroom/gunicorn.conf.py and the
   production settings (page cache on, views buffered in Redis when Redis
   answers at 127.0.0.1:6379, else in each worker), and waits for /healthz;
4. runs `--clients` client threads (httpx) for `--seconds`: each client in turn
   asks for the home page (Arabic or English) or one of those articles in one
   of the three reading modes, and counts every response by status, every
   error by kind, and every article page answered 200 by article;
5. stops gunicorn (each worker writes its buffered views as it exits), writes
   whatever is still buffered (`view_counts.flush()`), and reads the view
   counts again;
6. prints the requests, their statuses, errors and latencies, and for each
   article its 200s against the growth of its view count.

Exits 1 on any error, any response other than 2xx, or any article whose view
count did not grow by exactly its number of 200s. Loopback only; not part of
`make test`.
"""

import argparse
import datetime
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import redis

# bench/pages.py, beside this script: its database, gunicorn and output helpers.
from pages import Gunicorn, drop_db, fill, manage, pg_url, recreate_db, say

REDIS_URL = "redis://127.0.0.1:6379/10"  # a database of its own (pages.py uses 14)
ARTICLES_LOADED = 20
MODES = ("ar", "both", "en")
REQUEST_TIMEOUT = 30.0


def redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def recent_articles(url: str, count: int) -> list[tuple[int, str]]:
    """(id, page path) of the most recent published articles."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT id, slug FROM articles_article "
            "WHERE status = 'published' AND published_at <= now() "
            "ORDER BY published_at DESC LIMIT %s",
            [count],
        ).fetchall()
    return [(pk, f"/articles/{pk}/{urllib.parse.quote(slug)}/") for pk, slug in rows]


def view_counts(url: str, ids: list[int]) -> dict[int, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT id, view_count FROM articles_article WHERE id = ANY(%s)", [ids]
        ).fetchall()
    return dict(rows)


class Tally:
    """What the clients saw, added up under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.article_200s: Counter = Counter()
        self.latencies: list[float] = []

    def add(self, mine: "Tally") -> None:
        with self.lock:
            self.statuses.update(mine.statuses)
            self.errors.update(mine.errors)
            self.article_200s.update(mine.article_200s)
            self.latencies.extend(mine.latencies)


def client_loop(base: str, targets: list, deadline: float, offset: int, total: Tally) -> None:
    """One reader: the targets in turn (each client starting elsewhere) until the deadline."""
    mine = Tally()
    index = offset
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, follow_redirects=False) as client:
        while time.monotonic() < deadline:
            path, article_id = targets[index % len(targets)]
            index += 1
            started = time.monotonic()
            try:
                response = client.get(path)
            except httpx.HTTPError as error:
                mine.errors[type(error).__name__] += 1
                continue
            mine.latencies.append((time.monotonic() - started) * 1000)
            mine.statuses[response.status_code] += 1
            if response.status_code == 200 and article_id is not None:
                mine.article_200s[article_id] += 1
    total.add(mine)


def run_load(base: str, targets: list, clients: int, seconds: float) -> tuple[Tally, float]:
    total = Tally()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=client_loop, args=(base, targets, deadline, n * 7, total), daemon=True
        )
        for n in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        # A request started just before the deadline may take its whole timeout.
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 5)
    if any(thread.is_alive() for thread in threads):
        total.errors["client still waiting at the end"] += sum(t.is_alive() for t in threads)
    return total, time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=60, help="of load")
    parser.add_argument("--articles", type=int, default=1000, help="in the database")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: 2)")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--db", default="newsroom_load", help="database name")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    args = parser.parse_args()
    if not (1 <= args.clients <= 512 and 0 < args.seconds <= 600):
        parser.error("--clients must be 1-512 and --seconds 0-600")

    url = pg_url(args.pg, args.db)
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-load-"))
    use_redis = redis_is_up()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL if use_redis else "",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "MT_ENGINE": "none",
        "NEWSROOM_VIEW_FLUSH_SECONDS": "10",
    }
    server = None
    say(
        f"Newsroom load test, {args.clients} clients for {args.seconds:g} s, "
        f"{args.articles} articles, {datetime.datetime.now():%Y-%m-%d %H:%M}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
        f"views buffered in {'Redis' if use_redis else 'each worker (no Redis)'}"
    )
    try:
        recreate_db(args.pg, args.db)
        manage(env, "migrate", "--no-input", "-v0")
        fill(url, args.articles)
        manage(env, "collectstatic", "--no-input", "-v0")
        if use_redis:
            redis.Redis.from_url(REDIS_URL).flushdb()

        articles = recent_articles(url, ARTICLES_LOADED)
        ids = [pk for pk, _ in articles]
        targets = [("/", None), ("/en/", None)]
        targets += [(f"{path}?view={mode}", pk) for pk, path in articles for mode in MODES]
        before = view_counts(url, ids)

        server = Gunicorn("load", env, 60, workdir)
        if args.workers is not None:
            server.env["GUNICORN_WORKERS"] = str(args.workers)
        server.start()
        say(
            f"gunicorn ({server.env['GUNICORN_WORKERS']} workers) answered "
            f"in {server.startup:.2f} s"
        )
        tally, elapsed = run_load(
            f"http://127.0.0.1:{server.port}", targets, args.clients, args.seconds
        )
        server.stop()
        server = None
        manage(env, "shell", "-c", "from articles import view_counts; view_counts.flush()")
        after = view_counts(url, ids)
    finally:
        if server is not None:
            server.stop()
        if not args.keep_db:
            drop_db(args.pg, args.db)

    requests = sum(tally.statuses.values())
    not_2xx = sum(count for status, count in tally.statuses.items() if not 200 <= status < 300)
    errors = sum(tally.errors.values())
    grown = {pk: after[pk] - before[pk] for pk in ids}
    wrong = {
        pk: (tally.article_200s[pk], grown[pk]) for pk in ids if grown[pk] != tally.article_200s[pk]
    }
    say(
        f"requests: {requests} in {elapsed:.1f} s ({requests / elapsed:.1f}/s); "
        f"latency p50 {percentile(tally.latencies, 0.5):.0f} ms, "
        f"p99 {percentile(tally.latencies, 0.99):.0f} ms, "
        f"max {max(tally.latencies, default=0):.0f} ms"
    )
    say(
        "statuses: " + (", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items())) or "none")
    )
    say("errors: " + (", ".join(f"{e}: {n}" for e, n in tally.errors.most_common()) or "none"))
    say(
        f"article views: {sum(tally.article_200s.values())} pages answered 200, "
        f"view counts grew by {sum(grown.values())} over {len(ids)} articles "
        f"(median {statistics.median(grown.values()) if grown else 0:g} each)"
    )
    for pk, (served, counted) in sorted(wrong.items()):
        say(f"  article {pk}: {served} pages answered 200, view count grew by {counted}")
    failed = []
    if errors:
        failed.append(f"{errors} error(s)")
    if not_2xx:
        failed.append(f"{not_2xx} response(s) not 2xx")
    if wrong:
        failed.append(f"{len(wrong)} article(s) with views not counted exactly")
    if not requests:
        failed.append("no request answered")
    say(
        f"FAIL: {'; '.join(failed)}"
        if failed
        else "PASS: no error, every response 2xx, every view counted"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

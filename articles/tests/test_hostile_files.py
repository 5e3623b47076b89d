"""Hostile files through `import_articles`: refused, or read within bounds, and nothing stored.

Entity expansion ("billion laughs") and external entities in feeds are in
test_ingest_fetch.py (`test_*_refuses_hostile_xml_quickly_and_stores_nothing`).
Time is bounded by the inputs, not by a clock: each input is one a linear
reader gets through at once, and the sanitiser's work is counted in
characters. Memory is measured in a child process (its peak resident size)
against the same command reading a small page.
"""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.ingest import feed_reader, files, text_blocks
from articles.ingest.feed_reader import parse_feed
from articles.models import Article, ArticleBlock, Source, TickerHeadline

from .feed_server import article_page, rss_feed, rss_item

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
TITLE = "افتتاح سوق شعبي جديد في المدينة"
PARAGRAPH = "افتتحت البلدية سوقا شعبيا جديدا يضم مئة متجر صغير للخضار والفواكه والخبز."
DEPTH = 100_000
# Peak memory a hostile file may add to reading a small page, in MB: well below
# what holding the 50 MB file once would take.
MEMORY_ALLOWANCE_MB = 40


def stored_rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Article, ArticleBlock, TickerHeadline, Source)
    }


NOTHING = {"Article": 0, "ArticleBlock": 0, "TickerHeadline": 0, "Source": 0}


def import_failing(path: Path, capsys) -> str:
    """The one error line `import_articles` writes for a file it refuses (it exits non-zero:
    SystemExit(1), or CommandError in versions that raised it)."""
    with pytest.raises((SystemExit, CommandError)) as failure:
        call_command("import_articles", str(path), verbosity=0)
    assert getattr(failure.value, "code", 1) == 1
    return capsys.readouterr().err.strip()


def peak_memory_mb(path: Path, tmp_path: Path) -> int:
    """Peak resident size of `import_articles --dry-run PATH` in a process of its own."""
    script = (
        "import resource, sys, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "try:\n"
        "    call_command('import_articles', sys.argv[1], '--dry-run', verbosity=0)\n"
        "except (Exception, SystemExit):  # the file refused: its peak is what counts\n"
        "    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        # A database without tables: a dry run that touched it would fail loudly.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'no-tables.sqlite3'}",
    }
    finished = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
    )
    return int(finished.stdout.split()[-1])


@pytest.fixture
def small_page(tmp_path) -> Path:
    path = tmp_path / "small.html"
    path.write_text(
        article_page(title=TITLE, paragraphs=[PARAGRAPH], canonical="https://souq.example/a/1"),
        encoding="utf-8",
    )
    return path


# --- size -------------------------------------------------------------------------


def fifty_megabytes(path: Path, head: bytes, tail: bytes) -> Path:
    """A 50 MB file written at once: its middle is a hole the file system fills with zeros."""
    with path.open("wb") as file:
        file.write(head)
        file.seek(50 * MB - len(tail))
        file.write(tail)
    return path


@pytest.mark.parametrize(
    ("name", "head", "tail"),
    [
        ("big.html", b"<!DOCTYPE html><html><body><p>", b"</p></body></html>"),
        ("big.rss", b'<?xml version="1.0"?><rss version="2.0"><channel>', b"</channel></rss>"),
        ("big.txt", "المزيد\n".encode(), b"\n"),
    ],
)
def test_fifty_megabyte_file_is_refused_for_its_size(tmp_path, capsys, name, head, tail):
    path = fifty_megabytes(tmp_path / name, head, tail)

    message = import_failing(path, capsys)

    assert message == f"{path}: is 50 MB, more than the 20 MB an article page can be."
    assert stored_rows() == NOTHING


def test_file_one_byte_over_the_limit_is_refused(tmp_path, capsys):
    path = tmp_path / "over.html"
    with path.open("wb") as file:
        file.truncate(files.MAX_FILE_BYTES + 1)

    message = import_failing(path, capsys)

    assert message == f"{path}: is 20 MB, more than the 20 MB an article page can be."
    assert stored_rows() == NOTHING


def test_fifty_megabyte_file_is_refused_without_being_read(tmp_path, small_page):
    path = fifty_megabytes(tmp_path / "big.html", b"<!DOCTYPE html><html><body><p>", b"</p>")

    added = peak_memory_mb(path, tmp_path) - peak_memory_mb(small_page, tmp_path)

    assert added < MEMORY_ALLOWANCE_MB


# --- deeply nested markup ------------------------------------------------------------


def nested(depth: int, inner: str) -> str:
    return "<div>" * depth + inner + "</div>" * depth


def deep_page(tmp_path) -> Path:
    path = tmp_path / "deep.html"
    path.write_text(
        article_page(
            title=TITLE,
            paragraphs=[PARAGRAPH],
            canonical="https://souq.example/a/2",
            body_extra=nested(DEPTH, "<p>نص في العمق</p>"),
        ),
        encoding="utf-8",
    )
    return path


def test_deeply_nested_html_page_imports_the_text_it_can_read(tmp_path, capsys):
    path = deep_page(tmp_path)

    call_command("import_articles", str(path), verbosity=0)

    article = Article.objects.get()
    assert (article.title_ar, article.blocks.first().text_ar) == (TITLE, PARAGRAPH)
    assert capsys.readouterr().err == ""


def test_html_page_nested_deeply_before_its_article_imports_the_article(tmp_path, capsys):
    # libxml2 stops at 256 levels and drops the rest of the page, article included.
    path = tmp_path / "deep-first.html"
    page = article_page(title=TITLE, paragraphs=[PARAGRAPH], canonical="https://souq.example/a/7")
    path.write_text(
        page.replace("<body>", "<body>" + nested(DEPTH, "<p>نص في العمق</p>"), 1),
        encoding="utf-8",
    )

    call_command("import_articles", str(path), verbosity=0)

    article = Article.objects.get()
    texts = list(article.blocks.values_list("text_ar", flat=True))
    assert (article.title_ar, texts) == (TITLE, [PARAGRAPH, "نص في العمق"])
    assert capsys.readouterr().err == ""


def test_deeply_nested_html_page_is_read_in_bounded_memory(tmp_path, small_page):
    path = deep_page(tmp_path)

    added = peak_memory_mb(path, tmp_path) - peak_memory_mb(small_page, tmp_path)

    assert added < MEMORY_ALLOWANCE_MB


def test_deeply_nested_feed_description_is_sanitised_once(tmp_path):
    description = nested(2_000, f"<p>{PARAGRAPH}</p>")
    feed = rss_feed(
        rss_item(title=TITLE, link="https://souq.example/a/3", guid="deep", description=description)
    )
    sanitised = []
    real = text_blocks.sanitise_html

    def counting(fragment):
        sanitised.append(len(fragment or ""))
        return real(fragment)

    with mock.patch.object(text_blocks, "sanitise_html", counting):
        parse_feed(feed.encode(), url="", name="deep.rss", zone="UTC", content_type="")

    assert sum(sanitised) <= 2 * len(description)


def deep_feed(tmp_path) -> Path:
    path = tmp_path / "deep.rss"
    description = f"<p>{PARAGRAPH}</p>" + nested(DEPTH, "<p>نص في العمق</p>")
    path.write_text(
        rss_feed(
            rss_item(
                title=TITLE, link="https://souq.example/a/6", guid="deep", description=description
            )
        ),
        encoding="utf-8",
    )
    return path


def test_deeply_nested_feed_description_imports_the_text_it_can_read(tmp_path, capsys):
    path = deep_feed(tmp_path)

    call_command("import_articles", str(path), verbosity=0)

    article = Article.objects.get()
    texts = list(article.blocks.values_list("text_ar", flat=True))
    assert (article.title_ar, texts) == (TITLE, [PARAGRAPH, "نص في العمق"])
    assert capsys.readouterr().err == ""


def test_deeply_nested_feed_reaches_feedparser_flattened(tmp_path):
    """feedparser's sanitiser slows with the square of the depth: it sees at most
    MAX_MARKUP_DEPTH levels of the description's markup."""
    path = deep_feed(tmp_path)
    given = []
    real = feed_reader.feedparser.parse

    def recording(document, **options):
        given.append(document.decode())
        return real(document, **options)

    with mock.patch.object(feed_reader.feedparser, "parse", recording):
        parse_feed(path.read_bytes(), url="", name="deep.rss", zone="UTC", content_type="")

    assert given[0].count("&lt;div&gt;") == text_blocks.MAX_MARKUP_DEPTH


def test_deeply_nested_feed_is_read_in_bounded_memory(tmp_path, small_page):
    path = deep_feed(tmp_path)

    added = peak_memory_mb(path, tmp_path) - peak_memory_mb(small_page, tmp_path)

    assert added < MEMORY_ALLOWANCE_MB


# --- invalid UTF-8 and NUL bytes -------------------------------------------------------


def rss_document(description: str = PARAGRAPH) -> bytes:
    return rss_feed(
        rss_item(title=TITLE, link="https://souq.example/a/4", guid="g-4", description=description)
    ).encode()


def html_document() -> bytes:
    return article_page(
        title=TITLE, paragraphs=[PARAGRAPH], canonical="https://souq.example/a/5"
    ).encode()


def with_bytes_in_title(document: bytes, inserted: bytes) -> bytes:
    title = TITLE.encode()
    return document.replace(title, title[:10] + inserted + title[10:], 1)


@pytest.mark.parametrize(
    ("name", "document"),
    [("nul.rss", rss_document()), ("nul.html", html_document())],
)
def test_nul_byte_in_feed_or_page_is_refused(tmp_path, capsys, name, document):
    path = tmp_path / name
    path.write_bytes(with_bytes_in_title(document, b"\x00"))

    message = import_failing(path, capsys)

    assert message == f"{path}: is a binary file, not text."
    assert stored_rows() == NOTHING


@pytest.mark.parametrize(
    ("name", "document"),
    [("bad-utf8.rss", rss_document()), ("bad-utf8.html", html_document())],
)
def test_invalid_utf8_in_feed_or_page_is_refused(tmp_path, capsys, name, document):
    path = tmp_path / name
    path.write_bytes(with_bytes_in_title(document, b"\xff\xc3\x28"))

    message = import_failing(path, capsys)

    offset = document.index(TITLE.encode()) + 10
    assert message.startswith(f"{path}: ") and "UTF-8" in message
    assert message == (
        f"{path}: is not valid UTF-8 (the byte at offset {offset} is not part of a character)."
    )
    assert stored_rows() == NOTHING

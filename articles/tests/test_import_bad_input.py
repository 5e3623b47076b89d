"""import_articles on input it cannot import: exit status 1, one plain sentence, no rows."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

from articles.models import Article, ArticleBlock, Source, TickerHeadline

from . import scraped

ONE_FAILED = "1 file(s): 0 new, 0 updated, 0 skipped, 1 failed."
INVENTED_POEM = (
    "يا ليل طل فالنجوم قريبة\n"
    "والبحر يحكي للرمال حكاية\n"
    "\n"
    "والريح تعرف دربها نحو القرى\n"
    "وتعود في آخر النهار بحكاية\n"
)
INVENTED_HTML = (
    '<!doctype html>\n<html lang="ar" dir="rtl"><head><title>خبر</title></head>'
    "<body><h1>افتتاح مكتبة جديدة</h1><p>افتتحت البلدية مكتبة جديدة.</p></body></html>\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def missing_file(tmp_path):
    return str(tmp_path / "missing.txt")


def directory(tmp_path):
    return str(tmp_path)


def binary_file(tmp_path):
    return write(tmp_path, "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)))


def empty_file(tmp_path):
    return write(tmp_path, "empty.txt", b"")


def whitespace_file(tmp_path):
    return write(tmp_path, "blank.txt", b"  \n\t\n   \n")


def no_break_spaces_file(tmp_path):
    return write(tmp_path, "nbsp.txt", "\u00a0\n \u00a0 \n".encode())


def poem_file(tmp_path):
    return write(tmp_path, "poem.txt", INVENTED_POEM.encode())


def cp1256_file(tmp_path):
    return write(tmp_path, "cp1256.txt", scraped.scraped_page().encode("cp1256"))


def html_file(tmp_path):
    return write(tmp_path, "page.html", INVENTED_HTML.encode())


def url_argument(tmp_path):
    return "https://akhbar.example/a/42"


BAD_INPUTS = [
    missing_file,
    directory,
    binary_file,
    empty_file,
    whitespace_file,
    no_break_spaces_file,
    poem_file,
    cp1256_file,
    html_file,
    url_argument,
]


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Article, ArticleBlock, TickerHeadline, Source)
    }


NO_ROWS = {"Article": 0, "ArticleBlock": 0, "TickerHeadline": 0, "Source": 0}


def good_file(tmp_path):
    return write(tmp_path, "good.txt", scraped.scraped_page().encode())


def run_command(database_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """manage.py import_articles in a child process, as a user runs it.

    The child gets an empty SQLite file of its own in `database_dir`, never the
    developer's database: bad input must fail before it touches any database.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        "DATABASE_URL": f"sqlite:///{database_dir / 'child.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "import_articles", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=60,
        check=False,
    )


def run_import(*args: str) -> tuple[int, list[str], list[str]]:
    """import_articles in this process: (exit status, output lines, error lines)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        status = exit_.code
    else:
        status = 0
    return status, out.getvalue().splitlines(), err.getvalue().splitlines()


@pytest.mark.django_db
@pytest.mark.parametrize("bad_input", BAD_INPUTS, ids=lambda make: make.__name__)
def test_import_bad_input_exits_1_after_the_summary(bad_input, tmp_path):
    path = bad_input(tmp_path)

    status, out, _err = run_import(path)

    assert (status, out) == (1, [ONE_FAILED])


@pytest.mark.django_db
@pytest.mark.parametrize("bad_input", BAD_INPUTS, ids=lambda make: make.__name__)
def test_import_bad_input_writes_nothing(bad_input, tmp_path):
    path = bad_input(tmp_path)

    run_import(path)

    assert row_counts() == NO_ROWS


@pytest.mark.django_db
@pytest.mark.parametrize("bad_input", BAD_INPUTS, ids=lambda make: make.__name__)
def test_import_bad_input_reports_one_sentence_naming_file(bad_input, tmp_path):
    path = bad_input(tmp_path)

    _status, _out, err = run_import(path)

    assert (len(err), err[0].startswith(f"{path}: "), err[0].endswith(".")) == (1, True, True)


@pytest.mark.parametrize("bad_input", BAD_INPUTS, ids=lambda make: make.__name__)
def test_manage_py_import_bad_input_exits_1_with_one_sentence_and_no_traceback(bad_input, tmp_path):
    path = bad_input(tmp_path)

    result = run_command(tmp_path, path)

    lines = result.stderr.splitlines()
    assert (result.returncode, len(lines), result.stdout) == (1, 1, f"{ONE_FAILED}\n")
    assert (lines[0].startswith(f"{path}: "), lines[0].endswith("."), "Traceback" in lines[0]) == (
        True,
        True,
        False,
    )


@pytest.mark.django_db
def test_import_invalid_date_raises_command_error_and_writes_nothing(tmp_path):
    path = good_file(tmp_path)

    with pytest.raises(CommandError, match=r"--date: '2024-02-30' is not a date in the form"):
        call_command("import_articles", path, "--date", "2024-02-30", stdout=io.StringIO())

    assert row_counts() == NO_ROWS


def test_manage_py_import_invalid_date_exits_non_zero_without_traceback(tmp_path):
    path = good_file(tmp_path)

    result = run_command(tmp_path, "--date", "12/05/2020", path)

    assert (result.returncode != 0, "Traceback" in result.stderr) == (True, False)
    assert result.stderr.splitlines()[-1].endswith(
        "argument --date: '12/05/2020' is not a date in the form YYYY-MM-DD"
    )


@pytest.mark.django_db
def test_import_good_and_bad_file_imports_good_one(tmp_path):
    good, bad = good_file(tmp_path), poem_file(tmp_path)

    status, out, _err = run_import(good, bad)

    assert (status, out[-1]) == (1, "2 file(s): 1 new, 0 updated, 0 skipped, 1 failed.")
    assert list(Article.objects.values_list("title_ar", flat=True)) == [scraped.TITLE]


@pytest.mark.django_db
def test_import_failure_inside_write_leaves_no_rows(tmp_path, monkeypatch):
    path = good_file(tmp_path)

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ArticleBlock.objects, "bulk_create", fail)

    status, _out, err = run_import(path, "--publish")

    assert (status, err) == (1, [f"{path}: could not be stored (disk full); nothing was saved."])
    assert row_counts() == NO_ROWS


@pytest.mark.django_db
def test_import_title_longer_than_title_field_fails_with_one_sentence(tmp_path):
    # 120 words: no title is that long, the layout was misread. PostgreSQL
    # refuses the value and SQLite stores it whole; both must end the same way.
    long_title = " ".join(["عنوان"] * 120)
    path = write(tmp_path, "long.txt", scraped.scraped_page(title=long_title).encode())

    status, out, err = run_import(path)

    assert (status, out[-1], len(err), err[0].startswith(f"{path}: "), row_counts()) == (
        1,
        "1 file(s): 0 new, 0 updated, 0 skipped, 1 failed.",
        1,
        True,
        NO_ROWS,
    )

"""Import articles from files: scraped article pages in the seed's text layout.

Each file is imported in its own transaction: a file that fails stores
nothing, and the others are still imported. The exit status is non-zero when
any file failed.
"""

import argparse
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from articles import services
from articles.ingest.base import ImportFailed
from articles.ingest.files import read_text_file
from articles.ingest.scraped_text import parse_scraped_text


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date in the form YYYY-MM-DD"
        ) from None


class Command(BaseCommand):
    help = (
        "Import articles from scraped article pages (the seed's text layout). "
        "Re-importing a file changes nothing; each file is all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files to import")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish what is imported (without it, articles are drafts)",
        )
        parser.add_argument(
            "--date",
            type=iso_date,
            metavar="YYYY-MM-DD",
            help="publication date for pages that give only a time of day (default: today)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read and check the files, store nothing"
        )

    def handle(self, *args, paths, publish, date, dry_run, verbosity, **options):
        counts = {"imported": 0, "unchanged": 0, "failed": 0}
        for raw_path in paths:
            try:
                outcome = self.import_one(raw_path, publish=publish, date=date, dry_run=dry_run)
            except ImportFailed as error:
                counts["failed"] += 1
                self.stderr.write(str(error))
                continue
            except DatabaseError as error:
                counts["failed"] += 1
                self.stderr.write(f"{raw_path}: could not be stored ({error}); nothing was saved.")
                continue
            counts[outcome] += 1
        summary = (
            f"{len(paths)} file(s): {counts['imported']} imported, "
            f"{counts['unchanged']} already imported, {counts['failed']} failed."
        )
        if counts["failed"]:
            raise CommandError(summary)
        if verbosity:
            self.stdout.write(summary)

    def import_one(self, raw_path: str, *, publish: bool, date, dry_run: bool) -> str:
        if raw_path.startswith(("http://", "https://")):
            raise ImportFailed(
                f"{raw_path}: importing from a URL is not supported yet; save the page "
                "to a file and import the file."
            )
        path = Path(raw_path)
        text = read_text_file(path)
        if text.lstrip().startswith("<"):
            raise ImportFailed(
                f"{path}: is HTML or XML; only scraped article pages in the plain-text "
                "layout can be imported so far."
            )
        page = parse_scraped_text(text, name=str(path))
        if dry_run:
            self.stdout.write(
                f"{path}: would import «{page.title}» with {page.paragraph_count} "
                f"paragraph(s), {page.quote_count} quote(s) and {len(page.ticker)} "
                "ticker headline(s)."
            )
            return "unchanged"
        result = services.import_page(page=page, publish=publish, date=date)
        article = result.article
        if result.created:
            self.stdout.write(
                f"{path}: imported article #{article.pk} «{article.title_ar}» "
                f"({article.get_status_display()}) with {page.paragraph_count} paragraph(s), "
                f"{page.quote_count} quote(s), {result.headlines_created} new ticker headline(s)."
            )
            return "imported"
        self.stdout.write(
            f"{path}: already imported as article #{article.pk}; left unchanged "
            f"({result.headlines_created} new ticker headline(s))."
        )
        return "unchanged"

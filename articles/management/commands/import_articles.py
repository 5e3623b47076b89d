"""Import articles from files or URLs: scraped text pages, HTML article pages, RSS/Atom feeds.

The format is detected from the content, not the name. Each article is
stored in its own transaction: one that fails stores nothing, and the rest
are still imported. Prints, per source, how many items were new, updated,
skipped and failed, with the reason for each item skipped or failed, then a
summary line. Anything that failed is also one sentence on stderr, and the
command exits 1 (as `makemigrations --check` does: a CommandError would add
a second line to the sentence).
"""

import argparse
import datetime
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from articles import importing
from articles.ingest.base import ImportFailed
from articles.ingest.decode import decode_document
from articles.ingest.detect import FEED, HTML_PAGE, detect_format
from articles.ingest.feed_reader import parse_feed
from articles.ingest.fetch import FetchFailed, fetch
from articles.ingest.files import decode_text, read_bytes
from articles.ingest.html_page import parse_html_page
from articles.ingest.scraped_text import parse_scraped_text


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date in the form YYYY-MM-DD"
        ) from None


def _would_import(page) -> str:
    kinds = [block.kind for block in page.blocks]
    return (
        f"would import «{page.title}» with {kinds.count('paragraph')} paragraph(s), "
        f"{kinds.count('quote')} quote(s) and {len(page.ticker)} ticker headline(s)"
    )


class Command(BaseCommand):
    help = (
        "Import articles from scraped text pages, HTML article pages or RSS/Atom feeds, "
        "given as files or URLs. Re-importing changes nothing an editor changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH_OR_URL", help="files or http(s) URLs to import"
        )
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
            "--dry-run", action="store_true", help="read and check the inputs, store nothing"
        )

    def handle(self, *args, paths, publish, date, dry_run, verbosity, **options):
        reports: dict[str, importing.SourceReport] = {}
        unread = 0  # inputs, or items, that failed before they reached a source
        checked = 0  # items a dry run would import
        for raw in paths:
            try:
                outcomes = self.import_one(raw, publish=publish, date=date, dry_run=dry_run)
            except (ImportFailed, FetchFailed) as error:
                unread += 1
                self.stderr.write(str(error))
                continue
            for label, outcome in outcomes:
                if outcome.kind == "failed":
                    self.stderr.write(f"{label}: {outcome.reason.rstrip('.')}.")
                if outcome.kind == "dry run":
                    checked += 1
                elif outcome.source is None:
                    unread += 1
                else:
                    report = reports.setdefault(
                        outcome.source.slug,
                        importing.SourceReport(source=outcome.source.display_name),
                    )
                    report.add(outcome, label=label)
                if verbosity and outcome.kind in ("new", "updated", "dry run"):
                    self.stdout.write(self.describe(label, outcome))
        failed = unread + sum(report.counts["failed"] for report in reports.values())
        if verbosity:
            self.write_report(
                reports, files=len(paths), unread=unread, checked=checked, dry_run=dry_run
            )
        if failed:
            sys.exit(1)

    def write_report(
        self, reports, *, files: int, unread: int, checked: int, dry_run: bool
    ) -> None:
        totals = {"new": 0, "updated": 0, "skipped": 0, "failed": unread}
        for report in reports.values():
            self.stdout.write(report.line())
            for reason in report.explanations():
                self.stdout.write(f"  {reason}")
            for bucket, count in report.counts.items():
                totals[bucket] += count
        if dry_run:
            self.stdout.write(
                f"{files} file(s): {checked} would be imported, {totals['failed']} failed."
            )
            return
        self.stdout.write(
            f"{files} file(s): {totals['new']} new, {totals['updated']} updated, "
            f"{totals['skipped']} skipped, {totals['failed']} failed."
        )

    def read(self, raw: str) -> tuple[bytes, str, str]:
        """(content, the URL it came from or "", its content type)."""
        if raw.startswith(("http://", "https://")):
            fetched = fetch(raw)
            return fetched.content, fetched.url, fetched.headers.get("content-type", "")
        if "://" in raw:
            raise ImportFailed(f"{raw}: only files and http(s) URLs can be imported.")
        return read_bytes(Path(raw)), "", ""

    def import_one(self, raw: str, *, publish: bool, date, dry_run: bool):
        data, url, content_type = self.read(raw)
        kind = detect_format(data)
        if kind == FEED:
            return self.import_feed(raw, data, url, content_type, publish=publish, dry_run=dry_run)
        if kind == HTML_PAGE:
            text = decode_document(data, name=raw, content_type=content_type)
            # No zone yet: the source is known only from the page's address, and a
            # time without a zone is then read in the source's zone when stored.
            page = parse_html_page(text, url=url, name=raw, zone=None)
            if not page.original_url:
                raise ImportFailed(
                    f"{raw}: the page does not say its address (no canonical link); import it "
                    "from its URL instead."
                )
        else:
            page = parse_scraped_text(decode_text(data, name=raw), name=raw)
        if dry_run:
            return [(raw, importing.Outcome("dry run", reason=_would_import(page)))]
        return [(raw, importing.import_page(page=page, publish=publish, date=date))]

    def import_feed(self, raw, data, url, content_type, *, publish: bool, dry_run: bool):
        # As for pages: times without a zone are placed in the source's zone when stored.
        feed = parse_feed(data, url=url, name=raw, zone=None, content_type=content_type)
        home = url or feed.link
        if not home:
            raise ImportFailed(f"{raw}: the feed does not say which site it is from (no <link>).")
        if dry_run:
            source = importing.known_source_for_url(url=home)
        else:
            source = importing.source_for_url(url=home)
        outcomes = [
            (raw, importing.Outcome("failed", reason=failure, source=source))
            for failure in feed.failures
        ]
        for item in feed.items:
            label = f"{raw}: «{item.title}»"
            if dry_run:
                outcomes.append((label, importing.Outcome("dry run", reason=_would_import(item))))
                continue
            outcomes.append(
                (label, importing.store_page(source=source, page=item, publish=publish))
            )
        return outcomes

    @staticmethod
    def describe(label: str, outcome) -> str:
        article = outcome.article
        if outcome.kind == "dry run":
            return f"{label}: {outcome.reason}."
        if outcome.kind == "new":
            kinds = list(article.blocks.values_list("kind", flat=True))
            paragraphs, quotes = kinds.count("paragraph"), kinds.count("quote")
            return (
                f"{label}: imported article #{article.pk} «{article.title_ar}» "
                f"({article.get_status_display()}) with {paragraphs} paragraph(s), "
                f"{quotes} quote(s), {outcome.headlines_created} new ticker headline(s)."
            )
        return f"{label}: updated article #{article.pk} from the newer version."

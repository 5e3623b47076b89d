"""Import articles from files or URLs: scraped text pages, HTML article pages, RSS/Atom feeds.

The format is detected from the content, not the name. Each article is
stored in its own transaction: one that fails stores nothing, and the rest
are still imported. The exit status is non-zero when anything failed.
"""

import argparse
import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles import importing
from articles.ingest.base import ImportFailed
from articles.ingest.decode import decode_document
from articles.ingest.detect import FEED, HTML_PAGE, detect_format
from articles.ingest.feed_reader import parse_feed
from articles.ingest.fetch import FetchFailed, fetch
from articles.ingest.files import decode_text, read_bytes
from articles.ingest.html_page import parse_html_page
from articles.ingest.scraped_text import parse_scraped_text
from articles.models import Source


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
        counts = {"imported": 0, "unchanged": 0, "failed": 0}
        for raw in paths:
            try:
                outcomes = self.import_one(raw, publish=publish, date=date, dry_run=dry_run)
            except (ImportFailed, FetchFailed) as error:
                counts["failed"] += 1
                self.stderr.write(str(error))
                continue
            for label, outcome in outcomes:
                if outcome.kind == "failed":
                    counts["failed"] += 1
                    self.stderr.write(f"{label}: {outcome.reason.rstrip('.')}.")
                    continue
                counts["imported" if outcome.kind in ("new", "updated") else "unchanged"] += 1
                if verbosity:
                    self.stdout.write(self.describe(label, outcome))
        summary = (
            f"{len(paths)} file(s): {counts['imported']} imported, "
            f"{counts['unchanged']} already imported, {counts['failed']} failed."
        )
        if counts["failed"]:
            raise CommandError(summary)
        if verbosity:
            self.stdout.write(summary)

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
            page = parse_html_page(text, url=url, name=raw, zone=self.zone_for(url))
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
        zone = self.zone_for(url)
        feed = parse_feed(data, url=url, name=raw, zone=zone, content_type=content_type)
        home = url or feed.link
        if not home:
            raise ImportFailed(f"{raw}: the feed does not say which site it is from (no <link>).")
        source = importing.source_for_url(url=home)
        if source.time_zone != zone:
            # Now that the source is known: read its dates without a zone in its zone.
            feed = parse_feed(
                data, url=url, name=raw, zone=source.time_zone, content_type=content_type
            )
        outcomes = [
            (f"{raw}: {failure}", importing.Outcome("failed", reason="unreadable"))
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
    def zone_for(url: str) -> str:
        """The time zone of the source at this address, if it is known already."""
        if url:
            host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
            source = (
                Source.objects.filter(feed_url=url).first()
                or Source.objects.filter(slug=host.replace(".", "-")).first()
            )
            if source is not None:
                return source.time_zone
        return settings.TIME_ZONE

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
        if outcome.kind == "updated":
            return f"{label}: updated article #{article.pk} from the newer version."
        if outcome.kind == "kept aside":
            return f"{label}: article #{article.pk}: {outcome.reason}."
        if article is not None:
            return (
                f"{label}: already imported as article #{article.pk}; left unchanged "
                f"({outcome.headlines_created} new ticker headline(s))."
            )
        return f"{label}: skipped: {outcome.reason}."

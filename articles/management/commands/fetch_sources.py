"""Poll the sources' feeds: the ones due for a check, or all of them with --now.

Each feed is fetched conditionally (If-None-Match / If-Modified-Since); new
and changed items are stored, each in its own transaction; the next check is
set from the feed's own hints. Prints one line per source with what was new,
updated, skipped and failed, and why.
"""

import logging

from django.core.management.base import BaseCommand, CommandError

from articles import importing, tasks
from articles.models import Source

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Fetch the feeds of active sources whose next check is due (all of them with --now)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="poll every active source, whatever its next check"
        )
        parser.add_argument("--source", metavar="SLUG", help="poll this source only")
        parser.add_argument(
            "--dry-run", action="store_true", help="list the sources that would be polled"
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the periodic polling task for the workers (once is enough) and exit",
        )

    def handle(self, *args, now, source, dry_run, schedule, verbosity, **options):
        if schedule:
            queued = tasks.schedule_polling()
            self.stdout.write(
                "Periodic polling queued for the workers."
                if queued
                else "Periodic polling is already queued."
            )
            return
        sources = importing.due_sources(force=now or bool(source))
        if source:
            sources = sources.filter(slug=source)
            if not Source.objects.filter(slug=source).exists():
                raise CommandError(f"There is no source {source!r}.")
        failed = 0
        sources = list(sources)
        for polled in sources:
            if dry_run:
                self.stdout.write(f"{polled.display_name}: would be polled ({polled.feed_url}).")
                continue
            try:
                report = importing.fetch_source(source=polled, force=True)
            except Exception as error:  # one broken source must not stop the others
                logger.exception("Polling %s failed", polled.slug)
                report = importing.SourceReport(source=polled.display_name, error=str(error))
            failed += bool(report.error)
            if verbosity:
                self.stdout.write(report.line())
                if verbosity > 1 or report.counts["failed"]:
                    for reason in report.explanations():
                        self.stdout.write(f"  {reason}")
        summary = f"{len(sources)} source(s) polled, {failed} failed."
        if failed and len(sources) == failed:
            raise CommandError(summary)
        if verbosity:
            self.stdout.write(summary)

"""Rebuild the search index: every article, or only those it is missing or behind on.

The index follows every save by itself (see articles.search.index); this is
for articles written by code that bypassed it (--stale finds those: never
indexed, or changed since they were), and, without --stale, for after
restoring a database or upgrading to code that normalises text or lays out
the search vectors differently. The index records no version of its
layout, so --stale cannot see vectors written by older code: after such an
upgrade, rebuild everything.
"""

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.search.index import BATCH_SIZE, rebuild_index, stale_article_ids


class Command(BaseCommand):
    help = (
        "Rebuild the search index for every article, or with --stale only for those "
        "never indexed or changed since. Rebuild every article (no --stale) after "
        "restoring a database or after upgrading to code that normalises or indexes "
        "text differently: --stale cannot see vectors written by older code."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale",
            action="store_true",
            help="only articles never indexed or changed since they were",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            metavar="N",
            help=f"articles indexed per transaction (default {BATCH_SIZE})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say how many would be indexed, change nothing"
        )

    def handle(self, *args, stale, batch_size, dry_run, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        ids = (
            stale_article_ids()
            if stale
            else list(Article.objects.order_by("pk").values_list("pk", flat=True))
        )
        if dry_run:
            self.stdout.write(f"{len(ids)} article(s) would be indexed.")
            return

        def progress(done, total):
            if verbosity > 1:
                self.stdout.write(f"{done}/{total} indexed")

        done = rebuild_index(
            article_ids=ids if stale else None, batch_size=batch_size, progress=progress
        )
        if verbosity:
            self.stdout.write(f"{done} article(s) indexed.")

"""Publish the scheduled articles whose time has come; archive those that expired.

The worker does this by itself once the chain is started (`--schedule`, once
per deployment); this command does the same by hand, e.g. from cron where no
worker runs.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from articles import scheduling
from articles.models import Article


class Command(BaseCommand):
    help = "Publish scheduled articles that are due and archive expired ones, as the worker does."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be published and archived"
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the periodic publishing task for the workers (once is enough) and exit",
        )

    def handle(self, *args, dry_run, schedule, verbosity, **options):
        if schedule:
            queued = scheduling.start_chain()
            self.stdout.write(
                "Scheduled publishing queued for the workers."
                if queued
                else "Scheduled publishing is already queued."
            )
            return
        now = timezone.now()
        if dry_run:
            published = list(
                Article.objects.due_for_publishing(now=now).values_list("pk", flat=True)
            )
            expired = list(Article.objects.due_for_expiry(now=now).values_list("pk", flat=True))
            verb = "would be "
        else:
            published, expired = scheduling.publish_due(now=now)
            verb = ""
        if verbosity:
            self.stdout.write(
                f"{len(published)} article(s) {verb}published, {len(expired)} {verb}archived."
            )
            if verbosity > 1:
                for pk in published:
                    self.stdout.write(f"  published: {pk}")
                for pk in expired:
                    self.stdout.write(f"  archived: {pk}")

"""Queue again the background tasks that a stopped worker left running.

A worker killed mid-task never reports back: its task stays RUNNING on the
database backend, or lands among RQ's failed jobs. This puts each such task
back in the queue (a row is taken as a dead worker's once it has run longer
than TASKS_RECOVER_AFTER seconds, or --older-than), and gives up on a task
whose worker stopped TASKS_MAX_ATTEMPTS times. The polling task does the same
on each run; run this from cron, or before starting workers, for when polling
itself was the task that stopped.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from articles import task_recovery


class Command(BaseCommand):
    help = "Queue again the background tasks that a stopped worker left running."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            metavar="SECONDS",
            help=(
                "take a task as left behind once it has run this long "
                "(default: TASKS_RECOVER_AFTER); 0 when no worker is running"
            ),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be queued again, change nothing"
        )

    def handle(self, *args, older_than, dry_run, verbosity, **options):
        if older_than is not None and older_than < 0:
            raise CommandError("--older-than must be 0 or more seconds.")
        recovery = task_recovery.recover_tasks(
            older_than=None if older_than is None else datetime.timedelta(seconds=older_than),
            dry_run=dry_run,
        )
        if verbosity > 1 or dry_run:
            for task_id in recovery.requeued:
                self.stdout.write(f"{'would queue' if dry_run else 'queued'} again: {task_id}")
            for task_id in recovery.given_up:
                self.stdout.write(f"{'would give' if dry_run else 'gave'} up: {task_id}")
        if verbosity:
            self.stdout.write(recovery.line(dry_run=dry_run))

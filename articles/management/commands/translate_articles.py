"""Translate articles into English in the foreground, with the configured engine.

Translates every published article whose English is missing or stale (its
Arabic changed since), or one article with --article. English an editor
reviewed is never replaced, not even with --force.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from articles.machine_translation import pipeline
from articles.machine_translation.engines import get_engine
from articles.machine_translation.engines.base import TranslationError
from articles.models import Article, ArticleBlock


class Command(BaseCommand):
    help = (
        "Translate published articles whose English is missing or stale (or one with "
        "--article), or check the engine with --check."
    )

    def add_arguments(self, parser):
        parser.add_argument("--article", type=int, metavar="ID", help="translate this article only")
        parser.add_argument(
            "--force",
            action="store_true",
            help="translate machine English again (English an editor reviewed is kept)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="make one round trip to the configured engine and say what answered",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be translated, send nothing"
        )

    def handle(self, *args, article, force, check, dry_run, verbosity, **options):
        try:
            engine = get_engine()
            if check:
                self.stdout.write(engine.check())
                return
        except TranslationError as error:
            raise CommandError(str(error)) from None

        totals = {"articles": 0, "sent": 0, "from_memory": 0, "failed": 0, "failed_articles": 0}
        for candidate in self.candidates(article_id=article, force=force):
            totals["articles"] += 1
            if dry_run:
                self.stdout.write(f"#{candidate.pk} «{candidate.title_ar}»: would be translated")
                continue
            report = pipeline.translate_article(article_id=candidate.pk, engine=engine, force=force)
            totals["sent"] += report.sent
            totals["from_memory"] += report.from_memory
            totals["failed"] += report.failed
            totals["failed_articles"] += report.state == Article.TranslationState.FAILED
            if verbosity:
                line = (
                    f"#{candidate.pk} «{candidate.title_ar}»: {report.segments} segment(s), "
                    f"{report.from_memory} from memory, {report.sent} sent, "
                    f"{report.failed} failed -> {report.state}"
                )
                if report.error:
                    line += f" ({report.error})"
                self.stdout.write(line)
        summary = (
            f"{totals['articles']} article(s), {totals['sent']} segment(s) sent, "
            f"{totals['from_memory']} served from memory, {totals['failed']} failed."
        )
        if totals["failed_articles"]:
            raise CommandError(summary)
        self.stdout.write(summary)

    def candidates(self, *, article_id: int | None, force: bool):
        blocks = Prefetch("blocks", queryset=ArticleBlock.objects.order_by("position"))
        if article_id is not None:
            found = Article.objects.filter(pk=article_id).prefetch_related(blocks).first()
            if found is None:
                raise CommandError(f"There is no article #{article_id}.")
            yield found
            return
        articles = Article.objects.published().order_by("pk").prefetch_related(blocks)
        for candidate in articles.iterator(chunk_size=200):
            units = pipeline.units_of(candidate, list(candidate.blocks.all()))
            if any(unit.needs_translation(force=force) for unit in units):
                yield candidate

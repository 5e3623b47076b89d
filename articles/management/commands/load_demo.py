"""Load the demo content: a few articles from two sources, with English, and a ticker."""

from django.core.management.base import BaseCommand

from articles.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load demo content (two sources, sections, articles with English versions, "
        "a ticker, a correction). Running it again adds only what is missing."
    )

    def handle(self, *args, verbosity, **options):
        created = load_demo()
        if verbosity:
            self.stdout.write(
                "Demo content: {sources} source(s), {sections} section(s), {articles} "
                "article(s), {ticker} ticker headline(s) and {corrections} correction(s) "
                "added.".format(**created)
            )

"""Background tasks (django-tasks): nothing here ever runs inside a request."""

from django_tasks import task

from .machine_translation import pipeline


@task()
def translate_article(article_id: int, force: bool = False, missing_only: bool = False) -> dict:
    """Translate an article's missing or stale English; the report is the task's result."""
    report = pipeline.translate_article(
        article_id=article_id, force=force, missing_only=missing_only
    )
    return report.as_dict()

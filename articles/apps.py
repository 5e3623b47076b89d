from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("News")

    def ready(self):
        from . import (
            cache_signals,  # noqa: F401 -- connects the receivers that keep cached pages current
            revisions,
        )
        from .search import signals  # noqa: F401 -- connects the receivers that keep search current

        revisions.register()  # also where the admin is not loaded

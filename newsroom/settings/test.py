"""Test settings: the base settings with only what tests must change."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from .base import *  # noqa: F403 -- a settings override module re-exports the base

# Tests render templates without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405 -- defined in base
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Serve static files from the finders, as in development: no collectstatic run.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests turn the page cache on where they test it, and flush views themselves.
NEWSROOM_PAGE_CACHE_SECONDS = 0
NEWSROOM_VIEW_FLUSH_SECONDS = 0
# A test database of this run's own on PostgreSQL, so that two runs on one
# machine (a developer's and CI's) never clash over "test_<name>".
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405 -- from base
    DATABASES["default"].setdefault("TEST", {})["NAME"] = (  # noqa: F405 -- from base
        f"test_{DATABASES['default']['NAME']}_{os.getpid()}"  # noqa: F405 -- from base
    )

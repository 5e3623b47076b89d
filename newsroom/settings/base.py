"""Newsroom settings: one module, driven by environment variables.

Every setting a deployment changes is read from the environment (or from a
`.env` file beside manage.py); `.env.example` lists them. With
`DJANGO_DEBUG=0` (the default) the variables a production site cannot guess
must be set, and startup fails with a clear message when they are not.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment or in .env "
            "(see .env.example), or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 -- only ever used with DEBUG on

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [],
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set: list the host names this site answers to, "
        "separated by commas."
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin so that its admin classes
    # and field patches are in place when the admin autodiscovers.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Keeps runserver from serving static files itself, so that development
    # serves them through whitenoise exactly as production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "axes",
    "csp",
    # Revisions of articles with their blocks: compare and restore (admin).
    "reversion",
    "articles",
]

MIDDLEWARE = [
    # First, so that HTTPS redirects and security headers apply to every
    # response, static files and cached pages included.
    "django.middleware.security.SecurityMiddleware",
    # Right after security: static files need no session, locale or CSRF work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Counts article views, served from the cache or rendered alike (a buffer
    # write, no query). Above the page cache, whose URL match it reuses.
    "articles.middleware.ViewCountMiddleware",
    # Serves anonymous readers' pages from the cache (one cache round trip,
    # no query) before any layer below runs: it needs no session (only whether
    # its cookie is there) and finds the language in the address. Pages it
    # stores have gone through every layer below, CSP and all.
    "articles.page_cache.PageCacheMiddleware",
    # Above every layer that may query the database (sessions, auth, axes,
    # views), so a database that is down gives a 503 whichever of them failed;
    # below the layers that never touch it (cached pages still answer).
    "articles.database_down.DatabaseDownMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions and before common, so that CommonMiddleware's slash
    # redirects see the language prefix. The language comes from the address
    # alone, so pages do not vary on Accept-Language (see the class).
    "articles.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A Content-Security-Policy on every response: scripts, styles and fonts
    # from this site only, nothing inline.
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

# Admin logins are throttled (django-axes): after AXES_FAILURE_LIMIT failures
# for one user name from one address, that pair is locked out for a while.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.reader",
            ],
        },
    },
]

# SQLite beside manage.py unless DATABASE_URL names another database, e.g.
# postgres://user:password@host:5432/newsroom (psycopg 3 is the driver).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"].get("ENGINE") == "django.db.backends.postgresql":
    # The queries every page runs (articles.prepared) are sent as prepared
    # statements, each planned once per connection with a generic plan:
    # planning them took PostgreSQL longer than running them. Django's own
    # queries bind their parameters in Python (its default) and are never
    # prepared, so neither setting touches them. A pooler in transaction
    # mode has to support prepared statements (PgBouncer 1.21 and later,
    # with max_prepared_statements set).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("prepare_threshold", 5)
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan"
    # Django's backend, with a health check that asks the server only when
    # the connection looks unwell (see the module).
    DATABASES["default"]["ENGINE"] = "newsroom.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The article listing indexes carry expires_at as a non-key column so that
# PostgreSQL counts from the index alone; SQLite keeps their key columns and
# says so (models.W040) on every command, which is expected, not a problem.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Arabic is the site's language and the default of every translated field;
# English is the optional second column.
LANGUAGE_CODE = "ar"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Times are stored in UTC and shown in this zone; the seed's source is Syrian.
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Damascus")
LANGUAGE_COOKIE_NAME = "newsroom_language"

# English is never filled in from Arabic behind an editor's back: a missing
# translation stays missing and the reader is told so.
MODELTRANSLATION_DEFAULT_LANGUAGE = "ar"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ar",)
MODELTRANSLATION_ENABLE_FALLBACKS = False
MODELTRANSLATION_AUTO_POPULATE = False

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Fonts come from pinned PyPI packages, not from files in the repository.
    "newsroom.staticfinders.FontPackageFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS. On by default whenever debug is off; DJANGO_SECURE_SSL_REDIRECT=0 is
# the one switch that serves plain HTTP (behind a proxy that redirects, or
# locally), and it turns the secure-only cookies and HSTS off with it.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_SECURE_HSTS_SECONDS", default=31536000 if SECURE_SSL_REDIRECT else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Newsroom's own settings.
NEWSROOM_PAGE_SIZE = 20
# Seconds a reader page stays in the page cache (and in shared caches, from its
# Cache-Control); changes invalidate the pages that show them at once. 0: off.
NEWSROOM_PAGE_CACHE_SECONDS = env.int("NEWSROOM_PAGE_CACHE_SECONDS", default=60)
# Views are buffered and written to the database every this many seconds.
NEWSROOM_VIEW_FLUSH_SECONDS = env.int("NEWSROOM_VIEW_FLUSH_SECONDS", default=10)
# Numbers in the Arabic interface: 0-9 as the source sites write them, or
# Arabic-Indic digits (٠-٩) when this is on.
NEWSROOM_ARABIC_INDIC_DIGITS = env.bool("NEWSROOM_ARABIC_INDIC_DIGITS", default=False)
# An article changed more than this many minutes after its publication shows
# an "Updated" time (a typo fixed at once does not).
NEWSROOM_UPDATED_NOTICE_AFTER = datetime.timedelta(
    minutes=env.int("NEWSROOM_UPDATED_NOTICE_MINUTES", default=60)
)
# The scheduled-publishing task looks again at least this often, and at the
# next publication or expiry time when that comes sooner.
NEWSROOM_SCHEDULE_CHECK_SECONDS = env.int("NEWSROOM_SCHEDULE_CHECK_SECONDS", default=300)

# Fetching sources. Loopback, link-local and private addresses are refused
# unless FETCH_ALLOW_PRIVATE_NETWORKS=1 (a source on the local network).
FETCH_ALLOW_PRIVATE_NETWORKS = env.bool("FETCH_ALLOW_PRIVATE_NETWORKS", default=False)
FETCH_CONNECT_TIMEOUT = env.float("FETCH_CONNECT_TIMEOUT", default=5.0)
FETCH_READ_TIMEOUT = env.float("FETCH_READ_TIMEOUT", default=20.0)
FETCH_TOTAL_TIMEOUT = env.float("FETCH_TOTAL_TIMEOUT", default=60.0)
FETCH_MAX_BYTES = env.int("FETCH_MAX_BYTES", default=5 * 1024 * 1024)
# Seconds between two polls of a source: the feed's own hints (ttl,
# Cache-Control, Retry-After) within these bounds.
FETCH_MIN_INTERVAL = env.int("FETCH_MIN_INTERVAL", default=5 * 60)
FETCH_DEFAULT_INTERVAL = env.int("FETCH_DEFAULT_INTERVAL", default=30 * 60)
FETCH_MAX_INTERVAL = env.int("FETCH_MAX_INTERVAL", default=24 * 60 * 60)
# After this many failures in a row a source is flagged in the admin.
FETCH_FLAG_AFTER_ERRORS = env.int("FETCH_FLAG_AFTER_ERRORS", default=3)

# Machine translation. MT_ENGINE is one of none, libretranslate, deepl, openai, argos.
MT_ENGINE = env.str("MT_ENGINE", default="none")
MT_LIBRETRANSLATE_URL = env.str("MT_LIBRETRANSLATE_URL", default="")
MT_LIBRETRANSLATE_API_KEY = env.str("MT_LIBRETRANSLATE_API_KEY", default="")
MT_DEEPL_AUTH_KEY = env.str("MT_DEEPL_AUTH_KEY", default="")
MT_DEEPL_URL = env.str("MT_DEEPL_URL", default="")  # default: from the key (free or pro)
MT_OPENAI_BASE_URL = env.str("MT_OPENAI_BASE_URL", default="")
MT_OPENAI_MODEL = env.str("MT_OPENAI_MODEL", default="")
MT_OPENAI_API_KEY = env.str("MT_OPENAI_API_KEY", default="")
MT_CONNECT_TIMEOUT = env.float("MT_CONNECT_TIMEOUT", default=5.0)
MT_READ_TIMEOUT = env.float("MT_READ_TIMEOUT", default=60.0)
# Seconds one article may take, retries included.
MT_ARTICLE_DEADLINE = env.float("MT_ARTICLE_DEADLINE", default=300.0)
MT_MAX_ATTEMPTS = env.int("MT_MAX_ATTEMPTS", default=4)
MT_BACKOFF_BASE = env.float("MT_BACKOFF_BASE", default=1.0)
MT_BACKOFF_MAX = env.float("MT_BACKOFF_MAX", default=30.0)
# Translate automatically when an article's Arabic is saved (when an engine is set).
MT_AUTO_TRANSLATE = env.bool("MT_AUTO_TRANSLATE", default=True)
# More engines by name -> dotted path (tests register their in-repo engine here).
MT_EXTRA_ENGINES: dict[str, str] = {}

# Background tasks (django-tasks): the database backend, worked by
# `manage.py db_worker`; with REDIS_URL, RQ workers (`manage.py rqworker default`).
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A database task RUNNING longer than this (seconds) lost its worker and is run
# again (recover_tasks); after TASKS_MAX_ATTEMPTS lost workers it is failed.
TASKS_RECOVER_AFTER = env.int("TASKS_RECOVER_AFTER", default=15 * 60)
TASKS_MAX_ATTEMPTS = env.int("TASKS_MAX_ATTEMPTS", default=3)
# django-rq reads its queues when imported; they are only used with REDIS_URL.
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 900}}
# No RQ dashboard in the admin: django-rq opens it, and its buttons that empty
# queues and delete jobs, to every staff user, editors included. Operators use
# `manage.py rqstats` instead.
RQ_SHOW_ADMIN_LINK = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

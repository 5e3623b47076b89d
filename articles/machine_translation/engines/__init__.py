"""Translation engines, chosen by the MT_ENGINE setting."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import ConfigurationError, Engine

ENGINES = {
    "none": "articles.machine_translation.engines.none.NoEngine",
    "libretranslate": "articles.machine_translation.engines.libretranslate.LibreTranslateEngine",
    "deepl": "articles.machine_translation.engines.deepl.DeepLEngine",
    "openai": "articles.machine_translation.engines.openai.OpenAIEngine",
    "argos": "articles.machine_translation.engines.argos.ArgosEngine",
}


def engine_options(name: str) -> dict:
    timeouts = {
        "connect_timeout": settings.MT_CONNECT_TIMEOUT,
        "read_timeout": settings.MT_READ_TIMEOUT,
    }
    return {
        "libretranslate": {
            "url": settings.MT_LIBRETRANSLATE_URL,
            "api_key": settings.MT_LIBRETRANSLATE_API_KEY,
            **timeouts,
        },
        "deepl": {"auth_key": settings.MT_DEEPL_AUTH_KEY, "url": settings.MT_DEEPL_URL, **timeouts},
        "openai": {
            "base_url": settings.MT_OPENAI_BASE_URL,
            "model": settings.MT_OPENAI_MODEL,
            "api_key": settings.MT_OPENAI_API_KEY,
            **timeouts,
        },
    }.get(name, {})


def get_engine(name: str | None = None) -> Engine:
    """The configured engine (or the one named); ConfigurationError says what is missing."""
    name = (name or settings.MT_ENGINE or "none").strip().lower()
    path = settings.MT_EXTRA_ENGINES.get(name) or ENGINES.get(name)
    if path is None:
        raise ConfigurationError(
            f"MT_ENGINE={name} is not an engine this site knows: use one of {', '.join(ENGINES)}."
        )
    return import_string(path)(**engine_options(name))

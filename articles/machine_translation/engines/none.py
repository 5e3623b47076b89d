from .base import ConfigurationError, Engine


class NoEngine(Engine):
    """MT_ENGINE=none: nothing is translated, and asking to translate says why."""

    name = "none"
    MESSAGE = (
        "No translation engine is configured: set MT_ENGINE to libretranslate, deepl, "
        "openai or argos, with its options."
    )

    def translate(self, segments, *, source, target, glossary=None):
        raise ConfigurationError(self.MESSAGE)

    def check(self) -> str:
        raise ConfigurationError(self.MESSAGE)

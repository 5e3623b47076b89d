"""Argos Translate, in-process, used only when the package and an ar->en model are installed."""

import html
import importlib.metadata

from .base import ConfigurationError, Engine, Glossary, SegmentResult

INSTALL_HINT = (
    "install it with `pip install argostranslate`, then its Arabic to English model "
    "with `argospm update && argospm install translate-ar_en`"
)


class ArgosEngine(Engine):
    name = "argos"
    max_segments = 10
    max_request_chars = 10_000

    def __init__(self):
        try:
            # Optional and heavy: imported only when MT_ENGINE=argos.
            import argostranslate.translate
        except ImportError:
            raise ConfigurationError(f"Argos Translate is not installed: {INSTALL_HINT}.") from None
        languages = {lang.code: lang for lang in argostranslate.translate.get_installed_languages()}
        arabic, english = languages.get("ar"), languages.get("en")
        translation = arabic.get_translation(english) if arabic and english else None
        if translation is None:
            raise ConfigurationError(
                f"Argos Translate has no Arabic to English model installed: {INSTALL_HINT}."
            )
        self.translation = translation

    @property
    def version(self) -> str:
        return importlib.metadata.version("argostranslate")

    def describe(self) -> str:
        return f"Argos Translate {self.version}"

    def translate(self, segments, *, source, target, glossary: Glossary | None = None):
        if (source, target) != ("ar", "en"):
            raise ConfigurationError(
                f"Argos Translate here only translates ar to en, not {source} to {target}."
            )
        results = []
        for segment in segments:
            if "<" in segment:
                # Argos translates plain text: it would lose this segment's inline markup.
                results.append(SegmentResult(error="Argos Translate cannot keep inline markup"))
                continue
            try:
                text = self.translation.translate(html.unescape(segment))
            except Exception as error:
                results.append(SegmentResult(error=str(error)))
                continue
            results.append(SegmentResult(text=html.escape(text, quote=False)))
        return results

    def check(self) -> str:
        sample = self.translation.translate("مرحبا")
        return f"{self.describe()} answered: Arabic to English model installed ({sample!r})."

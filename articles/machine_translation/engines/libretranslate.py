"""LibreTranslate (self-hosted HTTP): POST /translate with `q` as a list, format=html."""

from . import http
from .base import (
    BadOutput,
    ConfigurationError,
    Engine,
    EngineUnavailable,
    Glossary,
    RateLimited,
    SegmentResult,
    TooLarge,
)


class LibreTranslateEngine(Engine):
    name = "libretranslate"
    max_segments = 50
    max_request_chars = 20_000

    def __init__(self, *, url: str, api_key: str = "", connect_timeout: float, read_timeout: float):
        if not url:
            raise ConfigurationError(
                "MT_LIBRETRANSLATE_URL is not set: give the address of your LibreTranslate server."
            )
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.http = http.client(
            base_url=self.url, connect_timeout=connect_timeout, read_timeout=read_timeout
        )

    def describe(self) -> str:
        return f"LibreTranslate at {self.url}"

    def translate(self, segments, *, source, target, glossary: Glossary | None = None):
        payload = {"q": segments, "source": source, "target": target, "format": "html"}
        if self.api_key:
            payload["api_key"] = self.api_key
        response = http.send(self.describe(), lambda: self.http.post("/translate", json=payload))
        detail = _error(response)
        if response.status_code == 429 or detail.lower().startswith("slowdown"):
            raise RateLimited(
                f"{self.describe()} asks to slow down ({detail or 429}).",
                retry_after=http.retry_after(response),
            )
        http.raise_for_common_status(self.describe(), response, detail)
        if response.status_code == 400:
            if "exceeds" in detail.lower() and "limit" in detail.lower():
                raise TooLarge(f"{self.describe()} says the request is too large: {detail}")
            raise ConfigurationError(f"{self.describe()} refused the request: {detail}")
        if response.status_code != 200:
            raise EngineUnavailable(f"{self.describe()} answered {response.status_code}: {detail}")
        body = _json(response, self.describe())
        if not isinstance(body, dict):
            raise BadOutput(f"{self.describe()} answered with unexpected JSON.")
        translated = body.get("translatedText")
        if isinstance(translated, str) and len(segments) == 1:
            translated = [translated]
        if not isinstance(translated, list) or len(translated) != len(segments):
            count = len(translated) if isinstance(translated, list) else 0
            raise BadOutput(
                f"{self.describe()} returned {count} translations for {len(segments)} segments."
            )
        return [
            SegmentResult(text=text) if isinstance(text, str) else SegmentResult(error="no text")
            for text in translated
        ]

    def check(self) -> str:
        response = http.send(self.describe(), lambda: self.http.get("/languages"))
        http.raise_for_common_status(self.describe(), response, _error(response))
        if response.status_code != 200:
            raise EngineUnavailable(f"{self.describe()} answered {response.status_code}.")
        languages = _json(response, self.describe())
        if not isinstance(languages, list) or not all(isinstance(lang, dict) for lang in languages):
            raise BadOutput(f"{self.describe()} answered /languages with unexpected JSON.")
        arabic = next((lang for lang in languages if lang.get("code") == "ar"), None)
        if arabic is None or "en" not in arabic.get("targets", ["en"]):
            raise ConfigurationError(
                f"{self.describe()} answered, but it cannot translate Arabic into English."
            )
        return (
            f"{self.describe()} answered: {len(languages)} languages, Arabic to English available."
        )


def _error(response) -> str:
    if response.status_code < 400:
        return ""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def _json(response, who: str):
    try:
        return response.json()
    except ValueError:
        raise BadOutput(f"{who} did not answer with JSON.") from None

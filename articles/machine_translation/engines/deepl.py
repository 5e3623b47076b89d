"""DeepL API v2: /v2/translate with `DeepL-Auth-Key`, HTML tag handling and glossaries."""

import json

from django.core.cache import cache

from . import http
from .base import (
    BadOutput,
    ConfigurationError,
    Engine,
    EngineUnavailable,
    Glossary,
    SegmentResult,
)

FREE_API = "https://api-free.deepl.com"
PRO_API = "https://api.deepl.com"
GLOSSARY_CACHE_SECONDS = 24 * 60 * 60


class DeepLEngine(Engine):
    name = "deepl"
    max_segments = 50  # DeepL's limit of texts per request
    max_request_chars = 120 * 1024  # under DeepL's 128 KiB request limit, with room for JSON
    supports_glossary = True

    def __init__(
        self, *, auth_key: str, url: str = "", connect_timeout: float, read_timeout: float
    ):
        if not auth_key:
            raise ConfigurationError("MT_DEEPL_AUTH_KEY is not set: give your DeepL API key.")
        self.url = (url or (FREE_API if auth_key.endswith(":fx") else PRO_API)).rstrip("/")
        self.http = http.client(
            base_url=self.url,
            headers={"Authorization": f"DeepL-Auth-Key {auth_key}"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )

    def describe(self) -> str:
        return f"DeepL at {self.url}"

    def translate(self, segments, *, source, target, glossary: Glossary | None = None):
        payload = {
            "text": segments,
            "source_lang": source.upper(),
            "target_lang": "EN-US" if target == "en" else target.upper(),
            "tag_handling": "html",
        }
        if glossary:
            payload["glossary_id"] = self.glossary_id(glossary, source=source, target=target)
        response = http.send(self.describe(), lambda: self.http.post("/v2/translate", json=payload))
        self._raise_for_status(response)
        translations = _json(response, self.describe()).get("translations")
        if not isinstance(translations, list) or len(translations) != len(segments):
            raise BadOutput(f"{self.describe()} returned a different number of translations.")
        if not all(isinstance(item, dict) for item in translations):
            raise BadOutput(f"{self.describe()} answered with unexpected JSON.")
        return [
            SegmentResult(text=item["text"])
            if isinstance(item.get("text"), str)
            else SegmentResult(error="no text")
            for item in translations
        ]

    def glossary_id(self, glossary: Glossary, *, source: str, target: str) -> str:
        """The id of a DeepL glossary with these entries, created once per glossary version."""
        key = f"mt:deepl:glossary:{self.url}:{source}:{target}:{glossary.version}"
        glossary_id = cache.get(key)
        if glossary_id:
            return glossary_id
        entries = "\n".join(
            f"{term}\t{rendering}" for term, rendering in sorted(glossary.entries.items())
        )
        response = http.send(
            self.describe(),
            lambda: self.http.post(
                "/v2/glossaries",
                json={
                    "name": f"newsroom-{glossary.version[:12]}",
                    "source_lang": source,
                    "target_lang": target,
                    "entries": entries,
                    "entries_format": "tsv",
                },
            ),
        )
        self._raise_for_status(response)
        glossary_id = _json(response, self.describe()).get("glossary_id")
        if not glossary_id:
            raise BadOutput(f"{self.describe()} created a glossary but gave no id.")
        cache.set(key, glossary_id, GLOSSARY_CACHE_SECONDS)
        return glossary_id

    def check(self) -> str:
        response = http.send(self.describe(), lambda: self.http.get("/v2/usage"))
        self._raise_for_status(response)
        usage = _json(response, self.describe())
        return (
            f"{self.describe()} answered: {usage.get('character_count', '?')} of "
            f"{usage.get('character_limit', '?')} characters used this period."
        )

    def _raise_for_status(self, response) -> None:
        detail = _message(response)
        http.raise_for_common_status(self.describe(), response, detail)
        if response.status_code in (400, 404):
            raise ConfigurationError(f"{self.describe()} refused the request: {detail or 404}")
        if response.status_code >= 400:
            raise EngineUnavailable(f"{self.describe()} answered {response.status_code}: {detail}")


def _message(response) -> str:
    if response.status_code < 400:
        return ""
    try:
        return str(response.json().get("message", ""))
    except (ValueError, AttributeError):
        return response.text[:200].strip()


def _json(response, who: str) -> dict:
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        raise BadOutput(f"{who} did not answer with JSON.") from None
    if not isinstance(body, dict):
        raise BadOutput(f"{who} answered with unexpected JSON.")
    return body

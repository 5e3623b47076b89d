"""Any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server): /v1/chat/completions.

The segments go out as a JSON array in one message and must come back as a
JSON array of the same length; temperature 0; an answer cut short by the
length limit (`finish_reason == "length"`) is a failure, not a translation.
"""

import json
import re

from . import http
from .base import (
    AuthError,
    BadOutput,
    ConfigurationError,
    Engine,
    EngineUnavailable,
    Glossary,
    QuotaExceeded,
    RateLimited,
    SegmentResult,
    TooLarge,
)

SYSTEM_PROMPT = (
    "You translate news from {source_name} into {target_name}. The user sends a JSON array "
    "of HTML fragments. Answer with a JSON array of the same length holding the translation "
    "of each fragment, in the same order, and nothing else. Keep every HTML tag and its id "
    "attribute exactly as it is; translate only the text. Do not add notes."
)
LANGUAGE_NAMES = {"ar": "Arabic", "en": "English"}
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class OpenAIEngine(Engine):
    name = "openai"
    max_segments = 20
    max_request_chars = 12_000
    supports_glossary = True

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        connect_timeout: float,
        read_timeout: float,
    ):
        if not base_url:
            raise ConfigurationError(
                "MT_OPENAI_BASE_URL is not set: give the address of the OpenAI-compatible server."
            )
        if not model:
            raise ConfigurationError(
                "MT_OPENAI_MODEL is not set: name the model to translate with."
            )
        base = base_url.rstrip("/")
        self.base_url = base if base.endswith("/v1") else f"{base}/v1"
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = http.client(
            base_url=self.base_url,
            headers=headers,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )

    @property
    def version(self) -> str:
        return self.model

    def describe(self) -> str:
        return f"the model {self.model} at {self.base_url}"

    def prompt(self, *, source: str, target: str, glossary: Glossary | None) -> str:
        prompt = SYSTEM_PROMPT.format(
            source_name=LANGUAGE_NAMES.get(source, source),
            target_name=LANGUAGE_NAMES.get(target, target),
        )
        if glossary:
            terms = "\n".join(
                f"- {term} => {rendering}" for term, rendering in glossary.entries.items()
            )
            prompt += f"\nAlways render these terms exactly so:\n{terms}"
        return prompt

    def translate(self, segments, *, source, target, glossary: Glossary | None = None):
        payload = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {
                    "role": "system",
                    "content": self.prompt(source=source, target=target, glossary=glossary),
                },
                {"role": "user", "content": json.dumps(segments, ensure_ascii=False)},
            ],
        }
        response = http.send(
            self.describe(), lambda: self.http.post("/chat/completions", json=payload)
        )
        self._raise_for_status(response)
        try:
            choice = response.json()["choices"][0]
            content = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise BadOutput(f"{self.describe()} answered without a message.") from None
        if choice.get("finish_reason") == "length":
            raise TooLarge(f"{self.describe()} stopped at its length limit before finishing.")
        try:
            translated = json.loads(_FENCE.sub("", content.strip()))
        except (ValueError, AttributeError):
            raise BadOutput(f"{self.describe()} did not answer with a JSON array.") from None
        if not isinstance(translated, list) or len(translated) != len(segments):
            count = len(translated) if isinstance(translated, list) else 0
            raise BadOutput(
                f"{self.describe()} returned {count} translations for {len(segments)} segments."
            )
        return [
            SegmentResult(text=text)
            if isinstance(text, str) and text.strip()
            else SegmentResult(error="empty translation")
            for text in translated
        ]

    def check(self) -> str:
        response = http.send(self.describe(), lambda: self.http.get("/models"))
        self._raise_for_status(response)
        try:
            models = [item["id"] for item in response.json().get("data", [])]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BadOutput(f"{self.describe()} answered /models without a list.") from None
        if self.model not in models:
            raise ConfigurationError(
                f"The server at {self.base_url} answered, but it has no model {self.model}"
                f" (it has: {', '.join(models) or 'none'})."
            )
        return f"{self.describe()} answered: the model is available."

    def _raise_for_status(self, response) -> None:
        if response.status_code < 400:
            return
        error = _error(response)
        code = str(error.get("code") or error.get("type") or "")
        message = str(error.get("message") or response.text[:200]).strip()
        if response.status_code == 429 and code == "insufficient_quota":
            raise QuotaExceeded(f"{self.describe()}: the account's quota is used up ({message}).")
        if response.status_code in (400, 413) and (
            "context" in code
            or "context length" in message.lower()
            or "too long" in message.lower()
        ):
            raise TooLarge(f"{self.describe()} says the request is too long: {message}")
        if response.status_code == 404:
            raise ConfigurationError(f"{self.describe()} is not there: {message}")
        if response.status_code == 429:
            raise RateLimited(
                f"{self.describe()} asks to slow down: {message}",
                retry_after=http.retry_after(response),
            )
        if response.status_code in (401, 403):
            raise AuthError(f"{self.describe()} refused the credentials: {message}")
        http.raise_for_common_status(self.describe(), response, message)
        if response.status_code == 400:
            raise ConfigurationError(f"{self.describe()} refused the request: {message}")
        raise EngineUnavailable(f"{self.describe()} answered {response.status_code}: {message}")


def _error(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return error
    return {"message": error} if isinstance(error, str) else {}

"""The one interface every translation engine implements, and the errors engines raise.

An engine translates a batch of segments (HTML fragments) and returns one
result per segment, in order: either the translation or, for that segment
alone, a failure. Failures of the whole call are raised as typed errors, and
the pipeline treats each type differently (see `retryable`).
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


class TranslationError(Exception):
    """Base of engine failures. The message is one plain sentence for an editor."""

    retryable = False


class ConfigurationError(TranslationError):
    """The engine cannot work as configured: missing key, unsupported pair, not installed."""


class AuthError(TranslationError):
    """The engine refused the credentials (401/403)."""


class QuotaExceeded(TranslationError):
    """The account's quota is used up (DeepL 456); nothing will work until it resets."""


class RateLimited(TranslationError):
    """Too many requests (429, LibreTranslate's "Slowdown"); wait and try again."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class EngineUnavailable(TranslationError):
    """Connection refused, timed out, or a 5xx answer."""

    retryable = True


class TooLarge(TranslationError):
    """The batch is too large for one request (413, a length error): split it."""


class BadOutput(TranslationError):
    """The answer cannot be used: wrong count, broken markup, empty, still Arabic."""

    retryable = True


@dataclass(frozen=True)
class Glossary:
    """Terms to render consistently: Arabic term -> expected English."""

    entries: dict[str, str] = field(default_factory=dict)
    version: str = ""

    def __bool__(self) -> bool:
        return bool(self.entries)


@dataclass(frozen=True)
class SegmentResult:
    text: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.text is not None


class Engine(ABC):
    """A translation engine. Subclasses set the limits they have."""

    name = ""
    max_segments = 50
    # The most text one request may carry, counted in UTF-8 bytes (an Arabic letter
    # takes two), since that is how request-size limits such as DeepL's are counted.
    max_request_chars = 100_000
    supports_glossary = False

    @property
    def version(self) -> str:
        """Part of the translation memory's key: a new version translates anew."""
        return ""

    @abstractmethod
    def translate(
        self, segments: list[str], *, source: str, target: str, glossary: Glossary | None = None
    ) -> list[SegmentResult]:
        """One result per segment, in order; raise a TranslationError for the whole batch."""

    @abstractmethod
    def check(self) -> str:
        """One round trip to the engine; a sentence saying what answered."""

    def describe(self) -> str:
        return self.name

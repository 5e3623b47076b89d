"""What the HTTP engines share: timeouts, and turning HTTP failures into typed errors."""

import email.utils
import time

import httpx

from .base import AuthError, EngineUnavailable, QuotaExceeded, RateLimited, TooLarge

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 60.0


def client(
    *, base_url: str, headers: dict | None = None, connect_timeout: float, read_timeout: float
) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        headers=headers or {},
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        follow_redirects=False,
    )


def send(engine_name: str, do_request) -> httpx.Response:
    """Run one request; connection problems and timeouts become EngineUnavailable."""
    try:
        return do_request()
    except httpx.TimeoutException:
        raise EngineUnavailable(f"{engine_name} did not answer in time.") from None
    except httpx.HTTPError as error:
        raise EngineUnavailable(f"{engine_name} cannot be reached ({error}).") from None


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unreadable: the pipeline's own backoff applies
    return max(0.0, parsed.timestamp() - time.time())


def raise_for_common_status(engine_name: str, response: httpx.Response, detail: str = "") -> None:
    """Map the status codes every engine shares to typed errors."""
    status = response.status_code
    said = f": {detail}" if detail else ""
    if status in (401, 403):
        raise AuthError(f"{engine_name} refused the credentials ({status}{said}).")
    if status == 413:
        raise TooLarge(f"{engine_name} says the request is too large{said}.")
    if status == 429:
        raise RateLimited(
            f"{engine_name} asks to slow down (429{said}).", retry_after=retry_after(response)
        )
    if status == 456:
        raise QuotaExceeded(f"{engine_name}'s quota is used up{said}; it resumes when it resets.")
    if status >= 500:
        raise EngineUnavailable(f"{engine_name} failed on its side ({status}{said}).")

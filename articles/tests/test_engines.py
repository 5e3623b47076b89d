"""The translation engines against local servers that speak each service's protocol.

Every HTTP engine is pointed at a server from engine_servers.py started by
the test: the tests assert what went over the wire (path, auth, body) as well
as what the engine returned, raised or, through the pipeline, stored.
"""

import email.utils
import importlib.util
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from articles.machine_translation.engines import get_engine
from articles.machine_translation.engines.argos import INSTALL_HINT
from articles.machine_translation.engines.base import (
    AuthError,
    BadOutput,
    ConfigurationError,
    EngineUnavailable,
    Glossary,
    QuotaExceeded,
    RateLimited,
    SegmentResult,
    TooLarge,
)
from articles.machine_translation.engines.deepl import FREE_API, PRO_API, DeepLEngine
from articles.machine_translation.engines.libretranslate import LibreTranslateEngine
from articles.machine_translation.engines.none import NoEngine
from articles.machine_translation.engines.openai import SYSTEM_PROMPT, OpenAIEngine
from articles.machine_translation.pipeline import (
    Translator,
    current_glossary,
    translate_article,
)
from articles.machine_translation.segments import to_segment
from articles.models import Article, GlossaryTerm, TranslationOrigin
from articles.tests.engine_servers import (
    ARABIC_AND_ENGLISH,
    DeepLServer,
    LibreTranslateServer,
    OpenAIServer,
    closed_port_url,
    fake_translation,
)
from articles.tests.factories import ArticleBlockFactory, ArticleFactory

LIBRETRANSLATE_KEY = "libre-test-key"
DEEPL_KEY = "deepl-test-key"
OPENAI_KEY = "sk-test-key"
MODEL = "newsroom-translator"
# Longer than the read timeout the slow-server tests give the engines.
SLOW = 2.0
SHORT_READ_TIMEOUT = 0.3

TRAIN = "وصل القطار إلى المحطة في موعده"
MARKET = "ارتفعت أسعار الخضار في السوق هذا الأسبوع"
SCHOOL = "قال المدير إن المدرسة ستفتح أبوابها غدا"
SEGMENTS = [TRAIN, MARKET, SCHOOL]


@pytest.fixture(autouse=True)
def _empty_cache():
    """The DeepL glossary ids and the quota pause live in the cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def libretranslate():
    with LibreTranslateServer(api_key=LIBRETRANSLATE_KEY) as server:
        yield server


@pytest.fixture
def deepl():
    with DeepLServer(auth_key=DEEPL_KEY) as server:
        yield server


@pytest.fixture
def openai():
    with OpenAIServer(models=("other-model", MODEL), api_key=OPENAI_KEY) as server:
        yield server


@pytest.fixture
def sleeps():
    """The pipeline's waits, recorded instead of slept."""
    return []


def libretranslate_engine(url, *, api_key=LIBRETRANSLATE_KEY, read_timeout=5.0):
    return LibreTranslateEngine(
        url=url, api_key=api_key, connect_timeout=1, read_timeout=read_timeout
    )


def deepl_engine(url, *, auth_key=DEEPL_KEY, read_timeout=5.0):
    return DeepLEngine(auth_key=auth_key, url=url, connect_timeout=1, read_timeout=read_timeout)


def openai_engine(url, *, model=MODEL, api_key=OPENAI_KEY, read_timeout=5.0):
    return OpenAIEngine(
        base_url=url, model=model, api_key=api_key, connect_timeout=1, read_timeout=read_timeout
    )


def translated(segments):
    return [SegmentResult(text=fake_translation(segment)) for segment in segments]


def http_date(seconds_from_now: float) -> str:
    return email.utils.format_datetime(
        datetime.now(UTC) + timedelta(seconds=seconds_from_now), usegmt=True
    )


# LibreTranslate


def test_libretranslate_translate_sends_the_segments_as_a_list_with_the_api_key(libretranslate):
    engine = libretranslate_engine(libretranslate.url)

    engine.translate(SEGMENTS, source="ar", target="en")

    [request] = libretranslate.requests
    assert (request.method, request.path) == ("POST", "/translate")
    assert request.headers["content-type"] == "application/json"
    assert request.json == {
        "q": SEGMENTS,
        "source": "ar",
        "target": "en",
        "format": "html",
        "api_key": LIBRETRANSLATE_KEY,
    }


def test_libretranslate_translate_without_api_key_sends_no_api_key():
    with LibreTranslateServer() as server:
        engine = libretranslate_engine(server.url, api_key="")

        engine.translate([TRAIN], source="ar", target="en")

    assert server.requests[0].json == {
        "q": [TRAIN],
        "source": "ar",
        "target": "en",
        "format": "html",
    }


def test_libretranslate_translate_returns_one_result_per_segment_in_order(libretranslate):
    engine = libretranslate_engine(libretranslate.url)

    results = engine.translate(SEGMENTS, source="ar", target="en")

    assert results == translated(SEGMENTS)


def test_libretranslate_translate_keeps_inline_markup(libretranslate):
    segment = '<a id="m1">القطار</a> وصل'
    engine = libretranslate_engine(libretranslate.url)

    results = engine.translate([segment], source="ar", target="en")

    assert results == [SegmentResult(text='EN: <a id="m1">alqtar</a> wsl')]


def test_libretranslate_translate_single_string_answer_for_one_segment(libretranslate):
    libretranslate.respond(200, {"translatedText": "EN: one"})
    engine = libretranslate_engine(libretranslate.url)

    results = engine.translate([TRAIN], source="ar", target="en")

    assert results == [SegmentResult(text="EN: one")]


def test_libretranslate_translate_wrong_api_key_raises_auth_error(libretranslate):
    engine = libretranslate_engine(libretranslate.url, api_key="stolen-key")

    with pytest.raises(AuthError) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert str(raised.value) == (
        f"LibreTranslate at {libretranslate.url} refused the credentials (403: Invalid API key)."
    )


def test_libretranslate_translate_unsupported_pair_raises_configuration_error(libretranslate):
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(ConfigurationError) as raised:
        engine.translate([TRAIN], source="ar", target="sw")

    assert str(raised.value) == (
        f"LibreTranslate at {libretranslate.url} refused the request: sw is not supported"
    )


def test_libretranslate_translate_over_the_text_limit_raises_too_large(libretranslate):
    libretranslate.char_limit = 40
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(TooLarge) as raised:
        engine.translate(SEGMENTS, source="ar", target="en")

    size = sum(len(segment) for segment in SEGMENTS)
    assert str(raised.value) == (
        f"LibreTranslate at {libretranslate.url} says the request is too large: "
        f"Invalid request: request ({size}) exceeds text limit (40)"
    )


def test_libretranslate_translate_over_the_batch_limit_raises_too_large(libretranslate):
    libretranslate.batch_limit = 2
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(TooLarge) as raised:
        engine.translate(SEGMENTS, source="ar", target="en")

    assert str(raised.value) == (
        f"LibreTranslate at {libretranslate.url} says the request is too large: "
        "Invalid request: request (3) exceeds text limit (2)"
    )


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (401, {"error": "Unauthorized"}, AuthError, "refused the credentials (401: Unauthorized)."),
        (
            413,
            "Request Entity Too Large",
            TooLarge,
            "says the request is too large: Request Entity Too Large.",
        ),
        (
            429,
            {"error": "Too many requests"},
            RateLimited,
            "asks to slow down (Too many requests).",
        ),
        (
            429,
            {"error": "Slowdown: 30 per 1 minute"},
            RateLimited,
            "asks to slow down (Slowdown: 30 per 1 minute).",
        ),
        (
            500,
            {"error": "Cannot translate text: out of memory"},
            EngineUnavailable,
            "failed on its side (500: Cannot translate text: out of memory).",
        ),
        (502, "Bad Gateway", EngineUnavailable, "failed on its side (502: Bad Gateway)."),
        (
            503,
            {"error": "Service Unavailable"},
            EngineUnavailable,
            "failed on its side (503: Service Unavailable).",
        ),
    ],
    ids=["401", "413", "429", "429-slowdown", "500", "502", "503"],
)
def test_libretranslate_translate_error_status_raises_typed_error(
    libretranslate, status, body, error, message
):
    libretranslate.respond(status, body)
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(error) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert str(raised.value) == f"LibreTranslate at {libretranslate.url} {message}"


def test_libretranslate_translate_slowdown_message_without_429_raises_rate_limited(
    libretranslate,
):
    libretranslate.respond(403, {"error": "Slowdown: 1 per 1 minute"})
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(RateLimited) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert raised.value.retry_after is None


def test_libretranslate_translate_429_retry_after_seconds_sets_retry_after(libretranslate):
    libretranslate.respond(
        429, {"error": "Slowdown: 30 per 1 minute"}, headers={"Retry-After": "12"}
    )
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(RateLimited) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert raised.value.retry_after == 12.0


def test_libretranslate_translate_429_retry_after_date_sets_retry_after(libretranslate):
    libretranslate.respond(429, {"error": "Slowdown"}, headers={"Retry-After": http_date(30)})
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(RateLimited) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert raised.value.retry_after == pytest.approx(30, abs=2)


def test_libretranslate_translate_429_retry_after_past_date_is_zero(libretranslate):
    libretranslate.respond(429, {"error": "Slowdown"}, headers={"Retry-After": http_date(-60)})
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(RateLimited) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert raised.value.retry_after == 0.0


@pytest.mark.parametrize("value", ["soon", "tomorrow at noon"])
def test_libretranslate_translate_429_unreadable_retry_after_is_none(libretranslate, value):
    libretranslate.respond(429, {"error": "Slowdown"}, headers={"Retry-After": value})
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(RateLimited) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert raised.value.retry_after is None


def test_libretranslate_translate_slow_answer_raises_engine_unavailable(libretranslate):
    libretranslate.respond(200, {"translatedText": ["EN: late"]}, delay=SLOW)
    engine = libretranslate_engine(libretranslate.url, read_timeout=SHORT_READ_TIMEOUT)

    with pytest.raises(EngineUnavailable) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert str(raised.value) == f"LibreTranslate at {libretranslate.url} did not answer in time."


def test_libretranslate_translate_connection_refused_raises_engine_unavailable():
    url = closed_port_url()
    engine = libretranslate_engine(url)

    with pytest.raises(EngineUnavailable) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    # The end of the message is the operating system's wording.
    assert str(raised.value).startswith(f"LibreTranslate at {url} cannot be reached (")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"translatedText": ["EN: one"]}, "returned 1 translations for 3 segments."),
        ({"translatedText": []}, "returned 0 translations for 3 segments."),
        ({"translatedText": "EN: all three"}, "returned 0 translations for 3 segments."),
        ({}, "returned 0 translations for 3 segments."),
        ("<html>not JSON</html>", "did not answer with JSON."),
        (b"", "did not answer with JSON."),
    ],
    ids=["too-few", "none", "a-string", "no-field", "not-json", "empty-body"],
)
def test_libretranslate_translate_unusable_answer_raises_bad_output(libretranslate, body, message):
    libretranslate.respond(200, body)
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(BadOutput) as raised:
        engine.translate(SEGMENTS, source="ar", target="en")

    assert str(raised.value) == f"LibreTranslate at {libretranslate.url} {message}"


def test_libretranslate_translate_answer_not_an_object_raises_bad_output(libretranslate):
    libretranslate.respond(200, ["EN: one", "EN: two", "EN: three"])
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(BadOutput):
        engine.translate(SEGMENTS, source="ar", target="en")


def test_libretranslate_translate_missing_text_is_that_segments_failure(libretranslate):
    libretranslate.respond(200, {"translatedText": ["EN: one", None]})
    engine = libretranslate_engine(libretranslate.url)

    results = engine.translate([TRAIN, MARKET], source="ar", target="en")

    assert results == [SegmentResult(text="EN: one"), SegmentResult(error="no text")]


def test_libretranslate_check_reports_the_languages(libretranslate):
    engine = libretranslate_engine(libretranslate.url)

    message = engine.check()

    assert message == (
        f"LibreTranslate at {libretranslate.url} answered: 3 languages, "
        "Arabic to English available."
    )
    assert [(r.method, r.path) for r in libretranslate.requests] == [("GET", "/languages")]


def test_libretranslate_check_without_arabic_to_english_raises_configuration_error(
    libretranslate,
):
    libretranslate.languages = [
        {"code": "ar", "name": "Arabic", "targets": ["ar", "fr"]},
        *ARABIC_AND_ENGLISH[1:],
    ]
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(ConfigurationError) as raised:
        engine.check()

    assert str(raised.value) == (
        f"LibreTranslate at {libretranslate.url} answered, but it cannot translate Arabic "
        "into English."
    )


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (
            403,
            {"error": "Invalid API key"},
            AuthError,
            "refused the credentials (403: Invalid API key).",
        ),
        (500, {"error": "broken"}, EngineUnavailable, "failed on its side (500: broken)."),
        (404, "Not Found", EngineUnavailable, "answered 404."),
        (200, "<html>not JSON</html>", BadOutput, "did not answer with JSON."),
    ],
    ids=["403", "500", "404", "not-json"],
)
def test_libretranslate_check_failure_raises_typed_error(
    libretranslate, status, body, error, message
):
    libretranslate.respond(status, body, path="/languages")
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(error) as raised:
        engine.check()

    assert str(raised.value) == f"LibreTranslate at {libretranslate.url} {message}"


def test_libretranslate_check_languages_not_a_list_raises_bad_output(libretranslate):
    libretranslate.respond(200, {"error": "not a list"}, path="/languages")
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(BadOutput):
        engine.check()


def test_libretranslate_check_connection_refused_raises_engine_unavailable():
    engine = libretranslate_engine(closed_port_url())

    with pytest.raises(EngineUnavailable):
        engine.check()


def test_libretranslate_engine_without_url_raises_configuration_error():
    with pytest.raises(ConfigurationError) as raised:
        LibreTranslateEngine(url="", connect_timeout=1, read_timeout=1)

    assert str(raised.value) == (
        "MT_LIBRETRANSLATE_URL is not set: give the address of your LibreTranslate server."
    )


# DeepL


def test_deepl_translate_sends_texts_with_the_auth_key_header(deepl):
    engine = deepl_engine(deepl.url)

    engine.translate(SEGMENTS, source="ar", target="en")

    [request] = deepl.requests
    assert (request.method, request.path) == ("POST", "/v2/translate")
    assert request.headers["authorization"] == f"DeepL-Auth-Key {DEEPL_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.json == {
        "text": SEGMENTS,
        "source_lang": "AR",
        "target_lang": "EN-US",
        "tag_handling": "html",
    }


def test_deepl_translate_returns_one_result_per_segment_in_order(deepl):
    engine = deepl_engine(deepl.url)

    results = engine.translate(SEGMENTS, source="ar", target="en")

    assert results == translated(SEGMENTS)


def test_deepl_translate_wrong_key_raises_auth_error(deepl):
    engine = deepl_engine(deepl.url, auth_key="wrong-key")

    with pytest.raises(AuthError) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert str(raised.value) == (
        f"DeepL at {deepl.url} refused the credentials "
        "(403: Authorization failure, check auth_key)."
    )
    assert deepl.requests[0].headers["authorization"] == "DeepL-Auth-Key wrong-key"


def test_deepl_translate_unsupported_pair_raises_configuration_error(deepl):
    engine = deepl_engine(deepl.url)

    with pytest.raises(ConfigurationError) as raised:
        engine.translate([TRAIN], source="ar", target="sw")

    assert str(raised.value) == (
        f"DeepL at {deepl.url} refused the request: Value for 'target_lang' not supported."
    )
    assert deepl.requests[0].json["target_lang"] == "SW"


def test_deepl_translate_too_many_texts_raises_too_large(deepl):
    engine = deepl_engine(deepl.url)

    with pytest.raises(TooLarge) as raised:
        engine.translate([f"{TRAIN} {n}" for n in range(51)], source="ar", target="en")

    assert str(raised.value) == (
        f"DeepL at {deepl.url} says the request is too large: Too many texts in the request."
    )


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (
            401,
            {"message": "Unauthorized"},
            AuthError,
            "refused the credentials (401: Unauthorized).",
        ),
        (
            403,
            {"message": "Wrong endpoint"},
            AuthError,
            "refused the credentials (403: Wrong endpoint).",
        ),
        (
            456,
            {"message": "Quota exceeded"},
            QuotaExceeded,
            "'s quota is used up: Quota exceeded; it resumes when it resets.",
        ),
        (
            429,
            {"message": "Too many requests"},
            RateLimited,
            "asks to slow down (429: Too many requests).",
        ),
        (
            413,
            {"message": "Request Entity Too Large"},
            TooLarge,
            "says the request is too large: Request Entity Too Large.",
        ),
        (
            500,
            {"message": "Internal error"},
            EngineUnavailable,
            "failed on its side (500: Internal error).",
        ),
        (
            503,
            "Service Unavailable",
            EngineUnavailable,
            "failed on its side (503: Service Unavailable).",
        ),
        (
            529,
            {"message": "Too many requests, high load"},
            EngineUnavailable,
            "failed on its side (529: Too many requests, high load).",
        ),
        (400, {"message": "Bad request"}, ConfigurationError, "refused the request: Bad request"),
    ],
    ids=["401", "403", "456", "429", "413", "500", "503", "529", "400"],
)
def test_deepl_translate_error_status_raises_typed_error(deepl, status, body, error, message):
    deepl.respond(status, body)
    engine = deepl_engine(deepl.url)

    with pytest.raises(error) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    separator = "" if message.startswith("'") else " "
    assert str(raised.value) == f"DeepL at {deepl.url}{separator}{message}"


def test_deepl_translate_429_retry_after_sets_retry_after(deepl):
    deepl.respond(429, {"message": "Too many requests"}, headers={"Retry-After": "5"})
    engine = deepl_engine(deepl.url)

    with pytest.raises(RateLimited) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert raised.value.retry_after == 5.0


def test_deepl_translate_429_without_retry_after_has_none(deepl):
    deepl.respond(429, {"message": "Too many requests"})
    engine = deepl_engine(deepl.url)

    with pytest.raises(RateLimited) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert raised.value.retry_after is None


def test_deepl_translate_slow_answer_raises_engine_unavailable(deepl):
    deepl.respond(200, {"translations": [{"text": "EN: late"}]}, delay=SLOW)
    engine = deepl_engine(deepl.url, read_timeout=SHORT_READ_TIMEOUT)

    with pytest.raises(EngineUnavailable) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert str(raised.value) == f"DeepL at {deepl.url} did not answer in time."


def test_deepl_translate_connection_refused_raises_engine_unavailable():
    url = closed_port_url()
    engine = deepl_engine(url)

    with pytest.raises(EngineUnavailable) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    # The end of the message is the operating system's wording.
    assert str(raised.value).startswith(f"DeepL at {url} cannot be reached (")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"translations": [{"text": "EN: one"}]}, "returned a different number of translations."),
        ({"translations": []}, "returned a different number of translations."),
        ({}, "returned a different number of translations."),
        (["EN: one", "EN: two", "EN: three"], "answered with unexpected JSON."),
        ("<html>not JSON</html>", "did not answer with JSON."),
        (b"", "did not answer with JSON."),
    ],
    ids=["too-few", "none", "no-field", "a-list", "not-json", "empty-body"],
)
def test_deepl_translate_unusable_answer_raises_bad_output(deepl, body, message):
    deepl.respond(200, body)
    engine = deepl_engine(deepl.url)

    with pytest.raises(BadOutput) as raised:
        engine.translate(SEGMENTS, source="ar", target="en")

    assert str(raised.value) == f"DeepL at {deepl.url} {message}"


def test_deepl_translate_translations_not_objects_raises_bad_output(deepl):
    deepl.respond(200, {"translations": ["EN: one", "EN: two", "EN: three"]})
    engine = deepl_engine(deepl.url)

    with pytest.raises(BadOutput):
        engine.translate(SEGMENTS, source="ar", target="en")


def test_deepl_translate_missing_text_is_that_segments_failure(deepl):
    deepl.respond(200, {"translations": [{"text": "EN: one"}, {"detected_source_language": "AR"}]})
    engine = deepl_engine(deepl.url)

    results = engine.translate([TRAIN, MARKET], source="ar", target="en")

    assert results == [SegmentResult(text="EN: one"), SegmentResult(error="no text")]


def test_deepl_translate_with_glossary_creates_it_and_sends_its_id(deepl):
    glossary = Glossary(entries={"المحطة": "Central Station", "القطار": "the train"}, version="v1")
    engine = deepl_engine(deepl.url)

    results = engine.translate([TRAIN], source="ar", target="en", glossary=glossary)

    created, translation = deepl.requests
    assert (created.method, created.path) == ("POST", "/v2/glossaries")
    assert created.headers["authorization"] == f"DeepL-Auth-Key {DEEPL_KEY}"
    assert created.json == {
        "name": "newsroom-v1",
        "source_lang": "ar",
        "target_lang": "en",
        "entries": "القطار\tthe train\nالمحطة\tCentral Station",
        "entries_format": "tsv",
    }
    assert translation.json["glossary_id"] == "glossary-1"
    assert results == [SegmentResult(text="EN: wsl the train ila Central Station fy mw'dh")]


def test_deepl_translate_with_same_glossary_version_creates_it_once(deepl):
    glossary = Glossary(entries={"المحطة": "Central Station"}, version="v1")

    deepl_engine(deepl.url).translate([TRAIN], source="ar", target="en", glossary=glossary)
    deepl_engine(deepl.url).translate([MARKET], source="ar", target="en", glossary=glossary)

    assert len(deepl.requests_to("/v2/glossaries")) == 1
    assert [r.json["glossary_id"] for r in deepl.requests_to("/v2/translate")] == [
        "glossary-1",
        "glossary-1",
    ]


def test_deepl_translate_with_new_glossary_version_creates_a_new_glossary(deepl):
    engine = deepl_engine(deepl.url)
    first = Glossary(entries={"المحطة": "Central Station"}, version="v1")
    second = Glossary(entries={"المحطة": "the station"}, version="v2")

    engine.translate([TRAIN], source="ar", target="en", glossary=first)
    engine.translate([TRAIN], source="ar", target="en", glossary=second)

    assert [r.json["entries"] for r in deepl.requests_to("/v2/glossaries")] == [
        "المحطة\tCentral Station",
        "المحطة\tthe station",
    ]
    assert [r.json["glossary_id"] for r in deepl.requests_to("/v2/translate")] == [
        "glossary-1",
        "glossary-2",
    ]


def test_deepl_translate_with_empty_glossary_sends_no_glossary(deepl):
    engine = deepl_engine(deepl.url)

    engine.translate([TRAIN], source="ar", target="en", glossary=Glossary())

    assert [(r.path, "glossary_id" in r.json) for r in deepl.requests] == [("/v2/translate", False)]


def test_deepl_glossary_without_id_raises_bad_output(deepl):
    deepl.respond(201, {"name": "newsroom-v1", "ready": True}, path="/v2/glossaries")
    engine = deepl_engine(deepl.url)

    with pytest.raises(BadOutput) as raised:
        engine.translate(
            [TRAIN], source="ar", target="en", glossary=Glossary({"المحطة": "Central"}, "v1")
        )

    assert str(raised.value) == f"DeepL at {deepl.url} created a glossary but gave no id."
    assert deepl.requests_to("/v2/translate") == []


def test_deepl_glossary_refused_raises_typed_error_and_caches_nothing(deepl):
    deepl.respond(456, {"message": "Quota exceeded"}, path="/v2/glossaries")
    engine = deepl_engine(deepl.url)
    glossary = Glossary({"المحطة": "Central Station"}, "v1")

    with pytest.raises(QuotaExceeded):
        engine.translate([TRAIN], source="ar", target="en", glossary=glossary)
    engine.translate([TRAIN], source="ar", target="en", glossary=glossary)

    assert [r.path for r in deepl.requests] == ["/v2/glossaries", "/v2/glossaries", "/v2/translate"]


def test_deepl_check_reports_the_usage(deepl):
    deepl.character_count = 1234
    engine = deepl_engine(deepl.url)

    message = engine.check()

    assert message == f"DeepL at {deepl.url} answered: 1234 of 500000 characters used this period."
    [request] = deepl.requests
    assert (request.method, request.path) == ("GET", "/v2/usage")
    assert request.headers["authorization"] == f"DeepL-Auth-Key {DEEPL_KEY}"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (403, {"message": "Authorization failure"}, AuthError),
        (456, {"message": "Quota exceeded"}, QuotaExceeded),
        (429, {"message": "Too many requests"}, RateLimited),
        (503, {"message": "Unavailable"}, EngineUnavailable),
        (200, "<html>not JSON</html>", BadOutput),
    ],
    ids=["403", "456", "429", "503", "not-json"],
)
def test_deepl_check_failure_raises_typed_error(deepl, status, body, error):
    deepl.respond(status, body, path="/v2/usage")
    engine = deepl_engine(deepl.url)

    with pytest.raises(error):
        engine.check()


def test_deepl_check_wrong_key_raises_auth_error(deepl):
    engine = deepl_engine(deepl.url, auth_key="wrong-key")

    with pytest.raises(AuthError):
        engine.check()


def test_deepl_check_connection_refused_raises_engine_unavailable():
    engine = deepl_engine(closed_port_url())

    with pytest.raises(EngineUnavailable):
        engine.check()


def test_deepl_engine_without_key_raises_configuration_error():
    with pytest.raises(ConfigurationError) as raised:
        DeepLEngine(auth_key="", connect_timeout=1, read_timeout=1)

    assert str(raised.value) == "MT_DEEPL_AUTH_KEY is not set: give your DeepL API key."


@pytest.mark.parametrize(
    ("auth_key", "url"), [("abc:fx", FREE_API), ("abc", PRO_API)], ids=["free", "pro"]
)
def test_deepl_engine_without_url_uses_the_keys_api(auth_key, url):
    engine = DeepLEngine(auth_key=auth_key, connect_timeout=1, read_timeout=1)

    assert engine.url == url


def test_deepl_translator_sends_120_segments_in_requests_of_at_most_50(deepl, sleeps):
    segments = [to_segment(f"{MARKET} رقم {n}") for n in range(120)]
    translator = Translator(
        deepl_engine(deepl.url),
        Glossary(),
        deadline=float("inf"),
        sleep=sleeps.append,
        clock=lambda: 0.0,
    )

    done, failed = translator.translate(segments)

    assert [len(r.json["text"]) for r in deepl.requests] == [50, 50, 20]
    assert [text for r in deepl.requests for text in r.json["text"]] == [s.markup for s in segments]
    assert (len(done), failed) == (120, {})


def test_deepl_translator_keeps_every_request_within_128_kib(deepl, sleeps):
    """DeepL's limit is 128 KiB of request body; Arabic takes two bytes a letter in UTF-8."""
    long_paragraph = " ".join([MARKET] * 120)  # about 5,000 letters, 9,000 bytes
    segments = [to_segment(f"{long_paragraph} {n}") for n in range(30)]
    translator = Translator(
        deepl_engine(deepl.url),
        Glossary(),
        deadline=float("inf"),
        sleep=sleeps.append,
        clock=lambda: 0.0,
    )

    done, failed = translator.translate(segments)

    oversized = [len(r.body) for r in deepl.requests if len(r.body) > 128 * 1024]
    assert oversized == []
    assert (len(done), failed) == (30, {})


# OpenAI-compatible


def test_openai_translate_sends_the_segments_as_a_json_array_with_bearer_key(openai):
    engine = openai_engine(openai.url)

    engine.translate(SEGMENTS, source="ar", target="en")

    [request] = openai.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert request.json == {
        "model": MODEL,
        "temperature": 0,
        "messages": [
            {
                "role": "system",
                "content": SYSTEM_PROMPT.format(source_name="Arabic", target_name="English"),
            },
            {"role": "user", "content": f'["{TRAIN}", "{MARKET}", "{SCHOOL}"]'},
        ],
    }


def test_openai_translate_without_api_key_sends_no_authorization():
    with OpenAIServer(models=(MODEL,)) as server:
        engine = openai_engine(server.url, api_key="")

        engine.translate([TRAIN], source="ar", target="en")

    assert "authorization" not in server.requests[0].headers


def test_openai_translate_base_url_ending_in_v1_is_not_doubled(openai):
    engine = openai_engine(f"{openai.url}/v1/")

    engine.translate([TRAIN], source="ar", target="en")

    assert [r.path for r in openai.requests] == ["/v1/chat/completions"]


def test_openai_translate_returns_one_result_per_segment_in_order(openai):
    engine = openai_engine(openai.url)

    results = engine.translate(SEGMENTS, source="ar", target="en")

    assert results == translated(SEGMENTS)


def test_openai_translate_with_glossary_puts_the_terms_in_the_system_prompt(openai):
    glossary = Glossary(entries={"المحطة": "Central Station", "القطار": "the train"}, version="v1")
    engine = openai_engine(openai.url)

    engine.translate([TRAIN], source="ar", target="en", glossary=glossary)

    system = openai.requests[0].json["messages"][0]
    assert system["role"] == "system"
    assert system["content"].splitlines()[-3:] == [
        "Always render these terms exactly so:",
        "- المحطة => Central Station",
        "- القطار => the train",
    ]


def test_openai_translate_answer_in_a_code_fence_is_read(openai):
    openai.respond(200, OpenAIServer.completion('```json\n["EN: one", "EN: two"]\n```'))
    engine = openai_engine(openai.url)

    results = engine.translate([TRAIN, MARKET], source="ar", target="en")

    assert results == [SegmentResult(text="EN: one"), SegmentResult(text="EN: two")]


def test_openai_translate_wrong_key_raises_auth_error(openai):
    engine = openai_engine(openai.url, api_key="sk-wrong")

    with pytest.raises(AuthError) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert str(raised.value) == (
        f"the model {MODEL} at {openai.url}/v1 refused the credentials: Incorrect API key provided."
    )


def test_openai_translate_unknown_model_raises_configuration_error(openai):
    engine = openai_engine(openai.url, model="absent-model")

    with pytest.raises(ConfigurationError) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert str(raised.value) == (
        f"the model absent-model at {openai.url}/v1 is not there: "
        "The model `absent-model` does not exist."
    )


def openai_error(message, code):
    return {"error": {"message": message, "type": "invalid_request_error", "code": code}}


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (
            401,
            openai_error("Unauthorized", "invalid_api_key"),
            AuthError,
            "refused the credentials: Unauthorized",
        ),
        (403, openai_error("Forbidden", None), AuthError, "refused the credentials: Forbidden"),
        (
            429,
            openai_error("Rate limit reached", "rate_limit_exceeded"),
            RateLimited,
            "asks to slow down: Rate limit reached",
        ),
        (
            429,
            openai_error("You exceeded your current quota.", "insufficient_quota"),
            QuotaExceeded,
            ": the account's quota is used up (You exceeded your current quota.).",
        ),
        (
            400,
            openai_error(
                "This model's maximum context length is 8192 tokens.", "context_length_exceeded"
            ),
            TooLarge,
            "says the request is too long: This model's maximum context length is 8192 tokens.",
        ),
        (
            413,
            openai_error("Payload too large", None),
            TooLarge,
            "says the request is too large: Payload too large.",
        ),
        (
            500,
            openai_error("The server had an error", None),
            EngineUnavailable,
            "failed on its side (500: The server had an error).",
        ),
        (
            503,
            "Service Unavailable",
            EngineUnavailable,
            "failed on its side (503: Service Unavailable).",
        ),
        (
            400,
            openai_error("Invalid value for temperature", None),
            ConfigurationError,
            "refused the request: Invalid value for temperature",
        ),
    ],
    ids=["401", "403", "429", "429-quota", "400-context", "413", "500", "503", "400"],
)
def test_openai_translate_error_status_raises_typed_error(openai, status, body, error, message):
    openai.respond(status, body)
    engine = openai_engine(openai.url)

    with pytest.raises(error) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    separator = "" if message.startswith(":") else " "
    assert str(raised.value) == f"the model {MODEL} at {openai.url}/v1{separator}{message}"


def test_openai_translate_429_retry_after_sets_retry_after(openai):
    openai.respond(
        429,
        openai_error("Rate limit reached", "rate_limit_exceeded"),
        headers={"Retry-After": "20"},
    )
    engine = openai_engine(openai.url)

    with pytest.raises(RateLimited) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert raised.value.retry_after == 20.0


def test_openai_translate_cut_short_by_length_raises_too_large(openai):
    openai.respond(200, OpenAIServer.completion('["EN: one", "EN: t', finish_reason="length"))
    engine = openai_engine(openai.url)

    with pytest.raises(TooLarge) as raised:
        engine.translate([TRAIN, MARKET], source="ar", target="en")

    assert str(raised.value) == (
        f"the model {MODEL} at {openai.url}/v1 stopped at its length limit before finishing."
    )


def test_openai_translate_slow_answer_raises_engine_unavailable(openai):
    openai.respond(200, OpenAIServer.completion('["EN: late"]'), delay=SLOW)
    engine = openai_engine(openai.url, read_timeout=SHORT_READ_TIMEOUT)

    with pytest.raises(EngineUnavailable) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert str(raised.value) == f"the model {MODEL} at {openai.url}/v1 did not answer in time."


def test_openai_translate_connection_refused_raises_engine_unavailable():
    url = closed_port_url()
    engine = openai_engine(url)

    with pytest.raises(EngineUnavailable) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    # The end of the message is the operating system's wording.
    assert str(raised.value).startswith(f"the model {MODEL} at {url}/v1 cannot be reached (")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (OpenAIServer.completion('["EN: one"]'), "returned 1 translations for 2 segments."),
        (OpenAIServer.completion('{"EN": "one"}'), "returned 0 translations for 2 segments."),
        (
            OpenAIServer.completion("Here is the translation: EN: one"),
            "did not answer with a JSON array.",
        ),
        (OpenAIServer.completion(""), "did not answer with a JSON array."),
        ({"choices": []}, "answered without a message."),
        ({"choices": [{"message": {"role": "assistant"}}]}, "answered without a message."),
        ("<html>not JSON</html>", "answered without a message."),
        (b"", "answered without a message."),
    ],
    ids=[
        "too-few",
        "an-object",
        "prose",
        "empty-content",
        "no-choice",
        "no-content",
        "not-json",
        "empty-body",
    ],
)
def test_openai_translate_unusable_answer_raises_bad_output(openai, body, message):
    openai.respond(200, body)
    engine = openai_engine(openai.url)

    with pytest.raises(BadOutput) as raised:
        engine.translate([TRAIN, MARKET], source="ar", target="en")

    assert str(raised.value) == f"the model {MODEL} at {openai.url}/v1 {message}"


def test_openai_translate_empty_item_is_that_segments_failure(openai):
    openai.respond(200, OpenAIServer.completion('["EN: one", "  "]'))
    engine = openai_engine(openai.url)

    results = engine.translate([TRAIN, MARKET], source="ar", target="en")

    assert results == [SegmentResult(text="EN: one"), SegmentResult(error="empty translation")]


def test_openai_check_finds_the_model(openai):
    engine = openai_engine(openai.url)

    message = engine.check()

    assert message == f"the model {MODEL} at {openai.url}/v1 answered: the model is available."
    [request] = openai.requests
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"


def test_openai_check_without_the_model_raises_configuration_error(openai):
    engine = openai_engine(openai.url, model="absent-model")

    with pytest.raises(ConfigurationError) as raised:
        engine.check()

    assert str(raised.value) == (
        f"The server at {openai.url}/v1 answered, but it has no model absent-model "
        f"(it has: other-model, {MODEL})."
    )


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, openai_error("Unauthorized", "invalid_api_key"), AuthError),
        (503, "Service Unavailable", EngineUnavailable),
        (200, "<html>not JSON</html>", BadOutput),
        (200, {"data": [{"name": MODEL}]}, BadOutput),
    ],
    ids=["401", "503", "not-json", "no-ids"],
)
def test_openai_check_failure_raises_typed_error(openai, status, body, error):
    openai.respond(status, body, path="/v1/models")
    engine = openai_engine(openai.url)

    with pytest.raises(error):
        engine.check()


def test_openai_check_connection_refused_raises_engine_unavailable():
    engine = openai_engine(closed_port_url())

    with pytest.raises(EngineUnavailable):
        engine.check()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"base_url": "", "model": MODEL},
            "MT_OPENAI_BASE_URL is not set: give the address of the OpenAI-compatible server.",
        ),
        (
            {"base_url": "http://127.0.0.1:9", "model": ""},
            "MT_OPENAI_MODEL is not set: name the model to translate with.",
        ),
    ],
    ids=["no-url", "no-model"],
)
def test_openai_engine_missing_option_raises_configuration_error(options, message):
    with pytest.raises(ConfigurationError) as raised:
        OpenAIEngine(**options, connect_timeout=1, read_timeout=1)

    assert str(raised.value) == message


def openai_translator(url, sleeps):
    return Translator(
        openai_engine(url),
        Glossary(),
        deadline=float("inf"),
        sleep=sleeps.append,
        clock=lambda: 0.0,
    )


def segments_sent(request) -> list[str]:
    """The segments of one chat request: the JSON array in its user message."""
    [user] = [message for message in request.json["messages"] if message["role"] == "user"]
    return json.loads(user["content"])


def test_openai_translator_sends_45_segments_in_requests_of_at_most_20(openai, sleeps):
    segments = [to_segment(f"{MARKET} رقم {n}") for n in range(45)]

    done, failed = openai_translator(openai.url, sleeps).translate(segments)

    requests = openai.requests_to("/v1/chat/completions")
    assert [len(segments_sent(r)) for r in requests] == [20, 20, 5]
    assert [text for r in requests for text in segments_sent(r)] == [s.markup for s in segments]
    assert [done[s.hash] for s in segments] == [fake_translation(s.text) for s in segments]
    assert (failed, sleeps) == ({}, [])


def test_openai_translator_keeps_each_request_within_12000_bytes_of_segments(openai, sleeps):
    # 39 times a 74-byte sentence: 2,924 bytes of UTF-8 (Arabic letters take two),
    # so four segments fit in 12,000 bytes and a fifth does not.
    paragraph = " ".join([MARKET] * 39)
    segments = [to_segment(f"{paragraph} {n}") for n in range(10)]

    done, failed = openai_translator(openai.url, sleeps).translate(segments)

    requests = openai.requests_to("/v1/chat/completions")
    sizes = [sum(len(text.encode()) for text in segments_sent(r)) for r in requests]
    assert [len(segments_sent(r)) for r in requests] == [4, 4, 2]
    assert sizes == [4 * 2926, 4 * 2926, 2 * 2926]
    assert [done[s.hash] for s in segments] == [fake_translation(s.text) for s in segments]
    assert failed == {}


def test_openai_translator_sends_a_segment_over_the_byte_limit_alone(openai, sleeps):
    huge = to_segment(" ".join([MARKET] * 170))  # 12,749 bytes
    segments = [to_segment(TRAIN), huge, to_segment(SCHOOL)]

    done, failed = openai_translator(openai.url, sleeps).translate(segments)

    requests = openai.requests_to("/v1/chat/completions")
    assert [segments_sent(r) for r in requests] == [[TRAIN], [huge.markup], [SCHOOL]]
    assert [done[s.hash] for s in segments] == [fake_translation(s.text) for s in segments]
    assert failed == {}


# argos and none


def test_argos_engine_without_the_package_says_how_to_install_it():
    if importlib.util.find_spec("argostranslate") is not None:
        pytest.skip(reason="argostranslate is installed here")

    with pytest.raises(ConfigurationError) as raised:
        get_engine("argos")

    assert str(raised.value) == f"Argos Translate is not installed: {INSTALL_HINT}."
    assert "pip install argostranslate" in INSTALL_HINT


def test_none_engine_translate_raises_configuration_error():
    engine = get_engine("none")

    with pytest.raises(ConfigurationError) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert str(raised.value) == NoEngine.MESSAGE


def test_none_engine_check_raises_configuration_error():
    with pytest.raises(ConfigurationError) as raised:
        get_engine("none").check()

    assert str(raised.value) == NoEngine.MESSAGE


# get_engine and the settings


def test_get_engine_libretranslate_from_settings_sends_the_configured_key(settings, libretranslate):
    settings.MT_ENGINE = "libretranslate"
    settings.MT_LIBRETRANSLATE_URL = libretranslate.url
    settings.MT_LIBRETRANSLATE_API_KEY = LIBRETRANSLATE_KEY

    results = get_engine().translate([TRAIN], source="ar", target="en")

    assert results == translated([TRAIN])
    assert libretranslate.requests[0].json["api_key"] == LIBRETRANSLATE_KEY


def test_get_engine_deepl_from_settings_sends_the_configured_key(settings, deepl):
    settings.MT_ENGINE = "deepl"
    settings.MT_DEEPL_AUTH_KEY = DEEPL_KEY
    settings.MT_DEEPL_URL = deepl.url

    results = get_engine().translate([TRAIN], source="ar", target="en")

    assert results == translated([TRAIN])
    assert deepl.requests[0].headers["authorization"] == f"DeepL-Auth-Key {DEEPL_KEY}"


def test_get_engine_openai_from_settings_sends_the_configured_model_and_key(settings, openai):
    settings.MT_ENGINE = "openai"
    settings.MT_OPENAI_BASE_URL = openai.url
    settings.MT_OPENAI_MODEL = MODEL
    settings.MT_OPENAI_API_KEY = OPENAI_KEY

    results = get_engine().translate([TRAIN], source="ar", target="en")

    assert results == translated([TRAIN])
    assert openai.requests[0].json["model"] == MODEL
    assert openai.requests[0].headers["authorization"] == f"Bearer {OPENAI_KEY}"


def test_get_engine_name_is_trimmed_and_case_insensitive(settings, deepl):
    settings.MT_ENGINE = " DeepL "
    settings.MT_DEEPL_AUTH_KEY = DEEPL_KEY
    settings.MT_DEEPL_URL = deepl.url

    engine = get_engine()

    assert type(engine) is DeepLEngine


def test_get_engine_named_engine_wins_over_the_setting(settings, libretranslate):
    settings.MT_ENGINE = "deepl"
    settings.MT_LIBRETRANSLATE_URL = libretranslate.url

    engine = get_engine("libretranslate")

    assert type(engine) is LibreTranslateEngine


@pytest.mark.parametrize("name", ["", "none"])
def test_get_engine_unset_or_none_is_no_engine(settings, name):
    settings.MT_ENGINE = name

    engine = get_engine()

    assert type(engine) is NoEngine


def test_get_engine_unknown_name_raises_configuration_error(settings):
    settings.MT_ENGINE = "babelfish"

    with pytest.raises(ConfigurationError) as raised:
        get_engine()

    assert str(raised.value) == (
        "MT_ENGINE=babelfish is not an engine this site knows: use one of none, libretranslate, "
        "deepl, openai, argos."
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "libretranslate",
            "MT_LIBRETRANSLATE_URL is not set: give the address of your LibreTranslate server.",
        ),
        ("deepl", "MT_DEEPL_AUTH_KEY is not set: give your DeepL API key."),
        (
            "openai",
            "MT_OPENAI_BASE_URL is not set: give the address of the OpenAI-compatible server.",
        ),
    ],
)
def test_get_engine_without_its_options_raises_configuration_error(settings, name, message):
    settings.MT_ENGINE = name
    settings.MT_LIBRETRANSLATE_URL = ""
    settings.MT_DEEPL_AUTH_KEY = ""
    settings.MT_OPENAI_BASE_URL = ""

    with pytest.raises(ConfigurationError) as raised:
        get_engine()

    assert str(raised.value) == message


def test_get_engine_read_timeout_from_settings_applies(settings, libretranslate):
    settings.MT_ENGINE = "libretranslate"
    settings.MT_LIBRETRANSLATE_URL = libretranslate.url
    settings.MT_CONNECT_TIMEOUT = 1.0
    settings.MT_READ_TIMEOUT = SHORT_READ_TIMEOUT
    libretranslate.respond(200, {"translatedText": ["EN: late"]}, delay=SLOW)

    with pytest.raises(EngineUnavailable):
        get_engine().translate([TRAIN], source="ar", target="en")


# Through the pipeline


def article_with_blocks(*texts, title=SCHOOL):
    article = ArticleFactory(title_ar=title)
    blocks = [
        ArticleBlockFactory(article=article, position=n, text_ar=t) for n, t in enumerate(texts)
    ]
    return article, blocks


def assert_machine_translated(article, blocks, engine_name, *, expected=fake_translation):
    article.refresh_from_db()
    assert (article.translation_state, article.translation_engine, article.translation_error) == (
        Article.TranslationState.MACHINE,
        engine_name,
        "",
    )
    assert (article.title_en, article.title_translation_origin) == (
        expected(article.title_ar),
        TranslationOrigin.MACHINE,
    )
    for block in blocks:
        block.refresh_from_db()
        assert (block.text_en, block.translation_origin, block.translation_engine) == (
            expected(block.text_ar),
            TranslationOrigin.MACHINE,
            engine_name,
        )


def assert_failed_untouched(article, blocks, error):
    article.refresh_from_db()
    assert (article.translation_state, article.translation_error) == (
        Article.TranslationState.FAILED,
        error,
    )
    assert (article.status, article.title_ar, article.title_en) == (
        Article.Status.PUBLISHED,
        SCHOOL,
        None,
    )
    for block, text in zip(blocks, [TRAIN, MARKET], strict=True):
        block.refresh_from_db()
        assert (block.text_ar, block.text_en, block.translation_origin) == (
            text,
            None,
            TranslationOrigin.NONE,
        )


@pytest.mark.django_db
def test_translate_article_with_libretranslate_stores_machine_english(libretranslate, sleeps):
    article, blocks = article_with_blocks(TRAIN, MARKET)

    report = translate_article(
        article_id=article.pk, engine=libretranslate_engine(libretranslate.url), sleep=sleeps.append
    )

    [request] = libretranslate.requests
    assert request.json["q"] == [SCHOOL, TRAIN, MARKET]
    assert request.json["api_key"] == LIBRETRANSLATE_KEY
    assert (report.state, report.sent, report.failed) == ("machine", 3, 0)
    assert_machine_translated(article, blocks, "libretranslate")


@pytest.mark.django_db
def test_translate_article_with_deepl_stores_machine_english(deepl, sleeps):
    article, blocks = article_with_blocks(TRAIN, MARKET)

    translate_article(article_id=article.pk, engine=deepl_engine(deepl.url), sleep=sleeps.append)

    [request] = deepl.requests
    assert request.json["text"] == [SCHOOL, TRAIN, MARKET]
    assert request.headers["authorization"] == f"DeepL-Auth-Key {DEEPL_KEY}"
    assert_machine_translated(article, blocks, "deepl")


@pytest.mark.django_db
def test_translate_article_with_openai_stores_machine_english(openai, sleeps):
    article, blocks = article_with_blocks(TRAIN, MARKET)

    translate_article(article_id=article.pk, engine=openai_engine(openai.url), sleep=sleeps.append)

    [request] = openai.requests
    assert request.json["messages"][1]["content"] == f'["{SCHOOL}", "{TRAIN}", "{MARKET}"]'
    assert_machine_translated(article, blocks, "openai")


@pytest.mark.django_db
def test_translate_article_sends_text_found_in_memory_no_more(libretranslate, sleeps):
    first, _ = article_with_blocks(TRAIN, title=SCHOOL)
    second, _ = article_with_blocks(TRAIN, MARKET, title="افتتح المتحف الجديد أبوابه للزوار")
    engine = libretranslate_engine(libretranslate.url)

    translate_article(article_id=first.pk, engine=engine, sleep=sleeps.append)
    translate_article(article_id=second.pk, engine=engine, sleep=sleeps.append)

    assert [r.json["q"] for r in libretranslate.requests] == [
        [SCHOOL, TRAIN],
        ["افتتح المتحف الجديد أبوابه للزوار", MARKET],
    ]


@pytest.mark.django_db
def test_translate_article_rate_limited_then_answered_waits_retry_after(
    settings, libretranslate, sleeps
):
    settings.MT_MAX_ATTEMPTS = 4
    settings.MT_BACKOFF_BASE = 1.0
    settings.MT_BACKOFF_MAX = 30.0
    article, blocks = article_with_blocks(TRAIN, MARKET)
    libretranslate.respond(
        429, {"error": "Slowdown: 30 per 1 minute"}, headers={"Retry-After": "7"}
    )

    translate_article(
        article_id=article.pk, engine=libretranslate_engine(libretranslate.url), sleep=sleeps.append
    )

    assert [r.json["q"] for r in libretranslate.requests] == [[SCHOOL, TRAIN, MARKET]] * 2
    assert sleeps == [7.0]
    assert_machine_translated(article, blocks, "libretranslate")


@pytest.mark.django_db
def test_translate_article_unavailable_every_time_gives_up_after_max_attempts(
    settings, libretranslate, sleeps
):
    settings.MT_MAX_ATTEMPTS = 3
    article, blocks = article_with_blocks(TRAIN, MARKET)
    for _ in range(3):
        libretranslate.respond(503, {"error": "Service Unavailable"})

    translate_article(
        article_id=article.pk, engine=libretranslate_engine(libretranslate.url), sleep=sleeps.append
    )

    assert len(libretranslate.requests) == 3
    assert len(sleeps) == 2
    assert_failed_untouched(
        article,
        blocks,
        f"LibreTranslate at {libretranslate.url} failed on its side (503: Service Unavailable).",
    )


@pytest.mark.django_db
def test_translate_article_refused_credentials_fails_without_retrying(
    settings, libretranslate, sleeps
):
    settings.MT_MAX_ATTEMPTS = 4
    article, blocks = article_with_blocks(TRAIN, MARKET)
    libretranslate.respond(401, {"error": "Unauthorized"})

    translate_article(
        article_id=article.pk, engine=libretranslate_engine(libretranslate.url), sleep=sleeps.append
    )

    assert len(libretranslate.requests) == 1
    assert sleeps == []
    assert_failed_untouched(
        article,
        blocks,
        f"LibreTranslate at {libretranslate.url} refused the credentials (401: Unauthorized).",
    )


@pytest.mark.django_db
def test_translate_article_deepl_quota_used_up_fails_without_retrying(settings, deepl, sleeps):
    settings.MT_MAX_ATTEMPTS = 4
    article, blocks = article_with_blocks(TRAIN, MARKET)
    deepl.respond(456, {"message": "Quota exceeded"}, path="/v2/translate")

    translate_article(article_id=article.pk, engine=deepl_engine(deepl.url), sleep=sleeps.append)

    assert len(deepl.requests) == 1
    assert sleeps == []
    assert_failed_untouched(
        article,
        blocks,
        f"DeepL at {deepl.url}'s quota is used up: Quota exceeded; it resumes when it resets.",
    )


@pytest.mark.django_db
def test_translate_article_after_deepl_quota_used_up_sends_nothing(deepl, sleeps):
    first, _ = article_with_blocks(TRAIN)
    second, blocks = article_with_blocks(TRAIN, MARKET)
    deepl.respond(456, {"message": "Quota exceeded"}, path="/v2/translate")
    translate_article(article_id=first.pk, engine=deepl_engine(deepl.url), sleep=sleeps.append)

    translate_article(article_id=second.pk, engine=deepl_engine(deepl.url), sleep=sleeps.append)

    assert len(deepl.requests) == 1
    assert_failed_untouched(
        second,
        blocks,
        f"DeepL at {deepl.url}'s quota is used up: Quota exceeded; it resumes when it resets.",
    )


@pytest.mark.django_db
def test_translate_article_over_the_text_limit_splits_the_batch(libretranslate, sleeps):
    texts = [TRAIN, MARKET, "أعلنت البلدية عن خطة لتنظيف الشوارع"]
    article, blocks = article_with_blocks(*texts, title=SCHOOL)
    libretranslate.char_limit = 2 * max(len(text) for text in [SCHOOL, *texts])

    translate_article(
        article_id=article.pk, engine=libretranslate_engine(libretranslate.url), sleep=sleeps.append
    )

    assert [r.json["q"] for r in libretranslate.requests] == [
        [SCHOOL, *texts],
        [SCHOOL, TRAIN],
        texts[1:],
    ]
    assert_machine_translated(article, blocks, "libretranslate")


@pytest.mark.django_db
def test_translate_article_with_120_segments_reaches_deepl_in_batches_of_50(deepl, sleeps):
    texts = [f"{MARKET} رقم {n}" for n in range(119)]
    article, blocks = article_with_blocks(*texts)

    translate_article(article_id=article.pk, engine=deepl_engine(deepl.url), sleep=sleeps.append)

    assert [len(r.json["text"]) for r in deepl.requests] == [50, 50, 20]
    assert [text for r in deepl.requests for text in r.json["text"]] == [SCHOOL, *texts]
    assert_machine_translated(article, blocks, "deepl")


@pytest.mark.django_db
def test_translate_article_with_deepl_glossary_creates_it_once_and_sends_its_id(deepl, sleeps):
    GlossaryTerm.objects.create(term_ar="المحطة", rendering_en="Central Station")
    first, first_blocks = article_with_blocks(TRAIN)
    second, _ = article_with_blocks(MARKET)
    version = current_glossary()[0].version

    translate_article(article_id=first.pk, engine=deepl_engine(deepl.url), sleep=sleeps.append)
    translate_article(article_id=second.pk, engine=deepl_engine(deepl.url), sleep=sleeps.append)

    [created] = deepl.requests_to("/v2/glossaries")
    assert created.json == {
        "name": f"newsroom-{version[:12]}",
        "source_lang": "ar",
        "target_lang": "en",
        "entries": "المحطة\tCentral Station",
        "entries_format": "tsv",
    }
    assert [r.json["glossary_id"] for r in deepl.requests_to("/v2/translate")] == [
        "glossary-1",
        "glossary-1",
    ]
    [block] = first_blocks
    block.refresh_from_db()
    assert (block.text_en, block.needs_review) == (
        "EN: wsl alqtar ila Central Station fy mw'dh",
        "",
    )


def test_libretranslate_translate_429_fractional_retry_after_is_honoured(libretranslate):
    libretranslate.respond(429, {"error": "Slowdown"}, headers={"Retry-After": "1.5"})
    engine = libretranslate_engine(libretranslate.url)

    with pytest.raises(RateLimited) as raised:
        engine.translate([TRAIN], source="ar", target="en")

    assert raised.value.retry_after == 1.5

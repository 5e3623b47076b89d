"""Local stand-ins for the translation services the HTTP engines talk to.

Each server runs on 127.0.0.1 in a background thread and speaks its service's
documented protocol: it records every request it receives and answers as the
real service would, translating by a deterministic transliteration, unless a
test queued a scripted answer (any status, body, headers or delay) first.
"""

import json
import socket
import threading
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_LATIN = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "aa", "ء": "'", "ؤ": "u'", "ئ": "i'", "ب": "b",
    "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "'",
    "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "و": "w", "ي": "y", "ى": "a", "ة": "a", "،": ",", "؛": ";", "؟": "?",
    **{chr(0x0660 + digit): str(digit) for digit in range(10)},
}  # fmt: skip


def transliterate(text: str) -> str:
    """Arabic letters in Latin ones, marks and tatweel dropped; everything else as it is."""
    return "".join(_LATIN.get(char, "" if "\u0600" <= char <= "\u06ff" else char) for char in text)


def fake_translation(segment: str) -> str:
    """What every fake server answers for a segment: recognisably "English", never Arabic."""
    return f"EN: {transliterate(segment)}"


def closed_port_url() -> str:
    """The address of a local port nothing listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    json: object  # the body parsed as JSON; None when it is not JSON


@dataclass(frozen=True)
class Answer:
    """A response: dicts and lists go out as JSON, str and bytes as they are."""

    status: int = 200
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: "FakeServer"):
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.fake.dispatch(self)

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, message_format, *args):
        pass  # keep test output quiet


class FakeServer:
    """A recording, scriptable HTTP server; subclasses answer in their service's protocol."""

    def __init__(self):
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # exceptions raised by the fake itself
        self._scripted: list[tuple[str | None, Answer]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeServer":
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends the delays of answers nobody waits for any more
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
        if exc_info[0] is None and self.errors:
            raise AssertionError("the fake server failed:\n" + "\n".join(self.errors))

    def respond(
        self,
        status: int = 200,
        body: object = None,
        *,
        headers: dict | None = None,
        delay: float = 0.0,
        path: str | None = None,
    ) -> None:
        """Queue an answer for the next request (to `path`, if given) instead of the default."""
        with self._lock:
            self._scripted.append((path, Answer(status, body, headers or {}, delay)))

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    def answer(self, request: RecordedRequest) -> Answer:
        """The service's own answer; subclasses implement their protocol."""
        return Answer(404, {"error": f"no route {request.method} {request.path}"})

    def dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        address = urlsplit(handler.path)
        request = RecordedRequest(
            method=handler.command,
            path=address.path,
            query=parse_qs(address.query),
            headers={name.lower(): value for name, value in handler.headers.items()},
            body=raw,
            json=parsed,
        )
        with self._lock:
            self.requests.append(request)
            answer = self._take_scripted(request.path)
        try:
            answer = answer or self.answer(request)
        except Exception:  # a bug in the fake itself: answer 500, and __exit__ fails the test
            self.errors.append(traceback.format_exc())
            answer = Answer(500, {"error": "the fake server failed"})
        if answer.delay:
            self._stopping.wait(answer.delay)
        self._write(handler, answer)

    def _take_scripted(self, path: str) -> Answer | None:
        for index, (wanted, answer) in enumerate(self._scripted):
            if wanted is None or wanted == path:
                del self._scripted[index]
                return answer
        return None

    @staticmethod
    def _write(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
        if isinstance(answer.body, (dict, list)):
            payload, content_type = json.dumps(answer.body).encode(), "application/json"
        elif isinstance(answer.body, str):
            payload, content_type = answer.body.encode(), "text/plain; charset=utf-8"
        else:
            payload, content_type = answer.body or b"", "application/octet-stream"
        headers = {"Content-Type": content_type, **answer.headers}
        try:
            handler.send_response(answer.status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped waiting (a timeout test)


ARABIC_AND_ENGLISH = [
    {"code": "ar", "name": "Arabic", "targets": ["ar", "en", "fr"]},
    {"code": "en", "name": "English", "targets": ["ar", "en", "fr"]},
    {"code": "fr", "name": "French", "targets": ["ar", "en", "fr"]},
]


class LibreTranslateServer(FakeServer):
    """LibreTranslate: POST /translate (`q` a string or a list), GET /languages.

    `api_key` set means the server requires that key; `char_limit` and
    `batch_limit` are the server's --char-limit and --batch-limit.
    """

    def __init__(
        self,
        *,
        api_key: str = "",
        languages: list | None = None,
        char_limit: int | None = None,
        batch_limit: int | None = None,
    ):
        super().__init__()
        self.api_key = api_key
        self.languages = ARABIC_AND_ENGLISH if languages is None else languages
        self.char_limit = char_limit
        self.batch_limit = batch_limit

    def answer(self, request):
        if (request.method, request.path) == ("GET", "/languages"):
            return Answer(200, self.languages)
        if (request.method, request.path) == ("POST", "/translate"):
            return self.translate(request.json if isinstance(request.json, dict) else {})
        return super().answer(request)

    def translate(self, body: dict) -> Answer:
        if self.api_key and body.get("api_key") != self.api_key:
            return Answer(403, {"error": "Invalid API key"})
        texts = body.get("q")
        if not texts:
            return Answer(400, {"error": "Invalid request: missing q parameter"})
        batch = texts if isinstance(texts, list) else [texts]
        if self.batch_limit is not None and len(batch) > self.batch_limit:
            return _too_large(len(batch), self.batch_limit)
        size = sum(len(text) for text in batch)
        if self.char_limit is not None and size > self.char_limit:
            return _too_large(size, self.char_limit)
        source, target = body.get("source"), body.get("target")
        targets = {lang["code"]: lang["targets"] for lang in self.languages}
        if source not in targets:
            return Answer(400, {"error": f"{source} is not supported"})
        if target not in targets[source]:
            return Answer(400, {"error": f"{target} is not supported"})
        translated = [fake_translation(text) for text in batch]
        return Answer(
            200, {"translatedText": translated if isinstance(texts, list) else translated[0]}
        )


def _too_large(size: int, limit: int) -> Answer:
    return Answer(400, {"error": f"Invalid request: request ({size}) exceeds text limit ({limit})"})


DEEPL_SOURCE_LANGUAGES = {"AR", "DE", "EN", "FR"}
DEEPL_TARGET_LANGUAGES = {"AR", "DE", "EN-GB", "EN-US", "FR"}


class DeepLServer(FakeServer):
    """DeepL API v2: /v2/translate, /v2/glossaries and /v2/usage, `DeepL-Auth-Key` required.

    At most `max_texts` texts and `max_body_bytes` bytes per request (413 beyond).
    """

    def __init__(
        self,
        *,
        auth_key: str,
        character_limit: int = 500_000,
        max_texts: int = 50,
        max_body_bytes: int = 128 * 1024,
    ):
        super().__init__()
        self.auth_key = auth_key
        self.character_count = 0
        self.character_limit = character_limit
        self.max_texts = max_texts
        self.max_body_bytes = max_body_bytes
        self.glossaries: dict[str, dict[str, str]] = {}

    def answer(self, request):
        if request.headers.get("authorization") != f"DeepL-Auth-Key {self.auth_key}":
            return Answer(403, {"message": "Authorization failure, check auth_key"})
        if len(request.body) > self.max_body_bytes:
            return Answer(413, {"message": "Request Entity Too Large"})
        body = request.json if isinstance(request.json, dict) else {}
        route = (request.method, request.path)
        if route == ("POST", "/v2/translate"):
            return self.translate(body)
        if route == ("POST", "/v2/glossaries"):
            return self.create_glossary(body)
        if route == ("GET", "/v2/usage"):
            return Answer(
                200,
                {"character_count": self.character_count, "character_limit": self.character_limit},
            )
        return Answer(404, {"message": "Not found"})

    def translate(self, body: dict) -> Answer:
        texts = body.get("text")
        if not isinstance(texts, list) or not texts:
            return Answer(400, {"message": "Missing or invalid parameter: text"})
        if len(texts) > self.max_texts:
            return Answer(413, {"message": "Too many texts in the request"})
        if body.get("source_lang") not in DEEPL_SOURCE_LANGUAGES:
            return Answer(400, {"message": "Value for 'source_lang' not supported."})
        if body.get("target_lang") not in DEEPL_TARGET_LANGUAGES:
            return Answer(400, {"message": "Value for 'target_lang' not supported."})
        entries = {}
        if "glossary_id" in body:
            if body["glossary_id"] not in self.glossaries:
                return Answer(404, {"message": "Glossary not found"})
            entries = self.glossaries[body["glossary_id"]]
        translations = []
        for text in texts:
            self.character_count += len(text)
            for term, rendering in entries.items():
                text = text.replace(term, rendering)
            translations.append(
                {"detected_source_language": body["source_lang"], "text": fake_translation(text)}
            )
        return Answer(200, {"translations": translations})

    def create_glossary(self, body: dict) -> Answer:
        if body.get("entries_format") != "tsv" or not body.get("name"):
            return Answer(400, {"message": "Missing or invalid glossary parameters"})
        entries = dict(line.split("\t", 1) for line in body.get("entries", "").splitlines() if line)
        glossary_id = f"glossary-{len(self.glossaries) + 1}"
        self.glossaries[glossary_id] = entries
        return Answer(
            201,
            {
                "glossary_id": glossary_id,
                "name": body["name"],
                "ready": True,
                "source_lang": body.get("source_lang"),
                "target_lang": body.get("target_lang"),
                "creation_time": "2026-01-01T00:00:00.000000Z",
                "entry_count": len(entries),
            },
        )


class OpenAIServer(FakeServer):
    """An OpenAI-compatible server: /v1/chat/completions and /v1/models.

    `api_key` set means the server requires `Authorization: Bearer <key>`.
    """

    def __init__(self, *, models: tuple[str, ...], api_key: str = ""):
        super().__init__()
        self.models = models
        self.api_key = api_key

    @staticmethod
    def completion(content: str, *, finish_reason: str = "stop") -> dict:
        """A chat completion answering `content`."""
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish_reason,
                }
            ],
        }

    def answer(self, request):
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _openai_error(401, "Incorrect API key provided.", "invalid_api_key")
        route = (request.method, request.path)
        if route == ("GET", "/v1/models"):
            return Answer(
                200,
                {
                    "object": "list",
                    "data": [{"id": name, "object": "model"} for name in self.models],
                },
            )
        if route == ("POST", "/v1/chat/completions"):
            return self.chat(request.json if isinstance(request.json, dict) else {})
        return _openai_error(404, f"Unknown request URL: {request.method} {request.path}", None)

    def chat(self, body: dict) -> Answer:
        if body.get("model") not in self.models:
            return _openai_error(
                404, f"The model `{body.get('model')}` does not exist.", "model_not_found"
            )
        user = [message for message in body.get("messages", []) if message.get("role") == "user"]
        segments = json.loads(user[-1]["content"])
        translated = [fake_translation(segment) for segment in segments]
        return Answer(200, self.completion(json.dumps(translated, ensure_ascii=False)))


def _openai_error(status: int, message: str, code: str | None) -> Answer:
    return Answer(
        status,
        {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": code,
            }
        },
    )

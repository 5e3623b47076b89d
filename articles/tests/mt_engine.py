"""The in-repo test engine: deterministic, scriptable, and it records what it was sent.

It "translates" by transliterating Arabic letters into Latin ones, so that
its output passes the pipeline's still-Arabic check, and the same input gives
the same output. A test scripts failures by putting exceptions (raised) or
callables (segments -> results) in `ScriptedEngine.script`.
"""

from articles.machine_translation.engines.base import Engine, SegmentResult

LETTERS = dict(
    zip(
        "ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءأإآؤئ",
        [
            "a",
            "b",
            "t",
            "th",
            "j",
            "h",
            "kh",
            "d",
            "dh",
            "r",
            "z",
            "s",
            "sh",
            "s",
            "d",
            "t",
            "z",
            "a",
            "gh",
            "f",
            "q",
            "k",
            "l",
            "m",
            "n",
            "h",
            "w",
            "y",
            "a",
            "a",
            "'",
            "a",
            "i",
            "a",
            "u",
            "i",
        ],
        strict=True,
    )
)


def transliterate(text: str) -> str:
    return "".join(LETTERS.get(char, "" if "\u064b" <= char <= "\u065f" else char) for char in text)


class ScriptedEngine(Engine):
    name = "test"
    max_segments = 50
    max_request_chars = 100_000
    calls: list[list[str]] = []
    script: list = []

    def __init__(self, **options):
        pass

    @classmethod
    def reset(cls, *, max_segments: int = 50):
        cls.calls = []
        cls.script = []
        cls.max_segments = max_segments

    @property
    def version(self) -> str:
        return "1"

    def translate(self, segments, *, source, target, glossary=None):
        type(self).calls.append(list(segments))
        if type(self).script:
            action = type(self).script.pop(0)
            if isinstance(action, Exception):
                raise action
            return action(segments)
        return [SegmentResult(text=f"EN {transliterate(segment)}") for segment in segments]

    def check(self) -> str:
        return "The test engine answered."

    @property
    def segments_sent(self) -> list[str]:
        return [segment for call in type(self).calls for segment in call]

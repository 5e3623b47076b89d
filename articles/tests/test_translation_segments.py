"""Segments: what an engine is sent for a text, and which answers are taken back."""

import pytest

from articles.machine_translation import pipeline
from articles.machine_translation.engines.base import BadOutput
from articles.machine_translation.segments import from_segment, source_hash, to_segment
from articles.models import TranslationMemory

from .factories import ArticleBlockFactory, ArticleFactory
from .mt_engine import ScriptedEngine

PARAGRAPH = "افتتحت البلدية مكتبة جديدة قرب الساحة."
# The same paragraph as an import or an editor may leave it: line breaks, runs
# of spaces, tabs, no-break spaces, a right-to-left mark.
PARAGRAPH_SPACED = "  افتتحت البلدية\n\nمكتبة   جديدة\tقرب\u00a0الساحة.\u200f "
LINKED = (
    'قال <a href="https://city.example/a?x=1&amp;y=2" title="المحافظ">المحافظ</a>'
    " إن <b>المكتبة</b> جاهزة"
)


# Whitespace: one paragraph, one segment, one memory key.


def test_to_segment_collapses_whitespace_and_marks():
    segment = to_segment(PARAGRAPH_SPACED)

    assert (segment.text, segment.markup) == (PARAGRAPH, PARAGRAPH)


def test_segments_of_texts_differing_only_in_whitespace_have_one_hash():
    assert to_segment(PARAGRAPH_SPACED).hash == to_segment(PARAGRAPH).hash


def test_segments_of_different_texts_have_different_hashes():
    assert to_segment(PARAGRAPH).hash != to_segment(PARAGRAPH.replace("جديدة", "قديمة")).hash


def test_source_hash_of_decomposed_and_composed_text_is_one():
    # "آ" written as alef followed by a combining madda, as some keyboards do.
    assert source_hash("\u0627\u0653لمكتبة") == source_hash("\u0622لمكتبة")


@pytest.mark.django_db
def test_translate_article_with_whitespace_variant_paragraph_is_served_from_memory(settings):
    settings.MT_MAX_ATTEMPTS = 1
    ScriptedEngine.reset()
    engine = ScriptedEngine()
    first = ArticleFactory(title_ar="مكتبة جديدة", original_url="https://a.example/1")
    ArticleBlockFactory(article=first, position=1, text_ar=PARAGRAPH)
    pipeline.translate_article(article_id=first.pk, engine=engine, sleep=lambda seconds: None)
    second = ArticleFactory(title_ar="مكتبة جديدة", original_url="https://a.example/2")
    block = ArticleBlockFactory(article=second, position=1, text_ar=PARAGRAPH_SPACED)
    ScriptedEngine.reset()

    report = pipeline.translate_article(
        article_id=second.pk, engine=engine, sleep=lambda seconds: None
    )

    block.refresh_from_db()
    assert (report.from_memory, report.sent, ScriptedEngine.calls) == (2, 0, [])
    assert block.text_en == "EN afttht albldya mktba jdyda qrb alsaha."
    assert TranslationMemory.objects.count() == 2


# Plain text, as everything stored is.


def test_to_segment_escapes_plain_text():
    segment = to_segment("سعر الخبز < 2 & الوقود > 5")

    assert (segment.markup, segment.attributes) == ("سعر الخبز &lt; 2 &amp; الوقود &gt; 5", {})


def test_from_segment_of_plain_text_unescapes_the_answer():
    segment = to_segment("سعر الخبز < 2 & الوقود > 5")

    assert from_segment(segment, "Bread &lt; 2 &amp; fuel &gt; 5") == "Bread < 2 & fuel > 5"


def test_from_segment_of_plain_text_collapses_whitespace_in_the_answer():
    assert from_segment(to_segment(PARAGRAPH), "  The council\n opened  a library. ") == (
        "The council opened a library."
    )


@pytest.mark.parametrize(
    "answer",
    ["The <b>council</b> opened a library.", "The council opened a library.<br>"],
    ids=["tag", "void-tag"],
)
def test_from_segment_of_plain_text_refuses_an_answer_with_markup(answer):
    with pytest.raises(BadOutput) as raised:
        from_segment(to_segment(PARAGRAPH), answer)

    assert str(raised.value) == "the translation has markup the original did not have"


@pytest.mark.parametrize("answer", ["", "  \n "], ids=["empty", "blank"])
def test_from_segment_refuses_an_empty_answer(answer):
    with pytest.raises(BadOutput) as raised:
        from_segment(to_segment(PARAGRAPH), answer)

    assert str(raised.value) == "the translation is empty"


def test_from_segment_refuses_an_answer_still_in_arabic():
    with pytest.raises(BadOutput) as raised:
        from_segment(to_segment(PARAGRAPH), f"The answer: {PARAGRAPH}")

    assert str(raised.value) == "the translation is still mostly Arabic"


def test_from_segment_accepts_an_answer_with_a_few_arabic_words():
    answer = "The library stands near the square known as الساحة to residents."

    assert from_segment(to_segment(PARAGRAPH), answer) == answer


# Inline markup: placeholders out, attributes back.


def test_to_segment_with_markup_replaces_attributes_with_placeholders():
    segment = to_segment(LINKED, markup=True)

    assert (segment.markup, segment.attributes) == (
        'قال <a id="m1">المحافظ</a> إن <b id="m2">المكتبة</b> جاهزة',
        {"m1": ' href="https://city.example/a?x=1&amp;y=2" title="المحافظ"', "m2": ""},
    )


def test_from_segment_with_markup_puts_the_attributes_back():
    segment = to_segment(LINKED, markup=True)

    restored = from_segment(
        segment, 'The <a id="m1">governor</a> said <b id="m2">the library</b> is ready'
    )

    assert restored == (
        'The <a href="https://city.example/a?x=1&amp;y=2" title="المحافظ">governor</a>'
        " said <b>the library</b> is ready"
    )


def test_from_segment_with_markup_follows_placeholders_the_engine_moved():
    segment = to_segment(
        'زار <a href="https://a.example/">الوزير</a> <a href="https://b.example/">المكتبة</a>',
        markup=True,
    )

    restored = from_segment(segment, 'The <a id="m2">library</a> had <a id="m1">the minister</a>')

    assert restored == (
        'The <a href="https://b.example/">library</a> had '
        '<a href="https://a.example/">the minister</a>'
    )


def test_from_segment_with_markup_keeps_backslashes_in_attributes():
    segment = to_segment('انظر <a href="https://a.example/\\1\\g<0>">التقرير</a>', markup=True)

    assert from_segment(segment, 'See <a id="m1">the report</a>') == (
        'See <a href="https://a.example/\\1\\g&lt;0&gt;">the report</a>'
    )


def test_from_segment_with_markup_drops_attributes_the_engine_added():
    segment = to_segment(LINKED, markup=True)

    restored = from_segment(
        segment,
        'The <a id="m1" onclick="steal()">governor</a> said <b id="m2">the library</b> is ready',
    )

    assert "onclick" not in restored
    assert restored.startswith('The <a href="https://city.example/a?x=1&amp;y=2" title=')


def test_from_segment_with_markup_restores_a_void_tag():
    segment = to_segment("السطر الأول<br>السطر الثاني", markup=True)

    assert from_segment(segment, 'The first line<br id="m1">the second line') == (
        "The first line<br>the second line"
    )


BROKEN_ANSWERS = {
    "tag-missing": ("The governor said the library is ready", "does not match the original's"),
    "tag-added": (
        'The <a id="m1">governor</a> said <b id="m2">the library</b> is <i id="m3">ready</i>',
        "does not match the original's",
    ),
    "placeholder-renamed": (
        'The <a id="m7">governor</a> said <b id="m2">the library</b> is ready',
        "does not match the original's",
    ),
    "placeholder-on-another-tag": (
        'The <b id="m1">governor</b> said <a id="m2">the library</a> is ready',
        "does not match the original's",
    ),
    "placeholder-twice": (
        'The <a id="m1">governor</a> said <a id="m1">the library</a> is ready',
        "does not match the original's",
    ),
    "placeholder-hijacked": (
        'The <a id=\'m1" onclick="steal()\'>governor</a> said <b id="m2">the library</b> is ready',
        "does not match the original's",
    ),
    "closed-out-of-order": (
        'The <a id="m1">governor said <b id="m2">the library</a> is ready</b>',
        "is not balanced",
    ),
    "closed-before-opened": (
        'The </a>governor<a id="m1"> said <b id="m2">the library</b> is ready',
        "is not balanced",
    ),
}


@pytest.mark.parametrize(
    ("answer", "reason"), list(BROKEN_ANSWERS.values()), ids=list(BROKEN_ANSWERS)
)
def test_from_segment_with_markup_refuses_broken_markup(answer, reason):
    with pytest.raises(BadOutput) as raised:
        from_segment(to_segment(LINKED, markup=True), answer)

    assert str(raised.value) == f"the translation's markup {reason}"

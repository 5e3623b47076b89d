"""The translation pipeline with the in-repo test engine: memory, retries, human edits, state."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from articles import services
from articles.machine_translation import pipeline
from articles.machine_translation.engines.base import (
    AuthError,
    EngineUnavailable,
    QuotaExceeded,
    RateLimited,
    SegmentResult,
    TooLarge,
)
from articles.models import Article, ArticleBlock, GlossaryTerm, TranslationMemory

from .factories import ArticleBlockFactory, ArticleFactory
from .mt_engine import ScriptedEngine

PARAGRAPHS = [
    "افتتحت البلدية حديقة جديدة في الحي الشرقي.",
    "وقال رئيس البلدية إن الحديقة تضم ملعبا للأطفال.",
    "ويأمل السكان أن تبقى الحديقة نظيفة.",
]


@pytest.fixture(autouse=True)
def engine(settings):
    settings.MT_ENGINE = "test"
    settings.MT_EXTRA_ENGINES = {"test": "articles.tests.mt_engine.ScriptedEngine"}
    settings.MT_MAX_ATTEMPTS = 4
    ScriptedEngine.reset()
    cache.clear()
    return ScriptedEngine()


@pytest.fixture
def sleeps():
    return []


def article_with_blocks(paragraphs=PARAGRAPHS, **kwargs):
    article = ArticleFactory(title_ar="حديقة جديدة في الحي", **kwargs)
    for position, text in enumerate(paragraphs, start=1):
        ArticleBlockFactory(article=article, position=position, text_ar=text)
    return article


def translate(article, engine, sleeps=None, **kwargs):
    record = sleeps.append if sleeps is not None else (lambda seconds: None)
    return pipeline.translate_article(article_id=article.pk, engine=engine, sleep=record, **kwargs)


def english_of(article):
    return list(article.blocks.order_by("position").values_list("text_en", flat=True))


@pytest.mark.django_db
def test_translate_article_stores_english_with_its_provenance(engine):
    article = article_with_blocks()

    report = translate(article, engine)

    article.refresh_from_db()
    blocks = list(article.blocks.order_by("position"))
    assert report.as_dict() | {"article_id": 0} == {
        "article_id": 0,
        "state": "machine",
        "segments": 4,
        "from_memory": 0,
        "sent": 4,
        "failed": 0,
        "flagged": 0,
        "error": "",
    }
    assert article.title_en == "EN hdyqa jdyda fy alhy"
    assert [(b.translation_origin, b.translation_engine) for b in blocks] == [
        ("machine", "test")
    ] * 3
    assert (article.translation_state, article.translation_engine) == ("machine", "test")
    assert TranslationMemory.objects.count() == 4


@pytest.mark.django_db
def test_translate_article_sends_nothing_when_memory_has_every_segment(engine):
    translate(article_with_blocks(original_url="https://a.example/1"), engine)
    engine.reset()
    second = article_with_blocks(original_url="https://a.example/2")

    report = translate(second, engine)

    assert (report.sent, report.from_memory, ScriptedEngine.calls) == (0, 4, [])
    assert english_of(second)[0] == "EN afttht albldya hdyqa jdyda fy alhy alshrqy."


@pytest.mark.django_db
def test_translate_article_after_one_edited_paragraph_sends_one_segment(engine):
    article = article_with_blocks()
    translate(article, engine)
    engine.reset()
    ArticleBlock.objects.filter(article=article, position=2).update(
        text_ar="وقال رئيس البلدية كلاما آخر."
    )

    report = translate(article, engine)

    assert ScriptedEngine.calls == [["وقال رئيس البلدية كلاما آخر."]]
    assert (report.sent, report.from_memory) == (1, 0)
    assert english_of(article)[1] == "EN wqal riys albldya klama akhr."


@pytest.mark.django_db
def test_translate_article_with_force_never_replaces_reviewed_english(engine):
    article = article_with_blocks()
    translate(article, engine)
    editor_block = article.blocks.get(position=1)
    services.save_english(
        article=article,
        user=None,
        title_en=article.title_en or "",
        lead_en="",
        blocks={editor_block.pk: ("The council opened a new park.", "")},
    )
    engine.reset()

    translate(article, engine, force=True)

    editor_block.refresh_from_db()
    assert (editor_block.text_en, editor_block.translation_origin) == (
        "The council opened a new park.",
        "reviewed",
    )
    sent = [segment for call in ScriptedEngine.calls for segment in call]
    assert sorted(sent) == sorted(["حديقة جديدة في الحي", *PARAGRAPHS[1:]])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failure",
    [
        RateLimited("slow down", retry_after=None),
        EngineUnavailable("503 from the engine"),
        EngineUnavailable("the engine did not answer in time"),
    ],
    ids=["429", "5xx", "timeout"],
)
def test_translate_article_retries_transient_failures(engine, sleeps, failure):
    article = article_with_blocks()
    ScriptedEngine.script = [failure, failure]

    report = translate(article, engine, sleeps)

    assert (report.state, len(ScriptedEngine.calls), len(sleeps)) == ("machine", 3, 2)
    assert all(0 <= seconds <= 30 for seconds in sleeps)


@pytest.mark.django_db
def test_translate_article_waits_as_long_as_retry_after_asks(engine, sleeps):
    article = article_with_blocks()
    ScriptedEngine.script = [RateLimited("slow down", retry_after=7)]

    translate(article, engine, sleeps)

    assert sleeps == [7]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failure",
    [
        AuthError("LibreTranslate refused the credentials (403)."),
        QuotaExceeded("DeepL's quota is used up."),
    ],
    ids=["401", "456"],
)
def test_translate_article_never_retries_auth_or_quota_errors(engine, sleeps, failure):
    article = article_with_blocks()
    ScriptedEngine.script = [failure]

    report = translate(article, engine, sleeps)

    article.refresh_from_db()
    assert (len(ScriptedEngine.calls), sleeps) == (1, [])
    assert (report.state, article.translation_state, article.translation_error) == (
        "failed",
        "failed",
        str(failure),
    )


@pytest.mark.django_db
def test_translate_article_after_quota_error_does_not_call_the_engine_until_it_resets(engine):
    first, second = (
        article_with_blocks(original_url="https://q.example/1"),
        article_with_blocks(original_url="https://q.example/2"),
    )
    ScriptedEngine.script = [QuotaExceeded("DeepL's quota is used up; it resumes when it resets.")]
    translate(first, engine)

    report = translate(second, engine)

    assert len(ScriptedEngine.calls) == 1
    assert (report.state, report.error) == (
        "failed",
        "DeepL's quota is used up; it resumes when it resets.",
    )


@pytest.mark.django_db
def test_translate_article_with_a_dead_engine_leaves_the_article_published(engine, sleeps):
    article = article_with_blocks()
    ScriptedEngine.script = [EngineUnavailable("The engine cannot be reached.")] * 10

    report = translate(article, engine, sleeps)

    article.refresh_from_db()
    assert (len(ScriptedEngine.calls), len(sleeps)) == (4, 3)
    assert (article.status, article.is_published, article.title_ar) == (
        "published",
        True,
        "حديقة جديدة في الحي",
    )
    assert (report.state, article.translation_state, article.translation_error) == (
        "failed",
        "failed",
        "The engine cannot be reached.",
    )
    assert english_of(article) == [None, None, None]


@pytest.mark.django_db
def test_translate_article_splits_a_batch_the_engine_finds_too_large(engine):
    article = article_with_blocks()

    def only_two(segments):
        if len(segments) > 2:
            raise TooLarge("too large")
        return [SegmentResult(text=f"EN {index}") for index, _ in enumerate(segments)]

    ScriptedEngine.script = [only_two] * 10

    report = translate(article, engine)

    assert [len(call) for call in ScriptedEngine.calls] == [4, 2, 2]
    assert report.state == "machine"


@pytest.mark.django_db
def test_translate_article_retries_only_the_segments_that_came_back_bad(engine, sleeps):
    article = article_with_blocks()

    def one_still_arabic(segments):
        return [SegmentResult(text=segments[0])] + [
            SegmentResult(text="fine") for _ in segments[1:]
        ]

    ScriptedEngine.script = [one_still_arabic]

    report = translate(article, engine, sleeps)

    assert [len(call) for call in ScriptedEngine.calls] == [4, 1]
    assert report.state == "machine"


@pytest.mark.django_db
def test_translate_article_marks_the_article_failed_when_output_stays_unusable(engine, sleeps):
    article = article_with_blocks(paragraphs=PARAGRAPHS[:1])
    ScriptedEngine.script = [lambda segments: [SegmentResult(text="") for _ in segments]] * 10

    report = translate(article, engine, sleeps)

    article.refresh_from_db()
    assert report.state == "failed"
    assert article.translation_error.startswith("2 segment(s) could not be translated by test:")
    assert "bad output: the translation is empty" in article.translation_error


@pytest.mark.django_db
def test_translate_article_stops_at_the_article_deadline(engine, settings):
    settings.MT_ARTICLE_DEADLINE = 10
    article = article_with_blocks()
    ScriptedEngine.script = [EngineUnavailable("slow")] * 10
    ticks = iter([0, 1, 50, 100, 150])

    report = pipeline.translate_article(
        article_id=article.pk, engine=engine, sleep=lambda s: None, clock=lambda: next(ticks)
    )

    assert (report.state, report.error) == ("failed", "Translating took longer than 10 seconds.")
    assert len(ScriptedEngine.calls) == 1


@pytest.mark.django_db
def test_translate_article_flags_a_block_whose_glossary_term_is_missing(engine):
    GlossaryTerm.objects.create(term_ar="الحديقة", rendering_en="the park")
    article = article_with_blocks()

    report = translate(article, engine)

    flagged = list(article.blocks.exclude(needs_review="").values_list("position", "needs_review"))
    assert report.flagged == 2
    assert flagged == [
        (2, "Glossary term(s) not rendered as expected: الحديقة"),
        (3, "Glossary term(s) not rendered as expected: الحديقة"),
    ]


@pytest.mark.django_db
def test_translate_article_keeps_english_an_editor_saved_while_it_ran(engine):
    article = article_with_blocks()
    block = article.blocks.get(position=1)

    def editor_saves_meanwhile(segments):
        services.save_english(
            article=article,
            user=None,
            title_en="",
            lead_en="",
            blocks={block.pk: ("Written by the editor.", "")},
        )
        return [SegmentResult(text=f"EN {index}") for index, _ in enumerate(segments)]

    ScriptedEngine.script = [editor_saves_meanwhile]

    translate(article, engine)

    block.refresh_from_db()
    assert (block.text_en, block.translation_origin) == ("Written by the editor.", "reviewed")


@pytest.mark.django_db
def test_translate_article_without_an_engine_says_how_to_configure_one(settings):
    settings.MT_ENGINE = "none"
    article = article_with_blocks()

    report = pipeline.translate_article(article_id=article.pk)

    article.refresh_from_db()
    assert report.state == article.translation_state == "failed"
    assert article.translation_error.startswith("No translation engine is configured")


@pytest.mark.django_db
def test_translate_articles_command_reports_each_article_and_a_summary(engine):
    first = article_with_blocks(original_url="https://c.example/1")
    second = article_with_blocks(original_url="https://c.example/2")
    ArticleFactory(draft=True, title_ar="مسودة لا تترجم")
    out = io.StringIO()

    call_command("translate_articles", stdout=out)

    title = "«حديقة جديدة في الحي»"
    assert out.getvalue().splitlines() == [
        f"#{first.pk} {title}: 4 segment(s), 0 from memory, 4 sent, 0 failed -> machine",
        f"#{second.pk} {title}: 4 segment(s), 4 from memory, 0 sent, 0 failed -> machine",
        "2 article(s), 4 segment(s) sent, 4 served from memory, 0 failed.",
    ]


@pytest.mark.django_db
def test_translate_articles_command_skips_articles_already_translated(engine):
    translate(article_with_blocks(), engine)
    out = io.StringIO()

    call_command("translate_articles", stdout=out)

    assert out.getvalue() == "0 article(s), 0 segment(s) sent, 0 served from memory, 0 failed.\n"


@pytest.mark.django_db
def test_translate_articles_command_exits_non_zero_when_an_article_fails(engine):
    article_with_blocks()
    ScriptedEngine.script = [AuthError("The engine refused the credentials (401).")]

    with pytest.raises(CommandError) as raised:
        call_command("translate_articles", stdout=io.StringIO())

    assert str(raised.value) == "1 article(s), 4 segment(s) sent, 0 served from memory, 4 failed."


@pytest.mark.django_db
def test_translate_articles_check_prints_what_answered(engine):
    out = io.StringIO()

    call_command("translate_articles", "--check", stdout=out)

    assert out.getvalue() == "The test engine answered.\n"


@pytest.mark.django_db
def test_translate_articles_check_fails_in_one_sentence_without_an_engine(settings):
    settings.MT_ENGINE = "none"

    with pytest.raises(CommandError) as raised:
        call_command("translate_articles", "--check")

    assert str(raised.value) == (
        "No translation engine is configured: set MT_ENGINE to libretranslate, deepl, "
        "openai or argos, with its options."
    )


@pytest.mark.django_db
def test_translate_articles_for_an_unknown_article_says_so(engine):
    with pytest.raises(CommandError) as raised:
        call_command("translate_articles", "--article", "999999")

    assert str(raised.value) == "There is no article #999999."


@pytest.mark.django_db(transaction=True)
def test_queued_translation_is_done_by_the_database_worker(engine):
    article = article_with_blocks()

    queued = services.queue_translation(article=article)
    state_while_queued = Article.objects.get(pk=article.pk).translation_state
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--queue-name",
        "default",
        verbosity=0,
    )

    article.refresh_from_db()
    assert (queued, state_while_queued) == (True, "queued")
    assert (article.translation_state, article.title_en) == ("machine", "EN hdyqa jdyda fy alhy")


@pytest.mark.django_db
def test_queue_translation_without_an_engine_queues_nothing(settings):
    settings.MT_ENGINE = "none"
    article = article_with_blocks()

    queued = services.queue_translation(article=article)

    article.refresh_from_db()
    assert (queued, article.translation_state) == (False, "none")


# Glossary flags on the title and lead.


@pytest.mark.django_db
def test_translate_article_flags_a_title_whose_glossary_term_is_missing(engine):
    GlossaryTerm.objects.create(term_ar="الحي", rendering_en="the quarter")
    article = article_with_blocks()

    report = translate(article, engine)

    article.refresh_from_db()
    assert (report.flagged, article.title_needs_review, article.title_en) == (
        2,  # the title, and the first paragraph
        "Glossary term(s) not rendered as expected: الحي",
        "EN hdyqa jdyda fy alhy",
    )


@pytest.mark.django_db
def test_translate_article_flags_a_lead_whose_glossary_term_is_missing(engine):
    GlossaryTerm.objects.create(term_ar="البلدية", rendering_en="the council")
    article = article_with_blocks(paragraphs=[], lead_ar="قررت البلدية فتح الحديقة مساء.")

    translate(article, engine)

    article.refresh_from_db()
    assert article.title_needs_review == "Glossary term(s) not rendered as expected: البلدية"


@pytest.mark.django_db
def test_translate_article_clears_the_title_flag_once_the_term_is_rendered(engine):
    GlossaryTerm.objects.create(term_ar="الحي", rendering_en="the quarter")
    article = article_with_blocks(paragraphs=[])
    translate(article, engine)
    ScriptedEngine.script = [lambda segments: [SegmentResult(text="A park in the quarter")]]

    translate(article, engine, force=True)

    article.refresh_from_db()
    assert (article.title_en, article.title_needs_review) == ("A park in the quarter", "")


@pytest.mark.django_db
def test_translate_article_flags_a_do_not_translate_term_the_engine_translated(engine):
    GlossaryTerm.objects.create(term_ar="الحميدية", do_not_translate=True)
    article = ArticleFactory(title_ar="سوق الحميدية يفتح أبوابه")

    report = translate(article, engine)

    article.refresh_from_db()
    assert (report.flagged, article.title_en, article.title_needs_review) == (
        1,
        "EN swq alhmydya yfth abwabh",
        "Glossary term(s) not rendered as expected: الحميدية",
    )


@pytest.mark.django_db
def test_translate_article_accepts_a_do_not_translate_term_kept_as_it_is(engine):
    GlossaryTerm.objects.create(term_ar="الحميدية", do_not_translate=True)
    article = ArticleFactory(title_ar="سوق الحميدية يفتح أبوابه")
    ScriptedEngine.script = [
        lambda segments: [SegmentResult(text="The souq of الحميدية opens its doors again")]
    ]

    report = translate(article, engine)

    article.refresh_from_db()
    assert (report.flagged, article.title_en, article.title_needs_review) == (
        0,
        "The souq of الحميدية opens its doors again",
        "",
    )


@pytest.mark.django_db
def test_translate_article_cuts_a_long_glossary_note_to_fit_its_column(engine):
    terms = [f"{word} {'و' * 140}" for word in ("المجلس", "المحافظة")]
    for term in terms:
        GlossaryTerm.objects.create(term_ar=term, rendering_en="council")
    article = ArticleFactory(title_ar=" ".join(terms))

    report = translate(article, engine)

    article.refresh_from_db()
    assert (report.state, len(article.title_needs_review), article.title_needs_review[-1]) == (
        "machine",
        300,
        "…",
    )


# "Translate missing": only units without English.


@pytest.mark.django_db
def test_translate_article_missing_only_fills_only_empty_blocks(engine):
    article = article_with_blocks()
    translate(article, engine)
    empty, stale, reviewed = article.blocks.order_by("position")
    ArticleBlock.objects.filter(pk=empty.pk).update(text_en=None)
    ArticleBlock.objects.filter(pk=stale.pk).update(text_ar="وقال رئيس البلدية كلاما آخر.")
    article.refresh_from_db()
    services.save_english(
        article=article,
        user=None,
        title_en=article.title_en,
        lead_en="",
        blocks={reviewed.pk: ("The residents hope the park stays clean.", "")},
    )
    engine.reset()

    report = translate(article, engine, missing_only=True)

    rows = list(article.blocks.order_by("position").values_list("text_en", "translation_origin"))
    assert (ScriptedEngine.calls, report.from_memory, report.state) == ([], 1, "machine")
    assert rows == [
        ("EN afttht albldya hdyqa jdyda fy alhy alshrqy.", "machine"),
        ("EN wqal riys albldya in alhdyqa tdm mlaba llatfal.", "machine"),  # stale, kept
        ("The residents hope the park stays clean.", "reviewed"),
    ]


@pytest.mark.django_db
def test_translate_article_missing_only_sends_an_empty_block_memory_lacks(engine):
    article = article_with_blocks(paragraphs=PARAGRAPHS[:2])
    translate(article, engine)
    first, stale = article.blocks.order_by("position")
    ArticleBlock.objects.filter(pk=first.pk).update(
        text_ar="افتتح المحافظ الحديقة مساء أمس.", text_en=None
    )
    ArticleBlock.objects.filter(pk=stale.pk).update(text_ar="وقال رئيس البلدية كلاما آخر.")
    engine.reset()

    translate(article, engine, missing_only=True)

    assert ScriptedEngine.calls == [["افتتح المحافظ الحديقة مساء أمس."]]
    assert english_of(article) == [
        "EN aftth almhafz alhdyqa msa' ams.",
        "EN wqal riys albldya in alhdyqa tdm mlaba llatfal.",
    ]

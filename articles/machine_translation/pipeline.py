"""Translating one article: memory first, then the engine in batches, with retries.

What is translated is the article's units: its title with its lead, and each
body block (text with its attribution). A unit is left alone when an editor
reviewed its English (human edits always win, `force` included), and when its
English was made from the Arabic it has now (unless `force`). Each segment
found in the translation memory is never sent again; the rest go to the
engine in batches within its limits, retried with exponential backoff and
jitter on rate limits, unavailability and bad output, never on configuration,
auth or quota errors. A batch the engine finds too large is split in two.

Nothing here touches the Arabic, the status or anything else an editor may be
changing meanwhile: the English and its provenance are written with UPDATEs
of those columns only, after checking (under a row lock) that the Arabic is
still what was translated and that no editor reviewed the English meanwhile.
"""

import hashlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from articles import audit, changes, revisions
from articles.models import (
    Article,
    ArticleBlock,
    GlossaryTerm,
    TranslationMemory,
    TranslationOrigin,
)

from .engines import get_engine
from .engines.base import (
    BadOutput,
    Engine,
    Glossary,
    QuotaExceeded,
    TooLarge,
    TranslationError,
)
from .segments import Segment, from_segment, source_hash, to_segment

logger = logging.getLogger(__name__)

SOURCE, TARGET = "ar", "en"
QUOTA_PAUSE_SECONDS = 60 * 60


class DeadlineExceeded(TranslationError):
    """The whole article took longer than MT_ARTICLE_DEADLINE."""


@dataclass
class Unit:
    """The title with the lead, or one block with its attribution."""

    key: str
    sources: list[str]
    english: list[str | None]
    origin: str
    stored_hash: str

    @property
    def hash(self) -> str:
        return source_hash(*self.sources)

    @property
    def has_arabic(self) -> bool:
        return any(text.strip() for text in self.sources)

    @property
    def complete(self) -> bool:
        return all(
            bool((english or "").strip())
            for source, english in zip(self.sources, self.english, strict=True)
            if source.strip()
        )

    def needs_translation(self, *, force: bool = False, missing_only: bool = False) -> bool:
        if not self.has_arabic or self.origin == TranslationOrigin.REVIEWED:
            return False
        if missing_only:
            return not self.complete
        if force:
            return True
        return not self.complete or self.stored_hash != self.hash


@dataclass
class Report:
    article_id: int
    state: str = ""
    units: int = 0
    segments: int = 0
    from_memory: int = 0
    sent: int = 0
    failed: int = 0
    error: str = ""
    flagged: int = 0
    failures: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "article_id": self.article_id,
            "state": self.state,
            "segments": self.segments,
            "from_memory": self.from_memory,
            "sent": self.sent,
            "failed": self.failed,
            "flagged": self.flagged,
            "error": self.error,
        }


def units_of(article: Article, blocks: list[ArticleBlock]) -> list[Unit]:
    units = [
        Unit(
            key="title",
            sources=[article.title_ar or "", article.lead_ar or ""],
            english=[article.title_en, article.lead_en],
            origin=article.title_translation_origin,
            stored_hash=article.title_source_hash,
        )
    ]
    for block in blocks:
        units.append(
            Unit(
                key=f"block:{block.pk}",
                sources=[block.text_ar or "", block.attribution_ar or ""],
                english=[block.text_en, block.attribution_en],
                origin=block.translation_origin,
                stored_hash=block.source_hash,
            )
        )
    return units


def current_glossary() -> tuple[Glossary, list[GlossaryTerm]]:
    terms = list(GlossaryTerm.objects.order_by("term_ar"))
    entries = {term.term_ar: term.expected for term in terms}
    version = (
        hashlib.sha256(repr(sorted(entries.items())).encode()).hexdigest()[:16] if entries else ""
    )
    return Glossary(entries=entries, version=version), terms


def quota_pause_key(engine: Engine) -> str:
    return f"mt:quota-paused:{engine.name}"


class Translator:
    """Sends segments to one engine within its limits, retrying what may be retried."""

    def __init__(
        self,
        engine: Engine,
        glossary: Glossary,
        *,
        deadline: float,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ):
        self.engine = engine
        self.glossary = glossary if engine.supports_glossary else None
        self.deadline = deadline
        self.sleep = sleep
        self.clock = clock
        self.sent: set[str] = set()

    def translate(self, segments: list[Segment]) -> tuple[dict[str, str], dict[str, str]]:
        """(hash -> English, hash -> why it failed) for every segment."""
        done: dict[str, str] = {}
        failed: dict[str, str] = {}
        for batch in self.batches(segments):
            self.send(batch, done, failed)
        return done, failed

    def batches(self, segments: list[Segment]):
        batch, size = [], 0
        for segment in segments:
            length = len(segment.markup.encode())
            if batch and (
                len(batch) >= self.engine.max_segments
                or size + length > self.engine.max_request_chars
            ):
                yield batch
                batch, size = [], 0
            batch.append(segment)
            size += length
        if batch:
            yield batch

    def send(self, batch: list[Segment], done: dict, failed: dict) -> None:
        attempts = settings.MT_MAX_ATTEMPTS
        for attempt in range(attempts):
            if self.clock() > self.deadline:
                raise DeadlineExceeded(
                    f"Translating took longer than {settings.MT_ARTICLE_DEADLINE:g} seconds."
                )
            last_attempt = attempt == attempts - 1
            try:
                self.sent.update(segment.hash for segment in batch)
                results = self.engine.translate(
                    [segment.markup for segment in batch],
                    source=SOURCE,
                    target=TARGET,
                    glossary=self.glossary,
                )
            except TooLarge as error:
                if len(batch) == 1:
                    failed[batch[0].hash] = str(error)
                    return
                middle = len(batch) // 2
                self.send(batch[:middle], done, failed)
                self.send(batch[middle:], done, failed)
                return
            except TranslationError as error:
                if not error.retryable or last_attempt:
                    raise
                self.wait(attempt, getattr(error, "retry_after", None), error)
                continue
            if len(results) != len(batch):
                error = BadOutput(f"{len(results)} results came back for {len(batch)} segments")
                if last_attempt:
                    raise error
                self.wait(attempt, None, error)
                continue
            retry = []
            for segment, result in zip(batch, results, strict=True):
                try:
                    if not result.ok:
                        raise BadOutput(result.error or "no translation")
                    done[segment.hash] = from_segment(segment, result.text)
                    failed.pop(segment.hash, None)
                except BadOutput as error:
                    failed[segment.hash] = f"bad output: {error}"
                    retry.append(segment)
            if not retry or last_attempt:
                return
            batch = retry
            self.wait(attempt, None, BadOutput(f"{len(retry)} segment(s) came back unusable"))

    def wait(self, attempt: int, retry_after: float | None, error: Exception) -> None:
        cap = settings.MT_BACKOFF_MAX
        delay = random.uniform(0, min(cap, settings.MT_BACKOFF_BASE * 2**attempt))  # noqa: S311 -- jitter, not a secret
        if retry_after is not None:
            delay = min(cap, max(delay, retry_after))
        logger.info("%s; retrying in %.1f s", error, delay)
        self.sleep(delay)


def translate_article(
    *,
    article_id: int,
    engine: Engine | None = None,
    force: bool = False,
    missing_only: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Report:
    """Translate what an article is missing; the Arabic article is never touched."""
    report = Report(article_id=article_id)
    article = Article.objects.get(pk=article_id)
    blocks = list(article.blocks.order_by("position"))
    units = units_of(article, blocks)
    pending = [
        unit for unit in units if unit.needs_translation(force=force, missing_only=missing_only)
    ]
    report.units = len(pending)
    try:
        engine = engine or get_engine()
        paused = cache.get(quota_pause_key(engine))
        if paused:
            raise QuotaExceeded(paused)
        glossary, terms = current_glossary()
        segments = {}
        for unit in pending:
            for text in unit.sources:
                if text.strip():
                    segment = to_segment(text)
                    segments.setdefault(segment.hash, segment)
        report.segments = len(segments)
        translations = {} if force else remembered(engine, glossary, list(segments))
        report.from_memory = len(translations)
        missing = [segment for key, segment in segments.items() if key not in translations]
        translator = Translator(
            engine,
            glossary,
            deadline=clock() + settings.MT_ARTICLE_DEADLINE,
            sleep=sleep,
            clock=clock,
        )
        try:
            fresh, failures = translator.translate(missing)
        finally:
            report.sent = len(translator.sent)
        remember(engine, glossary, {key: segments[key].text for key in fresh}, fresh)
        translations.update(fresh)
    except TranslationError as error:
        if isinstance(error, QuotaExceeded):
            cache.set(quota_pause_key(engine), str(error), QUOTA_PAUSE_SECONDS)
        report.failed = report.segments or len(pending)
        report.error = str(error)
        report.state = record_failure(article_id=article_id, error=str(error))
        audit.record(
            action=audit.Action.TRANSLATED, article=article, detail=f"failed: {report.error}"
        )
        return report

    report.failures = failures
    report.failed = len(failures)
    report.flagged = write_translations(
        article_id=article_id,
        pending=pending,
        translations=translations,
        engine=engine,
        terms=terms if not engine.supports_glossary else [],
    )
    report.state, report.error = record_outcome(
        article_id=article_id, engine=engine, failures=failures
    )
    detail = f"{report.state} by {engine.name}: {report.units} unit(s), {report.sent} sent"
    audit.record(action=audit.Action.TRANSLATED, article=article, detail=detail)
    if pending:
        revisions.record(article_ids=[article_id], comment=f"Machine translation ({engine.name})")
    return report


def remembered(engine: Engine, glossary: Glossary, hashes: list[str]) -> dict[str, str]:
    if not hashes:
        return {}
    return dict(
        TranslationMemory.objects.filter(
            source_hash__in=hashes,
            source_language=SOURCE,
            target_language=TARGET,
            engine=engine.name,
            engine_version=engine.version,
            glossary_version=glossary.version,
        ).values_list("source_hash", "translated_text")
    )


def remember(
    engine: Engine, glossary: Glossary, sources: dict[str, str], translations: dict
) -> None:
    TranslationMemory.objects.bulk_create(
        [
            TranslationMemory(
                source_hash=key,
                source_language=SOURCE,
                target_language=TARGET,
                engine=engine.name,
                engine_version=engine.version,
                glossary_version=glossary.version,
                source_text=sources[key],
                translated_text=translations[key],
            )
            for key in translations
        ],
        ignore_conflicts=True,
    )


def missing_terms(sources: list[str], english: list[str], terms: list[GlossaryTerm]) -> list[str]:
    """Glossary terms in the Arabic whose expected English is not in the translation."""
    text = " ".join(english).casefold()
    return [
        term.term_ar
        for term in terms
        if any(term.term_ar in source for source in sources)
        and term.expected.casefold() not in text
    ]


# Both notes (ArticleBlock.needs_review, Article.title_needs_review) are this long.
REVIEW_NOTE_LENGTH = ArticleBlock._meta.get_field("needs_review").max_length


def review_note(absent: list[str]) -> str:
    """What an editor is told about missing glossary terms, cut to fit its column."""
    if not absent:
        return ""
    note = "Glossary term(s) not rendered as expected: " + ", ".join(absent)
    if len(note) > REVIEW_NOTE_LENGTH:
        note = note[: REVIEW_NOTE_LENGTH - 1] + "…"
    return note


@transaction.atomic
def write_translations(*, article_id, pending, translations, engine, terms) -> int:
    """Store the English of every unit that translated whole; returns how many were flagged.

    A unit whose English lacks an expected glossary term is flagged with a note
    for the review screen: `title_needs_review` for the title and lead,
    `needs_review` for a block. A later run that renders the term clears it.
    """
    now = timezone.now()
    article = Article.objects.select_for_update().get(pk=article_id)
    blocks = {
        f"block:{block.pk}": block
        for block in ArticleBlock.objects.select_for_update().filter(article_id=article_id)
    }
    current = {unit.key: unit for unit in units_of(article, list(blocks.values()))}
    flagged = 0
    for unit in pending:
        now_unit = current.get(unit.key)
        # The block is gone, its Arabic changed, or an editor reviewed it meanwhile.
        if (
            now_unit is None
            or now_unit.hash != unit.hash
            or now_unit.origin == TranslationOrigin.REVIEWED
        ):
            continue
        english = []
        for text in unit.sources:
            if not text.strip():
                english.append(None)
                continue
            translated = translations.get(to_segment(text).hash)
            if translated is None:
                break
            english.append(translated)
        else:
            absent = missing_terms(unit.sources, [e for e in english if e], terms)
            note = review_note(absent)
            flagged += bool(absent)
            if unit.key == "title":
                Article.objects.filter(pk=article_id).update(
                    title_en=english[0],
                    lead_en=english[1],
                    title_translation_origin=TranslationOrigin.MACHINE,
                    title_source_hash=unit.hash,
                    title_needs_review=note,
                )
            else:
                ArticleBlock.objects.filter(pk=blocks[unit.key].pk).update(
                    text_en=english[0],
                    attribution_en=english[1],
                    translation_origin=TranslationOrigin.MACHINE,
                    source_hash=unit.hash,
                    needs_review=note,
                    translation_engine=engine.name,
                    translated_at=now,
                )
    changes.article_changed(article_id)  # update() sends no signal
    return flagged


def record_failure(*, article_id: int, error: str) -> str:
    Article.objects.filter(pk=article_id).update(
        translation_state=Article.TranslationState.FAILED,
        translation_error=error,
    )
    return Article.TranslationState.FAILED


def record_outcome(*, article_id: int, engine: Engine, failures: dict[str, str]) -> tuple[str, str]:
    """The article's translation state after a run, from what its units now hold."""
    article = Article.objects.get(pk=article_id)
    units = [unit for unit in units_of(article, list(article.blocks.all())) if unit.has_arabic]
    if failures:
        reasons = sorted(set(failures.values()))
        error = (
            f"{len(failures)} segment(s) could not be translated by {engine.describe()}: "
            + "; ".join(reasons[:3])
        )
        state = Article.TranslationState.FAILED
    elif all(unit.origin == TranslationOrigin.REVIEWED for unit in units):
        state, error = Article.TranslationState.REVIEWED, ""
    else:
        state, error = Article.TranslationState.MACHINE, ""
    now = timezone.now()
    Article.objects.filter(pk=article_id).update(
        translation_state=state,
        translation_engine=engine.name,
        translated_at=now,
        translation_error=error,
        updated_at=now,  # the English is part of what feeds and pages show
    )
    changes.article_changed(article_id)  # the state shows on the page; update() sends no signal
    return state, error

"""Writes for imports: storing what the readers in `ingest/` parsed, and polling sources.

Every item is stored in its own transaction: an item that fails leaves
nothing of itself, and the others are still stored. An article an editor
changed (its Arabic, or English they reviewed) is never overwritten by a
later import: the newer version is kept aside as an ArticleUpdate for the
editor to apply. An article an editor deleted is not imported again.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Min, Q
from django.utils import timezone, translation
from django.utils.http import parse_http_date_safe

from . import audit, changes, revisions, services
from .ingest.base import ImportFailed, ParsedPage
from .ingest.feed_reader import parse_feed
from .ingest.fetch import FetchFailed, fetch
from .ingest.html_page import parse_html_page
from .models import (
    Article,
    ArticleBlock,
    ArticleUpdate,
    DeletedArticle,
    Source,
    TickerHeadline,
    TranslationOrigin,
)
from .text import clean_line

ARABIC = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
RELATED_WINDOW = datetime.timedelta(days=2)
RELATED_SIMILARITY = 0.6
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


@dataclass
class Outcome:
    kind: str  # new, updated, kept aside, unchanged, skipped, failed
    article: Article | None = None
    reason: str = ""
    headlines_created: int = 0
    source: Source | None = None


@dataclass
class SourceReport:
    source: str
    counts: dict = field(
        default_factory=lambda: {"new": 0, "updated": 0, "skipped": 0, "failed": 0}
    )
    reasons: list[str] = field(default_factory=list)
    unchanged: int = 0  # skipped as already imported: counted, not listed
    not_modified: bool = False
    error: str = ""

    def add(self, outcome: Outcome, *, label: str) -> None:
        bucket = {"new": "new", "updated": "updated", "failed": "failed"}.get(
            outcome.kind, "skipped"
        )
        self.counts[bucket] += 1
        if outcome.kind == "unchanged":
            self.unchanged += 1
        elif outcome.kind in ("failed", "skipped", "kept aside"):
            self.reasons.append(f"{label}: {outcome.reason or outcome.kind}")

    def explanations(self) -> list[str]:
        """Why items were skipped or failed: one line each, the unchanged ones as a count."""
        if not self.unchanged:
            return list(self.reasons)
        return [*self.reasons, f"{self.unchanged} already imported, unchanged"]

    def line(self) -> str:
        if self.error:
            return f"{self.source}: failed: {self.error}"
        if self.not_modified:
            return f"{self.source}: not modified since the last check."
        counts = self.counts
        return (
            f"{self.source}: {counts['new']} new, {counts['updated']} updated, "
            f"{counts['skipped']} skipped, {counts['failed']} failed."
        )


# --- content identity ---------------------------------------------------------


def content_hash(*, title: str, lead: str, blocks) -> str:
    parts = [clean_line(title), clean_line(lead)]
    parts += [
        f"{kind}\x1e{clean_line(text)}\x1e{clean_line(attribution)}"
        for kind, text, attribution in blocks
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def page_hash(page: ParsedPage) -> str:
    return content_hash(
        title=page.title,
        lead=page.lead,
        blocks=[(block.kind, block.text, block.attribution) for block in page.blocks],
    )


def stored_hash(article: Article) -> str:
    return content_hash(
        title=article.title_ar or "",
        lead=article.lead_ar or "",
        blocks=[
            (block.kind, block.text_ar or "", block.attribution_ar or "")
            for block in article.blocks.order_by("position")
        ],
    )


def identity_of(page: ParsedPage) -> str:
    return page.guid or page.original_url


def edited_by_editor(article: Article) -> bool:
    """Whether an editor changed the Arabic or reviewed English since the import."""
    if article.title_translation_origin == TranslationOrigin.REVIEWED:
        return True
    if article.blocks.filter(translation_origin=TranslationOrigin.REVIEWED).exists():
        return True
    return bool(article.import_hash) and stored_hash(article) != article.import_hash


# --- sources ------------------------------------------------------------------


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # not an address: no source is on its host
        return ""
    return host.lower().removeprefix("www.")


def known_source_for_url(*, url: str) -> Source | None:
    """The source already known to publish `url`, or None.

    In order: the source whose feed it is; the one that already holds an
    article at this address; one on the same host, by the home page or feed
    an editor gave it (whatever its slug); the one an earlier import named
    after the host.
    """
    by_feed = Source.objects.filter(feed_url=url).first()
    if by_feed is not None:
        return by_feed
    holder = Article.objects.filter(original_url=url).select_related("source").first()
    if holder is not None:
        return holder.source
    host = _host(url)
    if not host:
        return None
    # The database only narrows the candidates down: hosts are compared here.
    candidates = Source.objects.filter(
        Q(homepage_url__icontains=host) | Q(feed_url__icontains=host)
    ).order_by("pk")
    for source in candidates:
        if host in (_host(source.homepage_url), _host(source.feed_url)):
            return source
    return Source.objects.filter(slug=_slug_for_host(host)).first()


def _slug_for_host(host: str) -> str:
    return host.replace(".", "-")[:100]


@translation.override(ARABIC)
def source_for_url(*, url: str) -> Source:
    """The source publishing `url` (see known_source_for_url), created from the host
    name the first time."""
    known = known_source_for_url(url=url)
    if known is not None:
        return known
    parts = urlsplit(url)
    host = _host(url)
    if not host:
        raise ImportFailed(f"{url}: has no host name to name its source by.")
    source, _ = Source.objects.get_or_create(
        slug=_slug_for_host(host),
        defaults={
            "name": host,
            "name_ar": host,
            "homepage_url": f"{parts.scheme}://{parts.netloc}/",
        },
    )
    return source


def publication_time(
    *, source: Source, time_of_day: datetime.time | None, date: datetime.date | None
) -> datetime.datetime:
    """An aware datetime for a time of day read in the source's own time zone."""
    zone = ZoneInfo(source.time_zone)
    if date is None and time_of_day is None:
        return timezone.now()
    if date is None:
        date = timezone.now().astimezone(zone).date()
    return datetime.datetime.combine(date, time_of_day or datetime.time(0, 0), tzinfo=zone)


# --- storing one page -----------------------------------------------------------


@translation.override(ARABIC)
def store_page(
    *,
    source: Source,
    page: ParsedPage,
    publish: bool,
    date: datetime.date | None = None,
) -> Outcome:
    """Store one article as read from a page or a feed item; never raises for one item."""
    try:
        with transaction.atomic():
            outcome = _store_page(source=source, page=page, publish=publish, date=date)
            if outcome.kind in ("new", "updated") and outcome.article is not None:
                verb = "Imported" if outcome.kind == "new" else "Updated"
                revisions.record(
                    article_ids=[outcome.article.pk], comment=f"{verb} from {source.slug}"
                )
    except ImportFailed as error:
        outcome = Outcome("failed", reason=str(error))
    except ValidationError as error:
        outcome = Outcome("failed", reason="; ".join(error.messages))
    except DatabaseError as error:
        outcome = Outcome("failed", reason=f"could not be stored ({error}); nothing was saved")
    outcome.source = source
    if outcome.kind in ("new", "updated") and outcome.article is not None:
        services.queue_translation(article=outcome.article)
    return outcome


def import_page(*, page: ParsedPage, publish: bool, date: datetime.date | None = None) -> Outcome:
    """Store a page from a file or URL with its source: both, or nothing when it fails."""
    with transaction.atomic():
        try:
            source = source_for_url(url=page.original_url)
        except ImportFailed as error:
            return Outcome("failed", reason=str(error))
        outcome = store_page(source=source, page=page, publish=publish, date=date)
        if outcome.kind == "failed":
            transaction.set_rollback(True)
    return outcome


def _store_page(*, source, page: ParsedPage, publish: bool, date) -> Outcome:
    identity = identity_of(page)
    if page.language != "ar":
        return Outcome("skipped", reason="it is in English, not Arabic")
    if not any(block.kind == "paragraph" for block in page.blocks):
        return Outcome("skipped", reason="it has no text")
    deleted = DeletedArticle.objects.filter(source=source)
    if deleted.filter(identity=identity).exists() or (
        page.original_url and deleted.filter(original_url=page.original_url).exists()
    ):
        return Outcome("skipped", reason="an editor deleted it")
    existing = Article.objects.filter(source=source, guid=identity).first()
    if existing is None and page.original_url:
        existing = Article.objects.filter(source=source, original_url=page.original_url).first()
    new_hash = page_hash(page)
    if existing is not None:
        outcome = _update(existing, page, new_hash)
        outcome.headlines_created = add_ticker_headlines(
            texts=page.ticker, source=source, active=publish
        )
        if outcome.headlines_created:
            outcome.reason += f"; {outcome.headlines_created} new ticker headline(s)"
        return outcome
    published_at = page.published_at or publication_time(
        source=source, time_of_day=page.time_of_day, date=date
    )
    if timezone.is_naive(published_at):
        # Readers leave a time without a zone as they found it when they could not
        # know the source yet (a saved page): it is the source's local time.
        published_at = published_at.replace(tzinfo=ZoneInfo(source.time_zone))
    article = Article(
        source=source,
        title=page.title,
        title_ar=page.title,
        lead_ar=page.lead,
        byline=page.byline[:200],
        original_url=page.original_url,
        guid=identity,
        published_at=published_at,
        status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
        view_count=page.view_count,
        image_url=page.image_url[:1000]
        if page.image_url.startswith(("http://", "https://"))
        else "",
        image_caption=page.image_caption[:500],
        import_hash=new_hash,
    )
    article.full_clean(exclude=["slug", "section", "related"], validate_unique=False)
    article.save()
    _create_blocks(article, page)
    _link_related(article)
    headlines = add_ticker_headlines(texts=page.ticker, source=source, active=publish)
    return Outcome("new", article=article, headlines_created=headlines)


def _create_blocks(article: Article, page: ParsedPage) -> None:
    ArticleBlock.objects.bulk_create(
        ArticleBlock(
            article=article,
            position=position,
            kind=block.kind,
            text=block.text,
            text_ar=block.text,
            attribution=block.attribution[:300],
            attribution_ar=block.attribution[:300],
        )
        for position, block in enumerate(page.blocks, start=1)
    )


def _update(article: Article, page: ParsedPage, new_hash: str) -> Outcome:
    if new_hash == article.import_hash or new_hash == stored_hash(article):
        return Outcome("unchanged", article=article, reason="already imported, unchanged")
    if edited_by_editor(article):
        _, created = ArticleUpdate.objects.get_or_create(
            article=article,
            content_hash=new_hash,
            defaults={
                "title": page.title,
                "lead": page.lead,
                "blocks": [
                    {"kind": b.kind, "text": b.text, "attribution": b.attribution}
                    for b in page.blocks
                ],
            },
        )
        return Outcome(
            "kept aside",
            article=article,
            reason="an editor changed the article; the newer version is kept aside"
            if created
            else "the newer version is already kept aside",
        )
    apply_content(article=article, title=page.title, lead=page.lead, blocks=page.blocks)
    Article.objects.filter(pk=article.pk).update(import_hash=new_hash)
    return Outcome("updated", article=article)


def _block_key(block) -> tuple[str, str, str]:
    if isinstance(block, dict):
        return block["kind"], block["text"], block.get("attribution") or ""
    return block.kind, block.text, block.attribution or ""


@translation.override(ARABIC)
def apply_content(*, article: Article, title: str, lead: str, blocks) -> None:
    """Replace an article's Arabic. A block whose Arabic is unchanged keeps its English
    wherever it moves; a new or changed block starts without English."""
    now = timezone.now()
    Article.objects.filter(pk=article.pk).update(
        title=title, title_ar=title, lead_ar=lead, updated_at=now
    )
    wanted = [_block_key(block) for block in blocks]
    unused: dict[tuple, list[ArticleBlock]] = {}
    for existing in article.blocks.order_by("position"):
        key = (existing.kind, existing.text_ar or "", existing.attribution_ar or "")
        unused.setdefault(key, []).append(existing)
    keep: list[tuple[ArticleBlock, int]] = []
    create: list[ArticleBlock] = []
    for position, key in enumerate(wanted, start=1):
        if unused.get(key):
            keep.append((unused[key].pop(0), position))
            continue
        kind, text, attribution = key
        create.append(
            ArticleBlock(
                article=article,
                position=position,
                kind=kind,
                text=text,
                text_ar=text,
                attribution=attribution,
                attribution_ar=attribution,
            )
        )
    gone = [block.pk for left in unused.values() for block in left]
    ArticleBlock.objects.filter(pk__in=gone).delete()
    # Positions are unique: park the kept blocks past the end, then place them.
    offset = len(wanted) + len(keep) + len(gone) + max((b.position for b, _ in keep), default=0)
    for block, _ in keep:
        ArticleBlock.objects.filter(pk=block.pk).update(position=block.position + offset)
    for block, position in keep:
        ArticleBlock.objects.filter(pk=block.pk).update(position=position)
    ArticleBlock.objects.bulk_create(create)
    changes.article_changed(article.pk)  # update() and bulk_create() send no signal


@transaction.atomic
def apply_update(*, update: ArticleUpdate, user) -> None:
    """An editor applies a version kept aside: it replaces the Arabic, and is marked applied."""
    article = Article.objects.select_for_update().get(pk=update.article_id)
    apply_content(article=article, title=update.title, lead=update.lead, blocks=update.blocks)
    Article.objects.filter(pk=article.pk).update(import_hash=update.content_hash)
    ArticleUpdate.objects.filter(pk=update.pk).update(applied_at=timezone.now(), applied_by=user)
    revisions.record(article_ids=[article.pk], user=user, comment="Update from the source applied")
    audit.record(
        action=audit.Action.EDITED, actor=user, article=article, detail="update from the source"
    )
    services.queue_translation(article=article, by=user)


_WORD = re.compile(r"\w+")


def _title_words(title: str) -> set[str]:
    words = {word.removeprefix("ال") for word in _WORD.findall(title.lower())}
    return {word for word in words if len(word) > 2}


def _link_related(article: Article) -> None:
    """Link near-identical titles from other sources published around the same time."""
    words = _title_words(article.title_ar)
    if len(words) < 3:
        return
    window = (article.published_at - RELATED_WINDOW, article.published_at + RELATED_WINDOW)
    candidates = (
        Article.objects.exclude(source=article.source_id)
        .filter(published_at__range=window)
        .only("pk", "title_ar")[:500]
    )
    related = []
    for candidate in candidates:
        other = _title_words(candidate.title_ar or "")
        if other and len(words & other) / len(words | other) >= RELATED_SIMILARITY:
            related.append(candidate)
    if related:
        article.related.add(*related)


@translation.override(ARABIC)
def add_ticker_headlines(*, texts: list[str], source: Source | None, active: bool) -> int:
    """Append headlines not yet in the ticker, in order, after the existing ones."""
    existing = set(
        TickerHeadline.objects.filter(text_ar__in=texts).values_list("text_ar", flat=True)
    )
    new = [text for text in texts if text not in existing]
    if not new:
        return 0
    with transaction.atomic():
        # Lock the current last headline so that two imports never take one position.
        last = TickerHeadline.objects.select_for_update().order_by("-position").first()
        start = last.position + 1 if last else 0
        linked = dict(
            Article.objects.filter(source=source, title_ar__in=new).values_list("title_ar", "pk")
        )
        TickerHeadline.objects.bulk_create(
            TickerHeadline(
                text=text,
                text_ar=text,
                source=source,
                article_id=linked.get(text),
                position=start + offset,
                is_active=active,
            )
            for offset, text in enumerate(new)
        )
    return len(new)


def record_deletion(*, article: Article) -> None:
    """Remember an article an editor deleted, so that its source does not bring it back."""
    identity = article.guid or article.original_url
    if not identity:
        return
    DeletedArticle.objects.get_or_create(
        source_id=article.source_id,
        identity=identity,
        defaults={"original_url": article.original_url, "title": (article.title_ar or "")[:500]},
    )


# --- polling a source -----------------------------------------------------------


def next_interval(
    *,
    headers: dict | None = None,
    ttl_minutes: int | None = None,
    retry_after: str = "",
    errors: int = 0,
) -> int:
    """Seconds until the next poll: the feed's hints, backed off after errors, in bounds.

    The feed's `ttl` and the response's `Cache-Control: max-age` both say "not
    sooner than"; the longer wins. After errors the default interval doubles
    with each one. `Retry-After` is a floor. The result stays within
    FETCH_MIN_INTERVAL and FETCH_MAX_INTERVAL.
    """
    hints = [ttl_minutes * 60] if ttl_minutes else []
    max_age = _max_age(headers or {})
    if max_age is not None:
        hints.append(max_age)
    seconds = max(hints) if hints else settings.FETCH_DEFAULT_INTERVAL
    if errors:
        seconds = settings.FETCH_DEFAULT_INTERVAL * 2 ** min(errors - 1, 10)
    waited = _retry_after_seconds(retry_after) if retry_after else None
    if waited is not None:
        seconds = max(seconds, waited)
    return max(settings.FETCH_MIN_INTERVAL, min(settings.FETCH_MAX_INTERVAL, int(seconds)))


def _max_age(headers: dict) -> int | None:
    cache_control = _header(headers, "cache-control")
    match = re.search(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", cache_control, re.IGNORECASE)
    return int(match.group(1)) if match else None


def _retry_after_seconds(value: str) -> int | None:
    value = value.strip()
    if value.isdigit():
        return int(value)
    when = parse_http_date_safe(value)
    return max(0, int(when - timezone.now().timestamp())) if when else None


def _header(headers: dict, name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name), "")


def fetch_source(*, source: Source, force: bool = False) -> SourceReport:
    """Poll one source's feed (conditionally) and store its new and changed items."""
    report = SourceReport(source=source.display_name)
    now = timezone.now()
    if not force and source.next_check_at and source.next_check_at > now:
        report.not_modified = True
        report.error = ""
        return report
    if not source.feed_url:
        report.error = "the source has no feed URL"
        return report
    try:
        fetched = fetch(
            source.feed_url,
            etag=source.etag,
            last_modified=source.last_modified,
            accept=FEED_ACCEPT,
        )
        if fetched.not_modified:
            _polled(source, now, interval=next_interval(headers=fetched.headers))
            report.not_modified = True
            return report
        feed = parse_feed(
            fetched.content,
            url=fetched.url,
            name=source.feed_url,
            zone=source.time_zone,
            content_type=_header(fetched.headers, "content-type"),
        )
    except (FetchFailed, ImportFailed) as error:
        errors = source.error_count + 1
        retry_after = getattr(error, "retry_after", "")
        Source.objects.filter(pk=source.pk).update(
            error_count=errors,
            last_error=str(error),
            last_checked_at=now,
            next_check_at=now
            + datetime.timedelta(seconds=next_interval(errors=errors, retry_after=retry_after)),
        )
        report.error = str(error)
        return report
    for failure in feed.failures:
        report.counts["failed"] += 1
        report.reasons.append(failure)
    for index, item in enumerate(feed.items, start=1):
        label = f"«{item.title}»" if item.title else f"item {index}"
        if source.fetch_full_text and _stored(source, item):
            # Its full text came from its page: the feed's summary must not replace it.
            report.add(Outcome("unchanged", reason="already imported"), label=label)
            continue
        item = _with_full_text(source, item)
        outcome = store_page(source=source, page=item, publish=source.auto_publish)
        report.add(outcome, label=label)
    _polled(
        source,
        now,
        interval=next_interval(headers=fetched.headers, ttl_minutes=feed.ttl_minutes),
        etag=_header(fetched.headers, "etag"),
        last_modified=_header(fetched.headers, "last-modified"),
    )
    return report


def _matching(queryset, item: ParsedPage, identity_field: str) -> bool:
    if queryset.filter(**{identity_field: identity_of(item)}).exists():
        return True
    return bool(item.original_url) and queryset.filter(original_url=item.original_url).exists()


def _stored(source: Source, item: ParsedPage) -> bool:
    return _matching(Article.objects.filter(source=source), item, "guid")


def _known(source: Source, item: ParsedPage) -> bool:
    """Already stored, or deleted by an editor."""
    return _stored(source, item) or _matching(
        DeletedArticle.objects.filter(source=source), item, "identity"
    )


def _with_full_text(source: Source, item: ParsedPage) -> ParsedPage:
    """The item with its page's full text, for sources that want it and new items only."""
    if not source.fetch_full_text or not item.original_url or item.language != "ar":
        return item
    if _known(source, item):
        return item
    try:
        fetched = fetch(item.original_url, accept=PAGE_ACCEPT)
        from .ingest.decode import decode_document

        page = parse_html_page(
            decode_document(
                fetched.content,
                name=item.original_url,
                content_type=_header(fetched.headers, "content-type"),
            ),
            url=fetched.url,
            name=item.original_url,
            zone=source.time_zone,
        )
    except (FetchFailed, ImportFailed):
        return item  # the feed's own text is still worth having
    return ParsedPage(
        title=item.title,
        original_url=item.original_url,
        blocks=page.blocks,
        published_at=item.published_at or page.published_at,
        lead=item.lead or page.lead,
        byline=item.byline or page.byline,
        image_url=item.image_url or page.image_url,
        image_caption=item.image_caption or page.image_caption,
        guid=item.guid,
        language=page.language,
    )


def _polled(
    source: Source, now, *, interval: int, etag: str | None = None, last_modified: str | None = None
) -> None:
    fields = {
        "error_count": 0,
        "last_error": "",
        "last_checked_at": now,
        "next_check_at": now + datetime.timedelta(seconds=interval),
    }
    if etag is not None:
        fields["etag"] = etag[:300]
    if last_modified is not None:
        fields["last_modified"] = last_modified[:100]
    Source.objects.filter(pk=source.pk).update(**fields)


def due_sources(*, force: bool):
    sources = Source.objects.filter(is_active=True).exclude(feed_url="")
    if not force:
        now = timezone.now()
        sources = sources.filter(next_check_at__isnull=True) | sources.filter(
            next_check_at__lte=now
        )
    return sources.order_by("pk")


def next_poll_time() -> datetime.datetime:
    """When the periodic poll should run next: the earliest due source, within bounds."""
    now = timezone.now()
    earliest = (
        Source.objects.filter(is_active=True)
        .exclude(feed_url="")
        .aggregate(at=Min("next_check_at"))["at"]
    )
    low = now + datetime.timedelta(seconds=settings.FETCH_MIN_INTERVAL)
    high = now + datetime.timedelta(seconds=settings.FETCH_DEFAULT_INTERVAL)
    return min(high, max(low, earliest)) if earliest else high

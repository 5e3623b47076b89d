"""Newsroom's data: publishers, sections, articles and their body blocks, the ticker.

Reader-facing text fields are registered with django-modeltranslation in
translation.py, which adds an Arabic (`_ar`, required) and an English (`_en`,
optional) column for each of them.
"""

from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models
from django.db.models import Q
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import links
from .prepared import Prepared, read_together
from .rendering import CARD_COLUMNS, BlockRow, in_language

SLUG_MAX_LENGTH = 120


def in_interface_language(obj, field: str) -> str:
    """A translated field in the interface language, or in Arabic when that is empty.

    For names (of sources, sections) only: a name shown in Arabic in the English
    interface is better than no name. Article text never falls back this way.
    """
    return in_language(obj, field, get_language())


class NamedInBothLanguages:
    """For models with a translated `name`: the name in the interface language."""

    @property
    def display_name(self) -> str:
        return in_interface_language(self, "name")


def default_time_zone() -> str:
    return settings.TIME_ZONE


def unicode_slug(text: str, *, fallback: str = "article") -> str:
    """A URL slug that keeps Arabic letters, cut at a word boundary."""
    slug = slugify(text or "", allow_unicode=True)
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[:SLUG_MAX_LENGTH].rsplit("-", 1)[0]
    return slug or fallback


class Source(NamedInBothLanguages, models.Model):
    """A publisher whose articles the site carries."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    homepage_url = models.URLField(_("home page"), max_length=500, blank=True)
    feed_url = models.URLField(_("feed URL"), max_length=500, blank=True)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="ar"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        help_text=_("Times without a zone in this source's pages are read in this zone."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    auto_publish = models.BooleanField(
        _("publish what is fetched"),
        default=False,
        help_text=_("Without it, articles fetched from the feed wait as drafts for an editor."),
    )
    fetch_full_text = models.BooleanField(
        _("fetch full articles"),
        default=False,
        help_text=_(
            "Fetch each new item's own page for its full text (the feed's summary otherwise)."
        ),
    )
    # Polling state, kept by fetch_sources.
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    etag = models.CharField(_("ETag"), max_length=300, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)
    error_count = models.PositiveIntegerField(_("errors in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When an editor last saved it (polling writes with update(), which leaves
    # this alone): feeds that print its name date themselves by it too.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return links.address("articles:source", slug=self.slug)

    @property
    def is_failing(self) -> bool:
        return self.error_count >= settings.FETCH_FLAG_AFTER_ERRORS


class Section(NamedInBothLanguages, models.Model):
    """A section of the site (politics, economy...), in the order editors give."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return links.address("articles:section", slug=self.slug)


class TranslationOrigin(models.TextChoices):
    """Where a piece of English came from; "reviewed" is never overwritten by a machine."""

    NONE = "", pgettext_lazy("translation origin", "None")
    MACHINE = "machine", _("Machine")
    REVIEWED = "reviewed", _("Reviewed by an editor")


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Articles a reader may see at `now`: published, not dated later, not expired."""
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def due_for_publishing(self, *, now):
        """Scheduled articles whose publication time has come."""
        return self.filter(status=Article.Status.SCHEDULED, published_at__lte=now)

    def due_for_expiry(self, *, now):
        """Articles on the site (or waiting for it) whose expiry time has come."""
        return self.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED], expires_at__lte=now
        )

    def visible_to(self, user):
        """Everything for staff (to check an article before publishing), else published."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()

    def for_listing(self):
        """Newest first; a list's page is read as card rows (`card_rows()`)."""
        return self.order_by("-published_at", "-pk")

    def card_rows(self, *extra: str) -> list:
        """These articles as plain card rows (rendering.CardRow), `extra` columns added."""
        from .rendering import CARD_COLUMNS, CardRow

        return [CardRow(row, extra) for row in self.values_list(*CARD_COLUMNS, *extra)]

    def latest_per_section(self, *, per_section: int, now=None):
        """The newest published articles of every section, `per_section` each, in one query.

        On PostgreSQL each section's newest are found by a short backward scan
        of the published_at index of their own (a correlated ARRAY subquery
        per section), so the cost follows the number of sections, not of
        articles; elsewhere a window function ranks every candidate.
        """
        published = self.published(now=now).filter(section__isnull=False)
        if connections[self.db].vendor == "postgresql":
            from django.contrib.postgres.expressions import ArraySubquery

            newest = ArraySubquery(
                published.filter(section_id=models.OuterRef("pk"))
                .order_by("-published_at", "-pk")
                .values("pk")[:per_section]
            )
            ids = Section.objects.annotate(
                newest=models.Func(newest, function="unnest", output_field=models.BigIntegerField())
            ).values("newest")
            return (
                self.filter(pk__in=ids)
                .select_related("source", "section")
                .order_by("section__position", "section_id", "-published_at", "-pk")
            )
        ranked = published.annotate(
            rank_in_section=models.Window(
                expression=RowNumber(),
                partition_by=[models.F("section_id")],
                order_by=[models.F("published_at").desc(), models.F("pk").desc()],
            )
        )
        return (
            ranked.filter(rank_in_section__lte=per_section)
            .select_related("source", "section")
            .order_by("section__position", "section_id", "rank_in_section")
        )

    def most_read(self, *, now=None):
        """Published articles of the most-read ranking (`MostRead`), most views first.

        Each has `recent_views`: its views in the ranking's window.
        """
        return (
            self.published(now=now)
            .filter(most_read__isnull=False)
            .annotate(recent_views=models.F("most_read__views"))
            .select_related("source", "section")
            .order_by("-recent_views", "-published_at", "-pk")
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", pgettext_lazy("article status", "Published")
        ARCHIVED = "archived", _("Archived")

    class TranslationState(models.TextChoices):
        NONE = "none", pgettext_lazy("translation state", "Not translated")
        QUEUED = "queued", _("Queued")
        MACHINE = "machine", _("Machine translation")
        REVIEWED = "reviewed", _("Reviewed")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="articles", verbose_name=_("source")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("section"),
    )
    title = models.CharField(_("title"), max_length=500)
    lead = models.TextField(_("lead"), blank=True)
    byline = models.CharField(_("byline"), max_length=200, blank=True)
    original_url = models.URLField(_("original URL"), max_length=1000, blank=True)
    guid = models.CharField(_("GUID"), max_length=1000, blank=True)
    slug = models.SlugField(_("slug"), max_length=SLUG_MAX_LENGTH, allow_unicode=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("From this time on the article is taken off the site (archived)."),
    )
    # When the text readers see last changed after publication (edits,
    # corrections, restored revisions): what the "Updated" line shows.
    revised_at = models.DateTimeField(_("revised"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    is_featured = models.BooleanField(_("featured"), default=False)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    image_url = models.URLField(_("lead image"), max_length=1000, blank=True)
    image_caption = models.CharField(_("lead image caption"), max_length=500, blank=True)
    # The hash of the content as imported: when the stored content no longer has
    # it, an editor changed the article, and a later import is kept aside.
    import_hash = models.CharField(_("imported content"), max_length=64, blank=True, editable=False)
    related = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("the same story elsewhere")
    )
    translation_state = models.CharField(
        _("translation"),
        max_length=16,
        choices=TranslationState.choices,
        default=TranslationState.NONE,
    )
    translation_engine = models.CharField(_("translation engine"), max_length=100, blank=True)
    translated_at = models.DateTimeField(_("translated"), null=True, blank=True)
    translation_error = models.TextField(_("translation error"), blank=True)
    # Provenance of the English title and lead, translated together as one unit.
    title_translation_origin = models.CharField(
        _("English title from"),
        max_length=16,
        choices=TranslationOrigin.choices,
        default=TranslationOrigin.NONE,
        blank=True,
    )
    title_source_hash = models.CharField(_("translated from"), max_length=64, blank=True)
    title_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("English title reviewed by"),
    )
    title_reviewed_at = models.DateTimeField(_("English title reviewed"), null=True, blank=True)
    title_needs_review = models.CharField(
        _("English title needs review"),
        max_length=300,
        blank=True,
        help_text=_("Why an editor should check the English title or lead."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "original_url"],
                condition=~Q(original_url=""),
                name="article_unique_original_url_per_source",
            ),
            models.UniqueConstraint(
                fields=["source", "guid"],
                condition=~Q(guid=""),
                name="article_unique_guid_per_source",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(published_at__isnull=False),
                name="article_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(expires_at__gt=models.F("published_at")),
                name="article_expires_after_publication",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            # A section's or a source's published articles, counted for their
            # pages' pagination from the index alone (on PostgreSQL, which
            # keeps expires_at in it; elsewhere the first three columns).
            models.Index(
                fields=["section", "status", "published_at"],
                include=["expires_at"],
                name="article_section_published",
            ),
            models.Index(
                fields=["source", "status", "published_at"],
                include=["expires_at"],
                name="article_source_published",
            ),
            # The last change to any article, for feeds' Last-Modified.
            models.Index(fields=["updated_at"], name="article_updated"),
            # The home page's featured story: the newest of a few, not the
            # newest article that happens to be featured, found by reading
            # the publication index backwards past hundreds that are not.
            models.Index(
                fields=["published_at"],
                condition=Q(is_featured=True),
                name="article_featured_published",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unicode_slug(self.title_ar or self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return links.address("articles:detail", pk=self.pk, slug=self.slug)

    @property
    def is_published(self) -> bool:
        """Whether readers may see it now: what `published()` selects, for one article."""
        return self.public_now(self.status, self.published_at, self.expires_at)

    @classmethod
    def public_now(cls, status, published_at, expires_at, *, now=None) -> bool:
        """Whether an article in this state is on the site at `now`, as `published()` says."""
        now = now or timezone.now()
        return (
            status == cls.Status.PUBLISHED
            and published_at is not None
            and published_at <= now
            and (expires_at is None or expires_at > now)
        )

    @property
    def shows_updated(self) -> bool:
        """Whether readers are told the article was updated: changed well after publication."""
        return bool(
            self.revised_at
            and self.published_at
            and self.revised_at - self.published_at > settings.NEWSROOM_UPDATED_NOTICE_AFTER
        )

    @property
    def has_english(self) -> bool:
        return bool(self.title_en)

    @property
    def english_is_machine(self) -> bool:
        """Whether readers should be told the English is a machine translation."""
        return (
            self.translation_state == self.TranslationState.MACHINE
            or self.title_translation_origin == TranslationOrigin.MACHINE
        )


class ArticleBlock(models.Model):
    """One unit of an article's body: the unit of translation and of alignment."""

    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", _("Paragraph")
        HEADING = "heading", _("Heading")
        QUOTE = "quote", _("Quote")

    TranslationOrigin = TranslationOrigin

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="blocks", verbose_name=_("article")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PARAGRAPH)
    position = models.PositiveIntegerField(_("position"))
    text = models.TextField(_("text"))
    attribution = models.CharField(
        _("attribution"), max_length=300, blank=True, help_text=_("Who is quoted (quotes only).")
    )
    translation_origin = models.CharField(
        _("English from"),
        max_length=16,
        choices=TranslationOrigin.choices,
        default=TranslationOrigin.NONE,
        blank=True,
    )
    translation_engine = models.CharField(_("translation engine"), max_length=100, blank=True)
    translated_at = models.DateTimeField(_("translated"), null=True, blank=True)
    source_hash = models.CharField(_("translated from"), max_length=64, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    needs_review = models.CharField(
        _("needs review"),
        max_length=300,
        blank=True,
        help_text=_("Why an editor should check this English, e.g. a glossary term is missing."),
    )

    class Meta:
        ordering = ["article", "position"]
        verbose_name = _("body block")
        verbose_name_plural = _("body blocks")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"], name="articleblock_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position}"

    @property
    def anchor(self) -> str:
        return f"p{self.position}"


class TickerQuerySet(models.QuerySet):
    def active(self, *, at=None):
        """Headlines editors switched on whose window includes `at` (now by default)."""
        at = at or timezone.now()
        return (
            self.filter(is_active=True)
            .filter(Q(active_from__isnull=True) | Q(active_from__lte=at))
            .filter(Q(active_until__isnull=True) | Q(active_until__gt=at))
            .select_related("article")
            # What a headline shows and whether its article may be linked to.
            .only(
                "text_ar",
                "text_en",
                "url",
                "position",
                "article__slug",
                "article__status",
                "article__published_at",
                "article__expires_at",
            )
            .order_by("position")
        )


class TickerHeadline(models.Model):
    """A headline in the curated "more" list at the top of every page."""

    text = models.CharField(_("text"), max_length=300)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticker_headlines",
        verbose_name=_("article"),
    )
    url = models.URLField(_("outside link"), max_length=1000, blank=True)
    source = models.ForeignKey(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticker_headlines",
        verbose_name=_("source"),
    )
    position = models.PositiveIntegerField(_("position"))
    is_active = models.BooleanField(_("active"), default=True)
    active_from = models.DateTimeField(_("active from"), null=True, blank=True)
    active_until = models.DateTimeField(_("active until"), null=True, blank=True)

    objects = TickerQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = _("ticker headline")
        verbose_name_plural = _("ticker headlines")
        constraints = [
            models.UniqueConstraint(fields=["position"], name="tickerheadline_unique_position"),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gt=models.F("active_from")),
                name="tickerheadline_window_ends_after_start",
                violation_error_message=_("The end of the window must come after its start."),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def shown(cls, *, at=None, rows=None) -> list[tuple[str, str]]:
        """What the ticker shows: (Arabic text, link or "") for each `active()` headline.

        The same headlines as active(), read as plain values by a query
        compiled once per process (articles.prepared: this runs on every
        page), the time window checked here; or from `rows` that query gave,
        read with a page's own (PageFrame). A headline links to its article
        while readers may open it, else to its outside address, if any.
        """
        at = at or timezone.now()
        if rows is None:
            rows = _TICKER_ROWS.rows()
        article_url = links.addresses("articles:detail", with_pk=True)
        shown = []
        for (
            text,
            url,
            start,
            until,
            article_id,
            slug,
            status,
            published,
            expires,
        ) in rows:
            if (start is not None and start > at) or (until is not None and until <= at):
                continue
            if article_id and Article.public_now(status, published, expires, now=at):
                url = article_url(slug, article_id)
            shown.append((text, url))
        return shown


_TICKER_ROWS = Prepared(
    lambda: (
        TickerHeadline.objects.filter(is_active=True)
        .order_by("position")
        .values_list(
            "text_ar",
            "url",
            "active_from",
            "active_until",
            "article_id",
            "article__slug",
            "article__status",
            "article__published_at",
            "article__expires_at",
        )
    )
)
# An article page's body, related stories and corrections, by the article's id.
BODY_ROWS = Prepared(
    lambda article: (
        ArticleBlock.objects.filter(article_id=article)
        .order_by("position")
        .values_list(*BlockRow._fields)
    ),
    ids=("article",),
)
# Whether each may be shown is checked with Article.public_now, so that the SQL
# holds no time.
RELATED_ROWS = Prepared(
    lambda article: (
        Article.objects.filter(related=article)
        .order_by("-published_at", "-pk")
        .values_list(*CARD_COLUMNS, "status", "expires_at")
    ),
    ids=("article",),
)
CORRECTION_ROWS = Prepared(
    lambda article: (
        Correction.objects.filter(article_id=article)
        .order_by("noted_at", "pk")
        .values_list("pk", "noted_at", "note_ar", "note_en")
    ),
    ids=("article",),
)


def _attnames(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _article_page_columns() -> list[str]:
    return [
        *_attnames(Article),
        *(f"source__{name}" for name in _attnames(Source)),
        *(f"section__{name}" for name in _attnames(Section)),
    ]


# An article with its source and section, by its id, for its page. Read
# literally (no django-modeltranslation rewriting: every column by its name)
# and made into model instances with from_db(), as a queryset would make them.
ARTICLE_PAGE_ROWS = Prepared(
    lambda article: (
        Article.objects.rewrite(False).filter(pk=article).values_list(*_article_page_columns())
    ),
    ids=("article",),
)


def article_for_page(article_id: int, *, using: str = "default", rows=None):
    """The article with this id, its source and section attached, or None.

    From `rows` ARTICLE_PAGE_ROWS gave for it, when they have been read.
    """
    if rows is None:
        rows = ARTICLE_PAGE_ROWS.rows(using=using, article=article_id)
    if not rows:
        return None
    row = rows[0]
    articles, sources = len(Article._meta.concrete_fields), len(Source._meta.concrete_fields)
    article = Article.from_db(using, _attnames(Article), row[:articles])
    article.source = Source.from_db(using, _attnames(Source), row[articles : articles + sources])
    section = row[articles + sources :]
    if section[0] is not None:
        article.section = Section.from_db(using, _attnames(Section), section)
    return article


# Every section's slug and names, in the editors' order: the navigation of every page.
SECTION_NAV_ROWS = Prepared(
    lambda: Section.objects.order_by("position", "pk").values_list("slug", "name_ar", "name_en")
)


class PageFrame(NamedTuple):
    """What every page shows around its own content: the ticker's rows, the sections'.

    Read with the page's own rows (`read_with_frame`), in one round trip; the
    ticker and section navigation tags read them themselves when a page has
    no frame.
    """

    ticker: list[tuple]
    sections: list[tuple]


def read_with_frame(*runs: tuple[Prepared, dict]) -> tuple[PageFrame, list[list[tuple]]]:
    """A page's own prepared queries' rows, and its frame's, read together."""
    *own, ticker, sections = read_together(*runs, (_TICKER_ROWS, {}), (SECTION_NAV_ROWS, {}))
    return PageFrame(ticker, sections), own


class HourlyViews(models.Model):
    """Views of an article within one hour: what "most read" is ranked by."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="hourly_views", verbose_name=_("article")
    )
    hour = models.DateTimeField(_("hour"))
    count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("views in an hour")
        verbose_name_plural = _("views by hour")
        constraints = [
            models.UniqueConstraint(fields=["article", "hour"], name="hourlyviews_unique_hour"),
        ]
        indexes = [models.Index(fields=["hour"])]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.hour:%Y-%m-%d %H}:00: {self.count}"


class MostRead(models.Model):
    """The most-read ranking as last worked out from HourlyViews: what the home page lists.

    Summing a day of hourly views takes tens of milliseconds at 100,000
    articles, too much for every home page; `view_counts.rank_most_read()`
    does it when views are written (and at least every RANK_MAX_AGE), and
    the home page reads the top of this short table. Whether an article may
    be shown is still decided when the page is made, so an unpublished
    article leaves the list at once.
    """

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="most_read",
        verbose_name=_("article"),
    )
    views = models.PositiveIntegerField(_("views"))
    ranked_at = models.DateTimeField(_("ranked"))

    class Meta:
        verbose_name = _("most-read entry")
        verbose_name_plural = _("most read")
        indexes = [models.Index(fields=["-views"], name="mostread_views")]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.views}"


class TranslationMemory(models.Model):
    """A translation already made, so that the same text is never sent to an engine twice."""

    source_hash = models.CharField(_("source hash"), max_length=64)
    source_language = models.CharField(_("from"), max_length=8)
    target_language = models.CharField(_("to"), max_length=8)
    engine = models.CharField(_("engine"), max_length=100)
    engine_version = models.CharField(_("engine version"), max_length=100, blank=True)
    glossary_version = models.CharField(_("glossary version"), max_length=64, blank=True)
    source_text = models.TextField(_("source text"))
    translated_text = models.TextField(_("translation"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("translation memory entry")
        verbose_name_plural = _("translation memory")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "source_hash",
                    "source_language",
                    "target_language",
                    "engine",
                    "engine_version",
                    "glossary_version",
                ],
                name="translationmemory_unique_key",
            ),
        ]

    def __str__(self) -> str:
        return self.source_text[:60]


class GlossaryTerm(models.Model):
    """A name or term editors want rendered the same way every time."""

    term_ar = models.CharField(_("Arabic term"), max_length=200, unique=True)
    rendering_en = models.CharField(
        _("English rendering"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty when the term is not to be translated."),
    )
    do_not_translate = models.BooleanField(
        _("do not translate"),
        default=False,
        help_text=_("Keep the term as it is (a brand, a name written in Latin letters)."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["term_ar"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary")
        constraints = [
            models.CheckConstraint(
                condition=Q(do_not_translate=True) | ~Q(rendering_en=""),
                name="glossaryterm_has_rendering",
                violation_error_message=_(
                    "Give an English rendering, or mark the term not to be translated."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.term_ar

    @property
    def expected(self) -> str:
        """What the English must contain wherever the Arabic term appears."""
        return self.term_ar if self.do_not_translate else self.rendering_en


class DeletedArticle(models.Model):
    """What an editor deleted, so that polling the source does not bring it back."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="deleted_articles", verbose_name=_("source")
    )
    identity = models.CharField(_("identity"), max_length=1000)
    original_url = models.CharField(_("original URL"), max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), auto_now_add=True)

    class Meta:
        verbose_name = _("deleted article")
        verbose_name_plural = _("deleted articles")
        constraints = [
            models.UniqueConstraint(fields=["source", "identity"], name="deletedarticle_unique"),
        ]

    def __str__(self) -> str:
        return self.title or self.identity


class ArticleUpdate(models.Model):
    """A newer version of an imported article that an editor changed: kept aside, not applied."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="updates", verbose_name=_("article")
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    content_hash = models.CharField(_("content"), max_length=64)
    title = models.CharField(_("title"), max_length=500)
    lead = models.TextField(_("lead"), blank=True)
    blocks = models.JSONField(_("body"), default=list)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("update from the source")
        verbose_name_plural = _("updates from sources")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "content_hash"], name="articleupdate_unique_content"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SearchDocument(models.Model):
    """What search keeps of an article, kept current by `articles.search.index`.

    On PostgreSQL: `vector`, every word of the article (normalised keys and
    their stems, with positions), under a GIN index, is what matching uses;
    `rank_vector`, the titles only (exact forms, keys, stems, weighted), is
    what ranking reads, under a GIN index of its own. The article's
    status, time, source and section are copied here so that counting and
    ordering matches never joins the articles table; the page of results
    shown is still fetched through `Article.objects.published()`. On SQLite
    the vectors stay empty and an FTS5 table (migration 0006) does their job.
    """

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("article"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Article.Status.choices)
    published_at = models.DateTimeField(_("published"), null=True)
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("source")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
        verbose_name=_("section"),
    )
    vector = SearchVectorField(_("words"), null=True, editable=False)
    rank_vector = SearchVectorField(_("title words"), null=True, editable=False)
    indexed_at = models.DateTimeField(_("indexed"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            GinIndex(fields=["vector"], name="searchdocument_vector_gin"),
            GinIndex(fields=["rank_vector"], name="searchdocument_rank_vector_gin"),
        ]

    def __str__(self) -> str:
        return str(self.article_id)


class CorrectionQuerySet(models.QuerySet):
    def published(self):
        """Corrections of the articles readers may see, newest first."""
        return (
            self.filter(article__in=Article.objects.published())
            .select_related("article", "article__source")
            .order_by("-noted_at", "-pk")
        )


class Correction(models.Model):
    """A dated note, shown under the article, saying what was corrected and how."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("article")
    )
    note = models.TextField(_("correction"))
    noted_at = models.DateTimeField(_("date"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
        editable=False,
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "noted_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.article}: {self.noted_at:%Y-%m-%d}"


class AuditEntry(models.Model):
    """Who did what to what, and when: written by the services, read in the admin."""

    class Action(models.TextChoices):
        PUBLISHED = "published", pgettext_lazy("audit action", "Published")
        UNPUBLISHED = "unpublished", _("Unpublished")
        SCHEDULED = "scheduled", _("Scheduled")
        EXPIRED = "expired", _("Expired")
        FEATURED = "featured", _("Featured")
        UNFEATURED = "unfeatured", _("No longer featured")
        EDITED = "edited", _("Edited")
        RESTORED = "restored", _("Revision restored")
        CORRECTED = "corrected", _("Correction added")
        TICKER = "ticker", _("Ticker changed")
        TRANSLATION_QUEUED = "translation_queued", _("Translation queued")
        TRANSLATED = "translated", _("Machine translation run")
        REVIEWED = "reviewed", _("English reviewed")
        SOURCE = "source", _("Source changed")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("article"),
    )
    # What the entry is about, kept as text so that it outlives a deletion.
    subject = models.CharField(_("about"), max_length=500)
    # In English, whoever reads it: the action itself is shown translated.
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.subject}"

    @property
    def who(self) -> str:
        return self.actor.get_username() if self.actor else str(_("the system"))

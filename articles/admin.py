from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms import Textarea, TextInput
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from reversion.admin import VersionAdmin

from . import (
    audit,
    changes,
    importing,
    review,
    revision_views,
    revisions,
    scheduling,
    services,
    tasks,
)
from .machine_translation.engines.none import NoEngine
from .models import (
    Article,
    ArticleBlock,
    ArticleUpdate,
    AuditEntry,
    Correction,
    DeletedArticle,
    GlossaryTerm,
    Section,
    Source,
    TickerHeadline,
    TranslationMemory,
    TranslationOrigin,
)

# Registered before ArticleAdmin, which would otherwise register the models itself.
revisions.register()

LANGUAGE_ATTRS = {"ar": {"lang": "ar", "dir": "rtl"}, "en": {"lang": "en", "dir": "ltr"}}


class LanguageFieldsMixin:
    """Give each per-language input its language and direction, whatever the admin's."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = db_field.name.rsplit("_", 1)[-1]
        if field is not None and language in LANGUAGE_ATTRS and "_" in db_field.name:
            field.widget.attrs.update(LANGUAGE_ATTRS[language])
        return field


class LanguageTabsMixin(LanguageFieldsMixin):
    """Fieldsets with the classes `language-tab lang-xx` become Arabic/English tabs."""

    class Media:
        js = ("js/admin-language-tabs.js",)
        css = {"all": ("css/admin-language-tabs.css",)}


class ArticleBlockInline(LanguageFieldsMixin, TranslationTabularInline):
    model = ArticleBlock
    fields = (
        "position",
        "kind",
        "text_ar",
        "text_en",
        "attribution_ar",
        "attribution_en",
        "translation_origin",
    )
    readonly_fields = ("translation_origin",)
    extra = 0
    ordering = ("position",)
    # Arabic and English side by side, each narrow enough for both to fit.
    formfield_overrides = {
        models.TextField: {"widget": Textarea(attrs={"rows": 5, "cols": 36})},
        models.CharField: {"widget": TextInput(attrs={"size": 14})},
    }


class CorrectionInline(LanguageFieldsMixin, TranslationTabularInline):
    model = Correction
    fields = ("noted_at", "note_ar", "note_en")
    extra = 0
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 40})}}


class ArticleAdminForm(forms.ModelForm):
    """The article form, which notices when someone else saved the article meanwhile."""

    # When the article was last saved, as the editor opened it.
    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

    # No Meta: the admin gives the model and the fields.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.updated_at:
            self.fields["opened_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        published_at = cleaned.get("published_at")
        expires_at = cleaned.get("expires_at")
        if status == Article.Status.SCHEDULED and not published_at:
            self.add_error(
                "published_at", _("Give the time at which the scheduled article should appear.")
            )
        if expires_at and published_at and expires_at <= published_at:
            self.add_error("expires_at", _("The expiry time must come after the publication."))
        self._check_conflict()
        return cleaned

    def _check_conflict(self):
        if not self.instance.pk:
            return
        current = (
            Article.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
        )
        opened = self.data.get(self.add_prefix("opened_at"), "")
        if current is None or not opened or opened == current.isoformat():
            return
        # Saving again, now that the editor has been told, saves.
        self.data = self.data.copy()
        self.data[self.add_prefix("opened_at")] = current.isoformat()
        raise forms.ValidationError(
            revision_views.conflict_message(article=self.instance, opened=opened)
        )


@admin.register(Article)
class ArticleAdmin(LanguageTabsMixin, VersionAdmin, TranslationAdmin):
    form = ArticleAdminForm
    object_history_template = "admin/articles/article/revisions.html"
    list_display = (
        "title",
        "source",
        "section",
        "status",
        "is_featured",
        "published_at",
        "view_count",
        "translation",
    )
    list_filter = ("status", "source", "section", "is_featured", "translation_state")
    list_select_related = ("source", "section")
    search_fields = ("title_ar", "title_en", "lead_ar", "original_url")
    date_hierarchy = "published_at"
    readonly_fields = (
        "view_count",
        "created_at",
        "updated_at",
        "revised_at",
        "reader_link",
        "review_link",
        "preview_links",
    )
    inlines = [ArticleBlockInline, CorrectionInline]
    autocomplete_fields = ("related",)
    actions = ["publish", "unpublish", "feature", "unfeature", "translate"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("source", "section"),
                    ("status", "published_at", "expires_at", "is_featured"),
                    "byline",
                    ("image_url", "image_caption"),
                    "related",
                    ("reader_link", "review_link"),
                    "preview_links",
                    "opened_at",
                )
            },
        ),
        (_("Arabic"), {"fields": ("title_ar", "lead_ar"), "classes": ("language-tab", "lang-ar")}),
        (
            _("English"),
            {"fields": ("title_en", "lead_en"), "classes": ("language-tab", "lang-en")},
        ),
        (
            _("Origin"),
            {
                "fields": (
                    "original_url",
                    "guid",
                    "slug",
                    "view_count",
                    "created_at",
                    "updated_at",
                    "revised_at",
                ),
                "classes": ("collapse",),
            },
        ),
        (
            _("Translation"),
            {
                "fields": (
                    "translation_state",
                    "translation_engine",
                    "translated_at",
                    "translation_error",
                ),
            },
        ),
    )

    @admin.display(description=_("English"))
    def review_link(self, article):
        if not article.pk:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_article_review", args=[article.pk]),
            _("Review the English, block by block"),
        )

    @admin.display(description=_("Translation"), ordering="translation_state")
    def translation(self, article):
        if (
            article.translation_state == Article.TranslationState.FAILED
            and article.translation_error
        ):
            return format_html(
                "{}<br><small>{}</small>",
                article.get_translation_state_display(),
                article.translation_error[:120],
            )
        return article.get_translation_state_display()

    @admin.display(description=_("Preview"))
    def preview_links(self, article):
        if not article.pk:
            return "-"
        url = reverse("articles:preview", args=[article.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}?view=both">{}</a> · <a href="{}?view=en">{}</a>',
            url,
            _("Arabic"),
            url,
            _("Side by side"),
            url,
            _("English"),
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="articles_article_review",
            ),
            path(
                "<int:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<int:object_id>/history/<int:version_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="articles_article_restore",
            ),
            *super().get_urls(),
        ]

    def compare_view(self, request, object_id):
        return revision_views.compare_view(self, request, object_id)

    def restore_view(self, request, object_id, version_id):
        return revision_views.restore_view(self, request, object_id, version_id)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # django-reversion's own screen reverts a revision object by object, which
        # the blocks' unique positions do not allow: compare it with now instead.
        article = get_object_or_404(Article, pk=object_id)
        latest = revisions.versions_of(article).first()
        url = reverse("admin:articles_article_compare", args=[article.pk])
        return HttpResponseRedirect(f"{url}?a={int(version_id)}&b={latest.pk if latest else ''}")

    def history_view(self, request, object_id, extra_context=None):
        article = get_object_or_404(Article, pk=object_id)
        extra = {"versions": revisions.versions_of(article), **(extra_context or {})}
        return super().history_view(request, object_id, extra_context=extra)

    def review_view(self, request, object_id):
        return review.review_view(self, request, object_id)

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data)
        now = timezone.now()
        # English an editor typed here is theirs: mark it reviewed so no machine run replaces it.
        if {"title_en", "lead_en"} & changed and obj.title_en:
            obj.title_translation_origin = TranslationOrigin.REVIEWED
            obj.title_reviewed_by = request.user
            obj.title_reviewed_at = now
            obj.title_needs_review = ""
        request._newsroom_arabic_changed = not change or bool({"title_ar", "lead_ar"} & changed)
        request._newsroom_content_changed = bool(
            {"title_ar", "lead_ar", "title_en", "lead_en"} & changed
        )
        request._newsroom_was_published = (
            change and Article.objects.published().filter(pk=obj.pk).exists()
        )
        # A publication time still to come means "scheduled", whichever status was picked.
        if obj.status == Article.Status.PUBLISHED and obj.published_at and obj.published_at > now:
            obj.status = Article.Status.SCHEDULED
            self.message_user(request, _("The article will appear at its publication time."))
        elif obj.status == Article.Status.SCHEDULED and obj.published_at <= now:
            obj.status = Article.Status.PUBLISHED
        super().save_model(request, obj, form, change)
        self._audit_form_changes(request, obj, form, change)
        if obj.status == Article.Status.SCHEDULED:
            scheduling.queue_run_at(obj.published_at)
        if obj.expires_at and obj.expires_at > now:
            scheduling.queue_run_at(obj.expires_at)

    def _audit_form_changes(self, request, obj, form, change):
        before = form.initial
        status_actions = {
            Article.Status.PUBLISHED: audit.Action.PUBLISHED,
            Article.Status.SCHEDULED: audit.Action.SCHEDULED,
        }
        if obj.status != before.get("status"):
            action = status_actions.get(obj.status, audit.Action.UNPUBLISHED)
            if obj.status != Article.Status.DRAFT or change:
                audit.record(action=action, actor=request.user, article=obj)
        if "is_featured" in form.changed_data:
            action = audit.Action.FEATURED if obj.is_featured else audit.Action.UNFEATURED
            audit.record(action=action, actor=request.user, article=obj)
        # Status and featuring have entries of their own.
        edited = set(form.changed_data) - {"status", "is_featured", "opened_at"}
        if change and edited:
            audit.record(
                action=audit.Action.EDITED,
                actor=request.user,
                article=obj,
                detail=", ".join(sorted(edited)),
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is Correction:
            return self._save_corrections(request, form, formset, change)
        if formset.model is not ArticleBlock:
            return super().save_formset(request, form, formset, change)
        now = timezone.now()
        for block_form in formset.forms:
            changed = set(block_form.changed_data)
            block = block_form.instance
            if {"text_en", "attribution_en"} & changed and block.text_en:
                block.translation_origin = TranslationOrigin.REVIEWED
                block.reviewed_by = request.user
                block.reviewed_at = now
                block.needs_review = ""
            if {
                "text_ar",
                "attribution_ar",
                "kind",
            } & changed or block_form in formset.deleted_forms:
                request._newsroom_arabic_changed = True
            if changed or block_form in formset.deleted_forms:
                request._newsroom_content_changed = True
        return super().save_formset(request, form, formset, change)

    def _save_corrections(self, request, form, formset, change):
        corrections = formset.save(commit=False)
        for correction in corrections:
            if correction.pk is None:
                correction.created_by = request.user
                request._newsroom_content_changed = True
            correction.save()
            audit.record(
                action=audit.Action.CORRECTED,
                actor=request.user,
                article=form.instance,
                detail=correction.note_ar,
            )
        for correction in formset.deleted_objects:
            correction.delete()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if getattr(request, "_newsroom_was_published", False) and getattr(
            request, "_newsroom_content_changed", False
        ):
            Article.objects.filter(pk=article.pk).update(revised_at=timezone.now())
            changes.article_changed(article.pk)  # update() sends no signal
        if getattr(request, "_newsroom_arabic_changed", False) and settings.MT_AUTO_TRANSLATE:
            if services.queue_translation(article=article, by=request.user):
                self.message_user(request, _("The English translation has been queued."))

    def delete_model(self, request, obj):
        importing.record_deletion(article=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            importing.record_deletion(article=article)
        super().delete_queryset(request, queryset)

    @admin.action(description=_("Translate the selected articles"), permissions=["change"])
    def translate(self, request, queryset):
        if not services.translation_enabled():
            self.message_user(request, NoEngine.MESSAGE, messages.WARNING)
            return
        count = sum(
            services.queue_translation(article=article, by=request.user) for article in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d article queued for translation.",
                "%(count)d articles queued for translation.",
                count,
            )
            % {"count": count},
        )

    @admin.display(description=_("On the site"))
    def reader_link(self, article):
        if not article.pk or not article.slug:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            article.get_absolute_url(),
            _("View as readers see it"),
        )

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        count = services.publish_articles(articles=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d article published.", "%(count)d articles published.", count)
            % {"count": count},
        )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = services.unpublish_articles(articles=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d article unpublished.", "%(count)d articles unpublished.", count)
            % {"count": count},
        )

    @admin.action(description=_("Feature the selected articles"), permissions=["change"])
    def feature(self, request, queryset):
        count = services.set_featured(articles=queryset, featured=True, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d article featured.", "%(count)d articles featured.", count)
            % {"count": count},
        )

    @admin.action(description=_("Stop featuring the selected articles"), permissions=["change"])
    def unfeature(self, request, queryset):
        count = services.set_featured(articles=queryset, featured=False, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d article is no longer featured.",
                "%(count)d articles are no longer featured.",
                count,
            )
            % {"count": count},
        )


class AuditedMixin:
    """Saves and deletes in this admin go into the audit trail as `audit_action`."""

    audit_action = ""
    audit_subject_field = ""

    def _audit(self, request, obj, detail: str) -> None:
        subject = getattr(obj, self.audit_subject_field)
        audit.record(action=self.audit_action, actor=request.user, subject=subject, detail=detail)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._audit(request, obj, f"changed: {', '.join(form.changed_data)}" if change else "added")

    def delete_model(self, request, obj):
        self._audit(request, obj, "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted")
        super().delete_queryset(request, queryset)


@admin.register(TickerHeadline)
class TickerHeadlineAdmin(AuditedMixin, LanguageTabsMixin, TranslationAdmin):
    audit_action = audit.Action.TICKER
    audit_subject_field = "text_ar"
    list_display = ("position", "text", "is_active", "active_from", "active_until", "order_buttons")
    list_display_links = ("text",)
    list_filter = ("is_active", "source")
    list_select_related = ("article", "source")
    search_fields = ("text_ar", "text_en")
    autocomplete_fields = ("article",)
    ordering = ("position",)
    fieldsets = (
        (None, {"fields": ("position", "is_active", ("active_from", "active_until"))}),
        (_("Arabic"), {"fields": ("text_ar",), "classes": ("language-tab", "lang-ar")}),
        (_("English"), {"fields": ("text_en",), "classes": ("language-tab", "lang-en")}),
        (_("Link"), {"fields": ("article", "url", "source")}),
    )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/move/<str:direction>/",
                self.admin_site.admin_view(self.move_view),
                name="articles_tickerheadline_move",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("Order"))
    def order_buttons(self, headline):
        # Buttons of the changelist's own form (so they carry its CSRF token),
        # posted to the move view with formaction.
        return format_html(
            '<button type="submit" class="button" formaction="{}" aria-label="{}">▲</button> '
            '<button type="submit" class="button" formaction="{}" aria-label="{}">▼</button>',
            reverse("admin:articles_tickerheadline_move", args=[headline.pk, "up"]),
            _("Move up"),
            reverse("admin:articles_tickerheadline_move", args=[headline.pk, "down"]),
            _("Move down"),
        )

    def move_view(self, request, object_id, direction):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        headline = get_object_or_404(TickerHeadline, pk=object_id)
        if not self.has_change_permission(request, headline):
            raise PermissionDenied
        if direction not in ("up", "down"):
            raise PermissionDenied
        if services.move_ticker_headline(headline=headline, direction=direction):
            self._audit(request, headline, f"moved {direction}")
        else:
            self.message_user(
                request, _("That headline cannot move further that way."), messages.WARNING
            )
        return HttpResponseRedirect(reverse("admin:articles_tickerheadline_changelist"))


@admin.register(Source)
class SourceAdmin(AuditedMixin, LanguageFieldsMixin, TranslationAdmin):
    audit_action = audit.Action.SOURCE
    audit_subject_field = "name_ar"
    list_display = (
        "name",
        "slug",
        "feed_url",
        "is_active",
        "auto_publish",
        "healthy",
        "last_checked_at",
        "next_check_at",
    )
    list_filter = ("is_active", "auto_publish", "fetch_full_text", "default_language")
    search_fields = ("name_ar", "name_en", "slug", "homepage_url", "feed_url")
    prepopulated_fields = {"slug": ("name_en",)}
    readonly_fields = (
        "etag",
        "last_modified",
        "last_checked_at",
        "next_check_at",
        "error_count",
        "last_error",
    )
    actions = ["fetch_now"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name_ar",
                    "name_en",
                    "slug",
                    "homepage_url",
                    "default_language",
                    "time_zone",
                )
            },
        ),
        (
            _("Following the source"),
            {"fields": ("feed_url", "is_active", "auto_publish", "fetch_full_text")},
        ),
        (
            _("Polling"),
            {
                "fields": (
                    "last_checked_at",
                    "next_check_at",
                    "error_count",
                    "last_error",
                    "etag",
                    "last_modified",
                )
            },
        ),
    )

    @admin.display(description=_("Fetching"), boolean=True)
    def healthy(self, source):
        return not source.is_failing

    @admin.action(description=_("Fetch the selected sources now"), permissions=["change"])
    def fetch_now(self, request, queryset):
        count = 0
        for source in queryset.exclude(feed_url=""):
            tasks.fetch_source.enqueue(source.pk)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d source queued for fetching.",
                "%(count)d sources queued for fetching.",
                count,
            )
            % {"count": count},
        )


@admin.register(ArticleUpdate)
class ArticleUpdateAdmin(admin.ModelAdmin):
    """Newer versions of articles an editor had changed: kept aside until an editor applies one."""

    list_display = ("title", "article", "received_at", "applied_at")
    list_filter = (("applied_at", admin.EmptyFieldListFilter),)
    list_select_related = ("article",)
    search_fields = ("title", "article__title_ar")
    readonly_fields = (
        "article",
        "received_at",
        "content_hash",
        "title",
        "lead",
        "blocks",
        "applied_at",
        "applied_by",
    )
    actions = ["apply"]

    def has_add_permission(self, request):
        return False

    @admin.action(
        description=_("Apply the selected updates to their articles"), permissions=["change"]
    )
    def apply(self, request, queryset):
        count = 0
        for update in queryset.filter(applied_at__isnull=True).order_by("received_at"):
            importing.apply_update(update=update, user=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d update applied.", "%(count)d updates applied.", count)
            % {"count": count},
        )


@admin.register(DeletedArticle)
class DeletedArticleAdmin(admin.ModelAdmin):
    """Articles editors deleted; deleting an entry here lets the source bring the article back."""

    list_display = ("title", "source", "original_url", "deleted_at")
    list_filter = ("source",)
    search_fields = ("title", "original_url", "identity")
    readonly_fields = ("source", "identity", "original_url", "title", "deleted_at")

    def has_add_permission(self, request):
        return False


@admin.register(Section)
class SectionAdmin(LanguageFieldsMixin, TranslationAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name_ar", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ("term_ar", "rendering_en", "do_not_translate", "updated_at")
    list_filter = ("do_not_translate",)
    search_fields = ("term_ar", "rendering_en", "note")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "term_ar":
            field.widget.attrs.update(LANGUAGE_ATTRS["ar"])
        elif db_field.name == "rendering_en":
            field.widget.attrs.update(LANGUAGE_ATTRS["en"])
        return field


@admin.register(TranslationMemory)
class TranslationMemoryAdmin(admin.ModelAdmin):
    """Read-only: the memory is written by the pipeline; deleting an entry re-translates it."""

    list_display = ("source_text", "translated_text", "engine", "engine_version", "created_at")
    list_filter = ("engine",)
    search_fields = ("source_text", "translated_text")
    readonly_fields = [field.name for field in TranslationMemory._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only: written by the services, never by hand."""

    list_display = ("at", "action", "who", "subject_link", "detail")
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter), "at")
    list_select_related = ("actor", "article")
    search_fields = ("subject", "detail", "actor__username")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "action", "article", "subject", "detail")

    @admin.display(description=_("about"), ordering="subject")
    def subject_link(self, entry):
        if entry.article_id:
            return format_html(
                '<a href="{}" dir="auto">{}</a>',
                reverse("admin:articles_article_change", args=[entry.article_id]),
                entry.subject,
            )
        return format_html('<bdi dir="auto">{}</bdi>', entry.subject)

    @admin.display(description=_("who"), ordering="actor__username")
    def who(self, entry):
        return entry.who

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

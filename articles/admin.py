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

from . import importing, review, services, tasks
from .machine_translation.engines.none import NoEngine
from .models import (
    Article,
    ArticleBlock,
    ArticleUpdate,
    DeletedArticle,
    GlossaryTerm,
    Section,
    Source,
    TickerHeadline,
    TranslationMemory,
    TranslationOrigin,
)

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


@admin.register(Article)
class ArticleAdmin(LanguageTabsMixin, TranslationAdmin):
    list_display = (
        "title",
        "source",
        "section",
        "status",
        "is_featured",
        "published_at",
        "view_count",
        "translation_state",
    )
    list_filter = ("status", "source", "section", "is_featured", "translation_state")
    list_select_related = ("source", "section")
    search_fields = ("title_ar", "title_en", "lead_ar", "original_url")
    date_hierarchy = "published_at"
    readonly_fields = ("view_count", "created_at", "updated_at", "reader_link", "review_link")
    inlines = [ArticleBlockInline]
    autocomplete_fields = ("related",)
    actions = ["publish", "unpublish", "feature", "unfeature", "translate"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("source", "section"),
                    ("status", "published_at", "is_featured"),
                    "byline",
                    ("image_url", "image_caption"),
                    "related",
                    ("reader_link", "review_link"),
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

    def get_urls(self):
        return [
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="articles_article_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        return review.review_view(self, request, object_id)

    def save_model(self, request, obj, form, change):
        # English an editor typed here is theirs: mark it reviewed so no machine run replaces it.
        if {"title_en", "lead_en"} & set(form.changed_data) and obj.title_en:
            obj.title_translation_origin = TranslationOrigin.REVIEWED
            obj.title_reviewed_by = request.user
            obj.title_reviewed_at = timezone.now()
        request._newsroom_arabic_changed = not change or bool(
            {"title_ar", "lead_ar"} & set(form.changed_data)
        )
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
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
        return super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(request, "_newsroom_arabic_changed", False) and settings.MT_AUTO_TRANSLATE:
            if services.queue_translation(article=form.instance):
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
        count = sum(services.queue_translation(article=article) for article in queryset)
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
        count = services.publish_articles(articles=queryset)
        self.message_user(
            request,
            ngettext("%(count)d article published.", "%(count)d articles published.", count)
            % {"count": count},
        )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = services.unpublish_articles(articles=queryset)
        self.message_user(
            request,
            ngettext("%(count)d article unpublished.", "%(count)d articles unpublished.", count)
            % {"count": count},
        )

    @admin.action(description=_("Feature the selected articles"), permissions=["change"])
    def feature(self, request, queryset):
        count = services.set_featured(articles=queryset, featured=True)
        self.message_user(
            request,
            ngettext("%(count)d article featured.", "%(count)d articles featured.", count)
            % {"count": count},
        )

    @admin.action(description=_("Stop featuring the selected articles"), permissions=["change"])
    def unfeature(self, request, queryset):
        count = services.set_featured(articles=queryset, featured=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d article is no longer featured.",
                "%(count)d articles are no longer featured.",
                count,
            )
            % {"count": count},
        )


@admin.register(TickerHeadline)
class TickerHeadlineAdmin(LanguageTabsMixin, TranslationAdmin):
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
        if not services.move_ticker_headline(headline=headline, direction=direction):
            self.message_user(
                request, _("That headline cannot move further that way."), messages.WARNING
            )
        return HttpResponseRedirect(reverse("admin:articles_tickerheadline_changelist"))


@admin.register(Source)
class SourceAdmin(LanguageFieldsMixin, TranslationAdmin):
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

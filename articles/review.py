"""The editors' review screen: Arabic and English block by block, English editable."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services
from .machine_translation.engines.none import NoEngine
from .models import Article

ENGLISH = {"lang": "en", "dir": "ltr"}


class ReviewForm(forms.Form):
    """One English field per translatable text of the article."""

    def __init__(self, *args, article: Article, blocks, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.blocks = blocks
        self.fields["title_en"] = forms.CharField(
            label=_("Title"),
            required=False,
            max_length=500,
            initial=article.title_en or "",
            widget=forms.TextInput(attrs={**ENGLISH, "size": 60}),
        )
        self.fields["lead_en"] = forms.CharField(
            label=_("Lead"),
            required=False,
            initial=article.lead_en or "",
            widget=forms.Textarea(attrs={**ENGLISH, "rows": 3, "cols": 60}),
        )
        for block in blocks:
            self.fields[f"block-{block.pk}-text_en"] = forms.CharField(
                label=f"{block.get_kind_display()} {block.position}",
                required=False,
                initial=block.text_en or "",
                widget=forms.Textarea(attrs={**ENGLISH, "rows": 4, "cols": 60}),
            )
            if block.kind == block.Kind.QUOTE:
                self.fields[f"block-{block.pk}-attribution_en"] = forms.CharField(
                    label=_("Quoted"),
                    required=False,
                    max_length=300,
                    initial=block.attribution_en or "",
                    widget=forms.TextInput(attrs={**ENGLISH, "size": 40}),
                )

    def rows(self):
        """(Arabic block, its English fields) pairs for the template, title first."""
        rows = [(None, [self["title_en"], self["lead_en"]])]
        for block in self.blocks:
            fields = [self[f"block-{block.pk}-text_en"]]
            if f"block-{block.pk}-attribution_en" in self.fields:
                fields.append(self[f"block-{block.pk}-attribution_en"])
            rows.append((block, fields))
        return rows

    def english_blocks(self) -> dict:
        data = self.cleaned_data
        return {
            block.pk: (
                data[f"block-{block.pk}-text_en"].strip(),
                data.get(f"block-{block.pk}-attribution_en", block.attribution_en or "").strip(),
            )
            for block in self.blocks
        }


def review_view(model_admin, request, object_id):
    article = get_object_or_404(
        Article.objects.select_related("source", "section", "title_reviewed_by"), pk=object_id
    )
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    blocks = list(article.blocks.select_related("reviewed_by").order_by("position"))
    here = reverse("admin:articles_article_review", args=[article.pk])
    if request.method == "POST":
        form = ReviewForm(request.POST, article=article, blocks=blocks)
        if "translate_missing" in request.POST:
            if services.queue_translation(article=article, missing_only=True):
                model_admin.message_user(
                    request, _("The blocks without English have been queued for translation.")
                )
            else:
                model_admin.message_user(request, NoEngine.MESSAGE, messages.WARNING)
            return HttpResponseRedirect(here)
        if form.is_valid():
            changed = services.save_english(
                article=article,
                user=request.user,
                title_en=form.cleaned_data["title_en"].strip(),
                lead_en=form.cleaned_data["lead_en"].strip(),
                blocks=form.english_blocks(),
            )
            if "mark_reviewed" in request.POST:
                article.refresh_from_db()
                services.mark_english_reviewed(article=article, user=request.user)
                model_admin.message_user(request, _("All the English is marked reviewed."))
            else:
                model_admin.message_user(
                    request,
                    _("%(count)d English text(s) saved and marked reviewed.") % {"count": changed},
                )
            return HttpResponseRedirect(here)
    else:
        form = ReviewForm(article=article, blocks=blocks)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "title": _("Review the English"),
        "subtitle": article.title_ar,
        "article": article,
        "form": form,
        "original": article,
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/articles/article/review.html", context)

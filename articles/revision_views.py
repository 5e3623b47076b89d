"""Admin screens for revisions: compare two block by block, restore one, and the
message a second editor gets when the article changed since they opened it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import revisions
from .models import Article


def conflict_message(*, article: Article, opened: str):
    """Who changed the article since `opened`, with a link comparing their change."""
    versions = list(revisions.versions_of(article)[:50])
    opened_at = parse_datetime(opened)
    latest = versions[0] if versions else None
    seen = next((v for v in versions if opened_at and v.revision.date_created <= opened_at), None)
    who = latest.revision.user.get_username() if latest and latest.revision.user else _("someone")
    when = (
        date_format(timezone.localtime(latest.revision.date_created), "DATETIME_FORMAT")
        if latest
        else ""
    )
    text = _(
        "This article was changed by %(who)s (%(when)s) after you opened it. Your changes are "
        "not saved yet: compare what changed, then save again to replace it with yours."
    ) % {"who": who, "when": when}
    if latest is None:
        return text
    if seen is None or seen.pk == latest.pk:
        # No revision from before: the history shows what was saved since.
        return format_html(
            '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
            text,
            reverse("admin:articles_article_history", args=[article.pk]),
            _("See the history"),
        )
    url = reverse("admin:articles_article_compare", args=[article.pk])
    return format_html(
        '{} <a href="{}?a={}&amp;b={}" target="_blank" rel="noopener">{}</a>',
        text,
        url,
        seen.pk,
        latest.pk,
        _("Compare the changes"),
    )


def _version(article: Article, version_id) -> object:
    try:
        return revisions.versions_of(article).get(pk=int(version_id))
    except (TypeError, ValueError) as error:
        raise Http404(_("There is no such revision of this article.")) from error
    except revisions.Version.DoesNotExist as error:
        raise Http404(_("There is no such revision of this article.")) from error


def compare_view(model_admin, request, object_id):
    article = get_object_or_404(Article, pk=object_id)
    if not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    old = _version(article, request.GET.get("a"))
    new = _version(article, request.GET.get("b"))
    if old.revision.date_created > new.revision.date_created:
        old, new = new, old
    fields, blocks = revisions.compare(revisions.snapshot(old), revisions.snapshot(new))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "original": article,
        "title": _("Compare revisions"),
        "old": old,
        "new": new,
        "fields": fields,
        "blocks": blocks,
        "can_restore": model_admin.has_change_permission(request, article),
    }
    return TemplateResponse(request, "admin/articles/article/compare.html", context)


def restore_view(model_admin, request, object_id, version_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = get_object_or_404(Article, pk=object_id)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    version = _version(article, version_id)
    revisions.restore(article=article, version=version, user=request.user)
    model_admin.message_user(
        request,
        _("The revision of %(when)s is restored; the one before it is kept in the history.")
        % {
            "when": date_format(
                timezone.localtime(version.revision.date_created), "DATETIME_FORMAT"
            )
        },
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

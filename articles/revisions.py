"""Revisions of articles, kept by django-reversion: each one the article with its blocks.

Every save in the admin makes one (ArticleAdmin is a VersionAdmin); writes
that bypass the admin (publishing, the translation pipeline, the review
screen, a restore) call `record`. A revision is compared block by block,
Arabic and English, and restored by `restore` (content only: whether and
when the article is published is left as it is, and corrections, a public
record, are never taken back).
"""

import difflib
import re
from dataclasses import dataclass

import reversion
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from . import audit, changes
from .models import Article, ArticleBlock, Correction

# Not content, and changing all the time. (The dates are kept: recovering a
# deleted article saves it raw, and they are NOT NULL.)
NOT_KEPT = ("view_count",)
# What a restore brings back; the rest (status, times, featuring, source) stays.
RESTORED_FIELDS = (
    "title_ar",
    "title_en",
    "lead_ar",
    "lead_en",
    "byline",
    "image_url",
    "image_caption",
    "title_translation_origin",
    "title_source_hash",
    "title_reviewed_by_id",
    "title_reviewed_at",
    "title_needs_review",
)
BLOCK_FIELDS = (
    "kind",
    "position",
    "text_ar",
    "text_en",
    "attribution_ar",
    "attribution_en",
    "translation_origin",
    "translation_engine",
    "translated_at",
    "source_hash",
    "reviewed_by_id",
    "reviewed_at",
    "needs_review",
)
# Compared apart from the blocks, in this order.
COMPARED_FIELDS = ("title_ar", "title_en", "lead_ar", "lead_en", "byline", "status")


def register() -> None:
    """Register the models with django-reversion (once; the admin and apps.ready call it)."""
    if not reversion.is_registered(Article):
        reversion.register(Article, follow=("blocks",), exclude=NOT_KEPT)
    if not reversion.is_registered(ArticleBlock):
        reversion.register(ArticleBlock)
    if not reversion.is_registered(Correction):
        reversion.register(Correction)


def record(*, article_ids, user=None, comment: str) -> None:
    """Keep a revision of each article as it is now (with its blocks)."""
    ids = list(article_ids)
    if not ids:
        return
    if user is not None and not user.is_authenticated:
        user = None
    with reversion.create_revision(manage_manually=True):
        reversion.set_comment(comment)
        if user is not None:
            reversion.set_user(user)
        for article in Article.objects.filter(pk__in=ids):
            reversion.add_to_revision(article)


def versions_of(article: Article):
    """The article's revisions, newest first, with who made them."""
    return (
        Version.objects.get_for_object(article)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


@dataclass(frozen=True)
class Snapshot:
    """An article as a revision kept it: its fields and its blocks in order."""

    version: Version
    fields: dict
    blocks: list[dict]


def snapshot(version: Version) -> Snapshot:
    blocks = [
        other.field_dict
        for other in version.revision.version_set.filter(
            content_type__app_label="articles", content_type__model="articleblock"
        )
    ]
    article_id = int(version.object_id)
    blocks = sorted(
        (block for block in blocks if block["article_id"] == article_id),
        key=lambda block: block["position"],
    )
    return Snapshot(version=version, fields=version.field_dict, blocks=blocks)


WORDS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> SafeString:
    """`new` with the words `old` did not have in <ins> and those it lost in <del>."""
    old_words, new_words = WORDS.findall(old or ""), WORDS.findall(new or "")
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new_words[b1:b2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 -- every piece of text is escaped above


@dataclass(frozen=True)
class ComparedText:
    label: str
    language: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def diff(self) -> SafeString:
        return word_diff(self.old, self.new)


@dataclass(frozen=True)
class ComparedBlock:
    position: int
    kind: str
    arabic: ComparedText
    english: ComparedText

    @property
    def changed(self) -> bool:
        return self.arabic.changed or self.english.changed

    @property
    def anchor(self) -> str:
        return f"p{self.position}"


def _block_text(block: dict | None, language: str) -> str:
    if block is None:
        return ""
    text = block.get(f"text_{language}") or ""
    attribution = block.get(f"attribution_{language}") or ""
    return f"{text}\n— {attribution}" if attribution else text


def compare(old: Snapshot, new: Snapshot):
    """The fields, then the blocks paired by position, each Arabic and English."""
    fields = [
        ComparedText(
            label=str(Article._meta.get_field(name).verbose_name),
            language="en" if name.endswith("_en") else "ar",
            old=str(old.fields.get(name) or ""),
            new=str(new.fields.get(name) or ""),
        )
        for name in COMPARED_FIELDS
    ]
    old_blocks = {block["position"]: block for block in old.blocks}
    new_blocks = {block["position"]: block for block in new.blocks}
    blocks = []
    for position in sorted(old_blocks.keys() | new_blocks.keys()):
        before, after = old_blocks.get(position), new_blocks.get(position)
        blocks.append(
            ComparedBlock(
                position=position,
                kind=(after or before)["kind"],
                arabic=ComparedText("", "ar", _block_text(before, "ar"), _block_text(after, "ar")),
                english=ComparedText("", "en", _block_text(before, "en"), _block_text(after, "en")),
            )
        )
    return fields, blocks


@transaction.atomic
def restore(*, article: Article, version: Version, user) -> Article:
    """Bring back the text of a revision: title, lead, blocks, Arabic and English.

    The article stays as published (or not) as it is; a revision of the
    result is kept, and the restore is in the audit trail.
    """
    if int(version.object_id) != article.pk:
        raise ValueError("That revision is of another article.")
    kept = snapshot(version)
    article = Article.objects.select_for_update().get(pk=article.pk)
    for name in RESTORED_FIELDS:
        if name in kept.fields:
            setattr(article, name, kept.fields[name])
    now = timezone.now()
    if article.is_published:
        article.revised_at = now
    article.save()
    article.blocks.all().delete()
    ArticleBlock.objects.bulk_create(
        ArticleBlock(
            article=article,
            text=block.get("text_ar") or block.get("text") or "",
            attribution=block.get("attribution_ar") or block.get("attribution") or "",
            **{name: block.get(name) for name in BLOCK_FIELDS},
        )
        for block in kept.blocks
    )
    changes.article_changed(article.pk)  # bulk_create sends no signal
    when = timezone.localtime(version.revision.date_created)
    comment = f"Restored the revision of {when:%Y-%m-%d %H:%M}"
    record(article_ids=[article.pk], user=user, comment=comment)
    audit.record(action=audit.Action.RESTORED, actor=user, article=article, detail=comment)
    return article

"""Loading the demo content: two sources, sections, articles with English, a ticker."""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import demo_content
from .models import Article, ArticleBlock, Correction, Section, Source, TickerHeadline


@transaction.atomic
def load_demo(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Create whatever part of the demo content is missing; running it again adds nothing."""
    now = now or timezone.now()
    created = {"sources": 0, "sections": 0, "articles": 0, "ticker": 0, "corrections": 0}
    sources = {}
    for data in demo_content.SOURCES:
        sources[data["slug"]], new = Source.objects.get_or_create(
            slug=data["slug"], defaults={**data, "name": data["name_ar"]}
        )
        created["sources"] += new
    sections = {}
    for position, data in enumerate(demo_content.SECTIONS):
        sections[data["slug"]], new = Section.objects.get_or_create(
            slug=data["slug"], defaults={**data, "name": data["name_ar"], "position": position}
        )
        created["sections"] += new

    articles = []
    for number, data in enumerate(demo_content.ARTICLES, start=1):
        guid = f"demo:{number}"
        article = Article.objects.filter(guid=guid).first()
        if article is None:
            article = _create_article(
                data,
                guid=guid,
                source=sources[data["source"]],
                section=sections[data["section"]],
                now=now,
            )
            created["articles"] += 1
        articles.append(article)

    existing = set(TickerHeadline.objects.values_list("text_ar", flat=True))
    position = (TickerHeadline.objects.aggregate(top=Max("position"))["top"] or -1) + 1
    for text_ar, text_en, article_index in demo_content.TICKER:
        if text_ar in existing:
            continue
        TickerHeadline.objects.create(
            text=text_ar,
            text_ar=text_ar,
            text_en=text_en,
            article=articles[article_index] if article_index is not None else None,
            position=position,
        )
        position += 1
        created["ticker"] += 1

    for article_index, note_ar, note_en, hours_after in demo_content.CORRECTIONS:
        article = articles[article_index]
        if article.corrections.filter(note_ar=note_ar).exists():
            continue
        noted_at = min(article.published_at + datetime.timedelta(hours=hours_after), now)
        Correction.objects.create(
            article=article, note=note_ar, note_ar=note_ar, note_en=note_en, noted_at=noted_at
        )
        Article.objects.filter(pk=article.pk).update(revised_at=noted_at, updated_at=noted_at)
        created["corrections"] += 1
    return created


def _create_article(data, *, guid, source, section, now) -> Article:
    translation = data["translation"]
    article = Article.objects.create(
        source=source,
        section=section,
        guid=guid,
        title=data["title_ar"],
        title_ar=data["title_ar"],
        title_en=data["title_en"] or None,
        lead_ar=data["lead_ar"],
        lead_en=data["lead_en"] or None,
        byline=data["byline"],
        status=Article.Status.PUBLISHED,
        published_at=now - datetime.timedelta(hours=data["hours_ago"]),
        is_featured=data.get("featured", False),
        view_count=data["views"],
        translation_state=translation,
        translation_engine="demo" if translation == "machine" else "",
        translated_at=now if translation != "none" else None,
    )
    origin = {"machine": "machine", "reviewed": "reviewed"}.get(translation, "")
    ArticleBlock.objects.bulk_create(
        ArticleBlock(
            article=article,
            position=position,
            kind=kind,
            text=text_ar,
            text_ar=text_ar,
            text_en=text_en or None,
            attribution_ar=attribution_ar,
            attribution_en=attribution_en or None,
            translation_origin=origin if text_en else "",
            translation_engine=article.translation_engine if text_en else "",
            translated_at=article.translated_at if text_en else None,
        )
        for position, (kind, text_ar, text_en, attribution_ar, attribution_en) in enumerate(
            data["blocks"], start=1
        )
    )
    return article

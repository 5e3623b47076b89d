"""Constraints and conventions of the models."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from articles.models import (
    SLUG_MAX_LENGTH,
    Article,
    Section,
    Source,
    TickerHeadline,
    unicode_slug,
)

from .factories import (
    ArticleBlockFactory,
    ArticleFactory,
    SectionFactory,
    SourceFactory,
    TickerHeadlineFactory,
)

pytestmark = pytest.mark.django_db


def test_article_same_original_url_in_one_source_raises_integrity_error():
    first = ArticleFactory(original_url="https://akhbar.example/a/1")

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(source=first.source, original_url="https://akhbar.example/a/1")


def test_article_same_original_url_in_two_sources_is_allowed():
    ArticleFactory(original_url="https://akhbar.example/a/1")

    ArticleFactory(original_url="https://akhbar.example/a/1")

    assert Article.objects.filter(original_url="https://akhbar.example/a/1").count() == 2


def test_article_without_original_url_twice_in_one_source_is_allowed():
    source = SourceFactory()

    ArticleFactory(source=source, original_url="", guid="")
    ArticleFactory(source=source, original_url="", guid="")

    assert Article.objects.filter(source=source).count() == 2


def test_ticker_headline_duplicate_position_raises_integrity_error():
    TickerHeadlineFactory(position=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        TickerHeadlineFactory(position=1)


def test_ticker_headline_window_ending_before_start_raises_integrity_error():
    now = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        TickerHeadlineFactory(active_from=now, active_until=now - datetime.timedelta(hours=1))


def test_article_block_duplicate_position_raises_integrity_error():
    block = ArticleBlockFactory(position=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleBlockFactory(article=block.article, position=1)


def test_published_article_without_published_at_raises_integrity_error():
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)


def test_published_article_without_published_at_fails_validation():
    article = ArticleFactory.build(
        source=SourceFactory(), status=Article.Status.PUBLISHED, published_at=None
    )
    constraint = next(
        constraint
        for constraint in Article._meta.constraints
        if constraint.name == "article_published_has_time"
    )

    with pytest.raises(ValidationError) as raised:
        article.full_clean()

    assert raised.value.message_dict == {
        NON_FIELD_ERRORS: [constraint.get_violation_error_message()]
    }


def test_draft_without_published_at_is_saved():
    draft = ArticleFactory(draft=True, published_at=None)

    assert (draft.pk is not None, draft.is_published) == (True, False)


def test_article_slug_from_arabic_title_keeps_arabic_letters():
    article = ArticleFactory(title_ar="افتتاح مكتبة جديدة في حلب!")

    assert article.slug == "افتتاح-مكتبة-جديدة-في-حلب"


def test_article_slug_given_is_kept():
    article = ArticleFactory(title_ar="افتتاح مكتبة جديدة في حلب", slug="maktaba")

    assert article.slug == "maktaba"


def test_unicode_slug_cuts_long_title_at_word_boundary():
    title = " ".join(["مكتبة"] * 40)

    slug = unicode_slug(title)

    assert (len(slug) <= SLUG_MAX_LENGTH, slug.endswith("مكتبة"), set(slug.split("-"))) == (
        True,
        True,
        {"مكتبة"},
    )


def test_unicode_slug_of_punctuation_falls_back():
    assert unicode_slug("!!! ؟؟؟") == "article"


def test_article_with_arabic_only_leaves_english_empty():
    article = ArticleFactory(title_ar="افتتاح مكتبة جديدة", lead_ar="مقدمة قصيرة عن المكتبة.")

    article.refresh_from_db()
    assert {article.title_en, article.lead_en} <= {None, ""}
    assert article.has_english is False


def test_article_block_with_arabic_only_leaves_english_empty():
    block = ArticleBlockFactory(text_ar="فقرة عربية فقط.", attribution_ar="سلمى الخطيب")

    block.refresh_from_db()
    assert {block.text_en, block.attribution_en} <= {None, ""}


def test_other_models_with_arabic_only_leave_english_empty():
    source = SourceFactory(name_ar="نشرة الساحل")
    section = SectionFactory(name_ar="ثقافة")
    headline = TickerHeadlineFactory(text_ar="عنوان عاجل")

    english = {
        Source.objects.get(pk=source.pk).name_en,
        Section.objects.get(pk=section.pk).name_en,
        TickerHeadline.objects.get(pk=headline.pk).text_en,
    }
    assert english <= {None, ""}


def test_english_field_reads_empty_in_english_when_only_arabic_is_set():
    article = ArticleFactory(title_ar="افتتاح مكتبة جديدة")

    with translation.override("en"):
        title_in_english = Article.objects.get(pk=article.pk).title

    assert title_in_english in (None, "")

"""django-modeltranslation registration: the reader-facing text fields.

Arabic is required; English is optional and is never filled in from Arabic
(see MODELTRANSLATION_ENABLE_FALLBACKS in settings).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Article, ArticleBlock, Correction, Section, Source, TickerHeadline


class ArabicRequired(TranslationOptions):
    required_languages = ("ar",)


@register(Source)
class SourceTranslationOptions(ArabicRequired):
    fields = ("name",)


@register(Section)
class SectionTranslationOptions(ArabicRequired):
    fields = ("name",)


@register(Article)
class ArticleTranslationOptions(ArabicRequired):
    fields = ("title", "lead")


@register(ArticleBlock)
class ArticleBlockTranslationOptions(ArabicRequired):
    fields = ("text", "attribution")


@register(TickerHeadline)
class TickerHeadlineTranslationOptions(ArabicRequired):
    fields = ("text",)


@register(Correction)
class CorrectionTranslationOptions(ArabicRequired):
    fields = ("note",)

"""What finds what: one table of query/document pairs, run on the suite's database.

CI runs the suite on SQLite and on PostgreSQL, so the same table holds on
both. Each pair is tried both ways round: the first form searched for in an
article holding the second, and the second in an article holding the first.
"""

import pytest
from django.db import connection

from articles.search import query
from articles.search.results import search_articles

from .factories import ArticleBlockFactory, ArticleFactory

pytestmark = pytest.mark.django_db

TITLE = "تقرير الصباح"  # shares no word with any pair

MATCHES = {
    # Normalisation.
    "alef with hamza above": ("أحمد", "احمد"),
    "alef with hamza below": ("إسلام", "اسلام"),
    "alef with madda": ("آمال", "امال"),
    "alef wasla": ("ٱستقبال", "استقبال"),
    "alef maksura": ("مستشفى", "مستشفي"),
    "teh marbuta": ("مدرسة", "مدرسه"),
    "hamza on waw": ("مؤتمر", "موتمر"),
    "hamza on yeh": ("مسائل", "مسايل"),
    "lone hamza": ("سماء", "سما"),
    "harakat and tanween": ("مَدْرَسَةٌ", "مدرسة"),
    "shadda": ("محمّد", "محمد"),
    "tatweel": ("مـــدرسة", "مدرسة"),
    "Arabic-Indic digits": ("٢٠٢٤", "2024"),
    "Persian digits": ("۱۴۰۳", "1403"),
    "Arabic-Indic and Persian digits": ("٢٠٢٤", "۲۰۲۴"),
    "bidi controls": ("\u202bحلب\u202c", "حلب"),
    "right-to-left mark": ("\u200fدمشق", "دمشق"),
    "Persian keheh": ("کتاب", "كتاب"),
    "lam-alef ligature": ("ﻻعب", "لاعب"),
    "Latin case": ("Library", "library"),
    "English stem": ("libraries", "library"),
    # Particles, alone and combined.
    "waw": ("ومدرسة", "مدرسة"),
    "fa": ("فمدرسة", "مدرسة"),
    "ba": ("بمدرسة", "مدرسة"),
    "lam": ("لمدرسة", "مدرسة"),
    "article": ("المدرسة", "مدرسة"),
    "waw and article": ("والمدرسة", "مدرسة"),
    "fa and article": ("فالمدرسة", "مدرسة"),
    "ba and article": ("بالمدرسة", "مدرسة"),
    "lam and article": ("للمدرسة", "مدرسة"),
    "waw, ba and article": ("وبالمدرسة", "مدرسة"),
    "waw, lam and article": ("وللمدرسة", "مدرسة"),
    "one set of particles for another": ("والمدرسة", "بالمدرسة"),
    "article before a word starting with waw": ("الوزارة", "وزارة"),
    "particles with hamza": ("وأحمد", "احمد"),
    "particles with alef maksura": ("بالمستشفى", "مستشفي"),
    "particles with diacritics": ("وَالمَدْرَسَةِ", "مدرسة"),
}

NON_MATCHES = {
    "another word from the same letters": ("كتاب", "كاتب"),
    "a word inside a longer one": ("سور", "سوريا"),
    "a longer word around it": ("حليب", "حلب"),
    "islam is not salam": ("إسلام", "سلام"),
    "the preposition on is not the name Ali": ("على", "علي"),
    "another number": ("2024", "2025"),
    "another English word": ("library", "librarian"),
    "English is not Arabic": ("library", "مكتبة"),
}


def both_ways(table: dict) -> list:
    return [
        pytest.param(searched, stored, id=f"{name}: {label}")
        for name, (first, second) in table.items()
        for searched, stored, label in ((first, second, "1→2"), (second, first, "2→1"))
    ]


def found(text: str) -> list[str]:
    try:
        parsed = query.parse(text)
    except query.UnusableQuery:
        return []
    return [article.title_ar for article in search_articles(parsed)[:50]]


@pytest.mark.parametrize(("searched", "stored"), both_ways(MATCHES))
def test_search_finds_word_written_another_way_in_the_body(searched, stored):
    article = ArticleFactory(title_ar=TITLE)
    ArticleBlockFactory(article=article, text_ar=f"جاء في الخبر أن {stored} كان حاضرا.")
    ArticleFactory(title_ar="خبر آخر لا علاقة له")

    assert found(searched) == [TITLE]


@pytest.mark.parametrize(("searched", "stored"), both_ways(MATCHES))
def test_search_finds_word_written_another_way_in_the_title(searched, stored):
    ArticleFactory(title_ar=f"{TITLE} {stored}")

    assert found(searched) == [f"{TITLE} {stored}"]


@pytest.mark.parametrize(("searched", "stored"), both_ways(NON_MATCHES))
def test_search_does_not_find_a_different_word(searched, stored):
    article = ArticleFactory(title_ar=TITLE)
    ArticleBlockFactory(article=article, text_ar=f"جاء في الخبر أن {stored} كان حاضرا.")

    assert found(searched) == []


def test_search_finds_english_translation_in_the_body():
    article = ArticleFactory(title_ar=TITLE)
    ArticleBlockFactory(article=article, text_en="The new LIBRARIES opened on Saturday.")

    assert found("library saturday") == [TITLE]


def test_search_finds_the_lead_and_a_quote_attribution():
    ArticleFactory(title_ar=TITLE, lead_ar="افتتح الوزير الجسر الجديد.")
    quoted = ArticleFactory(title_ar="حوار")
    ArticleBlockFactory(article=quoted, kind="quote", text_ar="نعمل معا.", attribution_ar="سلمى")

    assert (found("الجسر"), found("سلمى")) == ([TITLE], ["حوار"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_search_on_postgresql_also_finds_words_sharing_a_stem():
    ArticleFactory(title_ar="وصل المعلمون إلى القرية")

    assert found("معلم") == ["وصل المعلمون إلى القرية"]

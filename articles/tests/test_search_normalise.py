"""The normaliser and the query parser, without a database."""

import pytest

from articles.search import normalise, query
from articles.search.query import Phrase, Problem, UnusableQuery


def keys(text: str) -> list[str]:
    return [word.key for word in normalise.words(text)]


# Characters.


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("أحمد", "احمد"),  # alef with hamza above
        ("إسلام", "اسلام"),  # alef with hamza below
        ("آمال", "امال"),  # alef with madda
        ("ٱستقبال", "استقبال"),  # alef wasla
        ("مستشفى", "مستشفي"),  # alef maksura
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("مؤتمر", "موتمر"),  # hamza on waw
        ("مسائل", "مسايل"),  # hamza on yeh
        ("سماء", "سما"),  # lone hamza
        ("مَدْرَسَةٌ", "مدرسه"),  # harakat and tanween
        ("محمّد", "محمد"),  # shadda
        ("مـــدرسة", "مدرسه"),  # tatweel
        ("٢٠٢٤", "2024"),  # Arabic-Indic digits
        ("۲۰۲۴", "2024"),  # Persian digits
        ("\u202bحلب\u202c", "حلب"),  # an embedding left open by a source
        ("حلب\u200f", "حلب"),  # right-to-left mark
        ("کتاب", "كتاب"),  # Persian keheh
        ("ﻻعب", "لاعب"),  # lam-alef ligature (presentation form)
        ("Library", "library"),
    ],
)
def test_normalise_makes_variants_the_same(written, normalised):
    assert normalise.normalise(written) == normalised


def test_normalise_keeps_spaces_and_punctuation():
    assert normalise.normalise("مدرسةٌ، جديدة!") == "مدرسه، جديده!"


def test_tokens_leave_out_punctuation_and_split_digits_from_letters():
    assert normalise.tokens("الباحثين، عام2024م (تقرير) covid-19") == [
        "الباحثين",
        "عام",
        "2024",
        "تقرير",
        "covid",
        "19",
    ]


def test_tokens_leave_out_stop_words_in_both_languages():
    assert normalise.tokens("ذهب إلى المدرسة في الصباح and the library") == [
        "ذهب",
        "المدرسه",
        "الصباح",
        "library",
    ]


def test_tokens_leave_out_stop_words_behind_waw_and_fa():
    assert normalise.tokens("وفي فقد ولكن مدرسة") == ["مدرسه"]


def test_tokens_tell_the_preposition_ala_from_the_name_ali():
    assert normalise.tokens("على علي") == ["علي"]


# Particles.


@pytest.mark.parametrize(
    "written",
    [
        "مدرسة",
        "ومدرسة",
        "فمدرسة",
        "بمدرسة",
        "لمدرسة",
        "المدرسة",
        "والمدرسة",
        "فالمدرسة",
        "بالمدرسة",
        "للمدرسة",
        "وبالمدرسة",
        "وللمدرسة",
        "فبالمدرسة",
    ],
)
def test_words_with_particles_share_the_key_of_the_bare_word(written):
    assert keys(written) == ["مدرسه"]


def test_word_starting_with_waw_after_the_article_shares_its_key():
    assert keys("الوزارة وزارة") == ["زاره", "زاره"]


@pytest.mark.parametrize("word", ["ولد", "بيت", "وقت", "فيل", "لون"])
def test_short_words_starting_like_a_particle_stay_whole(word):
    assert keys(word) == [word]


@pytest.mark.parametrize("written", ["الله", "لله", "والله", "بالله"])
def test_the_name_of_god_keeps_its_key(written):
    assert keys(written) == ["الله"]


def test_words_keep_their_exact_form_beside_the_key():
    word = normalise.words("والمدرسة")[0]

    assert (word.exact, word.key, word.arabic) == ("والمدرسه", "مدرسه", True)


# Queries.


def phrases(text: str) -> list[list[list[str]]]:
    parsed = query.parse(text)
    return [
        [[word.key for word in phrase.words] for phrase in choice] for choice in parsed.required
    ]


def test_query_words_are_all_required():
    assert phrases("مدرسة حلب") == [[["مدرسه"]], [["حلب"]]]


def test_query_quotes_make_a_phrase():
    assert phrases('"مدرسة حلب" جديدة') == [[["مدرسه", "حلب"]], [["جديده"]]]


@pytest.mark.parametrize("quotes", ["“{}”", "«{}»", '"{}'])
def test_query_typographic_and_unclosed_quotes_make_a_phrase(quotes):
    assert phrases(quotes.format("مدرسة حلب")) == [[["مدرسه", "حلب"]]]


@pytest.mark.parametrize("either", ["OR", "or", "أو", "او"])
def test_query_or_joins_its_two_neighbours_only(either):
    assert phrases(f"سوريا {either} لبنان انتخابات") == [
        [["سوريا"], ["نان"]],
        [["انتخابات"]],
    ]


def test_query_minus_excludes_a_word_or_a_phrase():
    parsed = query.parse('مدرسة -حلب -"مدينة حمص"')

    assert [[word.key for word in phrase.words] for phrase in parsed.excluded] == [
        ["حلب"],
        ["مدينه", "حمص"],
    ]


def test_query_word_cut_in_two_by_the_normaliser_is_a_phrase():
    assert phrases("covid-19") == [[["covid", "19"]]]


def test_query_stop_words_are_dropped_from_phrases():
    assert phrases('"مدرسة في حلب"') == [[["مدرسه", "حلب"]]]


def test_query_words_for_highlighting_leave_out_excluded_ones():
    parsed = query.parse("مدرسة OR جامعة -حلب")

    assert [word.key for word in parsed.words] == ["مدرسه", "جامعه"]


def test_query_repeated_words_are_asked_for_once():
    assert query.parse("مدرسة المدرسة مدرسة").required == (
        (Phrase(tuple(normalise.words("مدرسة"))),),
        (Phrase(tuple(normalise.words("المدرسة"))),),
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", Problem.EMPTY),
        ("   \t ", Problem.EMPTY),
        ("ا" * 201, Problem.TOO_LONG),
        ("؟!... ،،", Problem.NO_WORDS),
        ('"" - ؟', Problem.NO_WORDS),
        ("في على the", Problem.ONLY_COMMON_WORDS),
        ("-مدرسة -حلب", Problem.ONLY_EXCLUDED),
    ],
)
def test_query_that_cannot_be_searched_says_why(text, problem):
    with pytest.raises(UnusableQuery) as raised:
        query.parse(text)

    assert raised.value.problem == problem


def test_query_of_exactly_200_characters_is_searched():
    text = "مدرسة " * 33 + "حل"

    assert (len(text), phrases(text)) == (200, [[["مدرسه"]], [["حل"]]])

"""Marking the words found: whole words only, escaped, never splitting an Arabic word."""

import re

import pytest
from django.urls import reverse

from articles.search import normalise, query
from articles.search.highlight import Highlighter

from .factories import ArticleBlockFactory, ArticleFactory
from .htmltree import page

MARK = re.compile(r"<mark>(.*?)</mark>")


def marked(text: str, searched: str) -> str:
    return str(Highlighter(query.parse(searched).words).mark(text))


@pytest.mark.parametrize(
    ("text", "searched", "expected"),
    [
        ("والمدرسة الجديدة", "مدرسة", "<mark>والمدرسة</mark> الجديدة"),
        ("زرنا مدرسة الحي", "والمدرسة", "زرنا <mark>مدرسة</mark> الحي"),
        ("في المَدْرَسَةِ اليوم", "مدرسة", "في <mark>المَدْرَسَةِ</mark> اليوم"),
        ("المـــدرسة", "مدرسة", "<mark>المـــدرسة</mark>"),
        ("بالمستشفى،", "مستشفي", "<mark>بالمستشفى</mark>،"),
        ("«المدرسة»", "مدرسة", "«<mark>المدرسة</mark>»"),
        ("عام ٢٠٢٤م", "2024", "عام <mark>٢٠٢٤م</mark>"),
        ("The Library and libraries", "library", "The <mark>Library</mark> and libraries"),
    ],
)
def test_mark_wraps_whole_words_only(text, searched, expected):
    assert marked(text, searched) == expected


def test_mark_leaves_a_word_containing_the_query_alone():
    assert marked("سوريا والسوريون", "سور") == "سوريا والسوريون"


def test_mark_escapes_everything_else():
    assert marked('<b onclick="x">مدرسة</b> & co', "مدرسة") == (
        "&lt;b onclick=&quot;x&quot;&gt;<mark>مدرسة</mark>&lt;/b&gt; &amp; co"
    )


def test_mark_removes_bidi_controls():
    assert marked("\u202bحلب\u202c اليوم", "حلب") == "<mark>حلب</mark> اليوم"


def test_mark_never_marks_excluded_words():
    assert marked("مدرسة حلب", "مدرسة -حلب") == "<mark>مدرسة</mark> حلب"


ARABIC_TEXT = (
    "وَقالَ مُديرُ المَدْرَسَةِ إنّ المدرسة، والمدرسةَ الجديدة للمدرسة ـ بالمدرسـة — "
    "ستفتح «مدرسةً» أخرى عام ٢٠٢٤ (في حلب)؛ ومدارس أخرى؟"
)


def test_marks_begin_and_end_on_word_boundaries_in_arabic_text():
    html = marked(ARABIC_TEXT, "مدرسة")
    unmarked = html.replace("<mark>", "").replace("</mark>", "")
    edges = []
    for match in MARK.finditer(html):
        before = html[: match.start()].replace("</mark>", "")[-1:]
        after = html[match.end() :].replace("<mark>", "")[:1]
        edges.append((before, after))
    marked_words = MARK.findall(html)

    assert unmarked == ARABIC_TEXT
    assert marked_words == [
        "المَدْرَسَةِ",
        "المدرسة",
        "والمدرسةَ",
        "للمدرسة",
        "بالمدرسـة",
        "مدرسةً",
    ]
    # Nothing on either side of a mark belongs to a word: a space, punctuation or an edge.
    assert all(not normalise.has_word_characters(char) for pair in edges for char in pair)


def test_excerpt_is_the_passage_around_the_first_word_found():
    words = [f"كلمة{n}" for n in range(80)]
    words[40] = "والمدرسة"
    excerpt = Highlighter(query.parse("مدرسة").words).excerpt(" ".join(words))

    assert str(excerpt) == "… " + " ".join(words[32:40]) + " <mark>والمدرسة</mark> " + (
        " ".join(words[41:62]) + " …"
    )


@pytest.mark.django_db
def test_search_page_marks_whole_prefixed_word_in_title_and_excerpt(client):
    article = ArticleFactory(title_ar="زيارة والمدرسة")
    ArticleBlockFactory(article=article, text_ar="استقبلت بالمدرسة الزوار صباحا.")

    response = client.get(reverse("articles:search"), {"q": "مدرسة"})

    result = page(response).find("ul", cls="article-list").elements()[0]
    assert (
        [mark.text for mark in result.find("h3").find_all("mark")],
        [mark.text for mark in result.find("p", cls="excerpt").find_all("mark")],
        result.find("h3").text,
    ) == (["والمدرسة"], ["بالمدرسة"], "زيارة والمدرسة")

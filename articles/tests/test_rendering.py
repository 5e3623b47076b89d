"""articles.rendering writes what the templates and their filters would."""

import datetime
import zoneinfo
from urllib.parse import quote

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from articles import rendering

from .htmltree import parse_html

FILTERS = Template(
    '{% load newsroom %}<time datetime="{{ at|date:\'c\' }}">{{ at|date:"j F Y"|digits }} '
    '<bdi>{{ at|time:"H:i"|digits }}</bdi></time>'
)
ISO_FILTER = Template("{{ at|date:'c' }}")
MOMENTS = st.datetimes(
    min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2200, 12, 31)
).map(lambda moment: moment.replace(tzinfo=datetime.UTC))


@settings(max_examples=200, deadline=None)
@given(
    at=MOMENTS,
    language=st.sampled_from(["ar", "en"]),
    zone=st.sampled_from(["Asia/Damascus", "UTC", "America/St_Johns"]),
    arabic_digits=st.booleans(),
)
def test_card_times_are_what_the_date_and_time_filters_write(at, language, zone, arabic_digits):
    with (
        override_settings(NEWSROOM_ARABIC_INDIC_DIGITS=arabic_digits),
        translation.override(language),
        timezone.override(zoneinfo.ZoneInfo(zone)),
    ):
        assert rendering.Cards().time(at) == FILTERS.render(Context({"at": at}))
        assert rendering.Dates().iso(at) == ISO_FILTER.render(Context({"at": at}))


@pytest.mark.django_db
def test_cards_keep_the_reading_mode_and_name_sources_in_the_interface_language():
    from .factories import ArticleFactory, SectionFactory, SourceFactory

    article = ArticleFactory(
        title_ar="عنوان <b>",
        title_en="",
        source=SourceFactory(name_ar="المصدر", name_en="The Source", slug="the-source"),
        section=SectionFactory(name_ar="القسم", name_en="", slug="قسم"),
    )
    with translation.override("en"):
        card = parse_html(rendering.Cards("both").card(article))

    links = [(a.text, a.attrs["href"]) for a in card.find_all("a")]
    assert links == [
        ("عنوان <b>", f"/en/articles/{article.pk}/{quote(article.slug)}/?view=both"),
        ("The Source", "/en/sources/the-source/?view=both"),
        ("القسم", "/en/sections/%D9%82%D8%B3%D9%85/?view=both"),
    ]
    assert card.find_all("p", cls="card-title-en") == []


VIEWS_TEMPLATE = Template(
    "{% load i18n newsroom %}{% blocktranslate trimmed count counter=n with shown=n|digits %}"
    "<bdi>{{ shown }}</bdi> view{% plural %}<bdi>{{ shown }}</bdi> views{% endblocktranslate %}"
)


@settings(max_examples=100, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=10**7),
    language=st.sampled_from(["ar", "en"]),
    arabic_digits=st.booleans(),
)
def test_most_read_view_counts_are_what_the_template_s_plural_wrote(count, language, arabic_digits):
    row = rendering.CardRow(
        (7, "خبر", "خبر <i>", None, "", None, 1, "s", "م", None, None, None, None, None, count),
        ("recent_views",),
    )
    with (
        override_settings(NEWSROOM_ARABIC_INDIC_DIGITS=arabic_digits),
        translation.override(language),
    ):
        html = rendering.Cards("en").most_read(row)
        expected = VIEWS_TEMPLATE.render(Context({"n": count}))

    assert f'<span class="card-meta">{expected}</span>' in html
    link = parse_html(html).find("a")
    assert (link.text, link.attrs["href"], link.attrs["lang"]) == (
        "خبر <i>",
        ("/en" if language == "en" else "") + f"/articles/7/{quote('خبر')}/?view=en",
        "ar",
    )

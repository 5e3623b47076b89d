"""articles.links gives the addresses reverse() gives, for any slug and both languages."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from articles import links

SLUGS = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="/"), min_size=1
)


@settings(max_examples=300, deadline=None)
@given(
    slug=SLUGS, pk=st.integers(min_value=1, max_value=2**53), language=st.sampled_from(["ar", "en"])
)
def test_addresses_are_what_reverse_gives(slug, pk, language):
    with translation.override(language):
        assert links.address("articles:detail", pk=pk, slug=slug) == reverse(
            "articles:detail", kwargs={"pk": pk, "slug": slug}
        )
        for name in ("articles:source", "articles:section", "articles:source-feed-rss"):
            assert links.address(name, slug=slug) == reverse(name, kwargs={"slug": slug})


@pytest.mark.parametrize("slug", ["", "a/b", "/"])
def test_slugs_reverse_refuses_are_refused_alike(slug):
    with pytest.raises(NoReverseMatch):
        links.address("articles:detail", pk=1, slug=slug)


def test_script_prefix_and_language_are_followed():
    slug = "سوق-جديد"
    try:
        set_script_prefix("/news/")
        with translation.override("en"):
            assert links.address("articles:section", slug=slug) == reverse(
                "articles:section", kwargs={"slug": slug}
            )
            assert links.address("articles:section", slug=slug).startswith("/news/en/sections/")
    finally:
        set_script_prefix("/")
    with translation.override("ar"):
        assert links.address("articles:detail", pk=7, slug=slug) == (
            "/articles/7/%D8%B3%D9%88%D9%82-%D8%AC%D8%AF%D9%8A%D8%AF/"
        )


@override_settings(ROOT_URLCONF="newsroom.urls")
def test_the_url_configuration_is_part_of_the_key():
    assert links.address("articles:source", slug="x") == reverse(
        "articles:source", kwargs={"slug": "x"}
    )


@pytest.mark.parametrize(
    "name",
    [
        "articles:home",
        "articles:search",
        "articles:feeds",
        "articles:feed-rss",
        "articles:corrections",
    ],
)
def test_fixed_addresses_are_what_reverse_gives_in_each_language_and_under_a_prefix(name):
    for prefix in ("/", "/news/"):
        set_script_prefix(prefix)
        try:
            for language in ("ar", "en"):
                with translation.override(language):
                    assert links.fixed(name) == reverse(name)
        finally:
            set_script_prefix("/")

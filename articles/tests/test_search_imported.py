"""Imported articles are searchable: once published, and by their new words after a re-import.

Each import commits its articles in production; the tests run the callbacks
that commit would, as the index writes an article's blocks (bulk-created
after it, without signals) when the import's transaction commits.
"""

import pytest
from django.urls import reverse

from articles import services
from articles.models import Article

from . import scraped
from .feed_server import import_articles, rss_feed, rss_item
from .htmltree import page

pytestmark = pytest.mark.django_db

TITLE = "افتتاح سوق للخضار في القرية"
TITLE_CHANGED = "افتتاح سوق للفواكه في القرية"
FIRST = "افتتح المجلس البلدي سوقا مسقوفا للخضار قرب الساحة."
FIRST_CHANGED = "افتتح المجلس البلدي سوقا مسقوفا للفواكه قرب الساحة."
SECOND = "ويضم السوق أربعين محلا وموقفا للسيارات."


def found(client, q: str) -> list[str]:
    """The titles listed by /search/?q=, in order."""
    response = client.get(reverse("articles:search"), {"q": q})
    assert response.status_code == 200
    lists = page(response).find_all("ul", cls="article-list")
    if not lists:
        return []
    return [item.find("h3").text for item in lists[0].elements()]


def run_import(capture, *args: str) -> list[str]:
    """`import_articles` as committed; its error lines."""
    with capture(execute=True):
        _, errors = import_articles(*args)
    return errors


def write_feed(path, *, title: str, first: str) -> None:
    item = rss_item(
        title=title,
        link="https://qarya.example/news/market",
        guid="qarya-market",
        description=f"<p>{first}</p><p>{SECOND}</p>",
        pub_date="Tue, 05 Mar 2024 10:00:00 +0300",
    )
    path.write_text(rss_feed(item, link="https://qarya.example/"), encoding="utf-8")


def test_imported_scraped_page_is_found_once_published(
    client, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "page.txt"
    path.write_text(scraped.scraped_page(), encoding="utf-8")

    errors = run_import(django_capture_on_commit_callbacks, str(path), "--date", "2024-03-05")
    draft_found = found(client, "المطالعة")
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_articles(articles=Article.objects.filter(title_ar=scraped.TITLE))

    assert (errors, draft_found) == ([], [])
    assert found(client, "المطالعة") == found(client, "مكتبة حمص") == [scraped.TITLE]


def test_article_imported_with_publish_is_found_by_title_and_body(
    client, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "feed.xml"
    write_feed(path, title=TITLE, first=FIRST)

    errors = run_import(django_capture_on_commit_callbacks, str(path), "--publish")

    assert errors == []
    assert found(client, "الخضار") == found(client, "موقفا للسيارات") == [TITLE]


def test_article_updated_by_a_reimport_is_found_by_its_new_words_not_its_old(
    client, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "feed.xml"
    write_feed(path, title=TITLE, first=FIRST)
    run_import(django_capture_on_commit_callbacks, str(path), "--publish")
    write_feed(path, title=TITLE_CHANGED, first=FIRST_CHANGED)

    errors = run_import(django_capture_on_commit_callbacks, str(path), "--publish")

    assert (errors, Article.objects.count()) == ([], 1)
    assert found(client, "الخضار") == []
    assert found(client, "للفواكه") == found(client, "موقفا للسيارات") == [TITLE_CHANGED]

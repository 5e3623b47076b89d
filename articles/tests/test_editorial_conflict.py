"""Two editors on one article: the second to save is told, can compare, then decides."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext
from lxml import html

from articles.models import Article

from .admin_forms import form_data, form_values
from .factories import ArticleBlockFactory, ArticleFactory, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    article = ArticleFactory(title_ar="افتتاح المكتبة العامة")
    ArticleBlockFactory(article=article, position=1, text_ar="افتتحت المكتبة أبوابها للقراء.")
    return article


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def editor_client(client_class, username):
    client = client_class()
    client.force_login(make_editor(username=username))
    return client


def test_second_save_is_stopped_and_told_who_changed_the_article(client, article):
    first = editor_client(type(client), "hala")
    second = editor_client(type(client), "omar")
    first.post(change_url(article), form_data(first, change_url(article)))  # a first revision
    first_form = form_data(first, change_url(article))
    second_form = form_data(second, change_url(article))  # both opened it
    first_form["title_ar"] = "افتتاح المكتبة العامة في الحي"
    first.post(change_url(article), first_form)
    second_form["title_ar"] = "المكتبة العامة تفتح أبوابها"

    response = second.post(change_url(article), second_form)

    page = html.fromstring(response.content.decode())
    error = " ".join(page.xpath("string(//ul[contains(@class, 'errorlist')])").split())
    compare = page.xpath("//ul[contains(@class, 'errorlist')]//a/@href")
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).title_ar == "افتتاح المكتبة العامة في الحي"
    assert error.startswith(
        gettext(
            "This article was changed by %(who)s (%(when)s) after you opened it. Your changes are "
            "not saved yet: compare what changed, then save again to replace it with yours."
        ).split("%(when)s")[0]
        % {"who": "hala"}
    )
    assert compare[0].startswith(reverse("admin:articles_article_compare", args=[article.pk]))
    assert second.get(compare[0]).status_code == 200


def test_saving_again_after_the_warning_saves(client, article):
    first = editor_client(type(client), "hala")
    second = editor_client(type(client), "omar")
    second_form = form_data(second, change_url(article))
    first_form = form_data(first, change_url(article))
    first_form["byline"] = "مراسل الحي"
    first.post(change_url(article), first_form)
    second_form["title_ar"] = "المكتبة العامة تفتح أبوابها"
    warned = second.post(change_url(article), second_form)
    again = form_values(warned.content)

    response = second.post(change_url(article), again)

    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).title_ar == "المكتبة العامة تفتح أبوابها"


def test_one_editor_saving_twice_is_never_warned(client, article):
    editor = editor_client(type(client), "hala")
    editor.post(change_url(article), form_data(editor, change_url(article)))

    data = form_data(editor, change_url(article))
    data["title_ar"] = "المكتبة العامة تفتح أبوابها"
    response = editor.post(change_url(article), data)

    assert response.status_code == 302


def test_without_an_earlier_revision_the_warning_links_to_the_history(client, article):
    first = editor_client(type(client), "hala")
    second = editor_client(type(client), "omar")
    second_form = form_data(second, change_url(article))
    first.post(change_url(article), form_data(first, change_url(article)))

    response = second.post(change_url(article), second_form)

    links = html.fromstring(response.content.decode()).xpath(
        "//ul[contains(@class, 'errorlist')]//a/@href"
    )
    assert links == [reverse("admin:articles_article_history", args=[article.pk])]

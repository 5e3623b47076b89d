"""Editors preview drafts and scheduled articles as readers will see them; no one else can."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.translation import gettext
from lxml import html

from .factories import ArticleBlockFactory, ArticleFactory, UserFactory, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    article = ArticleFactory(draft=True, title_ar="خطة جديدة للنقل العام", title_en="A new plan")
    ArticleBlockFactory(
        article=article, position=1, text_ar="تبدأ الخطة في الربيع.", text_en="It starts in spring."
    )
    return article


def preview_url(article) -> str:
    return reverse("articles:preview", args=[article.pk])


@pytest.mark.parametrize("mode", ["ar", "both", "en"])
def test_editor_previews_a_draft_in_each_reading_mode(client, draft, mode):
    client.force_login(make_editor())

    response = client.get(preview_url(draft), {"view": mode})

    page = html.fromstring(response.content.decode())
    rows = page.xpath("//div[contains(@class, 'row-paragraph')]")
    assert response.status_code == 200
    assert page.xpath("//article/@class") == [f"article mode-{mode}"]
    assert len(rows) == 1
    assert page.xpath("//meta[@name='robots']/@content") == ["noindex, nofollow"]


def test_preview_of_a_scheduled_article_says_when_it_appears(client):
    scheduled = ArticleFactory(scheduled=True)
    client.force_login(make_editor())

    page = html.fromstring(client.get(preview_url(scheduled)).content.decode())

    notice = " ".join(page.xpath("string(//p[contains(@class, 'preview-notice')])").split())
    expected = gettext("Preview: the article as readers will see it.")
    assert notice.startswith(f"{expected} {gettext('It appears on %(when)s.').split('%')[0]}")


def test_preview_is_never_cached_nor_indexed(client, draft, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 60
    client.force_login(make_editor())

    response = client.get(preview_url(draft))

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "private"} <= cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_anonymous_readers_get_404_for_a_preview(client, draft):
    published = ArticleFactory()

    assert (
        client.get(preview_url(draft)).status_code,
        client.get(preview_url(published)).status_code,
    ) == (
        404,
        404,
    )


def test_staff_without_the_view_permission_get_404(client, draft):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(preview_url(draft)).status_code == 404


def test_staff_with_the_view_permission_may_preview(client, draft):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)

    assert client.get(preview_url(draft)).status_code == 200


def test_the_admin_page_links_to_the_previews(client, draft):
    client.force_login(make_editor())

    response = client.get(reverse("admin:articles_article_change", args=[draft.pk]))

    links = html.fromstring(response.content.decode()).xpath(
        "//div[contains(@class, 'field-preview_links')]//a/@href"
    )
    url = preview_url(draft)
    assert links == [url, f"{url}?view=both", f"{url}?view=en"]

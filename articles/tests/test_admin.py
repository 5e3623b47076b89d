"""The admin as an editor uses it: what editors may open, the actions, the ticker order."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from articles.models import Article, TickerHeadline

from .factories import (
    ArticleBlockFactory,
    ArticleFactory,
    SectionFactory,
    SourceFactory,
    TickerHeadlineFactory,
    make_editor,
)

pytestmark = pytest.mark.django_db

EDITED_MODELS = ["article", "tickerheadline", "source", "section"]


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


# What editors may open.


@pytest.mark.parametrize("model", EDITED_MODELS)
def test_editor_opens_changelist(editor_client, model):
    response = editor_client.get(reverse(f"admin:articles_{model}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", EDITED_MODELS)
def test_editor_opens_add_page(editor_client, model):
    response = editor_client.get(reverse(f"admin:articles_{model}_add"))

    assert response.status_code == 200


def test_editor_opens_article_change_page_with_blocks_inline(editor_client):
    article = ArticleFactory()
    ArticleBlockFactory(article=article, position=1)
    ArticleBlockFactory(article=article, position=2)

    response = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    inline_forms = response.context["inline_admin_formsets"][0].formset.initial_forms
    assert (response.status_code, [form.instance.position for form in inline_forms]) == (
        200,
        [1, 2],
    )


def test_editor_changelists_list_existing_rows(editor_client):
    SourceFactory(name_ar="نشرة الساحل")
    SectionFactory(name_ar="رياضة")

    sources = editor_client.get(reverse("admin:articles_source_changelist"))
    sections = editor_client.get(reverse("admin:articles_section_changelist"))

    assert (sources.context["cl"].result_count, sections.context["cl"].result_count) == (1, 1)


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/"])
def test_editor_cannot_manage_users_or_groups(editor_client, url):
    response = editor_client.get(url)

    assert response.status_code == 403


def test_editors_group_has_exactly_content_permissions():
    models = ["article", "articleblock", "tickerheadline", "source", "section", "glossaryterm"]
    expected = (
        {
            ("articles", f"{action}_{model}")
            for model in models
            for action in ("add", "change", "delete", "view")
        }
        | {
            ("articles", "view_translationmemory"),
            ("articles", "delete_translationmemory"),
            ("articles", "view_articleupdate"),
            ("articles", "change_articleupdate"),
            ("articles", "view_deletedarticle"),
            ("articles", "delete_deletedarticle"),
        }
        | {("articles", f"{action}_correction") for action in ("add", "change", "delete", "view")}
        | {
            ("articles", "view_auditentry"),
        }
    )

    granted = set(
        Group.objects.get(name="Editors").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )

    assert (len(granted), granted) == (35, expected)


def test_editor_is_staff_but_not_superuser():
    editor = make_editor()

    assert (editor.is_staff, editor.is_superuser, editor.has_perm("auth.view_user")) == (
        True,
        False,
        False,
    )


def test_editor_has_no_direct_permissions():
    editor = make_editor()

    assert Permission.objects.filter(user=editor).count() == 0


# Actions.


def run_action(client, action: str, articles) -> int:
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk for article in articles]},
    )
    return response.status_code


def test_publish_action_publishes_drafts(editor_client):
    drafts = [ArticleFactory(draft=True), ArticleFactory(draft=True, published_at=None)]

    status_code = run_action(editor_client, "publish", drafts)

    statuses = [Article.objects.get(pk=draft.pk).status for draft in drafts]
    assert (status_code, statuses) == (302, [Article.Status.PUBLISHED] * 2)


def test_publish_action_dates_undated_drafts(editor_client):
    draft = ArticleFactory(draft=True, published_at=None)

    run_action(editor_client, "publish", [draft])

    draft.refresh_from_db()
    assert (draft.is_published, draft.published_at is not None) == (True, True)


def test_publish_action_leaves_unselected_articles(editor_client):
    selected, other = ArticleFactory(draft=True), ArticleFactory(draft=True)

    run_action(editor_client, "publish", [selected])

    other.refresh_from_db()
    assert other.status == Article.Status.DRAFT


def test_unpublish_action_makes_drafts(editor_client):
    published = ArticleFactory()

    status_code = run_action(editor_client, "unpublish", [published])

    published.refresh_from_db()
    assert (status_code, published.status) == (302, Article.Status.DRAFT)


def test_feature_action_features_articles(editor_client):
    article = ArticleFactory(is_featured=False)

    run_action(editor_client, "feature", [article])

    article.refresh_from_db()
    assert article.is_featured is True


def test_unfeature_action_stops_featuring_articles(editor_client):
    article = ArticleFactory(is_featured=True)

    run_action(editor_client, "unfeature", [article])

    article.refresh_from_db()
    assert article.is_featured is False


# Ticker order.


def move_url(headline, direction: str) -> str:
    return reverse("admin:articles_tickerheadline_move", args=[headline.pk, direction])


def ticker_order() -> list[str]:
    return list(TickerHeadline.objects.order_by("position").values_list("text_ar", flat=True))


@pytest.fixture
def ticker():
    return [
        TickerHeadlineFactory(text_ar="العنوان الأول", position=10),
        TickerHeadlineFactory(text_ar="العنوان الثاني", position=20),
        TickerHeadlineFactory(text_ar="العنوان الثالث", position=30),
    ]


def test_ticker_move_up_swaps_with_headline_above(editor_client, ticker):
    response = editor_client.post(move_url(ticker[2], "up"))

    assert (response.status_code, ticker_order()) == (
        302,
        ["العنوان الأول", "العنوان الثالث", "العنوان الثاني"],
    )


def test_ticker_move_down_swaps_with_headline_below(editor_client, ticker):
    editor_client.post(move_url(ticker[0], "down"))

    positions = list(TickerHeadline.objects.order_by("position").values_list("position", flat=True))
    assert (ticker_order(), positions) == (
        ["العنوان الثاني", "العنوان الأول", "العنوان الثالث"],
        [10, 20, 30],
    )


def test_ticker_move_up_from_top_changes_nothing(editor_client, ticker):
    response = editor_client.post(move_url(ticker[0], "up"))

    assert (response.status_code, ticker_order()) == (
        302,
        ["العنوان الأول", "العنوان الثاني", "العنوان الثالث"],
    )


def test_ticker_move_with_get_is_not_allowed(editor_client, ticker):
    response = editor_client.get(move_url(ticker[2], "up"))

    assert (response.status_code, ticker_order()) == (
        405,
        ["العنوان الأول", "العنوان الثاني", "العنوان الثالث"],
    )


def test_ticker_headline_with_taken_position_shows_form_error(editor_client):
    TickerHeadlineFactory(text_ar="عنوان موجود", position=3)

    response = editor_client.post(
        reverse("admin:articles_tickerheadline_add"),
        {"position": 3, "is_active": "on", "text_ar": "عنوان جديد"},
    )

    form = response.context["adminform"].form
    assert (response.status_code, list(form.errors), TickerHeadline.objects.count()) == (
        200,
        ["position"],
        1,
    )


def test_ticker_headline_with_free_position_is_saved(editor_client):
    response = editor_client.post(
        reverse("admin:articles_tickerheadline_add"),
        {"position": 4, "is_active": "on", "text_ar": "عنوان جديد"},
    )

    headline = TickerHeadline.objects.get()
    assert (response.status_code, headline.text_ar, headline.text_en, headline.position) == (
        302,
        "عنوان جديد",
        None,
        4,
    )

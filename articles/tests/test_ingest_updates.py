"""Nothing lost: an item that fails stores nothing of itself, editors' changes survive later
polls (the newer version waits as an ArticleUpdate), unedited articles follow their source."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError
from django.urls import reverse

from articles import importing
from articles.models import Article, ArticleBlock, ArticleUpdate, TranslationOrigin

from .factories import SourceFactory, UserFactory, make_editor
from .feed_server import FeedServer, fetch_sources, import_articles, rss_feed, rss_item

pytestmark = pytest.mark.django_db

SOURCE_NAME = "أخبار الوادي"
TITLE = "افتتاح مركز صحي في القرية"
FIRST = "افتتحت وزارة الصحة مركزا صحيا جديدا في القرية صباح اليوم."
SECOND = "ويضم المركز عيادة للأطفال وأخرى للأسنان وصيدلية صغيرة."
SECOND_CHANGED = "ويضم المركز عيادة للأطفال وأخرى للأسنان وصيدلية ومختبرا للتحاليل."
THIRD = "وسيفتح المركز أبوابه ستة أيام في الأسبوع من الثامنة صباحا."
NEW_FIRST = "أعلنت مديرية الصحة تفاصيل افتتاح المركز الجديد."
OTHER = ("تعبيد طريق المدرسة", "انتهت البلدية من تعبيد الطريق المؤدي إلى المدرسة.")


def item(*paragraphs: str, title: str = TITLE) -> str:
    return rss_item(
        title=title,
        link="https://wadi.example/news/clinic",
        guid="wadi-clinic",
        description="".join(f"<p>{text}</p>" for text in paragraphs),
        pub_date="Tue, 05 Mar 2024 10:00:00 +0300",
    )


def other_item() -> str:
    return rss_item(
        title=OTHER[0],
        link="https://wadi.example/news/road",
        guid="wadi-road",
        description=f"<p>{OTHER[1]}</p>",
        pub_date="Tue, 05 Mar 2024 11:00:00 +0300",
    )


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # the test server is on 127.0.0.1
    with FeedServer() as running:
        yield running


@pytest.fixture
def source(server):
    return SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for("/rss.xml"))


def serve(server, *items: str) -> None:
    server.publish("/rss.xml", rss_feed(*items), validators=False)


@pytest.fixture
def clinic(server, source) -> Article:
    serve(server, item(FIRST, SECOND, THIRD))
    fetch_sources()
    return Article.objects.get()


def arabic_body(article: Article) -> list[str]:
    return list(article.blocks.order_by("position").values_list("text_ar", flat=True))


def bilingual_body(article: Article) -> list[tuple[str, str]]:
    return list(article.blocks.order_by("position").values_list("text_ar", "text_en"))


def translate_by_machine(article: Article) -> None:
    for block in article.blocks.all():
        ArticleBlock.objects.filter(pk=block.pk).update(
            text_en=f"EN {block.position}", translation_origin=TranslationOrigin.MACHINE
        )


# An item that fails stores nothing of itself.


class FailingWrite:
    """While on, the database refuses the clinic article's last write, after its row and
    its blocks were written."""

    def __init__(self, real):
        self.real = real
        self.on = True

    def __call__(self, article):
        if self.on and article.title_ar == TITLE:
            raise DatabaseError("disk full")
        self.real(article)


@pytest.fixture
def storing_fails_for_the_clinic(monkeypatch) -> FailingWrite:
    failing = FailingWrite(importing._link_related)
    monkeypatch.setattr(importing, "_link_related", failing)
    return failing


def test_item_that_fails_part_way_stores_nothing_and_the_others_are_stored(
    server, source, storing_fails_for_the_clinic
):
    serve(server, item(FIRST, SECOND), other_item())

    lines = fetch_sources()

    assert (lines, list(Article.objects.values_list("title_ar", flat=True))) == (
        [
            f"{SOURCE_NAME}: 1 new, 0 updated, 0 skipped, 1 failed.",
            f"  «{TITLE}»: could not be stored (disk full); nothing was saved",
            "1 source(s) polled, 0 failed.",
        ],
        [OTHER[0]],
    )
    assert ArticleBlock.objects.filter(text_ar=FIRST).count() == 0


def test_item_that_failed_is_stored_by_the_next_poll(server, source, storing_fails_for_the_clinic):
    serve(server, item(FIRST, SECOND), other_item())
    fetch_sources()
    storing_fails_for_the_clinic.on = False

    fetch_sources("--now")

    assert sorted(Article.objects.values_list("title_ar", flat=True)) == sorted([TITLE, OTHER[0]])


def test_import_articles_file_item_that_fails_part_way_stores_nothing_of_itself(
    tmp_path, storing_fails_for_the_clinic
):
    path = tmp_path / "wadi.xml"
    path.write_text(rss_feed(item(FIRST, SECOND), other_item()), encoding="utf-8")

    out, err = import_articles(str(path))

    assert (out[-1], err, list(Article.objects.values_list("title_ar", flat=True))) == (
        "1 file(s): 1 new, 0 updated, 0 skipped, 1 failed.",
        [f"{path}: «{TITLE}»: could not be stored (disk full); nothing was saved."],
        [OTHER[0]],
    )


# Editors' changes are never overwritten.


def test_editors_arabic_is_kept_and_the_newer_version_kept_aside(server, clinic):
    Article.objects.filter(pk=clinic.pk).update(title_ar="مركز صحي جديد يخدم القرية")
    serve(server, item(FIRST, SECOND_CHANGED, THIRD))

    lines = fetch_sources("--now", verbosity=2)

    clinic.refresh_from_db()
    update = clinic.updates.get()
    assert lines[:2] == [
        f"{SOURCE_NAME}: 0 new, 0 updated, 1 skipped, 0 failed.",
        f"  «{TITLE}»: an editor changed the article; the newer version is kept aside",
    ]
    assert (clinic.title_ar, arabic_body(clinic)) == (
        "مركز صحي جديد يخدم القرية",
        [FIRST, SECOND, THIRD],
    )
    assert (update.title, [block["text"] for block in update.blocks], update.applied_at) == (
        TITLE,
        [FIRST, SECOND_CHANGED, THIRD],
        None,
    )


def test_editors_reviewed_english_is_kept_and_the_newer_version_kept_aside(server, clinic):
    clinic.blocks.filter(position=1).update(
        text_en="The clinic opened.", translation_origin=TranslationOrigin.REVIEWED
    )
    serve(server, item(FIRST, SECOND_CHANGED, THIRD))

    fetch_sources("--now")

    assert (bilingual_body(clinic), clinic.updates.count()) == (
        [(FIRST, "The clinic opened."), (SECOND, None), (THIRD, None)],
        1,
    )


def test_the_same_newer_version_is_kept_aside_once(server, clinic):
    Article.objects.filter(pk=clinic.pk).update(title_ar="مركز صحي جديد يخدم القرية")
    serve(server, item(FIRST, SECOND_CHANGED, THIRD))
    fetch_sources("--now")

    lines = fetch_sources("--now", verbosity=2)

    assert (lines[1], ArticleUpdate.objects.count()) == (
        f"  «{TITLE}»: the newer version is already kept aside",
        1,
    )


def apply_in_admin(client, update: ArticleUpdate):
    return client.post(
        reverse("admin:articles_articleupdate_changelist"),
        {"action": "apply", "_selected_action": [update.pk]},
    )


@pytest.fixture
def kept_aside(server, clinic) -> ArticleUpdate:
    Article.objects.filter(pk=clinic.pk).update(title_ar="مركز صحي جديد يخدم القرية")
    serve(server, item(FIRST, SECOND_CHANGED, THIRD, title="افتتاح مركز صحي حديث في القرية"))
    fetch_sources("--now")
    return ArticleUpdate.objects.get()


def test_admin_apply_action_replaces_the_arabic_and_marks_the_update_applied(
    client, clinic, kept_aside
):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)

    apply_in_admin(client, kept_aside)

    clinic.refresh_from_db()
    kept_aside.refresh_from_db()
    assert (clinic.title_ar, arabic_body(clinic)) == (
        "افتتاح مركز صحي حديث في القرية",
        [FIRST, SECOND_CHANGED, THIRD],
    )
    assert (kept_aside.applied_at is not None, kept_aside.applied_by) == (True, user)


def test_applied_update_is_not_kept_aside_again_by_the_next_poll(client, clinic, kept_aside):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    apply_in_admin(client, kept_aside)

    lines = fetch_sources("--now", verbosity=2)

    assert (lines[0], ArticleUpdate.objects.count()) == (
        f"{SOURCE_NAME}: 0 new, 0 updated, 1 skipped, 0 failed.",
        1,
    )


def test_editor_can_apply_an_update_kept_aside(client, clinic, kept_aside):
    client.force_login(make_editor())

    response = apply_in_admin(client, kept_aside)

    clinic.refresh_from_db()
    assert (response.status_code, clinic.title_ar) == (302, "افتتاح مركز صحي حديث في القرية")


def test_editors_group_may_see_deleted_articles_and_updates_from_sources():
    editors = Group.objects.get(name="Editors")
    wanted = [
        "view_articleupdate",
        "change_articleupdate",
        "view_deletedarticle",
        "delete_deletedarticle",
    ]

    granted = set(
        Permission.objects.filter(group=editors, codename__in=wanted).values_list(
            "codename", flat=True
        )
    )

    assert sorted(granted) == sorted(wanted)


# Unedited articles follow their source.


def test_unedited_article_is_updated_in_place_when_its_source_changes_it(server, clinic):
    serve(server, item(FIRST, SECOND_CHANGED, THIRD))

    lines = fetch_sources("--now")

    assert (lines[0], Article.objects.count(), arabic_body(Article.objects.get())) == (
        f"{SOURCE_NAME}: 0 new, 1 updated, 0 skipped, 0 failed.",
        1,
        [FIRST, SECOND_CHANGED, THIRD],
    )


def test_update_in_place_keeps_the_english_of_blocks_whose_arabic_did_not_change(server, clinic):
    translate_by_machine(clinic)
    serve(server, item(FIRST, SECOND_CHANGED, THIRD))

    fetch_sources("--now")

    first, _, third = bilingual_body(clinic)
    assert (first, third) == ((FIRST, "EN 1"), (THIRD, "EN 3"))


def test_update_in_place_drops_the_english_of_a_block_whose_arabic_changed(server, clinic):
    translate_by_machine(clinic)
    serve(server, item(FIRST, SECOND_CHANGED, THIRD))

    fetch_sources("--now")

    assert bilingual_body(clinic)[1][1] in ("", None)


def test_update_in_place_keeps_each_blocks_english_when_a_paragraph_is_inserted(server, clinic):
    translate_by_machine(clinic)
    serve(server, item(NEW_FIRST, FIRST, SECOND, THIRD))

    fetch_sources("--now")

    english_of = dict(bilingual_body(clinic))
    assert [english_of[text] or "" for text in (NEW_FIRST, FIRST, SECOND, THIRD)] == [
        "",
        "EN 1",
        "EN 2",
        "EN 3",
    ]


def test_update_in_place_of_a_shorter_version_removes_the_blocks_it_lost(server, clinic):
    serve(server, item(FIRST, THIRD))

    fetch_sources("--now")

    assert arabic_body(clinic) == [FIRST, THIRD]

"""import_articles' report: per source, how many items were new, updated, skipped and failed,
with the reason for each one skipped or failed, as fetch_sources reports a poll."""

import pytest

from articles import importing
from articles.models import Article, Source

from .factories import SourceFactory
from .feed_server import import_articles, rss_feed, rss_item

pytestmark = pytest.mark.django_db

ROAD = ("تعبيد طريق المدرسة", "انتهت البلدية من تعبيد الطريق المؤدي إلى المدرسة.")
CLINIC = ("افتتاح مركز صحي في القرية", "افتتحت وزارة الصحة مركزا صحيا جديدا في القرية.")
CLINIC_CHANGED = "افتتحت وزارة الصحة مركزا صحيا جديدا فيه عيادة للأطفال."
MARKET = ("سوق الخضار يعود إلى الساحة", "عاد باعة الخضار إلى الساحة القديمة بعد ترميمها.")
BAKERY = ("فرن جديد في الحي الغربي", "افتتح فرن جديد في الحي الغربي يعمل طوال الليل.")
ENGLISH = ("Village school reopens", "The village school reopened this morning after repairs.")


def item(title: str, paragraph: str, *, slug: str) -> str:
    return rss_item(
        title=title,
        link=f"https://wadi.example/news/{slug}",
        guid=f"wadi-{slug}",
        description=f"<p>{paragraph}</p>",
        pub_date="Tue, 05 Mar 2024 10:00:00 +0300",
    )


def write_feed(tmp_path, *items: str) -> str:
    path = tmp_path / "wadi.xml"
    path.write_text(rss_feed(*items), encoding="utf-8")
    return str(path)


@pytest.fixture
def second_run(tmp_path):
    """A feed imported once, its market story deleted by an editor, then imported again
    with one story unchanged, one changed, one new, one in English, the deleted one,
    and one item without a title."""
    path = write_feed(
        tmp_path,
        item(*ROAD, slug="road"),
        item(*CLINIC, slug="clinic"),
        item(*MARKET, slug="market"),
    )
    import_articles(path)
    market = Article.objects.get(title_ar=MARKET[0])
    importing.record_deletion(article=market)
    market.delete()
    write_feed(
        tmp_path,
        item(*ROAD, slug="road"),
        item(CLINIC[0], CLINIC_CHANGED, slug="clinic"),
        item(*BAKERY, slug="bakery"),
        item(*ENGLISH, slug="school"),
        item(*MARKET, slug="market"),
        rss_item(title="", link="https://wadi.example/news/empty", guid="wadi-empty"),
    )
    return path, import_articles(path)


def test_import_report_lists_each_outcome_per_source_with_its_reason(second_run):
    path, (out, _err) = second_run
    clinic = Article.objects.get(title_ar=CLINIC[0])
    bakery = Article.objects.get(title_ar=BAKERY[0])

    assert out == [
        f"{path}: «{CLINIC[0]}»: updated article #{clinic.pk} from the newer version.",
        f"{path}: «{BAKERY[0]}»: imported article #{bakery.pk} «{BAKERY[0]}» "
        f"({Article.Status.DRAFT.label}) with 1 paragraph(s), 0 quote(s), "
        "0 new ticker headline(s).",
        "wadi.example: 1 new, 1 updated, 3 skipped, 1 failed.",
        f"  {path}: item 6: it has no title",
        f"  {path}: «{ENGLISH[0]}»: it is in English, not Arabic",
        f"  {path}: «{MARKET[0]}»: an editor deleted it",
        "  1 already imported, unchanged",
        "1 file(s): 1 new, 1 updated, 3 skipped, 1 failed.",
    ]


def test_import_report_puts_only_the_failure_on_stderr(second_run):
    path, (_out, err) = second_run

    assert err == [f"{path}: item 6: it has no title."]


def test_import_report_counts_two_files_of_one_source_under_that_source(tmp_path):
    source = SourceFactory(
        name_ar="أخبار الوادي", slug="wadi", homepage_url="https://wadi.example/"
    )
    first = tmp_path / "first.xml"
    first.write_text(rss_feed(item(*ROAD, slug="road")), encoding="utf-8")
    second = tmp_path / "second.xml"
    second.write_text(
        rss_feed(item(*ROAD, slug="road"), item(*BAKERY, slug="bakery")), encoding="utf-8"
    )

    out, _err = import_articles(str(first), str(second))

    assert (out[-3:], Article.objects.filter(source=source).count()) == (
        [
            "أخبار الوادي: 2 new, 0 updated, 1 skipped, 0 failed.",
            "  1 already imported, unchanged",
            "2 file(s): 2 new, 0 updated, 1 skipped, 0 failed.",
        ],
        2,
    )


def test_import_report_is_silent_at_verbosity_zero_but_still_names_failures(tmp_path):
    path = write_feed(tmp_path, item(*ROAD, slug="road"), rss_item(title="", guid="wadi-empty"))

    out, err = import_articles(path, verbosity=0)

    assert (out, err) == ([], [f"{path}: item 2: it has no title."])


def test_import_dry_run_of_a_feed_says_what_it_would_import_and_stores_no_source(tmp_path):
    path = write_feed(tmp_path, item(*ROAD, slug="road"), item(*BAKERY, slug="bakery"))

    out, err = import_articles(path, "--dry-run")

    assert (out[-1], err, Source.objects.count(), Article.objects.count()) == (
        "1 file(s): 2 would be imported, 0 failed.",
        [],
        0,
        0,
    )

"""fetch_sources and the periodic task: sources that poll themselves, against a local site."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import tasks
from articles.importing import FEED_ACCEPT
from articles.ingest.fetch import USER_AGENT
from articles.models import Article, DeletedArticle, Source

from .factories import SourceFactory, make_editor
from .feed_server import Answer, FeedServer, fetch_sources, rss_feed, rss_item
from .htmltree import page

pytestmark = pytest.mark.django_db

SOURCE_NAME = "أخبار الوادي"
POLLED_ONE = "1 source(s) polled, 0 failed."

# Items invented for these tests.
WELL = ("حفر بئر جديدة لسقاية البساتين", "بدأت الجمعية الزراعية حفر بئر جديدة لسقاية البساتين.")
BAKERY = ("افتتاح مخبز آلي في البلدة", "افتتح في البلدة مخبز آلي ينتج عشرة آلاف رغيف كل يوم.")
CLINIC = ("عيادة متنقلة تزور القرى النائية", "تزور عيادة متنقلة القرى النائية مرة كل أسبوع.")


def item(story, number: int, *, hour: int = 10) -> str:
    return rss_item(
        title=story[0],
        link=f"https://wadi.example/news/{number}",
        guid=f"wadi-{number}",
        description=f"<p>{story[1]}</p>",
        pub_date=f"Tue, 05 Mar 2024 {hour:02d}:00:00 +0300",
    )


FEED = rss_feed(item(WELL, 1), item(BAKERY, 2))


@pytest.fixture
def server(settings):
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True  # the test server is on 127.0.0.1
    with FeedServer() as running:
        yield running


def make_source(server, path: str = "/rss.xml", **fields) -> Source:
    return SourceFactory(name_ar=SOURCE_NAME, feed_url=server.url_for(path), **fields)


def interval_of(source: Source) -> int:
    source.refresh_from_db()
    return int((source.next_check_at - source.last_checked_at).total_seconds())


def titles() -> list[str]:
    return list(Article.objects.order_by("published_at", "pk").values_list("title_ar", flat=True))


# Polling and reporting.


def test_fetch_sources_stores_a_due_sources_items_and_reports_them(server):
    server.publish("/rss.xml", FEED)
    make_source(server)

    lines = fetch_sources()

    assert (lines, titles()) == (
        [f"{SOURCE_NAME}: 2 new, 0 updated, 0 skipped, 0 failed.", POLLED_ONE],
        [WELL[0], BAKERY[0]],
    )


def test_fetch_sources_asks_for_a_feed_and_says_who_is_asking(server):
    server.publish("/rss.xml", FEED)
    make_source(server)

    fetch_sources()

    headers = server.requests_to("/rss.xml")[0].headers
    assert (headers["user-agent"], headers["accept"], "if-none-match" in headers) == (
        USER_AGENT,
        FEED_ACCEPT,
        False,
    )


def test_fetch_sources_second_poll_sends_the_feeds_validators(server):
    document = server.publish("/rss.xml", FEED)
    make_source(server)
    fetch_sources()

    fetch_sources("--now")

    headers = server.requests_to("/rss.xml")[1].headers
    assert (headers["if-none-match"], headers["if-modified-since"]) == (
        document.etag,
        document.last_modified,
    )


def test_fetch_sources_not_modified_creates_nothing(server):
    server.publish("/rss.xml", FEED)
    make_source(server)
    fetch_sources()
    Article.objects.all().delete()  # anything created now would come from the 304

    lines = fetch_sources("--now")

    assert (lines, Article.objects.count()) == (
        [f"{SOURCE_NAME}: not modified since the last check.", POLLED_ONE],
        0,
    )


def test_fetch_sources_not_modified_by_date_alone_creates_nothing(server):
    document = server.publish("/rss.xml", FEED)
    make_source(server, last_modified=document.last_modified)

    lines = fetch_sources()

    headers = server.requests_to("/rss.xml")[0].headers
    assert (lines, headers["if-modified-since"], Article.objects.count()) == (
        [f"{SOURCE_NAME}: not modified since the last check.", POLLED_ONE],
        document.last_modified,
        0,
    )


def test_fetch_sources_changed_feed_brings_only_the_new_item(server):
    server.publish("/rss.xml", FEED)
    make_source(server)
    fetch_sources()
    server.publish("/rss.xml", rss_feed(item(CLINIC, 3, hour=12), item(WELL, 1), item(BAKERY, 2)))

    lines = fetch_sources("--now")

    assert (lines, titles()) == (
        [f"{SOURCE_NAME}: 1 new, 0 updated, 2 skipped, 0 failed.", POLLED_ONE],
        [WELL[0], BAKERY[0], CLINIC[0]],
    )


def test_fetch_sources_reports_each_failure_and_skip_with_its_reason(server):
    server.publish(
        "/rss.xml",
        rss_feed(
            item(WELL, 1),
            rss_item(
                title="New library opens in the old town",
                link="https://wadi.example/news/2",
                guid="wadi-2",
                description="<p>The town council opened a new public library on Monday.</p>",
            ),
            rss_item(title="", link="https://wadi.example/news/3", guid="wadi-3"),
            item(BAKERY, 4),
        ),
    )
    source = make_source(server)
    DeletedArticle.objects.create(source=source, identity="wadi-4", title=BAKERY[0])

    lines = fetch_sources()

    assert lines == [
        f"{SOURCE_NAME}: 1 new, 0 updated, 2 skipped, 1 failed.",
        "  item 3: it has no title",
        "  «New library opens in the old town»: it is in English, not Arabic",
        f"  «{BAKERY[0]}»: an editor deleted it",
        POLLED_ONE,
    ]


def test_fetch_sources_reports_a_failing_source_with_its_error(server):
    server.respond("/rss.xml", Answer(500))
    make_source(server)
    url = server.url_for("/rss.xml")

    lines = fetch_sources()

    assert lines == [
        f"{SOURCE_NAME}: failed: {url}: the server answered 500 Internal Server Error.",
        "CommandError: 1 source(s) polled, 1 failed.",
    ]


def test_fetch_sources_reports_every_source_when_one_fails(server):
    server.publish("/rss.xml", FEED)
    server.respond("/broken.xml", Answer(500))
    make_source(server)
    SourceFactory(name_ar="صوت الساحل", feed_url=server.url_for("/broken.xml"))
    url = server.url_for("/broken.xml")

    lines = fetch_sources()

    assert lines == [
        f"{SOURCE_NAME}: 2 new, 0 updated, 0 skipped, 0 failed.",
        f"صوت الساحل: failed: {url}: the server answered 500 Internal Server Error.",
        "2 source(s) polled, 1 failed.",
    ]


def test_fetch_sources_polls_the_other_sources_when_one_breaks_unexpectedly(server):
    # A link no URL parser accepts (its port is out of range) breaks this feed.
    server.publish(
        "/broken.xml",
        rss_feed(rss_item(title=CLINIC[0], link="http://wadi.example:99999/x", guid="x")),
    )
    server.publish("/rss.xml", FEED)
    SourceFactory(name_ar="صوت الساحل", feed_url=server.url_for("/broken.xml"))
    make_source(server)

    lines = fetch_sources()

    assert (lines[-1].startswith("2 source(s) polled, "), titles()) == (True, [WELL[0], BAKERY[0]])


# Which sources are polled.


def test_fetch_sources_leaves_a_source_whose_next_check_has_not_come(server):
    server.publish("/rss.xml", FEED)
    make_source(server, next_check_at=timezone.now() + datetime.timedelta(minutes=10))

    lines = fetch_sources()

    assert (lines, server.requests) == (["0 source(s) polled, 0 failed."], [])


def test_fetch_sources_polls_a_source_whose_next_check_has_come(server):
    server.publish("/rss.xml", FEED)
    make_source(server, next_check_at=timezone.now() - datetime.timedelta(seconds=1))

    lines = fetch_sources()

    assert lines == [f"{SOURCE_NAME}: 2 new, 0 updated, 0 skipped, 0 failed.", POLLED_ONE]


def test_fetch_sources_now_polls_every_active_source_whatever_its_next_check(server):
    server.publish("/rss.xml", FEED)
    server.publish("/other.xml", rss_feed(item(CLINIC, 3)))
    make_source(server, next_check_at=timezone.now() + datetime.timedelta(hours=5))
    SourceFactory(
        feed_url=server.url_for("/other.xml"),
        next_check_at=timezone.now() + datetime.timedelta(hours=5),
    )

    lines = fetch_sources("--now")

    assert (lines[-1], titles()) == (
        "2 source(s) polled, 0 failed.",
        [WELL[0], BAKERY[0], CLINIC[0]],
    )


def test_fetch_sources_never_polls_an_inactive_source(server):
    server.publish("/rss.xml", FEED)
    make_source(server, is_active=False)

    lines = fetch_sources("--now")

    assert (lines, server.requests) == (["0 source(s) polled, 0 failed."], [])


# When the next check comes.


@pytest.fixture
def bounds(settings):
    settings.FETCH_MIN_INTERVAL = 10 * 60
    settings.FETCH_DEFAULT_INTERVAL = 30 * 60
    settings.FETCH_MAX_INTERVAL = 6 * 60 * 60


def test_next_check_without_hints_is_the_default_interval(server, bounds):
    server.publish("/rss.xml", FEED)
    source = make_source(server)

    fetch_sources()

    assert interval_of(source) == 30 * 60


def test_next_check_follows_the_feeds_ttl(server, bounds):
    server.publish("/rss.xml", rss_feed(item(WELL, 1), ttl=90))
    source = make_source(server)

    fetch_sources()

    assert interval_of(source) == 90 * 60


def test_next_check_follows_cache_control_max_age_when_longer_than_ttl(server, bounds):
    server.publish(
        "/rss.xml",
        rss_feed(item(WELL, 1), ttl=15),
        headers={"Cache-Control": "public, max-age=7200"},
    )
    source = make_source(server)

    fetch_sources()

    assert interval_of(source) == 7200


def test_next_check_is_never_sooner_than_the_minimum_interval(server, bounds):
    server.publish("/rss.xml", rss_feed(item(WELL, 1), ttl=1))
    source = make_source(server)

    fetch_sources()

    assert interval_of(source) == 10 * 60


def test_next_check_is_never_later_than_the_maximum_interval(server, bounds):
    server.publish("/rss.xml", rss_feed(item(WELL, 1), ttl=60 * 24 * 7))
    source = make_source(server)

    fetch_sources()

    assert interval_of(source) == 6 * 60 * 60


def test_next_check_after_a_304_follows_its_max_age(server, bounds):
    document = server.publish("/rss.xml", FEED, headers={"Cache-Control": "max-age=3600"})
    source = make_source(server, etag=document.etag)

    fetch_sources()

    assert interval_of(source) == 3600


def test_next_check_after_429_waits_as_long_as_retry_after_says(server, bounds):
    server.respond("/rss.xml", Answer(429, headers={"Retry-After": "5400"}))
    source = make_source(server)
    url = server.url_for("/rss.xml")

    lines = fetch_sources()

    assert (lines[0], interval_of(source)) == (
        f"{SOURCE_NAME}: failed: {url}: the server answered 429 Too Many Requests.",
        5400,
    )


def test_next_check_after_503_with_a_retry_after_date(server, bounds):
    when = timezone.now() + datetime.timedelta(hours=2)
    server.respond(
        "/rss.xml",
        Answer(503, headers={"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}),
    )
    source = make_source(server)

    fetch_sources()

    assert 2 * 3600 - 5 <= interval_of(source) <= 2 * 3600


def test_next_check_after_429_keeps_within_the_maximum_interval(server, bounds):
    server.respond("/rss.xml", Answer(429, headers={"Retry-After": "999999"}))
    source = make_source(server)

    fetch_sources()

    assert interval_of(source) == 6 * 60 * 60


def test_next_check_backs_off_after_each_failure_in_a_row(server, bounds):
    server.respond("/rss.xml", Answer(500), times=3)
    source = make_source(server)
    intervals = []

    for _ in range(3):
        fetch_sources("--now")
        intervals.append(interval_of(source))

    assert intervals == [30 * 60, 60 * 60, 120 * 60]


# Failing sources are flagged.


def test_source_is_flagged_after_repeated_failures(server, settings):
    settings.FETCH_FLAG_AFTER_ERRORS = 3
    server.respond("/rss.xml", Answer(500), times=3)
    source = make_source(server)
    flagged = []

    for _ in range(3):
        fetch_sources("--now")
        source.refresh_from_db()
        flagged.append(source.is_failing)

    assert (flagged, source.error_count, source.last_error) == (
        [False, False, True],
        3,
        f"{source.feed_url}: the server answered 500 Internal Server Error.",
    )


def test_source_admin_shows_a_flagged_source_as_unhealthy(server, client, settings):
    settings.FETCH_FLAG_AFTER_ERRORS = 2
    server.respond("/rss.xml", Answer(500), times=2)
    server.publish("/good.xml", FEED)
    make_source(server)
    SourceFactory(name_ar="صوت الساحل", feed_url=server.url_for("/good.xml"))
    fetch_sources("--now")
    fetch_sources("--now")
    client.force_login(make_editor())

    response = client.get(reverse("admin:articles_source_changelist"))

    rows = page(response).find("table", id="result_list").find("tbody").find_all("tr")
    health = {}
    for row in rows:
        icon = row.find("td", cls="field-healthy").find("img")
        health[row.find(cls="field-name").text] = icon.attrs["alt"]
    assert health == {SOURCE_NAME: "False", "صوت الساحل": "True"}


def test_source_recovers_after_a_successful_poll(server):
    server.respond("/rss.xml", Answer(500), times=2)
    server.publish("/rss.xml", FEED)
    source = make_source(server)

    for _ in range(3):
        fetch_sources("--now")

    source.refresh_from_db()
    assert (source.error_count, source.last_error, source.is_failing, titles()) == (
        0,
        "",
        False,
        [WELL[0], BAKERY[0]],
    )


def test_fetch_sources_polls_one_source_by_its_slug(server):
    server.publish("/rss.xml", FEED)
    server.publish("/other.xml", rss_feed(item(CLINIC, 3)))
    make_source(server, slug="wadi")
    SourceFactory(feed_url=server.url_for("/other.xml"))

    lines = fetch_sources("--source", "wadi")

    assert (lines, titles()) == (
        [f"{SOURCE_NAME}: 2 new, 0 updated, 0 skipped, 0 failed.", POLLED_ONE],
        [WELL[0], BAKERY[0]],
    )


# The periodic task, on the database worker.


@pytest.mark.django_db(transaction=True)
def test_poll_sources_task_imports_on_the_worker_and_queues_its_next_run(server):
    server.publish("/rss.xml", FEED)
    make_source(server)
    tasks.schedule_polling()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    waiting = DBTaskResult.objects.filter(
        task_path="articles.tasks.poll_sources", status="READY", run_after__gt=timezone.now()
    )
    assert (titles(), waiting.count()) == ([WELL[0], BAKERY[0]], 1)


@pytest.mark.django_db(transaction=True)
def test_schedule_polling_twice_queues_one_chain(server):
    first = tasks.schedule_polling()

    second = tasks.schedule_polling()

    assert (first, second, DBTaskResult.objects.count()) == (True, False, 1)

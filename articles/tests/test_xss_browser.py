"""The XSS corpus in a real browser: no dialog opens and no payload's script runs.

Every payload calls alert(1) and sets `window.__xss`; a page passes when
chromium opened no dialog and the flag is undefined after the page loaded
and its handlers had a moment to fire. The HTML half is test_xss_entry_paths.py.
"""

from urllib.parse import urlencode

import pytest

from articles.models import Article

from .factories import (
    ArticleBlockFactory,
    ArticleFactory,
    SectionFactory,
    SourceFactory,
    TickerHeadlineFactory,
)
from .test_browser import CHROMIUM, browser  # noqa: F401 -- the chromium fixture, shared
from .xss_corpus import PAYLOADS, RUN, arabic_around, chunks

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
]

# PostgreSQL stores no NUL character in text; the NUL-split payloads reach the
# browser through the search query instead.
STORED_PAYLOADS = [payload for payload in PAYLOADS if "\x00" not in payload]
# Time for handlers that fire after load (onfocus, ontoggle, animations) to run.
SETTLE_MS = 300


@pytest.fixture
def tab(browser):  # noqa: F811 -- the fixture imported above, by its name
    """A fresh browser context's page, as test_browser.py's `page` fixture makes them."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def hostile_site(live_server):
    """Articles, a source, a section and ticker headlines made of the corpus."""
    source = SourceFactory(name_ar=f"مصدر {STORED_PAYLOADS[0]}", slug="hostile-source")
    section = SectionFactory(name_ar=f"قسم {STORED_PAYLOADS[1]}", slug="hostile-section")
    articles = []
    for number, payloads in enumerate(chunks(STORED_PAYLOADS, 20)):
        article = ArticleFactory(
            source=source,
            section=section,
            title_ar=f"عنوان {number} {payloads[0]}",
            title_en=f"Title {number} {payloads[1]}",
            lead_ar=" ".join(payloads),
            lead_en=" ".join(reversed(payloads)),
            byline=payloads[2][:200],
            translation_state=Article.TranslationState.MACHINE,
            translation_engine=payloads[3][:100],
        )
        for index, payload in enumerate(payloads):
            ArticleBlockFactory(
                article=article,
                position=index + 1,
                text_ar=arabic_around(payload, index),
                text_en=f"English {index}: {payload}",
            )
        articles.append(article)
    for index, payload in enumerate(STORED_PAYLOADS[:10]):
        TickerHeadlineFactory(text_ar=f"عاجل {payload}"[:300], article=articles[0], position=index)
    return live_server.url, articles


def ran_in(tab, url: str) -> list[str]:
    """What ran while the browser showed `url` (dialogs' messages, the flag if set),
    and its status if it was not 200: a page that failed shows no payload."""
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", dismiss)
    try:
        status = tab.goto(url).status
        tab.wait_for_load_state("load")
        tab.wait_for_timeout(SETTLE_MS)
        flag = tab.evaluate("typeof window.__xss === 'undefined' ? null : window.__xss")
    finally:
        tab.remove_listener("dialog", dismiss)
    return (
        dialogs
        + ([f"window.__xss = {flag}"] if flag is not None else [])
        + ([f"status {status}"] if status != 200 else [])
    )


def test_payload_that_runs_is_seen_by_this_check(tab):
    """The check can fail: a page that holds a payload as markup trips it."""
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.set_content(f'<img src="x" onerror="{RUN}">')
    tab.wait_for_timeout(SETTLE_MS)

    assert (dialogs, tab.evaluate("window.__xss")) == (["1"], 1)


def test_corpus_runs_nowhere_on_reader_pages(tab, hostile_site):
    base, articles = hostile_site
    paths = ["/", "/en/", "/sources/hostile-source/", "/sections/hostile-section/"]
    for article in articles:
        url = article.get_absolute_url()
        paths += [f"{url}?view=ar", f"{url}?view=both", f"{url}?view=en", f"/en{url}?view=en"]
    paths += [f"/search/?{urlencode({'q': query})}" for query in ("البلدية", "script onerror")]

    ran = {path: what for path in paths if (what := ran_in(tab, base + path))}

    assert ran == {}


def test_corpus_as_search_query_runs_nowhere(tab, live_server):
    ArticleBlockFactory(text_ar=f"قال المتحدث باسم البلدية {STORED_PAYLOADS[0]}")
    queries = [urlencode({"q": payload}) for payload in PAYLOADS]

    ran = {
        query: what
        for query in queries
        if (what := ran_in(tab, f"{live_server.url}/search/?{query}"))
    }

    assert ran == {}

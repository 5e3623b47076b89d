"""The reader side in a real browser: Playwright driving Debian's chromium.

Skipped, with the reason, when chromium or axe-core (npm) is not installed;
`.ci/run` installs both.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from articles.demo import load_demo
from articles.models import Article

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
]

# Playwright's sync API runs an event loop in the test's thread; the ORM calls
# made by the test itself (creating data) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(live_server):
    load_demo()
    return live_server.url


def bilingual_article() -> Article:
    return Article.objects.get(guid="demo:1")


def article_url(base: str, article: Article, query: str = "") -> str:
    return f"{base}{article.get_absolute_url()}{query}"


def test_bilingual_rows_pair_arabic_with_english(page, demo):
    article = bilingual_article()

    page.goto(article_url(demo, article, "?view=both"))

    rows = page.locator(".article-body .row")
    assert rows.count() == article.blocks.count()
    for index in range(rows.count()):
        row = rows.nth(index)
        arabic, english = row.locator(":scope > .col-ar"), row.locator(":scope > .col-en")
        assert (arabic.get_attribute("lang"), arabic.get_attribute("dir")) == ("ar", "rtl")
        assert (english.get_attribute("lang"), english.get_attribute("dir")) == ("en", "ltr")


def test_bilingual_rows_put_arabic_on_the_right_on_wide_screens(page, demo):
    page.goto(article_url(demo, bilingual_article(), "?view=both"))

    row = page.locator(".article-body .row").first
    arabic = row.locator(".col-ar").bounding_box()
    english = row.locator(".col-en").bounding_box()

    assert arabic["x"] > english["x"] + english["width"] - 1
    assert arabic["y"] == english["y"]


def test_reading_mode_links_switch_and_the_choice_is_remembered(page, demo):
    article = bilingual_article()
    page.goto(article_url(demo, article))
    assert page.locator(".col-en").count() == 0

    page.locator(".mode-switch a[href*='view=en']").click()
    page.wait_for_load_state()
    english_only = (page.locator(".col-ar").count(), page.locator(".col-en").count())
    page.goto(article_url(demo, article))

    assert english_only == (0, article.blocks.count())
    assert page.locator(".col-en").count() == article.blocks.count()
    assert page.locator(".mode-switch a[aria-current='page']").get_attribute("href") == "?view=en"


def test_deep_link_scrolls_to_the_pair(page, demo):
    article = bilingual_article()
    last = article.blocks.order_by("-position").first()

    page.goto(article_url(demo, article, f"?view=both#{last.anchor}"))

    box = page.locator(f"#{last.anchor}").bounding_box()
    assert page.evaluate("window.scrollY") > 0
    assert 0 <= box["y"] < 900


def test_font_size_control_changes_the_text_and_survives_a_reload(page, demo):
    article = bilingual_article()
    page.goto(article_url(demo, article))
    body = page.locator(".article-body")
    before = float(body.evaluate("node => parseFloat(getComputedStyle(node).fontSize)"))

    page.get_by_role("button", name="تكبير الخط").click()
    larger = float(body.evaluate("node => parseFloat(getComputedStyle(node).fontSize)"))
    page.reload()
    after_reload = float(
        page.locator(".article-body").evaluate(
            "node => parseFloat(getComputedStyle(node).fontSize)"
        )
    )

    assert larger > before
    assert after_reload == larger


def test_font_size_control_works_from_the_keyboard(page, demo):
    page.goto(article_url(demo, bilingual_article()))
    smaller = page.get_by_role("button", name="تصغير الخط")
    before = page.evaluate("document.documentElement.dataset.fontSize")

    smaller.focus()
    page.keyboard.press("Enter")

    assert (before, page.evaluate("document.documentElement.dataset.fontSize")) == ("1", "0")
    assert smaller.is_disabled()


@pytest.mark.parametrize("mode", ["ar", "both", "en"])
def test_narrow_screen_has_no_horizontal_scroll(browser, demo, mode):
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    try:
        for path in ["/", "/en/", bilingual_article().get_absolute_url() + f"?view={mode}"]:
            page.goto(f"{demo}{path}")
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], f"{path} scrolls sideways at 320 px: {widths}"
    finally:
        context.close()


def test_narrow_screen_stacks_arabic_above_english(browser, demo):
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    try:
        page.goto(article_url(demo, bilingual_article(), "?view=both"))
        row = page.locator(".article-body .row").first
        arabic = row.locator(".col-ar").bounding_box()
        english = row.locator(".col-en").bounding_box()
    finally:
        context.close()

    assert english["y"] >= arabic["y"] + arabic["height"]


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@pytest.fixture
def page_without_csp(browser):
    """A page that lets axe-core's injected script run despite the site's CSP."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci)")
def test_pages_have_no_accessibility_violations(page_without_csp, demo):
    page = page_without_csp
    article = bilingual_article()
    paths = [
        "/",
        "/en/",
        f"{article.get_absolute_url()}?view=ar",
        f"{article.get_absolute_url()}?view=both",
        f"{article.get_absolute_url()}?view=en",
        f"/en{article.get_absolute_url()}?view=both",
        article.source.get_absolute_url(),
        article.section.get_absolute_url(),
        "/search/?q=%D8%AD%D9%84%D8%A8",
        "/search/?q=",
    ]
    found = {}
    for path in paths:
        page.goto(f"{demo}{path}")
        violations = axe_violations(page)
        if violations:
            found[path] = violations

    assert found == {}


def test_keyboard_focus_is_visible_on_the_skip_link(page, demo):
    page.goto(f"{demo}/")

    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " const r = e.getBoundingClientRect();"
        " return [e.className, s.outlineStyle, r.top >= 0 && r.bottom <= innerHeight]; })()"
    )

    assert focused == ["skip-link", "solid", True]


def test_font_size_control_works_at_200_percent_zoom(browser, demo):
    # 200% zoom on a 1280 px window lays the page out as a 640 px one at twice the scale.
    context = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(article_url(demo, bilingual_article(), "?view=both"))
        larger = page.get_by_role("button", name="تكبير الخط")
        larger.click()
        larger.click()
        size = page.evaluate("document.documentElement.dataset.fontSize")
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
    finally:
        context.close()

    assert size == "3"
    assert widths[0] <= widths[1]


def test_pages_run_no_inline_code_under_the_content_security_policy(page, demo):
    """The CSP allows no inline script or style: nothing on the pages may need one."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    article = bilingual_article()

    for path in ["/", f"{article.get_absolute_url()}?view=both", "/feeds/", "/search/?q=x"]:
        page.goto(f"{demo}{path}")
        page.get_by_role("button", name="تكبير الخط").count()

    assert violations == []

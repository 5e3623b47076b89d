from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from articles import view_counts

SEED_NAME = "000_29f99f87ebbf2940.txt"
# The seed layout's two labels: the ticker's ("more") and the font-size control's.
MORE_LABEL = "المزيد"
FONT_SIZE_LABEL = "حجم الخط:"


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language, whatever an earlier request activated.

    modeltranslation writes `title=...` to the active language's column, so a
    test that ran after an English request would otherwise fill English columns.
    """
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _empty_view_buffer():
    """Views buffered by one test are never flushed into another's articles."""
    view_counts.reset_buffer()
    yield
    view_counts.reset_buffer()


@pytest.fixture
def western_digits(settings):
    """Numbers in 0-9, whatever the environment chose for the Arabic interface."""
    settings.NEWSROOM_ARABIC_INDIC_DIGITS = False


@pytest.fixture
def seed_path() -> Path:
    """The scraped seed page, read at run time; its text never enters the repository."""
    path = Path(settings.BASE_DIR).parent / "shared" / "seed" / SEED_NAME
    if not path.is_file():
        pytest.skip(reason=f"the seed page {path} is not there")
    return path


@pytest.fixture
def seed_lines(seed_path) -> list[str]:
    """The seed's lines with their edges stripped (no-break spaces included)."""
    return [line.strip() for line in seed_path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def seed_layout(seed_lines) -> dict:
    """What the importer should find in the seed, read from the file itself."""
    assert seed_lines[0] == MORE_LABEL
    ticker = []
    for line in seed_lines[1:]:
        if not line:
            break
        ticker.append(line)
    non_empty = [line for line in seed_lines if line]
    body_start = non_empty.index(FONT_SIZE_LABEL) + 1
    return {
        "ticker": ticker,
        "title": non_empty[len(ticker) + 1],
        "original_url": next(line for line in non_empty if line.startswith("http")),
        "body": non_empty[body_start:],
    }

"""Reader for pages scraped to plain text from Arabic news sites.

The layout, as the seed page shows it, in blocks separated by blank lines:

    المزيد                      <- the "more" list: ticker headlines, one a line
    headline 1 ... headline N

    Title

    10:19                       <- time of day (no date)
    http://example.com/a/123    <- the original URL
    452                         <- the view count, then the word "مشاهدة" (views)
    مشاهدة

    Title                       <- repeated above the body
    حجم الخط:                   <- the font-size control's label; the body follows

    Paragraph, one a line.

    Pull quote                  <- a short block of two lines: the quote,
    Name                        <- then the name of the person quoted

Lines holding only spaces or no-break spaces separate blocks like blank lines.
"""

import datetime
import re
from urllib.parse import urlsplit, urlunsplit

from articles.text import clean_line

from .base import ImportFailed, ParsedBlock, ParsedPage

MORE_LABEL = "المزيد"
VIEWS_WORDS = ("مشاهدة", "مشاهدات", "قراءة")
FONT_SIZE_LABEL = "حجم الخط"

_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_VIEWS = re.compile(r"^(\d[\d,.]*)\s*(?:" + "|".join(VIEWS_WORDS) + r")?$")
_SENTENCE_END = tuple(".!?؟:؛…\"'»)")
# The longest values the database columns take (see articles.models).
MAX_TITLE = 500
MAX_URL = 1000
MAX_HEADLINE = 300
MAX_ATTRIBUTION = 300
MAX_ATTRIBUTION_WORDS = 5
MAX_HEADING_WORDS = 8


def parse_scraped_text(text: str, *, name: str) -> ParsedPage:
    """Read one scraped page; ImportFailed (naming `name`) when the layout is not there."""
    groups = _groups(text)
    if not groups:
        raise ImportFailed(f"{name}: is empty.")

    ticker: list[str] = []
    if groups[0][0].rstrip(":").strip() == MORE_LABEL:
        ticker = _unique(groups[0][1:])
        groups = groups[1:]

    lines = [(index, line) for index, group in enumerate(groups) for line in group]
    url = time_of_day = title = None
    views = 0
    header_end = None  # index of the group after which the body starts
    for position, (index, line) in enumerate(lines):
        plain = line.translate(_ARABIC_DIGITS)
        if url is None and _URL.match(plain):
            url = _normalise_url(line, name=name)
            header_end = index
        elif time_of_day is None and (match := _TIME.match(plain)):
            time_of_day = _time(match, name=name)
            header_end = index
        elif plain.isdigit() and _is_views_count(lines, position):
            views = int(plain)
            header_end = index
        elif (match := _VIEWS.match(plain)) and not plain.isdigit():
            views = int(re.sub(r"\D", "", match.group(1)))
            header_end = index
        elif line in VIEWS_WORDS:
            header_end = index
        elif _is_font_size_label(line):
            header_end = index
            break
        elif url is None:
            if title is None:
                title = line
        else:
            break  # the first line after the header that is not part of it
    if url is None:
        raise ImportFailed(
            f"{name}: has no original URL line (http://...), so it is not a scraped "
            "article page in the layout this importer reads."
        )
    if not title:
        raise ImportFailed(f"{name}: has no title before its original URL.")

    body = groups[header_end + 1 :]
    # The title is repeated above the body, with the font-size control's label.
    while body and (body[0][0] == title or _is_font_size_label(body[0][0])):
        body = body[1:] if len(body[0]) == 1 else [body[0][1:], *body[1:]]
    blocks = _blocks(body)
    if not any(block.kind == "paragraph" for block in blocks):
        raise ImportFailed(f"{name}: has no body paragraphs after the header.")
    _check_length(name, "the title", title, MAX_TITLE)
    _check_length(name, "the original URL", url, MAX_URL)
    for headline in ticker:
        _check_length(name, "a ticker headline", headline, MAX_HEADLINE)
    for block in blocks:
        _check_length(name, "the name of a person quoted", block.attribution, MAX_ATTRIBUTION)
    return ParsedPage(
        title=title,
        original_url=url,
        blocks=blocks,
        time_of_day=time_of_day,
        view_count=views,
        ticker=ticker,
    )


def _check_length(name: str, what: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise ImportFailed(
            f"{name}: {what} is {len(value)} characters long, more than the {limit} it can have."
        )


def _groups(text: str) -> list[list[str]]:
    """Runs of non-blank lines; a line of only (no-break) spaces counts as blank."""
    groups: list[list[str]] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = clean_line(raw)
        if line:
            current.append(line)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _is_font_size_label(line: str) -> bool:
    return line.rstrip(":").strip() == FONT_SIZE_LABEL


def _unique(lines: list[str]) -> list[str]:
    seen: set[str] = set()
    return [line for line in lines if not (line in seen or seen.add(line))]


def _is_views_count(lines: list[tuple[int, str]], position: int) -> bool:
    following = lines[position + 1][1] if position + 1 < len(lines) else ""
    return following in VIEWS_WORDS


def _time(match: re.Match, *, name: str) -> datetime.time:
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ImportFailed(f"{name}: the time of day {hour}:{minute:02d} is not a valid time.")
    return datetime.time(hour, minute)


def _normalise_url(url: str, *, name: str) -> str:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ImportFailed(f"{name}: the original URL {url} is not a valid address.") from None
    if not host:
        raise ImportFailed(f"{name}: the original URL {url} has no host name.")
    netloc = host.lower()
    if port:
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _is_attribution(line: str) -> bool:
    return len(line.split()) <= MAX_ATTRIBUTION_WORDS and not line.endswith(_SENTENCE_END)


def _is_heading(line: str) -> bool:
    return len(line.split()) <= MAX_HEADING_WORDS and not line.endswith(_SENTENCE_END)


def _blocks(groups: list[list[str]]) -> list[ParsedBlock]:
    blocks: list[ParsedBlock] = []
    for group in groups:
        if len(group) == 2 and _is_attribution(group[1]) and not _is_attribution(group[0]):
            blocks.append(ParsedBlock(kind="quote", text=group[0], attribution=group[1]))
            continue
        for line in group:
            kind = "heading" if _is_heading(line) else "paragraph"
            blocks.append(ParsedBlock(kind=kind, text=line))
    # A short last line closes an article without being a heading of anything.
    if blocks and blocks[-1].kind == "heading":
        blocks[-1] = ParsedBlock(kind="paragraph", text=blocks[-1].text)
    return blocks

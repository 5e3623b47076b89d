"""Dates as Arabic news sites write them: any month-name tradition, any digits, any zone."""

import datetime
import re
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Month names: Syriac-origin (Levant, Iraq), transliterated (Egypt, Gulf) and
# French-derived (Maghreb) - each to its month number.
MONTHS = {
    **dict.fromkeys(["كانون الثاني", "يناير", "جانفي", "ينير"], 1),
    **dict.fromkeys(["شباط", "فبراير", "فيفري", "فبراير"], 2),
    **dict.fromkeys(["آذار", "اذار", "مارس"], 3),
    **dict.fromkeys(["نيسان", "أبريل", "ابريل", "إبريل", "أفريل", "افريل"], 4),
    **dict.fromkeys(["أيار", "ايار", "مايو", "ماي"], 5),
    **dict.fromkeys(["حزيران", "يونيو", "يونيه", "جوان"], 6),
    **dict.fromkeys(["تموز", "يوليو", "يوليه", "جويلية", "يوليوز"], 7),
    **dict.fromkeys(["آب", "اب", "أغسطس", "اغسطس", "أوت", "اوت", "غشت"], 8),
    **dict.fromkeys(["أيلول", "ايلول", "سبتمبر", "شتنبر"], 9),
    **dict.fromkeys(["تشرين الأول", "تشرين الاول", "أكتوبر", "اكتوبر", "أكتوبر"], 10),
    **dict.fromkeys(["تشرين الثاني", "نوفمبر", "نونبر"], 11),
    **dict.fromkeys(["كانون الأول", "كانون الاول", "ديسمبر", "دجنبر"], 12),
}
_MONTH_NAMES = "|".join(sorted((re.escape(name) for name in MONTHS), key=len, reverse=True))
_ARABIC_DATE = re.compile(
    rf"(?P<day>\d{{1,2}})\s*(?:من\s+)?(?P<month>{_MONTH_NAMES})\s*،?\s*(?P<year>\d{{4}})"
    r"(?:\D{0,12}?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>ص|م|صباحا|صباحًا|مساء|مساءً|am|pm|AM|PM)?)?"
)
# The zone names RFC 822 allows in feed dates, as offsets in seconds.
RFC822_ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
    "EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
    "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
}  # fmt: skip
_PM = ("م", "مساء", "مساءً", "pm", "PM")
_AM = ("ص", "صباحا", "صباحًا", "am", "AM")


def parse_date(text: str, *, zone: str | None) -> datetime.datetime | None:
    """A datetime, or None. Times without a zone are read in `zone`; with no `zone`
    (the source is not known yet) they are left naive, for the caller to place."""
    if not text:
        return None
    plain = " ".join(text.translate(DIGITS).replace("\u060c", "،").split())
    match = _ARABIC_DATE.search(plain)
    if match:
        hour = int(match["hour"] or 0)
        if match["ampm"] in _PM and hour < 12:
            hour += 12
        elif match["ampm"] in _AM and hour == 12:
            hour = 0
        try:
            value = datetime.datetime(
                int(match["year"]),
                MONTHS[match["month"]],
                int(match["day"]),
                hour,
                int(match["minute"] or 0),
                int(match["second"] or 0),
            )
        except ValueError:
            return None
    else:
        try:
            value = datetime.datetime.fromisoformat(plain)  # ISO 8601: year first, unambiguous
        except ValueError:
            try:
                # Otherwise Arab sites write the day first: 05/03/2024 is 5 March.
                value = dateutil_parser.parse(plain, dayfirst=True, tzinfos=RFC822_ZONES)
            except (ValueError, OverflowError):
                return None
    if value.tzinfo is None and zone:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value

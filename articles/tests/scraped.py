"""Invented scraped pages in the seed's layout, for parser and importer tests.

All the Arabic here was written for these tests.
"""

TITLE = "افتتاح مكتبة جديدة في حمص"
URL = "https://akhbar.example/a/42"
TICKER = ["عنوان أول في الشريط", "عنوان ثان في الشريط"]
FIRST_PARAGRAPH = "افتتحت البلدية صباح اليوم مكتبة عامة جديدة في وسط المدينة."
HEADING = "قاعة للأطفال"
SECOND_PARAGRAPH = "تضم المكتبة قاعة كبيرة لكتب الأطفال وأخرى للمطالعة الهادئة."
QUOTE = "القراءة تفتح أبواب المستقبل أمام أطفالنا جميعا."
QUOTED = "سلمى الخطيب"
LAST_PARAGRAPH = "وقالت البلدية إن المكتبة ستفتح أبوابها كل يوم من الصباح حتى المساء."


def scraped_page(
    *,
    ticker: list[str] | None = None,
    title: str = TITLE,
    time_line: str = "09:45",
    url: str = URL,
    views_lines: tuple[str, ...] = ("123", "مشاهدة"),
    label_after_blank_line: bool = True,
) -> str:
    """The text of a page: ticker, header, the title again, then the body.

    The seed has a blank line between the repeated title and the font-size
    label; `label_after_blank_line=False` puts the label on the next line.
    """
    ticker = TICKER if ticker is None else ticker
    parts = []
    if ticker:
        parts.append("\n".join(["المزيد", *ticker]))
    parts += [
        title,
        "\u00a0",
        time_line,
        "\n".join([url, *views_lines]),
        ("\n\n" if label_after_blank_line else "\n").join([title, "حجم الخط:"]),
        FIRST_PARAGRAPH,
        HEADING,
        SECOND_PARAGRAPH,
        "\n".join([QUOTE, QUOTED]),
        LAST_PARAGRAPH,
    ]
    return "\n\n".join(parts) + "\n"

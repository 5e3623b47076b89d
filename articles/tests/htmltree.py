"""A small HTML tree for tests: find elements by tag, class and attributes, read their text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        """The text inside, with runs of white space made single spaces."""
        return " ".join(self._raw_text().split())

    def _raw_text(self) -> str:
        return "".join(
            child if isinstance(child, str) else child._raw_text() for child in self.children
        )

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs) -> list:
        """Descendants matching; `data_font_step=...` matches the attribute data-font-step."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (
                (tag is None or child.tag == tag)
                and (cls is None or cls in child.classes)
                and all(child.attrs.get(name) == value for name, value in wanted.items())
            ):
                found.append(child)
            found.extend(child.find_all(tag, cls=cls, **attrs))
        return found

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs) -> Element:
        """The one descendant matching; AssertionError when there are none or several."""
        found = self.find_all(tag, cls=cls, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls} {attrs}> elements, not one"
        return found[0]

    def elements(self) -> list[Element]:
        return [child for child in self.children if not isinstance(child, str)]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response) -> Element:
    """The parsed body of a test client response."""
    return parse_html(response.content.decode(response.charset or "utf-8"))

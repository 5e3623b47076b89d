"""Posting admin forms as a browser would: read the page's form, change, post."""

from lxml import html


def form_values(content: bytes | str) -> dict:
    """What a browser would post from a page's main form, unchanged."""
    page = html.fromstring(content.decode() if isinstance(content, bytes) else content)
    # The page's main form: the one with the most fields (the header's logout form has one).
    form = max(page.xpath("//form[@method='post']"), key=lambda form: len(form.inputs))
    data = {}
    for field in form.inputs:
        kind = getattr(field, "type", field.tag)
        if field.name is None or kind in ("submit", "button", "file"):
            continue
        if kind == "checkbox":
            if field.checked:
                data[field.name] = field.value or "on"
            continue
        if field.tag == "select" and field.multiple:
            data[field.name] = list(field.value)
            continue
        value = field.value or ""
        data[field.name] = value.strip() if field.tag == "textarea" else value
    return data


def form_data(client, url: str) -> dict:
    """The form at `url` as a browser would post it, unchanged."""
    return form_values(client.get(url).content)

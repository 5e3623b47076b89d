"""A shared corpus of XSS payloads, and the checks that a rendered page left them inert.

Every payload that can run calls `alert(1)` and sets `window.__xss`, so a
browser test knows it ran, by a dialog or by the flag. They were gathered
from the kinds the OWASP XSS filter-evasion cheat sheet lists: script tags,
event handlers on many elements, script-bearing URLs, SVG, frames and
plugins, styles, broken markup, comments and CDATA, entity- and
percent-encoded variants, mixed case, NUL splits, and payloads inside Arabic
text and bidi controls. The Arabic was written for these tests.
"""

import base64
import html
import json
import re
from urllib.parse import unquote

import lxml.etree
import lxml.html

RUN = "window.__xss=1;alert(1)"
_BASE64_PAGE = base64.b64encode(f"<script>{RUN}</script>".encode()).decode()
_ENTITY_RUN = "".join(f"&#{ord(char)};" for char in f"javascript:{RUN}")
_HEX_RUN = "".join(f"&#x{ord(char):x};" for char in f"javascript:{RUN}")
ARABIC_BEFORE = "قال المتحدث باسم البلدية"
ARABIC_AFTER = "إن العمل سينتهي قبل الشتاء."

PAYLOADS = [
    # Script tags.
    f"<script>{RUN}</script>",
    f"<SCRIPT>{RUN}</SCRIPT>",
    f"<ScRiPt>{RUN}</sCrIpT>",
    f'<script src="data:text/javascript,{RUN}"></script>',
    f"<script>/*</script>*/{RUN}</script>",
    f"<scr<script>ipt>{RUN}</scr</script>ipt>",
    f"<script\x00>{RUN}</script>",
    f"<scr\x00ipt>{RUN}</scr\x00ipt>",
    f"<script type=module>{RUN}</script>",
    f'"><script>{RUN}</script>',
    f"'><script>{RUN}</script>",
    f"</title><script>{RUN}</script>",
    f"</textarea><script>{RUN}</script>",
    f"</script><script>{RUN}</script>",
    # Event handlers on many elements.
    f'<img src=x onerror="{RUN}">',
    f"<IMG SRC=x OnErRoR={RUN}>",
    f'<body onload="{RUN}">',
    f'<input autofocus onfocus="{RUN}">',
    f'<details open ontoggle="{RUN}">',
    f'<video><source onerror="{RUN}"></video>',
    f'<audio src=x onerror="{RUN}">',
    f'<marquee onstart="{RUN}">مرحبا</marquee>',
    f'<div onmouseover="{RUN}">مرر هنا</div>',
    f'<a onclick="{RUN}">انقر</a>',
    f'<select autofocus onfocus="{RUN}"></select>',
    f'<textarea autofocus onfocus="{RUN}"></textarea>',
    f'<p style="x" onpointerenter="{RUN}">فقرة</p>',
    f'<img/src="x"/onerror={RUN}>',
    f"<img src=x onerror\n=\n{RUN}>",
    # javascript:, vbscript: and data: addresses.
    f'<a href="javascript:{RUN}">رابط</a>',
    f'<a href="JaVaScRiPt:{RUN}">رابط</a>',
    f'<a href=" \tjavascript:{RUN}">رابط</a>',
    f'<a href="java\tscript:{RUN}">رابط</a>',
    f'<a href="java&#x09;script:{RUN}">رابط</a>',
    f'<a href="{_ENTITY_RUN}">رابط</a>',
    f'<a href="{_HEX_RUN}">رابط</a>',
    f'<a href="javascript%3A{RUN}">رابط</a>',
    '<a href="vbscript:msgbox(1)">رابط</a>',
    f'<a href="data:text/html;base64,{_BASE64_PAGE}">رابط</a>',
    f'<a href="data:text/html,<script>{RUN}</script>">رابط</a>',
    f'<form action="javascript:{RUN}"><button>أرسل</button></form>',
    f'<button formaction="javascript:{RUN}">أرسل</button>',
    f'<img src="javascript:{RUN}">',
    f'<math><a xlink:href="javascript:{RUN}">رابط</a></math>',
    # SVG.
    f'<svg onload="{RUN}">',
    f"<svg><script>{RUN}</script></svg>",
    f'<svg><animate onbegin="{RUN}" attributeName=x dur=1s>',
    f'<svg><a xlink:href="javascript:{RUN}"><text x=20 y=20>نص</text></a></svg>',
    # Frames, objects, embeds and other elements that load documents.
    f'<iframe src="javascript:{RUN}"></iframe>',
    f'<iframe srcdoc="<script>{RUN}</script>"></iframe>',
    f'<object data="data:text/html;base64,{_BASE64_PAGE}"></object>',
    f'<embed src="data:text/html;base64,{_BASE64_PAGE}">',
    f'<base href="javascript:{RUN}//">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{RUN}">',
    f'<link rel="import" href="data:text/html,<script>{RUN}</script>">',
    # Styles.
    f'<div style="background:url(javascript:{RUN})">نص</div>',
    f'<div style="width:expression({RUN})">نص</div>',
    f"<style>@import 'javascript:{RUN}';</style>",
    f"<style>body{{background:url('javascript:{RUN}')}}</style>",
    # Broken and unclosed markup.
    f"<img src=x onerror={RUN}",
    f"<<script>{RUN}//<</script>",
    f'<a href="x" <img src=x onerror="{RUN}">',
    f"<script>{RUN}",
    f'<div title="</div><img src=x onerror={RUN}>">',
    # Comment and CDATA tricks.
    f"<!--<img src=x onerror={RUN}>-->",
    f"<!-- --!><img src=x onerror={RUN}>",
    f"<![CDATA[<script>{RUN}</script>]]>",
    f'<?xml version="1.0"?><img src=x onerror="{RUN}">',
    # Escaped in the source: an importer that unescapes twice would let these out.
    f"&lt;script&gt;{RUN}&lt;/script&gt;",
    f"&amp;lt;img src=x onerror={RUN}&amp;gt;",
    f"%3Cscript%3E{RUN}%3C/script%3E",
    f"\\u003cscript\\u003e{RUN}\\u003c/script\\u003e",
    # Inside Arabic text and bidi controls.
    f"{ARABIC_BEFORE} <script>{RUN}</script> {ARABIC_AFTER}",
    f'{ARABIC_BEFORE}<img src=x onerror="{RUN}">{ARABIC_AFTER}',
    f"\u202e<script>{RUN}</script>\u202c{ARABIC_AFTER}",
    f'\u2067<a href="javascript:{RUN}">{ARABIC_BEFORE}</a>\u2069',
    f"\u200f<svg onload={RUN}>\u200f{ARABIC_AFTER}",
    # Template and JSON breakers: text that would run if put unescaped in a script.
    f"</script><script>{RUN}</script><!--",
    f'{{{{ "{RUN}" }}}}{{% load static %}}',
    f'";{RUN};//',
]

assert len(set(PAYLOADS)) == len(PAYLOADS)

# The payloads that do not run even when a page holds them as raw markup: they
# test filters that strip one tag, or decode twice, or template text.
INERT_AS_MARKUP = {
    f"<scr<script>ipt>{RUN}</scr</script>ipt>",
    f"<script\x00>{RUN}</script>",
    f"<scr\x00ipt>{RUN}</scr\x00ipt>",
    f'<div title="</div><img src=x onerror={RUN}>">',
    f"<!--<img src=x onerror={RUN}>-->",
    f"<![CDATA[<script>{RUN}</script>]]>",
    f"&lt;script&gt;{RUN}&lt;/script&gt;",
    f"&amp;lt;img src=x onerror={RUN}&amp;gt;",
    f"%3Cscript%3E{RUN}%3C/script%3E",
    f"\\u003cscript\\u003e{RUN}\\u003c/script\\u003e",
    f'{{{{ "{RUN}" }}}}{{% load static %}}',
    f'";{RUN};//',
}
assert INERT_AS_MARKUP <= set(PAYLOADS)


def chunks(payloads: list[str], size: int) -> list[list[str]]:
    return [payloads[start : start + size] for start in range(0, len(payloads), size)]


def arabic_around(payload: str, index: int) -> str:
    """A paragraph of Arabic with the payload in its middle, numbered to stay distinct."""
    return f"فقرة {index}: {ARABIC_BEFORE} {payload} {ARABIC_AFTER}"


# --- checking rendered HTML -------------------------------------------------------

DANGEROUS_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


def normalised_url(value: str) -> str:
    """The address as a browser reads its scheme: entities and percent escapes decoded,
    whitespace and controls dropped (browsers ignore them inside a scheme), lower case."""
    value = html.unescape(html.unescape(value))
    return _INVISIBLE.sub("", unquote(value)).lower()


def _attribute_name(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower() if name.startswith("{") else name.lower()


def html_problems(document: str, *, site_scripts: set[str]) -> list[str]:
    """What in a rendered page could run. Empty when the page is inert.

    Allowed: `<script src>` pointing at one of `site_scripts`, and the JSON-LD
    block the site writes itself, as long as it is one valid JSON document.
    """
    if not document.strip():
        return []
    tree = lxml.html.fromstring(document)
    problems = _raw_tag_problems(document, site_scripts)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions never run
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag == "script":
            problems += _script_problems(element, site_scripts)
        elif tag in DANGEROUS_TAGS:
            problems.append(f"<{tag}> element")
        elif tag == "style":
            problems.append("<style> element")
        elif tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
        for raw_name, value in element.attrib.items():
            name = _attribute_name(raw_name)
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=...> handler")
            elif name in URL_ATTRIBUTES and normalised_url(value).startswith(DANGEROUS_SCHEMES):
                problems.append(f"<{tag} {name}={value[:60]!r}>")
            elif name == "style" and re.search(
                r"expression\(|javascript:|url\(", normalised_url(value)
            ):
                problems.append(f"<{tag} style={value[:60]!r}>")
    return problems


# A start tag as an HTML5 tokeniser reads it (libxml2's HTML parser, under
# lxml.html, reads some differently: it drops a second <body>'s attributes,
# which browsers merge into the first, and splits `<img/src="x"/onerror=...>`).
_START_TAG = re.compile(r"<([a-zA-Z][^\s/>\x00]*)((?:\"[^\"]*\"|'[^']*'|[^>\"'])*)>")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_HANDLER = re.compile(r"(?:^|[\s/\"'])on[a-z]+\s*=", re.IGNORECASE)


def _raw_tag_problems(document: str, site_scripts: set[str]) -> list[str]:
    problems = []
    for match in _START_TAG.finditer(document):
        tag, attributes = match[1].lower(), match[2]
        if _HANDLER.search(_QUOTED.sub('""', attributes)):
            problems.append(f"<{tag}> with a handler in the source: {match[0][:80]!r}")
        if tag in DANGEROUS_TAGS or tag == "style":
            problems.append(f"<{tag}> in the source")
        if tag == "script":
            src = re.search(r"\ssrc\s*=\s*[\"']?([^\"'\s>]+)", attributes)
            json_ld = re.search(r"type\s*=\s*[\"']?application/ld\+json", attributes, re.I)
            if not json_ld and (src is None or html.unescape(src[1]) not in site_scripts):
                problems.append(f"<script> in the source: {match[0][:80]!r}")
    return problems


def _script_problems(element, site_scripts: set[str]) -> list[str]:
    src = element.get("src")
    if src is not None:
        return [] if src in site_scripts else [f"<script src={src[:60]!r}>"]
    if (element.get("type") or "").lower() == "application/ld+json":
        try:
            json.loads(element.text or "")
        except ValueError:
            return ["JSON-LD that is not one JSON document (something broke out of it)"]
        return []
    return [f"inline <script>: {(element.text or '')[:60]!r}"]


def feed_problems(document: bytes, *, site_scripts: set[str]) -> list[str]:
    """The same checks over the HTML inside a feed's items and entries."""
    root = lxml.etree.fromstring(document, parser=lxml.etree.XMLParser(resolve_entities=False))
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1]
        html_bearing = local in ("description", "encoded", "summary", "content", "subtitle")
        if html_bearing and element.text and element.text.strip():
            found = html_problems(element.text, site_scripts=site_scripts)
            problems += [f"{local}: {problem}" for problem in found]
    return problems

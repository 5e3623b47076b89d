"""URLs as sources write them, made absolute and comparable."""

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from .base import ImportFailed

# Query parameters that only track the reader: they never change the article.
TRACKING_PARAMETERS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|"
    r"_ga|_gl|ref_src|spm|xtor|at_medium|at_campaign|cmpid|ito)$",
    re.IGNORECASE,
)
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"


def absolute_url(url: str, *, base: str) -> str:
    """`url` resolved against `base` (relative, `../../` and protocol-relative forms).

    ImportFailed when either cannot be read (an unclosed IPv6 bracket, say).
    """
    try:
        return urljoin(base, (url or "").strip())
    except ValueError:
        raise ImportFailed(f"the address {url} is not valid.") from None


def normalise_url(url: str) -> str:
    """One spelling of an address: lower-case scheme and host, no default port, no
    fragment, no tracking parameters, percent-encoding in one case (unreserved
    characters decoded, the rest upper-case), no trailing slash.

    ImportFailed when the address cannot be read (an impossible port, say).
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        raise ImportFailed(f"the address {url} is not valid.") from None
    scheme = parts.scheme.lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = _normalise_escapes(parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(
        [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING_PARAMETERS.match(key)
        ]
    )
    return urlunsplit((scheme, netloc, path, query, ""))


_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalise_escapes(path: str) -> str:
    """Decode %XX only for unreserved characters; upper-case the others (RFC 3986 6.2.2)."""

    def fix(match):
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    # Characters outside ASCII (Arabic in a slug) are percent-encoded as UTF-8.
    return quote(_ESCAPE.sub(fix, path), safe=_SAFE_PATH + "%")

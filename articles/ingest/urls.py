"""URLs as sources write them, made absolute and comparable."""

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only track the reader: they never change the article.
TRACKING_PARAMETERS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|"
    r"_ga|_gl|ref_src|spm|xtor|at_medium|at_campaign|cmpid|ito)$",
    re.IGNORECASE,
)
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"


def absolute_url(url: str, *, base: str) -> str:
    """`url` resolved against `base` (relative, `../../` and protocol-relative forms)."""
    return urljoin(base, (url or "").strip())


def normalise_url(url: str) -> str:
    """One spelling of an address: lower-case scheme and host, no default port, no
    fragment, no tracking parameters, percent-encoding in one case, no trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = (
        host
        if port in (None, 80 if scheme == "http" else 443 if scheme == "https" else None)
        else f"{host}:{port}"
    )
    path = quote(unquote(parts.path), safe=_SAFE_PATH) or "/"
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

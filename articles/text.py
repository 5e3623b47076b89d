"""Plain-text clean-up shared by importers and templates."""

import re

# Explicit directional embeddings, overrides and isolates (LRE RLE PDF LRO RLO,
# LRI RLI FSI PDI) and the left-to-right / right-to-left marks. Text that comes
# from other sites carries them unbalanced, and one unclosed embedding reorders
# everything after it on the page, so imported text loses them all.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def strip_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def clean_line(text: str) -> str:
    """One line of imported text: no bidi controls, single spaces, no edges."""
    return _SPACES.sub(" ", strip_bidi_controls(text)).strip()

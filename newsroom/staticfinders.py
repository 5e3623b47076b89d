"""A static files finder for fonts installed from PyPI font packages.

The repository ships no font binaries: the fonts are pinned packages in
requirements.txt (fontpkg-*), and this finder exposes their files under
`fonts/`, so that `collectstatic` copies them, the manifest storage hashes
them, and whitenoise serves them with far-future caching like any other asset.
"""

from pathlib import Path

import fontpkg
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# static path under fonts/ -> (family, weight, style)
FONTS = {
    "amiri-regular.ttf": ("Amiri", 400, "normal"),
    "amiri-bold.ttf": ("Amiri", 700, "normal"),
    "source-serif-4.ttf": ("Source Serif 4", 400, "normal"),
    "source-serif-4-italic.ttf": ("Source Serif 4", 400, "italic"),
}
PREFIX = "fonts"


class _FontFileStorage(FileSystemStorage):
    """Storage for one font file, answering to its public name only."""

    def __init__(self, public_name: str, file: Path):
        super().__init__(location=str(file.parent))
        self.public_name = public_name
        self.file = file

    def path(self, name):
        return str(self.file)


def _font_files() -> dict[str, Path]:
    files = {}
    for name, (family, weight, style) in FONTS.items():
        files[f"{PREFIX}/{name}"] = Path(fontpkg.path(family, weight=weight, style=style))
    return files


class FontPackageFinder(BaseFinder):
    def check(self, **kwargs):
        try:
            _font_files()
        except fontpkg.FontpkgError as error:
            return [
                Error(
                    f"A font package is missing: {error}. Install requirements.txt.",
                    id="newsroom.E001",
                )
            ]
        return []

    def find(self, path, find_all=False, **kwargs):
        file = _font_files().get(path)
        if file is None:
            return [] if find_all else None
        return [str(file)] if find_all else str(file)

    def list(self, ignore_patterns):
        for public_name, file in _font_files().items():
            yield public_name, _FontFileStorage(public_name, file)

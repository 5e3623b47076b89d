"""Reading an input file, with a plain sentence for everything that can go wrong."""

from pathlib import Path

from .base import ImportFailed

MAX_FILE_BYTES = 20 * 1024 * 1024


def read_text_file(path: Path) -> str:
    """The file's text, decoded as UTF-8, or ImportFailed saying what is wrong."""
    return decode_text(read_bytes(path), name=str(path))


def read_bytes(path: Path) -> bytes:
    """The file's content, or ImportFailed saying why it cannot be read."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file.")
    if path.is_dir():
        raise ImportFailed(f"{path}: is a directory, not a file.")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailed(
                f"{path}: is {size // (1024 * 1024)} MB, more than the "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB an article page can be."
            )
        data = path.read_bytes()
    except PermissionError:
        raise ImportFailed(f"{path}: cannot be read (permission denied).") from None
    except OSError as error:
        raise ImportFailed(f"{path}: cannot be read ({error.strerror or error}).") from None
    if not data.strip():
        raise ImportFailed(f"{path}: is empty.")
    if b"\x00" in data:
        raise ImportFailed(f"{path}: is a binary file, not text.")
    return data


def decode_text(data: bytes, *, name: str) -> str:
    if not data.strip():
        raise ImportFailed(f"{name}: is empty.")
    if b"\x00" in data:
        raise ImportFailed(f"{name}: is a binary file, not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed(
            f"{name}: is not UTF-8 text (it may be in another encoding, such as windows-1256); "
            "convert it to UTF-8 first."
        ) from None
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f\v")
    if controls > len(text) // 100:
        raise ImportFailed(f"{name}: is a binary file, not text.")
    return text

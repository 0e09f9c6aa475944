"""Questions about paths a user gave, answered without raising.

`Path.is_dir()` and friends raise OSError for a name the system refuses outright (a thousand
characters: ENAMETOOLONG; EACCES on a parent): for the question "is there a folder here?"
that is simply "no", and the step that then opens or writes the path reports it in one line.

A name that is not UTF-8 (``b"out-\\xff"``) comes to Python with its odd bytes as lone
surrogates (surrogateescape); `shown` writes them as ``\\xff`` wherever text must be UTF-8.
"""

from __future__ import annotations

from pathlib import Path


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def shown(text: str) -> str:
    """`text` with the bytes of a name that is not UTF-8 written as ``\\xNN``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def escape_undecodable(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: a byte that is not UTF-8 as ``\\xNN``, any other character that
    cannot be written as ``\\uNNNN``."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(
        shown(ch) if 0xDC80 <= ord(ch) <= 0xDCFF else ch.encode("ascii", "backslashreplace").decode()
        for ch in bad
    ), error.end

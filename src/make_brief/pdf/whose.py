"""Whose brief a PDF on disk is, read from its document properties (pypdf): make-brief writes
/Creator "make-brief" and /Author the candidate's name into every brief (render/ and merge.py),
so a file about to be replaced by ``-o`` can be told apart from another person's brief or from a
file that is no brief at all. A locked brief is opened with the passwords passwords.csv keeps."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec

CREATOR = "make-brief"
MAX_READ = 200_000_000  # bytes: a file larger than this is read no further (nor is it a brief)


class Found(msgspec.Struct, frozen=True):
    """What a PDF on disk is: a brief (with its candidate), a locked PDF that no known password
    opens, or something else (not a PDF, not make-brief's)."""

    kind: str  # "brief", "locked" or "other"
    candidate: str = ""


def whose(path: Path, passwords: Iterable[str] = ()) -> Found:
    """Whose brief the file at `path` is, opening it with `passwords` when it is locked."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_READ + 1)
    except OSError:
        return Found("other")
    if len(data) > MAX_READ or not data.startswith(b"%PDF"):
        return Found("other")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not any(reader.decrypt(p) for p in passwords):
            return Found("locked")
        info: Any = reader.metadata or {}
        creator, author = str(info.get("/Creator", "")), str(info.get("/Author", ""))
    except (PyPdfError, ValueError, TypeError, KeyError, OSError):
        return Found("other")
    if creator != CREATOR or not author:
        return Found("other")
    return Found("brief", author)

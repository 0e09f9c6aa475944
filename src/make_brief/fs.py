"""Questions about paths a user gave, answered without raising.

`Path.is_dir()` and friends raise OSError for a name the system refuses outright (a thousand
characters: ENAMETOOLONG; EACCES on a parent): for the question "is there a folder here?"
that is simply "no", and the step that then opens or writes the path reports it in one line.
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

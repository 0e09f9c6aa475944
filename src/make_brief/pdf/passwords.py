"""Passwords of locked briefs (``--lock``): made up when the offer gives none, and kept in
``passwords.csv`` in the output folder, readable by its owner only (mode 0600).

A made-up password comes from ``secrets``: four groups of four characters from an alphabet
without look-alikes (no 0/o, 1/l/i), such as ``k7dm-x3qp-9hta-4rwe``: 16 random characters,
about 79 bits, easy to read aloud over the phone. Passwords never go into a message, a log
line or the manifest: only into this file.

Each password is appended as its brief is written (a run that is killed keeps the passwords
of the briefs it wrote), under a lock (several shards may write one folder); when the run ends
the file is rewritten with one row per brief, the latest, and for briefs still on disk.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError

PASSWORDS = "passwords.csv"
COLUMNS = ("file", "candidate", "password")
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def generate(groups: int = 4, size: int = 4) -> str:
    """A random password that reads aloud easily: ``k7dm-x3qp-9hta-4rwe``."""
    import secrets  # here, not at the top: `validate` checks passwords but never makes one

    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(groups))


class PasswordBook:
    """``passwords.csv`` in `folder`: `add` a row as each locked brief is written, `close` to
    leave one row per brief."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / PASSWORDS

    def add(self, file: Path, candidate: str, password: str) -> None:
        line = _line((file.name, candidate, password))
        try:
            with self._locked():
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                os.fchmod(fd, 0o600)  # also a file someone made readable by others
                with os.fdopen(fd, "a", encoding="utf-8", newline="") as handle:
                    if handle.tell() == 0:
                        handle.write(_line(COLUMNS))
                    handle.write(line)
                    handle.flush()
                    os.fsync(handle.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write the passwords: {exc.strerror}", file=self.path) from None

    def close(self) -> Path | None:
        """One row per brief: the latest password of each file still in the folder."""
        try:
            with self._locked():
                if not self.path.exists():
                    return None
                rows = _compact(self.path)
                _replace(self.path, "".join(_line(r) for r in [COLUMNS, *rows]))
        except OSError as exc:
            raise OutputError(f"cannot write the passwords: {exc.strerror}", file=self.path) from None
        return self.path

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Held while passwords.csv is written: a lock on the output folder itself (flock on
        the folder's descriptor), so that no lock file is left behind in it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - Windows: one run at a time
                yield
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def known(brief: Path) -> list[str]:
    """The passwords passwords.csv beside `brief` keeps for it (latest first); none when there
    is no such file or it cannot be read."""
    try:
        with open(brief.parent / PASSWORDS, encoding="utf-8", newline="") as handle:
            rows = [row for row in csv.reader(handle) if len(row) == len(COLUMNS)]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    return [row[2] for row in reversed(rows) if row[0] == brief.name]


def _line(cells: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def _compact(path: Path) -> list[list[str]]:
    latest: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) == len(COLUMNS) and tuple(row) != COLUMNS:
                latest[row[0]] = row
    return [row for name, row in sorted(latest.items()) if (path.parent / name).is_file()]


def _replace(path: Path, text: str) -> None:
    """passwords.csv, whole or not at all, readable by its owner only (the one atomic writer)."""
    from ..files.output import write_atomic

    write_atomic(path, text.encode("utf-8"), permissions=0o600)

"""What the candidate has: when a brief that went by e-mail is re-made with other content, the
file that went is kept in the output folder, as ``sent/<name> (sent YYYY-MM-DD).pdf``, before
the new one replaces it. Which version went is the folder's delivery record's (delivered.py):
a ``sent`` step with the file's sha256. The write stage calls `Keeper.keep` (through the hook
api.make_briefs gives run/, which imports nothing of deliver/); the manifest's ``sent_copy``
column and the held line name the copy."""

from __future__ import annotations

import hashlib
from pathlib import Path

SENT = "sent"


class Keeper:
    """The versions that went from each output folder (read once per folder and run)."""

    def __init__(self) -> None:
        # folder: {sha256: (the day it went, what it says)}
        self.went: dict[Path, dict[str, tuple[str, str]]] = {}

    def _went(self, folder: Path) -> dict[str, tuple[str, str]]:
        if folder not in self.went:
            from .delivered import RECORD, Record

            found: dict[str, tuple[str, str]] = {}
            if (folder / RECORD).is_file():
                for step in Record(folder).last.values():
                    if step.event == "sent" and step.sha256:
                        day = step.at[:10] if step.at[:4].isdigit() else ""
                        found[step.sha256] = max(found.get(step.sha256, ("", "")), (day, step.content))
            self.went[folder] = found
        return self.went[folder]

    def keep(self, path: Path, sha256: str, content: str = "") -> Path | None:
        """Before `path` is replaced by a brief whose sha256 is `sha256` and whose content key
        is `content`: the version at `path` copied to sent/ when it is one that went and says
        something else (the same brief made on another day differs only in its date: the
        candidate has it already, as the journal says); then, or when an earlier run kept one,
        the copy the candidate has. None when they have this brief, or none."""
        from ..files.output import write_atomic

        went = self._went(path.parent)
        try:  # nothing went from this folder: no file is read
            old = path.read_bytes() if went and path.is_file() else None
        except OSError:
            old = None
        if old is not None:
            digest = hashlib.sha256(old).hexdigest()
            if digest == sha256:
                return None  # the same bytes again
            if digest in went:
                day, said = went[digest]
                if content and said == content:
                    return None  # what they have says what this one says
                copy = path.parent / SENT / f"{path.stem} (sent {day}){path.suffix}" if day else None
                copy = copy or path.parent / SENT / f"{path.stem} (sent){path.suffix}"
                if not copy.is_file() or copy.read_bytes() != old:
                    write_atomic(copy, old)
                return copy
        return copy_of(path)


def copy_of(path: Path) -> Path | None:
    """The latest copy kept of the file at `path` (sent/<name> (sent ...).pdf), or None."""
    import glob

    folder = path.parent / SENT
    found = sorted(folder.glob(f"{glob.escape(path.stem)} (sent*){glob.escape(path.suffix)}"))
    return found[-1] if found else None

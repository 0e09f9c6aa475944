"""Writing files: atomically (a temporary file in the target folder, then a rename) and under
safe names, so that a failure never leaves a partial brief that could later be sent.

The temporary file is hidden (``.<name>.<pid>.<random>.part``) and removed on any failure. A
process killed outright (SIGKILL, power loss) cannot remove it, so the next write of the same
file removes the leftovers of processes that no longer run.
"""

from __future__ import annotations

import glob
import os
import re
import stat
import tempfile
from pathlib import Path

from .errors import OutputError

MAX_SLUG = 60
_PART = re.compile(r"\.(?P<pid>\d+)\.[^.]+\.part$")


def slug(text: str, fallback: str = "candidate") -> str:
    """A file-name-safe, transliterated slug: "Zoë Łukasiewicz" → "zoe-lukasiewicz"."""
    from slugify import slugify

    return slugify(text, max_length=MAX_SLUG, word_boundary=True) or fallback


def default_name(candidate: str, guide_id: str) -> str:
    return f"{slug(candidate)}-{slug(guide_id, 'guide')}.pdf"


def write_atomic(path: Path, data: bytes, permissions: int = 0o644) -> Path:
    """Write `data` to `path` so that `path` is either the old file or the whole new one, with
    `permissions` (0o600 for a file only its owner may read: it never exists wider)."""
    if "\0" in str(path):
        raise OutputError("is not a file name (it holds a NUL character)", file=path)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError("cannot create the folder: a file is in the way", file=folder) from None
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror}", file=folder) from None
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a name too long, a component that is a file
        raise OutputError(f"cannot write the brief: {exc.strerror}", file=path) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError("is a folder; give a file name", file=path)
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise OutputError("is a device or other special file; give a file name", file=path)
    prefix = f".{path.name[:40]}.{os.getpid()}."
    _remove_leftovers(folder, path.name[:40])
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".part")
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror}", file=folder) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, permissions)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write the brief: {exc.strerror}", file=path) from None
        raise
    _sync_folder(folder)
    return path


def _remove_leftovers(folder: Path, name: str) -> None:
    """Remove temporary files of `name` left by processes that were killed before cleaning up."""
    try:
        candidates = list(folder.glob(f".{glob.escape(name)}.*.part"))
    except OSError:
        return
    for leftover in candidates:
        match = _PART.search(leftover.name[len(name) + 1 :])
        if match and not _running(int(match.group("pid"))):
            try:
                leftover.unlink()
            except OSError:
                pass


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process: leave its file alone
    return True


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

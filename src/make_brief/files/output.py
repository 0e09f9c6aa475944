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
from typing import IO, Any

from ..errors import BriefError, OutputError

MAX_SLUG = 60
_PART = re.compile(r"\.(?P<pid>\d+)\.[^.]+\.part$")


def slug(text: str, fallback: str = "candidate") -> str:
    """A file-name-safe, transliterated slug: "Zoë Łukasiewicz" → "zoe-lukasiewicz",
    "Иван Петров" → "ivan-petrov", "سلمى يوسف" → "slma-ywsf", "王小明" → "wang-xiao-ming".
    Latin letters go to python-slugify as they always did (the same names as before); the
    letters of other scripts are transliterated by anyascii first, which writes the long vowels
    an abjad writes (Arabic's ى as "a", where slugify's tables dropped it), and each syllable of
    a script that writes one a character (Han, Hangul) as a word of its own."""
    from slugify import slugify

    return slugify(latin(text), max_length=MAX_SLUG, word_boundary=True) or fallback


def latin(text: str) -> str:
    """`text` with every letter outside the Latin script transliterated (anyascii)."""
    import unicodedata

    from anyascii import anyascii

    out = []
    for ch in text:
        if ch.isascii() or not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN"):
            out.append(ch)
            continue
        said = anyascii(ch)
        # a syllable a character (Han, Hangul: anyascii capitalises each): a word of its own
        syllable = ch.lower() == ch.upper() and said[:1].isupper()
        out.append(f" {said} " if syllable else said)
    return "".join(out)


def default_name(candidate: str, guide_id: str) -> str:
    return f"{slug(candidate)}-{slug(guide_id, 'guide')}.pdf"


def write_atomic(path: Path, data: bytes, permissions: int = 0o644) -> Path:
    """Write `data` to `path` so that `path` is either the old file or the whole new one, with
    `permissions` (0o600 for a file only its owner may read: it never exists wider)."""
    with Pending(path, permissions) as pending:
        pending.write(data)
        return pending.commit()


class Pending:
    """The one atomic writer: a file being written under a hidden temporary name beside `path`
    (``.<name>.<pid>.<random>.part``), which becomes `path` on commit() and is removed on
    discard(), on any failure, and when the ``with`` block is left without a commit. Writers
    that stream (the manifest) keep it open across a run; writers that need a path (SQLite for
    the send journal) close() it and write to `.part` by name."""

    def __init__(
        self,
        path: Path,
        permissions: int = 0o644,
        *,
        what: str = "the brief",
        error: type[BriefError] = OutputError,
    ) -> None:
        self.path, self.permissions, self.what, self.error = path, permissions, what, error
        self.handle: IO[Any] | None = None
        _check_target(path, what, error)
        folder = path.parent
        _remove_leftovers(folder, path.name[:40])
        try:
            self.fd: int | None
            self.fd, tmp = tempfile.mkstemp(
                dir=folder, prefix=f".{path.name[:40]}.{os.getpid()}.", suffix=".part"
            )
        except OSError as exc:
            raise error(f"cannot write here: {exc.strerror}", file=folder) from None
        self.part = Path(tmp)

    def open(self, mode: str = "wb", **options: Any) -> IO[Any]:
        """The temporary file, open for writing (once)."""
        assert self.fd is not None and self.handle is None, "open() once, before close()"
        self.handle, self.fd = os.fdopen(self.fd, mode, **options), None
        return self.handle

    def write(self, data: bytes) -> None:
        """All of `data`, at once, to the temporary file."""
        try:
            (self.handle or self.open("wb")).write(data)
        except OSError as exc:  # a full disk: the old file stays as it was
            self.discard()
            raise self.error(f"cannot write {self.what}: {exc.strerror}", file=self.path) from None

    def close(self) -> None:
        """Finish writing: flushed and synced to disk, closed; the name is still `.part`."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.handle is not None and not self.handle.closed:
            try:
                self.handle.flush()
                os.fsync(self.handle.fileno())
            finally:
                self.handle.close()

    def commit(self, replace: bool = True) -> Path:
        """The temporary file becomes `path`; with `replace` False, only when `path` does not
        exist yet (a file another process put there first is kept, and this one dropped)."""
        try:
            self.close()
            os.chmod(self.part, self.permissions)
            if replace:
                os.replace(self.part, self.path)
            else:
                _link_if_absent(self.part, self.path)
        except OSError as exc:
            self.discard()
            raise self.error(f"cannot write {self.what}: {exc.strerror}", file=self.path) from None
        self.discard()  # nothing left after a rename; the temporary name after a link
        _sync_folder(self.path.parent)
        return self.path

    def discard(self) -> None:
        try:
            self.close()
        except OSError:
            pass
        try:
            os.unlink(self.part)
        except OSError:
            pass

    def __enter__(self) -> Pending:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()  # after commit() there is nothing left to remove


def write_folder(dest: Path, files: dict[Path, Path], what: str) -> None:
    """A new folder `dest` holding a copy of each file (by its path inside the folder): made
    under a hidden temporary name beside it and renamed into place whole, or not at all. `dest`
    may be an empty folder already (it is replaced)."""
    import shutil

    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            for relative, source in sorted(files.items()):
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, staging / relative)
            if dest.exists():
                dest.rmdir()
            staging.rename(dest)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    except OSError as exc:
        raise OutputError(f"cannot write {what}: {exc.strerror or exc}", file=dest) from None


def _check_target(path: Path, what: str, error: type[BriefError]) -> None:
    """A name a file can be written to, in a folder that exists (made when missing)."""
    if "\0" in str(path):
        raise error("is not a file name (it holds a NUL character)", file=path)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise error("cannot create the folder: a file is in the way", file=folder) from None
    except OSError as exc:
        raise error(f"cannot create the folder: {exc.strerror}", file=folder) from None
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a name too long, a component that is a file
        raise error(f"cannot write {what}: {exc.strerror}", file=path) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise error("is a folder; give a file name", file=path)
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise error("is a device or other special file; give a file name", file=path)


def _link_if_absent(part: Path, path: Path) -> None:
    """`part` linked as `path` unless `path` exists (two runs creating it at once: the first
    wins, whole); on a file system without hard links, renamed when `path` is still absent."""
    try:
        os.link(part, path)
    except FileExistsError:
        pass
    except OSError:
        if not path.exists():
            os.replace(part, path)


def _remove_leftovers(folder: Path, name: str) -> None:
    """Remove temporary files of `name` left by processes that were killed before cleaning up."""
    try:
        candidates = list(folder.glob(f".{glob.escape(name)}.*.part"))
    except OSError:
        return
    for leftover in candidates:
        match = _PART.search(leftover.name[len(name) + 1 :])
        # no pid in its name: an earlier version's, which wrote no pid (its run has ended)
        if not match or not _running(int(match.group("pid"))):
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

"""Writing files: atomically (a temporary file in the target folder, then a rename) and under
safe names, so that a failure never leaves a partial brief that could later be sent."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError

MAX_SLUG = 60


def slug(text: str, fallback: str = "candidate") -> str:
    """A file-name-safe, transliterated slug: "Zoë Łukasiewicz" → "zoe-lukasiewicz"."""
    from slugify import slugify

    return slugify(text, max_length=MAX_SLUG, word_boundary=True) or fallback


def default_name(candidate: str, guide_id: str) -> str:
    return f"{slug(candidate)}-{slug(guide_id, 'guide')}.pdf"


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` so that `path` is either the old file or the whole new one."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror}", file=folder) from None
    if path.is_dir():
        raise OutputError("is a folder; give a file name", file=path)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:40]}.", suffix=".part")
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror}", file=folder) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write the brief: {exc.strerror}", file=path) from None
        raise
    return path

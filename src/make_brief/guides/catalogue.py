"""The catalogue of guides, in one place: where guides are looked for (--guides,
$MAKE_BRIEF_GUIDES, the bundled ones), which file wins for each id, finding one by id or path,
loading it (checked by guide_rules), and listing them all with what each overrides."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import msgspec

from ..errors import BriefError, GuideError
from ..files.fs import is_dir, is_file
from ..files.loading import Document, convert, load_yaml
from ..files.resources import data_dir
from .rules import check_guide
from .schema import MAX_GUIDE_BYTES, Guide

BUNDLED = "bundled"


def guide_folders(extra: tuple[Path, ...] = ()) -> list[tuple[Path, str]]:
    """Folders searched for guides and where each comes from, highest priority first:
    --guides, $MAKE_BRIEF_GUIDES, then the bundled guides."""
    env = [Path(p) for p in os.environ.get("MAKE_BRIEF_GUIDES", "").split(os.pathsep) if p]
    return [
        *((p, "--guides") for p in extra),
        *((p, "MAKE_BRIEF_GUIDES") for p in env),
        (data_dir() / "guides", BUNDLED),
    ]


def guide_dirs(extra: tuple[Path, ...] = ()) -> list[Path]:
    """Folders searched for guides, highest priority first: --guides, $MAKE_BRIEF_GUIDES, bundled."""
    return [folder for folder, _ in guide_folders(extra)]


def all_guides(extra: tuple[Path, ...] = ()) -> dict[str, list[tuple[Path, str]]]:
    """Every guide id with each file that has it and where that file comes from; the first wins."""
    found: dict[str, list[tuple[Path, str]]] = {}
    for folder, origin in guide_folders(extra):
        if is_dir(folder):
            for path in sorted(folder.glob("*.yaml")):
                found.setdefault(path.stem, []).append((path, origin))
    return found


def available(extra: tuple[Path, ...] = ()) -> dict[str, Path]:
    """Every guide id and the file that wins for it."""
    return {guide_id: files[0][0] for guide_id, files in all_guides(extra).items()}


def find_guide(guide_id: str, extra: tuple[Path, ...] = ()) -> Path:
    """The file of guide `guide_id`, or a GuideError listing the known ones."""
    guides = available(extra)
    if guide_id in guides:
        return guides[guide_id]
    known = ", ".join(sorted(guides)) or "none"
    raise GuideError(f"unknown guide {guide_id!r}", hint=f"known guides: {known}")


class Listed(msgspec.Struct, frozen=True):
    """One guide as `guides list` shows it."""

    id: str
    path: Path
    origin: str  # "bundled", "--guides" or "MAKE_BRIEF_GUIDES"
    overrides: tuple[str, ...]  # where the files it hides come from
    guide: Guide | None
    error: str | None = None

    @property
    def where(self) -> str:
        return BUNDLED if self.origin == BUNDLED else f"{self.path.parent} ({self.origin})"


def list_guides(extra: tuple[Path, ...] = ()) -> list[Listed]:
    """Every guide id, the file that wins for it, and what it overrides."""
    out = []
    for guide_id, files in sorted(all_guides(extra).items()):
        path, origin = files[0]
        hidden = tuple(o if o == BUNDLED else f"{p.parent} ({o})" for p, o in files[1:])
        try:
            guide, error = read_guide(path)[0], None
        except BriefError as exc:
            guide, error = None, str(exc)
        out.append(Listed(guide_id, path, origin, hidden, guide, error))
    return out


def resolve(target: str, extra: tuple[Path, ...] = ()) -> tuple[Guide, str]:
    """The guide named by id or path, and where it comes from."""
    known = all_guides(extra)
    path = Path(target)
    if target in known and not is_file(path):
        path, origin = known[target][0]
        return read_guide(path)[0], BUNDLED if origin == BUNDLED else f"{path} ({origin})"
    if is_file(path):
        return read_guide(path)[0], str(path)
    names = ", ".join(sorted(known)) or "none"
    raise GuideError(f"unknown guide {target!r}", hint=f"known guides: {names}")


# --- loading -------------------------------------------------------------------------------


def load_guide(path: Path) -> Guide:
    """The validated guide in `path` (cached per process while the file is unchanged)."""
    stat = path.stat()
    return _load_cached(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _load_cached(path: Path, _mtime: int, _size: int) -> Guide:
    doc = load_yaml(path, what="guide", max_bytes=MAX_GUIDE_BYTES)
    return guide_from_document(doc, path.stem)


def read_guide(path: Path) -> tuple[Guide, Document]:
    """The guide in `path`, checked against the schema only (see check_guide for the rules)."""
    doc = load_yaml(path, what="guide", max_bytes=MAX_GUIDE_BYTES)
    return guide_struct(doc, path.stem), doc


def guide_struct(doc: Document, guide_id: str) -> Guide:
    guide = convert(doc, Guide)
    return msgspec.structs.replace(guide, id=guide_id, path=str(doc.path))


def guide_from_document(doc: Document, guide_id: str) -> Guide:
    guide = guide_struct(doc, guide_id)
    errors = [f for f in check_guide(guide, warnings=False) if f.level == "error"]
    if errors:
        first = errors[0]
        raise doc.error(first.field, first.message, hint="run `make-brief guides check`")
    return guide

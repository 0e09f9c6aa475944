"""Appendices: PDF bytes + appendix PDFs → one PDF. The only module that imports pypdf.

Appendices come from anywhere, so each is opened with limits a user can raise (bytes, pages,
and the size its compressed streams inflate to, so that a decompression bomb is refused rather
than passed on), checked (a PDF, not encrypted with a password we do not have), stripped of
active content (JavaScript, launch, remote and automatic actions, links to local files), and
given an outline entry. The brief's own outline and metadata are kept. What pypdf says while it
repairs a damaged file becomes one warning per appendix, never a stray line on stderr.
"""

from __future__ import annotations

import io
import logging
import os
import warnings
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

from ..compose.document import Document
from ..errors import InputError, SettingError
from ..files.loading import read_bounded
from . import compact
from . import pack as pdfpack

MAX_MB_ENV = "MAKE_BRIEF_APPENDIX_MAX_MB"
MAX_PAGES_ENV = "MAKE_BRIEF_APPENDIX_MAX_PAGES"
MAX_INFLATED_MB_ENV = "MAKE_BRIEF_APPENDIX_MAX_INFLATED_MB"
MB = 1_000_000
MAX_APPENDIX_BYTES = 50 * MB
MAX_APPENDIX_PAGES = 500
MAX_APPENDIX_INFLATED = 500 * MB
_CHUNK = 1 << 22


class Limits(msgspec.Struct, frozen=True):
    """What one appendix may be: its size in bytes, its pages, and what its streams inflate to."""

    max_bytes: int = MAX_APPENDIX_BYTES
    max_pages: int = MAX_APPENDIX_PAGES
    max_inflated: int = MAX_APPENDIX_INFLATED

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, each raised (or lowered) by its environment variable when set."""
        return cls(
            max_bytes=_env_number(MAX_MB_ENV, MAX_APPENDIX_BYTES // MB) * MB,
            max_pages=_env_number(MAX_PAGES_ENV, MAX_APPENDIX_PAGES),
            max_inflated=_env_number(MAX_INFLATED_MB_ENV, MAX_APPENDIX_INFLATED // MB) * MB,
        )


def _env_number(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) == 0 or len(text) > 9:
        raise SettingError(f"${name} is {text!r}; it must be a whole number from 1 to 999999999")
    return int(text)


def read_appendix(path: Path, max_bytes: int = MAX_APPENDIX_BYTES) -> bytes:
    """The bytes of an appendix, refusing what is plainly not a PDF before pypdf sees it."""
    data = read_bounded(path, what="appendix", max_bytes=max_bytes, hint=f"raise it with ${MAX_MB_ENV}")
    if b"%PDF-" not in data[:1024]:
        raise InputError("the appendix is not a PDF", file=path, hint="export it as PDF first")
    return data


def merge(
    brief_pdf: bytes, brief: Document, appendices: list[tuple[str, Path]], limits: Limits | None = None
) -> tuple[bytes, int, tuple[str, ...]]:
    """The brief followed by each appendix (each with an outline entry titled as given), the
    page count of the whole, and a warning for each appendix that had to be repaired."""
    from pypdf import PdfReader

    limits = limits or Limits.from_env()
    spliced = _spliced(brief_pdf, appendices, limits)
    if spliced is not None:
        return spliced
    if compact.tagged(brief_pdf) and compact.available():
        return _joined(brief_pdf, brief, appendices, limits)
    writer = _writer_of(PdfReader(io.BytesIO(brief_pdf)))
    notes = []
    for title, path in appendices:
        first = len(writer.pages)
        notes.extend(_append_checked(writer, path, *_opened(path, limits)))
        writer.add_outline_item(title=title, page_number=first)
    _strip_document(writer)
    writer.add_metadata(_info(brief))
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages), tuple(notes)


def _info(brief: Document) -> dict[str, str]:
    return {
        "/Title": brief.title,
        "/Author": brief.author,
        "/Subject": brief.subject,
        "/Keywords": brief.keywords,
        "/Creator": "make-brief",
    }


def _joined(
    brief_pdf: bytes, brief: Document, appendices: list[tuple[str, Path]], limits: Limits
) -> tuple[bytes, int, tuple[str, ...]]:
    """A tagged brief and its appendices: each appendix checked, copied and stripped of active
    content by pypdf, as in the general merge; the brief kept whole and joined to them by qpdf
    (compact.join), which keeps its structure tree and packs the whole."""
    parts, notes = [], []
    for title, path in appendices:
        data, said = _stripped(path, limits)
        parts.append((title, data))
        notes.extend(said)
    pdf, pages = compact.join(brief_pdf, parts, _info(brief))
    return pdf, pages, tuple(notes)


_STRIPPED: OrderedDict[tuple, tuple[bytes, list[str]]] = OrderedDict()


def _stripped(path: Path, limits: Limits) -> tuple[bytes, list[str]]:
    """The appendix at `path` checked and written again without active content (and its
    notes); made once per process for an appendix kept open (a guide's, in a batch)."""
    from pypdf import PdfWriter

    reader, said = _opened(path, limits)
    opened = next((key for key, (kept, _) in _OPENED.items() if kept is reader), None)
    if opened is not None and opened in _STRIPPED:
        return _STRIPPED[opened]
    writer = PdfWriter()
    notes = _append_checked(writer, path, reader, said)
    _strip_document(writer)
    out = io.BytesIO()
    writer.write(out)
    found = (out.getvalue(), notes)
    if opened is not None:
        _STRIPPED[opened] = found
        while len(_STRIPPED) > KEEP_OPENED:
            _STRIPPED.popitem(last=False)
    return found


def _append_checked(writer: Any, path: Path, reader: Any, said_opening: tuple[str, ...]) -> list[str]:
    """The pages of the checked appendix at `path` (its reader, and what pypdf said opening
    it: _opened) appended to `writer`, stripped of active content; a note when it had to be
    repaired."""
    with _pypdf_said() as said:
        first = len(writer.pages)
        try:
            writer.append(reader, import_outline=False)
            _strip_pages(writer.pages[first:])
        except Exception as exc:  # pypdf raises many kinds on damaged files
            raise _unreadable(path, exc) from None
    found = [*said_opening, *said]
    if not found:
        return []
    return [f"{path}: the appendix is damaged and was repaired as far as possible ({found[0]})"]


def _writer_of(reader: Any) -> Any:
    """A writer that starts with the brief: a tagged brief (Typst's) cloned whole, so that its
    structure tree, language and mark info stay (its pages tagged, the appendices' not); any
    other copied page by page with its outline."""
    from pypdf import PdfWriter

    if "/StructTreeRoot" in reader.trailer["/Root"]:
        return PdfWriter(clone_from=reader)
    writer = PdfWriter()
    writer.append(reader, import_outline=True)
    return writer


def _spliced(
    brief_pdf: bytes, appendices: list[tuple[str, Path]], limits: Limits
) -> tuple[bytes, int, tuple[str, ...]] | None:
    """The merge of a brief as reportlab wrote it, without reading it back: each appendix's
    pages serialised by pypdf to follow the brief's objects (once per process for a kept
    appendix), spliced into its page tree and outline (pack.py). None for another PDF (another
    back end's, whose page tree or outline reportlab did not write): pypdf merges it.

    Unlike the pypdf merge below, the brief's objects and metadata (its dates, its /ID) are
    kept as reportlab made them, and the result is packed as the brief alone is."""
    doc = pdfpack.objects_of(brief_pdf)
    if doc is None or not pdfpack.spliceable(doc):
        return None
    parts, notes = [], []
    pages = doc.bodies[doc.pages - 1].count(b" 0 R")
    after = len(doc.bodies)
    for title, path in appendices:
        reader, said_opening = _opened(path, limits)
        part, said = _part(path, reader, after, doc.pages)
        parts.append((title, part))
        after, pages = max(part.bodies), pages + len(part.pages)
        said = (*said_opening, *said)
        if said:
            notes.append(f"{path}: the appendix is damaged and was repaired as far as possible ({said[0]})")
    merged = pdfpack.splice(doc, parts)
    return None if merged is None else (merged, pages, tuple(notes))


_PARTS: OrderedDict[tuple, tuple[pdfpack.Part, tuple[str, ...]]] = OrderedDict()


def _part(path: Path, reader: Any, after: int, parent: int) -> tuple[pdfpack.Part, tuple[str, ...]]:
    """The pages of `reader`, stripped of active content, serialised with the object numbers
    that follow `after` and `parent` as their page tree; and what pypdf said on the way. Kept
    for an appendix kept open: in a batch, the same guide appendix follows briefs of the same
    length, so pypdf copies its pages once per worker rather than once per brief."""
    from pypdf import PdfWriter
    from pypdf.generic import IndirectObject, NameObject, NullObject

    # the file's key in _OPENED (its path, size, time and inode), not the reader's id: an id
    # is reused once a reader is let go
    opened = next((key for key, (kept, _) in _OPENED.items() if kept is reader), None)
    key = (opened, after, parent)
    kept = _PARTS.get(key) if opened is not None else None
    if kept is not None:
        return kept
    writer = PdfWriter()
    while len(writer._objects) < after:  # numbers up to `after` are the brief's
        writer._add_object(NullObject())
    with _pypdf_said() as said:
        try:
            writer.append(reader, import_outline=False)
            pages = list(writer.pages)
            _strip_pages(pages)
        except Exception as exc:  # pypdf raises many kinds on damaged files
            raise _unreadable(path, exc) from None
    bodies = {}
    for page in pages:
        page[NameObject("/Parent")] = IndirectObject(parent, 0, writer)
    for number in range(after + 1, len(writer._objects) + 1):
        obj = writer._objects[number - 1]
        if obj is not None:
            out = io.BytesIO()
            obj.write_to_stream(out)
            bodies[number] = out.getvalue()
    numbers = tuple(page.indirect_reference.idnum for page in pages)  # type: ignore[union-attr]
    found = (pdfpack.Part(bodies, numbers), tuple(said))
    if opened is not None:
        _PARTS[key] = found
        while len(_PARTS) > KEEP_OPENED * 2:  # the oldest made go first
            _PARTS.popitem(last=False)
    return found


_OPENED: OrderedDict[tuple, tuple[Any, tuple[str, ...]]] = OrderedDict()
KEEP_OPENED = 4  # appendices kept open per process
KEEP_OPENED_BYTES = 2 * MB  # ... when at most this size


def _opened(path: Path, limits: Limits) -> tuple[Any, tuple[str, ...]]:
    """The checked reader of an appendix, and what pypdf said while opening it.

    A small file that has not changed is opened once per process: a guide's own appendix goes
    into every brief of a batch, and pypdf copies pages out of a reader without changing it."""
    from pypdf import PdfReader

    try:
        stat = os.stat(path)
        key: tuple | None = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino, limits)
    except OSError:
        key = None  # read_appendix says what is wrong
    if key is not None and key in _OPENED:
        _OPENED.move_to_end(key)
        return _OPENED[key]
    data = read_appendix(path, limits.max_bytes)
    with _pypdf_said() as said:
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            _check(reader, path, limits)
        except InputError:
            raise
        except Exception as exc:  # pypdf raises many kinds on damaged files
            raise _unreadable(path, exc) from None
    opened = (reader, tuple(said))
    if key is not None and len(data) <= KEEP_OPENED_BYTES:
        _OPENED[key] = opened
        while len(_OPENED) > KEEP_OPENED:
            _OPENED.popitem(last=False)
    return opened


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(f"the appendix is not a readable PDF ({type(exc).__name__})", file=path)


def _check(reader: Any, path: Path, limits: Limits) -> None:
    """Refuse an appendix that is locked, empty, too long, or inflates past the limit."""
    if reader.is_encrypted and not reader.decrypt(""):
        raise InputError("the appendix is encrypted with a password", file=path, hint="save an unlocked copy")
    pages = len(reader.pages)
    if pages == 0:
        raise InputError("the appendix has no pages", file=path)
    if pages > limits.max_pages:
        raise InputError(
            f"the appendix has {pages:,} pages, over the limit of {limits.max_pages:,}",
            file=path,
            hint=f"raise it with ${MAX_PAGES_ENV}",
        )
    inflated = 0
    for stream in _streams(reader):
        inflated += _inflated_size(stream, limits.max_inflated - inflated)
        if inflated > limits.max_inflated:
            raise InputError(
                f"the appendix's compressed content inflates to over {limits.max_inflated // MB:,} MB",
                file=path,
                hint=f"a decompression bomb? raise the limit with ${MAX_INFLATED_MB_ENV}",
            )


def _streams(reader: Any) -> Iterator[Any]:
    """Each stream reachable from the appendix's pages, once (contents, images, fonts, forms)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [page for page in reader.pages]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, StreamObject):
            yield item
        if isinstance(item, DictionaryObject):
            stack.extend(value for name, value in item.items() if name != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _inflated_size(stream: Any, budget: int) -> int:
    """How many bytes a Flate stream inflates to, counted in chunks and given up once over
    `budget`: memory stays at one chunk whatever the stream claims."""
    filters = stream.get("/Filter")
    first = filters[0] if isinstance(filters, list) and filters else filters
    raw = getattr(stream, "_data", b"")  # the still-encoded bytes; get_data() would decode
    if first not in ("/FlateDecode", "/Fl") or not raw:
        return 0
    inflater, total, pending = zlib.decompressobj(), 0, raw
    try:
        while total <= budget:
            out = inflater.decompress(pending, _CHUNK)
            total += len(out)
            pending = inflater.unconsumed_tail
            if not out:
                break
    except zlib.error:  # damaged: pypdf copies it as it is, and readers skip it
        pass
    return total


class _Said(logging.Handler):
    def __init__(self, found: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.found = found

    def emit(self, record: logging.LogRecord) -> None:
        self.found.append(" ".join(record.getMessage().split())[:120])


@contextmanager
def _pypdf_said() -> Iterator[list[str]]:
    """What pypdf logs or warns about while it reads one appendix, collected instead of
    reaching stderr as stray lines."""
    found: list[str] = []
    logger = logging.getLogger("pypdf")
    handler, propagate = _Said(found), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield found
        found.extend(" ".join(str(w.message).split())[:120] for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


_ACTIVE = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition"}
_WEB = ("http://", "https://", "mailto:")


def _dangerous(action: Any) -> bool:
    """Whether an action (or one it chains to with /Next) runs code, opens another file or
    program, sends data, or links to something other than a web page or an e-mail address."""
    todo, steps = [action], 0
    while todo:
        steps += 1
        if steps > 100:  # a /Next chain that loops or fans out: not something to keep
            return True
        item = todo.pop()
        if item is None:
            continue
        item = item.get_object()
        if not hasattr(item, "get"):
            continue
        kind = item.get("/S")
        if kind in _ACTIVE:
            return True
        if kind == "/URI" and not str(item.get("/URI", "")).lower().startswith(_WEB):
            return True
        chained = item.get("/Next")
        todo.extend(chained if isinstance(chained, list) else [chained])
    return False


def _strip_document(writer: Any) -> None:
    """Remove document-level actions, scripts and embedded files."""
    from pypdf.generic import NameObject

    root = writer._root_object
    for key in ("/OpenAction", "/AA"):
        root.pop(NameObject(key), None)
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        names.pop(NameObject("/JavaScript"), None)
        names.pop(NameObject("/EmbeddedFiles"), None)


def _strip_pages(pages: Any) -> None:
    """Remove page-level and annotation actions that would run in a reader."""
    from pypdf.generic import NameObject

    for page in pages:
        page.pop(NameObject("/AA"), None)
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if not hasattr(annot, "pop"):
                continue
            annot.pop(NameObject("/AA"), None)
            if _dangerous(annot.get("/A")):
                annot.pop(NameObject("/A"), None)


def lock(pdf: bytes, password: str) -> bytes:
    """`pdf` encrypted with AES-256 (PDF 2.0's standard security handler, revision 6), opened
    with `password`. pypdf's default is RC4, which readers no longer trust: the algorithm is
    named. The owner password is random and kept nowhere: the user password opens the whole
    brief, and no one can lift the lock without it. AES draws a random key and IVs, so the
    bytes of a locked brief differ from run to run; what it says does not."""
    import secrets

    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata(dict(reader.metadata or {}))  # its dates and producer, as made
    writer.encrypt(user_password=password, owner_password=secrets.token_urlsafe(32), algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

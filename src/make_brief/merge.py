"""Appendices: PDF bytes + appendix PDFs → one PDF. The only module that imports pypdf.

Appendices come from anywhere, so each is opened with limits (size, pages), checked (a PDF, not
encrypted with a password we do not have), stripped of active content (JavaScript, launch and
automatic actions), and given an outline entry. The brief's own outline and metadata are kept.
"""

from __future__ import annotations

import io
from pathlib import Path

from .document import Brief
from .errors import InputError

MAX_APPENDIX_BYTES = 50_000_000
MAX_APPENDIX_PAGES = 500


def read_appendix(path: Path, max_bytes: int = MAX_APPENDIX_BYTES) -> bytes:
    """The bytes of an appendix, refusing what is plainly not a PDF before pypdf sees it."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError("the appendix is not a regular file", file=path)
        if size > max_bytes:
            raise InputError(f"the appendix is {size:,} bytes, over the {max_bytes:,}-byte limit", file=path)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the appendix: {exc.strerror}", file=path) from None
    if b"%PDF-" not in data[:1024]:
        raise InputError("the appendix is not a PDF", file=path, hint="export it as PDF first")
    return data


def merge(
    brief_pdf: bytes, brief: Brief, appendices: list[tuple[str, Path]], max_pages: int = MAX_APPENDIX_PAGES
) -> tuple[bytes, int]:
    """The brief followed by each appendix (each with an outline entry titled as given), and
    the page count of the whole."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(brief_pdf)), import_outline=True)
    for title, path in appendices:
        data = read_appendix(path)
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                if not reader.decrypt(""):
                    raise InputError(
                        "the appendix is encrypted with a password", file=path, hint="save an unlocked copy"
                    )
            pages = len(reader.pages)
            if pages == 0:
                raise InputError("the appendix has no pages", file=path)
            if pages > max_pages:
                raise InputError(
                    f"the appendix has {pages:,} pages, over the limit of {max_pages:,}", file=path
                )
            first = len(writer.pages)
            writer.append(reader, import_outline=False)
        except InputError:
            raise
        except (
            PdfReadError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            RecursionError,
            OSError,
        ) as exc:
            raise InputError(
                f"the appendix is not a readable PDF ({type(exc).__name__})", file=path
            ) from None
        except Exception as exc:  # pypdf raises many kinds on damaged files
            raise InputError(
                f"the appendix is not a readable PDF ({type(exc).__name__})", file=path
            ) from None
        writer.add_outline_item(title=title, page_number=first)
    _strip_active_content(writer)
    writer.add_metadata(
        {
            "/Title": brief.title,
            "/Author": brief.author,
            "/Subject": brief.subject,
            "/Keywords": brief.keywords,
            "/Creator": "make-brief",
        }
    )
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _strip_active_content(writer: object) -> None:
    """Remove document- and page-level actions that would run in a reader."""
    from pypdf.generic import NameObject

    root = writer._root_object  # type: ignore[attr-defined]
    for key in ("/OpenAction", "/AA"):
        root.pop(NameObject(key), None)
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        names.pop(NameObject("/JavaScript"), None)
        names.pop(NameObject("/EmbeddedFiles"), None)
    for page in writer.pages:  # type: ignore[attr-defined]
        page.pop(NameObject("/AA"), None)
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            annot.pop(NameObject("/AA"), None)
            action = annot.get("/A")
            if action is not None and action.get_object().get("/S") in (
                "/JavaScript",
                "/Launch",
                "/SubmitForm",
                "/ImportData",
            ):
                annot.pop(NameObject("/A"), None)

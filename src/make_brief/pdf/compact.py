"""A PDF's objects packed into compressed object streams (qpdf, through pikepdf): a tagged PDF
holds hundreds of small structure elements that its writer (Typst) leaves uncompressed, a half of
the file. Nothing else changes: the same pages, structure tree, metadata and standards; the file
/ID is made from the content (qpdf's deterministic /ID), so identical inputs give identical bytes.

pikepdf comes with the typst extra (make-brief[typst]); without it the PDF is kept as it is.
"""

from __future__ import annotations

import io
from typing import Any


def compact(pdf: bytes) -> bytes:
    """`pdf` with its objects in object streams, or `pdf` itself without pikepdf."""
    try:
        import pikepdf
    except ImportError:  # pragma: no cover - the typst extra installs it
        return pdf
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return _saved(document)


def tagged(pdf: bytes) -> bool:
    """Whether `pdf` has a structure tree (Typst's; reportlab's never has): a look at the
    bytes, as the writer (Typst) leaves the catalog uncompressed."""
    return b"/StructTreeRoot" in pdf


def pack_tagged(pdf: bytes) -> bytes:
    """A tagged PDF packed (`compact`), any other as it is (reportlab's: the same bytes)."""
    return compact(pdf) if tagged(pdf) and available() else pdf


def _saved(document: Any) -> bytes:
    import pikepdf

    out = io.BytesIO()
    document.save(
        out,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        deterministic_id=True,
        compress_streams=True,
    )
    return out.getvalue()


def available() -> bool:
    from importlib.util import find_spec

    return find_spec("pikepdf") is not None


def join(brief_pdf: bytes, parts: list[tuple[str, bytes]], info: dict[str, str]) -> tuple[bytes, int]:
    """A tagged brief followed by each part (an appendix's pages, already checked and stripped
    of active content by merge.py), each with an outline entry; the document information
    `info`; the whole packed in object streams. qpdf keeps the brief's structure tree, language
    and mark info as they are (pypdf's clone of a tagged brief's hundreds of structure elements
    took a tenth of a second per brief). The whole and its page count."""
    import pikepdf

    with pikepdf.open(io.BytesIO(brief_pdf)) as document:
        starts = []
        opened = []
        for title, data in parts:
            part = pikepdf.open(io.BytesIO(data))
            opened.append(part)
            starts.append((title, len(document.pages)))
            document.pages.extend(part.pages)
        with document.open_outline() as outline:
            for title, first in starts:
                outline.root.append(pikepdf.OutlineItem(title, first))
        for key, value in info.items():
            document.docinfo[pikepdf.Name(key)] = value
        packed, pages = _saved(document), len(document.pages)
        for part in opened:
            part.close()
    return packed, pages

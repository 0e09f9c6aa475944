"""A PDF's objects packed into compressed object streams (qpdf, through pikepdf): a tagged PDF
holds hundreds of small structure elements that its writer (Typst) leaves uncompressed, a half of
the file. Nothing else changes: the same pages, structure tree, metadata and standards; the file
/ID is made from the content (qpdf's deterministic /ID), so identical inputs give identical bytes.

pikepdf comes with the typst extra (make-brief[typst]); without it the PDF is kept as it is.
"""

from __future__ import annotations

import io


def compact(pdf: bytes) -> bytes:
    """`pdf` with its objects in object streams, or `pdf` itself without pikepdf."""
    try:
        import pikepdf
    except ImportError:  # pragma: no cover - the typst extra installs it
        return pdf
    with pikepdf.open(io.BytesIO(pdf)) as document:
        out = io.BytesIO()
        document.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
            compress_streams=True,
        )
    return out.getvalue()

"""The floor: the example brief's same text and tables drawn with reportlab's raw canvas at
fixed positions, with the same embedded font. No layout engine, no wrapping logic beyond a
fixed character count, no outline: the least work that still produces the same content.

    python benchmarks/floor.py out.pdf      # writes the floor PDF of examples/offer.yaml
"""

from __future__ import annotations

import io
import sys
import textwrap
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from make_brief.document import Brief
from make_brief.templates import plain

ROOT = Path(__file__).resolve().parent.parent


def floor_pdf(brief: Brief, font: str) -> bytes:
    """Draw every block of `brief` as plain lines; tables as cells on a fixed grid."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    width, height = A4
    left, top, bottom, size = 56, height - 56, 56, 9
    y = top

    def line(text: str, x: float = left, face: str = font, fsize: float = size) -> None:
        nonlocal y
        if y < bottom:
            canvas.showPage()
            y = top
        canvas.setFont(face, fsize)
        canvas.drawString(x, y, text)
        y -= fsize * 1.4

    for section in brief.sections:
        for block in section.blocks:
            if block.kind in ("rows", "table"):
                rows = block.rows if block.kind == "rows" else (block.table.header, *block.table.rows)
                for row in rows:
                    step = (width - 2 * left) / max(len(row), 1)
                    for i, cell in enumerate(row):
                        canvas.setFont(font, size)
                        canvas.drawString(left + i * step, y, plain(cell)[:60])
                    canvas.line(left, y - 3, width - left, y - 3)
                    y -= size * 1.6
                    if y < bottom:
                        canvas.showPage()
                        y = top
            elif block.kind == "chart" and block.chart is not None:
                for row in block.chart.rows:
                    line(f"{row.label}: {row.low_text} – {row.high_text}; {row.offer_text}; {row.ask_text}")
                    canvas.rect(left + 120, y + 4, 200, 6, fill=1, stroke=0)
            else:
                bold = block.kind in ("title", "heading", "subheading")
                for text in textwrap.wrap(plain(block.text), 100) or [""]:
                    line(text, face=font + "-Bold" if bold else font, fsize=14 if bold else size)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def example_brief() -> tuple[Brief, Any]:
    """The example offer loaded and composed into its brief, with the default template: the
    work the floor does before it draws."""
    from make_brief.compose import compose
    from make_brief.compute import compute
    from make_brief.offer import load_offer
    from make_brief.pipeline import today
    from make_brief.templates import load_template

    offer = load_offer(ROOT / "examples" / "offer.yaml")
    template = load_template()
    return compose(offer, compute(offer), template, today()), template


def floor_from_example() -> bytes:
    from make_brief.render import _register_fonts  # the brief's own fonts, registered once

    brief, template = example_brief()
    return floor_pdf(brief, _register_fonts(template))


if __name__ == "__main__":
    pdf = floor_from_example()
    Path(sys.argv[1] if len(sys.argv) > 1 else "floor.pdf").write_bytes(pdf)

"""The floor: the example brief's same text and tables drawn with reportlab's raw canvas at
fixed positions, with the same embedded font. No layout engine, no wrapping logic beyond a
fixed character count, no outline: the least work that still produces the same content.
Its appendices (the offer letter, the guide's own) are appended as make-brief now appends
them, the least work known: spliced into the canvas's own objects (make_brief.pdf.pack), each
appendix's pages serialised by pypdf once per process; no checks, no clean-up, one outline
entry (the splice hangs the appendices' entries after it).

    python benchmarks/floor.py out.pdf                         # the floor PDF of examples/offer.yaml
    python benchmarks/floor.py --cold OFFER.yaml OUT.pdf       # one floor brief, in a new process
    python benchmarks/floor.py --batch DIR OUTDIR -j 2         # a batch, as make-brief's is run

A cold floor imports only what it uses: reportlab's canvas (not platypus), pypdf, and
make-brief's loading and wording (PyYAML, msgspec, Jinja, babel); it registers the two faces
it draws with. A batch floor runs its items in worker processes started by a fork server that
has imported all of that, as make-brief's batch does.
"""

from __future__ import annotations

import io
import sys
import textwrap
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from make_brief.compose.document import Document
from make_brief.compose.sandbox import plain

ROOT = Path(__file__).resolve().parent.parent


def floor_pdf(brief: Document, font: str) -> bytes:
    """Draw every block of `brief` as plain lines; tables as cells on a fixed grid."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    width, height = A4
    left, top, bottom, size = 56, height - 56, 56, 9
    y = top
    canvas.bookmarkPage("brief")
    canvas.addOutlineEntry("Document", "brief", level=0)

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


def example_brief() -> tuple[Document, Any]:
    """The example offer loaded and composed into its brief, with the default template: the
    work the floor does before it draws."""
    from make_brief.advice.compute import compute
    from make_brief.compose.brief import compose
    from make_brief.compose.templates import load_template
    from make_brief.offers.offer import load_offer
    from make_brief.run.pipeline import today

    offer = load_offer(ROOT / "examples" / "offer.yaml")
    template = load_template()
    return compose(offer, compute(offer), template, today()), template


def floor_from_example() -> bytes:
    from make_brief.render.reportlab.render import settings as brief_settings
    from make_brief.render.reportlab.styles import register_fonts  # the brief's own fonts, registered once

    brief, template = example_brief()
    with brief_settings():  # reportlab's settings of a brief: Flate streams without ASCII85
        return floor_pdf(brief, register_fonts(template)[""])


_FONTS: dict[tuple, str] = {}


def floor_fonts(template: Any) -> str:
    """The template's regular and bold faces registered with reportlab, once per process."""
    if template.fonts not in _FONTS:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        name = f"FloorSans{len(_FONTS) or ''}"
        pdfmetrics.registerFont(TTFont(name, str(template.fonts[0])))
        pdfmetrics.registerFont(TTFont(name + "-Bold", str(template.fonts[1])))
        _FONTS[template.fonts] = name
    return _FONTS[template.fonts]


_PARTS: dict[tuple, Any] = {}


def floor_merge(pdf: bytes, appendices: list[str]) -> bytes:
    """`pdf` followed by the pages of each appendix, spliced, each appendix read and its pages
    serialised once per process (and brief length)."""
    from pypdf import PdfReader

    from make_brief.pdf import pack as pdfpack
    from make_brief.pdf.merge import _part

    doc = pdfpack.parse(pdf)
    assert doc is not None
    parts, after = [], len(doc.bodies)
    for path in appendices:
        key = (path, after, doc.pages)
        if key not in _PARTS:
            _PARTS[key] = _part(Path(path), PdfReader(path), after, doc.pages)[0]
        parts.append((Path(path).stem, _PARTS[key]))
        after = max(_PARTS[key].bodies)
    merged = pdfpack.splice(doc, parts)
    assert merged is not None
    return merged


def floor_brief(offer_path: Path) -> bytes:
    """One offer file made into its floor brief: loaded, computed and composed by make-brief
    (with the default template), drawn on the raw canvas, its appendices appended."""
    from make_brief.advice.compute import compute
    from make_brief.compose.brief import compose
    from make_brief.compose.templates import load_template
    from make_brief.offers.offer import load_offer
    from make_brief.run.pipeline import _guide_appendices, today

    offer = load_offer(offer_path)
    template = load_template()
    brief = compose(offer, compute(offer), template, today())
    appendices = [path for _, path in brief.appendices] + [str(p) for _, p in _guide_appendices(offer)]
    return floor_merge(floor_pdf(brief, floor_fonts(template)), appendices)


def _item(path: str) -> tuple[str, bytes]:
    return Path(path).stem + ".pdf", floor_brief(Path(path))


def floor_batch(source: Path, out_dir: Path, jobs: int) -> int:
    """Every offer file in `source` made into `out_dir` by `jobs` worker processes, started
    by a fork server that has imported what they use; the parent writes each PDF."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    files = sorted(str(p) for p in source.iterdir() if p.suffix == ".yaml")
    out_dir.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("forkserver")
    preload = [
        "floor",
        "make_brief.compose.brief",
        "make_brief.offers.offer",
        "make_brief.pdf.merge",
        "pypdf",
    ]
    context.set_forkserver_preload(preload)
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        for name, pdf in pool.map(_item, files, chunksize=1):
            (out_dir / name).write_bytes(pdf)
    return len(files)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--batch"]:
        floor_batch(Path(args[1]), Path(args[2]), int(args[args.index("-j") + 1]) if "-j" in args else 2)
    elif args[:1] == ["--cold"]:
        Path(args[2]).write_bytes(floor_brief(Path(args[1])))
    else:
        pdf = floor_from_example()
        Path(args[0] if args else "floor.pdf").write_bytes(pdf)

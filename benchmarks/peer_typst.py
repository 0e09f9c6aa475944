"""The peer: the same brief laid out by Typst (the `typst` package on PyPI, its compiler in the
wheel), one compiler per process, from the same data.

make-brief loads, computes and composes the brief (its own code, as for its own PDF); this
module turns the composed document model into JSON and Typst lays it out with
`benchmarks/brief.typ`: the same blocks, font (Noto Sans), sizes, colours and margins, five
pages for the example. The appendices are the same PDF files: Typst (0.14 and later) reads a
PDF page as an image, so each appendix page is placed whole on a page of its own with an
outline entry; no pypdf is involved. Only what Typst must be told apart from the brief's
blocks is added here: each appendix's page count, read from its page tree once per process.

    python benchmarks/peer_typst.py OFFER.yaml OUT.pdf        # one brief, a cold run
    python benchmarks/peer_typst.py --batch DIR OUTDIR -j 2    # a batch, 2 worker processes
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TYP = Path(__file__).resolve().parent / "brief.typ"
FONTS = ROOT / "data" / "fonts"

_TAG = re.compile(r"<(/?)(b|i|strong|em|font|br)\b([^>]*)>", re.I)
_COLOR = re.compile(r"""color=["']([^"']+)["']""")


def runs(markup: str) -> list[list[Any]]:
    """reportlab paragraph markup (<b>, <i>, <font color>, <br/>, entities) as runs of
    [text, bold, italic, colour]; what the brief's wording uses, nothing more."""
    out: list[list[Any]] = []
    bold = italic = 0
    colors: list[str | None] = [None]
    at = 0
    for m in _TAG.finditer(markup):
        if m.start() > at:
            out.append([html.unescape(markup[at : m.start()]), bold > 0, italic > 0, colors[-1]])
        at = m.end()
        closing, tag = m.group(1) == "/", m.group(2).lower()
        step = -1 if closing else 1
        if tag in ("b", "strong"):
            bold += step
        elif tag in ("i", "em"):
            italic += step
        elif tag == "font":
            if closing:
                colors.pop() if len(colors) > 1 else None
            else:
                found = _COLOR.search(html.unescape(m.group(3)))
                colors.append(found.group(1) if found else colors[-1])
        elif tag == "br":
            out.append(["\n", False, False, None])
    if at < len(markup):
        out.append([html.unescape(markup[at:]), bold > 0, italic > 0, colors[-1]])
    return out


_PAGES: dict[str, int] = {}


def page_count(path: str) -> int:
    """The page count of a PDF from its page tree's /Count (the largest one: the root's)."""
    if path not in _PAGES:
        counts = re.findall(rb"/Count\s+(\d+)", Path(path).read_bytes())
        _PAGES[path] = max((int(c) for c in counts), default=1)
    return _PAGES[path]


def brief_json(brief: Any, template: Any, appendices: list[tuple[str, str]]) -> str:
    """The composed brief and its template's look, as the JSON that brief.typ reads."""
    import msgspec

    style = template.style

    def block(b: Any, after: Any) -> dict[str, Any]:
        # a paragraph that leads into a table or chart stays with it, as in make-brief
        lead_in = b.kind in ("para", "note") and getattr(after, "kind", "") in ("table", "chart", "bars")
        out: dict[str, Any] = {"kind": b.kind, "text": runs(b.text), "lead_in": lead_in}
        if b.kind == "rows":
            out["rows"] = [[runs(c) for c in row] for row in b.rows]
            out["header"] = b.header
        elif b.table is not None:
            t = b.table
            out["table"] = {
                "header": list(t.header),
                "rows": [list(r) for r in t.rows],
                "highlight": sorted(t.highlight),
                "emphasis": sorted(t.emphasis),
            }
        elif b.chart is not None:
            rows = [
                {
                    "label": r.label,
                    "low": float(r.low),
                    "high": float(r.high),
                    "offer": float(r.offer),
                    "ask": None if r.ask is None else float(r.ask),
                    "low_text": r.low_text,
                    "high_text": r.high_text,
                    "offer_text": r.offer_text,
                    "ask_text": r.ask_text,
                }
                for r in b.chart.rows
            ]
            out["chart"] = {"rows": rows, "legend": list(b.chart.legend)}
        elif b.bars is not None:
            series = [
                {"name": s.name, "values": [float(v) for v in s.values], "labels": list(s.labels)}
                for s in b.bars.series
            ]
            out["bars"] = {"categories": list(b.bars.categories), "series": series}
        return out

    return msgspec.json.encode(
        {
            "title": brief.title,
            "author": brief.author,
            "keywords": [brief.keywords],
            "header": brief.header,
            "footer": brief.footer,
            "sections": [
                {"blocks": [block(b, a) for b, a in zip(s.blocks, (*s.blocks[1:], None), strict=True)]}
                for s in brief.sections
            ],
            "appendices": [(title, os.path.abspath(path), page_count(path)) for title, path in appendices],
            "style": {
                "paper": "us-letter" if style.page_size.lower() == "letter" else "a4",
                "margins": msgspec.structs.asdict(style.margins_mm),
                "colors": {k: v for k, v in msgspec.structs.asdict(style.colors).items() if v},
                "sizes": msgspec.structs.asdict(style.sizes),
                "spacing": msgspec.structs.asdict(style.spacing),
                "leading": style.leading,
                "bullet": style.bullet,
            },
        }
    ).decode()


_COMPILER: list[Any] = []


def compiler() -> Any:
    """This process's one Typst compiler: the template parsed and the fonts found once. Its
    root is the file system's, so that appendices are read from where the offer names them."""
    if not _COMPILER:
        import typst

        _COMPILER.append(
            typst.Compiler(str(TYP), root="/", font_paths=[str(FONTS)], ignore_system_fonts=True)
        )
    return _COMPILER[0]


def make_pdf(offer_path: Path) -> bytes:
    """The example's pipeline up to the document model (make-brief's own load, compute and
    compose), then Typst. SOURCE_DATE_EPOCH dates the PDF, as it does make-brief's."""
    from make_brief.advice.compute import compute
    from make_brief.compose.brief import compose
    from make_brief.compose.templates import load_template
    from make_brief.offers.offer import load_offer
    from make_brief.run.pipeline import _guide_appendices, today

    offer = load_offer(offer_path)
    template = load_template()
    brief = compose(offer, compute(offer), template, today())
    appendices = [*brief.appendices, *((t, str(p)) for t, p in _guide_appendices(offer))]
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return compiler().compile(
        format="pdf",
        sys_inputs={"brief": brief_json(brief, template, appendices)},
        timestamp=int(epoch) if epoch.isdigit() else None,
    )


def _warm_worker() -> None:
    compiler()


def _item(path: str) -> tuple[str, bytes]:
    return Path(path).stem + ".pdf", make_pdf(Path(path))


def batch(source: Path, out_dir: Path, jobs: int) -> int:
    """Every offer file in `source` made into `out_dir` by `jobs` worker processes started
    by a fork server that has imported what they use (as make-brief's batch does), each with
    its own compiler made before its first item, the parent writing each PDF as it comes, in
    input order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    files = sorted(str(p) for p in source.iterdir() if p.suffix == ".yaml")
    out_dir.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["peer_typst", "make_brief.compose.brief", "make_brief.offers.offer", "typst"]
    )
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_warm_worker) as pool:
        for name, pdf in pool.map(_item, files, chunksize=1):
            (out_dir / name).write_bytes(pdf)
    return len(files)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--batch"]:
        jobs = int(argv[argv.index("-j") + 1]) if "-j" in argv else 2
        batch(Path(argv[1]), Path(argv[2]), jobs)
    else:
        Path(argv[1]).write_bytes(make_pdf(Path(argv[0])))


if __name__ == "__main__":
    main(sys.argv[1:])

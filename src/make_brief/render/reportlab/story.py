"""The brief's blocks as platypus flowables: headings kept with what follows them, lists,
tables that repeat their header row when they split, and an outline entry per section."""

from __future__ import annotations

from typing import Any

from markupsafe import escape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ...compose.document import Block, Document
from ...compose.document import Table as TableModel
from ...compose.templates import plain
from .bidi import has_rtl
from .charts import draw_bars, draw_chart
from .paragraph import CachedParagraph, para, shaped
from .styles import Styles


class _Outline(Flowable):
    """A zero-size marker that puts an outline entry (bookmark) where it lands."""

    def __init__(self, title: str, key: str) -> None:
        super().__init__()
        self.title, self.key = title, key

    def wrap(self, *_: Any) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=0, closed=False)


SHORT_LIST = 6  # a list of at most this many bullets is never split across pages


def build_story(brief: Document, st: Styles, width: float, page: float) -> list[Flowable]:
    story: list[Flowable] = []
    for number, section in enumerate(brief.sections):
        outlined = False
        bullets: list[Flowable] = []
        previous = ""
        for block in section.blocks:
            if block.kind == "bullet":
                if not bullets and previous == "para":  # the list's lead-in stays with it
                    bullets.append(story.pop())
                bullets.extend(_block(block, st, width))
                previous = block.kind
                continue
            previous, lead_in = block.kind, previous in ("para", "note") and bool(story)
            story.extend(_kept(bullets))
            bullets = []
            if block.kind in ("table", "chart", "bars") and lead_in:
                story.extend(_with_lead_in(story, _block(block, st, width), page))
                continue
            if block.kind in ("title", "heading") and not outlined:
                story.append(CondPageBreak(35 * mm) if block.kind == "heading" else Spacer(0, 0))
                story.append(_Outline(plain(block.text), f"section-{number}"))
                outlined = True
            story.extend(_block(block, st, width))
        story.extend(_kept(bullets))
    return story


def _with_lead_in(story: list[Flowable], flowables: list[Flowable], page: float) -> list[Flowable]:
    """A table or chart starts a page rather than leave the paragraph that leads into it (and
    the heading before that) alone at the foot of one: a page break goes before them unless
    all of them fit (or unless they could not fit on any page)."""
    start = len(story) - 1  # the lead-in paragraph
    while start > 0 and (
        isinstance(story[start - 1], _Outline)
        or (
            isinstance(story[start - 1], Paragraph)
            and story[start - 1].style.name in ("heading", "subheading")
        )
    ):
        start -= 1
    story.insert(start, _RoomFor([*story[start:], flowables[0]], page))
    return flowables


class _RoomFor(CondPageBreak):
    """A conditional page break that asks for the room its `flowables` take, measured when
    the frame reaches it, with their spacing; never more than a `page` holds."""

    def __init__(self, flowables: list[Flowable], page: float) -> None:
        super().__init__(0)
        self.flowables, self._page = flowables, page

    def wrap(self, width: float, height: float) -> tuple[float, float]:
        parts: list[Flowable] = []
        for f in self.flowables:  # a KeepTogether says it is endless, to be split: measure its parts
            parts.extend(f._content if isinstance(f, KeepTogether) else [f])
        need = sum(
            f.wrapOn(self.canv, width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in parts
        )
        self.height = need if need < self._page else 0
        return super().wrap(width, height)


def _kept(bullets: list[Flowable]) -> list[Flowable]:
    """A short list of bullets (and its lead-in) kept on one page: no last bullet alone on
    the next."""
    if 1 < len(bullets) <= SHORT_LIST + 1:
        for flowable in bullets[:-1]:  # platypus keeps a run of these with what follows, and a
            flowable.keepWithNext = 1  # heading before them with the run
    return bullets


def _block(block: Block, st: Styles, width: float) -> list[Flowable]:
    kind = block.kind
    if kind == "rows":
        return [_rows_table(block, st, width), Spacer(0, st.gap["paragraph"] + 2)]
    if kind == "table" and block.table is not None:
        return [_market_table(block.table, st, width), Spacer(0, 8)]
    if kind == "chart" and block.chart is not None:
        return [draw_chart(block.chart, st, width), Spacer(0, 6)]
    if kind == "bars" and block.bars is not None:
        return [draw_bars(block.bars, st, width), Spacer(0, 6)]
    if kind == "bullet":
        return [para(block.text, st.bullet, st, bullet=st.bullet_mark)]
    style = {
        "title": st.title,
        "heading": st.heading,
        "subheading": st.subheading,
        "quote": st.quote,
        "note": st.note,
    }.get(kind, st.para)
    return [para(block.text, style, st)]


def _rows_table(block: Block, st: Styles, width: float) -> Table:
    columns = max(len(r) for r in block.rows)
    data = []
    for i, row in enumerate(block.rows):
        cells = list(row) + [""] * (columns - len(row))
        if block.header and i == 0:
            data.append([para(c, st.cell_head, st) for c in cells])
        else:
            data.append(
                [
                    para(c, st.cell_label if j == 0 and not block.header else st.cell, st)
                    for j, c in enumerate(cells)
                ]
            )
    if columns == 2 and not block.header:
        widths = [width * 0.22, width * 0.78]
    else:
        widths = [width / columns] * columns
    table = Table(data, colWidths=widths, repeatRows=1 if block.header else 0, hAlign="LEFT")
    commands: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), st.font, st.cell.fontSize),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, st.color["rule"]),
        ("TOPPADDING", (0, 0), (-1, -1), st.gap["cell_padding"] * 0.9),
        ("BOTTOMPADDING", (0, 0), (-1, -1), st.gap["cell_padding"] * 0.9),
        ("LEFTPADDING", (0, 0), (-1, -1), st.gap["cell_padding"]),
    ]
    if block.header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), st.color["accent"]))
    table.setStyle(TableStyle(commands))
    return table


def _market_table(model: TableModel, st: Styles, width: float) -> Table:
    first = width * 0.19
    rest = (width - first) / (len(model.header) - 1)
    widths = [first] + [rest] * (len(model.header) - 1)
    room = [w - 2 * TABLE_PADDING for w in widths]
    data = [[_cell(h, st.cell_head, st, room[j]) for j, h in enumerate(model.header)]]
    for i, row in enumerate(model.rows):
        style = st.cell_label if i in model.emphasis else st.cell
        data.append([_cell(c, style if j == 0 else st.cell, st, room[j]) for j, c in enumerate(row)])
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    size = st.cell.fontSize
    commands: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), st.font, size, st.cell.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), st.cell.textColor),
        ("FONT", (0, 0), (-1, 0), st.cell_head.fontName, size, st.cell.leading),
        ("TEXTCOLOR", (0, 0), (-1, 0), st.cell_head.textColor),
        ("BACKGROUND", (0, 0), (-1, 0), st.color["accent"]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, st.color["rule"]),
        ("TOPPADDING", (0, 0), (-1, -1), st.gap["cell_padding"]),
        ("BOTTOMPADDING", (0, 0), (-1, -1), st.gap["cell_padding"]),
        ("LEFTPADDING", (0, 0), (-1, -1), TABLE_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), TABLE_PADDING),
    ]
    for i in model.emphasis:
        commands.append(("FONT", (0, i + 1), (0, i + 1), st.cell_label.fontName, size, st.cell.leading))
        commands.append(("TEXTCOLOR", (0, i + 1), (0, i + 1), st.cell_label.textColor))
    for i in model.highlight:
        commands.append(("BACKGROUND", (0, i + 1), (-1, i + 1), st.color["highlight"]))
    if model.emphasis:
        first_em = min(model.emphasis) + 1
        commands.append(("LINEABOVE", (0, first_em), (-1, first_em), 1.0, st.color["accent"]))
        commands.append(("BACKGROUND", (0, first_em), (-1, -1), st.color["accent_light"]))
    table.setStyle(TableStyle(commands))
    return KeepTogether([table])


TABLE_PADDING = 6


def _cell(text: str, style: ParagraphStyle, st: Styles, room: float) -> str | Paragraph:
    """A cell of plain text: the string itself when it fits on one line (a Table draws a
    string as it is, never parsing it, and without the cost of a Paragraph), else a
    Paragraph of the escaped text that wraps."""
    if (st.fallback and any(ch in st.fallback for ch in text)) or has_rtl(text):  # markup, shaped
        return CachedParagraph(st.markup(str(escape(text))), shaped(style, text))
    text = st.drawable(text)
    if "\n" not in text and pdfmetrics.stringWidth(text, style.fontName, style.fontSize) <= room:
        return text
    return CachedParagraph(str(escape(text)), style)

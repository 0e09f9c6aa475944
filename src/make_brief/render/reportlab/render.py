"""Rendering: the document model → PDF bytes. The only module that imports reportlab.

Layout is reportlab's platypus: headings keep with what follows them, tables repeat their
header row when they split, every section gets an outline entry, and the footer says
"page X of Y". Fonts are registered once per process. Text that came from the inputs reaches
this module already escaped (see templates.escape_data); table cells and chart labels, which are
plain text, are escaped here.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
from markupsafe import escape
from reportlab import rl_config
from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.paragraph import cleanBlockQuotedText

from ...compose.document import Bars, Block, Chart, Document
from ...compose.document import Table as TableModel
from ...compose.templates import FONT_KEYS, Template, plain
from ...errors import TemplateError
from ...files.clock import today
from ...pdf.pack import pack
from ..backend import Rendered
from .lines import LINES

PAGE_SIZES = {"a4": A4, "letter": LETTER}

# reportlab's process-wide settings a brief is made with, set around each build (`settings`)
# and put back after it, so that a program that uses reportlab itself keeps its own:
# - useA85: streams as binary Flate only; reportlab's default also wraps them in ASCII85, a
#   text encoding that adds a quarter to every compressed stream and that no reader needs.
# - shapeChecking: reportlab.graphics checks each attribute of each shape as it is set (a help
#   "when developing", its own comment says): a third of the two charts' time, for values this
#   module sets from a validated template. The check is read at each assignment.
RL_SETTINGS = {"useA85": 0, "shapeChecking": 0}


@contextmanager
def settings() -> Iterator[None]:
    """reportlab's settings for a brief (RL_SETTINGS), and the process's own back after it."""
    before = {key: getattr(rl_config, key) for key in RL_SETTINGS}
    for key, value in RL_SETTINGS.items():
        setattr(rl_config, key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            setattr(rl_config, key, value)


FAMILY = "BriefSans"


# --- fonts ---------------------------------------------------------------------------------


_FAMILIES: dict[tuple[Path, ...], dict[str, str]] = {}
_ATTEMPTS = itertools.count()  # reportlab's font registry is per process too


def _register_fonts(template: Template) -> dict[str, str]:
    """Register the template's TrueType family once per process; reportlab embeds only the
    glyphs a brief uses. The face names by variant ("", "-Bold", "-Italic", "-BoldItalic"):
    a file named for two faces is one face under one name."""
    key = template.fonts
    if key in _FAMILIES:
        return _FAMILIES[key]
    n = next(_ATTEMPTS)  # a name never reused, not even after a registration that failed half-way
    family = f"{FAMILY}{n or ''}"
    names: dict[str, str] = {}
    by_file: dict[Path, str] = {}  # one face per file: a file named twice is parsed and embedded once
    for variant, path, field in zip(("", "-Bold", "-Italic", "-BoldItalic"), key, FONT_KEYS, strict=True):
        if path in by_file:
            names[variant] = by_file[path]
            continue
        name = family + variant
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except Exception as exc:  # reportlab raises TTFError and friends
            raise template.style_error(
                f"fonts.{field}", f"cannot use {path.name} as a font: {_first_line(exc)}"
            ) from None
        names[variant] = by_file[path] = name
    pdfmetrics.registerFontFamily(
        family,
        normal=names[""],
        bold=names["-Bold"],
        italic=names["-Italic"],
        boldItalic=names["-BoldItalic"],
    )
    _FAMILIES[key] = names
    return names


# --- styles --------------------------------------------------------------------------------


class Styles:
    """The template's fonts, colours, spacing and paragraph styles, as reportlab takes them."""

    def __init__(self, template: Template) -> None:
        style = template.style
        faces = _register_fonts(template)
        self.font, self.bold, self.italic = faces[""], faces["-Bold"], faces["-Italic"]
        self.color = {
            k: colors.HexColor(v) for k, v in msgspec.structs.asdict(style.colors).items() if v is not None
        }
        self.size, self.lead = msgspec.structs.asdict(style.sizes), style.leading
        self.gap = msgspec.structs.asdict(style.spacing)
        self.bullet_mark = style.bullet
        self._headings(template)
        self._body()
        self.small = self.size["small"]
        self.covered = _covered(self.font)
        self.missing: set[str] = set()
        self.fallback: dict[str, str] = {}  # a character the font lacks -> the font that has it

    def _ps(self, name: str, fsize: float, **kw: Any) -> ParagraphStyle:
        base = dict(
            fontName=self.font,
            bulletFontName=self.font,
            fontSize=fsize,
            leading=fsize * self.lead,
            textColor=self.color["text"],
            alignment=TA_LEFT,
        )
        base.update(kw)
        return ParagraphStyle(name, **base)

    def _headings(self, template: Template) -> None:
        size, band = self.size, self.color.get("title_background")
        self.title = self._ps(
            "title",
            size["title"],
            fontName=self.bold,
            textColor=self.color["title"],
            backColor=band,
            borderColor=band,
            borderPadding=(size["title"] * 0.35, 6, size["title"] * 0.35, 6) if band else 0,
            spaceBefore=size["title"] * 0.35 if band else 0,
            spaceAfter=size["title"] * 0.35 + 2 if band else 2,
            leading=size["title"] * 1.2,
            # room for the logo at the top right of the first page
            rightIndent=template.style.logo_width_mm * mm + 8 if template.logo else 0,
        )
        self.heading = self._ps(
            "heading",
            size["h2"],
            fontName=self.bold,
            textColor=self.color["heading"],
            spaceBefore=self.gap["section"],
            spaceAfter=self.gap["heading_after"],
            keepWithNext=1,
        )
        self.subheading = self._ps(
            "subheading", size["h3"], fontName=self.bold, spaceBefore=8, spaceAfter=3, keepWithNext=1
        )

    def _body(self) -> None:
        size, ps = self.size, self._ps
        self.para = ps("para", size["body"], spaceAfter=self.gap["paragraph"])
        self.bullet = ps("bullet", size["body"], leftIndent=12, bulletIndent=2, spaceAfter=2)
        self.quote = ps(
            "quote",
            size["body"] + 0.5,
            fontName=self.italic,
            leftIndent=12,
            rightIndent=6,
            borderPadding=(6, 8, 6, 8),
            backColor=self.color["accent_light"],
            spaceBefore=4,
            spaceAfter=8,
            borderColor=self.color["accent_light"],
            borderWidth=0,
            keepWithNext=1,  # a lever's quote and its verdict stay on one page
        )
        self.note = ps("note", size["small"], textColor=self.color["muted"], spaceAfter=self.gap["paragraph"])
        table = size["table"]
        self.cell = ps("cell", table, leading=table * 1.3)
        self.cell_head = ps(
            "cell_head", table, fontName=self.bold, textColor=self.color["on_accent"], leading=table * 1.3
        )
        self.cell_label = ps(
            "cell_label", table, fontName=self.bold, textColor=self.color["muted"], leading=table * 1.3
        )

    def find_fallbacks(self, brief: Document) -> None:
        """Register installed fonts (fonts.py) for the characters of `brief` that the
        template's font lacks: paragraphs, table cells and the page header then draw them."""
        # the distinct characters first: the brief's text is some 20,000 of them, 100 distinct
        text = set(msgspec.json.encode(brief).decode("utf-8"))
        lacking = {ch for ch in text if ch not in self.covered and not ch.isspace()} - _INVISIBLE
        if not lacking:
            return
        from .fonts import fallbacks

        for found in fallbacks(frozenset(lacking)):
            name = _register_fallback(found.data)
            self.fallback.update(dict.fromkeys(found.chars, name))

    def drawable(self, text: str) -> str:
        """`text` without the characters the font cannot draw; those are noted in `missing`."""
        if self.covered.issuperset(text):  # nearly always: one pass in C
            return text
        lacking = {ch for ch in text if ch not in self.covered and ch not in "\n\t"}
        if not lacking:
            return text
        self.missing |= lacking - _INVISIBLE
        return "".join(ch for ch in text if ch not in lacking)

    def markup(self, text: str) -> str:
        """Paragraph markup `text` with each run of characters that a fallback font draws set
        in that font (outside tags and entities); what no font draws is left out, noted."""
        if not self.fallback or self.covered.issuperset(text):
            return self.drawable(text)
        out = []
        for piece in _MARKUP.split(text):
            if piece.startswith(("<", "&")):
                out.append(piece)
                continue
            for font, run in self.runs(piece):
                out.append(run if font is None else f'<font name="{font}">{run}</font>')
        return "".join(out)

    def runs(self, text: str) -> list[tuple[str | None, str]]:
        """`text` in runs of one font: None for the template's, else a fallback's name; what
        no font draws is left out and noted in `missing`."""
        found: list[tuple[str | None, str]] = []
        for ch in text:
            if ch in self.covered or ch in "\n\t":
                font = None
            elif ch in self.fallback:
                font = self.fallback[ch]
            else:
                if ch not in _INVISIBLE:
                    self.missing.add(ch)
                continue
            if found and found[-1][0] == font:
                found[-1] = (font, found[-1][1] + ch)
            else:
                found.append((font, ch))
        return found

    def width(self, text: str, font: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(run, other or font, size) for other, run in self.runs(text))

    def draw(self, canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
        """drawString, with each run in its own font."""
        for other, run in self.runs(text):
            canvas.setFont(other or font, size)
            canvas.drawString(x, y, run)
            x += pdfmetrics.stringWidth(run, other or font, size)
        canvas.setFont(font, size)


_MARKUP = re.compile(r"(<[^>]*>|&[#\w]+;)")
_COVERED: dict[str, frozenset[str]] = {}


def _covered(font: str) -> frozenset[str]:
    """The characters `font` has a glyph for, made once per process: a face maps some 3,000."""
    if font not in _COVERED:
        _COVERED[font] = frozenset(map(chr, pdfmetrics.getFont(font).face.charToGlyph))
    return _COVERED[font]


_FALLBACKS: dict[str, str] = {}


def _register_fallback(data: bytes) -> str:
    """Register TrueType `data` once per process under a name of its own: as a family whose
    bold and italic are itself, so that <b> around it still finds a face."""
    key = hashlib.sha256(data).hexdigest()[:16]
    if key not in _FALLBACKS:
        name = f"BriefFallback-{key}"
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
        _FALLBACKS[key] = name
    return _FALLBACKS[key]


_INVISIBLE = frozenset("\ufe0e\ufe0f\u200d\u200b")


# --- flowables -----------------------------------------------------------------------------


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


class _Paragraph(Paragraph):
    """A Paragraph that breaks its lines once per width, and takes them from an earlier
    paragraph of this process with the same markup, style, bullet and width.

    platypus measures most flowables more than once at the same width: a KeepTogether wraps
    its content and the frame wraps it again, a Table wraps its cells to size its rows and
    again to draw them. Half the line breaking of a brief was such repeats. The lines depend
    only on the paragraph's text, style and widths. reportlab's breakLines also replaces
    `frags` with the words it measured, which the lines point into: the lines kept are those
    of that same call, so the two stay matched. The parts of a split paragraph are new
    paragraphs, with no lines of their own yet.

    Across paragraphs (lines.py): markup is parsed only when its first break is not in
    the cache, and a shared layout is never changed: before a split, or a break at another
    width, the paragraph parses and breaks again for itself, as it would have without the
    cache, so the same pages result."""

    def __init__(
        self,
        text: Any,
        style: Any = None,
        bulletText: Any = None,  # noqa: N803 (reportlab's name)
        frags: Any = None,
        **kw: Any,
    ) -> None:
        source = _source_key(text, style, bulletText, frags, kw)
        if source is None:
            super().__init__(text, style, bulletText, frags, **kw)
            return
        # what Paragraph.__init__ sets before it parses; the parse waits for the first break
        self.caseSensitive, self.encoding = kw.get("caseSensitive", 1), kw.get("encoding", "utf8")
        self.text, self.style, self.debug = text, style, 0
        self.bulletText = bulletText or getattr(style, "bulletText", None)
        self._input, self._source = (text, style, self.bulletText), source

    @property
    def frags(self) -> Any:
        found = self.__dict__.get("_frags", _UNSET)
        if found is _UNSET:  # asked before its first break: parsed now, privately
            self._parse()
            found = self.__dict__["_frags"]
        return found

    @frags.setter
    def frags(self, value: Any) -> None:
        self.__dict__["_frags"] = value

    def _parse(self) -> None:
        text, style, bullet = self.__dict__["_input"]
        Paragraph._setup(self, text, style, bullet, None, cleanBlockQuotedText)

    def breakLines(self, width: Any) -> Any:  # noqa: N802 (reportlab's name)
        key = tuple(width) if isinstance(width, (list, tuple)) else width
        mine = self.__dict__
        broken = mine.get("_broken")
        if broken is not None and broken[0] == key:
            return broken[1]
        if broken is None and "_frags" not in mine and "_source" in mine:
            lines = self._break_shared(width, key)
        else:
            if mine.get("_shared"):
                self._own()
            lines = super().breakLines(width)
        self._broken = (key, lines)
        return lines

    def _break_shared(self, width: Any, key: Any) -> Any:
        """The first break: the cache's, or parsed and broken here and kept in the cache."""
        full = (self._source, key)
        found = LINES.get(full)
        if found is not None:
            state, lines, widths_after = found
            self.__dict__.update(state)
            if isinstance(width, list):  # breakLines narrows the first width for a bullet
                width[:] = widths_after
        else:
            before = dict(self.__dict__)
            self._parse()
            lines = super().breakLines(width)
            state = {
                k: v
                for k, v in self.__dict__.items()
                if k not in _OWN_KEYS and (k not in before or before[k] is not v)
            }
            LINES.put(full, (state, lines, list(width) if isinstance(width, list) else width))
        self._shared = True
        return lines

    def _own(self) -> None:
        """A layout of its own in place of the shared one, made as it would have been made
        without the cache: parsed, then broken at the widths of its first break."""
        first = self._broken[0]
        shared = self._broken[1]
        self._parse()
        lines = super().breakLines(list(first) if isinstance(first, tuple) else first)
        if self.__dict__.get("blPara") is shared:
            self.blPara = lines
        self._broken = (first, lines)
        self._shared = False

    def split(self, availWidth: Any, availHeight: Any) -> Any:  # noqa: N803 (reportlab's names)
        if self.__dict__.get("_shared"):  # a split changes the lines it splits
            self._own()
        return super().split(availWidth, availHeight)


_UNSET = object()
_OWN_KEYS = frozenset({"_broken", "_shared", "_source", "_input", "canv"})
_STYLE_NAMES = frozenset(ParagraphStyle.defaults) | {"bulletText", "keepWithNext"}
_MARKUP_THAT_CHANGES_STYLE = re.compile(r"<\s*(para|bullet)\b", re.I)


def _source_key(text: Any, style: Any, bullet: Any, frags: Any, kw: dict[str, Any]) -> tuple | None:
    """What a paragraph's parse and first break depend on, or None when it is not to be
    shared: given fragments, markup that changes the style or the bullet, or a style holding
    a value that cannot be compared by value."""
    if frags is not None or not isinstance(text, str) or style is None or not LINES.enabled:
        return None
    if not isinstance(bullet, (str, type(None))) or _MARKUP_THAT_CHANGES_STYLE.search(text):
        return None
    style_key = LINES.style_key(style, _STYLE_NAMES)
    if style_key is None:
        return None
    return (text, style_key, bullet, kw.get("caseSensitive", 1), kw.get("encoding", "utf8"))


def _para(markup: str, style: ParagraphStyle, st: Styles, bullet: str | None = None) -> Paragraph:
    return _Paragraph(st.markup(markup), style, bulletText=None if bullet is None else st.drawable(bullet))


SHORT_LIST = 6  # a list of at most this many bullets is never split across pages


def _flowables(brief: Document, st: Styles, width: float, page: float) -> list[Flowable]:
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
        self._flowables, self._page = flowables, page

    def wrap(self, width: float, height: float) -> tuple[float, float]:
        parts: list[Flowable] = []
        for f in self._flowables:  # a KeepTogether says it is endless, to be split: measure its parts
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
        return [_chart(block.chart, st, width), Spacer(0, 6)]
    if kind == "bars" and block.bars is not None:
        return [_bars(block.bars, st, width), Spacer(0, 6)]
    if kind == "bullet":
        return [_para(block.text, st.bullet, st, bullet=st.bullet_mark)]
    style = {
        "title": st.title,
        "heading": st.heading,
        "subheading": st.subheading,
        "quote": st.quote,
        "note": st.note,
    }.get(kind, st.para)
    return [_para(block.text, style, st)]


def _rows_table(block: Block, st: Styles, width: float) -> Table:
    columns = max(len(r) for r in block.rows)
    data = []
    for i, row in enumerate(block.rows):
        cells = list(row) + [""] * (columns - len(row))
        if block.header and i == 0:
            data.append([_para(c, st.cell_head, st) for c in cells])
        else:
            data.append(
                [
                    _para(c, st.cell_label if j == 0 and not block.header else st.cell, st)
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
    if st.fallback and any(ch in st.fallback for ch in text):  # another font for some: markup
        return _Paragraph(st.markup(str(escape(text))), style)
    text = st.drawable(text)
    if "\n" not in text and pdfmetrics.stringWidth(text, style.fontName, style.fontSize) <= room:
        return text
    return _Paragraph(str(escape(text)), style)


def _chart(chart: Chart, st: Styles, width: float) -> Drawing:
    """One row per component: the band as a bar, the offer and the ask as markers."""
    font, bold, small = st.font, st.bold, st.small
    row_h, top = st.gap["chart_row"], 22
    label_w = max(pdfmetrics.stringWidth(st.drawable(r.label), bold, small + 0.5) for r in chart.rows) + 14
    height = top + row_h * len(chart.rows)
    drawing = Drawing(width, height, initialFontName=st.font, initialFontSize=st.small)
    muted = st.color["muted"]
    x = label_w  # the legend
    for text, paint, shape in (
        (chart.legend[0], st.color["band"], "bar"),
        (chart.legend[1], st.color["offer"], "diamond"),
        (chart.legend[2], st.color["ask"], "triangle"),
    ):
        _marker(drawing, shape, x + 5, height - 8, paint)
        drawing.add(
            String(x + 13, height - 11, st.drawable(text), fontName=font, fontSize=small, fillColor=muted)
        )
        x += 22 + pdfmetrics.stringWidth(text, font, small)
    labels = _ChartLabels(drawing, st, width)
    for i, row in enumerate(chart.rows):
        _chart_row(
            drawing, labels, row, st, height - top - row_h * i - row_h / 2, label_w, width - label_w - 30
        )
    labels.draw()
    return drawing


class _ChartLabels:
    """The band chart's value labels, placed so that none is drawn over another: in order of
    importance (each row's offer and band ends, then the asks), each label takes the first of
    its places that leaves a point of air around every label placed before it, or is left out
    (its figure is in the market table above the chart)."""

    GAP = 1.0

    def __init__(self, drawing: Drawing, st: Styles, width: float) -> None:
        self.drawing, self.st, self.width = drawing, st, width
        self.size = st.small - 0.5
        self.wanted: list[tuple[int, str, str, Any, list[tuple[float, float, str]]]] = []

    def want(
        self, rank: int, text: str, font: str, color: Any, places: list[tuple[float, float, str]]
    ) -> None:
        """A label and its places, best first: (x, baseline, anchor) with anchor "middle",
        "start" (x is its left edge) or "end"."""
        self.wanted.append((rank, self.st.drawable(text), font, color, places))

    def draw(self) -> None:
        placed: list[tuple[float, float, float, float]] = []
        size = self.size
        for _, text, font, color, places in sorted(self.wanted, key=lambda w: w[0]):
            w = self.st.width(text, font, size)
            for x, y, anchor in places:
                left = {"middle": x - w / 2, "start": x, "end": x - w}[anchor]
                left = min(max(left, 0), self.width - w)
                box = (
                    left - self.GAP,
                    y - 0.24 * size - self.GAP,
                    left + w + self.GAP,
                    y + 0.76 * size + self.GAP,
                )
                if not any(_meet(box, other) for other in placed):
                    placed.append(box)
                    self.drawing.add(String(left, y, text, fontName=font, fontSize=size, fillColor=color))
                    break


def _meet(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _chart_row(
    drawing: Drawing, labels: _ChartLabels, row: Any, st: Styles, y: float, label_w: float, axis_w: float
) -> None:
    """One component of the chart at height `y`: its label, the band, its ends, the offer and
    the ask. The values' labels go to `labels`: the offer's above the line, the band's ends
    below it; the ask's above, beside the offer's, or lower down, wherever it is free."""
    drawing.add(
        String(
            0,
            y - 3,
            st.drawable(row.label),
            fontName=st.bold,
            fontSize=st.small + 0.5,
            fillColor=st.color["text"],
        )
    )
    values = [row.low, row.high, row.offer] + ([row.ask] if row.ask is not None else [])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * Decimal("0.12") or Decimal(1)
    lo, hi = lo - pad, hi + pad

    def at(v: Decimal) -> float:
        return label_w + float((v - lo) / (hi - lo)) * axis_w

    drawing.add(Line(label_w, y, label_w + axis_w, y, strokeColor=st.color["rule"], strokeWidth=0.6))
    band = Rect(at(row.low), y - 4, max(at(row.high) - at(row.low), 1), 8, fillColor=st.color["band"])
    band.strokeColor = None
    drawing.add(band)
    muted, offer, ask = st.color["muted"], st.color["offer"], st.color["ask"]
    low, high = at(row.low), at(row.high)
    labels.want(
        0,
        row.offer_text,
        st.bold,
        offer,
        [(at(row.offer), y + 8, "middle"), (at(row.offer), y - 22, "middle")],
    )
    labels.want(1, row.low_text, st.font, muted, [(low, y - 14, "middle"), (low, y - 14, "end")])
    labels.want(1, row.high_text, st.font, muted, [(high, y - 14, "middle"), (high, y - 14, "start")])
    _marker(drawing, "diamond", at(row.offer), y, offer)
    if row.ask is not None and row.ask != row.offer:
        _marker(drawing, "triangle", at(row.ask), y, ask)
        x, side = at(row.ask), "start" if row.ask > row.offer else "end"
        near = x + 6 if side == "start" else x - 6
        places = [(x, y + 8, "middle"), (near, y + 8, side), (x, y - 22, "middle"), (near, y - 22, side)]
        labels.want(2, row.ask_text, st.bold, ask, places)


def _bars(bars: Bars, st: Styles, width: float) -> Drawing:
    """A group of bars per year, one bar per offer, each labelled with its amount: reportlab's
    own bar chart and legend. The offer and the ask take the chart colours of the band chart;
    competing offers, the muted and accent colours."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend

    small = st.small
    height = 150
    paints = [st.color["offer"], st.color["ask"], st.color["muted"], st.color["band"], st.color["heading"]]
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 8, 18, width - 16, height - 46
    chart.data = [tuple(float(v) for v in series.values) for series in bars.series]
    chart.categoryAxis.categoryNames = [st.drawable(c) for c in bars.categories]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = st.bold, small
    chart.categoryAxis.strokeColor = st.color["rule"]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.visible = 0  # every bar carries its amount
    chart.valueAxis.visibleGrid = 0
    chart.barSpacing, chart.groupSpacing = 3, 14
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[st.drawable(t) for t in series.labels] for series in bars.series]
    chart.barLabels.fontName, chart.barLabels.fontSize = st.font, small - 1.5
    chart.barLabels.nudge, chart.barLabels.boxAnchor = 6, "s"
    for i in range(len(bars.series)):
        chart.bars[i].fillColor = paints[i % len(paints)]
        chart.bars[i].strokeColor = None
    legend = Legend()
    legend.x, legend.y, legend.alignment = 8, height - 6, "right"
    legend.fontName, legend.fontSize, legend.fillColor = st.font, small, st.color["muted"]
    legend.columnMaximum, legend.deltax, legend.dx, legend.dy = 1, 0, 8, 6
    legend.strokeColor = None
    legend.colorNamePairs = [
        (paints[i % len(paints)], st.drawable(series.name)) for i, series in enumerate(bars.series)
    ]
    legend.autoXPadding = 14
    drawing = Drawing(width, height)
    drawing.add(chart)
    drawing.add(legend)
    return drawing


def _marker(drawing: Drawing, shape: str, x: float, y: float, paint: Any) -> None:
    if shape == "bar":
        drawing.add(Rect(x - 6, y - 3, 12, 6, fillColor=paint, strokeColor=None))
    elif shape == "diamond":
        drawing.add(
            Polygon(
                [x, y + 5, x + 5, y, x, y - 5, x - 5, y],
                fillColor=paint,
                strokeColor=colors.white,
                strokeWidth=0.6,
            )
        )
    else:
        drawing.add(
            Polygon(
                [x - 5, y - 5, x + 5, y - 5, x, y + 5],
                fillColor=paint,
                strokeColor=colors.white,
                strokeWidth=0.6,
            )
        )


# --- pages ---------------------------------------------------------------------------------


class _Canvas(Canvas):
    """A canvas that can write the page count before it is known: footers draw the form
    ``pagecount``, which is defined with the final number when the document is saved."""

    count_font: tuple[str, float, Any] = ("Helvetica", 8, colors.black)
    day: date | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.day is not None:
            _date_by_day(self, self.day)

    def save(self) -> None:
        font, size, color = self.count_font
        self.beginForm(PAGE_COUNT_FORM)
        self.setFont(font, size)
        self.setFillColor(color)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


PAGE_COUNT_FORM = "pagecount"


def _date_by_day(canvas: Canvas, day: date) -> None:
    """Date the PDF by the brief's day, not the clock: its creation and modification dates are
    that day at 00:00 UTC, and its /ID is seeded by the day instead of by reportlab's
    timestamp (which is SOURCE_DATE_EPOCH to the second when set). So the same inputs give the
    same bytes all day long, with or without SOURCE_DATE_EPOCH."""
    stamp = f"D:{day:%Y%m%d}000000+00'00'"
    canvas.setDateFormatter(lambda *_: stamp)  # reportlab's own hook for the /Info dates
    seed = hashlib.md5(b"a reportlab document", usedforsecurity=False)
    seed.update(day.isoformat().encode())
    canvas._doc.signature = seed  # the /ID's digest; the rest of it is the document's content


def render(
    brief: Document, template: Template, page_size: str | None = None, day: date | None = None
) -> Rendered:
    """The brief as PDF bytes, its page count and the characters its font could not draw.

    The PDF is dated by `day` (the brief's date; today when not given), so identical inputs
    give identical bytes on the same day. reportlab's settings are the brief's (RL_SETTINGS)
    while it is made, and the process's own again after."""
    with settings():
        return _render(brief, template, page_size, day)


def _render(brief: Document, template: Template, page_size: str | None, day: date | None) -> Rendered:
    style = template.style
    size_name = (page_size or style.page_size).lower()
    if size_name not in PAGE_SIZES:
        raise TemplateError(f"unknown page size {size_name!r}", hint="use a4 or letter")
    size = PAGE_SIZES[size_name]
    st = Styles(template)
    st.find_fallbacks(brief)
    margins = {k: v * mm for k, v in msgspec.structs.asdict(style.margins_mm).items()}
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=margins["left"],
        rightMargin=margins["right"],
        topMargin=margins["top"],
        bottomMargin=margins["bottom"],
        title=brief.title,
        author=brief.author,
        subject=brief.subject,
        keywords=brief.keywords,
        creator="make-brief",
        producer="make-brief (reportlab)",
        invariant=1,  # no clock, no random /ID: dated by the day (see _date_by_day)
        pageCompression=1,
        initialFontName=st.font,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    draw_page = _page_drawer(brief, st, size, margins, _logo(template))
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=draw_page)])
    canvas_class = type(
        "BriefCanvas",
        (_Canvas,),
        {"count_font": (st.font, st.small, st.color["muted"]), "day": day or today()},
    )
    _build(doc, _flowables(brief, st, doc.width, doc.height), canvas_class, template)
    return Rendered(pack(buffer.getvalue()), doc.page, frozenset(st.missing))


def _build(doc: BaseDocTemplate, story: list[Flowable], canvas_class: type, template: Template) -> None:
    """Lay the story out: reportlab's layout errors and its complaints about a template's own
    markup (parsed here) are the template's; anything else is a bug of ours (exit 70)."""
    try:
        doc.build(story, canvasmaker=canvas_class)
    except (LayoutError, ValueError) as exc:
        if isinstance(exc, ValueError) and not _is_markup_error(exc):
            raise
        detail = next((line for line in str(exc).splitlines() if line.strip()), "")[:200]
        raise TemplateError(
            f"the brief could not be laid out: {type(exc).__name__}: {detail}", file=template.folders[0]
        ) from None


def _page_drawer(
    brief: Document, st: Styles, size: tuple[float, float], margins: dict[str, float], logo: Any
) -> Callable[[Canvas, Any], None]:
    """What every page gets: the running header (from page 2), the footer, the logo on page 1."""
    width, height = size

    def draw_page(canvas: Canvas, doc: Any) -> None:
        number = canvas.getPageNumber()
        canvas.saveState()
        canvas.setFont(st.font, st.small)
        canvas.setFillColor(st.color["muted"])
        canvas.setStrokeColor(st.color["rule"])
        if brief.header and number > 1:
            header = _fit(_page_text(brief.header, number)[0], st.font, st.small, width * 0.7, st.width)
            st.draw(canvas, margins["left"], height - margins["top"] / 2, header, st.font, st.small)
            top = height - margins["top"] / 2 - 4
            canvas.line(margins["left"], top, width - margins["right"], top)
        if brief.footer:
            bottom = margins["bottom"] / 2 + 9
            canvas.line(margins["left"], bottom, width - margins["right"], bottom)
            text = _page_text(brief.footer, number)
            room = width - margins["left"] - margins["right"]
            _draw_footer(canvas, st, text, margins["left"], margins["bottom"] / 2, room)
        if logo is not None and number == 1:
            image, logo_w, logo_h = logo
            x, y = width - margins["right"] - logo_w, height - margins["top"] - logo_h
            canvas.drawImage(image, x, y, width=logo_w, height=logo_h, mask="auto")
        canvas.restoreState()

    return draw_page


def _is_markup_error(exc: ValueError) -> bool:
    """Whether reportlab's paragraph parser raised `exc` for the markup a template wrote (it
    names the paragraph: 'paragraph text "<para>…" caused exception …')."""
    return str(exc).lstrip().startswith("paragraph text")


def _page_text(text: str, number: int) -> tuple[str, str | None]:
    """Header or footer text with ``{page}`` filled and doubled braces undone, split where
    ``{pages}`` stands (None after it when it does not)."""
    parts: list[str] = []
    before = None
    for piece in re.split(r"(\{\{|\}\}|\{pages?\})", text):
        if piece == "{pages}" and before is None:
            before, parts = "".join(parts), []
        else:
            parts.append({"{{": "{", "}}": "}", "{page}": str(number)}.get(piece, piece))
    return (before, "".join(parts)) if before is not None else ("".join(parts), None)


def _logo(template: Template) -> tuple[Any, float, float] | None:
    """The template's logo, its width and height in points (at most as tall as it is wide)."""
    if template.logo is None:
        return None
    from reportlab.lib.utils import ImageReader

    try:
        image = ImageReader(str(template.logo))
        pixels_w, pixels_h = image.getSize()
    except Exception as exc:  # Pillow's and reportlab's errors for a damaged image
        raise template.style_error(
            "logo", f"cannot read {template.logo.name} as an image ({type(exc).__name__})"
        ) from None
    width = template.style.logo_width_mm * mm
    height = width * pixels_h / max(pixels_w, 1)
    if height > width:
        width, height = width * width / height, width
    return image, width, height


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__


def _draw_footer(
    canvas: Canvas, st: Styles, text: tuple[str, str | None], x: float, y: float, width: float
) -> None:
    """The footer line; ``{pages}`` becomes the page count, drawn from a form at save time.
    A footer too long for the page is shortened before its page number, never through it."""
    before, after = text
    font, size, measure = st.font, st.small, st.width
    slot = pdfmetrics.stringWidth("00", font, size) if after is not None else 0
    before = _fit_keeping_tail(before, font, size, width * 0.9 - slot, measure)
    st.draw(canvas, x, y, before, font, size)
    if after is not None:
        x += measure(before, font, size)
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm(PAGE_COUNT_FORM)
        canvas.restoreState()
        st.draw(
            canvas, x + slot, y, _fit(after, font, size, max(width - (x + slot), 10), measure), font, size
        )


_SEPARATOR = re.compile(r"\s[·|•–—-]\s")


def _fit_keeping_tail(text: str, font: str, size: float, width: float, measure: Any) -> str:
    """`text` fitted to `width`, shortening what stands before the last separator (" · ")
    that has a digit after it, so that "page 3 of" survives a long guide title."""
    if measure(text, font, size) <= width:
        return text
    cuts = [m for m in _SEPARATOR.finditer(text) if re.search(r"\d", text[m.end() :])]
    if not cuts:
        return _fit(text, font, size, width, measure)
    head, tail = text[: cuts[-1].start()], text[cuts[-1].start() :]
    room = width - measure(tail, font, size)
    if room < measure("…", font, size) * 4:
        return _fit(text, font, size, width, measure)
    return _fit(head, font, size, room, measure) + tail


def _fit(text: str, font: str, size: float, width: float, measure: Any = pdfmetrics.stringWidth) -> str:
    """`text` shortened with an ellipsis to fit `width` points (as `measure` counts them)."""
    if measure(text, font, size) <= width:
        return text
    while text and measure(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"

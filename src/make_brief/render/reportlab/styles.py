"""The template's look as reportlab takes it: its fonts registered once per process, its
colours and paragraph styles, and the fallback fonts for characters its own font lacks."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from pathlib import Path
from typing import Any

import msgspec
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ...compose.document import Document
from ...compose.templates import FONT_KEYS, Template
from .bidi import has_rtl, shaping, visual, visual_markup

FAMILY = "BriefSans"


# --- fonts ---------------------------------------------------------------------------------


_FAMILIES: dict[tuple[Path, ...], dict[str, str]] = {}
_ATTEMPTS = itertools.count()  # reportlab's font registry is per process too


def register_fonts(template: Template) -> dict[str, str]:
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
        faces = register_fonts(template)
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
        in that font (outside tags and entities); what no font draws is left out, noted.
        Right-to-left runs are put in visual order (bidi.py)."""
        if has_rtl(text):
            text = visual_markup(text, shaping())
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
        """drawString, with each run in its own font (right-to-left runs in visual order:
        the canvas does not shape)."""
        for other, run in self.runs(visual(text, shaped=False)):
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
        font = TTFont(name, io.BytesIO(data))
        # reportlab knows a face by its PostScript name: two cuts of one font (a Chinese name,
        # then a Korean one, in one worker) would share it, and the second draw the first's
        # glyphs. Each cut is named by its bytes: the same cut, the same name, in any process.
        font.face.name = font.face.name + b"-" + key[:8].encode()
        pdfmetrics.registerFont(font)
        pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
        _FALLBACKS[key] = name
    return _FALLBACKS[key]


_INVISIBLE = frozenset("\ufe0e\ufe0f\u200d\u200b")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__

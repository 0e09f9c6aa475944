"""What every page gets: the running header, the footer with "page X of Y" (the count drawn
from a form at save time), the logo on page 1, and the PDF dated by the brief's day."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ...compose.document import Document
from ...compose.templates import Template
from .styles import Styles


class CountingCanvas(Canvas):
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


def page_drawer(
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


def load_logo(template: Template) -> tuple[Any, float, float] | None:
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

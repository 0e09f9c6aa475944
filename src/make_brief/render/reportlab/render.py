"""Rendering: the document model → PDF bytes, with reportlab (this folder is the only place that
imports it). This module sets up the document, its pages and reportlab's settings around a build;
styles.py holds the look, story.py the blocks as flowables, paragraph.py the cached paragraph,
charts.py the charts and page.py the page furniture.

Layout is reportlab's platypus: headings keep with what follows them, tables repeat their
header row when they split, every section gets an outline entry, and the footer says
"page X of Y". Fonts are registered once per process. Text that came from the inputs reaches
this module already escaped (see templates.escape_data); table cells and chart labels, which are
plain text, are escaped here.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import msgspec
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
)
from reportlab.platypus.doctemplate import LayoutError

from ...compose.document import Document
from ...compose.templates import Template
from ...errors import TemplateError
from ...files.clock import today
from ...pdf.pack import pack
from ..backend import Rendered
from .page import CountingCanvas, load_logo, page_drawer
from .story import build_story
from .styles import Styles

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
    draw_page = page_drawer(brief, st, size, margins, load_logo(template))
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=draw_page)])
    canvas_class = type(
        "BriefCanvas",
        (CountingCanvas,),
        {"count_font": (st.font, st.small, st.color["muted"]), "day": day or today()},
    )
    _build(doc, build_story(brief, st, doc.width, doc.height), canvas_class, template)
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


def _is_markup_error(exc: ValueError) -> bool:
    """Whether reportlab's paragraph parser raised `exc` for the markup a template wrote (it
    names the paragraph: 'paragraph text "<para>…" caused exception …')."""
    return str(exc).lstrip().startswith("paragraph text")

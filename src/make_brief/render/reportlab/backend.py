"""The reportlab back end behind the seam (render/backend.py). Importing this module imports
no reportlab: render.py (and reportlab) are imported when the first brief is rendered, so
listing or checking back ends costs nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...compose.document import Document
    from ...compose.templates import Template
    from ..backend import Options, Rendered


class ReportlabBackend:
    """Platypus lays the brief out; the PDF is packed (pdf/pack.py), so that the pdf stage
    can splice appendices into it without reading it back."""

    name = "reportlab"
    preload = ("make_brief.render.reportlab.warm",)

    def render(self, brief: Document, template: Template, options: Options) -> Rendered:
        from .render import render

        return render(brief, template, options.page_size, options.day)

    def warm_up(self, template: str | Path | None, day: date) -> None:
        from .warm import warm_up

        warm_up(template, day)


BACKEND = ReportlabBackend()

"""The Typst back end behind the seam (render/backend.py). Importing this module imports no
typst: layout.py (and the typst compiler, the optional extra ``make-brief[typst]``) is imported
when the first brief is laid out, so that listing or checking back ends costs nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...compose.document import Document
    from ...compose.templates import Template
    from ..backend import Options, Rendered


class TypstBackend:
    """Typst lays the brief out from brief.typ, the composed brief given to it as JSON data
    (never as markup); its PDF is tagged, and with `Options.standards` claims PDF/UA-1 and
    PDF/A-2b, which the compiler checks."""

    name = "typst"
    preload = ("make_brief.render.typst.layout",)
    standards = frozenset({"ua-1", "a-2b"})

    def render(self, brief: Document, template: Template, options: Options) -> Rendered:
        from .layout import render

        return render(brief, template, options)

    def warm_up(self, template: str | Path | None, day: date) -> None:
        from .layout import warm_up

        warm_up(template, day)


BACKEND = TypstBackend()

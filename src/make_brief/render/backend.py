"""The back-end seam: what a PDF back end is given and what it gives back.

A back end lays out one composed brief (compose/document.py's records) in the look of one
template (compose/templates.py's Template: its style sheet, fonts, colours, logo) and returns
the PDF as bytes, with its page count and the characters its fonts could not draw. It does no
I/O of its own beyond reading the template's files: writing, merging the appendices and locking
are the later stages' (pdf/, run/), and work on any back end's bytes.

Back ends are found by name in registry.py; reportlab's is built in (render/reportlab/).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import msgspec

if TYPE_CHECKING:
    from ..compose.document import Document
    from ..compose.templates import Template


class Options(msgspec.Struct, frozen=True):
    """What a run asks of the layout beyond the template: the page size (the template's when
    None), the brief's date, which dates the PDF (identical inputs, identical bytes), and the
    PDF standards the brief is to claim and meet (only a back end whose `standards` has them
    is asked: registry.check_standards)."""

    day: date
    page_size: str | None = None
    standards: tuple[str, ...] = ()  # --pdf-standard: "ua-1", "a-2b" (a back end's `standards`)


class Rendered(msgspec.Struct, frozen=True):
    """A back end's result: the PDF, its page count, and the characters left out because no
    font had a glyph for them (the pipeline refuses a brief that lost a letter of the name)."""

    pdf: bytes
    pages: int
    missing: frozenset[str] = frozenset()


@runtime_checkable
class Backend(Protocol):
    """A PDF back end. `name` is what `--backend` takes; `preload` names the modules a batch's
    fork server imports once for all its workers (the back end's heavy imports); `warm_up`
    loads, in a worker before its first brief, what a first brief would (fonts, the template),
    saying nothing of a template that fails (the first brief reports it with its file and
    field); `render` lays one brief out. A setting of the template it cannot honour, or a
    layout that fails, is a TemplateError (one line naming the file and setting)."""

    name: str
    preload: tuple[str, ...]

    def render(self, brief: Document, template: Template, options: Options) -> Rendered: ...

    def warm_up(self, template: str | Path | None, day: date) -> None: ...

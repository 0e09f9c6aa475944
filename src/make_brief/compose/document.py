"""The document model: what a brief says, with no reportlab in it.

Text fields hold reportlab paragraph markup that is already safe: wording from templates, with
every value from the inputs escaped (see ``templates.escape_data``). Table cells and chart labels
are plain text, escaped by the renderer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec

# a block's kind: rows is a table written in the template (`rows` holds markup cells); table,
# chart and bars carry their record
BlockKind = Literal[
    "title", "heading", "subheading", "para", "bullet", "quote", "note", "rows", "table", "chart", "bars"
]


class Block(msgspec.Struct, frozen=True):
    """One paragraph-level element, of one of the kinds of BlockKind."""

    kind: BlockKind
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    header: bool = False
    table: Table | None = None
    chart: Chart | None = None
    bars: Bars | None = None


class Table(msgspec.Struct, frozen=True):
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    highlight: frozenset[int] = frozenset()  # indexes into rows
    emphasis: frozenset[int] = frozenset()  # rows drawn bold (the "Your offer" row)


class ChartRow(msgspec.Struct, frozen=True):
    label: str
    low: Decimal
    high: Decimal
    offer: Decimal
    ask: Decimal | None
    low_text: str
    high_text: str
    offer_text: str
    ask_text: str


class Chart(msgspec.Struct, frozen=True):
    rows: tuple[ChartRow, ...]
    legend: tuple[str, str, str]  # band, offer, ask


class Series(msgspec.Struct, frozen=True):
    """One offer's bars: a value and its label per category."""

    name: str
    values: tuple[Decimal, ...]
    labels: tuple[str, ...]


class Bars(msgspec.Struct, frozen=True):
    """A grouped bar chart: per category (a year), one bar per series (an offer)."""

    categories: tuple[str, ...]
    series: tuple[Series, ...]


class Section(msgspec.Struct, frozen=True):
    name: str
    title: str  # plain text, for the outline
    blocks: tuple[Block, ...]


class Document(msgspec.Struct, frozen=True):
    """What a brief says, composed (compose.brief.compose), for a back end to draw. (The
    pipeline's run.pipeline.Brief is the made brief: its PDF and what the run needs.)"""

    title: str
    author: str
    subject: str
    keywords: str
    header: str
    footer: str
    sections: tuple[Section, ...]
    appendices: tuple[tuple[str, str], ...] = ()  # (outline title, path)

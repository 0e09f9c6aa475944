"""The composed brief as the JSON data that brief.typ lays out: every text is a JSON string,
which Typst places as text, never parsed as Typst markup (a name like ``#eval("…")``,
``*bold*`` or ``$x$`` prints as it is written). The wording's own paragraph markup (``<b>``,
``<i>``, ``<font color>``, ``<a href>``, ``<br/>``: what the templates write, with every input
value escaped) becomes runs of text with their bold, italic, colour and link.

No typst here: this module is pure, so that it is tested without the compiler.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import msgspec

from ...compose.document import Bars, Block, Chart, ChartRow, Document
from ...compose.templates import Template
from ...errors import TemplateError

_TAG = re.compile(r"<(/?)([a-zA-Z]+)\b([^>]*?)/?>")
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_KNOWN = {"b", "strong", "i", "em", "u", "font", "a", "br", "span"}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class Run(msgspec.Struct, array_like=True):
    """A run of text and how it is drawn: bold, italic, underlined, its colour and link."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    color: str | None = None
    link: str | None = None


def runs(markup: str, where: str = "") -> list[Run]:
    """Paragraph markup as runs. A tag the Typst back end does not draw is a TemplateError
    naming it (and `where`, the section it is in)."""
    out: list[Run] = []
    state: list[dict[str, Any]] = [{}]
    at = 0
    for match in _TAG.finditer(markup):
        if match.start() > at:
            out.append(_run(html.unescape(markup[at : match.start()]), state[-1]))
        at = match.end()
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in _KNOWN:
            raise TemplateError(
                f"the typst back end cannot draw the markup <{tag}>{where}",
                hint="use <b>, <i>, <u>, <font color=...>, <a href=...> or <br/>, or --backend reportlab",
            )
        if tag == "br":
            out.append(Run("\n"))
        elif closing:
            state.pop() if len(state) > 1 else None
        else:
            state.append(_opened(tag, match.group(3), state[-1], where))
    if at < len(markup):
        out.append(_run(html.unescape(markup[at:]), state[-1]))
    return out


def _run(text: str, look: dict[str, Any]) -> Run:
    return Run(text, **look)


def _opened(tag: str, attributes: str, look: dict[str, Any], where: str) -> dict[str, Any]:
    """The look inside a tag that opens, from the one outside it."""
    found = {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or "")
        for m in _ATTRIBUTE.finditer(attributes)
    }
    inside = dict(look)
    if tag in ("b", "strong"):
        inside["bold"] = True
    elif tag in ("i", "em"):
        inside["italic"] = True
    elif tag == "u":
        inside["underline"] = True
    elif tag == "a" and found.get("href"):
        inside["link"] = found["href"]
    color = found.get("color") or found.get("fg")
    if color is not None:
        if not _HEX.match(color):
            raise TemplateError(
                f"the typst back end takes colours as #rrggbb, not {color!r}{where}",
                hint="write the colour as #rrggbb",
            )
        inside["color"] = color
    return inside


def brief_data(brief: Document, template: Template, family: str, lang: tuple[str, str | None]) -> bytes:
    """The brief and its template's look as the JSON brief.typ reads (sys.inputs.brief)."""
    style = template.style
    same_bold = template.fonts[3] == template.fonts[1]  # bold italic drawn upright (the default's)
    sections = []
    for section in brief.sections:
        where = f" (sections/{section.name}.j2)"
        blocks = section.blocks
        sections.append(
            [_block(b, after, where, same_bold) for b, after in zip(blocks, (*blocks[1:], None), strict=True)]
        )
    data = {
        "title": brief.title,
        "author": brief.author,
        "subject": brief.subject,
        "keywords": [k.strip() for k in brief.keywords.split(",") if k.strip()],
        "header": page_text(brief.header),
        "footer": page_text(brief.footer),
        "sections": sections,
        "font": family,
        "upright_bold": same_bold,
        "lang": lang[0],
        "region": lang[1],
        "logo": None if template.logo is None else str(template.logo),
        "style": {
            "margins": msgspec.structs.asdict(style.margins_mm),
            "colors": {k: v for k, v in msgspec.structs.asdict(style.colors).items() if v},
            "sizes": msgspec.structs.asdict(style.sizes),
            "spacing": msgspec.structs.asdict(style.spacing),
            "leading": style.leading,
            "bullet": style.bullet,
            "logo_width": style.logo_width_mm,
        },
    }
    return msgspec.json.encode(data)


def _block(b: Block, after: Block | None, where: str, same_bold: bool) -> dict[str, Any]:
    # a paragraph that leads into a table or chart stays with it, as with reportlab
    lead_in = b.kind in ("para", "note") and after is not None and after.kind in ("table", "chart", "bars")
    out: dict[str, Any] = {
        "kind": b.kind,
        "text": _upright(runs(b.text, where), same_bold),
        "lead_in": lead_in,
    }
    if b.kind == "rows":
        out["rows"] = [[_upright(runs(c, where), same_bold) for c in row] for row in b.rows]
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
        out["chart"] = _chart(b.chart)
    elif b.bars is not None:
        out["bars"] = _bars(b.bars)
    return out


def _upright(found: list[Run], same_bold: bool) -> list[Run]:
    """Bold italic runs drawn bold and upright when the template's bold italic face is its
    bold one (as the default template's is: figures in the italic script stand upright)."""
    if not same_bold:
        return found
    return [msgspec.structs.replace(r, italic=False) if r.bold and r.italic else r for r in found]


def _chart(chart: Chart) -> dict[str, Any]:
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
        for r in chart.rows
    ]
    return {"rows": rows, "legend": list(chart.legend), "alt": chart_alt(chart)}


def _bars(bars: Bars) -> dict[str, Any]:
    series = [
        {"name": s.name, "values": [float(v) for v in s.values], "labels": list(s.labels)}
        for s in bars.series
    ]
    return {"categories": list(bars.categories), "series": series, "alt": bars_alt(bars)}


def chart_alt(chart: Chart) -> str:
    """What the band chart shows, in words and numbers: per row, the offer and where it
    stands in the band, and the ask ("Base salary: your offer $210,000, 27% of the way
    through the market band (New York) $198,000–$242,000; your ask $239,000")."""
    band, offer, ask = (label[:1].lower() + label[1:] for label in chart.legend)
    return " ".join(_row_alt(r, band, offer, ask) for r in chart.rows)


def _row_alt(r: ChartRow, band: str, offer: str, ask: str) -> str:
    span = f"{band} {r.low_text}–{r.high_text}"
    if r.offer < r.low:
        where = f"below the {span}"
    elif r.offer > r.high:
        where = f"above the {span}"
    else:
        share = (r.offer - r.low) / (r.high - r.low) * 100 if r.high > r.low else Decimal(0)
        where = f"{share.quantize(Decimal(1))}% of the way through the {span}"
    asked = "" if r.ask is None or r.ask == r.offer else f"; {ask} {r.ask_text}"
    return f"{r.label}: {offer} {r.offer_text}, {where}{asked}."


def bars_alt(bars: Bars) -> str:
    """What the bar chart shows: per category (a year), each series' value."""
    parts = []
    for i, category in enumerate(bars.categories):
        values = ", ".join(f"{s.name} {s.labels[i]}" for s in bars.series)
        parts.append(f"{category}: {values}.")
    return " ".join(parts)


def page_text(text: str) -> list[str]:
    """Header or footer text in pieces: ``{page}`` and ``{pages}`` stand alone (brief.typ puts
    the numbers there), doubled braces undone."""
    pieces: list[str] = []
    for piece in re.split(r"(\{\{|\}\}|\{pages?\})", text):
        if piece in ("{page}", "{pages}"):
            pieces.append(piece)
        elif piece:
            piece = {"{{": "{", "}}": "}"}.get(piece, piece)
            if pieces and pieces[-1] not in ("{page}", "{pages}"):
                pieces[-1] += piece
            else:
                pieces.append(piece)
    return pieces

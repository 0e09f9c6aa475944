"""Composition: (offer, figures, template) → the document model. Pure: no files are read
here beyond the template's own wording, and nothing is drawn.

The wording of each section is a Jinja template that writes a small block language, one
block per paragraph (blank-line separated):

``# title``, ``## section heading`` (an outline entry), ``### sub-heading``, ``- bullet``,
``> quote``, ``~ small note``, ``| cell | cell |`` table rows (a ``|---|`` row marks the row
above as a header), ``@market_table`` / ``@band_chart`` for the computed blocks, and anything
else is a body paragraph.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec
from markupsafe import Markup

from ..advice.asks import ask_lines, script_numbers, views
from ..advice.compute import Figures
from ..advice.gate import Open, gate
from ..errors import TemplateError
from ..guides.age import MAX_AGE_MONTHS, guide_age
from ..guides.facts import Unlock, Verdict
from ..money.amounts import (
    distinct_marks,
    fmt_money,
    fmt_money_short,
    fmt_money_thousands,
    fmt_number,
    fmt_pct,
)
from ..offers.offer import Competing, Offer
from .call import call_context
from .document import Block, BlockKind, Chart, ChartRow, Document, Section, Table
from .equity import equity_chart, equity_context
from .percentiles import percentile_views
from .sandbox import markup_problem
from .templates import Template, escape_data, fill, format_day, plain
from .years import rate_text, years_chart, years_context, years_table

COMPUTED = ("market_table", "band_chart", "years_table", "years_chart", "equity_chart")


class Money:
    """Formats amounts in one currency and locale; `marks` tells apart currencies that share a
    sign in one brief (see money.distinct_marks)."""

    def __init__(self, currency: str, locale: str, marks: dict[str, str] | None = None) -> None:
        self.currency, self.locale = currency, locale
        self.marks = marks or {}
        self.mark = self.marks.get(currency)

    def full(self, amount: Decimal | float) -> str:
        return fmt_money(Decimal(str(amount)), self.currency, self.locale, self.mark)

    def short(self, amount: Decimal | float) -> str:
        return fmt_money_short(Decimal(str(amount)), self.currency, self.locale, self.mark)

    def thousands(self, amount: Decimal | float) -> str:
        """Rounded to the nearest thousand and written in thousands ($1,158K, 956 tn kr)."""
        return fmt_money_thousands(Decimal(str(amount)), self.currency, self.locale, self.mark)

    def other(self, amount: Decimal, currency: str) -> str:
        """An amount in another currency, in this locale, told apart from this one."""
        return fmt_money(amount, currency, self.locale, self.marks.get(currency))

    def band(self, band: Any) -> str:
        return f"{self.short(band.low)}–{self.short(band.high)}"


def brief_marks(offer: Offer) -> dict[str, str]:
    """The marks that tell apart the currencies of one brief that would share a sign: its
    guide's regions, the offer and its competing offers."""
    uses = [(r.currency, r.locale) for r in offer.guide.regions]
    uses += [(c.currency, offer.region.locale) for c in offer.competing]
    return distinct_marks([*uses, (offer.currency, offer.region.locale)])


def compose(
    offer: Offer,
    figures: Figures,
    template: Template,
    today: date,
    appended: bool = True,
    *,
    guide_max_age: int = MAX_AGE_MONTHS,
) -> Document:
    """The brief's document. `appended` is False for a brief whose appendices are not merged
    (one that claims a PDF standard): its wording then names no appendix as appended."""
    context = build_context(offer, figures, template, today, guide_max_age=guide_max_age)
    if not appended:
        context["appendices"] = []
    sections = []
    for name in template.style.sections:
        source = f"sections/{name}.j2"
        blocks = tuple(parse_blocks(template.render(source, context), offer, figures, template, source))
        if not blocks:  # a section with nothing to say (equity, for an offer without it)
            continue
        title = next((plain(b.text) for b in blocks if b.kind in ("heading", "title")), name)
        sections.append(Section(name=name, title=title, blocks=blocks))
    guide, style = offer.guide, template.style
    # plain text for the header, footer and document properties: {page} and {pages} are the
    # renderer's to fill
    values = {
        "candidate": offer.name,
        "guide": guide.title,
        "role": guide.role,
        "company": guide.company,
        "region": offer.region.name,
    }
    # in the header and footer, braces in the values are doubled, so that a name or a title
    # holding "{page}" is shown as written (the renderer fills {page} and undoes the doubling)
    page_values = {k: v.replace("{", "{{").replace("}", "}}") for k, v in values.items()}
    return Document(
        title=fill(style.metadata.title, values),
        author=offer.name,
        subject=fill(style.metadata.subject, values),
        keywords=fill(style.metadata.keywords, values),
        header=fill(style.header, page_values),
        footer=fill(style.footer, page_values),
        sections=tuple(sections),
        appendices=tuple(
            (p.stem.replace("-", " ").replace("_", " ").capitalize(), str(p)) for p in offer.appendices
        ),
    )


# --- the context the wording templates see --------------------------------------------------


def build_context(
    offer: Offer, figures: Figures, template: Template, today: date, *, guide_max_age: int = MAX_AGE_MONTHS
) -> dict[str, Any]:
    """What the wording templates see: every figure formatted, every text of the inputs as it
    is (escaped when rendered), and what the candidate may say; `guide_age` says how old the
    guide's figures are on `today` (stale: older than `guide_max_age` months)."""
    age = guide_age(offer.guide.as_of, today, guide_max_age)
    guide = offer.guide
    money = Money(offer.currency, offer.region.locale, brief_marks(offer))
    numbers = script_numbers(offer, figures, money)
    claim = competing_claim(template, figures.leverage, money)
    return {
        "today": today.isoformat(),
        "today_long": format_day(today, template.style),
        "guide_age": None if age is None else {**msgspec.structs.asdict(age), "stale": age.stale},
        "colors": msgspec.structs.asdict(template.style.colors),
        "candidate": {"name": offer.name, "email": offer.email},
        "guide": _guide_view(offer),
        "region": {"name": offer.region.name, "currency": offer.region.currency},
        "same_region": figures.same_region,
        "offer": _offer_view(offer, figures, money),
        "position": _position_views(offer, figures, money),
        "ask": _ask_views(offer, figures, money),
        "asks": views(ask_lines(offer, figures, money)),  # what the script and the e-mail ask for
        "ask_total": money.full(figures.ask_total),
        "accept_met": figures.accept_met,
        "competing": _competing_views(offer, figures, money, template),
        "competing_state": figures.competing_state,
        "competing_claim": claim,
        "strongest": _strongest_view(offer, figures, money, template),
        **_script_views(offer, figures, numbers, claim),
        "all_met": figures.all_met,
        "open_asks": list(guide.open_asks),
        "questions": [_question_view(u, numbers, claim) for u in figures.open_questions],
        "refuted": [f.question for f in figures.claims.facts if offer.facts.get(f.id) is False],
        "levers": _lever_views(offer, figures, claim),
        "stock_scaled": offer.stock_years != guide.stock_years,
        "years": years_context(offer, figures, template, money, today),
        "appendices": [p.name for p in offer.appendices]
        + ([a.title for a in guide.appendices] if template.style.guide_appendices else []),
        "call": call_context(offer, figures, money, template.style, today),
        "equity": equity_context(offer, money),
        "percentiles": percentile_views(offer, figures, money),
    }


def _guide_view(offer: Offer) -> dict[str, Any]:
    guide, script = offer.guide, offer.guide.script
    return {
        "id": guide.id,
        "title": guide.title,
        "role": guide.role,
        "company": guide.company,
        "parent_company": guide.parent_company,
        "as_of": guide.as_of,
        "stock_years": guide.stock_years,
        "dna": guide.negotiation_dna,
        "levels": guide.level_mapping,
        "headline_lever": guide.headline_lever,
        "sources": guide.sources,
        "script_region": guide.script_region.name,
        "script_quote": script.quote,
        "accept_text": script.accept_text,
        "script_claim": script.claim.text if script.claim else None,
    }


def _offer_view(offer: Offer, figures: Figures, money: Money) -> dict[str, Any]:
    return {
        "base": money.full(offer.base),
        "stock": money.full(offer.stock),
        "stock_years": offer.stock_years,
        "bonus_pct": f"{fmt_number(offer.bonus_pct)}%",
        "sign_on": money.full(offer.sign_on) if offer.sign_on else None,
        "sign_on_split": not _first_only(offer),
        "total": money.full(figures.offer_total),
    }


def _position_views(offer: Offer, figures: Figures, money: Money) -> dict[str, Any]:
    def view(pos: Any, pct: bool = False, caveat: str | None = None) -> dict[str, Any]:
        return {
            "caveat": caveat,
            "fraction": fmt_pct(pos.fraction),
            "where": pos.where,
            "value": f"{fmt_number(pos.value)}%" if pct else money.full(pos.value),
            "band": f"{fmt_number(pos.low)}–{fmt_number(pos.high)}%"
            if pct
            else f"{money.short(pos.low)}–{money.short(pos.high)}",
        }

    return {
        "base": view(figures.base),
        "stock": view(figures.stock),
        "bonus": view(figures.bonus, pct=True),
        "total": view(figures.total, caveat=band_caveat(offer)),
    }


def _ask_views(offer: Offer, figures: Figures, money: Money) -> dict[str, Any]:
    """Each ask, with the guide's figure and band it was derived from, in the script region's
    money and in the candidate's."""
    region, script_region = offer.region, offer.guide.script_region
    script_money = Money(script_region.currency, script_region.locale, money.marks)
    bands = {
        "base": (script_region.base, region.base),
        "stock": (script_region.stock, region.stock),
        "accept_stock_above": (script_region.stock, region.stock),
        "bonus_pct": (script_region.bonus_pct, region.bonus_pct),
    }

    def pct(value: Any) -> str:
        return f"{fmt_number(value)}%"

    views = {}
    for part, ask in figures.asks.items():
        is_pct = part == "bonus_pct"
        show = pct if is_pct else money.full
        views[part] = {
            "value": show(ask.value),
            "derived": show(ask.derived),
            "guide_value": pct(ask.guide_value) if is_pct else script_money.full(ask.guide_value),
            "guide_position": fmt_pct(ask.guide_position),
            "script_band": _band_text(bands[part][0], script_money, is_pct),
            "band": _band_text(bands[part][1], money, is_pct),
            "offered": show(ask.offered) if ask.offered is not None else None,
            "offer_meets": ask.offer_meets,
            "raised": ask.value > ask.derived,
        }
    return views


def _first_only(offer: Offer) -> bool:
    """Whether the offer's sign-on, if any, is all paid in year 1."""
    return not any(offer.sign_on_years[1:])


def band_caveat(offer: Offer) -> str | None:
    """A short caveat when the guide's total-comp band for the offer's region is not roughly
    the sum of its own parts (what `guides check` warns about), else None."""
    from ..guides.rules import total_mismatch
    from ..guides.schema import TOTAL_TOLERANCE

    if total_mismatch(offer.region, offer.guide.stock_years) is None:
        return None
    return (
        f"approximate, as the guide's {offer.region.name} total-comp band is more than"
        f" {TOTAL_TOLERANCE:.0%} off the sum of its own base, stock and bonus bands"
    )


def _band_text(band: Any, money: Money, pct: bool) -> str:
    if pct:
        return f"{fmt_number(Decimal(str(band.low)))}–{fmt_number(Decimal(str(band.high)))}%"
    return money.band(band)


def competing_claim(template: Template, leverage: tuple[Competing, ...], money: Money) -> Markup:
    """The candidate's own competing-offer sentence, naming only the offers that are leverage
    (empty when none is)."""
    if not leverage:
        return Markup("")
    context = {
        "offers": [
            {"company": c.company, "total_comp": money.other(c.total_comp, c.currency)} for c in leverage
        ]
    }
    return Markup(" ".join(template.render("sections/_competing_claim.j2", context).split()))


def _competing_views(
    offer: Offer, figures: Figures, money: Money, template: Template
) -> list[dict[str, Any]]:
    """Each competing offer as written, with its conversion where a rate was stated, and whether
    it is above this offer ("above": leverage), not ("not_above") or not compared."""
    assert figures.over_time is not None
    return [
        {
            "company": c.company,
            "total_comp": money.other(c.total_comp, c.currency),
            "currency": c.currency,
            "rate": rate_text(compared.converted, offer, money, template) if compared.converted else None,
            "standing": standing,
        }
        for c, compared, standing in zip(
            offer.competing, figures.over_time.competing, figures.standing, strict=True
        )
    ]


def _strongest_view(offer: Offer, figures: Figures, money: Money, template: Template) -> dict[str, Any]:
    best = figures.best_competing
    converted = None
    if best is not None and best.currency != offer.currency:
        assert figures.over_time is not None
        total = next(c.total for c in figures.over_time.competing if c.offer is best)
        converted = money.full(total) if total is not None else None
    return {
        "title": figures.strongest_lever.title if figures.strongest_lever else None,
        "reason": figures.strongest_reason,
        "best_company": best.company if best else None,
        "best_total": money.other(best.total_comp, best.currency) if best else None,
        "best_converted": converted,
    }


def _verdict_view(v: Verdict) -> dict[str, Any]:
    return {
        "kind": v.kind,
        "refuted": [f.question for f in v.refuted],
        "confirmed": [f.question for f in v.confirmed],
        "questions": [f.question for f in v.unconfirmed],
        "competing": v.competing,
    }


def _lever_views(offer: Offer, figures: Figures, claim: Markup) -> list[dict[str, Any]]:
    """Each lever with its verdict and its text through the fact gate: `quote` holds what the
    candidate may say (for a lever that is only if true, every sentence not answered no to),
    `only_if_true` the sentences of a lever that is theirs which rest on an open question; a
    competing-offer lever says the candidate's own offers, and only when they are leverage."""
    views = []
    levers = zip(offer.guide.levers, figures.verdicts, figures.claims.lever_parts, strict=True)
    for lever, v, parts in levers:
        gated = gate(parts, figures.claims, offer.facts, figures.competing_state)
        given = gated.said if v.kind == "yours" else [p for p in parts if p not in gated.left_out]
        views.append(
            {
                "title": lever.title,
                "quote": personalise(" ".join(p.text for p in given), {}, claim),
                "only_if_true": [_open_view(o, {}, claim) for o in gated.only_if_true]
                if v.kind == "yours"
                else [],
                "left_out": len(gated.left_out),
                "guide_quote": lever.quote,
                "verdict": _verdict_view(v),
                "requires": lever.requires,
                "strongest": lever is figures.strongest_lever,
                "guide_claim": lever.claim.text if lever.claim else None,
            }
        )
    return views


def _open_view(item: Open, numbers: dict[str, str], claim: Markup) -> dict[str, Any]:
    return {
        "text": personalise(item.part.text, numbers, claim),
        "questions": [f.question for f in item.questions],
    }


def _script_views(offer: Offer, figures: Figures, numbers: dict[str, str], claim: Markup) -> dict[str, Any]:
    """The script through the fact gate: `script` holds only sentences they can say as they
    stand; `script_only_if_true` the ones resting on unconfirmed facts, each with its
    questions; a sentence resting on a refuted fact is in neither. When the offer meets every
    ask, the guide's asks are not said at all (`script` is None)."""
    gated = gate(figures.claims.script, figures.claims, offer.facts, figures.competing_state)
    said = [str(text) for p in gated.said if str(text := personalise(p.text, numbers, claim))]
    return {
        "script": None if figures.all_met else Markup(" ".join(said)),
        "script_only_if_true": []
        if figures.all_met
        else [_open_view(o, numbers, claim) for o in gated.only_if_true],
        "script_left_out": sum(p.kind == "claim" for p in gated.left_out),
    }


def _question_view(unlock: Unlock, numbers: dict[str, str], claim: Markup) -> dict[str, Any]:
    return {
        "id": unlock.fact.id,
        "question": unlock.fact.question,
        "levers": list(unlock.levers),
        "sentences": [personalise(text, numbers, claim) for text in unlock.sentences],
        "answers": list(unlock.answers),
    }


def personalise(text: str, numbers: dict[str, str], claim: Markup) -> Markup:
    """Guide wording with its placeholders replaced: numbers in bold, the claim as given."""
    safe = str(escape_data(text))
    for name, value in numbers.items():
        safe = safe.replace("{" + name + "}", f"<b>{escape_data(value)}</b>")
    safe = safe.replace("{competing}", str(claim))
    return Markup(" ".join(safe.split()))


# --- from rendered wording to blocks -----------------------------------------------------------

_PREFIXES: tuple[tuple[str, BlockKind], ...] = (
    ("### ", "subheading"),
    ("## ", "heading"),
    ("# ", "title"),
    ("- ", "bullet"),
    ("> ", "quote"),
    ("~ ", "note"),
)


def parse_blocks(text: str, offer: Offer, figures: Figures, template: Template, source: str) -> list[Block]:
    """The blocks of the wording `text` that template `source` wrote."""
    blocks = _parse(text, offer, figures, template, source)
    for block in blocks:
        for markup in (block.text, *(cell for row in block.rows for cell in row)):
            if problem := markup_problem(markup):
                message, needle = problem
                file, line = template.locate(source, needle)
                raise TemplateError(message, file=file, line=line)
    return blocks


def _parse(text: str, offer: Offer, figures: Figures, template: Template, source: str) -> list[Block]:
    blocks: list[Block] = []
    pending_rows: list[str] = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("|"):
            if blocks and blocks[-1].kind == "rows" and pending_rows:
                pending_rows.extend(lines)  # rows split by blank lines (a loop) stay one table
                blocks[-1] = _rows_block(pending_rows)
            else:
                pending_rows = list(lines)
                blocks.append(_rows_block(pending_rows))
            continue
        pending_rows = []
        if lines[0].startswith("@"):
            blocks.append(_computed(lines[0][1:].strip(), offer, figures, template, source))
            continue
        # bullets may be written on consecutive lines: one block each
        if all(line.startswith("- ") for line in lines):
            blocks.extend(Block("bullet", line[2:].strip()) for line in lines)
            continue
        kind: BlockKind = "para"
        first = lines[0]
        for prefix, name in _PREFIXES:
            if first.startswith(prefix):
                kind, lines[0] = name, first[len(prefix) :]
                break
        blocks.append(Block(kind, " ".join(lines)))
    return blocks


def _computed(name: str, offer: Offer, figures: Figures, template: Template, source: str) -> Block:
    """The block a template asks for by `@name`: a table or chart the figures make."""
    if name == "market_table":
        return Block("table", table=market_table(offer, figures, template))
    if name == "band_chart":
        return Block("chart", chart=band_chart(offer, figures, template))
    if name in ("years_table", "years_chart"):
        return _years_block(name, offer, figures, template)
    if name == "equity_chart":
        money = Money(offer.currency, offer.region.locale, brief_marks(offer))
        return Block("bars", bars=equity_chart(offer, money))
    file, line = template.locate(source, f"@{name}")
    raise TemplateError(
        f"unknown block @{name}",
        file=file,
        line=line,
        hint=f"known: {', '.join('@' + c for c in COMPUTED)}",
    )


def _years_block(name: str, offer: Offer, figures: Figures, template: Template) -> Block:
    money = Money(offer.currency, offer.region.locale, brief_marks(offer))
    if name == "years_table":
        return Block("table", table=years_table(offer, figures, template, money))
    return Block("bars", bars=years_chart(offer, figures, template, money))


def _rows_block(lines: list[str]) -> Block:
    rows: list[tuple[str, ...]] = []
    header = False
    for line in lines:
        cells = tuple(c.strip() for c in line.strip().strip("|").split("|"))
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
            header = header or len(rows) == 1
            continue
        rows.append(cells)
    return Block("rows", rows=tuple(rows), header=header)


def market_table(offer: Offer, figures: Figures, template: Template) -> Table:
    """The guide's bands by region, your offer and your asks. The stock column is for a grant
    over the offer's vesting years: the guide's bands are scaled to them when they differ, as
    in the chart. The table writes all its amounts in one style (see _styles)."""
    guide, labels = offer.guide, template.style.labels
    marks = brief_marks(offer)
    scale = figures.stock_scale
    header = (
        labels.region,
        labels.base,
        fill(labels.stock, {"years": str(offer.stock_years)}),
        labels.bonus,
        labels.total,
    )
    moneys = [Money(r.currency, r.locale, marks) for r in guide.regions]
    money = Money(offer.currency, offer.region.locale, marks)
    style = _column_styles(offer, figures, moneys, money)

    def band(m: Money, part: str, low: Decimal, high: Decimal) -> str:
        dash = "–" if style[part].compact else " – "  # a long band may wrap at the dash, not in a number
        return f"{style[part](m, low)}{dash}{style[part](m, high)}"

    rows: list[tuple[str, ...]] = []
    highlight = 0
    for i, (region, m) in enumerate(zip(guide.regions, moneys, strict=True)):
        rows.append(
            (
                region.name,
                band(m, "base", _d(region.base.low), _d(region.base.high)),
                band(m, "stock", _d(region.stock.low) * scale, _d(region.stock.high) * scale),
                _band_text(region.bonus_pct, m, True),
                band(m, "total", _d(region.total_comp.low), _d(region.total_comp.high)),
            )
        )
        if region.name == offer.region.name:
            highlight = i

    rows += _offer_and_ask_rows(offer, figures, labels, style, money)
    n = len(guide.regions)
    return Table(header, tuple(rows), frozenset({highlight}), frozenset({n, n + 1}))


def _offer_and_ask_rows(
    offer: Offer, figures: Figures, labels: Any, style: dict[str, Any], money: Money
) -> list[tuple[str, ...]]:
    """The market table's last two rows: your offer (with its position in each band) and your asks."""
    asks = figures.asks

    def cell(amount: str, pos: Any) -> str:
        return fill(labels.offer_cell, {"amount": amount, "position": _pos(pos, labels)})

    return [
        (
            labels.your_offer,
            cell(style["base"](money, offer.base), figures.base),
            cell(style["stock"](money, offer.stock), figures.stock),
            cell(f"{fmt_number(offer.bonus_pct)}%", figures.bonus),
            cell(style["total"](money, figures.offer_total), figures.total),
        ),
        (
            labels.your_ask,
            style["base"](money, asks["base"].value),
            style["stock"](money, asks["stock"].value),
            f"{fmt_number(asks['bonus_pct'].value)}%",
            style["total"](money, figures.ask_total),
        ),
    ]


class AmountStyle(msgspec.Struct, frozen=True):
    """How one column writes an amount: compact ($349K) or in full; call it with (money, amount)."""

    compact: bool

    def __call__(self, m: Money, a: Decimal) -> str:
        return m.short(a.quantize(Decimal(1))) if self.compact else m.full(a)


def _column_styles(
    offer: Offer, figures: Figures, moneys: list[Money], money: Money
) -> dict[str, AmountStyle]:
    """The number style of each money column of the market table: one style, from all its
    amounts, so that no row mixes compact and full forms."""
    regions, scale, asks = offer.guide.regions, figures.stock_scale, figures.asks
    offered = {
        "base": (offer.base, asks["base"].value),
        "stock": (offer.stock, asks["stock"].value),
        "total_comp": (figures.offer_total, figures.ask_total),
    }
    amounts: list[tuple[Money, Decimal]] = []
    for part, (mine, asked) in offered.items():
        factor = scale if part == "stock" else Decimal(1)
        amounts += [(m, _d(getattr(r, part).low) * factor) for m, r in zip(moneys, regions, strict=True)]
        amounts += [(m, _d(getattr(r, part).high) * factor) for m, r in zip(moneys, regions, strict=True)]
        amounts += [(money, mine), (money, asked)]
    style = _styles(amounts)  # one for the whole table: a row never mixes $349K and $351,520
    return dict.fromkeys(("base", "stock", "total"), style)


def _d(value: float | int | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _styles(amounts: list[tuple[Money, Decimal]]) -> AmountStyle:
    """How one column writes its amounts: all compact ($349K, $286.5K) when each has an exact
    compact form, else all in full."""
    from ..money.amounts import is_compact

    whole = [a.quantize(Decimal(1)) for _, a in amounts]
    compact = all(is_compact(a, m.locale) for (m, _), a in zip(amounts, whole, strict=True))
    return AmountStyle(compact)


def _pos(pos: Any, labels: Any) -> str:
    if pos.where == "below":
        return labels.below_band
    if pos.where == "above":
        return labels.above_band
    return fmt_pct(pos.fraction)


def band_chart(offer: Offer, figures: Figures, template: Template) -> Chart:
    """A row per component: the band, the offer and the ask. Each row writes its amounts in
    one style, all compact or all in full (as a table column does; see _styles)."""
    labels, region = template.style.labels, offer.region
    money = Money(offer.currency, region.locale, brief_marks(offer))
    asks = figures.asks

    def row(label: str, pos: Any, ask: Decimal) -> ChartRow:
        amounts = (pos.low, pos.high, pos.value, ask)
        style = _styles([(money, a) for a in amounts])
        return ChartRow(label, *amounts, *(style(money, a) for a in amounts))

    def pct(v: Decimal) -> str:
        return f"{fmt_number(v)}%"

    bonus = figures.bonus
    rows = [
        row(labels.base, figures.base, asks["base"].value),
        row(fill(labels.stock, {"years": str(offer.stock_years)}), figures.stock, asks["stock"].value),
        ChartRow(
            labels.bonus,
            bonus.low,
            bonus.high,
            bonus.value,
            asks["bonus_pct"].value,
            *(pct(v) for v in (bonus.low, bonus.high, bonus.value, asks["bonus_pct"].value)),
        ),
        row(labels.total, figures.total, figures.ask_total),
    ]
    legend = (fill(labels.chart_band, {"region": region.name}), labels.chart_offer, labels.chart_ask)
    return Chart(tuple(rows), legend)

"""The asks the candidate makes, as one list: what the brief's script asks for and what the
counter e-mail lists are both read from here, so that they cannot disagree. Pure: figures in,
formatted values out; the words around them are the templates'.

In order: base, stock and bonus target where the offer is below the ask; a sign-on for each
leading year that vests less than an even share of the asked grant (a back-loaded schedule or a
cliff past month 12, see vesting.py) where the offer pays less that year; pro-rata repayment
where the offer's sign-on must be repaid in full.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from ..money.amounts import fmt_number
from ..money.vesting import cliff_moves_to, even_share
from ..offers.offer import Offer
from .compute import Figures

PARTS = ("base", "stock", "bonus_pct")  # the parts the guide's script asks for


class AskLine(msgspec.Struct, frozen=True):
    """One ask, formatted as the brief and the e-mail write it."""

    part: str  # "base", "stock", "bonus_pct", "sign_on" or "clawback"
    value: str  # what is asked: "£178,000", "18%", "pro rata"
    offered: str | None  # what the offer has ("£18,000", "in full"); None: nothing that year
    band: str | None = None  # the guide's band for the candidate's region, in full
    year: int | None = None  # a sign-on's year
    vests: str | None = None  # a sign-on year: the share of the grant that vests then ("5%")
    even: str | None = None  # ... against an even share ("25%")
    cliff: int | None = None  # ... the cliff's months, when the cliff leaves that year empty
    months: int | None = None  # the clawback's period: repaid if you leave within it


def pct(value: Decimal) -> str:
    return f"{fmt_number(value)}%"


def script_numbers(offer: Offer, figures: Figures, money: Any) -> dict[str, str]:
    """The guide script's placeholders: {base}, {stock}, {stock_years}, {bonus_pct}."""
    asks = figures.asks
    return {
        "base": money.full(asks["base"].value),
        "stock": money.full(asks["stock"].value),
        "stock_years": str(offer.stock_years),
        "bonus_pct": pct(asks["bonus_pct"].value),
    }


def ask_lines(offer: Offer, figures: Figures, money: Any) -> tuple[AskLine, ...]:
    """Every ask the offer does not meet yet, in the order of the module's docstring. `money`
    formats the offer's currency with the brief's marks (compose.Money)."""
    numbers = script_numbers(offer, figures, money)
    lines = []
    for part in PARTS:
        ask = figures.asks[part]
        assert ask.offered is not None  # the asked parts always have an offered figure
        if ask.value > ask.offered:
            offered = pct(ask.offered) if part == "bonus_pct" else money.full(ask.offered)
            lines.append(AskLine(part, numbers[part], offered, band(offer, figures, part, money)))
    lines += sign_on_lines(offer, figures, money)
    if offer.clawback is not None and offer.clawback.terms == "full":
        lines.append(AskLine("clawback", "pro rata", "in full", months=offer.clawback.months))
    return tuple(lines)


def sign_on_lines(offer: Offer, figures: Figures, money: Any) -> list[AskLine]:
    """A sign-on ask per leading year that vests less than an even share, where the offer pays
    less than the ask that year."""
    assert figures.over_time is not None, "compute() always fills it"
    moved_to = cliff_moves_to(offer.cliff_months)
    return [
        AskLine(
            "sign_on",
            money.full(a.value),
            money.full(a.offered) if a.offered else None,
            year=a.year,
            vests=pct(a.vesting),
            even=even_text(offer.stock_years),
            cliff=offer.cliff_months if a.year < moved_to else None,
        )
        for a in figures.over_time.sign_on_asks
        if a.value > a.offered
    ]


def even_text(years: int) -> str:
    """An even year's share: 25%, or 33.3% for three years."""
    share = even_share(years)
    return pct(share) if 100 % years == 0 else f"{share:.1f}%"


def band(offer: Offer, figures: Figures, part: str, money: Any) -> str:
    """The region's band for `part`, in full: £148,000–£180,000, CA$190,000–CA$235,000, 15–20%.
    A stock band is scaled to the offer's vesting years."""
    region_band = getattr(offer.region, part)
    low, high = Decimal(str(region_band.low)), Decimal(str(region_band.high))
    if part == "bonus_pct":
        return f"{fmt_number(low)}–{fmt_number(high)}%"
    if part == "stock":
        low, high = low * figures.stock_scale, high * figures.stock_scale
    return f"{money.full(low)}–{money.full(high)}"


def views(lines: tuple[AskLine, ...]) -> list[dict[str, Any]]:
    """The asks as the templates see them (``asks``)."""
    return [msgspec.structs.asdict(line) for line in lines]

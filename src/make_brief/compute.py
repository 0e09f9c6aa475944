"""The figures of a brief: pure functions from an offer (and its guide) to numbers.

Nothing here reads files or formats text. Every figure keeps what it was derived from, so that
the brief can say how it was derived.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from .guide import Band, Guide, Lever, Region
from .money import round_to
from .offer import Competing, Offer
from .timeline import OverTime, over_time

ROUND_TO = 1000
HUNDRED = Decimal(100)


def _d(value: float | int | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def annual_total(base: Decimal, stock: Decimal, stock_years: int, bonus_pct: Decimal) -> Decimal:
    """Annual total comp: base + stock / years + base × bonus% (a sign-on is not in it)."""
    return base + stock / stock_years + base * bonus_pct / HUNDRED


class Position(msgspec.Struct, frozen=True):
    """Where `value` sits in the band [low, high]: 0 at the low, 1 at the high."""

    value: Decimal
    low: Decimal
    high: Decimal

    @property
    def fraction(self) -> Decimal:
        if self.high == self.low:
            return Decimal(1) if self.value >= self.high else Decimal(0)
        return (self.value - self.low) / (self.high - self.low)

    @property
    def where(self) -> str:
        """ "below", "within" or "above" the band."""
        if self.value < self.low:
            return "below"
        return "above" if self.value > self.high else "within"


def position(value: Decimal, band: Band, scale: Decimal = Decimal(1)) -> Position:
    """The position of `value` in `band`, the band first multiplied by `scale`."""
    return Position(_d(value), _d(band.low) * scale, _d(band.high) * scale)


class Ask(msgspec.Struct, frozen=True):
    """One personalised ask and how it was derived."""

    part: str  # "base", "stock", "bonus_pct" or "accept_stock_above"
    guide_value: Decimal  # the guide's number, in the script region
    guide_position: Decimal  # its position in the script region's band
    derived: Decimal  # the same position in the candidate's band, rounded
    offered: Decimal | None  # what the offer already has (None for the accept threshold)
    value: Decimal  # what to ask for: the derived figure, never below the offered one

    @property
    def offer_meets(self) -> bool:
        return self.offered is not None and self.offered >= self.derived


class Figures(msgspec.Struct, frozen=True):
    offer_total: Decimal
    ask_total: Decimal
    base: Position
    stock: Position  # the grant, against the band scaled to the offer's vesting years
    bonus: Position
    total: Position
    asks: dict[str, Ask]
    same_region: bool  # the candidate is in the region the script was written for
    stock_scale: Decimal  # offer vesting years / guide vesting years
    competing: tuple[Competing, ...]
    best_competing: Competing | None  # highest competing total comp in the offer's currency
    strongest_lever: Lever | None
    strongest_reason: str
    over_time: OverTime | None = None  # year by year: the offer, the asks, competing offers

    @property
    def accept_met(self) -> bool:
        return self.stock.value > self.asks["accept_stock_above"].value


def derive_ask(
    part: str,
    guide_value: float,
    script_band: Band,
    band: Band,
    offered: Decimal | None,
    scale: Decimal = Decimal(1),
) -> Ask:
    """The guide's `guide_value`, moved from the script region's band to the candidate's."""
    pos = position(_d(guide_value), script_band).fraction
    raw = (_d(band.low) + pos * (_d(band.high) - _d(band.low))) * scale
    derived = round_to(raw, ROUND_TO)
    value = max(derived, offered) if offered is not None else derived
    return Ask(part, _d(guide_value), pos, derived, offered, value)


def compute(offer: Offer) -> Figures:
    guide: Guide = offer.guide
    region: Region = offer.region
    script = guide.script
    script_region = guide.script_region
    scale = Decimal(offer.stock_years) / Decimal(guide.stock_years)
    asks = {
        "base": derive_ask("base", script.base, script_region.base, region.base, offer.base),
        "stock": derive_ask("stock", script.stock, script_region.stock, region.stock, offer.stock, scale),
        "accept_stock_above": derive_ask(
            "accept_stock_above",
            script.accept_stock_above,
            script_region.stock,
            region.stock,
            None,
            scale,
        ),
    }
    bonus_target = _d(script.bonus_pct)
    asks["bonus_pct"] = Ask(
        "bonus_pct",
        bonus_target,
        position(bonus_target, script_region.bonus_pct).fraction,
        bonus_target,
        offer.bonus_pct,
        max(bonus_target, offer.bonus_pct),
    )
    offer_total = annual_total(offer.base, offer.stock, offer.stock_years, offer.bonus_pct)
    ask_total = annual_total(
        asks["base"].value, asks["stock"].value, offer.stock_years, asks["bonus_pct"].value
    )
    same_currency = [c for c in offer.competing if c.currency == offer.currency]
    best = max(same_currency, key=lambda c: c.total_comp, default=None)
    lever, reason = strongest_lever(guide, offer, offer_total, best)
    return Figures(
        offer_total=offer_total,
        ask_total=ask_total,
        base=position(offer.base, region.base),
        stock=position(offer.stock, region.stock, scale),
        bonus=position(offer.bonus_pct, region.bonus_pct),
        total=position(offer_total, region.total_comp),
        asks=asks,
        same_region=region.name == script_region.name,
        stock_scale=scale,
        competing=offer.competing,
        best_competing=best,
        strongest_lever=lever,
        strongest_reason=reason,
        over_time=over_time(offer, asks["base"].value, asks["stock"].value, asks["bonus_pct"].value),
    )


def applicable(lever: Lever, offer: Offer) -> bool:
    """Whether the candidate can honestly use `lever`."""
    return lever.requires != "competing_offer" or bool(offer.competing)


def strongest_lever(
    guide: Guide, offer: Offer, offer_total: Decimal, best: Competing | None
) -> tuple[Lever | None, str]:
    """The lever to lead with, and why: a higher competing offer beats everything else."""
    competing_levers = [lv for lv in guide.levers if lv.requires == "competing_offer"]
    if best is not None and best.total_comp > offer_total and competing_levers:
        return competing_levers[0], "higher_competing"
    usable = [lv for lv in guide.levers if lv.requires is None]
    if usable:
        return usable[0], "first_listed"
    return None, "none"

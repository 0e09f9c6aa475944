"""The figures of a brief: pure functions from an offer (and its guide) to numbers.

Nothing here reads files or formats text. Every figure keeps what it was derived from, so that
the brief can say how it was derived.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec

from ..guides.facts import Claims, CompetingState, Unlock, Verdict, read_claims, unlocks
from ..guides.schema import Band, Guide, Lever, Region
from ..money.amounts import round_to
from ..offers.offer import Competing, Offer
from .gate import lever_verdicts
from .timeline import OverTime, over_time

ROUND_TO = 1000
HUNDRED = Decimal(100)


def _d(value: float | int | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def annual_total(base: Decimal, stock: Decimal, stock_years: int, bonus_pct: Decimal) -> Decimal:
    """Annual total comp: base + stock / years + base × bonus% (a sign-on is not in it)."""
    return base + stock / stock_years + base * bonus_pct / HUNDRED


Standing = Literal["above", "not_above", "not_compared"]  # a competing offer against this one


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
    standing: tuple[Standing, ...]  # per competing offer
    best_competing: Competing | None  # the highest competing offer that is leverage
    strongest_lever: Lever | None
    strongest_reason: str  # "higher_competing", "first_yours", "confirm_first" or "none"
    claims: Claims
    verdicts: tuple[Verdict, ...]  # one per lever, in the guide's order
    open_questions: tuple[Unlock, ...]  # what the candidate has not answered, and what it unlocks
    over_time: OverTime | None = None  # year by year: the offer, the asks, competing offers

    @property
    def accept_met(self) -> bool:
        return self.stock.value > self.asks["accept_stock_above"].value

    @property
    def leverage(self) -> tuple[Competing, ...]:
        """The competing offers that are leverage: above this offer, in its currency (or converted
        at an exchange rate the user stated)."""
        return tuple(c for c, s in zip(self.competing, self.standing, strict=True) if s == "above")

    @property
    def competing_state(self) -> CompetingState:
        return competing_state(self.standing)

    @property
    def all_met(self) -> bool:
        """The offer already meets every ask (base, stock and bonus): nothing higher to ask for."""
        return all(
            self.asks[part].value == self.asks[part].offered for part in ("base", "stock", "bonus_pct")
        )


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
    over = over_time(offer, asks["base"].value, asks["stock"].value, asks["bonus_pct"].value)
    standing = tuple(standing_of(c.total, offer_total) for c in over.competing)
    above = [c for c, s in zip(over.competing, standing, strict=True) if s == "above"]
    best = max(above, key=lambda c: c.total or 0).offer if above else None
    claims = read_claims(guide)
    state = competing_state(standing)
    verdicts = lever_verdicts(claims, offer.facts, state)
    titles = tuple(lv.title for lv in guide.levers)
    lever, reason = strongest_lever(guide, verdicts, best is not None)
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
        standing=standing,
        best_competing=best,
        strongest_lever=lever,
        strongest_reason=reason,
        claims=claims,
        verdicts=verdicts,
        open_questions=unlocks(claims, titles, offer.facts),
        over_time=over,
    )


def competing_state(standing: tuple[Standing, ...]) -> CompetingState:
    """For what rests on a competing offer: "leverage" (one is above the offer), "none" (no
    competing offer), "not_above" (one is at or below it) or "not_compared" (none comparable)."""
    if "above" in standing:
        return "leverage"
    if not standing:
        return "none"
    return "not_above" if "not_above" in standing else "not_compared"


def standing_of(total: Decimal | None, offer_total: Decimal) -> Standing:
    """Whether a competing offer whose annual total comp, in the offer's currency, is `total` is
    above the offer ("above": leverage), at or below it ("not_above"), or cannot be compared
    ("not_compared": in another currency, with no exchange rate stated; `total` is None)."""
    if total is None:
        return "not_compared"
    return "above" if total > offer_total else "not_above"


def strongest_lever(
    guide: Guide, verdicts: tuple[Verdict, ...], has_leverage: bool
) -> tuple[Lever | None, str]:
    """The lever to lead with, and why: only a lever that is the candidate's to use; a higher
    competing offer first, else the guide's first such lever. None when no lever is theirs
    ("confirm_first" when a "yes" to a question would make one theirs)."""
    yours = [lv for lv, v in zip(guide.levers, verdicts, strict=True) if v.kind == "yours"]
    if has_leverage:
        competing = [lv for lv in yours if lv.requires == "competing_offer"]
        if competing:
            return competing[0], "higher_competing"
    if yours:
        return yours[0], "first_yours"
    if any(v.kind == "only_if_true" for v in verdicts):
        return None, "confirm_first"
    return None, "none"

"""The call-prep pack's figures: the walk-away, the deadline, what moved between the company's
offers and what is still open against the asks. Pure: no files, no formatting.

Every number here comes from the offer file (the walk-away, the deadline, the rounds) or from
the figures computed from it (the annual totals, the asks).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec

from ..offers.offer import Offer
from .compute import Figures, annual_total

PARTS = ("base", "stock", "bonus_pct", "sign_on", "total")
ASKED = ("base", "stock", "bonus_pct")  # the parts the guide gives asks for
ZERO = Decimal(0)
FEW_DAYS = 7  # a deadline this close (or closer) is one to ask to move, in the brief and the e-mail
URGENT_DAYS = 3  # a deadline this close (or passed) is shown where a coach looks: build, validate


class WalkAway(msgspec.Struct, frozen=True):
    """The candidate's floor against the offer and against the asks (annual total comp)."""

    amount: Decimal
    offer_total: Decimal
    ask_total: Decimal

    @property
    def offer_gap(self) -> Decimal:
        """How far the offer is above (positive) or below (negative) the walk-away."""
        return self.offer_total - self.amount

    @property
    def ask_gap(self) -> Decimal:
        return self.ask_total - self.amount


def walk_away(offer: Offer, figures: Figures) -> WalkAway | None:
    if offer.walk_away is None:
        return None
    return WalkAway(offer.walk_away, figures.offer_total, figures.ask_total)


def days_left(deadline: date, today: date) -> int:
    """Calendar days from `today` to `deadline`: 0 on the day, negative once it has passed."""
    return (deadline - today).days


def deadline_state(deadline: date, today: date) -> str:
    """ "passed" (ask whether the offer still stands first), "soon" (FEW_DAYS or fewer left: ask
    for more time) or "open"."""
    days = days_left(deadline, today)
    if days < 0:
        return "passed"
    return "soon" if days <= FEW_DAYS else "open"


def urgency(deadline: date | None, today: date) -> str | None:
    """ "passed", "urgent" (URGENT_DAYS or fewer left) or None: what the coach is told of it
    outside the brief (a warning for a passed one, a note for an urgent one)."""
    if deadline is None:
        return None
    days = days_left(deadline, today)
    return "passed" if days < 0 else "urgent" if days <= URGENT_DAYS else None


class Terms(msgspec.Struct, frozen=True):
    """One offer of the company: an earlier round, or the latest (`offer:`)."""

    day: date | None
    base: Decimal
    stock: Decimal
    bonus_pct: Decimal
    sign_on: Decimal | None  # None: the offer file does not say (not taken as none)
    total: Decimal  # annual total comp, over the offer's vesting years
    latest: bool = False

    def part(self, name: str) -> Decimal | None:
        return getattr(self, name)


def offers_in_order(offer: Offer) -> tuple[Terms, ...]:
    """The company's offers, oldest first: each round, then the latest (the offer itself)."""
    years = offer.stock_years
    out = [
        Terms(
            r.day,
            r.base,
            r.stock,
            r.bonus_pct,
            r.sign_on,
            annual_total(r.base, r.stock, years, r.bonus_pct),
        )
        for r in offer.rounds
    ]
    total = annual_total(offer.base, offer.stock, years, offer.bonus_pct)
    out.append(Terms(None, offer.base, offer.stock, offer.bonus_pct, offer.sign_on, total, latest=True))
    return tuple(out)


class Move(msgspec.Struct, frozen=True):
    """A part of the offer that changed from one offer to the next."""

    part: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


def moves(before: Terms, after: Terms) -> tuple[Move, ...]:
    """The parts that changed from `before` to `after`, in the order of PARTS; a part that one
    of them does not state (a sign-on) is not compared."""
    found = []
    for part in PARTS:
        old, new = before.part(part), after.part(part)
        if old is not None and new is not None and old != new:
            found.append(Move(part, old, new))
    return tuple(found)


class Gap(msgspec.Struct, frozen=True):
    """One ask against what the latest offer has."""

    part: str
    offered: Decimal
    ask: Decimal

    @property
    def open(self) -> Decimal:
        """How much more the ask is than the offer (0: the offer meets it)."""
        return max(self.ask - self.offered, ZERO)


def still_open(figures: Figures) -> tuple[Gap, ...]:
    """Base, stock and bonus: what the offer has against what the brief asks for."""
    gaps = []
    for part in ASKED:
        ask = figures.asks[part]
        assert ask.offered is not None  # the asked parts always have an offered figure
        gaps.append(Gap(part, ask.offered, ask.value))
    return tuple(gaps)

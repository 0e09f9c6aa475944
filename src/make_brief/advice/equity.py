"""The figures of a private company's equity in an offer, pure: stock options (ownership, cost
to exercise, spread, worth at company values, what vests each year) and private RSUs, with the
warnings and the asks a coach would give. The asks are general negotiating practice (the
guides carry no equity levers yet), and the brief says so; none rests on a fact about the
candidate, so none is put in the candidate's voice."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ..money.options import (
    Options,
    Worth,
    cost_to_exercise,
    latest_valuation,
    options_by_year,
    ownership_pct,
    spread,
    worth,
)
from ..offers.offer import Offer

SHORT_WINDOW_YEARS = Decimal(1)  # an exercise window under this forces a choice at departure


class OptionYear(msgspec.Struct, frozen=True):
    number: int
    options: int  # vesting that year
    spread: Decimal  # options × (preferred − strike), nothing when under water
    cost: Decimal  # options × strike


class Equity(msgspec.Struct, frozen=True):
    """What the brief shows of the offer's private equity."""

    grant: Options | None
    private_rsus: bool  # offer.stock_liquid is false and there is a grant of RSUs
    ownership_pct: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    spread: Decimal = Decimal(0)
    latest: Decimal = Decimal(0)  # the latest valuation: preferred × fully diluted shares
    worth: tuple[Worth, ...] = ()
    years: tuple[OptionYear, ...] = ()
    dilution_pct: Decimal | None = None
    given_values: bool = False  # the company values are the offer file's, not the defaults
    under_water: bool = False  # the strike is at or above the preferred price
    window: str = "unknown"  # "short" (under a year), "long", or "unknown" (not given)
    asks: tuple[str, ...] = ()  # more_options, longer_window, early_exercise, acceleration


def equity(offer: Offer) -> Equity | None:
    """The equity figures of `offer`; None when it has neither options nor private RSUs."""
    private_rsus = not offer.stock_liquid and offer.stock > 0
    grant = offer.options
    if grant is None:
        return Equity(None, True) if private_rsus else None
    strike, preferred = grant.strike, grant.preferred_price
    by_year = options_by_year(grant)
    years = tuple(
        OptionYear(i + 1, n, n * max(Decimal(0), preferred - strike), n * strike)
        for i, n in enumerate(by_year)
    )
    window = grant.exercise_window_years
    state = "unknown" if window is None else "short" if window < SHORT_WINDOW_YEARS else "long"
    asks = ["more_options", "early_exercise", "acceleration"]
    if state != "long":
        asks.insert(1, "longer_window")
    return Equity(
        grant,
        private_rsus,
        ownership_pct=ownership_pct(grant),
        cost=cost_to_exercise(grant),
        spread=spread(grant),
        latest=latest_valuation(grant),
        worth=worth(grant, offer.exit_values, offer.dilution_pct or Decimal(0)),
        years=years,
        dilution_pct=offer.dilution_pct,
        given_values=bool(offer.exit_values),
        under_water=strike >= preferred,
        window=state,
        asks=tuple(asks),
    )

"""The figures of a private company's equity in an offer, pure: stock options (ownership, cost
to exercise, spread, worth at company values, what vests each year) and private RSUs, with the
warnings and the asks a coach would give. The asks are general negotiating practice (the
guides carry no equity levers yet), and the brief says so; none rests on a fact about the
candidate, so none is put in the candidate's voice."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ..money.amounts import round_to
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

HUNDRED = Decimal(100)
SHORT_WINDOW_YEARS = Decimal(1)  # an exercise window under this forces a choice at departure


class OptionYear(msgspec.Struct, frozen=True):
    number: int
    options: int  # vesting that year
    spread: Decimal  # options × (preferred − strike), nothing when under water
    cost: Decimal  # options × strike


class BandPlace(msgspec.Struct, frozen=True):
    """The options in the guide's equity band for the region, and the ask it gives: at the point
    of the band where the guide's own stock ask sits in its script region's stock band."""

    unit: str  # "options", "pct" (of the company) or "value" (the spread at the preferred price)
    low: Decimal
    high: Decimal
    offered: Decimal  # the offer's, in the band's unit
    where: str  # "below", "within" or "above"
    fraction: Decimal  # (offered − low) ÷ (high − low)
    script_position: Decimal  # where the script's stock ask sits in its stock band (0 to 1)
    ask: Decimal  # low + script_position × (high − low), rounded
    ask_options: int  # the ask as a number of options
    met: bool  # the offer already meets the ask


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
    band: BandPlace | None = None  # where the guide's region has an equity band
    stock_zero: bool = True  # the offer states no RSU grant beside the options


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
        band=band_place(offer, grant),
        stock_zero=offer.stock == 0,
    )


def band_place(offer: Offer, grant: Options) -> BandPlace | None:
    """The options in the region's equity band (None: the guide gives none)."""
    band = offer.region.equity
    if band is None:
        return None
    low, high = Decimal(str(band.low)), Decimal(str(band.high))
    offered = {"pct": ownership_pct(grant), "options": Decimal(grant.count), "value": spread(grant)}[
        band.unit
    ]
    script, home = offer.guide.script, offer.guide.script_region.stock
    home_low, home_high = Decimal(str(home.low)), Decimal(str(home.high))
    position = (Decimal(str(script.stock)) - home_low) / (home_high - home_low) if home_high > home_low else 1
    position = min(max(Decimal(position), Decimal(0)), Decimal(1))
    raw = low + position * (high - low)
    if band.unit == "pct":
        ask = Decimal(f"{raw:.3g}")
        options = int(round_to(ask / HUNDRED * grant.fully_diluted_shares, 100))
    elif band.unit == "options":
        ask = round_to(raw, 1000)
        options = int(ask)
    else:
        ask = round_to(raw, 1000)
        gain = grant.preferred_price - grant.strike
        options = int(round_to(ask / gain, 100)) if gain > 0 else grant.count
    met = offered >= ask
    where = "below" if offered < low else "above" if offered > high else "within"
    fraction = (offered - low) / (high - low) if high > low else Decimal(1)
    return BandPlace(band.unit, low, high, offered, where, fraction, position, ask, options, met)

"""Stock options of a private company: pure arithmetic, exact (Decimal), no I/O.

The rules, stated in docs/numbers.md ("Stock options"):

* ownership = options ÷ fully diluted shares × 100 (a percentage);
* cost to exercise = options × strike; the spread at the preferred price = options × (preferred
  price − strike), nothing when the strike is above it;
* the latest valuation = preferred price × fully diluted shares;
* at a company value V, with an assumed dilution of d% before the exit, a share is worth
  V × (1 − d ÷ 100) ÷ fully diluted shares, and the options (once vested, net of the strike)
  options × max(0, that price − strike);
* the options vesting each year: options × vesting[y] ÷ 100 (a cliff moves what would have
  vested before it into the year it ends, as for RSUs), in whole options by largest remainder.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from .vesting import Pay, largest_remainder, stock_by_year

HUNDRED = Decimal(100)
DEFAULT_MULTIPLES = (3, 10)  # the company values shown by default: nothing, the latest, 3x, 10x


class Options(msgspec.Struct, frozen=True):
    """A grant of stock options, its prices per share in the offer's currency."""

    count: int
    strike: Decimal
    preferred_price: Decimal
    fully_diluted_shares: int
    years: int = 4
    vesting: tuple[Decimal, ...] = ()  # percent per year; () is even
    cliff_months: int | None = None
    fmv: Decimal | None = None  # the current fair market value (a 409A in the US)
    exercise_window_years: Decimal | None = None  # time to exercise after leaving
    kind: str | None = None  # ISO, NSO, EMI, or other text


class Worth(msgspec.Struct, frozen=True):
    """What the options would be worth at one company value."""

    company_value: Decimal
    price: Decimal  # a share's worth at that value, after the assumed dilution
    value: Decimal  # options × max(0, price − strike)
    latest: bool = False  # the company value is the latest valuation


def ownership_pct(grant: Options) -> Decimal:
    return Decimal(grant.count) / Decimal(grant.fully_diluted_shares) * HUNDRED


def cost_to_exercise(grant: Options) -> Decimal:
    return grant.count * grant.strike


def spread(grant: Options) -> Decimal:
    """The options' worth at the preferred price, net of the strike (never below nothing)."""
    return grant.count * max(Decimal(0), grant.preferred_price - grant.strike)


def latest_valuation(grant: Options) -> Decimal:
    return grant.preferred_price * grant.fully_diluted_shares


def company_values(grant: Options, given: tuple[Decimal, ...] = ()) -> tuple[Decimal, ...]:
    """The company values to show: `given`, else nothing, the latest valuation and its multiples."""
    if given:
        return given
    latest = latest_valuation(grant)
    return (Decimal(0), latest, *(latest * m for m in DEFAULT_MULTIPLES))


def price_at(grant: Options, company_value: Decimal, dilution_pct: Decimal = Decimal(0)) -> Decimal:
    return company_value * (1 - dilution_pct / HUNDRED) / grant.fully_diluted_shares


def worth(
    grant: Options, given: tuple[Decimal, ...] = (), dilution_pct: Decimal = Decimal(0)
) -> tuple[Worth, ...]:
    """What all the options, once vested, would be worth at each company value."""
    latest = latest_valuation(grant)
    out = []
    for value in company_values(grant, given):
        price = price_at(grant, value, dilution_pct)
        out.append(Worth(value, price, grant.count * max(Decimal(0), price - grant.strike), value == latest))
    return tuple(out)


def options_by_year(grant: Options) -> tuple[int, ...]:
    """The options vesting in each year (whole options, adding up to the grant)."""
    pay = Pay(
        Decimal(0), Decimal(grant.count), grant.years, Decimal(0), grant.vesting, (), grant.cliff_months
    )
    return tuple(int(n) for n in largest_remainder(stock_by_year(pay)))

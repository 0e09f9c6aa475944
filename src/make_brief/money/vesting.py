"""Money over time: what an offer pays in each year of its vesting period. Pure: no I/O.

An offer's stock rarely vests evenly (Amazon vests 5/15/40/40, Google front-loads), and a
sign-on may be paid over more than one year, so the average year ("annual total comp") says
little about the first. The rules, stated in the README's "How the numbers are made":

* year y = base + base × bonus% + the sign-on paid in year y + stock × vesting[y] ÷ 100;
* a cliff past month 12 moves what would have vested before it into the year the cliff ends;
* each leading year that vests less than an even share, as the table shows it (a back-loaded
  schedule, or a cliff past month 12 that leaves the first years empty), becomes a sign-on ask:
  the larger of the offered sign-on for that year and the asked grant × (1 ÷ years −
  vested[y] ÷ 100), rounded to the nearest thousand, vested[y] being the percentage that
  really vests in year y, the cliff included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_FLOOR, Decimal

import msgspec

from .amounts import round_to

HUNDRED = Decimal(100)
ROUND_TO = 1000
MAX_CLIFF_MONTHS = 48


class Refresh(msgspec.Struct, frozen=True):
    """A refresh grant each year from `from_year`: `amount`, or `pct` of the initial grant,
    each grant vesting `vesting` percent a year from the year it is given (() : as the
    initial grant's schedule, without its cliff)."""

    from_year: int
    amount: Decimal | None = None
    pct: Decimal | None = None
    vesting: tuple[Decimal, ...] = ()


class Pay(msgspec.Struct, frozen=True):
    """The parts of one offer, in its own currency."""

    base: Decimal
    stock: Decimal
    stock_years: int
    bonus_pct: Decimal
    vesting: tuple[Decimal, ...] = ()  # percent per year; () is even
    sign_on: tuple[Decimal, ...] = ()  # paid in year 1, 2, ...
    cliff_months: int | None = None
    refresh: Refresh | None = None


class Year(msgspec.Struct, frozen=True):
    number: int
    base: Decimal
    bonus: Decimal
    sign_on: Decimal
    stock: Decimal
    refresh: Decimal = Decimal(0)  # what the year's refresh grants vest

    @property
    def total(self) -> Decimal:
        return self.base + self.bonus + self.sign_on + self.stock + self.refresh


class Schedule(msgspec.Struct, frozen=True):
    """Each year of the vesting period, their sum, and the average year (sign-on left out,
    as in annual total comp)."""

    years: tuple[Year, ...]
    average: Decimal
    refreshed: Decimal = Decimal(0)  # the refresh grants' vesting in an average year

    @property
    def first(self) -> Decimal:
        return self.years[0].total

    @property
    def total(self) -> Decimal:
        return sum((y.total for y in self.years), Decimal(0))

    def converted(self, convert: Callable[[Decimal], Decimal]) -> Schedule:
        """The same schedule in another currency: every amount converted exactly by `convert`,
        then in whole units (see `whole`)."""
        years = tuple(
            Year(y.number, convert(y.base), convert(y.bonus), convert(y.sign_on), convert(y.stock),
                 convert(y.refresh))
            for y in self.years
        )  # fmt: skip
        return Schedule(years, convert(self.average), convert(self.refreshed)).whole()

    def whole(self) -> Schedule:
        """The same schedule in whole units, as the brief shows it: the years' totals rounded by
        largest remainder, so that they add up to the exact total rounded (three years of
        $92,666.67 are $92,667, $92,667 and $92,666: $278,000, not $278,001); in each year the
        base, bonus and sign-on rounded half-up and the stock the rest; the average half-up."""
        totals = largest_remainder([y.total for y in self.years])
        years = []
        for y, total in zip(self.years, totals, strict=True):
            base, bonus, sign_on, refresh = (round_to(v, 1) for v in (y.base, y.bonus, y.sign_on, y.refresh))
            stock = total - base - bonus - sign_on - refresh
            if stock < 0:  # no stock that year: the bonus takes the rounding
                bonus, stock = bonus + stock, Decimal(0)
            years.append(Year(y.number, base, bonus, sign_on, stock, refresh))
        return Schedule(tuple(years), round_to(self.average, 1), self.refreshed)


def largest_remainder(amounts: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """`amounts` in whole units that add up to their exact sum rounded half-up: each rounded
    down, then one more unit to those with the largest fractions (the earlier on a tie)."""
    target = round_to(sum(amounts, Decimal(0)), 1)
    floors = [a.to_integral_value(rounding=ROUND_FLOOR) for a in amounts]
    short = int(target - sum(floors, Decimal(0)))
    order = sorted(range(len(amounts)), key=lambda i: (-(amounts[i] - floors[i]), i))
    bumped = set(order[:short])
    return tuple(f + 1 if i in bumped else f for i, f in enumerate(floors))


class SignOnAsk(msgspec.Struct, frozen=True):
    """The sign-on to ask for in one leading year that vests less than an even share."""

    year: int
    vesting: Decimal  # the percentage that vests that year, the cliff included
    shortfall: Decimal  # asked grant × (1 ÷ years − vesting ÷ 100), exact
    derived: Decimal  # the shortfall rounded to the nearest thousand
    offered: Decimal  # the sign-on the offer pays that year (0 if none)

    @property
    def value(self) -> Decimal:
        return max(self.derived, self.offered)


def even_share(years: int) -> Decimal:
    """The percentage an even schedule vests each year."""
    return HUNDRED / years


def percentages(pay: Pay) -> tuple[Decimal, ...]:
    """The vesting percentage of each year (an even schedule's are 100 ÷ years)."""
    return pay.vesting or (even_share(pay.stock_years),) * pay.stock_years


def stock_by_year(pay: Pay) -> tuple[Decimal, ...]:
    """The stock that vests in each year, after the cliff."""
    if pay.vesting:
        amounts = [pay.stock * v / HUNDRED for v in pay.vesting]
    else:
        amounts = [pay.stock / pay.stock_years] * pay.stock_years
    return after_cliff(amounts, pay.cliff_months)


def after_cliff(amounts: list[Decimal], cliff_months: int | None) -> tuple[Decimal, ...]:
    """Amounts (or percentages) per year with what would vest before the cliff moved into the
    year it ends."""
    cliff_year = cliff_moves_to(cliff_months)
    if cliff_year > 1:
        held = sum(amounts[: cliff_year - 1], Decimal(0))
        amounts = [Decimal(0)] * (cliff_year - 1) + [held + amounts[cliff_year - 1]] + amounts[cliff_year:]
    return tuple(amounts)


def vested(pay: Pay) -> tuple[Decimal, ...]:
    """The percentage of the grant that really vests in each year: the schedule's, with the
    cliff's years moved (what the year-by-year table shows)."""
    return after_cliff(list(percentages(pay)), pay.cliff_months)


def cliff_moves_to(cliff_months: int | None) -> int:
    """The year in which a cliff of `cliff_months` ends (1 for none, or one within year 1):
    what would have vested in earlier years vests then."""
    if not cliff_months or cliff_months <= 12:
        return 1
    return -(-cliff_months // 12)


def schedule(pay: Pay) -> Schedule:
    """What `pay` pays in each year of its vesting period."""
    bonus = pay.base * pay.bonus_pct / HUNDRED
    stock = stock_by_year(pay)
    refresh = refresh_by_year(pay)
    years = tuple(
        Year(
            number=i + 1,
            base=pay.base,
            bonus=bonus,
            sign_on=pay.sign_on[i] if i < len(pay.sign_on) else Decimal(0),
            stock=stock[i],
            refresh=refresh[i],
        )
        for i in range(pay.stock_years)
    )
    average = pay.base + pay.stock / pay.stock_years + bonus
    return Schedule(years, average, sum(refresh, Decimal(0)) / pay.stock_years)


def refresh_grant(pay: Pay) -> Decimal:
    """The size of each refresh grant: its amount, or its percentage of the initial grant."""
    if pay.refresh is None:
        return Decimal(0)
    if pay.refresh.amount is not None:
        return pay.refresh.amount
    return pay.stock * (pay.refresh.pct or Decimal(0)) / HUNDRED


def refresh_by_year(pay: Pay) -> tuple[Decimal, ...]:
    """What the refresh grants vest in each year of the vesting period: a grant in each year
    from `from_year`, each vesting its own schedule from the year it is given; what would vest
    after the period is outside it."""
    out = [Decimal(0)] * pay.stock_years
    if pay.refresh is None:
        return tuple(out)
    grant, shares = refresh_grant(pay), pay.refresh.vesting or percentages(pay)
    for given in range(pay.refresh.from_year, pay.stock_years + 1):
        for j, pct in enumerate(shares):
            if given + j <= pay.stock_years:
                out[given + j - 1] += grant * pct / HUNDRED
    return tuple(out)


def shape(pay: Pay) -> str:
    """ "even", "back" (year 1 vests less than an even share), "front" (more) or "uneven"
    (an even first year, uneven later). Percentages are compared to one decimal place, so that
    33.33/33.33/33.34 is even."""
    share = _one_place(even_share(pay.stock_years))
    shares = [_one_place(v) for v in percentages(pay)]
    if all(s == share for s in shares):
        return "even"
    if shares[0] < share:
        return "back"
    return "front" if shares[0] > share else "uneven"


def _one_place(value: Decimal) -> Decimal:
    return round_to(value * 10, 1) / 10


def sign_on_asks(asked_grant: Decimal, pay: Pay) -> tuple[SignOnAsk, ...]:
    """For each leading year of `pay` that really vests less than an even share (the cliff
    included), the sign-on that makes up the shortfall of the asked grant (see the module's
    docstring). None for a grant whose first year vests an even share or more."""
    share = even_share(pay.stock_years)
    asks = []
    for i, pct in enumerate(vested(pay)):
        if _one_place(pct) >= _one_place(share):
            break
        shortfall = asked_grant * (1 / Decimal(pay.stock_years) - pct / HUNDRED)
        offered = pay.sign_on[i] if i < len(pay.sign_on) else Decimal(0)
        asks.append(SignOnAsk(i + 1, pct, shortfall, round_to(shortfall, ROUND_TO), offered))
    return tuple(asks)


def with_sign_on(pay: Pay, asks: tuple[SignOnAsk, ...]) -> tuple[Decimal, ...]:
    """The sign-on by year once `asks` are met: each asked year's value, the offered sign-on
    in the other years."""
    length = max(len(pay.sign_on), max((a.year for a in asks), default=0))
    by_year = [pay.sign_on[i] if i < len(pay.sign_on) else Decimal(0) for i in range(length)]
    for ask in asks:
        by_year[ask.year - 1] = ask.value
    return tuple(by_year)

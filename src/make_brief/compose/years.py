"""Composition of the money over time: the ``years`` context of the wording templates, the
year-by-year table (``@years_table``) and chart (``@years_chart``). Pure, like compose.py.

Amounts are in the offer's currency; a competing offer in another currency appears only when
converted with a rate the user stated, and the rate is always shown beside it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..advice.compute import Figures
from ..advice.timeline import Compared, OverTime
from ..money.amounts import fmt_money, fmt_number, is_compact
from ..money.fx import Converted, is_stale
from ..money.vesting import Schedule, cliff_moves_to, percentages, refresh_grant
from ..offers.offer import Offer
from .document import Bars, Series, Table
from .templates import Template


def years_context(offer: Offer, figures: Figures, template: Template, money: Any, day: Any) -> dict:
    """What the wording templates see as ``years``."""
    over = _over(figures)
    pay = offer.pay
    shares = percentages(pay)
    cliff = offer.cliff_months
    return {
        "count": offer.stock_years,
        "vesting": "/".join(fmt_number(v) for v in shares) if offer.vesting else None,
        "even_share": f"{fmt_number(Decimal(100) / offer.stock_years)}%"
        if 100 % offer.stock_years == 0
        else f"{Decimal(100) / offer.stock_years:.1f}%",
        "shape": over.shape,
        "offer": _schedule_view(over.offer, money),
        "ask": _schedule_view(over.ask, money),
        "grant": money.full(figures.asks["stock"].value),
        "sign_on_asks": [
            {
                "year": a.year,
                "vesting": f"{fmt_number(a.vesting)}%",
                "shortfall": money.full(a.shortfall),
                "derived": money.full(a.derived),
                "value": money.full(a.value),
                "offered": money.full(a.offered) if a.offered else None,
                "kept_offered": a.offered > a.derived,
            }
            for a in over.sign_on_asks
        ],
        "cliff": {"months": cliff, "moves_to": cliff_moves_to(cliff)} if cliff else None,
        "clawback": {"months": offer.clawback.months, "full": offer.clawback.terms == "full"}
        if offer.clawback
        else None,
        "competing": [_compared_view(c, offer, money, template, day) for c in over.competing],
        "varies": _varies(over),
        "chart_rounded": not _all_compact(offer, figures, template, money.locale),
        "stale": any(is_stale(r, day) for r in over.rates_used),
        "refresh": _refresh_view(offer, over, money),
    }


def _refresh_view(offer: Offer, over: OverTime, money: Any) -> dict | None:
    """The offer's refresh grants as the years section words them (None: the offer has none)."""
    refresh = offer.refresh
    if refresh is None:
        return None
    plan = over.offer.whole()
    return {
        "grant": money.full(refresh_grant(offer.pay)),
        "pct": fmt_number(refresh.pct) if refresh.pct is not None else None,
        "from_year": refresh.from_year,
        "vesting": "/".join(fmt_number(v) for v in refresh.vesting) if refresh.vesting else None,
        "by_year": [money.full(y.refresh) for y in plan.years],
        "total": money.full(sum((y.refresh for y in plan.years), Decimal(0))),
        "average": money.full(plan.average + plan.refreshed),
        "annual": money.full(plan.average),
    }


def _over(figures: Figures) -> OverTime:
    assert figures.over_time is not None, "compute() always fills it"
    return figures.over_time


def _schedule_view(plan: Schedule, money: Any) -> dict:
    plan = plan.whole()  # as the table shows it: the years add up to the total
    return {
        "years": [money.full(y.total) for y in plan.years],
        "first": money.full(plan.first),
        "last": money.full(plan.years[-1].total),
        "total": money.full(plan.total),
        "average": money.full(plan.average),
        "first_below_average": plan.first < plan.average,
    }


def _compared_view(c: Compared, offer: Offer, money: Any, template: Template, day: Any) -> dict:
    return {
        "company": c.offer.company,
        "currency": c.offer.currency,
        "by_parts": c.offer.pay is not None,
        "compared": c.total is not None,
        "same_currency": c.same_currency,
        "rate": rate_text(c.converted, offer, money, template) if c.converted else None,
        "stale": c.converted is not None and is_stale(c.converted.stated, day),
        "total": money.full(c.total) if c.total is not None else None,
        "first": money.full(c.schedule.whole().first) if c.schedule else None,
        "above_offer": c.total is not None and c.total > _offer_average(offer),
    }


def _offer_average(offer: Offer) -> Decimal:
    from ..money.vesting import schedule

    return schedule(offer.pay).average


def rate_text(converted: Converted, offer: Offer, money: Any, template: Template) -> str:
    """For example "US$410,000 is about £323,900 at 0.79 (Bank of England, 20 Nov 2026)" (the
    brief's font has no ≈)."""
    from babel.dates import format_date

    rate = converted.stated
    shown = fmt_money(
        converted.amount, converted.from_cur, offer.region.locale, money.marks.get(converted.from_cur)
    )
    factor = f"1 ÷ {fmt_number(rate.rate)}" if converted.inverted else fmt_number(rate.rate)
    when = format_date(rate.day, "d MMM y", locale=template.style.language.replace("-", "_"))
    where = f"{rate.source}, {when}" if rate.source else when
    return f"{shown} is about {money.full(converted.value)} at {factor} ({where})"


def _varies(over: OverTime) -> bool:
    """Whether any row of the year table differs from year to year (else a chart says nothing)."""
    plans = [over.offer, over.ask, *(c.schedule for c in over.competing if c.schedule)]
    return any(len({y.total for y in p.years}) > 1 for p in plans)


# --- the table and the chart -------------------------------------------------------------------


def _series(offer: Offer, figures: Figures, template: Template) -> list[tuple[str, Schedule]]:
    """Each column of the table (bar of the chart) and its schedule in whole units."""
    labels, over = template.style.labels, _over(figures)
    series = [(labels.your_offer, over.offer), (labels.your_ask, over.ask)]
    for c in over.competing:
        if c.schedule is not None:
            name = c.offer.company if c.same_currency else f"{c.offer.company} (from {c.offer.currency})"
            series.append((name, c.schedule))
    return [(name, plan.whole()) for name, plan in series]


def _all_compact(offer: Offer, figures: Figures, template: Template, locale: str) -> bool:
    amounts = [y.total for _, plan in _series(offer, figures, template) for y in plan.years]
    return all(is_compact(v.quantize(Decimal(1)), locale) for v in amounts)


def years_table(offer: Offer, figures: Figures, template: Template, money: Any) -> Table:
    """A row per year, a column per offer (yours, your asks, competing offers given by parts),
    then the total over the period and the average year. Every amount is in whole units and
    each column's years add up to its total (Schedule.whole). Offers that vest over different
    numbers of years have each total marked with its span, never side by side unmarked."""
    series = _series(offer, figures, template)
    count = max(len(plan.years) for _, plan in series)
    spans = {len(plan.years) for _, plan in series}
    cells: list[list[Decimal | None]] = []
    for _, plan in series:
        column = [plan.years[i].total if i < len(plan.years) else None for i in range(count)]
        cells.append([*column, plan.total, plan.average + plan.refreshed])
    show = _one_style([v for column in cells for v in column if v is not None], money)
    texts: list[list[str]] = [[show(v) if v is not None else "—" for v in column] for column in cells]
    if len(spans) > 1:
        for text, (_, plan) in zip(texts, series, strict=True):
            text[count] += f" over {len(plan.years)} years"
    names = [f"Year {i + 1}" for i in range(count)]
    names += [_total_name(spans), _average_name(series)]
    rows = tuple((name, *(texts[j][i] for j in range(len(series)))) for i, name in enumerate(names))
    header = ("", *(name for name, _ in series))
    return Table(header, rows, frozenset({0}), frozenset({count, count + 1}))


def _total_name(spans: set[int]) -> str:
    return f"Total over {next(iter(spans))} years" if len(spans) == 1 else "Total over each offer's years"


def _average_name(series: list[tuple[str, Schedule]]) -> str:
    """ "Average year" is base + bonus + stock ÷ years (annual total comp): the total divided
    by the years only when no column has a sign-on, and its label says so when one has."""
    refreshed = any(plan.refreshed for _, plan in series)
    name = "Average year, with refreshers" if refreshed else "Average year"
    if any(y.sign_on for _, plan in series for y in plan.years):
        return f"{name}, sign-on left out"
    return name


def _one_style(amounts: list[Decimal], money: Any) -> Any:
    """One number style for a table or chart: all compact when every amount has an exact
    compact form, else all in full."""
    if all(is_compact(v.quantize(Decimal(1)), money.locale) for v in amounts):
        return lambda v: money.short(v.quantize(Decimal(1)))
    return money.full


def years_chart(offer: Offer, figures: Figures, template: Template, money: Any) -> Bars:
    """The same figures as bars: a group per year, a bar per offer."""
    series = _series(offer, figures, template)
    count = max(len(plan.years) for _, plan in series)
    if _all_compact(offer, figures, template, money.locale):
        show = _one_style([y.total for _, plan in series for y in plan.years], money)
    else:  # full amounts would overlap: in thousands, every label alike, as the section's note says
        show = money.thousands
    return Bars(
        categories=tuple(f"Year {i + 1}" for i in range(count)),
        series=tuple(
            Series(
                name,
                tuple(plan.years[i].total if i < len(plan.years) else Decimal(0) for i in range(count)),
                tuple(show(plan.years[i].total) if i < len(plan.years) else "" for i in range(count)),
            )
            for name, plan in series
        ),
    )

"""The equity part of a brief, pure: what the wording template `sections/equity.j2` sees of a
private company's stock options and RSUs (advice/equity.py's figures, formatted), and the chart
of what the options would be worth at each company value (`@equity_chart`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..advice.equity import Equity, equity
from ..money.amounts import fmt_count, fmt_money_about, fmt_number, fmt_pct, fmt_price
from ..offers.offer import Offer
from .document import Bars, Series


def ownership_text(pct: Decimal) -> str:
    """A percentage of the company to three significant figures: 0.0769%, 1.25%, 12.5%."""
    if pct < Decimal("0.0001"):
        return "less than 0.0001%"
    return f"{float(pct):.3g}%" if pct < 100 else "100%"


def window_text(years: Decimal) -> str:
    """An exercise window in words: 3 months, 1 year, 10 years, 1.5 years."""
    months = years * 12
    if years < 1 and months == months.to_integral_value():
        return f"{int(months)} month{'s' if months != 1 else ''}"
    return f"{fmt_number(years)} year{'s' if years != 1 else ''}"


def equity_context(offer: Offer, money: Any) -> dict[str, Any] | None:
    """The equity section's context; None when the offer has no private equity."""
    found = equity(offer)
    if found is None:
        return None
    return {
        "private_rsus": found.private_rsus,
        "stock": money.full(offer.stock),
        "stock_years": offer.stock_years,
        "options": _options_view(found, money) if found.grant is not None else None,
    }


def _options_view(found: Equity, money: Any) -> dict[str, Any]:
    grant = found.grant
    assert grant is not None
    loc = money.locale

    def price(value: Decimal) -> str:
        return fmt_price(value, money.currency, loc, money.mark)

    window = grant.exercise_window_years
    return {
        "count": fmt_count(grant.count, loc),
        "shares": fmt_count(grant.fully_diluted_shares, loc),
        "strike": price(grant.strike),
        "preferred": price(grant.preferred_price),
        "fmv": price(grant.fmv) if grant.fmv is not None else None,
        "kind": grant.kind,
        "ownership": ownership_text(found.ownership_pct),
        "cost": money.full(found.cost),
        "spread": money.full(found.spread),
        "latest": money.full(found.latest),
        "under_water": found.under_water,
        "window": window_text(window) if window is not None else None,
        "window_state": found.window,
        "dilution": fmt_number(found.dilution_pct) if found.dilution_pct else None,
        "kept": fmt_number(100 - found.dilution_pct) if found.dilution_pct else None,
        "given_values": found.given_values,
        "worth_at": [
            {
                "company": money.full(w.company_value),
                "price": price(w.price),
                "worth": money.full(w.value),
                "latest": w.latest,
            }
            for w in found.worth
        ],
        "years": [
            {
                "number": y.number,
                "options": fmt_count(y.options, loc),
                "spread": money.full(y.spread),
                "cost": money.full(y.cost),
            }
            for y in found.years
        ],  # fmt: skip
        "years_count": len(found.years),
        "vesting": "/".join(fmt_number(v) for v in grant.vesting) if grant.vesting else None,
        "cliff": grant.cliff_months,
        "asks": list(found.asks),
        "band": _band_view(found, money) if found.band is not None else None,
        "stock_zero": found.stock_zero,
    }


def _band_view(found: Equity, money: Any) -> dict[str, Any]:
    band = found.band
    assert band is not None and found.grant is not None

    def show(value: Decimal) -> str:
        if band.unit == "pct":
            return ownership_text(value) + " of the company"
        if band.unit == "options":
            return fmt_count(int(value), money.locale) + " options"
        return money.full(value)

    also = fmt_count(band.ask_options, money.locale) + " options"
    if band.unit == "options":
        also = ownership_text(band.ask / found.grant.fully_diluted_shares * 100) + " of the company"
    return {
        "unit": band.unit,
        "range": _range(band.unit, band.low, band.high, money),
        "offered": show(band.offered),
        "where": band.where,
        "position": fmt_pct(band.fraction),
        "script_position": fmt_pct(band.script_position),
        "ask": show(band.ask),
        "also": also,
        "met": band.met,
    }


def equity_chart(offer: Offer, money: Any) -> Bars:
    """What all the options, once vested, would be worth at each company value, as bars."""
    found = equity(offer)
    worth = found.worth if found is not None else ()

    def about(value: Decimal) -> str:
        return fmt_money_about(value, money.currency, money.locale, money.mark)

    return Bars(
        categories=tuple(about(w.company_value) for w in worth),
        series=(
            Series(
                "Your options, net of the strike",
                tuple(w.value for w in worth),
                tuple(about(w.value) for w in worth),
            ),
        ),
    )


def _range(unit: str, low: Decimal, high: Decimal, money: Any) -> str:
    """A band in its unit: "0.15%–0.75% of the company", "30,000–50,000 options", "$150,000–$300,000"."""
    if unit == "pct":
        return f"{ownership_text(low)}–{ownership_text(high)} of the company"
    if unit == "options":
        return f"{fmt_count(int(low), money.locale)}–{fmt_count(int(high), money.locale)} options"
    return f"{money.full(low)}–{money.full(high)}"

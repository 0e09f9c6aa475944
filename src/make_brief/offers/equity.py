"""The equity of a private company in an offer file: stock options (`offer.options`), the
company values to show them at (`offer.exit_values`), an assumed dilution
(`offer.dilution_pct`), and whether RSUs are liquid (`offer.stock_liquid: false` for a private
company's RSUs, which pay only at an exit). Each field is checked as amounts are: one line
naming the field. The arithmetic is money/options.py's."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..errors import AmountError
from ..files.loading import Document
from ..model import Model
from ..money.amounts import parse_amount
from ..money.options import Options
from ..money.vesting import Refresh

AmountIn = int | float | str
Checks = tuple[Callable[..., tuple[Decimal, ...]], Callable[..., int | None]]
MAX_COUNT = 10**10  # options, or shares in a company
MAX_PRICE = Decimal(10**6)  # a price per share
MAX_COMPANY_VALUE = Decimal(10**14)
MAX_EXIT_VALUES = 8


class RawOptions(Model, frozen=True, kw_only=True):
    count: int
    strike: AmountIn
    preferred_price: AmountIn
    fully_diluted_shares: int
    fmv: AmountIn | None = None
    vesting: list[int | float] | None = None
    cliff_months: int | None = None
    exercise_window_years: int | float | None = None
    kind: str | None = None


def read_equity(doc: Document, terms: Any, currency: str, checks: Checks) -> dict[str, Any]:
    """The Offer fields of the equity in `terms` (the offer file's RawTerms); `checks` are the
    offer file's own checks of a vesting schedule and a cliff (offer.vesting, offer.cliff)."""
    vesting, cliff = checks
    years = terms.stock_years
    raw: RawOptions | None = terms.options
    grant = None
    if raw is not None:
        where = "offer.options"
        count = _count(doc, f"{where}.count", raw.count)
        shares = _count(doc, f"{where}.fully_diluted_shares", raw.fully_diluted_shares)
        if count > shares:
            raise doc.error(
                f"{where}.count",
                f"{count:,} options are more than the company's {shares:,} fully diluted shares",
                "check both numbers",
            )
        window = None
        if raw.exercise_window_years is not None:
            window = _number(doc, f"{where}.exercise_window_years", raw.exercise_window_years, 0, 30)
        kind = (raw.kind or "").strip() or None
        if kind is not None and (len(kind) > 40 or not kind.isprintable()):
            raise doc.error(f"{where}.kind", "is not a kind of option such as ISO, NSO or EMI")
        grant = Options(
            count=count,
            strike=_price(doc, f"{where}.strike", raw.strike, currency),
            preferred_price=_price(doc, f"{where}.preferred_price", raw.preferred_price, currency),
            fully_diluted_shares=shares,
            years=years,
            vesting=vesting(doc, f"{where}.vesting", raw.vesting, years),
            cliff_months=cliff(doc, raw.cliff_months, years, f"{where}.cliff_months"),
            fmv=_price(doc, f"{where}.fmv", raw.fmv, currency) if raw.fmv is not None else None,
            exercise_window_years=window,
            kind=kind,
        )
    exits = _exit_values(doc, terms.exit_values, currency)
    if exits and grant is None:
        raise doc.error("offer.exit_values", "are for stock options: give offer.options too")
    dilution = None
    if terms.dilution_pct is not None:
        dilution = _number(doc, "offer.dilution_pct", terms.dilution_pct, 0, 95)
        if grant is None:
            raise doc.error("offer.dilution_pct", "is for stock options: give offer.options too")
    return {
        "options": grant,
        "exit_values": exits,
        "dilution_pct": dilution,
        "stock_liquid": terms.stock_liquid,
    }


def _count(doc: Document, field: str, value: int) -> int:
    if isinstance(value, bool) or not 1 <= value <= MAX_COUNT:
        raise doc.error(
            field, f"{value} is not a number of shares: write a whole number from 1 to {MAX_COUNT:,}"
        )
    return value


def _price(doc: Document, field: str, value: AmountIn, currency: str) -> Decimal:
    """A price per share: more than nothing, its cents (and smaller fractions) kept."""
    try:
        price = parse_amount(value, currency)
    except AmountError as exc:
        raise doc.error(field, str(exc)) from None
    if price == 0:
        raise doc.error(field, "must be more than zero", "a price per share, such as 1.85")
    if price > MAX_PRICE:
        raise doc.error(field, f"{price:,} {currency} is not a plausible price per share", "check the amount")
    if price.as_tuple().exponent < -6:  # type: ignore[operator]
        raise doc.error(
            field, f"{price} has more than 6 decimal places", "round it to the cent, such as 1.85"
        )
    return price


def _number(doc: Document, field: str, value: int | float, low: int, high: int) -> Decimal:
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        raise doc.error(field, "must be a number")
    if not low <= value <= high:
        raise doc.error(field, f"{value} is not from {low} to {high}")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _exit_values(doc: Document, given: list[AmountIn] | None, currency: str) -> tuple[Decimal, ...]:
    if not given:
        return ()
    if len(given) > MAX_EXIT_VALUES:
        raise doc.error("offer.exit_values", f"more than {MAX_EXIT_VALUES} company values")
    out = []
    for i, value in enumerate(given):
        try:
            amount = parse_amount(value, currency)
        except AmountError as exc:
            raise doc.error(f"offer.exit_values.{i}", str(exc)) from None
        if amount > MAX_COMPANY_VALUE:
            raise doc.error(f"offer.exit_values.{i}", "is not a plausible company value", "check the amount")
        out.append(amount)
    return tuple(out)


class RawRefresh(Model, frozen=True, kw_only=True):
    """`refresh:` a grant each year from `from_year`: `amount`, or `pct` of the initial grant."""

    amount: AmountIn | None = None
    pct: int | float | None = None
    from_year: int = 2
    vesting: list[int | float] | None = None


def read_refresh(
    doc: Document, where: str, raw: RawRefresh | None, currency: str, years: int, checks: Checks
) -> Refresh | None:
    """The refresh grants at `where` (offer.refresh, competing_offers.N.refresh), checked."""
    if raw is None:
        return None
    if (raw.amount is None) == (raw.pct is None):
        raise doc.error(where, "give its amount or its pct (of the initial grant), one of them")
    if not 1 <= raw.from_year <= years:
        raise doc.error(f"{where}.from_year", f"year {raw.from_year} is not within the {years} vesting years")
    amount = pct = None
    if raw.amount is not None:
        try:
            amount = parse_amount(raw.amount, currency)
        except AmountError as exc:
            raise doc.error(f"{where}.amount", str(exc)) from None
        if amount == 0 or amount > MAX_COMPANY_VALUE:
            raise doc.error(f"{where}.amount", "is not a plausible grant", "check the amount")
    else:
        assert raw.pct is not None
        pct = _number(doc, f"{where}.pct", raw.pct, 1, 200)
    shares: tuple[Decimal, ...] = ()
    if raw.vesting is not None:
        if not 1 <= len(raw.vesting) <= 10:
            raise doc.error(f"{where}.vesting", "give 1 to 10 yearly percentages, summing to 100")
        shares = checks[0](doc, f"{where}.vesting", raw.vesting, len(raw.vesting))
    return Refresh(raw.from_year, amount, pct, shares)

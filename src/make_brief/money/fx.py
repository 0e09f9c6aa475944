"""Exchange rates the user states: checked, looked up, and used. Never fetched or guessed.

A rate from A to B converts amounts in A into B (``rate × amount``); it also converts B into
A, inverted (``amount ÷ rate``). Rates are not chained: with USD→GBP and GBP→EUR, USD is not
converted into EUR. An offer's own rates win over a batch's shared ones (``--fx rates.csv``)
for the same pair of currencies, in either direction. A rate dated more than
:data:`STALE_DAYS` days before the brief's date is old: the brief says so, and the run warns.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import msgspec

from ..errors import InputError

STALE_DAYS = 30
MAX_RATES = 200
RATE_COLUMNS = ("from", "to", "rate", "date", "source")


class Rate(msgspec.Struct, frozen=True):
    """One stated rate: 1 unit of `base` is `rate` units of `quote`, on `day`, per `source`."""

    base: str
    quote: str
    rate: Decimal
    day: date
    source: str | None = None


class Converted(msgspec.Struct, frozen=True):
    """`amount` in `from_cur`, converted into `to_cur`: `value` = `amount` × `factor`.
    `stated` is the rate as the user wrote it; `inverted` when it was used as 1 ÷ rate."""

    amount: Decimal
    from_cur: str
    to_cur: str
    value: Decimal
    factor: Decimal
    stated: Rate
    inverted: bool

    def of(self, amount: Decimal) -> Decimal:
        """Another amount in `from_cur`, converted with the same rate."""
        return amount / self.stated.rate if self.inverted else amount * self.stated.rate


def find(from_cur: str, to_cur: str, rates: Iterable[Rate]) -> tuple[Rate, bool] | None:
    """The rate that converts `from_cur` into `to_cur`, and whether it is used inverted: a
    direct rate first, then an inverse one; among several, the most recent."""
    rates = list(rates)
    for inverted, match in ((False, (from_cur, to_cur)), (True, (to_cur, from_cur))):
        found = [r for r in rates if (r.base, r.quote) == match]
        if found:
            return max(found, key=lambda r: r.day), inverted
    return None


def convert(amount: Decimal, from_cur: str, to_cur: str, rates: Iterable[Rate]) -> Converted | None:
    """`amount` in `from_cur` converted into `to_cur` with a stated rate, or None without one.

    For the same currency there is nothing to convert: None as well (compare directly)."""
    if from_cur == to_cur:
        return None
    found = find(from_cur, to_cur, rates)
    if found is None:
        return None
    rate, inverted = found
    factor = 1 / rate.rate if inverted else rate.rate
    value = amount / rate.rate if inverted else amount * rate.rate
    return Converted(amount, from_cur, to_cur, value, factor, rate, inverted)


def is_stale(rate: Rate, day: date) -> bool:
    """Whether `rate` is dated more than STALE_DAYS days before `day`."""
    return rate.day < day - timedelta(days=STALE_DAYS)


def merged(own: Iterable[Rate], shared: Iterable[Rate]) -> tuple[Rate, ...]:
    """An offer's `own` rates, then the `shared` ones for pairs the offer does not state."""
    own = tuple(own)
    pairs = {frozenset((r.base, r.quote)) for r in own}
    return own + tuple(r for r in shared if frozenset((r.base, r.quote)) not in pairs)


# --- checking what the user wrote -------------------------------------------------------------

Fail = Callable[[str, str, "str | None"], InputError]  # (field, message, hint) → the error


def make_rate(
    fail: Fail,
    base: str,
    quote: str,
    rate: object,
    day: object,
    source: str | None,
    is_currency: Callable[[str], bool],
) -> Rate:
    """A checked Rate, or the error `fail` makes naming the field at fault."""
    codes = []
    for field, code in (("from", base), ("to", quote)):
        code = str(code).strip().upper()
        if not is_currency(code):
            raise fail(field, f"{code!r} is not a currency code such as USD or GBP", None)
        codes.append(code)
    if codes[0] == codes[1]:
        raise fail("to", f"a rate from {codes[0]} to itself", "name two currencies")
    value = _positive(rate)
    if value is None:
        raise fail(
            "rate", f"{rate!r} is not a positive number", "write e.g. 0.79: one unit of `from` in `to`"
        )
    return Rate(codes[0], codes[1], value, _day(fail, day), (source or "").strip() or None)


def _positive(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number > 0 else None


def _day(fail: Fail, value: object) -> date:
    text = "" if value is None else str(value).strip()
    if not text:
        raise fail("date", "a rate needs the date it was taken", 'write date: "2026-11-20"')
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise fail("date", f"{text!r} is not a date", "write it as YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail("date", f"{text!r} is not a date", "write it as YYYY-MM-DD") from None


def read_rates(path: Path) -> tuple[Rate, ...]:
    """The rates of a CSV table with the columns from, to, rate, date and source (optional)."""
    from ..files.loading import read_text
    from .places import is_currency

    text = read_text(path, what="rates table", max_bytes=256_000)
    reader = csv.reader(text.splitlines())
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [c for c in RATE_COLUMNS[:4] if c not in header]
    if missing:
        raise InputError(
            f"the rates table has no column {missing[0]!r}",
            file=path,
            line=1,
            hint="columns: " + ", ".join(RATE_COLUMNS),
        )
    rates = []
    for row_number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=False))

        def fail(field: str, message: str, hint: str | None, row_number: int = row_number) -> InputError:
            return InputError(message, file=path, line=row_number, field=field, hint=hint)

        rates.append(
            make_rate(fail, row.get("from", ""), row.get("to", ""), row.get("rate", ""),
                      row.get("date"), row.get("source"), is_currency)
        )  # fmt: skip
        if len(rates) > MAX_RATES:
            raise InputError(f"more than {MAX_RATES} rates", file=path, line=row_number)
    return tuple(rates)

"""A guide's age: how many whole months before a day its figures are "as of" (`as_of`, a
month written YYYY-MM), and whether that is older than a limit (a year unless told).

Pure: the guide's as-of text and the day in, the figures out. The brief says so on its first
page (compose), and `guides check` warns (rules.py).
"""

from __future__ import annotations

import re
from datetime import date

import msgspec

MAX_AGE_MONTHS = 12  # a guide older than this is flagged (--guide-max-age on build)
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Age(msgspec.Struct, frozen=True):
    """How old a guide's figures are on a day."""

    as_of: str  # the guide's as_of, e.g. "2026-02"
    month: str  # the same in words: "February 2026"
    months: int  # whole calendar months from the as-of month to the day's month
    limit: int  # the age above which the figures are flagged

    @property
    def stale(self) -> bool:
        return self.months > self.limit


def as_of_month(as_of: str | None) -> tuple[int, int] | None:
    """(year, month) of an as-of text written YYYY-MM; None for no date or another form."""
    match = _MONTH.fullmatch(as_of.strip()) if as_of is not None else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def guide_age(as_of: str | None, day: date, limit: int = MAX_AGE_MONTHS) -> Age | None:
    """The age on `day` of figures as of `as_of`; None when the guide gives no month."""
    found = as_of_month(as_of)
    if found is None or as_of is None:
        return None
    year, month = found
    months = (day.year - year) * 12 + day.month - month
    return Age(as_of.strip(), f"{MONTH_NAMES[month - 1]} {year}", months, limit)


def check_limit(months: int) -> str | None:
    """What is wrong with `months` as a limit (None: nothing)."""
    if not 1 <= months <= 240:
        return f"{months} months is not a limit for a guide's age: write 1 to 240"
    return None

"""The brief's money over time: the offer, the asks and the competing offers, year by year,
side by side, in the offer's currency. Pure: figures from an offer and its asks, no I/O.

A competing offer given by its parts gets the same year-by-year figures as the offer; one in
another currency is converted with a rate the user stated (fx.py), or not at all.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ..money.fx import Converted, Rate, convert
from ..money.vesting import Pay, Schedule, SignOnAsk, schedule, shape, sign_on_asks, with_sign_on
from ..offers.offer import Competing, Offer


class Compared(msgspec.Struct, frozen=True):
    """A competing offer as the brief compares it with the offer."""

    offer: Competing
    same_currency: bool
    converted: Converted | None  # its total comp in the offer's currency, when converted
    schedule: Schedule | None  # its years in the offer's currency, when given by parts

    @property
    def total(self) -> Decimal | None:
        """Its annual total comp in the offer's currency (None when it cannot be compared)."""
        if self.same_currency:
            return self.offer.total_comp
        return self.converted.value if self.converted is not None else None


class OverTime(msgspec.Struct, frozen=True):
    offer: Schedule
    ask: Schedule  # the asked base, grant and bonus on the offer's schedule, with the sign-on asks
    shape: str  # of the offer's vesting: even, back, front or uneven
    sign_on_asks: tuple[SignOnAsk, ...]  # for a back-loaded grant, or a cliff past year 1
    competing: tuple[Compared, ...]

    @property
    def rates_used(self) -> tuple[Rate, ...]:
        """The stated rates this brief converts with, each once."""
        found: list[Rate] = []
        for c in self.competing:
            if c.converted is not None and c.converted.stated not in found:
                found.append(c.converted.stated)
        return tuple(found)


def asked_pay(
    offer: Offer, base: Decimal, stock: Decimal, bonus_pct: Decimal
) -> tuple[Pay, tuple[SignOnAsk, ...]]:
    """The offer's pay at the asks: the asked base, grant and bonus on the offer's own vesting
    schedule, and the sign-on asks that make up its leading years when they vest less than an
    even share (a back-loaded grant, or a cliff that leaves the first year empty)."""
    pay = offer.pay
    asks = sign_on_asks(stock, pay)
    asked = msgspec.structs.replace(pay, base=base, stock=stock, bonus_pct=bonus_pct)
    return msgspec.structs.replace(asked, sign_on=with_sign_on(pay, asks)), asks


def compared(competing: Competing, offer: Offer) -> Compared:
    """`competing` in the offer's currency: as it is, converted with a stated rate, or (with no
    rate) not at all."""
    own = schedule(competing.pay) if competing.pay is not None else None
    if competing.currency == offer.currency:
        return Compared(competing, True, None, own)
    converted = convert(competing.total_comp, competing.currency, offer.currency, offer.rates)
    if converted is None:
        return Compared(competing, False, None, None)
    return Compared(competing, False, converted, own.converted(converted.of) if own is not None else None)


def over_time(offer: Offer, base: Decimal, stock: Decimal, bonus_pct: Decimal) -> OverTime:
    """The year-by-year figures of the brief, the asks being `base`, `stock` and `bonus_pct`."""
    asked, asks = asked_pay(offer, base, stock, bonus_pct)
    return OverTime(
        offer=schedule(offer.pay),
        ask=schedule(asked),
        shape=shape(offer.pay),
        sign_on_asks=asks,
        competing=tuple(compared(c, offer) for c in offer.competing),
    )

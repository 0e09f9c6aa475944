"""Where an offer's components sit among a guide's percentiles, pure. A guide may give, per
region and component, p25, p50 and p75 (and p10 and p90); the offer's percentile is
interpolated in a straight line between the two points around it, and the brief says it is an
estimate. Below the lowest point or above the highest it is only "below" or "above" it: no
percentile is made up beyond what the guide gives."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import msgspec

from ..guides.schema import Points, Region

PARTS = ("base", "stock", "bonus_pct", "total_comp")


class Rank(msgspec.Struct, frozen=True):
    """One component's place among the guide's percentile points."""

    part: str
    value: Decimal  # the offer's (stock: its grant, as over the guide's years when scaled)
    points: tuple[tuple[int, Decimal], ...]  # (percentile, value), scaled as the value is
    where: str  # "below" the lowest point, "above" the highest, or "at" (interpolated)
    percentile: Decimal | None = None  # when "at": interpolated, exact


def rank(value: Decimal, points: Points, part: str, scale: Decimal = Decimal(1)) -> Rank:
    """`value` among `points` (each × `scale`)."""
    known = tuple((p, Decimal(str(v)) * scale) for p, v in points.known())
    if value < known[0][1]:
        return Rank(part, value, known, "below")
    if value > known[-1][1]:
        return Rank(part, value, known, "above")
    for (p, v), (q, w) in pairwise(known):
        if v <= value <= w:
            share = (value - v) / (w - v) if w > v else Decimal(0)
            return Rank(part, value, known, "at", p + share * (q - p))
    return Rank(part, value, known, "at", Decimal(known[-1][0]))  # a single point equal to it


def ranks(region: Region, values: dict[str, Decimal], stock_scale: Decimal) -> tuple[Rank, ...]:
    """The offer's rank in each component the region has percentiles for (none without)."""
    if region.percentiles is None:
        return ()
    found = []
    for part in PARTS:
        points = getattr(region.percentiles, part)
        if points is not None:
            found.append(rank(values[part], points, part, stock_scale if part == "stock" else Decimal(1)))
    return tuple(found)

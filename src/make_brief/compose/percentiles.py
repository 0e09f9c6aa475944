"""The market section's percentile rows, pure: where each component of the offer sits among
the guide's percentiles for its region (advice/percentiles.py), in words. Nothing for a guide
without percentiles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..advice.compute import Figures
from ..advice.percentiles import Rank, ranks
from ..money.amounts import fmt_number, round_to
from ..offers.offer import Offer

NAMES = {"base": "Base", "stock": "Stock", "bonus_pct": "Bonus target", "total_comp": "Total comp"}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th, 22nd, 62nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percentile_views(offer: Offer, figures: Figures, money: Any) -> list[dict[str, Any]]:
    values = {
        "base": offer.base,
        "stock": offer.stock,
        "bonus_pct": offer.bonus_pct,
        "total_comp": figures.offer_total,
    }
    scale = Decimal(offer.stock_years) / Decimal(offer.guide.stock_years)
    return [_view(r, money) for r in ranks(offer.region, values, scale)]


def _view(r: Rank, money: Any) -> dict[str, Any]:
    def show(v: Decimal) -> str:
        return f"{fmt_number(v)}%" if r.part == "bonus_pct" else money.short(round_to(v, 1))

    lowest, highest = r.points[0], r.points[-1]
    if r.where == "below":
        text = f"below the {ordinal(lowest[0])} percentile"
    elif r.where == "above":
        text = f"above the {ordinal(highest[0])} percentile"
    else:
        assert r.percentile is not None
        text = f"about the {ordinal(int(round_to(r.percentile, 1)))} percentile"
    return {
        "name": NAMES[r.part],
        "value": show(r.value),
        "points": " · ".join(f"p{p} {show(v)}" for p, v in r.points),
        "text": text,
    }

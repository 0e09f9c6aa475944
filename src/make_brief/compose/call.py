"""What the "Before the call" wording sees of the call-prep pack (the `call` key of the
context): the walk-away, the deadline, the rounds and what moved, what is still open, the
guide's questions and objections, and the recruiter. Pure: figures in, formatted values out;
every word around them is the template's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..advice import callprep
from ..advice.compute import Figures
from ..money.amounts import fmt_number
from ..offers.offer import Offer
from .templates import Style, format_day

MINUS = "-"  # the bundled font has no U+2212 minus sign


def call_context(offer: Offer, figures: Figures, money: Any, style: Style, today: date) -> dict[str, Any]:
    """The `call` context: see the module's docstring. `money` formats the offer's currency."""
    terms = callprep.offers_in_order(offer)
    latest = terms[-1]
    previous = terms[-2] if len(terms) > 1 else None
    return {
        "walk_away": _walk_away(offer, figures, money),
        "deadline": _deadline(offer, style, today),
        "rounds": _rounds(terms, money, style),
        "moved": [_move(m, money) for m in callprep.moves(previous, latest)] if previous else [],
        "open": [_gap(g, money) for g in callprep.still_open(figures)],
        "gap": money.full(figures.ask_total - figures.offer_total)
        if figures.ask_total > figures.offer_total
        else None,
        "guide_questions": list(offer.guide.questions),
        "answered": _answered(offer),
        "guide_objections": _objections(offer, figures),
        "recruiter": {
            "name": offer.recruiter.name if offer.recruiter else None,
            "email": offer.recruiter.email if offer.recruiter else None,
        },
    }


def _answered(offer: Offer) -> dict[str, Any]:
    """What the offer file already answers of the general questions: the cliff (with the
    schedule), the sign-on's clawback, the refresh grants; None where it does not say."""
    clawback = offer.clawback
    return {
        "cliff": {
            "months": offer.cliff_months,
            "vesting": "/".join(fmt_number(v) for v in offer.vesting) if offer.vesting else None,
        }
        if offer.cliff_months is not None
        else None,
        "clawback": {"months": clawback.months, "full": clawback.terms == "full"} if clawback else None,
        "refresh": {"from_year": offer.refresh.from_year} if offer.refresh else None,
    }


def _objections(offer: Offer, figures: Figures) -> list[dict[str, Any]]:
    """Each objection with its answer through the fact gate (gate.py): `answer` what the
    candidate can say as it stands, `only_if_true` the sentences resting on an open question
    (each with its questions), `left_out` how many rest on something they answered no to."""
    from ..advice.gate import gate

    views = []
    for o, parts in zip(offer.guide.objections, figures.claims.answers, strict=True):
        gated = gate(parts, figures.claims, offer.facts, figures.competing_state)
        views.append(
            {
                "objection": o.objection,
                "answer": " ".join(p.text for p in gated.said),
                "only_if_true": [
                    {"text": item.part.text, "questions": [f.question for f in item.questions]}
                    for item in gated.only_if_true
                ],
                "left_out": len(gated.left_out),
            }
        )
    return views


def _walk_away(offer: Offer, figures: Figures, money: Any) -> dict[str, Any] | None:
    w = callprep.walk_away(offer, figures)
    if w is None:
        return None
    return {
        "amount": money.full(w.amount),
        "offer_total": money.full(w.offer_total),
        "offer_gap": money.full(abs(w.offer_gap)),
        "offer_is": _side(w.offer_gap),  # "below", "at" or "above" the walk-away
        "ask_total": money.full(w.ask_total),
        "ask_gap": money.full(abs(w.ask_gap)),
        "asks_are": _side(w.ask_gap),
    }


def _side(gap: Decimal) -> str:
    return "below" if gap < 0 else "above" if gap > 0 else "at"


def _deadline(offer: Offer, style: Style, today: date) -> dict[str, Any] | None:
    if offer.deadline is None:
        return None
    days = callprep.days_left(offer.deadline, today)
    return {
        "date": format_day(offer.deadline, style),
        "iso": offer.deadline.isoformat(),
        "days": days,  # negative once it has passed
        "days_ago": -days,
        "passed": days < 0,
        "soon": callprep.deadline_state(offer.deadline, today) == "soon",  # ask for more time
    }


def _rounds(terms: tuple[callprep.Terms, ...], money: Any, style: Style) -> dict[str, Any] | None:
    """The offers as a table: one column per offer, one row per part, and the change since the
    last; None without earlier rounds. Sign-on is a row only when some offer states one; where
    one does not, its cell and the change are None."""
    if len(terms) < 2:
        return None
    parts = [p for p in callprep.PARTS if p != "sign_on" or any(t.sign_on is not None for t in terms)]
    columns = [
        {"number": i, "date": format_day(t.day, style) if t.day else None, "latest": t.latest}
        for i, t in enumerate(terms, start=1)
    ]
    rows = []
    for part in parts:
        values = [t.part(part) for t in terms]
        rows.append(
            {
                "part": part,
                "amounts": [_amount(part, v, money) for v in values],
                "change": _change(part, values[-1] - values[-2], money)
                if values[-1] is not None and values[-2] is not None
                else None,
            }
        )
    return {"columns": columns, "rows": rows}


def _move(move: callprep.Move, money: Any) -> dict[str, Any]:
    return {
        "part": move.part,
        "before": _amount(move.part, move.before, money),
        "after": _amount(move.part, move.after, money),
        "change": _change(move.part, move.change, money),
        "up": move.change > 0,
    }


def _gap(gap: callprep.Gap, money: Any) -> dict[str, Any]:
    return {
        "part": gap.part,
        "offered": _amount(gap.part, gap.offered, money),
        "ask": _amount(gap.part, gap.ask, money),
        "open": _change(gap.part, gap.open, money).lstrip("+") if gap.open else None,
    }


def _amount(part: str, value: Decimal | None, money: Any) -> str | None:
    """The value as the brief shows it; None where the offer file does not state it."""
    if value is None:
        return None
    return f"{fmt_number(value)}%" if part == "bonus_pct" else money.full(value)


def _change(part: str, change: Decimal, money: Any) -> str:
    """A change with its sign: +£30,000, -£5,000, +3 points; "no change" when nothing moved."""
    if not change:
        return "no change"
    sign = "+" if change > 0 else MINUS
    if part == "bonus_pct":
        unit = "point" if abs(change) == 1 else "points"
        return f"{sign}{fmt_number(abs(change))} {unit}"
    return f"{sign}{money.full(abs(change))}"

"""The commented offer file `make-brief init` writes: the bundled sample, made for one guide.

Pure: the sample's text and a guide in, the text out. The guide's questions become entries
under ``candidate.facts``, each with its question as a comment and a blank answer (no answer);
for a guide other than the sample's own, the guide, region, currency and amounts are the
guide's (its script region, the bottom of each band), marked as examples to replace; so are
the commented examples of a walk-away and of an earlier round.
"""

from __future__ import annotations

import re
import textwrap
from datetime import date, timedelta

from ..guides.facts import read_claims
from ..guides.schema import Guide, Region

SAMPLE_GUIDE = "segment-engineering-manager"
DEADLINE_DAYS = 17  # the sample's deadline: this many days after the day it is written


def sample_offer(text: str, guide: Guide, today: date | None = None) -> str:
    """The sample offer `text` for `guide`; written on `today`, its example deadline is
    DEADLINE_DAYS later, so that uncommented it is never an offer that has expired."""
    if guide.id != SAMPLE_GUIDE:
        text = _for_guide(text, guide)
    if today is not None:
        text = _commented(text, "deadline", f'"{(today + timedelta(days=DEADLINE_DAYS)).isoformat()}"')
    entries = []
    for fact in read_claims(guide).facts:
        question = textwrap.wrap(fact.question, 88)
        entries += [f"    # {line}" for line in question] + [f"    {fact.id}:"]
    return text.replace("  facts:\n", "  facts:\n" + "".join(f"{e}\n" for e in entries), 1)


def _for_guide(text: str, guide: Guide) -> str:
    region = guide.script_region
    values = {
        "guide": guide.id,
        "region": region.name,
        "currency": region.currency,
        "base": _whole(region.base.low),
        "stock": _whole(region.stock.low),
        "bonus_pct": _whole(region.bonus_pct.low),
        "stock_years": str(guide.stock_years),
    }
    values["sign_on"] = "0"
    for key, value in values.items():
        text = _valued(text, key, value)
    text = _call_prep_examples(text, region)
    names = ", ".join(r.name for r in guide.regions)
    text = re.sub(r"(?<=# one of the guide's regions).*$", f": {names}", text, count=1, flags=re.M)
    note = f"# The amounts below are examples: the bottom of the guide's {region.name} bands. Write yours.\n"
    return text.replace("\noffer:\n", f"\n{note}offer:\n", 1)


def _call_prep_examples(text: str, region: Region) -> str:
    """The commented examples of the walk-away and of a round, in the region's scale: the
    bottom of its total-comp band, and of its base, stock and bonus bands."""
    text = _commented(text, "walk_away", _whole(region.total_comp.low))
    head, mark, rounds = text.partition("\nrounds:")
    for key in ("base", "stock", "bonus_pct"):
        rounds = _commented(rounds, key, _whole(getattr(region, key).low))
    return head + mark + rounds


def _valued(text: str, key: str, value: str) -> str:
    return _set(text, rf"\s*{key}: ", value)


def _commented(text: str, key: str, value: str) -> str:
    return _set(text, rf"\s*#\s*{key}: ", value)


def _set(text: str, key: str, value: str) -> str:
    """`text` with the value of its first line matching the pattern `key` set to `value`."""
    return re.sub(
        rf"^(?P<key>{key})(?P<value>.*?)(?P<comment>\s{{2,}}#.*)?$",
        lambda m: _aligned(m, value),
        text,
        count=1,
        flags=re.M,
    )


def _aligned(match: re.Match[str], value: str) -> str:
    """`key: value` with its comment kept in the same column where there is room."""
    line = match.group("key") + value
    comment = match.group("comment")
    if comment is None:
        return line
    column = len(match.group("key")) + len(match.group("value")) + len(comment) - len(comment.lstrip())
    return line.ljust(max(column, len(line) + 2)) + comment.lstrip()


def _whole(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)

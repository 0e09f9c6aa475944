"""A markdown guide's percentile table, read into its regions' `percentiles`. Pure.

Under a **Percentiles** label, one row per region and component::

    | Region | Component | P10 | P25 | P50 | P75 | P90 |
    | San Francisco | Base | $195K | $205K | $220K | $235K | $248K |
    | San Francisco | Bonus | | 15% | 17% | 20% | |

P25, P50 and P75 are needed in every row; P10 and P90 may be left blank (or their columns left
out). Amounts are in the region's currency, as in the region table (a mark of another currency
is refused); the bonus is in percent. A row naming a region the region table has not, or a
component it cannot place, is an error naming its line.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ...errors import AmountError, GuideError, shown
from ...money.amounts import parse_amount
from ...money.places import place_key
from .markdown import Block
from .script import number

_POINT = re.compile(r"^\s*p\s*(10|25|50|75|90)\b|^\s*(10|25|50|75|90)(?:th)?\b", re.I)
_PARTS = (
    ("total_comp", re.compile(r"total", re.I)),
    ("base", re.compile(r"base|salary", re.I)),
    ("stock", re.compile(r"stock|equity|rsu", re.I)),
    ("bonus_pct", re.compile(r"bonus", re.I)),
)
NEEDED = ("p25", "p50", "p75")
POINTS = ("p10", "p25", "p50", "p75", "p90")


def add_percentiles(table: Block | None, regions: list[dict[str, Any]], file: str) -> None:
    """Each row of `table` as the `percentiles` of its region in `regions` (changed in place);
    nothing for a guide without a percentile table."""
    if table is None:
        return
    (header_line, header), *rows = table.rows
    columns = _columns(header, header_line, file)
    by_name = {place_key(n): r for r in regions for n in (r["name"], *r.get("aliases", []))}
    for line, cells in rows:
        name = cells[columns["region"]].strip()
        region = by_name.get(place_key(name))
        if region is None:
            raise GuideError(
                f"percentiles: {shown(name)} is not a region of the region table", file=file, line=line
            )
        said = cells[columns["component"]].strip()
        part = next((k for k, pattern in _PARTS if pattern.search(said)), None)
        if part is None:
            raise GuideError(
                f"percentiles: {shown(said)} is not a component", file=file, line=line,
                hint="Base, Stock, Bonus or Total Comp",
            )  # fmt: skip
        points: dict[str, int | float] = {}
        for key, index in columns.items():
            if key in POINTS and cells[index].strip():
                points[key] = _value(cells[index], part, region["currency"], line, file, f"{name}, {said}")
        missing = [k for k in NEEDED if k not in points]
        if missing:
            raise GuideError(f"percentiles: {name}, {said}: no {missing[0].upper()}", file=file, line=line)
        found = region.setdefault("percentiles", {})
        if part in found:
            raise GuideError(f"percentiles: a second {said} row for {name}", file=file, line=line)
        found[part] = {k: points[k] for k in ("p10", "p25", "p50", "p75", "p90") if k in points}


def _columns(header: list[str], line: int, file: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        if (m := _POINT.match(cell)) is not None:
            key = f"p{m.group(1) or m.group(2)}"
        elif re.search(r"region|location|city|market|office", cell, re.I):
            key = "region"
        elif re.search(r"component|part|pay|what", cell, re.I):
            key = "component"
        else:
            raise GuideError(
                f"the percentile table's column {shown(cell)} is not one the importer knows",
                file=file, line=line, hint="columns: Region, Component, P10, P25, P50, P75, P90",
            )  # fmt: skip
        if key in columns:
            raise GuideError(f"the percentile table has two {key} columns", file=file, line=line)
        columns[key] = index
    for key in ("region", "component", *NEEDED):
        if key not in columns:
            raise GuideError(f"the percentile table has no {key.upper() if key in NEEDED else key} column",
                             file=file, line=line)  # fmt: skip
    return columns


def _value(cell: str, part: str, currency: str, line: int, file: str, what: str) -> int | float:
    text = cell.strip()
    try:
        if part == "bonus_pct":
            return number(Decimal(text.rstrip("%").strip()))
        return number(parse_amount(text, currency))
    except (AmountError, InvalidOperation) as exc:
        message = str(exc) if isinstance(exc, AmountError) else f"{shown(text)} is not a percentage"
        raise GuideError(f"percentiles: {what}: {message}", file=file, line=line) from None

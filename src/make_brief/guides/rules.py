"""The rules of a guide that its schema cannot say: a low above its high, a script region
that is not in the table, a fact named but never declared, a total band far from its parts,
an appendix that is not a PDF. `check_guide` finds them all (errors first); loading a guide
for a brief (catalogue.load_guide) refuses its first error; `guides check` lists them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import msgspec

from ..money.places import find_place, place_key
from .age import MAX_AGE_MONTHS, guide_age
from .schema import EQUITY_UNITS, PLACEHOLDERS, TOTAL_TOLERANCE, Band, Guide, Region


class Finding(msgspec.Struct, frozen=True):
    """One problem `check_guide` found: an error misleads, a warning is worth a look."""

    level: str  # "error" | "warning"
    field: str
    message: str


Add = Callable[[str, str, str], None]  # (level, field, message)


def check_guide(
    guide: Guide, warnings: bool = True, today: date | None = None, max_age: int = MAX_AGE_MONTHS
) -> list[Finding]:
    """Everything in `guide` that would mislead a candidate, errors first (only errors when
    `warnings` is false: loading a guide for a brief needs no more, and formats no money).
    Given `today`, figures older than `max_age` months on that day are a warning."""
    found: list[Finding] = []

    def add(level: str, field: str, message: str) -> None:
        found.append(Finding(level, field, message))

    _check_regions(guide, add, warnings)
    _check_script(guide, add)
    for i, lever in enumerate(guide.levers):
        if lever.requires not in (None, "competing_offer"):
            add("error", f"levers.{i}.requires", "only 'competing_offer' is known")
    _check_facts(guide, add, warnings)
    _check_call_prep(guide, add)
    _check_sources(guide, add)
    age = guide_age(guide.as_of, today, max_age) if today is not None else None
    if age is not None and today is not None and age.stale:
        add(
            "warning",
            "as_of",
            f"the figures are as of {age.month}, {age.months} months before {today.isoformat()}"
            f" (the limit is {max_age}): update them from a recent source and the as_of month",
        )
    found.sort(key=lambda f: f.level != "error")
    return found if warnings else [f for f in found if f.level == "error"]


def _check_regions(guide: Guide, add: Add, warnings: bool) -> None:
    """Each region: its names once, an ISO currency that its place pays in, a locale, and bands
    that are positive, wide and (a warning) a total roughly the sum of its parts."""
    if not guide.regions:
        add("error", "regions", "a guide needs at least one region")
    names: set[str] = set()
    for i, region in enumerate(guide.regions):
        where = f"regions.{i}"
        for key in {region.name, *region.aliases}:
            if place_key(key) in names:
                add("error", where, f"region name or alias {key!r} is used twice")
            names.add(place_key(key))
        if not re.fullmatch(r"[A-Z]{3}", region.currency):
            add("error", f"{where}.currency", f"{region.currency!r} is not an ISO 4217 code")
        _check_bands(region, where, add)
        _check_percentiles(region, where, add)
        _check_equity(region, where, add)
        if not re.fullmatch(r"[a-z]{2,3}(_[A-Z][a-z]{3})?(_(?:[A-Z]{2}|\d{3}))?", region.locale):
            add("error", f"{where}.locale", f"{region.locale!r} is not a locale such as en_US")
        place = find_place(region.name)
        if place is not None and place.currency != region.currency:
            add(
                "error",
                f"{where}.currency",
                f"{region.name} pays in {place.currency}, but its bands are in {region.currency}",
            )
        bands = (region.base, region.stock, region.bonus_pct, region.total_comp)
        valid = all(b.low <= b.high for b in bands)
        if warnings and valid and (message := total_mismatch(region, guide.stock_years)):
            add("warning", f"{where}.total_comp", message)


def _check_equity(region: Region, where: str, add: Add) -> None:
    """A startup's equity band: a known unit, positive, low below high, a percentage under 100."""
    band = region.equity
    if band is None:
        return
    if band.unit not in EQUITY_UNITS:
        add("error", f"{where}.equity.unit", f"{band.unit!r} is not options, pct or value")
    if band.low < 0 or band.high <= 0:
        add("error", f"{where}.equity", "a band must be positive")
    elif band.low > band.high:
        add("error", f"{where}.equity", f"low {band.low} is above high {band.high}")
    elif band.unit == "pct" and band.high > 100:
        add("error", f"{where}.equity.high", f"{band.high}% of the company is more than all of it")


def _check_percentiles(region: Region, where: str, add: Add) -> None:
    """Each component's percentile points: positive, and none below the one before it."""
    if region.percentiles is None:
        return
    for part in ("base", "stock", "bonus_pct", "total_comp"):
        points = getattr(region.percentiles, part)
        if points is None:
            continue
        field = f"{where}.percentiles.{part}"
        known = points.known()
        if any(v < 0 for _, v in known):
            add("error", field, "a percentile must not be negative")
        for (p, v), (q, w) in pairwise(known):
            if w < v:
                add("error", f"{field}.p{q}", f"p{q} {w} is below p{p} {v}: percentiles rise")


def _check_bands(region: Region, where: str, add: Add) -> None:
    for part in ("base", "stock", "bonus_pct", "total_comp"):
        band: Band = getattr(region, part)
        if band.low < 0 or band.high <= 0:
            add("error", f"{where}.{part}", "a band must be positive")
        elif band.low > band.high:
            add("error", f"{where}.{part}", f"low {band.low} is above high {band.high}")
        elif band.low == band.high and part != "bonus_pct":
            add("error", f"{where}.{part}", "low equals high: the band has no width")


def _check_script(guide: Guide, add: Add) -> None:
    """The script: its region, asks inside that region's bands, its placeholders."""
    script = guide.script
    asked = guide.region(script.region)
    if asked is None:
        add("error", "script.region", f"{script.region!r} is not one of the guide's regions")
    else:
        for part, value in (("base", script.base), ("stock", script.stock)):
            band = getattr(asked, part)
            if not band.low <= value <= band.high:
                add(
                    "error",
                    f"script.{part}",
                    f"the ask {value} is outside {asked.name}'s band {band.low}–{band.high}",
                )
        if not asked.stock.low <= script.accept_stock_above <= asked.stock.high:
            add("error", "script.accept_stock_above", f"outside {asked.name}'s stock band")
        if not asked.bonus_pct.low <= script.bonus_pct <= asked.bonus_pct.high:
            add(
                "warning",
                "script.bonus_pct",
                f"the bonus target {script.bonus_pct}% is outside {asked.name}'s band"
                f" {asked.bonus_pct.low}–{asked.bonus_pct.high}%",
            )
        if script.accept_stock_above > script.stock:
            add("warning", "script.accept_stock_above", "the accept threshold is above the stock ask")
    if script.stock_years != guide.stock_years:
        add("warning", "script.stock_years", "differs from the guide's stock_years")
    for field, text in _templates(guide):
        for name in re.findall(r"\{([^{}]*)\}", text):
            if name not in PLACEHOLDERS:
                add("error", field, f"unknown placeholder {{{name}}}")


def _check_sources(guide: Guide, add: Add) -> None:
    if not guide.sources:
        add("warning", "sources", "the guide names no source for its figures")
    if guide.as_of is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", guide.as_of):
        add("warning", "as_of", f"{guide.as_of!r} is not a month such as 2026-02")
    for i, source in enumerate(guide.sources):
        if not source.title.strip():
            add("error", f"sources.{i}.title", "a source needs a title")
        if source.url and not re.match(r"https?://", source.url):
            add("error", f"sources.{i}.url", "a source link must start with http:// or https://")


FACT_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _declared_facts(guide: Guide, add: Add) -> set[str]:
    """The ids of the facts `guide` declares, each checked: a plain id, not the built-in one,
    declared once, with its question."""
    from .facts import COMPETING

    declared: set[str] = set()
    for i, fact in enumerate(guide.facts):
        if not FACT_ID.fullmatch(fact.id):
            add("error", f"facts.{i}.id", f"{fact.id!r} is not an id such as leads_ai_team")
        elif fact.id == COMPETING:
            add("error", f"facts.{i}.id", f"{COMPETING} is built in: the offer file answers it")
        elif fact.id in declared:
            add("error", f"facts.{i}.id", f"{fact.id!r} is declared twice")
        if not fact.question.strip():
            add("error", f"facts.{i}.question", "a fact needs the question that confirms it")
        declared.add(fact.id)
    return declared


def _check_facts(guide: Guide, add: Any, warnings: bool) -> None:
    """The facts a guide declares, and what its levers and script sentences say they rest on."""
    from .facts import COMPETING, read_claims, sentences

    known = _declared_facts(guide, add) | {COMPETING}
    rests = [(f"levers.{i}.rests_on", lv.rests_on or []) for i, lv in enumerate(guide.levers)]
    rests += [(f"objections.{i}.rests_on", o.rests_on) for i, o in enumerate(guide.objections)]
    texts = [("script", guide.script.template, guide.script.sentences)]
    texts += [(f"levers.{i}", lv.template or lv.quote, lv.sentences) for i, lv in enumerate(guide.levers)]
    texts += [(f"objections.{i}", o.answer, o.sentences) for i, o in enumerate(guide.objections)]
    rests += [(f"{w}.sentences.{k}.rests_on", one.rests_on) for w, _, a in texts for k, one in enumerate(a)]
    for field, ids in rests:
        for fact_id in ids:
            if fact_id not in known:
                add("error", field, f"{fact_id!r} is not one of the guide's facts (declare it under facts)")
    for where, text, annotated in texts:
        said = sentences(text)
        for k, one in enumerate(annotated):
            if not any(s.startswith(one.starts.strip()) for s in said):
                whose = "the script's template" if where == "script" else "its text"
                add("error", f"{where}.sentences.{k}.starts", f"no sentence of {whose} starts so")
    if warnings:
        for field, what in read_claims(guide).unannotated:
            add("warning", field, what)


def _check_call_prep(guide: Guide, add: Any) -> None:
    """The questions to ask and the objections: each says something."""
    for i, question in enumerate(guide.questions):
        if not question.strip():
            add("error", f"questions.{i}", "a question to ask must not be empty")
    for i, item in enumerate(guide.objections):
        for part in ("objection", "answer"):
            if not getattr(item, part).strip():
                add("error", f"objections.{i}.{part}", f"an objection needs its {part}")


def total_mismatch(region: Region, stock_years: int) -> str | None:
    """Why `region`'s total-comp band is not roughly base + stock / years + bonus, if it is not."""
    from ..money.amounts import fmt_money, fmt_money_short

    def parts(end: str) -> Decimal:
        base = Decimal(str(getattr(region.base, end)))
        stock = Decimal(str(getattr(region.stock, end))) / stock_years
        return base + stock + base * Decimal(str(getattr(region.bonus_pct, end))) / 100

    low, high = parts("low"), parts("high")
    if not low or not high:
        return None
    off = [Decimal(str(region.total_comp.low)) / low - 1, Decimal(str(region.total_comp.high)) / high - 1]
    if max(abs(o) for o in off) <= TOTAL_TOLERANCE:
        return None

    def show(value: object, short: bool = False) -> str:
        fmt = fmt_money_short if short else fmt_money
        return fmt(Decimal(str(value)), region.currency, region.locale)

    return (
        f"{region.name}: the total-comp band {show(region.total_comp.low, True)}–"
        f"{show(region.total_comp.high, True)} differs from base + stock ÷ {stock_years} + bonus ="
        f" {show(low)}–{show(high)} by {off[0]:+.1%} and {off[1]:+.1%}"
        f" (more than {TOTAL_TOLERANCE:.0%})"
    )


def _templates(guide: Guide) -> list[tuple[str, str]]:
    out = [("script.template", guide.script.template)]
    out += [(f"levers.{i}.template", lv.template) for i, lv in enumerate(guide.levers) if lv.template]
    return out


def check_files(guide: Guide) -> list[Finding]:
    """What check_guide cannot see without reading files: each appendix exists and is a PDF."""
    found = []
    for i, appendix in enumerate(guide.appendices):
        path = Path(guide.path).parent / appendix.file
        try:
            with path.open("rb") as handle:
                is_pdf = b"%PDF-" in handle.read(1024)
        except OSError:
            found.append(Finding("error", f"appendices.{i}.file", f"no such file {str(path)!r}"))
            continue
        if not is_pdf:
            found.append(Finding("error", f"appendices.{i}.file", f"{str(path)!r} is not a PDF"))
    return found

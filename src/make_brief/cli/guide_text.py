"""What the ``make-brief guides`` commands do, without click, beyond finding and listing guides
(catalogue.py): check them (YAML guides and markdown sources alike), and describe one in plain
text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import msgspec

from ..errors import BriefError
from ..files.clock import today
from ..files.fs import exists, is_file
from ..files.loading import read_text
from ..guides.age import MAX_AGE_MONTHS, guide_age
from ..guides.catalogue import BUNDLED, all_guides, list_guides, read_guide
from ..guides.rules import Finding, check_files, check_guide
from ..guides.schema import MAX_GUIDE_BYTES, Guide, Region

MARKDOWN = (".md", ".markdown", ".txt")


class Checked(msgspec.Struct):
    """What `guides check` found in one guide."""

    name: str  # the id, or the path as given
    where: str
    findings: list[tuple[Finding, int | None]] = msgspec.field(default_factory=list)  # with markdown lines

    @property
    def errors(self) -> int:
        return sum(f.level == "error" for f, _ in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.level == "warning" for f, _ in self.findings)


def check_targets(
    targets: tuple[str, ...], extra: tuple[Path, ...] = (), max_age: int = MAX_AGE_MONTHS
) -> list[Checked]:
    """Check each target (a guide id, a guide YAML file or a markdown guide); all guides when
    there is none. Figures older than `max_age` months today are a warning."""
    if not targets:
        return [check_yaml(item.path, item.id, item.where, max_age) for item in list_guides(extra)]
    known = all_guides(extra)
    out = []
    for target in targets:
        path = Path(target)
        if target in known and not is_file(path):
            file, origin = known[target][0]
            out.append(check_yaml(file, target, BUNDLED if origin == BUNDLED else str(file), max_age))
        elif path.suffix.lower() in MARKDOWN:
            out.append(check_markdown(path, max_age=max_age))
        elif path.suffix.lower() in (".yaml", ".yml") or exists(path):
            out.append(check_yaml(path, target, str(path), max_age))
        else:
            names = ", ".join(sorted(known)) or "none"
            finding = Finding("error", "", f"no guide or file {target!r} (known guides: {names})")
            out.append(Checked(target, "", [(finding, None)]))
    return out


def check_yaml(path: Path, name: str, where: str, max_age: int = MAX_AGE_MONTHS) -> Checked:
    checked = Checked(name, where)
    try:
        guide, doc = read_guide(path)
    except BriefError as exc:
        checked.findings.append((Finding("error", "", str(exc)), None))
        return checked
    for finding in [*check_files(guide), *check_guide(guide, today=today(), max_age=max_age)]:
        checked.findings.append((finding, doc.lines.get(finding.field)))
    checked.findings.sort(key=lambda item: item[0].level != "error")
    return checked


def check_markdown(path: Path, script_region: str | None = None, max_age: int = MAX_AGE_MONTHS) -> Checked:
    """A markdown guide checked as `guides import` would import it (nothing is written)."""
    from ..guides.importer import import_guide

    checked = Checked(str(path), str(path))
    try:
        text = read_text(path, what="guide", max_bytes=MAX_GUIDE_BYTES)
        imported = import_guide(text, file=str(path), script_region=script_region)
    except BriefError as exc:  # its message names the file and the line
        checked.findings.append((Finding("error", "", str(exc)), None))
        return checked
    for line, message in imported.notes:
        checked.findings.append((Finding("warning", "", message), line))
    age = guide_age(imported.data.get("as_of"), today(), max_age)
    if age is not None and age.stale:
        message = f"the figures are as of {age.month}, {age.months} months old (the limit is {max_age})"
        checked.findings.append((Finding("warning", "as_of", message), None))
    return checked


def describe(guide: Guide, where: str) -> list[str]:
    """The guide in plain text, as `guides show` prints it."""
    from ..money.amounts import distinct_marks

    marks = distinct_marks((r.currency, r.locale) for r in guide.regions)  # CA$ and US$, not two $
    parent = f" (part of {guide.parent_company})" if guide.parent_company else ""
    lines = [
        guide.title,
        f"id: {guide.id} · from {where}",
        f"{guide.role} at {guide.company}{parent} · as of {guide.as_of or 'unknown'}"
        f" · stock over {guide.stock_years} years",
        "",
        f"Negotiation DNA: {guide.negotiation_dna.headline}",
        "",
        "Regions:",
        *_region_lines(guide, marks),
    ]
    if guide.level_mapping:
        lines += ["", "Levels: " + " = ".join(f"{e.company} {e.level}" for e in guide.level_mapping)]
    if guide.headline_lever:
        lever = guide.headline_lever
        lines += ["", f"Headline lever: {(lever.emoji + ' ') if lever.emoji else ''}{lever.title}"]
    lines += [*_claim_lines(guide, marks), *_prep_lines(guide)]
    lines += ["Sources:" if guide.sources else "Sources: none"]
    lines += [f"  - {s.title}" + (f" <{s.url}>" if s.url else "") for s in guide.sources]
    if guide.appendices:
        lines += ["", "Appendices:"]
        lines += [f"  - {a.title} ({a.file})" for a in guide.appendices]
    return lines


def _region_lines(guide: Guide, marks: dict[str, str]) -> list[str]:
    from ..money.amounts import fmt_money_short, fmt_number

    def band(region: Region, part: str) -> str:
        low, high = (Decimal(str(v)) for v in (getattr(region, part).low, getattr(region, part).high))
        mark = marks.get(region.currency)
        return "–".join(fmt_money_short(v, region.currency, region.locale, mark) for v in (low, high))

    lines = []
    for region in guide.regions:
        aliases = f" (also {', '.join(region.aliases)})" if region.aliases else ""
        lines += [
            f"  {region.name}{aliases}: {region.currency}, formatted as {region.locale}",
            f"    base {band(region, 'base')} · stock {band(region, 'stock')}"
            f" · bonus {fmt_number(Decimal(str(region.bonus_pct.low)))}–"
            f"{fmt_number(Decimal(str(region.bonus_pct.high)))}% · total comp {band(region, 'total_comp')}",
        ]
    return lines


def _claim_lines(guide: Guide, marks: dict[str, str]) -> list[str]:
    """The levers, the facts they and the script rest on, and the script."""
    from ..guides.facts import read_claims
    from ..money.amounts import fmt_money, fmt_number

    claims = read_claims(guide)
    lines = ["", "Levers:"]
    for i, (lv, rests_on) in enumerate(zip(guide.levers, claims.levers, strict=True), start=1):
        needs = f" (rests on: {', '.join(rests_on)})" if rests_on else ""
        lines.append(f"  {i}. {lv.title}{needs}")
    lines += [
        "",
        "Facts (answer them in the offer file, under candidate.facts):" if claims.facts else "Facts: none",
    ]
    for fact in claims.facts:
        implied = " (implied: the guide names no fact for this claim)" if fact.id in claims.implied else ""
        lines.append(f"  {fact.id}{implied}: {fact.question}")
    script, region = guide.script, guide.script_region

    def money(value: float) -> str:
        return fmt_money(Decimal(str(value)), region.currency, region.locale, marks.get(region.currency))

    return [
        *lines,
        "",
        f"Script, for {region.name}: base {money(script.base)} · stock {money(script.stock)}"
        f" over {script.stock_years} years · bonus {fmt_number(Decimal(str(script.bonus_pct)))}%"
        f" · accept if the stock is above {money(script.accept_stock_above)}",
        f"  “{script.quote}”",
        *(f"  rests on {', '.join(p.rests_on)}: “{p.text}”" for p in claims.script if p.kind == "claim"),
        "",
    ]


def _prep_lines(guide: Guide) -> list[str]:
    """The guide's questions to ask and objections, for `guides show` (none: the brief uses
    the template's general ones, labelled as such)."""
    lines = [
        "Questions to ask:" if guide.questions else "Questions to ask: none (the brief uses general ones)"
    ]
    lines += [f"  - {q}" for q in guide.questions]
    lines += ["Objections:" if guide.objections else "Objections: none (the brief uses general ones)"]
    lines += [f"  - “{o.objection}” → {o.answer}" for o in guide.objections]
    return [*lines, ""]

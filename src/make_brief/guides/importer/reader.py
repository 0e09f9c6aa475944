"""Importing a guide written in markdown into the guide data the brief uses. Pure: text in,
data (and YAML text) out; nothing is read or written here.

The format is the one guides are written in (see data/guides/sources/), read with a markdown
parser (markdown-it-py, with its table support), block by block::

    ### <Role> | <Company> Global Negotiation Guide        the title
    **Negotiation DNA:** <headline>
    | Region | Base Salary | Stock (RSU/4yr) | Bonus | Total Comp |   one row per region
    **Negotiation DNA**                                     a section label; its paragraphs follow
    **Level Mapping:** <Company> <level> = <Company> <level> = ...
    ### <emoji> <title>                                     the headline lever; its paragraphs follow
    **Facts**                                              optional: what the words rest on
    - **<fact_id>:** <the question that confirms it>
    **Global Levers**
    1. **<Title>:** "<the words to say>" Rests on: <fact_id>, <fact_id>.   (or: Rests on: nothing.)
       ... Rests on <fact_id>: "<the first words of one of its sentences>".   (that one sentence)
    > **Negotiate Up Strategy:** "<the script>" Accept if above <amount> RSUs.
    >
    > **Rests on <fact_id>:** "<the first words of a sentence of the script>"
    **Still open**                                         optional: asks beyond the numbers
    - <a sign-on bonus, the level, ...>
    **Questions to ask**                                   optional: for the recruiter, before deciding
    - <What is the refresh-grant policy after year one?>
    **Objections**                                         optional: what the recruiter may say
    - **"<The band is fixed>":** <the answer> Rests on: <fact_id>.        (optional, as for levers)
    #### Evidence & Sources
    - [<title>]   or   [<title>](<url>)

Amounts are written with their currency's mark and K, M, L (lakh) or Cr (crore) suffixes
(``$205K``, ``£148K``, ``₹45L``, ``CHF 245K``, ``¥16M``), ranges with an en dash or a hyphen;
``₹38–45L`` shares its suffix. What the guide implies rather than states is derived, and each
rule is plain:

* **currency, aliases, locale** of a region: the amounts' mark, read in the light of the
  well-known places table (places.py: "$" is SGD in Singapore), which also gives the aliases
  and the locale (``en_`` + the place's country);
* **stock_years**: the stock column's heading ("RSU/4yr");
* **as_of**: the first "<Month> <year>" in the guide's prose ("In February 2026" → 2026-02);
* **parent_company**: a company of the level mapping, other than the guide's own, whose RSUs
  the guide speaks of ("Twilio RSUs": Segment's stock is its parent's);
* **the script's numbers, its region and the competing-offer claims**: see script.py.

A lever or script sentence left without "Rests on" that speaks in the first person ("I ...",
"My ...") rests on a fact of its own, unconfirmed until the candidate confirms it (facts.py),
and `guides check` warns about it. Anything the importer cannot place is an error naming its
markdown line: a guide is never imported with part of what it says silently dropped.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import msgspec

from ...errors import AmountError, GuideError, shown
from ...money.amounts import currency_for_mark, parse_amount
from ...money.places import CURRENCIES, aliases_for, find_place, locale_for
from .markdown import Block, Inline, parse_blocks
from .percentiles import add_percentiles
from .script import lever_data, number, rests_data, script_data

# --- the guide -----------------------------------------------------------------------------

_MONTHS = "January February March April May June July August September October November December".split()
_MONTH_YEAR = re.compile(rf"\b({'|'.join(_MONTHS)})\s+(\d{{4}})\b")
_LEVEL_WORDS = frozenset(
    "senior staff principal lead head director manager distinguished fellow junior associate "
    "band level grade chief member partner".split()
)
_SECTION_LABELS = {
    "negotiation dna": "dna",
    "global levers": "levers",
    "levers": "levers",
    "evidence & sources": "sources",
    "evidence and sources": "sources",
    "sources": "sources",
    "facts": "facts",
    "still open": "open_asks",
    "questions to ask": "questions",
    "objections": "objections",
    "percentiles": "percentiles",
}


def split_title(title: str) -> tuple[str, str] | None:
    """(role, company) from "<Role> | <Company> Global Negotiation Guide"."""
    role, bar, company = title.partition("|")
    role, company = role.strip(), company.strip()
    if company.endswith("Negotiation Guide"):
        company = company.removesuffix("Negotiation Guide").rstrip()
        company = company.removesuffix("Global").rstrip() if company.endswith(" Global") else company
    return (role, company) if bar and role and company else None


class Imported(msgspec.Struct):
    """The guide data (in the order it is written out) and notes worth a look, by line."""

    data: dict[str, Any]
    notes: list[tuple[int | None, str]]
    lines: dict[str, int]


class _Reader:
    def __init__(self, file: str, script_region: str | None) -> None:
        self.file = file
        self.script_region = script_region
        self.lines: dict[str, int] = {}
        self.title: tuple[int, str] | None = None
        self.headline: str | None = None
        self.dna: list[str] = []
        self.levels: tuple[int, str] | None = None
        self.table: Block | None = None
        self.percentiles: Block | None = None
        self.marks: dict[str, set[str]] = {}  # the currency marks each region's row is written in
        self.lever: dict[str, Any] | None = None
        self.levers: list[tuple[int, Inline]] = []
        self.script: Block | None = None
        self.sources: list[tuple[int, Inline]] = []
        self.facts: list[tuple[int, Inline]] = []
        self.open_asks: list[tuple[int, Inline]] = []
        self.questions: list[tuple[int, Inline]] = []
        self.objections: list[tuple[int, Inline]] = []
        self.section: str | None = None

    def error(self, line: int | None, message: str, hint: str | None = None) -> GuideError:
        return GuideError(message, file=self.file, line=line, hint=hint)

    def read(self, blocks: list[Block]) -> None:
        if not blocks or blocks[0].kind != "heading" or not split_title(blocks[0].inline.text):
            raise self.error(
                blocks[0].line if blocks else 1,
                "a guide starts with its title",
                "### <Role> | <Company> Global Negotiation Guide",
            )
        self.title = (blocks[0].line, blocks[0].inline.text)
        for block in blocks[1:]:
            getattr(self, f"_{block.kind}")(block)

    def _heading(self, block: Block) -> None:
        text = block.inline.text
        section = _SECTION_LABELS.get(text.casefold().rstrip(":"))
        if section:
            self.section = section
            self.lines.setdefault(section, block.line)
            return
        if self.lever is not None:
            raise self.error(
                block.line, f"a second lever section ({shown(text)})", "a guide has one headline lever"
            )
        cut = next((i for i, ch in enumerate(text) if ch.isalnum()), len(text))
        self.lever = {"emoji": text[:cut].strip(), "title": text[cut:].strip(), "paragraphs": []}
        if not self.lever["emoji"]:
            del self.lever["emoji"]
        self.lines["headline_lever"] = block.line
        self.section = "headline"

    def _para(self, block: Block) -> None:
        inline = block.inline
        label = (inline.label or "").casefold()
        if inline.label is not None and not inline.rest:
            if label not in _SECTION_LABELS:
                raise self.error(block.line, f"unknown section {shown(inline.label)}")
            self.section = _SECTION_LABELS[label]
            self.lines.setdefault(self.section, block.line)
        elif label == "negotiation dna":
            self._once("negotiation_dna", block.line)
            self.headline = inline.rest
        elif label == "level mapping":
            self._once("level_mapping", block.line)
            self.levels = (block.line, inline.rest)
        elif self.section == "dna":
            self.dna.append(inline.text)
        elif self.section == "headline" and self.lever is not None:
            self.lever["paragraphs"].append(inline.text)
        else:
            raise self.error(
                block.line,
                "a paragraph outside the guide's sections",
                "prose belongs under **Negotiation DNA** or the lever heading",
            )

    def _once(self, key: str, line: int) -> None:
        if key in self.lines:
            raise self.error(
                line, f"a second {key.replace('_', ' ')} (the first is on line {self.lines[key]})"
            )
        self.lines[key] = line

    def _table(self, block: Block) -> None:
        if self.section == "percentiles":  # the percentile table (percentiles.py)
            self._once("percentile table", block.line)
            self.percentiles = block
            return
        self._once("regions", block.line)
        self.table = block

    def _list(self, block: Block) -> None:
        if self.section == "levers":
            self.levers += block.items
        elif self.section == "sources":
            self.sources += block.items
        elif self.section == "facts":
            self.facts += block.items
        elif self.section in ("open_asks", "questions", "objections"):
            getattr(self, self.section).extend(block.items)
        else:
            raise self.error(
                block.line, "a list outside the levers and sources", "levers follow **Global Levers**"
            )

    def _quote(self, block: Block) -> None:
        first = block.items[0][1] if block.items else None
        if first is None or (first.label or "").casefold() != "negotiate up strategy":
            raise self.error(
                block.line, "a quote that is not the script", '> **Negotiate Up Strategy:** "..."'
            )
        self._once("script", block.line)
        self.script = block


def import_guide(text: str, *, file: str = "<guide>", script_region: str | None = None) -> Imported:
    """The guide data in markdown `text` (mojibake repaired), or a GuideError with its line."""
    from .mojibake import repair

    repaired = repair(text.replace("\r\n", "\n").replace("\r", "\n"), file)
    reader = _Reader(file, script_region)
    reader.read(parse_blocks(repaired.text, file))
    for key, what in (
        ("negotiation_dna", "a **Negotiation DNA:** line"),
        ("regions", "a region table"),
        ("script", "a **Negotiate Up Strategy:** quote"),
    ):
        if key not in reader.lines:
            raise GuideError(f"the guide has no {what}", file=file)
    if not reader.levers:
        raise GuideError("the guide has no levers", file=file, hint="a numbered list under **Global Levers**")
    data = _assemble(reader)
    notes = sorted([*repaired.notes, *_checked(data, reader.lines, file)], key=lambda n: n[0] or 0)
    return Imported(data, notes, reader.lines)


def _assemble(r: _Reader) -> dict[str, Any]:
    assert r.title is not None and r.table is not None and r.script is not None
    role, company = split_title(r.title[1]) or ("", "")
    regions, stock_years = _regions(r, r.table)
    add_percentiles(r.percentiles, regions, r.file)
    levels = _levels(r, company) if r.levels else []
    levers = []
    for i, (line, item) in enumerate(r.levers):
        r.lines[f"levers.{i}"] = line
        levers.append(lever_data(item, r.file, line))
    script = script_data(r.script, regions, stock_years, r.file, r.script_region, r.marks)
    prose = [r.headline or "", *r.dna, *(r.lever or {}).get("paragraphs", [])]
    data: dict[str, Any] = {"title": r.title[1], "role": role, "company": company}
    parent = _parent(company, levels, [*prose, *(lv["quote"] for lv in levers), script["quote"]])
    if parent:
        data["parent_company"] = parent
    if month := next((m for p in prose if (m := _MONTH_YEAR.search(p))), None):
        data["as_of"] = f"{month.group(2)}-{_MONTHS.index(month.group(1)) + 1:02d}"
    if stock_years:
        data["stock_years"] = stock_years
    data["negotiation_dna"] = (
        {"headline": r.headline, "paragraphs": r.dna} if r.dna else {"headline": r.headline}
    )
    if levels:
        data["level_mapping"] = levels
    data["regions"] = regions
    if r.lever:
        data["headline_lever"] = r.lever
    if r.facts:
        data["facts"] = [_fact(r, line, item, i) for i, (line, item) in enumerate(r.facts)]
    data["levers"] = levers
    data["script"] = script
    data["sources"] = [_source(r, line, item, i) for i, (line, item) in enumerate(r.sources)]
    if not data["sources"]:
        del data["sources"]
    if r.open_asks:
        data["open_asks"] = [item.text for _, item in r.open_asks]
    if r.questions:
        data["questions"] = [item.text for _, item in r.questions]
    if r.objections:
        data["objections"] = [_objection(r, line, item, i) for i, (line, item) in enumerate(r.objections)]
    return data


def _objection(r: _Reader, line: int, item: Inline, index: int) -> dict[str, Any]:
    """An objection ('- **"The band is fixed":** <the answer>') as guide data."""
    r.lines[f"objections.{index}"] = line
    said = (item.label or "").strip().strip('"“”').strip()
    if not said or not item.rest:
        raise r.error(
            line,
            "an objection needs what the recruiter says, in bold, and the answer",
            '- **"The band is fixed":** Then let\'s look at a sign-on ...',
        )
    answer, data = item.rest, dict[str, Any]()
    if m := re.search(r"\s(Rests on\b.*)$", answer, re.S):
        data, left = rests_data(m.group(1))
        if left:
            raise r.error(
                line, f"text after the answer's facts: {shown(left)}", 'Rests on first_choice: "I\'m keen"'
            )
        answer = answer[: m.start()].strip()
    return {"objection": said, "answer": answer, **data}


def _fact(r: _Reader, line: int, item: Inline, index: int) -> dict[str, str]:
    """A fact ("- **leads_ai_team:** Do you lead ...?") as guide data."""
    r.lines[f"facts.{index}"] = line
    if not item.label or not item.rest:
        raise r.error(
            line, "a fact needs its id in bold and its question", "- **leads_ai_team:** Do you ...?"
        )
    return {"id": item.label, "question": item.rest}


# --- the region table ----------------------------------------------------------------------

MAX_AMOUNT = 40  # characters in one written amount ("CHF 245'000", "₹1.05Cr")
_RANGE = re.compile(r"[–—-]|(?<=\S)\s+to\s+(?=\S)")  # the parts are stripped; no run of spaces is rescanned
_SIDE = re.compile(  # the number ends with a digit, so that it and the spaces after it cannot overlap
    r"^\s*(?P<pre>[^\d\s]*)\s*(?P<num>\d(?:[\d,'’.\u00a0\u202f]*\d)?)\s*(?P<mult>[A-Za-z]*)\s*(?P<post>[^\d\s]*)\s*$"
)
_EQUITY_UNITS = (  # the optional equity column of a startup guide, by its heading
    ("pct", re.compile(r"%\s*of\s*(?:the\s*)?company|ownership", re.I)),
    ("options", re.compile(r"number\s+of\s+options|options\s+granted|\(options\)", re.I)),
    ("value", re.compile(r"equity\s*\(value\)", re.I)),
)
_COLUMNS = (
    ("equity", re.compile("|".join(p.pattern for _, p in _EQUITY_UNITS), re.I)),
    ("total_comp", re.compile(r"total", re.I)),
    ("base", re.compile(r"base|salary", re.I)),
    ("stock", re.compile(r"stock|equity|rsu|esop", re.I)),
    ("bonus_pct", re.compile(r"bonus", re.I)),
    ("name", re.compile(r"region|location|city|market|office", re.I)),
)


def _sides(cell: str, line: int, file: str, what: str) -> list[re.Match[str]]:
    parts = [p.strip() for p in _RANGE.split(cell.strip())]
    if len(parts) != 2:
        raise GuideError(
            f"{what}: {shown(cell)} is not a range",
            file=file,
            line=line,
            hint="write it as low–high, e.g. $205K–$248K",
        )
    sides = []
    for part in parts:
        if len(part) > MAX_AMOUNT or (side := _SIDE.match(part)) is None:
            raise GuideError(
                f"{what}: {shown(part)} is not an amount",
                file=file,
                line=line,
                hint="write e.g. $205K, ₹45L or CHF 245K",
            )
        sides.append(side)
    return sides


def _marks(side: re.Match[str]) -> list[str]:
    marks = [side.group("pre"), side.group("post")]
    if side.group("mult").upper() in CURRENCIES:  # "220 CHF": the letters are the currency
        marks.append(side.group("mult"))
    return [m for m in marks if m]


def _band(cell: str, currency: str, line: int, file: str, what: str) -> dict[str, int | float]:
    low, high = _sides(cell, line, file, what)
    texts = [low.group(0).strip(), high.group(0).strip()]
    if not low.group("mult") and not low.group("post") and high.group("mult"):
        texts[0] += high.group("mult")  # "₹38–45L": the low shares the high's suffix
    try:
        values = [parse_amount(t.rstrip("+"), currency) for t in texts]
    except AmountError as exc:
        raise GuideError(f"{what}: {exc}", file=file, line=line) from None
    return {"low": number(values[0]), "high": number(values[1])}


def _pct_band(cell: str, line: int, file: str, what: str) -> dict[str, int | float]:
    parts = [p.strip() for p in _RANGE.split(cell.strip().replace("%", ""))]
    try:
        low, high = (Decimal(p.strip()) for p in (parts * 2 if len(parts) == 1 else parts))
    except (ArithmeticError, ValueError):
        raise GuideError(
            f"{what}: {shown(cell)} is not a percentage range", file=file, line=line, hint="write e.g. 15–20%"
        ) from None
    return {"low": number(low), "high": number(high)}


def _regions(r: _Reader, table: Block) -> tuple[list[dict[str, Any]], int | None]:
    (header_line, header), *rows = table.rows
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = next((k for k, pattern in _COLUMNS if pattern.search(cell)), None)
        if key is None or key in columns:
            raise r.error(
                header_line,
                f"the region table's column {shown(cell)} is not one the importer knows",
                "columns: Region, Base Salary, Stock (RSU/4yr), Bonus, Total Comp",
            )
        columns[key] = index
    missing = [k for k, _ in _COLUMNS if k not in columns and k != "equity"]
    if missing:
        raise r.error(header_line, f"the region table has no {missing[0].replace('_', ' ')} column")
    years = re.search(r"(\d+)\s*-?\s*(?:yrs?|years?)\b", header[columns["stock"]], re.I)
    regions = []
    for i, (line, cells) in enumerate(rows):
        r.lines[f"regions.{i}"] = line
        name = cells[columns["name"]].strip()
        if not name:
            raise r.error(line, "a region row without a region name")
        money = {k: cells[columns[k]] for k in ("base", "stock", "total_comp")}
        currency = _row_currency(r, name, money, line)
        region: dict[str, Any] = {"name": name}
        if aliases := aliases_for(name):
            region["aliases"] = aliases
        region["currency"] = currency
        region["locale"] = locale_for(name, currency)
        for key in ("base", "stock"):
            region[key] = _band(money[key], currency, line, r.file, f"{shown(name, quote=False)}, {key}")
        region["bonus_pct"] = _pct_band(
            cells[columns["bonus_pct"]], line, r.file, f"{shown(name, quote=False)}, bonus"
        )
        region["total_comp"] = _band(
            money["total_comp"], currency, line, r.file, f"{shown(name, quote=False)}, total comp"
        )
        if "equity" in columns:
            heading = header[columns["equity"]]
            region["equity"] = _equity_band(cells[columns["equity"]], heading, currency, line, r.file, name)
        regions.append(region)
    if not regions:
        raise r.error(header_line, "the region table has no rows")
    return regions, int(years.group(1)) if years else None


def _equity_band(cell: str, heading: str, currency: str, line: int, file: str, name: str) -> dict[str, Any]:
    """A startup's equity band, in the unit its column's heading names: "0.05–0.10%" of the
    company, "30,000–50,000" options, or "$150K–$300K" of value."""
    unit = next(u for u, pattern in _EQUITY_UNITS if pattern.search(heading))
    what = f"{shown(name, quote=False)}, equity"
    if unit == "value":
        return {"unit": unit, **_band(cell, currency, line, file, what)}
    parts = [p.strip().replace(",", "") for p in _RANGE.split(cell.strip().replace("%", ""))]
    try:
        low, high = (Decimal(p) for p in parts)
    except (ArithmeticError, ValueError):
        form = "0.05–0.10%" if unit == "pct" else "30,000–50,000"
        raise GuideError(
            f"{what}: {shown(cell)} is not a range", file=file, line=line, hint=f"e.g. {form}"
        ) from None
    return {"unit": unit, "low": number(low), "high": number(high)}


def _row_currency(r: _Reader, name: str, cells: dict[str, str], line: int) -> str:
    marks = {
        m
        for key, cell in cells.items()
        for side in _sides(cell, line, r.file, f"{shown(name, quote=False)}, {key}")
        for m in _marks(side)
    }
    r.marks[name] = marks
    currencies = {m: currency_for_mark(m, name) for m in marks}
    unknown = [m for m, c in currencies.items() if c is None]
    if unknown:
        raise r.error(line, f"{name}: {shown(unknown[0])} is not a currency mark the importer knows")
    found = {c for c in currencies.values() if c is not None}
    if len(found) > 1:
        raise r.error(line, f"{name}: amounts in more than one currency ({', '.join(sorted(found))})")
    if found:
        return found.pop()
    place = find_place(name)
    if place is None:
        raise r.error(line, f"{name}: no currency", "write amounts with their mark, e.g. $205K or CHF 245K")
    return place.currency


def _levels(r: _Reader, company: str) -> list[dict[str, str]]:
    assert r.levels is not None
    line, text = r.levels
    out = []
    for entry in re.split(r"\s+=\s+", text.strip()):
        words = entry.split()
        if len(words) < 2:
            raise r.error(
                line, f"level mapping: {shown(entry)} needs a company and a level", "e.g. Google L5"
            )
        if entry.startswith(company + " "):
            cut = len(company.split())
        else:
            cut = next((i for i in range(1, len(words)) if _is_level_word(words[i])), len(words) - 1)
        out.append({"company": " ".join(words[:cut]), "level": " ".join(words[cut:])})
    return out


def _is_level_word(word: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", word)
    return (
        any(ch.isdigit() for ch in word)
        or (len(letters) >= 2 and letters.isupper())
        or word.casefold() in _LEVEL_WORDS
    )


def _parent(company: str, levels: list[dict[str, str]], texts: list[str]) -> str | None:
    joined = "\n".join(texts)
    for entry in levels:
        name = entry["company"]
        if name != company and re.search(rf"\b{re.escape(name)}(?:['’]s)? RSUs?\b", joined):
            return name
    return None


def _source(r: _Reader, line: int, item: Inline, index: int) -> dict[str, str]:
    r.lines[f"sources.{index}"] = line
    text = item.text.strip()
    if item.links:
        link_text, href = item.links[0]
        return {"title": text if text != link_text else link_text, "url": href}
    if bare := re.fullmatch(r"(?P<title>.+?)\s*[-–—:]?\s*<?(?P<url>https?://\S+?)>?", text):
        return {"title": bare.group("title"), "url": bare.group("url")}
    if bracketed := re.fullmatch(r"\[(?P<title>.+)\]", text):
        text = bracketed.group("title").strip()
    if not text:
        raise r.error(line, "a source without a title")
    return {"title": text}


# --- checking what was imported ------------------------------------------------------------


def _checked(data: dict[str, Any], lines: dict[str, int], file: str) -> list[tuple[int | None, str]]:
    """The imported guide's schema and rule checks: errors raise, warnings are returned."""
    import msgspec

    from ..rules import check_guide
    from ..schema import Guide

    try:
        guide = msgspec.convert(data, Guide, strict=True)
    except msgspec.ValidationError as exc:  # pragma: no cover - the importer builds valid shapes
        raise GuideError(f"the imported data does not fit the guide schema: {exc}", file=file) from None
    notes: list[tuple[int | None, str]] = []
    for finding in check_guide(guide):
        line = line_of(finding.field, lines)
        if finding.level == "error":
            raise GuideError(finding.message, file=file, line=line, field=finding.field)
        notes.append((line, f"{finding.field}: {finding.message}"))
    return notes


def line_of(field_path: str, lines: dict[str, int]) -> int | None:
    """The markdown line of `field_path` ("regions.0.base") or of its nearest parent."""
    parts = field_path.split(".")
    while parts:
        if (line := lines.get(".".join(parts))) is not None:
            return line
        parts.pop()
    return None


# --- writing the data out ------------------------------------------------------------------

_FLOW_KEYS = frozenset({"low", "high"})


def to_yaml(data: dict[str, Any], source_name: str) -> str:
    """`data` as a guide YAML file: bands and level entries on one line each, long text wrapped,
    no anchors; read back by the strict loader it gives `data` again."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    def mapping(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.Node:
        flow = set(value) <= _FLOW_KEYS | {"company", "level"} and len(value) == 2
        return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)

    def sequence(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
        flow = all(isinstance(v, str) and len(v) < 40 for v in value) and len(value) <= 8
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)

    Dumper.add_representer(dict, mapping)
    Dumper.add_representer(list, sequence)
    body = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=96, indent=2)
    header = (
        f"# {data['title']}\n"
        f"# Imported by `make-brief guides import` from {source_name}.\n"
        "# Edit the markdown and import it again rather than editing this file. Amounts are whole\n"
        "# units of each region's currency; stock bands are grants over stock_years.\n"
    )
    return header + body

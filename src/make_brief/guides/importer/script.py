"""Reading the words of a guide: its levers and its "Negotiate Up Strategy" script.

Both are quotes that a candidate will say. The brief must say them in the candidate's own
numbers and never with someone else's competing offers, so this module finds, in plain rules:

* **a competing-offer claim**: a sentence such as "I have offers from A and B at $410K+ ...";
  its companies and amount become data, and in the template the sentence becomes
  ``{competing}`` (filled with the candidate's own offers, or left out);
* **the script's asks**: each amount is the ask of the word nearest it (after it first, then
  before it): base or salary; RSUs, stock, equity or grant; a percentage next to "bonus" is the
  bonus target; "over N years" is the vesting. They become ``{base}``, ``{stock}``,
  ``{bonus_pct}`` and ``{stock_years}``. An amount that is none of these is an error: the brief
  could not say it in another region's numbers;
* **the accept threshold**: the first amount after the quote ("Accept if above $270K RSUs.");
* **the script's region**: the one whose base and stock bands hold the asks, in its currency.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ...errors import AmountError, GuideError, shown
from ...money.amounts import currency_for_mark, parse_amount, symbol_matches
from ...money.places import CURRENCIES, MARKS
from .markdown import Block, Inline, unquote

_MULT = r"(?:Cr|cr|crores?|lakhs?|[KkMmL])"
_MARK = "|".join(re.escape(m) for m in sorted({*MARKS, *CURRENCIES}, key=lambda m: (-len(m), m)))
AMOUNT = re.compile(
    rf"(?<![A-Za-z0-9])(?P<mark>{_MARK})\s?(?P<num>\d(?:[\d,.'’]*\d)?)\s?(?P<mult>{_MULT})?"
    r"(?![A-Za-z0-9])(?P<plus>\+)?"
)
_PCT = re.compile(r"(?<![\w.])(?P<num>\d+(?:\.\d+)?)\s?%")
_YEARS = re.compile(r"\b(?:over|across)\s+(?P<n>\d+)\s+years?\b", re.I)
_CLAIM = re.compile(  # bounded, so that a long hostile sentence cannot make it slow
    r"^I(?:['’]ve got| have| hold| also have)\b.{0,200}?\boffers?\b.{0,200}?\bfrom\s+(?P<who>.{1,300})", re.S
)
_WHO_END = re.compile(r"\s+(?:at|with|worth|for|of|totall?ing)\s+|\s*[(.;:]")
_WORDS = (
    ("base", re.compile(r"\b(?:base|salary)\b", re.I)),
    ("stock", re.compile(r"\b(?:RSUs?|stock|equity|shares|grant|options|ESOPs?)\b", re.I)),
)
_BONUS = re.compile(r"\bbonus\b", re.I)


def number(value: Decimal) -> int | float:
    """A whole number as an int, anything else as a float (as YAML writes them)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _parse(text: str, currency: str) -> int | float:
    return number(parse_amount(text.rstrip("+").strip(), currency))


def _sentences(text: str) -> list[tuple[int, int]]:
    from ..facts import sentence_spans

    return sentence_spans(text)


def find_claim(text: str) -> tuple[tuple[int, int], dict[str, Any]] | None:
    """The first competing-offer claim in `text`: its span, and the claim as data (its amount
    still as written, under ``total_comp``, until its currency is known)."""
    for start, end in _sentences(text):
        sentence = text[start:end]
        if match := _CLAIM.match(sentence):
            who = _WHO_END.split(match.group("who"), maxsplit=1)[0]
            companies = [c.strip() for c in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*", who) if c.strip()]
            claim: dict[str, Any] = {"text": sentence, "companies": companies}
            if amount := AMOUNT.search(sentence):
                claim["total_comp"] = amount.group(0)
            return (start, end), claim
    return None


def _claim_amount(claim: dict[str, Any], currency: str | None, file: str, line: int) -> dict[str, Any]:
    """`claim` with its amount parsed: in `currency` when its mark is that currency's."""
    text = claim.get("total_comp")
    if text is None:
        return claim
    amount = AMOUNT.match(text)
    assert amount is not None  # find_claim took the text from an AMOUNT match
    mark = amount.group("mark")
    cur = currency if currency and symbol_matches(mark, currency) else currency_for_mark(mark)
    try:
        return {**claim, "total_comp": _parse(text, cur or "USD")}
    except AmountError as exc:
        raise GuideError(f"the claim's amount: {exc}", file=file, line=line) from None


_RESTS_ON = re.compile(r"^[(\[]?\s*rests on:?\s*(?P<ids>.*?)\s*[)\]]?\s*\.?$", re.I | re.S)
_SENTENCE_RESTS = re.compile(r"^rests on\s+(?P<ids>.+)$", re.I | re.S)


def fact_ids(text: str) -> list[str]:
    """The fact ids in "a, b and c" ("nothing" or "none": no fact)."""
    if text.strip().casefold() in ("nothing", "none", "no fact", "no facts"):
        return []
    return [i for i in re.split(r"\s*(?:,|\band\b)\s*", text.strip()) if i]


_ONE_RESTS = re.compile(r"rests on\s+(?P<ids>[^:\"“”]+?):\s*[\"“](?P<starts>[^\"“”]+)[\"”]\s*\.?", re.I)


def sentence_rests(text: str) -> tuple[str, list[dict[str, Any]]]:
    """`text` without its "Rests on c: "<first words>"." clauses, and what they say."""
    found = [
        {"starts": m.group("starts").strip(), "rests_on": fact_ids(m.group("ids"))}
        for m in _ONE_RESTS.finditer(text)
    ]
    return _ONE_RESTS.sub(" ", text).strip(), found


def rests_data(after: str) -> tuple[dict[str, Any], str]:
    """What follows a lever's quote or ends an objection's answer: "Rests on: a, b." for the
    whole, and "Rests on c: "<first words>"." for one sentence; (the data, what is left)."""
    left, sentences = sentence_rests(after)
    data: dict[str, Any] = {}
    whole = _RESTS_ON.match(left) if left else None
    if whole is not None:
        data["rests_on"] = fact_ids(whole.group("ids"))
        left = ""
    if sentences:
        data["sentences"] = sentences
    return data, left


def lever_data(item: Inline, file: str, line: int) -> dict[str, Any]:
    """A numbered lever ("**Title:** "words"", then optionally "Rests on: a, b.") as guide data."""
    if not item.label:
        raise GuideError(
            "a lever without a bold title", file=file, line=line, hint='1. **Title:** "the words to say"'
        )
    words, sentences = sentence_rests(item.rest)
    quote, after = unquote(words)
    rests, left = rests_data(after) if after else ({}, "")
    if sentences:
        rests["sentences"] = sentences
    if left:
        raise GuideError(
            f"text after the lever's quote: {shown(left)}",
            file=file,
            line=line,
            hint="keep it inside the quotes; after them only: Rests on: <fact ids>.",
        )
    data: dict[str, Any] = {"title": item.label}
    found = find_claim(quote)
    if found:
        data["requires"] = "competing_offer"
    if "rests_on" in rests:
        data["rests_on"] = rests["rests_on"]
    data["quote"] = quote
    if found:
        (start, end), claim = found
        data["template"] = quote[:start] + "{competing}" + quote[end:]
        data["claim"] = _claim_amount(claim, None, file, line)
    if "sentences" in rests:
        data["sentences"] = rests["sentences"]
    return data


def script_sentences(block: Block, file: str) -> list[dict[str, Any]]:
    """The script's annotated sentences: quote paragraphs such as
    **Rests on leads_ai_team:** "I'm leading the AI engineering team"."""
    out = []
    for line, item in block.items[1:]:
        if item.label and (m := _SENTENCE_RESTS.match(item.label)):
            starts, after = unquote(item.rest)
            if not starts or after:
                raise GuideError(
                    "a sentence's facts need the sentence's first words in quotes",
                    file=file,
                    line=line,
                    hint='**Rests on leads_ai_team:** "I\'m leading the AI team"',
                )
            out.append({"starts": starts, "rests_on": fact_ids(m.group("ids"))})
    return out


def script_data(
    block: Block,
    regions: list[dict[str, Any]],
    years: int | None,
    file: str,
    wanted: str | None,
    marks: dict[str, set[str]] | None = None,
) -> dict[str, Any]:
    """The "Negotiate Up Strategy" quote as guide data: its words, template, numbers and region
    (`marks`: the currency marks each region's row of the region table is written in)."""
    line = block.line
    quote, after = unquote(block.items[0][1].rest)
    rest = [item for _, item in block.items[1:] if not (item.label and _SENTENCE_RESTS.match(item.label))]
    after = " ".join([after, *(item.text for item in rest)]).strip()
    found = find_claim(quote)
    asks, spans = _asks(quote, found[0] if found else (len(quote), len(quote)), file, line)
    if vest := _YEARS.search(quote):
        spans.append((vest.start("n"), vest.end("n"), "{stock_years}"))
    if found:
        spans.append((*found[0], "{competing}"))
    template = quote
    for start, end, placeholder in sorted(spans, reverse=True):
        template = template[:start] + placeholder + template[end:]
    accept = AMOUNT.search(after)
    if accept is None:
        raise GuideError(
            "the script has no accept threshold",
            file=file,
            line=line,
            hint="end it with e.g. Accept if above $270K RSUs.",
        )
    region = _region(regions, asks, file, line, wanted, marks or {})
    currency = region["currency"]
    try:
        script: dict[str, Any] = {
            "region": region["name"],
            "quote": quote,
            "template": template,
            "base": _parse(asks["base"], currency),
            "stock": _parse(asks["stock"], currency),
        }
        if vest or years:
            script["stock_years"] = int(vest.group("n")) if vest else years
        script["bonus_pct"] = number(Decimal(asks["bonus_pct"]))
        script["accept_stock_above"] = _parse(accept.group(0), currency)
    except AmountError as exc:
        raise GuideError(f"the script: {exc}", file=file, line=line) from None
    script["accept_text"] = after
    if annotated := script_sentences(block, file):
        script["sentences"] = annotated
    if found:
        script["claim"] = _claim_amount(found[1], currency, file, line)
    return script


def _asks(
    quote: str, skip: tuple[int, int], file: str, line: int
) -> tuple[dict[str, str], list[tuple[int, int, str]]]:
    """The script's asks (each amount as written, by part) and the spans they take in `quote`,
    leaving out the competing-offer claim at `skip`; an amount that is no ask is an error."""
    hits = sorted(
        [(m.start(), m.end(), "money", m) for m in AMOUNT.finditer(quote)]
        + [(m.start(), m.end(), "pct", m) for m in _PCT.finditer(quote)]
    )
    hits = [h for h in hits if not skip[0] <= h[0] < skip[1]]
    asks: dict[str, str] = {}
    spans: list[tuple[int, int, str]] = []
    sentences = _sentences(quote)
    for n, (start, end, kind, m) in enumerate(hits):
        # the words that tell what an amount is are in its own sentence, up to its neighbours
        first, last = next((a, b) for a, b in sentences if a <= start < b)
        after_text = quote[end : min(last, hits[n + 1][0] if n + 1 < len(hits) else last)]
        before_text = quote[max(first, hits[n - 1][1] if n else first) : start]
        part = _ask_kind(kind, after_text, before_text)
        if part is None or part in asks:
            what = "appears twice" if part else "is not a base, stock or bonus ask"
            raise GuideError(
                f"the script's {m.group(0)!r} {what}",
                file=file,
                line=line,
                hint="the brief cannot personalise it",
            )
        asks[part] = m.group(0) if kind == "money" else m.group("num")
        spans.append((start, end, "{" + part + "}"))
    for part in ("base", "stock", "bonus_pct"):
        if part not in asks:
            raise GuideError(f"the script names no {part.replace('_pct', '')} ask", file=file, line=line)
    return asks, spans


def _ask_kind(kind: str, after: str, before: str) -> str | None:
    if kind == "pct":
        return "bonus_pct" if _BONUS.search(after) or _BONUS.search(before) else None
    ahead = [(m.start(), name) for name, words in _WORDS if (m := words.search(after))]
    if ahead:
        return min(ahead)[1]
    behind = [(m.end(), name) for name, words in _WORDS for m in words.finditer(before)]
    return max(behind)[1] if behind else None


def _region(
    regions: list[dict[str, Any]],
    asks: dict[str, str],
    file: str,
    line: int,
    wanted: str | None,
    marks: dict[str, set[str]],
) -> dict[str, Any]:
    """The region the script was written for: `wanted`, or the only one whose bands hold it;
    of several, the only one whose row is written in the script's currency marks ("$232K" is
    Boston's "$", not Toronto's "CA$", though a bare "$" could be read as either)."""
    if wanted:
        for region in regions:
            if wanted.casefold() in {n.casefold() for n in (region["name"], *region.get("aliases", []))}:
                return region
        names = ", ".join(reg["name"] for reg in regions)
        raise GuideError(f"--script-region {wanted!r} is not one of the guide's regions ({names})", file=file)
    fits = [region for region in regions if _holds(region, asks)]
    if len(fits) > 1:
        said = {_mark(asks["base"]), _mark(asks["stock"])} - {""}
        same = [region for region in fits if said and said <= marks.get(region["name"], set())]
        fits = same if len(same) == 1 else fits
    if len(fits) == 1:
        return fits[0]
    written = f"the script's base {asks['base']} and stock {asks['stock']}"
    if not fits:
        raise GuideError(
            f"{written} fit no region's bands",
            file=file,
            line=line,
            hint="check the numbers, or name the region with --script-region",
        )
    names = ", ".join(reg["name"] for reg in fits[:-1]) + f" and {fits[-1]['name']}"
    raise GuideError(
        f"{written} fit {names}: the guide does not say which",
        file=file,
        line=line,
        hint="name the region it was written for with --script-region",
    )


def _mark(amount: str) -> str:
    """The currency mark an amount is written with ("$" of "$232K", "CA$" of "CA$232K")."""
    found = re.match(r"\s*([^\d\s.,+\-]*)\s*\d[\d,.'’]*\s*[A-Za-z]*\s*([^\d\s+]*)", amount)
    return (found.group(1) or found.group(2)).strip() if found else ""


def _holds(region: dict[str, Any], asks: dict[str, str]) -> bool:
    try:
        base = parse_amount(asks["base"].rstrip("+"), region["currency"])
        stock = parse_amount(asks["stock"].rstrip("+"), region["currency"])
    except AmountError:
        return False  # written in another currency
    return all(
        Decimal(str(region[part]["low"])) <= value <= Decimal(str(region[part]["high"]))
        for part, value in (("base", base), ("stock", stock))
    )

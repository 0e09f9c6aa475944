"""The offer as a form, for a front end: its fields, their help, and a form's values as YAML.

* `fields(guide)`: every field of an offer by its dotted name, the same names as a CSV table's
  columns (``candidate.name``, ``offer.base``, ``competing_offers.0.company``), walked from the
  offer's schema (offer.RawOffer), with the help the sample offer file (``make-brief init``)
  gives each, and the guide's questions as ``candidate.facts.<id>`` (yes, no or unknown).
* `offer_yaml(values)`: the values of a form, by dotted name, as the text of an offer file,
  nested and typed as a CSV row is (inputs.row_document: blank values left out, amounts kept as
  the text given, "160K" or "€92,000"), so that the command line reads it as the form gave it.
* `values_of(doc)`: an offer file's values by dotted name, the other way round.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import msgspec
import yaml

from ..guides.facts import read_claims
from ..guides.schema import Guide

Kind = Literal["text", "amount", "number", "answer", "guide", "region"]

# how many entries of each list the form offers (a loaded file may hold more: kept as it is)
SLOTS = {"competing_offers": 2, "rounds": 1, "fx": 1, "offer.vesting": 5}
LEFT_OUT = ("appendices",)  # files: a batch uploads them; an offer file names them
ANSWERS = ("yes", "no", "")  # a fact's answer; blank: not answered
# the fields the sample offer file gives no comment of their own (the README's words)
HELP = {
    "candidate.name": "your name, as the brief greets you",
    "candidate.pdf_password": "optional: the password of a locked brief; else one is made up",
    "offer.clawback.months": "optional: if you leave within these months, the sign-on is repaid",
    "offer.clawback.terms": "full or pro_rata: how the sign-on is repaid",
    "offer.recruiter.name": "optional: the counter e-mail greets them by this name",
    "offer.recruiter.email": "optional: the counter e-mail goes to them",
    "competing_offers.*.company": "only offers you really have",
    "competing_offers.*.total_comp": "its total comp as one figure, or give its parts below",
    "competing_offers.*.base": "by its parts: base salary a year",
    "competing_offers.*.stock": "by its parts: the grant over the whole vesting period",
    "fx.*.from": "an exchange rate you state: from this currency",
    "fx.*.to": "to this currency",
    "fx.*.rate": "units of `to` for one of `from`",
    "fx.*.date": "optional: the rate's date (YYYY-MM-DD); over 30 days old is flagged",
    "fx.*.source": "optional: where the rate comes from",
    "rounds.*.base": "an earlier offer of the company: its base",
    "rounds.*.stock": "its grant",
    "rounds.*.bonus_pct": "its target bonus, % of base",
}


class OfferField(msgspec.Struct, frozen=True):
    """One field of the offer form."""

    name: str  # dotted, as the CSV column: "offer.base"
    kind: Kind
    required: bool  # needed whenever its group is given (candidate.name; offer.base)
    help: str  # from the sample offer file's comment, or the guide's question
    group: str  # the part of the offer it belongs to: "candidate", "offer", "competing_offers.0"


def fields(guide: Guide | None, sample: str) -> list[OfferField]:
    """The fields of an offer for `guide` (its questions as answers), with the help of the
    sample offer text `sample`."""
    import msgspec.inspect as mi

    from .offer import RawOffer

    helps = _helps(sample)
    out: list[OfferField] = []
    _walk(mi.type_info(RawOffer), "", True, helps, out)
    at = next((i for i, f in enumerate(out) if f.name == "candidate.walk_away"), len(out))
    questions = read_claims(guide).facts if guide is not None else []
    facts = [
        OfferField(f"candidate.facts.{fact.id}", "answer", False, fact.question, "candidate")
        for fact in questions
    ]
    return out[:at] + facts + out[at:]


def _walk(info: Any, prefix: str, required: bool, helps: dict[str, str], out: list[OfferField]) -> None:
    import msgspec.inspect as mi

    for field in info.fields:
        name = f"{prefix}{field.encode_name}"
        if name in LEFT_OUT or name == "candidate.facts":
            continue
        kind, inner = _kind(field.type)
        need = required and field.required
        if isinstance(inner, mi.StructType):
            _walk(inner, f"{name}.", need, helps, out)
        elif isinstance(inner, mi.ListType):
            item = inner.item_type
            for i in range(SLOTS.get(name, 1)):
                if isinstance(item, mi.StructType):
                    _walk(item, f"{name}.{i}.", False, helps if i == 0 else {}, out)
                else:
                    text = _help(helps, name) if i == 0 else ""
                    out.append(OfferField(f"{name}.{i}", _kind(item)[0], False, text, _group(name)))
        else:
            kind = "guide" if name == "guide" else "region" if name == "region" else kind
            out.append(OfferField(name, kind, need, _help(helps, name), _group(name)))


def _kind(info: Any) -> tuple[Kind, Any]:
    """What a field takes, and the struct or list inside it (None for a single value)."""
    import msgspec.inspect as mi

    kinds = info.types if isinstance(info, mi.UnionType) else (info,)
    for wanted in (mi.StructType, mi.ListType):
        found = [k for k in kinds if isinstance(k, wanted)]
        scalar = [k for k in kinds if not isinstance(k, (mi.StructType, mi.ListType, mi.NoneType))]
        if found and not scalar:
            return "text", found[0]
    text = any(isinstance(k, mi.StrType) for k in kinds)
    number = any(isinstance(k, (mi.IntType, mi.FloatType)) for k in kinds)
    return ("amount" if text and number else "number" if number else "text"), None


def _group(name: str) -> str:
    parts = name.split(".")
    if len(parts) > 2 and parts[1].isdigit():
        return ".".join(parts[:2])
    return parts[0] if len(parts) > 1 else "offer file"


def _help(helps: dict[str, str], name: str) -> str:
    if not helps:  # a list's later entries: the first one's help says it
        return ""
    general = re.sub(r"\.\d+\.", ".*.", name)
    return HELP.get(general) or helps.get(name) or helps.get(general) or ""


# --- the help: the sample offer file's comments ---------------------------------------------

_KEY = re.compile(r"^(?P<indent> *)(?:# ?)?(?P<gap> *)(?:- )?(?P<key>[a-z_]+):(?P<rest>.*)$")
_MORE = re.compile(r"^ *#? {8,}# ?(?P<text>.+)$")  # a comment going on under the one above


def _helps(sample: str) -> dict[str, str]:
    """Each field's comment in the sample offer text, by dotted name (lists' entries as .*.)."""
    helps: dict[str, str] = {}
    section, last = "", ""
    for line in sample.splitlines():
        more = _MORE.match(line)
        key = _KEY.match(line)
        if more and last and not key:
            helps[last] = f"{helps[last]} {more['text'].strip()}".strip()
            continue
        if not key:
            continue
        _, _, comment = key["rest"].partition(" # ")
        if not key["indent"] and not key["gap"] and not line.startswith("#"):
            section = key["key"]
            name = section
        elif line.startswith("#") and not key["gap"] and section != "offer":
            continue  # a commented top-level example line
        else:
            listed = section in ("competing_offers", "rounds", "fx")
            name = f"{section}.*.{key['key']}" if listed else f"{section}.{key['key']}"
        if comment.strip():
            helps.setdefault(name, comment.strip())
            last = name
    return helps


# --- values and YAML -------------------------------------------------------------------------


def offer_yaml(values: dict[str, str], label: str = "offer form") -> str:
    """The offer file's text of the form's `values` (dotted names), as a CSV row is read."""
    from .inputs import Item, row_document

    cells = tuple((name, text.strip()) for name, text in values.items() if text.strip())
    doc = row_document(Item(0, label, Path(label), cells=cells))
    return yaml.safe_dump(doc.data, sort_keys=False, allow_unicode=True, width=1000)


def values_of(data: Any, prefix: str = "") -> dict[str, str]:
    """An offer document's values by dotted name, as text (a fact's answer as yes or no)."""
    out: dict[str, str] = {}
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        if isinstance(data, bool):
            text = "yes" if data else "no"
        else:
            text = "" if data is None else str(data)
        return {prefix.rstrip("."): text}
    for key, value in items:
        out.update(values_of(value, f"{prefix}{key}."))
    return out


# --- the guides to choose from ---------------------------------------------------------------


class GuideInfo(msgspec.Struct, frozen=True):
    """A guide as a form offers it: what it is for, its regions and its questions."""

    id: str
    title: str
    company: str
    role: str
    regions: tuple[str, ...]
    questions: tuple[tuple[str, str], ...]  # (fact id, question)
    error: str | None = None  # the guide cannot be read: its one line


def guide_info(guide_id: str, guide: Guide | None, error: str | None = None) -> GuideInfo:
    if guide is None:
        return GuideInfo(guide_id, guide_id, "", "", (), (), error)
    questions = tuple((fact.id, fact.question) for fact in read_claims(guide).facts)
    regions = tuple(region.name for region in guide.regions)
    return GuideInfo(guide_id, guide.title, guide.company, guide.role, regions, questions)

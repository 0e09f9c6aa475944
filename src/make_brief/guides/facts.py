"""What a guide's words claim about the candidate, and what the candidate has confirmed.

Pure: no files, no formatting. A guide's levers and script sentences are written in the first
person ("I'm leading the AI team ..."); a brief may put such a sentence in a candidate's mouth
only when the candidate has confirmed what it rests on. The rules, in plain terms:

* a guide declares **facts** (an id and the question that confirms it); each lever (``rests_on``)
  and each script sentence (``script.sentences``) names the facts it rests on;
* ``competing_offer`` is built in: the offer file answers it by itself, and it holds only for a
  competing offer that is *leverage* (above the offer, in the offer's currency);
* **safe by default**: a lever or a script sentence that the guide did not annotate and that
  makes a first-person claim ("I ...", "My ...") rests on a fact of its own, named after the
  lever (``reliability_ownership``) or the sentence (``script_2``), whose question quotes it;
* a lever is **yours** when every fact it rests on is confirmed, **not yours** when one is
  refuted (or the competing offer is not leverage), and **only if true** otherwise;
* **every sentence in the candidate's voice** (the script's, each lever's whole text, each
  objection's answer) is a Part with the facts it rests on: what its lever or answer rests on,
  what the guide's ``sentences`` add for it, and, for a first-person sentence that names no fact
  of its own (``competing_offer`` is not one), a fact of its own (``kestrel_competing_2``,
  ``objection_1_2``) that `guides check` warns about. gate.py decides what of them is said.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import msgspec

from .schema import Fact, Guide, ScriptSentence

COMPETING = "competing_offer"  # the built-in fact: answered by the offer file's competing offers
ASK_PLACEHOLDERS = ("{base}", "{stock}", "{bonus_pct}")

_FIRST_PERSON = re.compile(r"(?<![\w'’])(?:I(?:['’](?:m|ve|ll|d))?|[Mm]y|[Mm]e|[Mm]ine|[Mm]yself)(?![\w'’])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"‘({])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of `text`: a sentence ends at ., ! or ? before a space
    and a capital, a digit, an opening quote or bracket, or a placeholder."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    return [*spans, (start, len(text))]


def sentences(text: str) -> list[str]:
    """The sentences of `text`; a ``{competing}`` placeholder (a sentence, or nothing, once
    filled) stands as a sentence of its own."""
    out = []
    for a, b in sentence_spans(text):
        pieces = re.split(r"(\{competing\})", text[a:b])
        out += [piece.strip() for piece in pieces if piece.strip()]
    return out


def first_person(text: str) -> bool:
    """Whether `text` speaks of the speaker ("I", "I'm", "my", "me", ...)."""
    return _FIRST_PERSON.search(text) is not None


VerdictKind = Literal["yours", "not_yours", "only_if_true"]  # whether a lever is the candidate's to use
# what rests on a competing offer: "leverage" (one is above the offer), "none" (no competing
# offer), "not_above" (every one is at or below it) or "not_compared" (no exchange rate)
CompetingState = Literal["leverage", "none", "not_above", "not_compared"]


class Part(msgspec.Struct, frozen=True):
    """One sentence of the guide's script template."""

    text: str  # with its placeholders
    kind: str  # "ask" (holds the asks), "competing" ({competing}), "claim" (rests on facts), "plain"
    rests_on: tuple[str, ...] = ()


class Claims(msgspec.Struct, frozen=True):
    """What a guide's words rest on: every fact (declared, then implied), each lever's facts
    (in the guide's order), the script's sentences, and what was not annotated."""

    facts: tuple[Fact, ...]
    implied: tuple[str, ...]  # ids of the facts the guide did not declare
    levers: tuple[tuple[str, ...], ...]
    script: tuple[Part, ...]
    unannotated: tuple[tuple[str, str], ...]  # (field, what): for `guides check`
    lever_parts: tuple[tuple[Part, ...], ...] = ()  # each lever's text, sentence by sentence
    answers: tuple[tuple[Part, ...], ...] = ()  # each objection's answer, sentence by sentence

    def fact(self, fact_id: str) -> Fact | None:
        return next((f for f in self.facts if f.id == fact_id), None)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.casefold()).strip("_") or "lever"


def _claim_sentence(text: str) -> str:
    """The first first-person sentence of `text` (all of it when none stands alone)."""
    return next((s for s in sentences(text) if first_person(s)), text.strip())


def _unique(wanted: str, taken: set[str]) -> str:
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}_{n}", n + 1
    taken.add(name)
    return name


def read_claims(guide: Guide) -> Claims:
    """The claims of `guide`: its facts, what each lever and script sentence rests on."""
    declared = list(guide.facts)
    taken = {f.id for f in declared} | {COMPETING}
    implied: list[Fact] = []
    notes: list[tuple[str, str]] = []
    levers, lever_parts = [], []
    for i, lever in enumerate(guide.levers):
        own = [COMPETING] if lever.requires == COMPETING else []
        words = lever.template.replace("{competing}", "") if lever.template else lever.quote
        if lever.rests_on is not None:
            own += [f for f in lever.rests_on if f not in own]
        elif first_person(words):
            fact = Fact(_unique(_slug(lever.title), taken), _question(_claim_sentence(words)))
            implied.append(fact)
            own.append(fact.id)
            notes.append(
                (
                    f"levers.{i}",
                    f"{lever.title!r} makes a first-person claim and names no fact: {_until(fact)}",
                )
            )
        levers.append(tuple(own))
        voice = _Voice(taken, implied, notes)
        lever_parts.append(
            voice.parts(
                lever.template or lever.quote, own, lever.sentences, f"levers.{i}", _slug(lever.title)
            )
        )
    answers = [
        _Voice(taken, implied, notes).parts(
            o.answer, o.rests_on, o.sentences, f"objections.{i}", f"objection_{i + 1}"
        )
        for i, o in enumerate(guide.objections)
    ]
    script = []
    for n, text in enumerate(sentences(guide.script.template), start=1):
        part = _script_part(text, guide)
        if part is None:
            fact = Fact(_unique(f"script_{n}", taken), _question(text))
            implied.append(fact)
            part = Part(text, "claim", (fact.id,))
            said = text if len(text) <= 60 else text[:59] + "…"
            notes.append(
                ("script.sentences", f"sentence {n} ({said!r}) makes a first-person claim: {_until(fact)}")
            )
        script.append(part)
    return Claims(
        tuple(declared + implied),
        tuple(f.id for f in implied),
        tuple(levers),
        tuple(script),
        tuple(notes),
        tuple(lever_parts),
        tuple(answers),
    )


class _Voice:
    """Splits a lever's or an answer's text into Parts, giving a first-person sentence that names
    no fact a fact of its own (and a note for `guides check`)."""

    def __init__(self, taken: set[str], implied: list[Fact], notes: list[tuple[str, str]]) -> None:
        self.taken, self.implied, self.notes = taken, implied, notes

    def parts(
        self, text: str, named: list[str], annotated: list[ScriptSentence], field: str, name: str
    ) -> tuple[Part, ...]:
        out = []
        for n, said in enumerate(sentences(text), start=1):
            if said == "{competing}":
                out.append(Part(said, "competing", tuple(dict.fromkeys([COMPETING, *named]))))
                continue
            own = list(named)
            own += [f for a in annotated if said.startswith(a.starts.strip()) for f in a.rests_on]
            if first_person(said) and not any(f != COMPETING for f in own):
                fact = Fact(_unique(f"{name}_{n}", self.taken), _question(said))
                self.implied.append(fact)
                own.append(fact.id)
                shown = said if len(said) <= 60 else said[:59] + "…"
                self.notes.append(
                    (
                        field,
                        f"sentence {n} ({shown!r}) speaks in the first person and names no fact:"
                        f" {_until(fact)}",
                    )
                )
            out.append(
                Part(
                    said, "claim" if any(f != COMPETING for f in own) else "plain", tuple(dict.fromkeys(own))
                )
            )
        return tuple(out)


def _until(fact: Fact) -> str:
    return (
        f"a brief shows it only as 'only if true' until the candidate confirms candidate.facts.{fact.id}"
        " (or say what it rests on in the guide)"
    )


def _question(sentence: str) -> str:
    return f"Can you say this of yourself, as it stands: “{sentence}”?"


def _script_part(text: str, guide: Guide) -> Part | None:
    """The script sentence `text` as a Part; None for an unannotated first-person claim."""
    if any(p in text for p in ASK_PLACEHOLDERS):
        return Part(text, "ask")
    if "{competing}" in text:
        return Part(text, "competing", (COMPETING,))
    for annotated in guide.script.sentences:
        if text.startswith(annotated.starts.strip()):
            return Part(text, "claim" if annotated.rests_on else "plain", tuple(annotated.rests_on))
    return None if first_person(text) else Part(text, "plain")


# --- the candidate's side --------------------------------------------------------------------


class Verdict(msgspec.Struct, frozen=True):
    """Whether the candidate can use a lever or say a sentence, and why."""

    kind: VerdictKind
    refuted: tuple[Fact, ...] = ()  # facts the candidate answered "no" to
    confirmed: tuple[Fact, ...] = ()  # facts the candidate answered "yes" to
    unconfirmed: tuple[Fact, ...] = ()  # facts not answered yet
    competing: CompetingState | None = None  # for what rests on a competing offer


def verdict(
    rests_on: tuple[str, ...], claims: Claims, answers: Mapping[str, bool], competing: CompetingState
) -> Verdict:
    """The verdict on something resting on `rests_on`, given the candidate's `answers` and the
    state of their competing offers (`competing`: see Verdict.competing)."""
    refuted, unconfirmed, confirmed = [], [], []
    needs_offer = COMPETING in rests_on
    for fact_id in rests_on:
        if fact_id == COMPETING:
            continue
        fact = claims.fact(fact_id) or Fact(fact_id, fact_id)
        answer = answers.get(fact_id)
        if answer is False:
            refuted.append(fact)
        elif answer is None:
            unconfirmed.append(fact)
        else:
            confirmed.append(fact)
    offer_state = competing if needs_offer else None
    kind: VerdictKind
    if refuted or (needs_offer and competing != "leverage"):
        kind = "not_yours"
    elif unconfirmed:
        kind = "only_if_true"
    else:
        kind = "yours"
    return Verdict(kind, tuple(refuted), tuple(confirmed), tuple(unconfirmed), offer_state)


class Unlock(msgspec.Struct, frozen=True):
    """An unanswered question and what a "yes" would unlock."""

    fact: Fact
    levers: tuple[str, ...]  # lever titles
    sentences: tuple[str, ...]  # script sentences (as templates)
    answers: tuple[str, ...] = ()  # sentences of the objections' answers


def unlocks(claims: Claims, titles: tuple[str, ...], answers: Mapping[str, bool]) -> tuple[Unlock, ...]:
    """Every fact something rests on that the candidate has not answered, in the guide's order
    (levers first, then the script, then the objections' answers), with what rests on it."""
    out: dict[str, tuple[list[str], list[str], list[str]]] = {}

    def add(rests_on: tuple[str, ...], where: int, what: str) -> None:
        for fact_id in rests_on:
            if fact_id != COMPETING and fact_id not in answers:
                found = out.setdefault(fact_id, ([], [], []))[where]
                if what not in found:
                    found.append(what)

    for title, rests_on, parts in zip(titles, claims.levers, claims.lever_parts, strict=True):
        add(tuple(dict.fromkeys([*rests_on, *(f for p in parts for f in p.rests_on)])), 0, title)
    for part in claims.script:
        add(part.rests_on, 1, part.text)
    for parts in claims.answers:
        for part in parts:
            add(part.rests_on, 2, part.text)
    return tuple(
        Unlock(claims.fact(f) or Fact(f, f), tuple(levers), tuple(said), tuple(answered))
        for f, (levers, said, answered) in out.items()
    )

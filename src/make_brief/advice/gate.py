"""The one fact gate: what of the guide's words a candidate is given to say. Pure.

Every sentence in the candidate's voice passes here, wherever it is shown: the script (the
brief's and the counter e-mail's), each lever's whole text, each objection's answer. facts.py
reads what each sentence rests on (a Part); the gate, given the candidate's answers, puts each
sentence in one of three places:

* **said** as it stands: every fact it rests on is confirmed (or it rests on none);
* **only if true**, with the open questions: a fact it rests on is not answered yet;
* **left out**: a fact it rests on was answered no (or the competing offer it needs is not
  leverage). It is not given to the candidate at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from ..guides.facts import Claims, CompetingState, Fact, Part, Verdict, VerdictKind, verdict


class Open(msgspec.Struct, frozen=True):
    """A sentence to say only if true, and the questions that would confirm it."""

    part: Part
    questions: tuple[Fact, ...]


class Gated(msgspec.Struct, frozen=True):
    """The sentences of one text, split by what the candidate may do with them (in order)."""

    said: tuple[Part, ...]
    only_if_true: tuple[Open, ...]
    left_out: tuple[Part, ...]
    verdicts: tuple[Verdict, ...]  # one per sentence given, in order


def gate(
    parts: tuple[Part, ...], claims: Claims, answers: Mapping[str, bool], competing: CompetingState
) -> Gated:
    """`parts` split into said, only if true and left out, by `answers` (candidate.facts) and
    the state of the competing offers (`competing`: see facts.Verdict.competing)."""
    said, only, left, verdicts = [], [], [], []
    for part in parts:
        v = verdict(part.rests_on, claims, answers, competing)
        verdicts.append(v)
        if v.kind == "yours":
            said.append(part)
        elif v.kind == "only_if_true":
            only.append(Open(part, v.unconfirmed))
        else:
            left.append(part)
    return Gated(tuple(said), tuple(only), tuple(left), tuple(verdicts))


def lever_verdicts(
    claims: Claims, answers: Mapping[str, bool], competing: CompetingState
) -> tuple[Verdict, ...]:
    """One verdict per lever, from what the lever rests on and from its sentences: **not yours**
    when what it rests on is refuted (or the competing offer is not leverage) or none of its
    sentences may be given; **yours** when what it rests on is confirmed and one sentence at
    least may be said as it stands (the others are shown only if true, or not at all); **only
    if true** otherwise, with every open question."""
    return tuple(
        lever_verdict(named, parts, claims, answers, competing)
        for named, parts in zip(claims.levers, claims.lever_parts, strict=True)
    )


def lever_verdict(
    named: tuple[str, ...],
    parts: tuple[Part, ...],
    claims: Claims,
    answers: Mapping[str, bool],
    competing: CompetingState,
) -> Verdict:
    whole = verdict(named, claims, answers, competing)
    if whole.kind == "not_yours" or not parts:
        return whole
    gated = gate(parts, claims, answers, competing)
    confirmed = _union(v.confirmed for v in gated.verdicts)
    refuted = _union([whole.refuted, *(v.refuted for v in gated.verdicts)])
    unconfirmed = _union([whole.unconfirmed, *(o.questions for o in gated.only_if_true)])
    if not gated.said and not gated.only_if_true:
        return Verdict("not_yours", refuted, confirmed, (), whole.competing)
    kind: VerdictKind = "yours" if whole.kind == "yours" and gated.said else "only_if_true"
    return Verdict(kind, refuted, confirmed, unconfirmed, whole.competing)


def _union(groups: Iterable[tuple[Fact, ...]]) -> tuple[Fact, ...]:
    out: dict[str, Fact] = {}
    for group in groups:
        for fact in group:
            out.setdefault(fact.id, fact)
    return tuple(out.values())

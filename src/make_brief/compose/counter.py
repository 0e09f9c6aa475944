"""The counter-offer e-mail: a draft the candidate sends to the recruiter (``--counter DIR``).

One .eml per brief, To the recruiter (``offer.recruiter``), From the candidate
(``candidate.email``), marked ``X-Unsent: 1`` so that mail programs open it as a draft, with no
attachment: the brief is the candidate's private notes. Its wording is ``email/counter.j2`` of
the brief's template folder, else the bundled ``templates/email/counter.j2``, rendered as plain
text in Jinja's sandbox: the first line is ``Subject: ...``, then a blank line, then the body.

What the body may say is decided here, not in the template: the asks that the offer does not
meet yet, the very list the brief's script asks from (asks.py: base, stock and bonus with the
region's band, a sign-on per short year, pro-rata repayment), in the candidate's currency with
the brief's marks; the script's sentences that the candidate can say as they stand (never one
resting on an unconfirmed or refuted fact, and a competing offer only when it is leverage);
what moved since the last round; the deadline and its state on the brief's date (passed: ask
whether the offer still stands; soon: ask for more time). The walk-away is never in it. The
message is built by the standard library's ``email`` package; with SOURCE_DATE_EPOCH set, its
Date and Message-ID (derived from its content) make the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ..advice.asks import script_numbers
from ..advice.compute import Figures, compute
from ..advice.gate import gate
from ..errors import BriefError, TemplateError
from ..files.resources import templates_dir
from ..guides.facts import verdict
from ..offers.offer import Offer
from .brief import Money, brief_marks, build_context, competing_claim, personalise
from .templates import Template, load_template, plain

FILE = "counter.j2"


def counter_name(pdf_name: str) -> str:
    """``jane-doe-segment-engineering-manager-counter.eml`` for that brief's file name."""
    return f"{Path(pdf_name).stem}-counter.eml"


def missing(offer: Offer) -> str | None:
    """Why no counter e-mail can be written for `offer` (an address is missing), or None."""
    fields = [
        f for f, v in (("candidate.email", offer.email), ("offer.recruiter.email", _to(offer))) if not v
    ]
    if not fields:
        return None
    return (
        f"no counter e-mail: {' and '.join(fields)} {'is' if len(fields) == 1 else 'are'} not given"
        " (add the address to the offer file; the brief was made)"
    )


def _to(offer: Offer) -> str | None:
    return offer.recruiter.email if offer.recruiter else None


def draft_counter(
    offer: Offer, template_name: str | Path | None, day: date, figures: Figures | None = None
) -> tuple[bytes | None, str | None]:
    """(the .eml bytes, None), or (None, the line that says why there is none)."""
    problem = missing(offer)
    if problem is not None:
        return None, problem
    template = load_template(template_name)
    subject, body = render_counter(template, counter_context(offer, figures or compute(offer), template, day))
    try:
        msg = counter_message(offer, subject, body)
    except BriefError as exc:
        return None, f"no counter e-mail: {exc}"
    return msg.as_bytes(), None


# --- what the e-mail may say ---------------------------------------------------------------


def counter_context(offer: Offer, figures: Figures, template: Template, day: date) -> dict[str, Any]:
    """The plain values counter.j2 sees (see templates/email/counter.j2 for the list). The asks
    are the brief's own (asks.py): the same list, the same figures, the same marks."""
    ctx = build_context(offer, figures, template, day)
    call = ctx["call"]
    return {
        "candidate": {"name": offer.name, "email": offer.email},
        "recruiter": call["recruiter"],
        "role": offer.guide.role,
        "company": offer.guide.company,
        "region": offer.region.name,
        "currency": offer.currency,
        "stock_years": offer.stock_years,
        "asks": ctx["asks"],
        "ask_total": ctx["ask_total"],
        "reasons": [] if figures.all_met else reasons(offer, figures, template),
        "all_met": figures.all_met,
        "open_asks": list(offer.guide.open_asks),
        "moved": [m for m in call["moved"] if m["up"] and m["part"] != "total"],
        "deadline": call["deadline"],
    }


def reasons(offer: Offer, figures: Figures, template: Template) -> list[str]:
    """The script's sentences other than the asks that the candidate can say as they stand, in
    the guide's order: every fact they rest on confirmed, a competing offer only as leverage."""
    money = Money(offer.currency, offer.region.locale, brief_marks(offer))
    claim = competing_claim(template, figures.leverage, money)
    numbers = script_numbers(offer, figures, money)
    said = []
    for part in gate(figures.claims.script, figures.claims, offer.facts, figures.competing_state).said:
        if part.kind == "ask":
            continue  # the asks are listed one by one
        v = verdict(part.rests_on, figures.claims, offer.facts, figures.competing_state)
        text = plain(str(personalise(part.text, numbers, claim))).strip()
        if v.kind == "yours" and text:
            said.append(text)
    return said


# --- the wording -----------------------------------------------------------------------------


def _folders(template: Template) -> list[Path]:
    own = [f / "email" for f in template.folders[:-1] if (f / "email" / FILE).is_file()]
    return [*own, templates_dir() / "email"]


def render_counter(template: Template, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) from counter.j2: its first line is ``Subject: ...``, then the body."""
    import jinja2

    from .bounds import BODY, SUBJECT, TooLongError, render_within, too_long
    from .sandbox import environment, raised_at

    folders = _folders(template)
    env = environment(folders, plain_text=True)
    source = next(f / FILE for f in folders if (f / FILE).is_file())
    try:
        text = render_within(env.get_template(FILE), context, BODY)
    except TooLongError as exc:
        file, line = raised_at(exc)
        message = too_long("the counter e-mail", BODY, "an e-mail's text", exc)
        raise TemplateError(message, file=file or source, line=line) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", file=source, line=exc.lineno) from None
    except jinja2.TemplateError as exc:  # undefined values, the sandbox's refusals
        raise TemplateError(str(exc), file=source) from None
    head, _, body = text.lstrip("\n").partition("\n")
    if not head.startswith("Subject:") or not " ".join(head[8:].split()):
        raise TemplateError(
            "the first line must be 'Subject: ...'", file=source, hint="then a blank line and the body"
        )
    subject = " ".join(head[8:].split())
    if len(subject) > SUBJECT:
        message = too_long("the counter e-mail's subject", SUBJECT, "a subject: one line", TooLongError(""))
        raise TemplateError(message, file=source)
    return subject, _paragraphs(body)


def _paragraphs(body: str) -> str:
    """The body with runs of blank lines made one and no spaces at line ends."""
    lines = [line.rstrip() for line in body.strip("\n").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"


# --- the message -------------------------------------------------------------------------------


def counter_message(offer: Offer, subject: str, body: str) -> EmailMessage:
    """The draft: From the candidate, To the recruiter, plain text, no attachment. Addresses are
    parsed by email.headerregistry (mail.address), so no input can add a header."""
    from email import policy
    from email.utils import formatdate

    from ..files.clock import source_epoch
    from ..offers.address import address

    assert offer.email is not None and offer.recruiter is not None and offer.recruiter.email
    sender = address(offer.email, "candidate.email", offer.name)
    to = address(offer.recruiter.email, "offer.recruiter.email", offer.recruiter.name or "")
    digest = hashlib.sha256("\n".join([str(sender), str(to), subject, body]).encode()).hexdigest()
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(source_epoch(), usegmt=True)
    msg["Message-ID"] = f"<counter.{digest[:32]}@{sender.domain}>"
    msg["X-Unsent"] = "1"
    msg.set_content(body)
    return msg

"""Delivering briefs: an .eml file each, or a message each over SMTP, kept in the journal.

For each brief that was made the postman writes its .eml (``--eml DIR``) and, with ``--send``,
sends it, unless the journal or the output folder's delivery record (delivered.py) shows that
this brief already went to this address, or may have. Without ``--send`` nothing is sent: the
postman says what would be. A candidate without an e-mail address is noted and skipped; a
message that cannot be made or is refused is a failure of its own; a server that fails stops
the sending for this run (the next run sends the rest). The SMTP connection is smtp.py's.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

import msgspec

from ..errors import BriefError, RefusedError, ServerError, UnconfirmedError, name_input
from ..files.fs import shown
from ..run.events import MessageEvent, MessageHeld, MessageInFlight, MessageNotSent, MessageSent
from ..run.pipeline import MailStatus, Outcome
from .delivered import TEST_RECORD, Delivery, Record
from .journal import Entry as JournalEntry
from .journal import Journal, now
from .mail import (
    Letter,
    MailError,
    MailSettings,
    Wording,
    address,
    attachment_name,
    context,
    message,
    recipient_key,
    size_text,
)
from .smtp import Smtp


class Pace:
    """At most `rate` messages a second: waits before a message that would come too soon."""

    def __init__(
        self,
        rate: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1 / rate if rate else 0.0
        self.clock, self.sleep = clock, sleep
        self.next = float("-inf")

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if now < self.next:
            self.sleep(self.next - now)
            now = self.next
        self.next = now + self.interval


class Parcel(msgspec.Struct):
    """One brief to mail, from a batch's outcome or a manifest's row."""

    label: str  # the input it was made from
    path: Path
    candidate: str
    email: str
    guide: str
    content: str  # what it says (the journal's key)
    sha256: str
    pages: int = 0
    role: str = ""
    company: str = ""
    region: str = ""
    pdf: bytes | None = None  # read from `path` when not given
    mail: MailStatus = ""  # set by the postman: what became of it
    recipient: str = ""
    preferred_name: str = ""  # the greeting's name (candidate.preferred_name); else the name
    locked: bool = False  # a locked brief: its message says so (and never holds the password)
    inputs: dict[str, str] = {}  # the offer's figures by field (pipeline.said_inputs): recorded

    def data(self) -> bytes:
        """The brief's bytes, read from its file once: refused when they are not the brief
        this parcel stands for (another run re-made the file since), so what is sent is always
        what the journal records."""
        if self.pdf is None:
            import hashlib

            from ..errors import OutputError

            try:
                data = self.path.read_bytes()
            except OSError as exc:
                raise OutputError(f"cannot read the brief: {exc.strerror}", file=self.path) from None
            if self.sha256 and hashlib.sha256(data).hexdigest() != self.sha256:
                raise OutputError(
                    "the brief changed on disk since it was made (another run wrote it)",
                    file=self.path,
                    hint="make it again, then send",
                )
            self.pdf = data
        return self.pdf


def parcel_of(outcome: Outcome) -> Parcel | None:
    built = outcome.brief
    if not outcome.ok or built is None or outcome.path is None:
        return None
    return Parcel(
        outcome.item.label,
        outcome.path,
        built.candidate,
        built.email or "",
        built.guide,
        built.content or outcome.sha256,
        outcome.sha256,
        built.pages,
        built.role,
        built.company,
        built.region,
        preferred_name=built.preferred_name,
        locked=outcome.locked,
        inputs=dict(built.inputs),
    )


@dataclass
class Postman:
    """Writes and sends the message of each brief, exactly once per recipient and content;
    `problems`, `notes` and `held` are for the end."""

    settings: MailSettings
    folder: Path  # the output folder, whose manifests record what was sent
    pace: Pace | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    flying: list[str] = field(default_factory=list)  # being sent by another live run
    counts: Counter = field(default_factory=Counter)
    broken: str | None = None
    tests: Record | None = None  # deliveries-test.jsonl, opened by the first --test-to message

    def __post_init__(self) -> None:
        self.wording = Wording(self.settings.templates)
        self.journal = Journal(self.settings.journal_path(), read_only=not self.settings.send)
        self.smtp = Smtp(self.settings) if self.settings.send else None
        self.pace = self.pace or Pace(self.settings.rate)
        self.record = Record(self.folder)

    def close(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
        self.journal.close()

    def __enter__(self) -> Postman:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def post(self, outcome: Outcome) -> tuple[Outcome, MessageEvent | None]:
        """Write and send the message of a batch's `outcome` (events.Courier): the mail stage's
        record of it (the outcome with what became of its message), and that as a typed event
        (None when it has no brief to mail)."""
        parcel = parcel_of(outcome)
        if parcel is None:
            return outcome, None
        event = self.mail(parcel)
        return msgspec.structs.replace(outcome, mail=parcel.mail, recipient=parcel.recipient), event

    def mail(self, parcel: Parcel) -> MessageEvent | None:
        """Write and send the message of `parcel` (deliver); what became of it as a typed event
        (events.py), None when nothing was done with it."""
        line = self.deliver(parcel)
        status, label, to = parcel.mail, parcel.label, parcel.recipient
        if line is None and not status:
            return None
        if status in ("sent", "would send", "already sent", "tested", "would test"):
            return MessageSent(label, status, to, line or "")
        if status in ("held", "unconfirmed"):
            return MessageHeld(label, status, to, self.held[-1])
        if status == "in flight":
            return MessageInFlight(label, to, self.flying[-1])
        if status == "failed":
            return MessageNotSent(label, status, to, self.problems[-1])
        if status == "no e-mail":
            return MessageNotSent(label, status, to, self.notes[-1])
        assert status == "not sent", status
        return MessageNotSent(label, status, to, self.broken or "")

    def deliver(self, parcel: Parcel) -> str | None:
        """Write and send the message of `parcel`; a line to show, or None."""
        if not parcel.email:
            self.notes.append(f"{parcel.label}: {parcel.candidate} has no e-mail address: no message")
            return self._status(parcel, "no e-mail", None)
        try:
            to = address(parcel.email, "candidate.email", parcel.candidate)
            parcel.recipient = to.addr_spec
            pdf = parcel.data()
            if len(pdf) > self.settings.max_attachment:
                raise MailError(
                    f"the brief is {size_text(len(pdf))}, over the "
                    f"{size_text(self.settings.max_attachment)} attachment limit",
                    hint="raise --max-attachment, or send this brief another way",
                )
            shown_as = attachment_name(parcel.candidate, parcel.role, parcel.company)
            ctx = context(parcel, shown_as, self.settings.sender)
            letter = Letter(to, pdf, shown_as, parcel.sha256, ctx, ascii_name=parcel.path.name)
            subject, body = self.wording.render(ctx)
            if self.settings.eml_dir is not None:
                self._eml(letter, subject, body)
        except BriefError as exc:
            self._fail(parcel, str(exc))
            return None
        return self._deliver(parcel, letter, subject, body)

    def _eml(self, letter: Letter, subject: str, body: str) -> None:
        from ..files.output import write_atomic

        assert self.settings.eml_dir is not None
        draft = message(letter, subject, body, self.settings, draft=True)
        write_atomic(self.settings.eml_dir / f"{Path(letter.ascii_name).stem}.eml", draft.as_bytes())
        self.counts["eml"] += 1

    def _deliver(self, parcel: Parcel, letter: Letter, subject: str, body: str) -> str | None:
        if self.settings.test_to is not None:
            return self._test(parcel, letter, subject, body)
        to, key = letter.to, recipient_key(letter.to)
        if (stop := self._before(parcel, key, str(to))) is not None:
            return stop
        if not self.settings.send:
            return self._status(parcel, "would send", f"would send: {to} {parcel.path}: {subject}")
        if self.broken is not None:
            return self._status(parcel, "not sent", None)
        assert self.smtp is not None and self.pace is not None and self.settings.sender is not None
        msg = message(letter, subject, body, self.settings)
        self.pace.wait()  # before the claim: an interrupted wait leaves nothing in the journal
        try:
            self.smtp.ready()
        except ServerError as exc:
            self.broken = str(exc)
            self._fail(parcel, f"e-mail to {to.addr_spec} not sent: {exc}")
            return None
        claim = dict(sha256=parcel.sha256, input=parcel.label, file=str(parcel.path), subject=subject)
        step = self._step(parcel, key, "sending", str(msg["Message-ID"]))
        with self.journal.exclusive():  # looked at again: another run may have sent one meanwhile
            self.record.refresh()
            if (stop := self._before(parcel, key, str(to))) is not None:
                return stop
            claimed = self.journal.claim(
                parcel.content, key, guide=parcel.guide, message_id=step.message_id, **claim
            )
        if not claimed:
            return self._in_flight(parcel, f"{to} {parcel.path}: another run is sending it right now")
        try:
            self.record.append(step)  # on disk before the message goes
        except BriefError as exc:
            self.journal.release(parcel.content, key)
            self.broken = str(exc)
            self._fail(parcel, f"e-mail to {to.addr_spec} not sent: {exc}")
            return None
        return self._send(parcel, msg, step, str(to))

    def _send(self, parcel: Parcel, msg: EmailMessage, step: Delivery, to: str) -> str | None:
        assert self.smtp is not None and self.settings.sender is not None
        key = step.recipient
        copies = tuple(a.addr_spec for a in (*self.settings.cc, *self.settings.bcc))
        try:
            self.smtp.send(msg, self.settings.sender.addr_spec, parcel.recipient, copies)
        except (RefusedError, ServerError) as exc:
            self.journal.release(parcel.content, key)
            self._record(msgspec.structs.replace(step, event="released", at=now()))
            if isinstance(exc, ServerError):
                self.broken = str(exc)
            self._fail(parcel, f"e-mail to {parcel.recipient} {_failed(exc)}: {exc}")
            return None
        except UnconfirmedError as exc:
            self.broken = str(exc)
            return self._hold(
                parcel,
                f"{to} {parcel.path}: the connection was lost after the message was handed over "
                f"({exc}), so it may have arrived; {self._release_hint(key)}",
                status="unconfirmed",
            )
        self._record(msgspec.structs.replace(step, event="sent", at=now()))  # the folder first
        self.journal.sent(parcel.content, key)
        return self._status(parcel, "sent", f"sent: {to} {parcel.path}")

    def _test(self, parcel: Parcel, letter: Letter, subject: str, body: str) -> str | None:
        """--test-to: the message goes to the tester instead, marked [TEST], and is recorded in
        the output folder's deliveries-test.jsonl only (neither the journal nor the delivery
        record, so the real run still sends it); past --test-count, nothing."""
        tester = self.settings.test_to
        assert tester is not None
        limit = self.settings.test_count
        if limit is not None and self.counts["tested"] + self.counts["would test"] >= limit:
            self.counts["untested"] += 1
            return None
        line = f"{tester} (for {letter.to}) {parcel.path}: [TEST] {subject}"
        if not self.settings.send:
            return self._status(parcel, "would test", f"would send a test: {line}")
        assert self.smtp is not None and self.pace is not None and self.settings.sender is not None
        msg = message(letter, subject, body, self.settings)
        self.pace.wait()
        try:
            self.smtp.ready()
            self.smtp.send(msg, self.settings.sender.addr_spec, tester.addr_spec)
        except (RefusedError, ServerError, UnconfirmedError) as exc:
            if not isinstance(exc, RefusedError):
                self.broken = str(exc)
            self._fail(parcel, f"test e-mail to {tester.addr_spec} not sent: {exc}")
            return None
        step = self._step(parcel, recipient_key(tester), "sent", str(msg["Message-ID"]))
        try:
            self.tests = self.tests or Record(self.folder, TEST_RECORD)
            self.tests.append(step)
        except BriefError as exc:
            self.problems.append(f"{exc} (the test to {tester.addr_spec} went)")
        return self._status(parcel, "tested", f"sent a test: {line}")

    def _step(self, parcel: Parcel, key: str, event: str, message_id: str) -> Delivery:
        return Delivery(
            event,
            key,
            parcel.content,
            parcel.guide,
            now(),
            sha256=parcel.sha256,
            message_id=message_id,
            run=self.journal.run,
            input=shown(parcel.label),  # a name that is not UTF-8 as \xNN, as the journal has it
            file=shown(str(parcel.path)),
            inputs=parcel.inputs if event == "sending" else {},
        )

    def _record(self, step: Delivery) -> None:
        """Add a step after the message went (or was refused): a record that cannot be written
        then is a problem to report, not a reason to send again; the journal still knows."""
        try:
            self.record.append(step)
        except BriefError as exc:
            self.problems.append(f"{exc} ({step.recipient} {step.event}; the journal has it)")

    def _before(self, parcel: Parcel, key: str, to: str) -> str | None:
        """What stops this message before it is claimed: sent already (unchanged), a claim
        in flight or that may have arrived, another version sent or being sent (changed), by
        the journal or by the output folder's delivery record, whichever says not to send: a
        line, or None."""
        entry = self.journal.find(parcel.content, key)
        kept = self.record.find(parcel.content, key)
        if entry is not None and entry.state == "sent":
            return self._already(parcel, f"{to} {parcel.path} (on {entry.at})")
        if kept is not None and kept.event == "sent":
            journal = "its claim in the journal was not finished" if entry else "the journal does not"
            return self._already(
                parcel,
                f"{to} {parcel.path} (the output folder records it as sent {_on(kept.at)} in"
                f" {shown(str(self.record.path))}; {journal})",
            )
        if entry is not None or kept is not None:
            return self._claimed(parcel, key, to, entry, kept)
        return self._other(parcel, key, to)

    def _already(self, parcel: Parcel, text: str) -> str | None:
        return self._status(parcel, "already sent", f"already sent, unchanged: {text}")

    def _where(self) -> str:
        return f"the delivery record {shown(str(self.record.path))}"

    def _claimed(
        self, parcel: Parcel, key: str, to: str, entry: JournalEntry | None, kept: Delivery | None
    ) -> str | None:
        """A claim (the journal's, the record's or both) that never became sent: a message in
        flight when the run that claimed it is live, else one that may have arrived."""
        run = entry.run if entry is not None else kept.run if kept is not None else ""
        at = entry.at if entry is not None else kept.at if kept is not None else ""
        if (live := self.journal.live(run)) is not None:
            return self._in_flight(parcel, f"{to} {parcel.path}: another run ({live}) is sending it now")
        whose = "" if entry is not None else f" ({self._where()} says so; the journal does not)"
        return self._hold(
            parcel,
            f"{to} {parcel.path}: a run stopped while sending it on {at}, so it may have"
            f" arrived{whose}; {self._release_hint(key)}",
            status="unconfirmed",
        )

    def _other(self, parcel: Parcel, key: str, to: str) -> str | None:
        """Another version of this brief went, or is going, to this recipient."""
        other = self.journal.other(key, parcel.guide, parcel.content)
        kept = self.record.other(key, parcel.guide, parcel.content)
        if other is not None and other.state == "sending" or kept is not None and kept.event == "sending":
            run = other.run if other is not None and other.state == "sending" else kept.run if kept else ""
            label = other.input if other is not None else kept.input if kept is not None else ""
            if (live := self.journal.live(run)) is not None:
                return self._in_flight(
                    parcel,
                    f"{to} {parcel.path}: another version of it ({label}) is being sent by"
                    f" another run ({live})",
                )
            return self._hold(
                parcel,
                f"{to} {parcel.path}: another version of it ({label}) may have arrived: a run stopped"
                f" while sending it; {self._release_hint(key)}",
                status="unconfirmed",
            )
        if other is not None and other.run == self.journal.run:
            return self._hold(
                parcel,
                f"{to} {parcel.path}: the same candidate and guide came earlier in this run with"
                f" other figures ({other.input}, sent); this one was not sent",
            )
        earlier = other.at if other is not None else f"{_on(kept.at)}, {self._where()}" if kept else None
        if earlier is not None and not self.settings.resend_changed:
            from .kept import copy_of

            copy = copy_of(parcel.path)
            has = f"; the version they have is kept as {shown(str(copy))}" if copy is not None else ""
            what = self._changed(parcel, key)
            return self._hold(
                parcel,
                f"{to} {parcel.path}: changed since an earlier version went ({earlier}){what}{has};"
                " --resend-changed sends this one",
            )
        return None

    def _changed(self, parcel: Parcel, key: str) -> str:
        """What changed in the inputs since the version that went ("; offer.base: 120,000 →
        125,000"), when the delivery record has the figures it was sent with."""
        from ..run.pipeline import changes

        went = self.record.went_with(key, parcel.guide)
        if not went or not parcel.inputs:
            return ""
        said = changes(went, parcel.inputs)
        return f"; {', '.join(said)}" if said else ""

    def _release_hint(self, recipient: str) -> str:
        if self.settings.journal is not None:
            whose = f"--journal {self.settings.journal}"
        else:
            whose = f"--from {self.settings.sender.addr_spec if self.settings.sender else 'SENDER'}"
        command = f"make-brief journal release {recipient} {whose} --folder {shown(str(self.folder))}"
        return f"if it did not arrive, `{command}` lets the next run send it"

    def _hold(self, parcel: Parcel, text: str, status: Literal["held", "unconfirmed"] = "held") -> str:
        """Held for the user to decide: one line, at the end of the run (`held`); the empty
        line now (a stop with nothing to print as it happens)."""
        self.held.append(name_input(parcel.label, text))
        self._status(parcel, status, None)
        return ""

    def _in_flight(self, parcel: Parcel, text: str) -> str:
        """Another live run is sending it: not this run's to send, nor the user's to decide
        (one line at the end, as for `_hold`)."""
        self.flying.append(name_input(parcel.label, text))
        self._status(parcel, "in flight", None)
        return ""

    def _status(self, parcel: Parcel, status: MailStatus, line: str | None) -> str | None:
        parcel.mail = status
        self.counts[status] += 1
        return line

    def _fail(self, parcel: Parcel, text: str) -> None:
        parcel.mail = "failed"
        self.counts["failed"] += 1
        self.problems.append(name_input(parcel.label, text))

    def tally(self) -> str | None:
        """The closing line of a run that sends (None for a dry run): the messages counted."""
        if not self.settings.send:
            return None
        tester = self.settings.test_to.addr_spec if self.settings.test_to is not None else None
        return _tally(self.counts, tester)

    def summary(self) -> list[str]:
        """The closing lines: what was sent, and what was not and why."""
        c = self.counts
        lines = []
        if self.broken is not None and c["not sent"]:
            lines.append(
                f"{_messages(c['not sent'], 'more')} not sent: the server failed ({self.broken});"
                " run the same command again to send them (the journal keeps what was sent)"
            )
        if not self.settings.send and c["would send"]:
            via = f"via {self.settings.server}" if self.settings.host else "(no --smtp-host given yet)"
            verb = "would go" if c["would send"] != 1 else "would go"
            lines.append(
                f"nothing was sent: {_messages(c['would send'])} {verb} {via}; add --send to send them"
            )
        if self.flying:
            lines.append(
                f"{_messages(len(self.flying))} being sent by another run, which reports them"
                " (see the in flight: lines)"
            )
        if self.held:
            lines.append(f"{_messages(len(self.held))} held for you to decide (see the held: lines)")
        return lines


def _tally(c: Counter, tester: str | None) -> str:
    """The messages of a run that sent: "8 sent, 1 held, 0 failed", and what else became of
    them when anything did (already sent, no address, in flight, not sent, tests)."""
    if tester is not None:
        tests = "test" if c["tested"] == 1 else "tests"
        said = f"{c['tested']} {tests} sent to {tester}, {c['failed']} failed"
        return said + (f", {c['untested']} not tested (--test-count)" if c["untested"] else "")
    parts = [f"{c['sent']} sent", f"{c['held'] + c['unconfirmed']} held", f"{c['failed']} failed"]
    for status, words in (
        ("already sent", "already sent"),
        ("in flight", "being sent by another run"),
        ("not sent", "not sent (the server failed)"),
        ("no e-mail", "without an e-mail address"),
    ):
        if c[status]:
            parts.append(f"{c[status]} {words}")
    return ", ".join(parts)


def _messages(count: int, more: str = "") -> str:
    word = "message" if count == 1 else "messages"
    return f"{count} {more + ' ' if more else ''}{word}"


def _on(at: str) -> str:
    return at if at.startswith("recorded in") else f"on {at}"


def _failed(exc: BaseException) -> str:
    return "refused" if isinstance(exc, RefusedError) else "not sent"

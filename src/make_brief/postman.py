"""Delivering briefs: an .eml file each, or a message each over SMTP, kept in the journal.

For each brief that was made the postman writes its .eml (``--eml DIR``) and, with ``--send``,
sends it, unless the journal shows that this brief already went to this address. Without
``--send`` nothing is sent: the postman says what would be. A candidate without an e-mail
address is noted and skipped; a message that cannot be made or is refused is a failure of
its own; a server that fails stops the sending for this run (the next run sends the rest).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .batch import Outcome
from .errors import BriefError
from .inputs import name_input
from .journal import Journal
from .mail import (
    Letter,
    MailError,
    MailSettings,
    Wording,
    address,
    context,
    message,
    recipient_key,
    size_text,
)

TIMEOUT = 60


class RefusedError(Exception):
    """The server refused this one message (others may go)."""


class ServerError(Exception):
    """The server cannot be reached, refused the login, or failed: no message can go now."""


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


class Smtp:
    """One SMTP connection, opened when the first message goes, and reopened when the server
    closed it while idle."""

    def __init__(self, settings: MailSettings) -> None:
        self.s = settings
        self.conn: smtplib.SMTP | None = None

    def send(self, msg: object, sender: str, recipient: str) -> None:
        """Send `msg`; connect first with `ready()` so that only the message itself is at stake."""
        try:
            conn = self.conn or self.ready()
            conn.send_message(msg, from_addr=sender, to_addrs=[recipient])  # type: ignore[arg-type]
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise RefusedError(_reply(code, reply)) from None
        except (smtplib.SMTPDataError, smtplib.SMTPResponseException) as exc:
            if exc.smtp_code == 421 or isinstance(exc, smtplib.SMTPSenderRefused):
                self._drop()
                raise ServerError(_reply(exc.smtp_code, exc.smtp_error)) from None
            raise RefusedError(_reply(exc.smtp_code, exc.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, timed out, TLS failed
            self._drop()
            raise ServerError(_reason(exc)) from None

    def ready(self) -> smtplib.SMTP:
        """The open connection (connected, secured and logged in), or ServerError."""
        if self.conn is not None:
            try:
                if self.conn.noop()[0] == 250:
                    return self.conn
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self.conn = self._connect()
        return self.conn

    def _connect(self) -> smtplib.SMTP:
        s, tls = self.s, ssl.create_default_context()
        host = s.host or ""
        conn: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(host, s.port, timeout=TIMEOUT, context=tls)
            else:
                conn = smtplib.SMTP(host, s.port, timeout=TIMEOUT)
            if s.security == "starttls":
                conn.ehlo()
                if not conn.has_extn("starttls"):
                    hint = "use --smtp-security tls, or none for a local relay"
                    raise ServerError(f"{host} does not offer STARTTLS ({hint})")
                conn.starttls(context=tls)
                conn.ehlo()
            if s.user:
                conn.login(s.user, s.password or "")
            return conn
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, smtplib.SMTPAuthenticationError):
                reply = _reply(exc.smtp_code, exc.smtp_error)
                raise ServerError(f"{host} refused the login of {s.user!r}: {reply}") from None
            if isinstance(exc, (smtplib.SMTPException, OSError)):
                raise ServerError(f"cannot connect to {host}:{s.port}: {_reason(exc)}") from None
            raise

    def _drop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None

    def close(self) -> None:
        self._drop()


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


@dataclass
class Postman:
    """Handles the mail of each outcome of a batch; `problems` and `notes` are for the end."""

    settings: MailSettings
    folder: Path  # the output folder, where the journal is
    pace: Pace | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    broken: str | None = None

    def __post_init__(self) -> None:
        self.wording = Wording(self.settings.templates)
        self.journal = Journal(self.folder, read_only=not self.settings.send)
        self.smtp = Smtp(self.settings) if self.settings.send else None
        self.pace = self.pace or Pace(self.settings.rate)

    def close(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
        self.journal.close()

    def __enter__(self) -> Postman:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def handle(self, outcome: Outcome) -> str | None:
        """Write and send the message of `outcome`; a line to show, or None."""
        built = outcome.built
        if not outcome.ok or built is None or outcome.path is None:
            return None
        label = outcome.item.label
        if not built.email:
            outcome.mail = "no e-mail"
            self.counts["no e-mail"] += 1
            self.notes.append(f"{label}: {built.candidate} has no e-mail address: no message")
            return None
        try:
            to = address(built.email, "candidate.email", built.candidate)
            outcome.recipient = to.addr_spec
            if len(built.pdf) > self.settings.max_attachment:
                raise MailError(
                    f"the brief is {size_text(len(built.pdf))}, over the "
                    f"{size_text(self.settings.max_attachment)} attachment limit",
                    hint="raise --max-attachment, or send this brief another way",
                )
            ctx = context(built, outcome.path.name, self.settings.sender)
            letter = Letter(to, built.pdf, outcome.path.name, outcome.sha256, ctx)
            subject, body = self.wording.render(ctx)
            if self.settings.eml_dir is not None:
                self._eml(letter, subject, body)
        except BriefError as exc:
            return self._fail(outcome, str(exc))
        return self._deliver(outcome, letter, subject, body)

    def _eml(self, letter: Letter, subject: str, body: str) -> None:
        from .output import write_atomic

        assert self.settings.eml_dir is not None
        draft = message(letter, subject, body, self.settings, draft=True)
        write_atomic(self.settings.eml_dir / f"{Path(letter.file_name).stem}.eml", draft.as_bytes())
        self.counts["eml"] += 1

    def _deliver(self, outcome: Outcome, letter: Letter, subject: str, body: str) -> str | None:
        to, key = letter.to, recipient_key(letter.to)
        brief = outcome.built.name if outcome.built else letter.file_name
        entry = self.journal.find(letter.sha256, key)
        if entry is not None and entry.state == "sent":
            return self._status(outcome, "already sent", f"already sent: {to} {outcome.path} (on {entry.at})")
        if entry is not None:
            return self._status(
                outcome,
                "unconfirmed",
                f"not sent again: {to} {outcome.path}: a run stopped while sending it on {entry.at};"
                f" if it did not arrive, remove its row from {self.journal.path.name}",
            )
        earlier = self.journal.earlier(brief, key, letter.sha256)
        if earlier is not None and not self.settings.resend_changed:
            return self._status(
                outcome,
                "held",
                f"held: {to} {outcome.path}: an earlier version went on {earlier.at}"
                " (--resend-changed sends this one)",
            )
        if not self.settings.send:
            return self._status(outcome, "would send", f"would send: {to} {outcome.path}: {subject}")
        if self.broken is not None:
            return self._status(outcome, "not sent", None)
        assert self.smtp is not None and self.pace is not None and self.settings.sender is not None
        msg = message(letter, subject, body, self.settings)
        self.pace.wait()  # before the claim: an interrupted wait leaves nothing in the journal
        try:
            self.smtp.ready()
        except ServerError as exc:
            self.broken = str(exc)
            return self._fail(outcome, f"e-mail to {to.addr_spec} not sent: {exc}")
        if not self.journal.claim(
            letter.sha256,
            key,
            brief=brief,
            input=outcome.item.label,
            file=str(outcome.path),
            subject=subject,
            message_id=str(msg["Message-ID"]),
        ):
            return self._status(outcome, "already sent", f"already sent: {to} {outcome.path}")
        try:
            self.smtp.send(msg, self.settings.sender.addr_spec, to.addr_spec)
        except RefusedError as exc:
            self.journal.release(letter.sha256, key)
            return self._fail(outcome, f"e-mail to {to.addr_spec} refused: {exc}")
        except ServerError as exc:
            self.journal.release(letter.sha256, key)
            self.broken = str(exc)
            return self._fail(outcome, f"e-mail to {to.addr_spec} not sent: {exc}")
        self.journal.sent(letter.sha256, key)
        return self._status(outcome, "sent", f"sent: {to} {outcome.path}")

    def _status(self, outcome: Outcome, status: str, line: str | None) -> str | None:
        outcome.mail = status
        self.counts[status] += 1
        return line

    def _fail(self, outcome: Outcome, text: str) -> None:
        outcome.mail = "failed"
        self.counts["failed"] += 1
        self.problems.append(name_input(outcome.item.label, text))
        return None

    def summary(self) -> list[str]:
        """The closing lines: what was sent, and what was not and why."""
        c = self.counts
        lines = []
        if self.broken is not None and c["not sent"]:
            lines.append(
                f"{c['not sent']} more messages not sent: the server failed ({self.broken});"
                " run the same command again to send them (the journal keeps what was sent)"
            )
        if not self.settings.send and c["would send"]:
            via = f"via {self.settings.server}" if self.settings.host else "(no --smtp-host given yet)"
            lines.append(
                f"nothing was sent: {c['would send']} messages would go {via}; add --send to send them"
            )
        return lines

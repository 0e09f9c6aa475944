"""E-mail for briefs: the settings, and the message that carries one brief.

A message goes To the candidate (name and address from the offer), with its subject and
plain-text body from templates/email/*.j2 (Jinja's sandbox) and the PDF attached as
application/pdf under its file name. Messages are built by the standard library's ``email``
package: addresses are parsed and validated by ``email.headerregistry``, and a header value can
never hold a line break, so no text from an offer or a template can add a header.

Sending (postman.py) and the journal (journal.py) build on this module; it does no I/O but
reading templates and the config file.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import msgspec

from ..errors import (
    BriefError,
    MailError,
)
from ..offers.address import address

PASSWORD_ENV = "MAKE_BRIEF_SMTP_PASSWORD"
TOKEN_ENV = "MAKE_BRIEF_SMTP_TOKEN"
AUTH = ("password", "xoauth2")
SECURITY = ("starttls", "tls", "none")
PORTS = {"starttls": 587, "tls": 465, "none": 25}
DEFAULT_MAX_ATTACHMENT = 10_000_000  # 10 MB
MAX_LINE = 998  # RFC 5322 2.1.1: the longest a line of a message may be


# --- settings ---------------------------------------------------------------------------------


class MailConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="kebab"):
    """The config file (YAML): the same keys as the command's options."""

    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str | None = None
    smtp_user: str | None = None
    smtp_auth: str | None = None
    smtp_token_command: str | None = None
    journal: str | None = None
    from_: str | None = msgspec.field(default=None, name="from")
    reply_to: str | None = None
    cc: str | list[str] | None = None
    bcc: str | list[str] | None = None
    rate: str | None = None
    max_attachment: str | int | None = None
    mail_templates: str | None = None


class MailSettings(msgspec.Struct, frozen=True):
    send: bool = False
    eml_dir: Path | None = None
    host: str | None = None
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    password: str | None = None  # or the OAuth2 access token, for auth xoauth2
    auth: str = "password"
    journal: Path | None = None  # None: the sender's journal in the user's data folder
    sender: Address | None = None
    reply_to: Address | None = None
    rate: float | None = None  # messages a second
    max_attachment: int = DEFAULT_MAX_ATTACHMENT
    templates: Path | None = None
    resend_changed: bool = False
    cc: tuple[Address, ...] = ()  # the coach's copy, in the Cc header and the envelope
    bcc: tuple[Address, ...] = ()  # a blind copy: the envelope only, never a header
    test_to: Address | None = None  # --test-to: every message goes here instead, marked a test
    test_count: int | None = None  # --test-count: only the first N messages are tested

    def __repr__(self) -> str:  # never show the password
        return f"MailSettings(host={self.host!r}, port={self.port}, security={self.security!r})"

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"

    def journal_path(self) -> Path | None:
        """The send journal's file: --journal, else the sender's in the user's data folder."""
        if self.journal is not None:
            return self.journal
        if self.sender is None:
            return None
        from .journal import default_path

        return default_path(self.sender.addr_spec)


def load_config(path: Path) -> MailConfig:
    """The mail settings of a YAML config file, its keys those of the options (smtp-host, ...)."""
    import difflib

    from ..files.loading import convert, load_yaml

    doc = load_yaml(path, what="config file", max_bytes=100_000)
    keys = [f.encode_name for f in msgspec.structs.fields(MailConfig)]
    for key in doc.data:
        if key in ("password", "smtp-password", "smtp_password"):
            raise _at(doc.error(key, "a password is never read from a file", f"set ${PASSWORD_ENV}"))
        if key not in keys:
            close = difflib.get_close_matches(str(key), keys, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(keys)}"
            raise _at(doc.error(str(key), "unknown key", hint))
    try:
        return convert(doc, MailConfig)
    except BriefError as exc:
        raise _at(exc) from None


def _at(exc: BriefError) -> MailError:
    return MailError(exc.message, file=exc.file, field=exc.field, line=exc.line, hint=exc.hint)


def settings(given: dict[str, Any], config: MailConfig | None = None) -> MailSettings:
    """The mail settings from the options `given` (None where not given), then the config file,
    then the defaults; checked, so that a batch never starts with settings that cannot work."""
    config = config or MailConfig()

    def pick(option: str, key: str) -> Any:
        value = given.get(option)
        return value if value is not None else getattr(config, key)

    security = (pick("smtp_security", "smtp_security") or "starttls").lower()
    if security not in SECURITY:
        raise MailError(f"--smtp-security {security!r}: use one of {', '.join(SECURITY)}")
    port = pick("smtp_port", "smtp_port") or PORTS[security]
    if not 0 < int(port) < 65536:
        raise MailError(f"--smtp-port {port}: not a port number")
    host = (pick("smtp_host", "smtp_host") or "").strip() or None
    user = pick("smtp_user", "smtp_user") or None
    sender = pick("sender", "from_")
    if sender is None and user and "@" in user:
        sender = user
    auth = (pick("smtp_auth", "smtp_auth") or "password").lower()
    if auth not in AUTH:
        raise MailError(f"--smtp-auth {auth!r}: use one of {', '.join(AUTH)}")
    send = bool(given.get("send"))
    secret = os.environ.get(PASSWORD_ENV) or None
    if auth == "xoauth2":
        command = pick("smtp_token_command", "smtp_token_command")
        secret = access_token(command) if send and user else None
    journal = pick("journal", "journal")
    result = MailSettings(
        send=send,
        eml_dir=given.get("eml"),
        host=host,
        port=int(port),
        security=security,
        user=user,
        password=secret,
        auth=auth,
        journal=Path(journal) if journal else None,
        sender=address(sender, "--from") if sender else None,
        reply_to=address(pick("reply_to", "reply_to"), "--reply-to")
        if pick("reply_to", "reply_to")
        else None,
        rate=parse_rate(pick("rate", "rate")),
        max_attachment=parse_size(pick("max_attachment", "max_attachment")),
        templates=Path(pick("mail_templates", "mail_templates"))
        if pick("mail_templates", "mail_templates")
        else None,
        resend_changed=bool(given.get("resend_changed")),
        cc=_addresses(given.get("cc") or config.cc, "--cc"),
        bcc=_addresses(given.get("bcc") or config.bcc, "--bcc"),
        test_to=address(given["test_to"], "--test-to") if given.get("test_to") else None,
        test_count=_count(given.get("test_count")),
    )
    if result.test_count is not None and result.test_to is None:
        raise MailError("--test-count goes with --test-to ADDRESS")
    if result.send:
        _check_sending(result)
    return result


def _addresses(given: str | list[str] | tuple[str, ...] | None, what: str) -> tuple[Address, ...]:
    """Each address of --cc or --bcc (given more than once, or a list in the config file),
    checked as --reply-to is: one address each, on one line, so none can add a header."""
    if given is None:
        return ()
    values = [given] if isinstance(given, str) else list(given)
    return tuple(address(value, what) for value in values)


def _count(given: Any) -> int | None:
    if given is None:
        return None
    if int(given) < 1:
        raise MailError(f"--test-count {given}: give at least 1")
    return int(given)


def _check_sending(s: MailSettings) -> None:
    if not s.host:
        raise MailError("--send needs an SMTP server", hint="give --smtp-host, or smtp-host in --config")
    if s.sender is None:
        raise MailError("--send needs a sender address", hint="give --from, or from in --config")
    if s.auth == "xoauth2" and not s.user:
        raise MailError("--smtp-auth xoauth2 needs --smtp-user (the mailbox the token is for)")
    if s.user and not s.password:
        raise MailError(f"--smtp-user {s.user!r} needs a password", hint=f"set ${PASSWORD_ENV}")
    if s.user and s.security == "none" and not _loopback(s.host or ""):
        what = "the access token" if s.auth == "xoauth2" else "the password"
        raise MailError(
            f"{what} would cross the network unencrypted to {s.host}",
            hint="use --smtp-security starttls or tls",
        )


def access_token(command: str | None) -> str:
    """The OAuth2 access token: $MAKE_BRIEF_SMTP_TOKEN, else the stdout of `command` (run once,
    without a shell: `gcloud auth print-access-token`, `az account get-access-token ...`)."""
    import shlex
    import subprocess

    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return token
    if not command:
        raise MailError(
            "--smtp-auth xoauth2 needs an access token",
            hint=f"set ${TOKEN_ENV}, or give --smtp-token-command",
        )
    try:
        done = subprocess.run(shlex.split(command), capture_output=True, timeout=120, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise MailError(f"--smtp-token-command: cannot run {command!r}: {reason}") from None
    token = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not token or any(c.isspace() for c in token):
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = f": {said[-1][:160]}" if said else ""
        raise MailError(
            f"--smtp-token-command {command!r} gave no token (exit {done.returncode}){detail}",
            hint="it must print the access token alone on stdout",
        )
    return token


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_RATE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|m|min|minute|h|hour)\s*", re.I)
_PER = {"s": 1, "m": 60, "h": 3600}


def parse_rate(text: str | None) -> float | None:
    """'30/min' -> 0.5 messages a second; None for no limit."""
    if text is None or not str(text).strip():
        return None
    match = _RATE.fullmatch(str(text))
    if not match or float(match.group(1)) <= 0:
        raise MailError(f"--rate {text!r}: write a number of messages per s, min or h, such as 30/min")
    return float(match.group(1)) / _PER[match.group(2)[0].lower()]


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*", re.I)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


def parse_size(text: str | int | None) -> int:
    """'10MB' -> 10,000,000 bytes; the default budget when not given."""
    if text is None or not str(text).strip():
        return DEFAULT_MAX_ATTACHMENT
    match = _SIZE.fullmatch(str(text))
    if not match:
        raise MailError(f"--max-attachment {text!r}: write a size such as 10MB, 500KB or 2MiB")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "b").lower()])


def size_text(size: int) -> str:
    return f"{size / 10**6:.1f} MB" if size >= 10**6 else f"{size / 10**3:.0f} KB"


# --- addresses --------------------------------------------------------------------------------


def recipient_key(found: Address) -> str:
    """The journal's form of an address: the domain is case-insensitive, the local part not."""
    return f"{found.username}@{found.domain.lower()}"


# --- the message ------------------------------------------------------------------------------


class Letter(msgspec.Struct, frozen=True):
    """One brief to send: who gets it and what is attached. `file_name` is the attachment's
    name as the candidate reads it (attachment_name: their name in their own script), sent with
    RFC 2231 parameters; `ascii_name` (the file's name on disk) is the fallback for old clients."""

    to: Address
    pdf: bytes
    file_name: str
    sha256: str
    context: dict[str, Any]
    ascii_name: str = ""


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
MAX_ATTACHMENT_NAME = 120  # characters before ".pdf"


def attachment_name(candidate: str, role: str, company: str) -> str:
    """The brief's name as its candidate sees it in their inbox, in their own script:
    "سلمى يوسف – Staff Software Engineer, Lumen.pdf". Characters no file name can hold (a
    slash, a colon, control characters) become spaces."""
    what = ", ".join(part for part in (role.strip(), company.strip()) if part)
    text = f"{candidate.strip()} – {what}" if what else candidate.strip()
    text = " ".join(_UNSAFE.sub(" ", text).split()).strip(". ") or "brief"
    return f"{text[:MAX_ATTACHMENT_NAME].rstrip()}.pdf"


def _ascii_fallback(name: str) -> str:
    from anyascii import anyascii

    return " ".join(_UNSAFE.sub(" ", anyascii(name)).split()) or "brief.pdf"


class Wording:
    """The subject and body templates, rendered in Jinja's sandbox as plain text."""

    def __init__(self, folder: Path | None = None) -> None:
        from ..compose.sandbox import environment
        from ..files.resources import templates_dir

        if folder is not None and not folder.is_dir():
            raise MailError("no such folder", file=folder, hint="--mail-templates names a folder")
        folders = [f for f in (folder, templates_dir() / "email") if f is not None]
        self.env = environment(folders, plain_text=True)  # plain text: nothing is markup
        self.render(SAMPLE)  # a broken template stops the run before any brief is made

    def render(self, context: dict[str, Any]) -> tuple[str, str]:
        """(subject, body): the subject on one line, the body ending with one line break."""
        from ..compose.bounds import SUBJECT, TooLongError

        subject = " ".join(self._render("subject.j2", context).split())
        body = self._render("body.j2", context).strip("\n") + "\n"
        if not subject:
            raise MailError("the subject is empty", file="subject.j2")
        if len(subject) > SUBJECT:  # its template's output stops at BODY; on one line, this
            raise self._too_long("subject.j2", TooLongError(""))
        return subject, body

    def _render(self, name: str, context: dict[str, Any]) -> str:
        import jinja2

        from ..compose.bounds import BODY, TooLongError, render_within

        try:
            template = self.env.get_template(name)
            return render_within(template, context, BODY)
        except TooLongError as exc:
            raise self._too_long(name, exc) from None
        except jinja2.TemplateSyntaxError as exc:
            raise MailError(exc.message or "syntax error", file=exc.filename, line=exc.lineno) from None
        except jinja2.TemplateNotFound:
            raise MailError(f"no e-mail template {name!r}") from None
        except jinja2.TemplateError as exc:  # undefined values, the sandbox's refusals
            raise MailError(str(exc.message if hasattr(exc, "message") else exc), file=name) from None

    def _too_long(self, name: str, exc: Any) -> MailError:
        """The line of a subject or body template that renders more than its limit."""
        from ..compose.bounds import BODY, SUBJECT, too_long
        from ..compose.sandbox import raised_at

        file, line = raised_at(exc)
        source = file or self.env.get_template(name).filename or name
        if name == "subject.j2":
            message = too_long("the subject", SUBJECT, "a subject: one line, as RFC 5322 allows", exc)
        else:
            message = too_long("the body", BODY, "an e-mail's text", exc)
        return MailError(message, file=source, line=line)


SAMPLE = {
    "candidate": {"name": "Jane Doe", "preferred_name": "Jane", "email": "jane@example.com"},
    "role": "Engineering Manager",
    "company": "Segment",
    "region": "San Francisco",
    "guide": "segment-engineering-manager",
    "file": "Jane Doe – Engineering Manager, Segment.pdf",
    "locked": False,
    "pages": 4,
    "sender": {"name": "", "email": ""},
}


def context(built: Any, file_name: str, sender: Address | None) -> dict[str, Any]:
    """What the e-mail templates may use, all plain values."""
    return {
        "candidate": {
            "name": built.candidate,
            "preferred_name": getattr(built, "preferred_name", "") or built.candidate,
            "email": built.email or "",
        },
        "locked": bool(getattr(built, "locked", False)),
        "role": built.role,
        "company": built.company,
        "region": built.region,
        "guide": built.guide,
        "file": file_name,
        "pages": built.pages,
        "sender": {
            "name": sender.display_name if sender else "",
            "email": sender.addr_spec if sender else "",
        },
    }


def message(
    letter: Letter, subject: str, body: str, settings: MailSettings, *, draft: bool = False
) -> EmailMessage:
    """The message for `letter`. A draft (an .eml file) is dated by SOURCE_DATE_EPOCH when set
    and marked unsent, so that mail clients open it ready to send; the same inputs give the
    same bytes (the Message-ID and MIME boundary come from the brief and the recipient)."""
    from email import policy
    from email.utils import formatdate

    from ..files.clock import source_epoch

    tested = f"\ntest {recipient_key(settings.test_to)}" if settings.test_to is not None else ""
    digest = hashlib.sha256(f"{letter.sha256}\n{recipient_key(letter.to)}{tested}".encode()).hexdigest()
    domain = settings.sender.domain if settings.sender else "make-brief.invalid"
    # Lines up to RFC 5322's limit of 998: a subject whose first word is long is never folded
    # straight after "Subject:" (which some readers show with a leading space)
    msg = EmailMessage(policy=policy.SMTP.clone(max_line_length=MAX_LINE))
    if settings.sender is not None:
        msg["From"] = settings.sender
    test = settings.test_to is not None
    msg["To"] = settings.test_to if settings.test_to is not None else letter.to
    if settings.cc and not test:  # a test goes to the tester alone
        msg["Cc"] = settings.cc
    if settings.reply_to is not None:
        msg["Reply-To"] = settings.reply_to
    msg["Subject"] = f"[TEST] {subject}" if test else subject
    msg["Date"] = formatdate(source_epoch() if draft else None, usegmt=True)
    msg["Message-ID"] = f"<brief.{digest[:32]}@{domain}>"
    if draft:
        msg["X-Unsent"] = "1"
    if test:
        body = f"[A test: this message goes to {letter.to} when sent for real.]\n\n{body}"
    msg.set_content(body)
    msg.add_attachment(letter.pdf, maintype="application", subtype="pdf", filename=letter.file_name)
    # the name as its reader wrote it in filename* (RFC 2231, when not ASCII), and an ASCII name
    # (the file's on disk) as Content-Type's name= for clients that read no RFC 2231
    (part,) = msg.iter_attachments()
    plain = letter.ascii_name if letter.ascii_name.isascii() else ""
    part.set_param("name", plain or _ascii_fallback(letter.file_name))
    msg.set_boundary(f"==brief-{digest[32:56]}==")
    return msg

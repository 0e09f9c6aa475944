"""The SMTP transport: one connection per run, secured and signed in (password or OAuth2's
XOAUTH2), that tells a message the server refused (nothing went) from one whose connection was
lost after it was handed over (it may have arrived)."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.policy import EmailPolicy

from ..errors import RefusedError, ServerError, UnconfirmedError
from .mail import MailError, MailSettings

TIMEOUT = 60


class Smtp:
    """One SMTP connection, opened when the first message goes, and reopened when the server
    closed it while idle."""

    def __init__(self, settings: MailSettings) -> None:
        self.s = settings
        self.conn: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage, sender: str, recipient: str, copies: tuple[str, ...] = ()) -> None:
        """Send `msg`; connect first with `ready()` so that only the message itself is at stake.

        The envelope (MAIL, RCPT) and the message (DATA) are separate steps: a failure before
        DATA means nothing went (ServerError, RefusedError); a connection lost during or
        after DATA means the server may have stored it (UnconfirmedError)."""
        conn = self.conn or self.ready()
        international = not (sender + recipient + "".join(copies)).isascii()
        options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
        reply: bytes | str  # bytes from the server, or str in some of smtplib's errors
        try:
            conn.ehlo_or_helo_if_needed()
            if international and not conn.has_extn("smtputf8"):
                raise RefusedError(f"{self.s.host} cannot take international addresses (no SMTPUTF8)")
            code, reply = conn.mail(sender, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            for to in (recipient, *copies):  # the copies (--cc, --bcc) in the envelope alone
                code, reply = conn.rcpt(to)
                if code not in (250, 251):
                    conn.rset()
                    raise RefusedError(
                        _reply(code, reply) + ("" if to == recipient else f" (the copy to {to})")
                    )
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise ServerError(_reply(exc.smtp_code, exc.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, timed out
            self._drop()
            raise ServerError(_reason(exc)) from None
        if international:
            assert isinstance(msg.policy, EmailPolicy)  # mail.message makes it with SMTP's policy
            data = msg.as_bytes(policy=msg.policy.clone(utf8=True))
        else:
            data = msg.as_bytes()
        try:
            code, reply = conn.data(data)
        except smtplib.SMTPDataError as exc:  # DATA itself refused: nothing was handed over
            code, reply = exc.smtp_code, exc.smtp_error
        except (smtplib.SMTPException, OSError) as exc:  # cut off with no answer: it may be stored
            self._drop()
            raise UnconfirmedError(_reason(exc)) from None
        if code == 421:
            self._drop()
            raise ServerError(_reply(code, reply))
        if code != 250:  # the server answered: it did not take the message
            conn.rset()
            raise RefusedError(_reply(code, reply))

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
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, (smtplib.SMTPException, OSError)):
                raise ServerError(f"cannot connect to {host}:{s.port}: {_reason(exc)}") from None
            raise
        if s.user:
            self._login(conn)
        return conn

    def _login(self, conn: smtplib.SMTP) -> None:
        """Log in (connected already: a failure here is about the login, not the connection)."""
        s, host = self.s, self.s.host
        try:
            login(conn, s)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, smtplib.SMTPAuthenticationError):
                reply = _reply(exc.smtp_code, exc.smtp_error)
                raise ServerError(f"{host} refused the login of {s.user!r}: {reply}") from None
            if isinstance(exc, smtplib.SMTPNotSupportedError):
                raise ServerError(
                    f"{host} does not offer a login ({s.auth} sign-in) on this connection",
                ) from None
            if isinstance(exc, smtplib.SMTPException) and "AUTH" in str(exc):
                raise ServerError(f"{host}:{s.port} offers no {s.auth} sign-in: {_reason(exc)}") from None
            if isinstance(exc, (smtplib.SMTPException, OSError)):
                raise ServerError(f"{host}:{s.port} failed during the login: {_reason(exc)}") from None
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


def check_sign_in(s: MailSettings) -> None:
    """With --send and an OAuth2 token, sign in once and hang up before any brief is made: a
    token the server refuses (expired, wrong scope) is one line, with nothing written, sent or
    journalled, rather than a failure found after the whole batch was rendered."""
    if not (s.send and s.auth == "xoauth2"):
        return
    smtp = Smtp(s)
    try:
        smtp.ready()
    except ServerError as exc:
        raise MailError(str(exc)) from None
    finally:
        smtp.close()


def login(conn: smtplib.SMTP, s: MailSettings) -> None:
    """Sign in with a password, or with an OAuth2 access token (XOAUTH2)."""
    if s.auth == "xoauth2":
        token = s.password or ""
        text = f"user={s.user}\x01auth=Bearer {token}\x01\x01"
        conn.ehlo_or_helo_if_needed()
        if not conn.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
        conn.auth(
            "XOAUTH2", lambda challenge=None: text if challenge is None else "", initial_response_ok=True
        )
        return
    conn.login(s.user or "", s.password or "")


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__

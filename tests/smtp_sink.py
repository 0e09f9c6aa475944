"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, for the mail tests."""

from __future__ import annotations

import asyncio
import base64
import socket
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes = b""

    @property
    def attachments(self) -> list[tuple[str, str, bytes]]:
        """(file name, content type, bytes) of each attachment."""
        return [
            (part.get_filename(), part.get_content_type(), part.get_content())
            for part in self.message.iter_attachments()
        ]

    @property
    def plain_names(self) -> list[str]:
        """The ASCII name (Content-Type's name=) of each attachment: the file's name on disk."""
        return [str(part.get_param("name")) for part in self.message.iter_attachments()]


class Sink:
    """The server's handler: accepts messages, or refuses them once `fail_after` have come."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.fail_after: int | None = None
        self.failure = "421 4.3.2 Service shutting down"
        self.logins: list[tuple[bytes, bytes]] = []
        self.cut_after_storing: int | None = None  # hang up unanswered once this many are stored
        self.turns: Turns | None = None  # set after start: connections made to interleave
        self.drop_unstored = 0  # hang up on this many messages without storing them
        self.delay = 0.0  # seconds to wait before answering each message (a slow server)
        self.stall: float | None = None  # after storing the next message, wait this long unanswered

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.fail_after is not None and len(self.received) >= self.fail_after:
            return self.failure
        if self.drop_unstored:
            self.drop_unstored -= 1
            server.transport.close()  # never stored: the client cannot tell
            return "451 4.3.0 gone"
        raw = envelope.original_content or envelope.content
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, raw))
        if self.cut_after_storing is not None and len(self.received) >= self.cut_after_storing:
            server.transport.close()  # stored, but the client never hears so
            return "250 2.0.0 OK"
        if self.stall is not None:
            stall, self.stall = self.stall, None
            await asyncio.sleep(stall)  # stored; the client waits for the answer (and is killed)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login, auth_data.password))
            return AuthResult(success=auth_data.password == b"s3cret pass", handled=False)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Turns:
    """Two runs' connections, interleaved at the worst moment for exactly-once: the first to
    connect is not greeted until the second has connected too (so both runs have looked in the
    journal and found nothing); the second is not greeted until the first has hung up (its
    message sent and journalled). Each wait is bounded, so a run that never comes cannot hang
    the test: the other then goes on."""

    LIMIT = 120.0

    def __init__(self) -> None:
        self.arrived = 0
        self.both = asyncio.Event()
        self.first_gone = asyncio.Event()

    async def enter(self) -> int:
        self.arrived += 1
        turn = self.arrived
        if turn == 2:
            self.both.set()
        waits = {1: self.both, 2: self.first_gone}
        if turn in waits:
            try:
                await asyncio.wait_for(waits[turn].wait(), self.LIMIT)
            except asyncio.TimeoutError:
                pass
        return turn

    def left(self, turn: int) -> None:
        if turn == 1:
            self.first_gone.set()


class TurnsSmtp(SMTP):
    turn = 0

    async def _handle_client(self) -> None:  # before the greeting
        if self.event_handler.turns is not None:
            self.turn = await self.event_handler.turns.enter()
        await super()._handle_client()

    def connection_lost(self, error: Exception | None) -> None:
        if self.event_handler.turns is not None:
            self.event_handler.turns.left(self.turn)
        super().connection_lost(error)


class TurnsController(Controller):
    def factory(self) -> SMTP:
        return TurnsSmtp(self.handler, **self.SMTP_kwargs)


class SmtpServer:
    """`with SmtpServer() as server:` a server on 127.0.0.1:server.port; server.sink holds the mail."""

    def __init__(self, *, auth: bool = False) -> None:
        self.sink = Sink()
        self.port = free_port()
        extra = {"authenticator": self.sink.authenticate, "auth_require_tls": False} if auth else {}
        self.controller = TurnsController(self.sink, hostname="127.0.0.1", port=self.port, **extra)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()

    @property
    def options(self) -> list[str]:
        return ["--smtp-host", "127.0.0.1", "--smtp-port", str(self.port), "--smtp-security", "none"]


class XoauthSmtp(SMTP):
    """An SMTP server that signs in with XOAUTH2 only (as Gmail and Microsoft 365 do for apps
    that may not use a password): the token must be `token`."""

    token = "ya29.good-token"

    async def auth_XOAUTH2(self, _, args: list[str]) -> AuthResult:  # noqa: N802 (aiosmtpd's name)
        if len(args) < 2:
            return AuthResult(success=False, handled=False)
        said = base64.b64decode(args[1]).decode()
        fields = dict(part.split("=", 1) for part in said.split("\x01") if "=" in part)
        self.event_handler.logins.append((fields.get("user", "").encode(), fields.get("auth", "").encode()))
        if fields.get("auth") == f"Bearer {self.token}":
            return AuthResult(success=True, auth_data=fields.get("user"))
        error = base64.b64encode(b'{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}')
        await self.challenge_auth(error, encode_to_b64=False)  # the client answers with nothing
        return AuthResult(success=False, handled=False)  # then 535


class XoauthController(Controller):
    def factory(self) -> SMTP:
        return XoauthSmtp(self.handler, auth_require_tls=False, auth_exclude_mechanism=["PLAIN", "LOGIN"])


class XoauthServer(SmtpServer):
    """`with XoauthServer() as server:` accepts only XOAUTH2 sign-ins."""

    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = XoauthController(self.sink, hostname="127.0.0.1", port=self.port)

"""What every request to the web app passes first: the token, and the size of what it sends.

An ASGI middleware: a request carries the server's secret token, in the address it was given
(``?token=...``, as Jupyter prints it; the answer then sets it as a cookie, HttpOnly and
SameSite=Strict, named by the server's port, for the pages it leads to) or in that cookie;
any other request is refused (403). A body over the upload limit is refused (413) by its
Content-Length, or, when it has none, as soon as more has come than the limit allows. Forms
are checked against cross-site requests by their CSRF field (`check_csrf`), once parsed.
"""

from __future__ import annotations

import hmac
import html
import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

LOG = logging.getLogger("make_brief.web")
COOKIE = "make_brief_token"
REFUSED = "refused: open the address make-brief serve printed, with its token"


def same(given: str | None, secret: str) -> bool:
    """Whether `given` is `secret`, compared in constant time."""
    return given is not None and hmac.compare_digest(given.encode(), secret.encode())


class Guard:
    """The token and the upload limit, around the app."""

    def __init__(self, app: App, token: str, max_bytes: int) -> None:
        self.app, self.token, self.max_bytes = app, token, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = same((query.get("token") or [None])[0], self.token)
        if not (from_query or same(_cookie(scope, cookie_name(scope)), self.token)):
            await _answer(send, 403, REFUSED)
            return
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _answer(send, 413, self.too_big())
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        answer = self._with_cookie(sending, cookie_name(scope)) if from_query else sending
        try:
            await self.app(scope, self._counted(receive), answer)
        except Exception as exc:  # a bug of ours: one line; the traceback only with MAKE_BRIEF_DEBUG=1
            LOG.error(
                "%s %s: %s: %s",
                scope.get("method"),
                scope.get("path"),
                type(exc).__name__,
                exc,
                exc_info=bool(os.environ.get("MAKE_BRIEF_DEBUG")),
            )
            if not started:
                await _answer(send, 500, html.escape(internal(exc)))

    def too_big(self) -> str:
        limit = f"{self.max_bytes / 1_000_000:g}"
        return f"refused: the upload is over the limit of {limit} MB (make-brief serve --max-upload)"

    def _counted(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise HTTPException(413, self.too_big())
            return message

        return counted

    def _with_cookie(self, send: Send, name: str) -> Send:
        cookie = f"{name}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        return sending


def check_csrf(form: Any, secret: str) -> None:
    """Refuse a form without the page's CSRF field (a form sent from another site)."""
    given = form.get("csrf")
    if not isinstance(given, str) or not same(given, secret):
        raise HTTPException(
            403, "refused: the form is not from this page (reload the page and send it again)"
        )


def internal(exc: BaseException) -> str:
    """The one line of a bug of ours."""
    return f"internal error: {type(exc).__name__}: {exc} (set MAKE_BRIEF_DEBUG=1 for the traceback)"


def cookie_name(scope: Scope) -> str:
    """The token's cookie, named by the server's port: browsers share a host's cookies across
    its ports, and two servers on one machine each keep their own token."""
    server = scope.get("server") or ("", 0)
    return f"{COOKIE}_{server[1] or 0}"


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if raw is None:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header: no token
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _answer(send: Send, status: int, line: str) -> None:
    head = '<!doctype html><html lang="en"><title>make-brief</title><h1>make-brief</h1>'
    body = f'{head}<p role="alert">{line}</p></html>'.encode()
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

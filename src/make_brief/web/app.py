"""The web app of `make-brief serve`: Starlette routes over make-brief's public API.

Starlette (ASGI) for the routes, uploads (python-multipart) and streamed progress; the pages
are Jinja2 templates (web/templates) and every asset is served from web/static: nothing comes
from the internet. `create(settings)` gives the app (wrapped in web/guard.py's token and size
check) and its State; the private folder is made when the app starts and removed when it stops.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import many, single
from .guard import Guard, internal
from .pages import HERE, problem
from .state import ServeSettings, State


def create(settings: ServeSettings) -> tuple[Guard, State]:
    """The app (behind its guard) and its state."""
    state = State(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.open()
        try:
            yield
        finally:
            state.close()

    routes = [
        Route("/", single.form_page),
        Route("/brief", single.make, methods=["POST"]),
        Route("/brief/load", single.load, methods=["POST"]),
        Route("/brief/save", single.save, methods=["POST"]),
        Route("/brief/{ident:str}.pdf", single.pdf),
        Route("/batch", many.batch_page),
        Route("/batch", many.start, methods=["POST"]),
        Route("/batch/{ident:str}", many.job_page),
        Route("/batch/{ident:str}/events", many.events),
        Route("/batch/{ident:str}/briefs.zip", many.archive),
        Route("/batch/{ident:str}/passwords.csv", many.passwords),
        Route("/batch/{ident:str}/{kind:str}/{name:str}", many.draft),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=HANDLERS)
    app.state.serve = state
    return Guard(app, state.token, settings.max_upload), state


async def _refused(request: Request, exc: Exception) -> Response:
    """A request refused (HTTPException): its one line on the page."""
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    return problem(request, str(getattr(exc, "detail", exc)), status)


async def _failed(request: Request, exc: Exception) -> Response:
    """A bug of ours: one line on the page (web/guard.py logs it, with the traceback when
    MAKE_BRIEF_DEBUG=1)."""
    return problem(request, internal(exc), 500)


HANDLERS = {HTTPException: _refused, Exception: _failed}

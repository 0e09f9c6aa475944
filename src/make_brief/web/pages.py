"""The app's pages: Jinja2 templates in web/templates, every text escaped (autoescape)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

HERE = Path(__file__).parent
_ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page `name` with `context`, and the app's CSRF field for its forms."""
    state = request.app.state.serve
    html = _ENV.get_template(name).render(csrf=state.csrf, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def problem(request: Request, line: str, status: int) -> HTMLResponse:
    """A page that says one line: what went wrong and what to do."""
    return page(request, "problem.html", status=status, line=line, title="make-brief: a problem")

"""Reading a posted form: within the upload limits, and only with the page's CSRF field."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

import make_brief as api

from .guard import check_csrf

MAX_FIELDS = 2000


async def parsed(request: Request, files: int = 0) -> Any:
    """The form of `request` (at most `files` files, none over the upload limit), checked."""
    state = request.app.state.serve
    limit = state.settings.max_upload
    # over a limit: HTTPException(400) from starlette, with its one line
    form = await request.form(max_files=files, max_fields=MAX_FIELDS, max_part_size=limit)
    check_csrf(form, state.csrf)
    return form


def template_choices(state: Any) -> list[tuple[str, str]]:
    """The templates a brief may be made with: (value, label), bundled ones and --templates."""
    bundled = [(name, f"{name}: {about}") for name, about in api.list_templates()]
    own = [(str(folder), f"{folder.name} (your folder {folder})") for folder in state.settings.templates]
    return bundled + own


def chosen_template(state: Any, value: str) -> str | None:
    """The template named by a form's `value`, when it is one of the choices (else refused)."""
    if not value:
        return None
    if value not in {v for v, _ in template_choices(state)}:
        raise HTTPException(400, f"refused: no template {value!r} (choose one of the list)")
    return value

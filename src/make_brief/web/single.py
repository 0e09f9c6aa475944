"""One brief from the form: the offer's fields (from its schema, by the CSV's dotted names),
the brief made through the public API and shown in the page, an offer file loaded into the form
and the form saved as an offer file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

import make_brief as api

from .forms import chosen_template, parsed, template_choices
from .pages import page
from .state import keep

PAGE_SIZES = ("", "A4", "Letter")
EXAMPLE_GUIDE = "segment-engineering-manager"  # the bundled example's: the form's first choice


def _guide(state: Any, wanted: str | None) -> tuple[list[Any], Any]:
    guides = api.list_guides(state.settings.guide_dirs)
    usable = [g for g in guides if g.error is None]
    chosen = next((g for g in usable if g.id == wanted), None)
    if chosen is None and wanted is None:
        chosen = next((g for g in usable if g.id == EXAMPLE_GUIDE), usable[0] if usable else None)
    return guides, chosen


def _search(guides: list[Any], query: str) -> list[Any]:
    words = query.lower().split()
    return [g for g in guides if all(w in f"{g.id} {g.company} {g.role} {g.title}".lower() for w in words)]


def _show(request: Request, values: dict[str, str], status: int = 200, **extra: Any) -> Response:
    state = request.app.state.serve
    query = request.query_params.get("q", "")
    guides, chosen = _guide(state, values.get("guide") or request.query_params.get("guide"))
    fields = api.offer_fields(chosen.id if chosen else None, state.settings.guide_dirs)
    if chosen is not None:
        values.setdefault("guide", chosen.id)
    known = {f.name for f in fields}
    others = {name: text for name, text in values.items() if name not in known}
    groups: dict[str, list[Any]] = {}
    opened = {"candidate", "offer", "offer file"}
    for field in fields:
        groups.setdefault(field.group, []).append(field)
        if values.get(field.name) or field.name in extra.get("errors", {}):
            opened.add(field.group)
    return page(
        request,
        "brief.html",
        status=status,
        title="make-brief: one brief",
        guides=_search(guides, query),
        query=query,
        chosen=chosen,
        groups=groups,
        opened=opened,
        values=values,
        others=others,
        templates=template_choices(state),
        page_sizes=PAGE_SIZES,
        **extra,
    )


async def form_page(request: Request) -> Response:
    """The form, filled with the sample offer (``make-brief init``) for the guide chosen."""
    state = request.app.state.serve
    try:
        values = api.sample_values(request.query_params.get("guide"), state.settings.guide_dirs)
    except api.BriefError:  # an unknown guide: the form without it
        values = {}
    return _show(request, values)


async def load(request: Request) -> Response:
    """An uploaded offer file, in the form."""
    state = request.app.state.serve
    form = await parsed(request, files=1)
    try:
        upload = form.get("offer_file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            return _show(request, {}, 400, top="choose an offer file to load")
        ident, folder = state.new_folder("forms")
        path = folder / "offer.yaml"
        keep(path, await upload.read())
    finally:
        await form.close()
    try:
        values = api.offer_values(path)
    except api.BriefError as exc:
        return _show(request, {}, 400, top=_words(exc, upload.filename))
    return _show(request, values)


async def save(request: Request) -> Response:
    """The form as an offer file, to download."""
    values, _ = _values(await parsed(request))
    try:
        text = api.offer_yaml(values)
    except api.BriefError as exc:
        return _show(request, values, 400, errors=_errors(exc, values))
    headers = {"content-disposition": 'attachment; filename="offer.yaml"'}
    return Response(text, media_type="application/yaml; charset=utf-8", headers=headers)


async def make(request: Request) -> Response:
    """The brief of the form's offer, shown in the page; a bad value next to its field."""
    state = request.app.state.serve
    values, look = _values(await parsed(request))
    ident, folder = state.new_folder("forms")
    try:
        keep(folder / "offer.yaml", api.offer_yaml(values).encode("utf-8"))
        outcome = await run_in_threadpool(_build, state, folder, look)
    except api.BriefError as exc:
        return _show(request, values, 400, errors=_errors(exc, values))
    state.briefs[ident] = folder / "brief.pdf"
    return _show(request, values, brief=ident, pages=outcome.pages, warnings=outcome.warnings)


def _build(state: Any, folder: Path, look: dict[str, str]) -> Any:
    with state.lock:  # the renderer's settings are the process's: one brief at a time
        return api.make_brief(
            folder / "offer.yaml",
            folder / "brief.pdf",
            template=chosen_template(state, look.get("template", "")),
            page_size=look.get("page_size") or None,
            guide_dirs=state.settings.guide_dirs,
        )


async def pdf(request: Request) -> Response:
    """A brief made from the form, inline, or as a download (?download=1)."""
    path = request.app.state.serve.briefs.get(request.path_params["ident"])
    if path is None or not path.is_file():
        raise HTTPException(404, "no such brief: make it again from the form")
    inline = "attachment" if request.query_params.get("download") else "inline"
    headers = {"content-disposition": f'{inline}; filename="brief.pdf"'}
    return FileResponse(path, media_type="application/pdf", headers=headers)


LOOK = ("template", "page_size")


def _values(form: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The offer's values (every field named by a dotted name or an offer key) and the look."""
    values: dict[str, str] = {}
    look: dict[str, str] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str) or name in ("csrf", "q"):
            continue
        (look if name in LOOK else values)[name] = value
    return values, look


def _errors(exc: Any, values: dict[str, str]) -> dict[str, str]:
    """The error's line by the field it is about ("" when it names none the form has)."""
    field = exc.field or ""
    while field and field not in values and "." in field:
        field = field.rpartition(".")[0]
    return {field if field in values else "": _words(exc)}


def _words(exc: Any, file: str | None = None) -> str:
    """The command line's words for `exc`, without the private folder's path."""
    if exc.file is not None and Path(exc.file).name == "offer.yaml" or file:
        return str(api.BriefError(exc.message, file=file, field=exc.field, line=exc.line, hint=exc.hint))
    return str(exc)

"""Many briefs from the page: uploaded CSV tables or offer files (and appendix PDFs) made into
briefs by the public API's batch (make_brief.make_briefs) in a thread of the server, its typed
progress events kept for the page and streamed to it (server-sent events, msgspec JSON); the
manifest as a table, and everything in one zip (the passwords apart when locked)."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import threading
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse

import make_brief as api

from .forms import chosen_template, parsed, template_choices
from .guard import internal
from .pages import page
from .state import keep, upload_name

LOG = logging.getLogger("make_brief.web")
INPUTS = {".csv": "table", ".yaml": "offer", ".yml": "offer", ".pdf": "appendix"}
ZIP_DAY = (1980, 1, 1, 0, 0, 0)  # every entry's date: the same zip for the same briefs
MAIL_CHOICES = ("none", "preview", "send")


class Job:
    """One batch made from the page: its folders, its events as they come, its record."""

    def __init__(self, ident: str, folder: Path, inputs: list[Path], options: Any, mail: Any) -> None:
        self.ident, self.folder, self.inputs, self.options, self.mail = ident, folder, inputs, options, mail
        self.total = api.count_items(inputs)
        self.events: list[Any] = []
        self.run: Any = None
        self.error: str | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._work, name=f"batch-{ident}", daemon=True)

    @property
    def out(self) -> Path:
        return self.folder / "briefs"

    def start(self) -> None:
        self.thread.start()

    def wait(self) -> None:
        if self.thread.is_alive():
            self.thread.join()

    def _work(self) -> None:
        try:
            self.run = api.make_briefs(
                self.inputs, self.out, self.options, mail=self.mail, progress=self.events.append
            )
        except api.BriefError as exc:
            self.error = str(exc)
        except Exception as exc:  # a bug of ours: one line on the page, the traceback in the log
            self.error = internal(exc)
            LOG.error("batch %s failed", self.ident, exc_info=bool(os.environ.get("MAKE_BRIEF_DEBUG")))
        finally:
            self.done.set()

    def tidy(self, text: str) -> str:
        """`text` without the private folder's paths: "candidates.csv:row 3", "briefs/x.pdf"."""
        return text.replace(f"{self.folder / 'in'}{os.sep}", "").replace(f"{self.folder}{os.sep}", "")

    def shown(self, event: Any) -> dict[str, Any]:
        """`event` as plain data (its "event" tag too), its paths tidied."""
        data = msgspec.to_builtins(event)
        return {k: self.tidy(v) if isinstance(v, str) else v for k, v in data.items()}

    def counts(self) -> tuple[int, int]:
        """(briefs made, briefs failed) so far."""
        made = sum(isinstance(e, api.BriefMade) for e in self.events)
        return made, sum(isinstance(e, api.BriefFailed) for e in self.events)

    def manifest(self) -> list[list[str]]:
        """The manifest's rows (its header first), once it is written."""
        path = self.run.manifest if self.run is not None else None
        if path is None or not Path(path).is_file():
            return []
        with open(path, encoding="utf-8", newline="") as handle:
            return [[self.tidy(cell) for cell in row] for row in csv.reader(handle)]

    def drafts(self) -> list[str]:
        """The counter drafts and mail previews (.eml) written, as "counter/x.eml", "mail/y.eml"."""
        return [
            f"{kind}/{p.name}"
            for kind in ("counter", "mail")
            if (self.folder / kind).is_dir()
            for p in sorted((self.folder / kind).glob("*.eml"))
        ]


async def batch_page(request: Request) -> Response:
    state = request.app.state.serve
    mail = state.settings.mail_config is not None
    return page(
        request,
        "batch.html",
        title="make-brief: many briefs",
        templates=template_choices(state),
        can_send=mail,
    )


async def start(request: Request) -> Response:
    """Start a batch of the uploaded files; its page follows its progress."""
    state = request.app.state.serve
    form = await parsed(request, files=state.settings.max_files)
    ident, folder = state.new_folder("jobs")
    try:
        inputs = await _keep(form.getlist("files"), folder / "in")
    finally:
        await form.close()
    options = api.BatchOptions(
        template=chosen_template(state, str(form.get("template") or "")),
        page_size=str(form.get("page_size") or "") or None,
        lock=form.get("lock") == "on",
        counter=folder / "counter" if form.get("counter") == "on" else None,
        guide_dirs=state.settings.guide_dirs,
        jobs=state.settings.jobs,
    )
    try:
        job = Job(ident, folder, inputs, options, _mail(state, str(form.get("mail") or "none"), folder))
    except api.BriefError as exc:
        raise HTTPException(400, str(exc)) from None
    state.jobs[ident] = job
    job.start()
    return RedirectResponse(f"/batch/{ident}", status_code=303)


async def _keep(uploads: list[Any], folder: Path) -> list[Path]:
    """The uploaded files, kept in `folder` under names of our own; the inputs among them."""
    folder.mkdir(mode=0o700)
    inputs, names = [], set()
    for number, upload in enumerate(u for u in uploads if not isinstance(u, str) and u.filename):
        suffix = Path(upload.filename.lower()).suffix
        if suffix not in INPUTS:
            raise HTTPException(
                400, f"refused: {upload.filename}: give CSV tables, offer files (.yaml) or PDFs"
            )
        name = upload_name(upload.filename, number + 1, suffix)
        if name in names:
            raise HTTPException(400, f"refused: two files are named {name}: rename one")
        names.add(name)
        keep(folder / name, await upload.read())
        if INPUTS[suffix] != "appendix":
            inputs.append(folder / name)
    if not inputs:
        raise HTTPException(400, "refused: no CSV table or offer file (.yaml) was uploaded")
    return inputs


def _mail(state: Any, choice: str, folder: Path) -> Any:
    """The mail settings of the batch: none; a preview (.eml files, nothing sent); or sending,
    with --mail-config's settings and the command line's journal."""
    if choice not in MAIL_CHOICES or choice == "none":
        return None
    config = api.load_mail_config(state.settings.mail_config) if state.settings.mail_config else None
    if choice == "send":
        if config is None:
            raise HTTPException(400, "refused: sending needs make-brief serve --mail-config mail.yaml")
        return api.mail_settings({"send": True}, config)
    return api.mail_settings({"eml": folder / "mail"}, config)


def _job(request: Request) -> Job:
    job = request.app.state.serve.jobs.get(request.path_params["ident"])
    if job is None:
        raise HTTPException(404, "no such batch: start it again from the page")
    return job


async def job_page(request: Request) -> Response:
    job = _job(request)
    made, failed = job.counts()
    rows = job.manifest()
    return page(
        request,
        "job.html",
        title="make-brief: a batch",
        job=job,
        made=made,
        failed=failed,
        events=[_row(job.shown(e)) for e in job.events],
        failures=[job.tidy(line) for line in job.run.failure_lines()] if job.run else [],
        mail=_mail_lines(job),
        manifest=rows,
        drafts=job.drafts(),
        locked=job.options.lock,
    )


def _mail_lines(job: Job) -> list[str]:
    """What the mail stage says at the end, as the command line prints it: each message another
    run is sending, each held one, its problems and its summary."""
    postman = job.run.postman if job.run is not None else None
    if postman is None:
        return []
    lines = [f"in flight: {line}" for line in postman.flying] + [f"held: {line}" for line in postman.held]
    lines += [f"error: {line}" for line in postman.problems] + [f"note: {line}" for line in postman.notes]
    return [job.tidy(line) for line in lines + postman.summary()]


def _row(event: dict[str, Any]) -> tuple[str, str, str]:
    """An event (as plain data) as the page lists it: (input, what happened, detail)."""
    detail = event.get("error") or event.get("reason") or event.get("text") or ""
    if event["event"] == "brief made":
        detail = f"{event['path']}, {event['pages']} pages"
    return event.get("label", ""), event["event"], detail


async def events(request: Request) -> Response:
    """The batch's events as they come (text/event-stream), then "done"."""
    job = _job(request)

    async def stream() -> AsyncIterator[bytes]:
        sent = 0
        while True:
            finished = job.done.is_set()
            while sent < len(job.events):
                yield b"data: " + msgspec.json.encode(job.shown(job.events[sent])) + b"\n\n"
                sent += 1
            if finished:
                yield b"event: done\ndata: {}\n\n"
                return
            await asyncio.sleep(0.2)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-store"})


async def archive(request: Request) -> Response:
    """The briefs, the manifest, counter drafts and mail previews as one zip (no passwords)."""
    job = _job(request)
    if not job.done.is_set():
        raise HTTPException(409, "the batch is still running: download it when it is done")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for path in _files(job):
            entry = zipfile.ZipInfo(path.relative_to(job.folder).as_posix(), ZIP_DAY)
            entry.compress_type = zipfile.ZIP_STORED if path.suffix == ".pdf" else zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            if path.name == "manifest.csv":  # its paths as the zip holds them
                data = job.tidy(data.decode("utf-8")).encode("utf-8")
            zipped.writestr(entry, data)
    headers = {"content-disposition": 'attachment; filename="briefs.zip"'}
    return Response(buffer.getvalue(), media_type="application/zip", headers=headers)


def _files(job: Job) -> list[Path]:
    found = []
    for kind in ("briefs", "counter", "mail"):
        folder = job.folder / kind
        if folder.is_dir():
            found += [p for p in sorted(folder.iterdir()) if p.is_file() and p.name != "passwords.csv"]
    return [p for p in found if not p.name.startswith(".")]


async def passwords(request: Request) -> Response:
    """The locked briefs' passwords.csv, apart from the zip."""
    path = _job(request).out / "passwords.csv"
    if not path.is_file():
        raise HTTPException(404, "no passwords: the batch was not locked")
    return FileResponse(path, media_type="text/csv", filename="passwords.csv")


async def draft(request: Request) -> Response:
    """A counter draft or a mail preview as it will be sent (the .eml's text)."""
    job = _job(request)
    name = f"{request.path_params['kind']}/{request.path_params['name']}"
    if name not in job.drafts():
        raise HTTPException(404, "no such message")
    return PlainTextResponse(_preview((job.folder / name).read_bytes()))


HEADERS = ("From", "Reply-To", "To", "Cc", "Subject", "Date")


def _preview(data: bytes) -> str:
    """A message as its reader sees it: its headers, its text, and what is attached."""
    from email import policy
    from email.message import EmailMessage
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    lines = [f"{key}: {message[key]}" for key in HEADERS if message[key] is not None]
    body = message.get_body(preferencelist=("plain",))
    lines += ["", body.get_content().rstrip() if body is not None else "", ""]
    for part in message.iter_attachments():
        size = len(part.get_payload(decode=True) or b"")
        lines.append(f"attached: {part.get_filename()} ({size:,} bytes)")
    return "\n".join(lines) + "\n"

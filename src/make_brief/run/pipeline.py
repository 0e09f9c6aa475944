"""The one pipeline, and its records: one per stage of a brief.

offer file → load + validate → compute → compose → render → merge appendices → write (atomic)

- `make(offer, settings)` is the make stage (compute → compose → render → merge); its record is
  a `Brief`. (The back end's own record, render.backend.Rendered, stays inside make_pdf,
  which asks render.registry for the back end `settings.backend` names.)
- Writing (and mailing) is the last stage; its record is an `Outcome`: the input, its Brief,
  where it went, or its error as an object. `build_brief` writes one offer file's brief;
  batch.Batch writes many, each made in a worker by `make`.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from ..errors import Failure
from ..files.clock import today
from ..money.fx import Rate
from ..offers.offer import Offer, load_offer

if TYPE_CHECKING:
    from ..compose.document import Document
    from ..offers.inputs import Item

DEFAULT_OUTPUT = Path("output")

Status = Literal["ok", "failed", "held"]  # an outcome's (the manifest's status column)
# what the mail step did with a brief (Outcome.mail, the manifest's mail column); "" for none
MailStatus = Literal[
    "",
    "sent",
    "already sent",
    "held",
    "unconfirmed",
    "in flight",
    "would send",
    "tested",  # --test-to: sent to the tester instead (recorded apart: deliveries-test.jsonl)
    "would test",
    "not sent",
    "failed",
    "no e-mail",
]


class Settings(msgspec.Struct, frozen=True):
    """What every brief of a run is made with."""

    template: str | Path | None = None
    page_size: str | None = None
    guide_dirs: tuple[Path, ...] = ()
    day: date | None = None  # one date for the whole batch, even across midnight
    rates: tuple[Rate, ...] = ()  # exchange rates shared by the batch (--fx); an offer's own win
    counter: bool = False  # also draft each candidate's counter-offer e-mail (counter.py)
    lock: bool = False  # --lock: each brief encrypted (AES-256), its password in passwords.csv
    backend: str = "reportlab"  # --backend: the PDF back end, by its name in render.registry
    guide_max_age: int = 12  # --guide-max-age: a guide older (months) is flagged on the cover
    pdf_standards: tuple[str, ...] = ()  # --pdf-standard: "ua-1", "a-2b" (else the template's)


DEFAULTS = Settings()


class Brief(msgspec.Struct, frozen=True):
    """The make stage's record: the brief made for one offer (its PDF, with appendices merged),
    and what the rest of the run needs to know of its offer. Made in a worker of a batch."""

    name: str  # its default file name: <candidate>-<guide>.pdf
    pdf: bytes
    pages: int
    candidate: str
    email: str | None = None
    guide: str = ""
    role: str = ""
    company: str = ""
    region: str = ""
    warnings: tuple[str, ...] = ()
    content: str = ""  # what the brief says (content_key): the journal's key
    counter: bytes | None = None  # the counter-offer e-mail (.eml), when asked for and possible
    password: str = ""  # a locked brief's: for passwords.csv only, never a message or the manifest
    deadline: date | None = None  # the offer's (offer.deadline), for the manifest and the batch's end
    preferred_name: str = ""  # candidate.preferred_name: the e-mail's greeting
    inputs: tuple[tuple[str, str], ...] = ()  # the offer's figures by field (said_inputs)
    days_left: int | None = None  # days from the brief's date to the deadline (negative: passed)

    def without_pdf(self) -> Brief:
        """This record without its PDF's bytes: what an Outcome keeps (the bytes are in the file
        it was written to), so that a batch of 10,000 never holds 10,000 PDFs."""
        return msgspec.structs.replace(self, pdf=b"")


class Outcome(msgspec.Struct, frozen=True):
    """The write (and mail) stage's record: what became of one input. Its brief and where it
    was written, or its error as the error object (errors.describe makes its line, once, for
    the command line and the manifest). It never carries the PDF's bytes: they are in the file
    at `path`, with their sha256 and size here (`written`), and read from there to be mailed."""

    item: Item
    brief: Brief | None = None
    error: Failure | None = None
    path: Path | None = None
    sha256: str = ""
    size: int = 0  # the bytes written
    mail: MailStatus = ""  # what the mail step did with it
    recipient: str = ""
    held: bool = False  # made with a warning and not written (--strict)
    sent_copy: Path | None = None  # the version that went, kept when this one replaced it

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> Status:
        return "ok" if self.ok else "held" if self.held else "failed"

    @property
    def locked(self) -> bool:
        return self.path is not None and self.brief is not None and bool(self.brief.password)

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.brief.warnings if self.brief is not None else ()

    @property
    def pages(self) -> int:
        return self.brief.pages if self.brief is not None else 0


def make(offer: Offer, settings: Settings = DEFAULTS) -> Brief:
    """The make stage: the brief of a loaded offer (make_pdf), with its content key and, when
    `settings.counter` asks, its counter-offer draft (whose problem is one more warning)."""
    brief = make_pdf(
        offer,
        settings.template,
        settings.page_size,
        settings.day,
        lock=settings.lock,
        backend=settings.backend,
        guide_max_age=settings.guide_max_age,
        pdf_standards=settings.pdf_standards,
    )
    counter, problem = None, None
    if settings.counter:
        from ..compose.counter import draft_counter

        counter, problem = draft_counter(offer, settings.template, settings.day or today())
    return msgspec.structs.replace(
        brief,
        content=content_key(offer, settings.template, settings.page_size),
        counter=counter,
        warnings=brief.warnings + ((problem,) if problem else ()),
    )


def make_pdf(
    offer: Offer,
    template_name: str | Path | None = None,
    page_size: str | None = None,
    day: date | None = None,
    lock: bool = False,
    backend: str = "reportlab",
    guide_max_age: int = 12,
    pdf_standards: tuple[str, ...] = (),
) -> Brief:
    """The brief for `offer`, laid out by the back end named `backend`, its PDF with its
    appendices merged; locked with AES-256 when `lock` is set (by the offer's password, else one
    made up, kept in `password`). Its content key and counter draft are make()'s.

    A brief that claims PDF standards (`pdf_standards`, else the template's `pdf_standard`)
    has no appendices merged into it: they are not part of the conformant document, and its
    last section says so, naming each one's file (see docs/backends.md)."""
    from ..advice.compute import compute
    from ..compose.brief import compose
    from ..compose.templates import load_template, standards_of
    from ..render.backend import Options
    from ..render.registry import check_standards, get

    layout = get(backend)  # an unknown name: one line naming the installed ones
    template = load_template(template_name)
    standards = tuple(sorted(set(pdf_standards))) or standards_of(template.style)
    check_standards(backend, standards)  # reportlab asked for PDF/UA: one line naming typst
    day = day or today()
    figures = compute(offer)
    brief = compose(offer, figures, template, day, appended=not standards, guide_max_age=guide_max_age)
    appendices = [(title, Path(path)) for title, path in brief.appendices]
    guide_files = _guide_appendices(offer) if template.style.guide_appendices else []
    left_out: tuple[str, ...] = ()
    if standards and (appendices or guide_files):
        brief, left_out = _without_appendices(brief, appendices + guide_files, standards)
        appendices, guide_files = [], []
    rendered = layout.render(brief, template, Options(day, page_size, standards))
    _check_name(offer, rendered.missing)
    pdf, pages = rendered.pdf, rendered.pages
    notes: tuple[str, ...] = ()
    if appendices or guide_files:
        pdf, pages, notes = _merged(offer, pdf, brief, appendices, guide_files)
    else:
        from ..pdf.compact import pack_tagged

        pdf = pack_tagged(pdf)  # a tagged PDF's objects in object streams (merging packs too)
    from ..offers.offer import doubts

    warnings = (
        _stale_rates(figures, day) + doubts(offer) + _missing_warnings(rendered.missing) + notes + left_out
    )
    passed = deadline_notice(offer.deadline, day)
    warnings += (passed[1],) if passed and passed[0] == "warning" else ()  # --strict holds it
    if not lock:
        return _brief(offer, day, pdf, pages, warnings)
    from ..pdf.merge import lock as locked
    from ..pdf.passwords import generate

    password = offer.pdf_password or generate()
    return _brief(offer, day, locked(pdf, password), pages, warnings, password)


def _merged(
    offer: Offer,
    pdf: bytes,
    brief: Document,
    appendices: list[tuple[str, Path]],
    guide_files: list[tuple[str, Path]],
) -> tuple[bytes, int, tuple[str, ...]]:
    """The brief with its appendices merged (pdf/merge.py); an appendix that cannot be read
    is an error naming the file and field that brought it in."""
    from ..errors import InputError
    from ..pdf.merge import merge

    origins: dict[str, tuple[Path | str | None, str]] = {  # the file and field that named each appendix
        str(path): (offer.source, f"appendices.{i}") for i, (_, path) in enumerate(appendices)
    }
    for i, (_, path) in enumerate(guide_files):
        origins[str(path)] = (offer.guide.path, f"appendices.{i}.file")
    try:
        return merge(pdf, brief, appendices + guide_files)
    except InputError as exc:  # name the file and field that brought the appendix in
        if exc.file not in origins:
            raise
        source, field = origins[exc.file]
        message = f"{Path(exc.file).name}: {exc.message}"
        raise InputError(message, file=source, field=field, hint=exc.hint) from None


def _without_appendices(
    brief: Document, appendices: list[tuple[str, Path]], standards: tuple[str, ...]
) -> tuple[Document, tuple[str, ...]]:
    """The brief with a closing section that names the appendices left out of a brief that
    claims `standards` (an appended PDF is not tagged to them, and Typst cannot embed one in
    such a document), and the run's warning that says so."""
    from ..compose.document import Block, Section
    from ..compose.templates import escape_data

    claimed = " and ".join({"ua-1": "PDF/UA-1", "a-2b": "PDF/A-2b"}.get(s, s) for s in standards)
    title = "Appendices not included"
    said = (
        f"This brief is made as an accessible, archival PDF ({claimed}). Its appendices are"
        " separate PDF files, not part of this document: open each one on its own."
    )
    blocks = [Block("heading", title), Block("para", str(escape_data(said)))]
    for name, path in appendices:
        blocks.append(Block("bullet", str(escape_data(f"{name}: {path.name}"))))
    section = Section("appendices-left-out", title, tuple(blocks))
    names = ", ".join(path.name for _, path in appendices)
    warning = f"appendices not merged into a brief that claims {claimed}: {names} (the brief lists them)"
    return msgspec.structs.replace(brief, sections=(*brief.sections, section), appendices=()), (warning,)


def deadline_notice(deadline: date | None, day: date) -> tuple[Literal["warning", "note"], str] | None:
    """What build, validate and a batch's end say of an offer's deadline on `day`: a warning
    once it has passed, a note when advice.callprep.URGENT_DAYS or fewer are left, else None."""
    from ..advice.callprep import urgency

    state = urgency(deadline, day)
    if state is None or deadline is None:
        return None
    return ("warning" if state == "passed" else "note"), deadline_words(deadline, (deadline - day).days)


def deadline_words(deadline: date, days: int) -> str:
    verb = "expired" if days < 0 else "expires"
    return f"offer.deadline: the offer {verb} on {deadline.isoformat()} ({days_text(days)})"


def days_text(days: int) -> str:
    """Days to a deadline in words: "in 3 days", "tomorrow", "today", "1 day ago"."""
    if days < 0:
        return "1 day ago" if days == -1 else f"{-days} days ago"
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def _brief(
    offer: Offer, day: date, pdf: bytes, pages: int, warnings: tuple[str, ...], password: str = ""
) -> Brief:
    from ..files.output import default_name

    return Brief(
        name=default_name(offer.name, offer.guide.id),
        pdf=pdf,
        pages=pages,
        candidate=offer.name,
        email=offer.email,
        guide=offer.guide.id,
        role=offer.guide.role,
        company=offer.guide.company,
        region=offer.region.name,
        warnings=warnings,
        password=password,
        deadline=offer.deadline,
        preferred_name=offer.preferred_name or "",
        inputs=said_inputs(offer),
        days_left=(offer.deadline - day).days if offer.deadline is not None else None,
    )


def said_inputs(offer: Offer) -> tuple[tuple[str, str], ...]:
    """The offer's figures by their fields, as the offer file says them ("offer.base":
    "120,000"): what went is recorded with them, so a changed brief's held line can say what
    changed, field by field."""
    from decimal import Decimal

    def amount(value: Decimal) -> str:
        return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,}"

    said = [
        ("region", offer.region.name),
        ("offer.currency", offer.currency),
        ("offer.base", amount(offer.base)),
        ("offer.stock", amount(offer.stock)),
        ("offer.stock_years", str(offer.stock_years)),
        ("offer.bonus_pct", f"{offer.bonus_pct.normalize():f}%"),
    ]
    if offer.sign_on is not None:
        said.append(("offer.sign_on", amount(offer.sign_on)))
    if offer.deadline is not None:
        said.append(("offer.deadline", offer.deadline.isoformat()))
    said += [(f"competing_offers.{i}.company", c.company) for i, c in enumerate(offer.competing)]
    return tuple(said)


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What changed between two said_inputs, field by field: "offer.base: 120,000 → 125,000"."""
    return [
        f"{field}: {before.get(field) or '(none)'} → {after.get(field) or '(none)'}"
        for field in dict.fromkeys([*before, *after])
        if before.get(field) != after.get(field)
    ]


def content_key(offer: Offer, template_name: str | Path | None = None, page_size: str | None = None) -> str:
    """What the brief says, as a hash: the validated offer, its guide, the template, the page
    size, the appendices' bytes and make-brief's version, but not the day nor any path. Two
    briefs with the same key say the same thing, so the journal knows a brief by it: a rebuild
    the next day is the same brief, a corrected offer is another."""
    import hashlib

    from .._version import __version__
    from ..compose.templates import load_template

    digest = hashlib.sha256(f"make-brief {__version__}\n{page_size or ''}\n".encode())
    guide = msgspec.structs.replace(offer.guide, path="")
    said = msgspec.structs.asdict(
        msgspec.structs.replace(offer, source=None, guide=guide, appendices=(), pdf_password=None)
    )
    del said["preferred_name"]  # the e-mail's greeting, not what the brief says
    digest.update(msgspec.json.encode(said, enc_hook=str))
    folder = Path(offer.guide.path).parent
    files = [*offer.appendices, *(folder / a.file for a in offer.guide.appendices)]
    for path in files:
        digest.update(b"\nappendix " + _file_digest(Path(path)).encode())
    digest.update(b"\ntemplate " + _folders_digest(load_template(template_name).folders).encode())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    """The file's hash, read once per process while its size, time and inode stay the same:
    a batch names the guide's appendix in every brief's content key."""
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return _digest_of(path, stat.st_size, stat.st_mtime_ns, stat.st_ino)


@lru_cache(maxsize=64)
def _digest_of(path: Path, _size: int, _mtime: int, _inode: int) -> str:
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


_FOLDERS: dict[tuple[Path, ...], str] = {}


def _folders_digest(folders: tuple[Path, ...]) -> str:
    """One hash of every file in the template's folders (names and bytes), once per process."""
    import hashlib

    if folders not in _FOLDERS:
        digest = hashlib.sha256()
        for folder in folders:
            for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
                digest.update(f"{path.relative_to(folder)}\0{_file_digest(path)}\n".encode())
        _FOLDERS[folders] = digest.hexdigest()
    return _FOLDERS[folders]


def _guide_appendices(offer: Offer) -> list[tuple[str, Path]]:
    """The guide's own appendices, each of which must be a file in the guide's folder."""
    from ..errors import InputError
    from ..files.loading import confined

    folder = Path(offer.guide.path).parent
    found = []
    for i, appendix in enumerate(offer.guide.appendices):
        try:
            path = confined(folder / appendix.file, [folder], what="appendix", owner="the guide")
        except InputError as exc:
            raise InputError(exc.message, file=offer.guide.path, field=f"appendices.{i}.file") from None
        found.append((appendix.title, path))
    return found


def _stale_rates(figures: Any, day: date) -> tuple[str, ...]:
    """One warning per exchange rate the brief uses that is over fx.STALE_DAYS days old."""
    from ..money.fx import STALE_DAYS, is_stale

    rates = figures.over_time.rates_used if figures.over_time else ()
    return tuple(
        f"the exchange rate {r.base}→{r.quote} {r.rate} is dated {r.day.isoformat()},"
        f" more than {STALE_DAYS} days before the brief's date ({day.isoformat()}); the brief says it is old"
        for r in rates
        if is_stale(r, day)
    )


def _check_name(offer: Offer, missing: frozenset[str]) -> None:
    """A brief never goes without its candidate's name: refused when a letter of the name
    could be drawn by neither the template's font nor any installed one."""
    from ..errors import InputError

    lost = "".join(dict.fromkeys(ch for ch in offer.name if ch in missing))
    if lost:
        raise InputError(
            f"no font here can draw {lost!r} of the name, and a brief never goes without it",
            file=offer.source,
            field="candidate.name",
            hint="install a font that has them (Debian: fonts-noto-cjk; Homebrew: font-noto-sans-cjk)"
            " or use a template whose font has them",
        )


def _missing_warnings(missing: frozenset[str]) -> tuple[str, ...]:
    if not missing:
        return ()
    shown = "".join(sorted(missing)[:12])
    return (
        f"the brief's font cannot draw {len(missing)} character(s) ({shown}); they were left out."
        " A template with a font that has them can show them",
    )


def build_brief(
    offer_path: Path,
    output: Path | None = None,
    *,
    out_dir: Path = DEFAULT_OUTPUT,
    template: str | Path | None = None,
    page_size: str | None = None,
    guide_dirs: tuple[Path, ...] = (),
    rates: tuple[Rate, ...] = (),
    backend: str = "reportlab",
    pdf_standards: tuple[str, ...] = (),
) -> Outcome:
    """Make the brief for the offer file at `offer_path` and write it; what became of it (an
    error is raised, not returned: there is only the one brief). `rates` are exchange rates
    (fx.Rate) for the pairs of currencies the offer states none for; `backend` names the PDF
    back end (render.registry)."""
    from ..files.output import write_atomic
    from ..offers.inputs import Item
    from ..offers.offer import with_rates
    from ..render.registry import check, check_standards

    check(backend)  # before anything is read or written
    check_standards(backend, pdf_standards)
    offer = with_rates(load_offer(offer_path, guide_dirs), rates)
    settings = Settings(template, page_size, guide_dirs, backend=backend, pdf_standards=pdf_standards)
    brief = make(offer, settings)
    path = write_atomic(output or out_dir / brief.name, brief.pdf)
    return written(Item(0, str(offer_path), offer_path), brief, path)


def written(item: Item, brief: Brief, path: Path) -> Outcome:
    """The record of `brief` written to `path`: its sha256 and size, without its bytes."""
    import hashlib

    digest = hashlib.sha256(brief.pdf).hexdigest()
    return Outcome(item, brief.without_pdf(), path=path, sha256=digest, size=len(brief.pdf))

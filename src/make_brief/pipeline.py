"""build_brief(): the one entry point that the command line, batches and e-mail all use.

offer file → load + validate → compute → compose → render → merge appendices → write (atomic)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from .clock import today  # noqa: F401  (pipeline.today: the brief's day, as before)
from .offer import Offer, load_offer

DEFAULT_OUTPUT = Path("output")


class Made(msgspec.Struct, frozen=True):
    pdf: bytes
    pages: int
    warnings: tuple[str, ...] = ()
    password: str = ""  # set when the brief is locked


class Result(msgspec.Struct, frozen=True):
    offer: Offer
    path: Path
    pages: int
    size: int
    warnings: tuple[str, ...] = ()


def make_pdf(
    offer: Offer,
    template_name: str | Path | None = None,
    page_size: str | None = None,
    day: date | None = None,
    lock: bool = False,
) -> Made:
    """The brief for `offer` as PDF bytes, with its appendices merged; locked with AES-256
    when `lock` is set (by the offer's password, else one made up, returned with it)."""
    from .compose import compose
    from .compute import compute
    from .render import render
    from .templates import load_template

    template = load_template(template_name)
    day = day or today()
    figures = compute(offer)
    brief = compose(offer, figures, template, day)
    rendered = render(brief, template, page_size, day)
    _check_name(offer, rendered.missing)
    pdf, pages = rendered.pdf, rendered.pages
    appendices = [(title, Path(path)) for title, path in brief.appendices]
    guide_files = _guide_appendices(offer) if template.style.guide_appendices else []
    origins: dict[str, tuple[Path | str | None, str]] = {  # the file and field that named each appendix
        str(path): (offer.source, f"appendices.{i}") for i, (_, path) in enumerate(appendices)
    }
    for i, (_, path) in enumerate(guide_files):
        origins[str(path)] = (offer.guide.path, f"appendices.{i}.file")
    notes: tuple[str, ...] = ()
    if appendices or guide_files:
        from .errors import InputError
        from .merge import merge

        try:
            pdf, pages, notes = merge(pdf, brief, appendices + guide_files)
        except InputError as exc:  # name the file and field that brought the appendix in
            if exc.file not in origins:
                raise
            source, field = origins[exc.file]
            message = f"{Path(exc.file).name}: {exc.message}"
            raise InputError(message, file=source, field=field, hint=exc.hint) from None
    from .callprep import warnings as prep_warnings

    warnings = _stale_rates(figures, day) + prep_warnings(offer) + _missing_warnings(rendered.missing) + notes
    if not lock:
        return Made(pdf, pages, warnings)
    from .merge import lock as locked
    from .passwords import generate

    password = offer.pdf_password or generate()
    return Made(locked(pdf, password), pages, warnings, password)


def content_key(offer: Offer, template_name: str | Path | None = None, page_size: str | None = None) -> str:
    """What the brief says, as a hash: the validated offer, its guide, the template, the page
    size, the appendices' bytes and make-brief's version, but not the day nor any path. Two
    briefs with the same key say the same thing, so the journal knows a brief by it: a rebuild
    the next day is the same brief, a corrected offer is another."""
    import hashlib

    from . import __version__
    from .templates import load_template

    digest = hashlib.sha256(f"make-brief {__version__}\n{page_size or ''}\n".encode())
    guide = msgspec.structs.replace(offer.guide, path="")
    said = msgspec.structs.replace(offer, source=None, guide=guide, appendices=(), pdf_password=None)
    digest.update(msgspec.json.encode(said, enc_hook=str))
    folder = Path(offer.guide.path).parent
    files = [*offer.appendices, *(folder / a.file for a in offer.guide.appendices)]
    for path in files:
        digest.update(b"\nappendix " + _file_digest(Path(path)).encode())
    digest.update(b"\ntemplate " + _folders_digest(load_template(template_name).folders).encode())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
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
    from .errors import InputError
    from .loading import confined

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
    from .fx import STALE_DAYS, is_stale

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
    from .errors import InputError

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
    rates: tuple[Any, ...] = (),
) -> Result:
    """Make the brief for the offer file at `offer_path` and write it; return where and what.
    `rates` are exchange rates (fx.Rate) for the pairs of currencies the offer states none for."""
    from .offer import with_rates
    from .output import default_name, write_atomic

    offer = with_rates(load_offer(offer_path, guide_dirs), rates)
    made = make_pdf(offer, template, page_size)
    path = output or out_dir / default_name(offer.name, offer.guide.id)
    write_atomic(path, made.pdf)
    return Result(offer=offer, path=path, pages=made.pages, size=len(made.pdf), warnings=made.warnings)

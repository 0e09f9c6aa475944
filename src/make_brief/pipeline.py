"""build_brief(): the one entry point that the command line, batches and e-mail all use.

offer file → load + validate → compute → compose → render → merge appendices → write (atomic)
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path

import msgspec

from .offer import Offer, load_offer

DEFAULT_OUTPUT = Path("output")


class Made(msgspec.Struct, frozen=True):
    pdf: bytes
    pages: int
    warnings: tuple[str, ...] = ()


class Result(msgspec.Struct, frozen=True):
    offer: Offer
    path: Path
    pages: int
    size: int
    warnings: tuple[str, ...] = ()


def today() -> date:
    """Today, or the day of SOURCE_DATE_EPOCH when it is set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return date.today()


def make_pdf(
    offer: Offer,
    template_name: str | Path | None = None,
    page_size: str | None = None,
    day: date | None = None,
) -> Made:
    """The brief for `offer` as PDF bytes, with its appendices merged."""
    from .compose import compose
    from .compute import compute
    from .render import render
    from .templates import load_template

    template = load_template(template_name)
    brief = compose(offer, compute(offer), template, day or today())
    rendered = render(brief, template, page_size)
    pdf, pages = rendered.pdf, rendered.pages
    appendices = [(title, Path(path)) for title, path in brief.appendices]
    guide_files = _guide_appendices(offer) if template.style.guide_appendices else []
    origins = {str(path): (offer.source, f"appendices.{i}") for i, (_, path) in enumerate(appendices)}
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
    from .callprep import warnings

    return Made(pdf, pages, warnings(offer) + _missing_warnings(rendered.missing) + notes)


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
) -> Result:
    """Make the brief for the offer file at `offer_path` and write it; return where and what."""
    from .output import default_name, write_atomic

    offer = load_offer(offer_path, guide_dirs)
    made = make_pdf(offer, template, page_size)
    path = output or out_dir / default_name(offer.name, offer.guide.id)
    write_atomic(path, made.pdf)
    return Result(offer=offer, path=path, pages=made.pages, size=len(made.pdf), warnings=made.warnings)

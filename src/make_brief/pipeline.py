"""build_brief(): the one entry point that the command line, batches and e-mail all use.

offer file → load + validate → compute → compose → render → merge appendices → write (atomic)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from .offer import Offer, load_offer

DEFAULT_OUTPUT = Path("output")


@dataclass(frozen=True)
class Made:
    pdf: bytes
    pages: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
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
    appendices += [(a.title, Path(offer.guide.path).parent / a.file) for a in offer.guide.appendices]
    if appendices:
        from .merge import merge

        pdf, pages = merge(pdf, brief, appendices)
    return Made(pdf, pages, _missing_warnings(rendered.missing))


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

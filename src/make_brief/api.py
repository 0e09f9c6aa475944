"""make-brief as a library: the same pipeline the command line runs, without click.

    from make_brief import make_brief, make_briefs, mail_briefs, BatchOptions

* :func:`make_brief`: one offer file → one PDF written; returns where, its pages, its warnings.
* :func:`make_briefs`: many inputs (offer files, folders, CSV tables) → briefs in a folder, in
  worker processes, with the manifest (and the mail, when given ``mail``), made as
  :class:`BatchOptions` say; a callback sees each step as a typed event (run/events.py) as it
  comes; returns every outcome, and every line worth reporting (run.orchestrate.BatchRun).
* :func:`mail_briefs`: the briefs the manifests of a folder record → mailed exactly once.

Errors of the user's input are :class:`~make_brief.errors.BriefError` (one line each); in a
batch they are outcomes (``outcome.error``, the error object with its file, field and line),
not exceptions. A bug of ours in one item is an outcome whose error is an
:class:`~make_brief.errors.InternalError`. ``errors.describe`` makes the one line of either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from .money.fx import Rate
from .run.orchestrate import BatchOptions, BatchRun, Progress
from .run.orchestrate import count_items as _count_items
from .run.pipeline import Outcome
from .run.pipeline import build_brief as _build_brief

if TYPE_CHECKING:
    from .deliver.mail import MailSettings
    from .deliver.postman import Postman
    from .offers.form import GuideInfo, OfferField

__all__ = [
    "BatchOptions",
    "BatchRun",
    "MailRun",
    "Progress",
    "count_items",
    "list_guides",
    "list_templates",
    "make_brief",
    "make_briefs",
    "mail_briefs",
    "offer_fields",
    "offer_values",
    "offer_yaml",
    "sample_values",
]


def make_brief(
    offer: str | Path,
    output: str | Path | None = None,
    *,
    template: str | Path | None = None,
    page_size: str | None = None,
    guide_dirs: Iterable[str | Path] = (),
    rates: Iterable[Rate] = (),
    backend: str = "reportlab",
    pdf_standards: Iterable[str] = (),
) -> Outcome:
    """Make the brief of the offer file `offer` and write it to `output` (default:
    ``output/<candidate>-<guide>.pdf``); what became of it (``.path``, ``.brief.pages``,
    ``.warnings``), or a BriefError, with one clear line, when it cannot. `backend` names the
    PDF back end (:func:`make_brief.backends` lists them); `pdf_standards` the PDF standards
    the brief claims and meets ("ua-1", "a-2b": the typst back end)."""
    return _build_brief(
        Path(offer),
        Path(output) if output is not None else None,
        template=template,
        page_size=page_size,
        guide_dirs=tuple(Path(d) for d in guide_dirs),
        rates=tuple(rates),
        backend=backend,
        pdf_standards=tuple(pdf_standards),
    )


def make_briefs(
    inputs: Iterable[str | Path],
    folder: str | Path,
    options: BatchOptions | None = None,
    *,
    mail: MailSettings | None = None,
    progress: Progress | None = None,
    output: str | Path | None = None,
    template: str | Path | None = None,
    page_size: str | None = None,
    guide_dirs: Iterable[str | Path] | None = None,
    rates: Iterable[Rate] | None = None,
    jobs: int | None = None,
    time_limit: float | None = None,
    lock: bool | None = None,
    strict: bool | None = None,
    counter: str | Path | None = None,
    shard: tuple[int, int] | None = None,
    many: bool | None = None,
    day: date | None = None,
    backend: str | None = None,
    guide_max_age: int | None = None,
    pdf_standards: Iterable[str] | None = None,
) -> BatchRun:
    """Make the brief of every offer in `inputs` (files, folders, CSV tables) into `folder`,
    with a manifest, as `options` say (a BatchOptions; each keyword given after it overrides
    its field of the same name); `mail` (deliver.mail.settings(...)) mails or writes each as it
    is made. `progress(event)` is called for each step, in input order (run/events.py: a brief
    made or failed, a counter draft written, a message sent, held or in flight, a problem).
    Worker processes import the calling script: call this under ``if __name__ == "__main__":``."""
    given = {
        "output": output,
        "template": template,
        "page_size": page_size,
        "guide_dirs": tuple(guide_dirs) if guide_dirs is not None else None,
        "rates": tuple(rates) if rates is not None else None,
        "jobs": jobs,
        "time_limit": time_limit,
        "lock": lock,
        "strict": strict,
        "counter": counter,
        "shard": shard,
        "many": many,
        "day": day,
        "backend": backend,
        "guide_max_age": guide_max_age,
        "pdf_standards": tuple(pdf_standards) if pdf_standards is not None else None,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    chosen = msgspec.structs.replace(options or BatchOptions(), **changes)
    return _run(tuple(Path(p) for p in inputs), Path(folder), chosen, mail, progress)


def _run(
    inputs: tuple[Path, ...],
    folder: Path,
    options: BatchOptions,
    mail: MailSettings | None,
    progress: Progress | None,
) -> BatchRun:
    """The batch run (run.orchestrate), with its postman when it is mailed."""
    from contextlib import ExitStack

    from .deliver.kept import Keeper
    from .render.registry import check
    from .run.orchestrate import run_batch

    check(options.backend)  # before the postman opens the journal: nothing written for a bad name
    with ExitStack() as finally_:
        postman = None
        if mail is not None:
            from .deliver.postman import Postman

            postman = finally_.enter_context(Postman(mail, folder))
        return run_batch(inputs, folder, options, postman, progress, Keeper().keep)


def count_items(inputs: Iterable[str | Path], shard: tuple[int, int] | None = None) -> int:
    """How many briefs `make_briefs` would make of `inputs` (for a progress bar)."""
    return _count_items(tuple(Path(p) for p in inputs), shard)


class MailRun(msgspec.Struct):
    """What the mail stage did: the briefs the manifests record, and the postman's record
    (notes, problems, held, summary())."""

    briefs: int
    postman: Postman


def mail_briefs(folder: str | Path, mail: MailSettings, progress: Progress | None = None) -> MailRun:
    """Mail each brief that the manifests in `folder` record, exactly once; `mail` is
    deliver.mail.settings(...): nothing is sent unless it says send. What becomes of each
    message is reported to `progress` as it happens, as a typed event (MessageSent,
    MessageHeld, MessageInFlight, MessageNotSent), as make_briefs reports its own."""
    from .deliver.postman import Postman
    from .deliver.smtp import check_sign_in
    from .deliver.stage import mail_folder

    check_sign_in(mail)
    with Postman(mail, Path(folder)) as postman:
        briefs = mail_folder(Path(folder), postman, progress or (lambda event: None))
    return MailRun(briefs, postman)


# --- for a front end's forms (web/): the offer's fields, the guides, the templates -----------


def list_guides(guide_dirs: Iterable[str | Path] = ()) -> list[GuideInfo]:
    """Every guide a brief can be made with (--guides folders, $MAKE_BRIEF_GUIDES, the bundled
    ones), by id: its company, role, regions and questions; one that cannot be read, with its
    one line (`error`)."""
    from .guides.catalogue import list_guides as listed
    from .offers.form import guide_info

    return [guide_info(g.id, g.guide, g.error) for g in listed(tuple(Path(d) for d in guide_dirs))]


def offer_fields(guide: str | None = None, guide_dirs: Iterable[str | Path] = ()) -> list[OfferField]:
    """The fields of an offer by their dotted names (a CSV table's columns), with the help the
    sample offer file gives each, and the questions of the guide `guide` (its id) as
    ``candidate.facts.<id>``; a BriefError for an unknown guide."""
    from .files.resources import data_dir
    from .guides.catalogue import find_guide, load_guide
    from .offers.form import fields

    found = load_guide(find_guide(guide, tuple(Path(d) for d in guide_dirs))) if guide else None
    return fields(found, (data_dir() / "offer-sample.yaml").read_text(encoding="utf-8"))


def offer_yaml(values: Mapping[str, str]) -> str:
    """The text of the offer file that a form's `values` (dotted names, as text) make: nested
    and typed as a CSV row is, blank values left out; a BriefError for a list with a gap."""
    from .offers.form import offer_yaml as text_of

    return text_of(dict(values))


def offer_values(offer: str | Path) -> dict[str, str]:
    """The values of the offer file `offer` by dotted name, as text (read with the safe YAML
    loader, within the offer file's size limit); a BriefError when it cannot be read."""
    from .files.loading import load_yaml
    from .offers.form import values_of
    from .offers.offer import MAX_OFFER_BYTES

    return values_of(load_yaml(Path(offer), what="offer file", max_bytes=MAX_OFFER_BYTES).data)


def sample_values(guide: str | None = None, guide_dirs: Iterable[str | Path] = ()) -> dict[str, str]:
    """The values of the offer file ``make-brief init --guide GUIDE`` writes (the bundled
    example's guide when None), by dotted name: a form's starting point."""
    from .files.loading import parse_yaml
    from .files.resources import data_dir
    from .guides.catalogue import find_guide, load_guide
    from .offers.form import values_of
    from .offers.sample import SAMPLE_GUIDE, sample_offer

    found = load_guide(find_guide(guide or SAMPLE_GUIDE, tuple(Path(d) for d in guide_dirs)))
    text = sample_offer((data_dir() / "offer-sample.yaml").read_text(encoding="utf-8"), found)
    return values_of(parse_yaml(text, Path("offer.yaml"), what="offer file").data)


def list_templates() -> list[tuple[str, str]]:
    """The bundled templates: (name, what each is for)."""
    from .compose.templates import bundled

    return bundled()

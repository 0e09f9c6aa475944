"""make-brief as a library: the same pipeline the command line runs, without click.

    from make_brief.api import make_brief, make_briefs, mail_briefs

* :func:`make_brief`: one offer file → one PDF written; returns where, its pages, its warnings.
* :func:`make_briefs`: many inputs (offer files, folders, CSV tables) → briefs in a folder, in
  worker processes, with the manifest (and the mail, when given ``mail``); a callback sees each
  outcome as it comes; returns every outcome, and every line worth reporting.
* :func:`mail_briefs`: the briefs the manifests of a folder record → mailed exactly once.

Errors of the user's input are :class:`~make_brief.errors.BriefError` (one line each); in a
batch they are outcomes (``outcome.error``, the error object with its file, field and line),
not exceptions. A bug of ours in one item is an outcome whose error is an
:class:`~make_brief.errors.InternalError`. ``errors.describe`` makes the one line of either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from .errors import BriefError, InternalError, OutputError, describe
from .run.pipeline import Outcome
from .run.pipeline import build_brief as _build_brief

__all__ = ["BatchRun", "MailRun", "make_brief", "make_briefs", "mail_briefs"]


def make_brief(
    offer: str | Path,
    output: str | Path | None = None,
    *,
    template: str | Path | None = None,
    page_size: str | None = None,
    guide_dirs: Iterable[str | Path] = (),
    backend: str = "reportlab",
) -> Outcome:
    """Make the brief of the offer file `offer` and write it to `output` (default:
    ``output/<candidate>-<guide>.pdf``); what became of it (``.path``, ``.brief.pages``,
    ``.warnings``), or a BriefError, with one clear line, when it cannot. `backend` names the
    PDF back end (:func:`make_brief.backends` lists them)."""
    return _build_brief(
        Path(offer),
        Path(output) if output is not None else None,
        template=template,
        page_size=page_size,
        guide_dirs=tuple(Path(d) for d in guide_dirs),
        backend=backend,
    )


class BatchRun(msgspec.Struct):
    """What became of a batch: each outcome (pipeline.Outcome; its brief without its PDF bytes,
    which are in the file at outcome.path, and which the progress callback still sees), the
    lines worth reporting, and where the manifest is (None when it could not be written)."""

    outcomes: list[Outcome]
    made: int = 0
    # one per item that failed, or whose counter draft could not be written: (its input's
    # label, the error object); errors.describe makes its line at the edge
    failures: list[tuple[str, BriefError | InternalError]] = msgspec.field(default_factory=list)
    warnings: list[str] = msgspec.field(default_factory=list)
    problems: list[str] = msgspec.field(default_factory=list)  # the run's own: manifest, passwords
    notes: list[str] = msgspec.field(default_factory=list)
    manifest: Path | None = None
    folder: Path = Path(".")
    postman: Any = None  # the mail stage's record (notes, problems, held, summary), when mailed

    @property
    def internal(self) -> bool:
        """Whether any item met a bug of ours."""
        return any(isinstance(error, InternalError) for _, error in self.failures)

    def failure_lines(self, many: bool = True) -> list[str]:
        """Each failure's one line (errors.describe), each starting with its input unless
        `many` is false (one offer file, whose errors name it already)."""
        return [describe(error, label, many) for label, error in self.failures]


Progress = Callable[[Outcome, list[str]], None]  # (the outcome, the lines it printed: path, mail)


def make_briefs(
    inputs: Iterable[str | Path],
    folder: str | Path,
    *,
    output: str | Path | None = None,
    template: str | Path | None = None,
    page_size: str | None = None,
    guide_dirs: Iterable[str | Path] = (),
    rates: tuple[Any, ...] = (),
    jobs: int | None = None,
    time_limit: float | None = None,
    lock: bool = False,
    strict: bool = False,
    counter: str | Path | None = None,
    shard: tuple[int, int] | None = None,
    mail: Any = None,
    many: bool = True,
    day: date | None = None,
    progress: Progress | None = None,
    backend: str = "reportlab",
) -> BatchRun:
    """Make the brief of every offer in `inputs` (files, folders, CSV tables) into `folder`,
    with a manifest; `mail` (mail.settings(...)) mails or writes each as it is made; `counter`
    writes each candidate's counter-offer draft there. `time_limit` (seconds; batch.TIME_LIMIT
    unless given, 0 for none) stops a brief that takes longer. `progress(outcome, lines)` is
    called for every outcome, in input order. `output` names the one file of a single brief,
    `backend` the PDF back end. Worker processes import the calling script: call this under
    ``if __name__ == "__main__":``."""
    from .offers.inputs import expand
    from .pdf.passwords import PasswordBook
    from .run.batch import Manifest, Settings
    from .run.manifest import shard_name
    from .run.pipeline import today

    folder = Path(folder)
    dirs, counting = tuple(map(Path, guide_dirs)), counter is not None
    settings = Settings(template, page_size, dirs, day or today(), rates, counting, lock, backend)
    run = BatchRun([], folder=folder)
    passwords = PasswordBook(folder) if lock else None
    batch = _batch(folder, settings, jobs, output, passwords, strict, time_limit)
    with ExitStack() as finally_:  # closed in reverse order, also on errors and Ctrl-C
        if mail is not None:
            from .deliver.postman import Postman

            run.postman = finally_.enter_context(Postman(mail, folder))
        manifest = Manifest(folder, shard_name(shard)) if many else None
        if manifest is not None:
            finally_.callback(manifest.close)
        outcomes = batch.run(_share(expand(tuple(Path(p) for p in inputs)), shard))
        finally_.callback(outcomes.close)
        for outcome in outcomes:
            lines = _record(run, outcome, many, Path(counter) if counter is not None else None, output)
            if manifest is not None:
                manifest.add(outcome)
            if progress is not None:
                progress(outcome, lines)
            _let_go(outcome)
        run.manifest = _close(manifest, folder, run.problems) if manifest is not None else None
        _close_passwords(passwords, run)
    return run


def _batch(
    folder: Path,
    settings: Any,
    jobs: int | None,
    output: str | Path | None,
    passwords: Any,
    strict: bool,
    time_limit: float | None,
) -> Any:
    """The batch of make_briefs: its workers, its one output file, its time limit per brief.
    An unknown back end is refused here, before anything is made or written."""
    from .render.registry import check
    from .run.batch import TIME_LIMIT, Batch, default_jobs

    check(settings.backend)

    return Batch(
        folder,
        settings,
        jobs=jobs or default_jobs(),
        output=Path(output) if output is not None else None,
        passwords=passwords,
        strict=strict,
        time_limit=TIME_LIMIT if time_limit is None else time_limit,
    )


def _let_go(outcome: Outcome) -> None:
    """Keep the outcome, not its PDF: once written, mailed and reported, a brief's bytes are on
    disk (outcome.path), so a batch of 10,000 does not hold 10,000 PDFs in memory."""
    if outcome.brief is not None:
        outcome.brief = msgspec.structs.replace(outcome.brief, pdf=b"", counter=None)


def count_items(inputs: Iterable[str | Path], shard: tuple[int, int] | None = None) -> int:
    """How many briefs `make_briefs` would make of `inputs` (for a progress bar)."""
    from .offers.inputs import expand

    return sum(1 for _ in _share(expand(tuple(Path(p) for p in inputs)), shard))


def _record(run: BatchRun, outcome: Outcome, many: bool, counter: Path | None, output: Any) -> list[str]:
    """Add `outcome` to `run`; the lines it prints (its path, its counter draft, its mail)."""
    run.outcomes.append(outcome)
    lines: list[str] = []
    if outcome.ok and outcome.brief is not None:
        run.made += 1
        run.warnings += [f"{outcome.item.label}: {w}" for w in outcome.brief.warnings]
        lines.append(str(outcome.path))
        if counter is not None and outcome.brief.counter is not None:
            lines += _write_counter(counter, outcome, output is not None, run.failures)
    elif outcome.error is not None:  # in a batch every line names its input; one offer's its file
        run.failures.append((outcome.item.label, outcome.error))
    if run.postman is not None and (line := run.postman.handle(outcome)):
        lines.append(line)
    return lines


def _share(items: Any, shard: tuple[int, int] | None) -> Any:
    """The items of this shard (all of them without one)."""
    from .run.shard import shard_of

    if shard is None:
        return items
    return (item for item in items if shard_of(item.identity, shard[1]) == shard[0])


def _close(manifest: Any, folder: Path, problems: list[str]) -> Path | None:
    """Finish the manifest; when it cannot be written (a full disk), say so as one more problem
    that names where the briefs are."""
    try:
        return manifest.close()
    except OutputError as exc:
        problems.append(f"{exc}; the briefs that were made are in {folder}")
        return None


def _close_passwords(passwords: Any, run: BatchRun) -> None:
    """Leave one row per locked brief in passwords.csv, and note where it is."""
    if passwords is None:
        return
    try:
        path = passwords.close()
    except OutputError as exc:
        run.problems.append(str(exc))
        return
    if path is not None:
        run.notes.append(f"the passwords of the locked briefs are in {path} (readable by you only)")


def _write_counter(folder: Path, outcome: Outcome, named: bool, failures: list[Any]) -> list[str]:
    """Write the counter-offer e-mail of `outcome` as <name>-<guide>-counter.eml (the brief's
    default name, or its distinct name in a batch); its path, or a failure line."""
    from .compose.counter import counter_name
    from .files.output import write_atomic

    assert outcome.brief is not None and outcome.brief.counter is not None and outcome.path is not None
    pdf_name = outcome.brief.name if named else outcome.path.name
    try:
        return [str(write_atomic(folder / counter_name(pdf_name), outcome.brief.counter))]
    except BriefError as exc:
        failures.append((outcome.item.label, exc))
        return []


class MailRun(msgspec.Struct):
    """What the mail stage did: the briefs the manifests record, and the postman's record
    (notes, problems, held, summary())."""

    briefs: int
    postman: Any


def mail_briefs(folder: str | Path, mail: Any, echo: Callable[[str], None] = lambda line: None) -> MailRun:
    """Mail each brief that the manifests in `folder` record, exactly once; `mail` is
    mail.settings(...): nothing is sent unless it says send."""
    from .deliver.postman import Postman
    from .deliver.smtp import check_sign_in
    from .deliver.stage import mail_folder

    check_sign_in(mail)
    with Postman(mail, Path(folder)) as postman:
        briefs = mail_folder(Path(folder), postman, echo)
    return MailRun(briefs, postman)

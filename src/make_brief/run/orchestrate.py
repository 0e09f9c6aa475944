"""A whole batch run: the batch's briefs, their manifest, passwords, counter drafts and mail.

`run_batch(inputs, folder, options, courier, progress)` is what ``api.make_briefs`` (and so the
command line and a web front end) runs: the batch (batch.Batch) yields each outcome in input
order; each is recorded in the run, the manifest and (when mailed) posted to the courier (the
deliver stage's Postman, which this stage knows only by its protocol, events.Courier); each
step is reported to `progress` as a typed event (events.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from ..errors import BriefError, InternalError, OutputError, describe
from ..files.clock import today
from ..money.fx import Rate
from ..offers.inputs import Item
from .events import BriefFailed, BriefMade, CounterWritten, Courier, Event, Problem
from .manifest import Manifest
from .pipeline import Outcome

if TYPE_CHECKING:
    from ..pdf.passwords import PasswordBook
    from .batch import Batch, Keep

Progress = Callable[[Event], None]


class BatchOptions(msgspec.Struct, frozen=True, kw_only=True):
    """How a batch is made (the build command's options, less the mail's)."""

    output: str | Path | None = None  # the one file of a single brief
    template: str | Path | None = None  # a bundled template's name, or a folder
    page_size: str | None = None  # "A4", "Letter"; the template's own when None
    guide_dirs: tuple[str | Path, ...] = ()  # more folders of guides
    rates: tuple[Rate, ...] = ()  # exchange rates for pairs the offers state none for (--fx)
    jobs: int | None = None  # worker processes (batch.default_jobs() when None)
    time_limit: float | None = None  # seconds one brief may take (batch.TIME_LIMIT; 0: none)
    lock: bool = False  # each brief encrypted, its password in passwords.csv
    strict: bool = False  # a brief with a warning is held back: not written, not sent
    counter: str | Path | None = None  # each candidate's counter-offer draft (.eml) written here
    shard: tuple[int, int] | None = None  # (I, N): this run makes the I-th of N shares
    many: bool = True  # a batch: a manifest, and every line names its input
    day: date | None = None  # the briefs' date (files.clock.today() when None)
    backend: str = "reportlab"  # the PDF back end, by its name in render.registry (--backend)
    force: bool = False  # `output` replaced even when it holds another person's brief, or no brief
    guide_max_age: int = 12  # months: a guide older than this is flagged (--guide-max-age)
    pdf_standards: tuple[str, ...] = ()  # --pdf-standard: "ua-1", "a-2b" (else the template's)


def with_paths(options: BatchOptions) -> BatchOptions:
    """`options` with each of its files and folders as a Path (they may be given as text)."""
    return msgspec.structs.replace(
        options,
        output=Path(options.output) if options.output is not None else None,
        guide_dirs=tuple(map(Path, options.guide_dirs)),
        counter=Path(options.counter) if options.counter is not None else None,
    )


class BatchRun(msgspec.Struct):
    """What became of a batch: each outcome (pipeline.Outcome; its brief without its PDF bytes,
    which are in the file at outcome.path, or its counter draft), the lines worth reporting,
    and where the manifest is (None when it could not be written)."""

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
    postman: Courier | None = None  # the mail stage (notes, problems, held, summary), when mailed
    # the offers whose deadline has passed or is URGENT_DAYS or fewer away (advice.callprep),
    # soonest first: (its input's label, the candidate, the deadline, the days left)
    urgent: list[tuple[str, str, date, int]] = msgspec.field(default_factory=list)
    names: dict[str, str] = msgspec.field(default_factory=dict)  # a failed row's label: its candidate

    @property
    def internal(self) -> bool:
        """Whether any item met a bug of ours."""
        return any(isinstance(error, InternalError) for _, error in self.failures)

    def failure_lines(self, many: bool = True) -> list[str]:
        """Each failure's one line (errors.describe), each starting with its input unless
        `many` is false (one offer file, whose errors name it already)."""
        return [describe(error, label, many, self.names.get(label, "")) for label, error in self.failures]


def run_batch(
    inputs: Iterable[Path],
    folder: Path,
    options: BatchOptions,
    courier: Courier | None = None,
    progress: Progress | None = None,
    keep: Keep | None = None,
) -> BatchRun:
    """Make the brief of every offer in `inputs` into `folder`, with its manifest, passwords
    and counter drafts; post each to `courier` when given; report each step to `progress`."""
    from ..offers.inputs import expand
    from ..pdf.passwords import PasswordBook
    from ..render.registry import check, check_standards
    from .manifest import shard_name

    check(options.backend)  # an unknown back end: refused before anything is made or written
    check_standards(options.backend, options.pdf_standards)
    options = with_paths(options)
    run = BatchRun([], folder=folder, postman=courier)
    passwords = PasswordBook(folder) if options.lock else None
    batch = _batch(folder, options, passwords, keep)
    report = progress or (lambda event: None)
    with ExitStack() as finally_:  # closed in reverse order, also on errors and Ctrl-C
        manifest = Manifest(folder, shard_name(options.shard)) if options.many else None
        if manifest is not None:
            finally_.callback(manifest.close)
        outcomes = batch.run(share(expand(tuple(inputs)), options.shard))
        finally_.callback(outcomes.close)
        for made in outcomes:
            outcome, events = _record(run, made, options)
            for event in events:
                report(event)
            if manifest is not None:
                manifest.add(outcome)
            run.outcomes.append(_let_go(outcome))
        run.manifest = _close(manifest, folder, run.problems) if manifest is not None else None
        run.urgent.sort(key=lambda u: (u[3], u[0]))
        _close_passwords(passwords, run)
    for problem in run.problems:
        report(Problem(problem))
    return run


def _batch(folder: Path, options: BatchOptions, passwords: PasswordBook | None, keep: Keep | None) -> Batch:
    """The batch of a run: its settings, workers, one output file, time limit per brief."""
    from .batch import TIME_LIMIT, Batch, Settings, default_jobs

    settings = Settings(
        options.template,
        options.page_size,
        tuple(map(Path, options.guide_dirs)),
        options.day or today(),
        options.rates,
        counter=options.counter is not None,
        lock=options.lock,
        backend=options.backend,
        guide_max_age=options.guide_max_age,
        pdf_standards=tuple(options.pdf_standards),
    )
    return Batch(
        folder,
        settings,
        jobs=options.jobs or default_jobs(),
        output=Path(options.output) if options.output is not None else None,
        passwords=passwords,
        strict=options.strict,
        time_limit=TIME_LIMIT if options.time_limit is None else options.time_limit,
        force=options.force,
        keep=keep,
    )


def _let_go(outcome: Outcome) -> Outcome:
    """The outcome to keep, without its counter draft: once written, a draft is on disk, as
    the brief is (an Outcome never holds a PDF's bytes), so a batch of 10,000 keeps little."""
    if outcome.brief is None or outcome.brief.counter is None:
        return outcome
    return msgspec.structs.replace(outcome, brief=msgspec.structs.replace(outcome.brief, counter=None))


def count_items(inputs: Iterable[Path], shard: tuple[int, int] | None = None) -> int:
    """How many briefs `run_batch` would make of `inputs` (for a progress bar)."""
    from ..offers.inputs import expand

    return sum(1 for _ in share(expand(tuple(inputs)), shard))


def _record(run: BatchRun, outcome: Outcome, options: BatchOptions) -> tuple[Outcome, list[Event]]:
    """Count `outcome` in `run`; the mail stage's record of it (as it came when not mailed)
    and what it reports: its brief (or failure), its counter draft, its message."""
    events: list[Event] = []
    label = outcome.item.label
    _urgent(run, outcome)
    if outcome.ok and outcome.brief is not None:
        run.made += 1
        run.warnings += [f"{label}: {w}" for w in outcome.brief.warnings]
        events.append(_made(outcome))
        if options.counter is not None and outcome.brief.counter is not None:
            events += _write_counter(Path(options.counter), outcome, options.output is not None, run)
    elif outcome.error is not None:  # in a batch every line names its input; one offer's its file
        run.failures.append((label, outcome.error))
        if outcome.item.who:
            run.names[label] = outcome.item.who
        events.append(_failed(label, outcome, options.many))
    if run.postman is not None:
        outcome, mailed = run.postman.post(outcome)
        if mailed is not None:
            events.append(mailed)
    return outcome, events


def _urgent(run: BatchRun, outcome: Outcome) -> None:
    """List `outcome` among the urgent ones when its deadline has passed or is near."""
    from ..advice.callprep import URGENT_DAYS

    brief = outcome.brief
    if brief is None or brief.deadline is None or brief.days_left is None:
        return
    if brief.days_left <= URGENT_DAYS:
        run.urgent.append((outcome.item.label, brief.candidate, brief.deadline, brief.days_left))


def _made(outcome: Outcome) -> BriefMade:
    assert outcome.path is not None
    return BriefMade(
        outcome.item.label, str(outcome.path), outcome.pages, outcome.size, outcome.sha256, outcome.warnings
    )


def _failed(label: str, outcome: Outcome, many: bool) -> BriefFailed:
    assert outcome.error is not None
    internal = isinstance(outcome.error, InternalError)
    said = describe(outcome.error, label, many, outcome.item.who)
    return BriefFailed(label, said, held=outcome.held, internal=internal)


def share(items: Iterable[Item], shard: tuple[int, int] | None) -> Iterator[Item]:
    """The items of this shard (all of them without one)."""
    from .shard import shard_of

    if shard is None:
        return iter(items)
    return (item for item in items if shard_of(item.identity, shard[1]) == shard[0])


def _close(manifest: Manifest, folder: Path, problems: list[str]) -> Path | None:
    """Finish the manifest; when it cannot be written (a full disk), say so as one more problem
    that names where the briefs are."""
    try:
        return manifest.close()
    except OutputError as exc:
        problems.append(f"{exc}; the briefs that were made are in {folder}")
        return None


def _close_passwords(passwords: PasswordBook | None, run: BatchRun) -> None:
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


def _write_counter(folder: Path, outcome: Outcome, named: bool, run: BatchRun) -> list[Event]:
    """Write the counter-offer e-mail of `outcome` as <name>-<guide>-counter.eml (the brief's
    default name, or its distinct name in a batch); its event, or a failure of the run."""
    from ..compose.counter import counter_name
    from ..files.output import write_atomic

    assert outcome.brief is not None and outcome.brief.counter is not None and outcome.path is not None
    pdf_name = outcome.brief.name if named else outcome.path.name
    try:
        path = write_atomic(folder / counter_name(pdf_name), outcome.brief.counter)
    except BriefError as exc:
        run.failures.append((outcome.item.label, exc))
        return [Problem(describe(exc, outcome.item.label, many=True))]
    return [CounterWritten(outcome.item.label, str(path))]

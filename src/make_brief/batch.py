"""Many briefs in one run: the one pipeline, item by item, in parallel worker processes.

Each item (an offer file or a table row, see inputs.py) is made by a per-item function,
`make_item` by default: load and validate the offer, then `pipeline.make_pdf`. Workers send
back the PDF bytes; the parent writes each brief as soon as it is ready, in input order, under
a name no other brief of the batch has, so that the same inputs always give the same files. At
most a few items per worker are in flight, so memory stays flat however long the batch is.

A bad item never stops the batch: its error is kept with it, and the rest go on. A worker that
dies (killed, out of memory) is replaced; the items it may have held are retried one at a time
so that only the one at fault fails.

The per-item function can be replaced (`Batch(work=...)`), which is how batch logic is tested
apart from rendering; it must be a module-level function so that workers can receive it.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from .errors import BriefError, InternalErrorLine
from .fx import Rate
from .inputs import Item, error_line, load_item
from .manifest import MANIFEST, Manifest  # noqa: F401  (the batch's manifest, as before)

if TYPE_CHECKING:  # worker processes are imported only for a batch: one brief needs none
    from concurrent.futures import Future, ProcessPoolExecutor

    from .passwords import PasswordBook

IN_FLIGHT_PER_JOB = 3


class Settings(msgspec.Struct, frozen=True):
    """What every item of a batch is made with."""

    template: str | Path | None = None
    page_size: str | None = None
    guide_dirs: tuple[Path, ...] = ()
    day: date | None = None  # one date for the whole batch, even across midnight
    rates: tuple[Rate, ...] = ()  # exchange rates shared by the batch (--fx); an offer's own win
    counter: bool = False  # also draft each candidate's counter-offer e-mail (counter.py)
    lock: bool = False  # --lock: each brief encrypted (AES-256), its password in passwords.csv


DEFAULTS = Settings()


class Built(msgspec.Struct, frozen=True):
    """A brief made by a worker, and what the rest of the batch needs to know of its offer."""

    name: str  # its default file name: <candidate>-<guide>.pdf
    pdf: bytes
    pages: int
    candidate: str
    email: str | None
    guide: str
    role: str = ""
    company: str = ""
    region: str = ""
    warnings: tuple[str, ...] = ()
    content: str = ""  # what the brief says (pipeline.content_key): the journal's key
    counter: bytes | None = None  # the counter-offer e-mail (.eml), when asked for and possible
    password: str = ""  # a locked brief's: for passwords.csv only, never a message or the manifest


Work = Callable[[Item, Settings], Built]


def make_item(item: Item, settings: Settings) -> Built:
    """The per-item work: load and validate the offer, make its PDF (runs in a worker)."""
    from .output import default_name
    from .pipeline import content_key, make_pdf

    offer = load_item(item, settings.guide_dirs, settings.rates)
    made = make_pdf(offer, settings.template, settings.page_size, settings.day, lock=settings.lock)
    content = content_key(offer, settings.template, settings.page_size)
    counter, problem = None, None
    if settings.counter:
        from .counter import draft_counter
        from .pipeline import today

        counter, problem = draft_counter(offer, settings.template, settings.day or today())
    return Built(
        name=default_name(offer.name, offer.guide.id),
        pdf=made.pdf,
        pages=made.pages,
        candidate=offer.name,
        email=offer.email,
        guide=offer.guide.id,
        role=offer.guide.role,
        company=offer.guide.company,
        region=offer.region.name,
        warnings=tuple(made.warnings) + ((problem,) if problem else ()),
        content=content,
        counter=counter,
        password=made.password,
    )


class Outcome(msgspec.Struct):
    """What became of one item: its brief and where it was written, or its one-line error."""

    item: Item
    built: Built | None = None
    error: str | None = None
    path: Path | None = None
    sha256: str = ""
    mail: str = ""  # what the mail step did with it ("sent", "no e-mail", ...)
    recipient: str = ""
    locked: bool = False
    size: int = 0
    held: bool = False  # made with a warning and not written (--strict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        return "ok" if self.ok else "held" if self.held else "failed"


def attempt(work: Work, item: Item, settings: Settings) -> tuple[Built | None, str | None]:
    """`work` on `item`, with any error as its one line (runs in a worker)."""
    if item.error is not None:
        return None, item.error
    try:
        return work(item, settings), None
    except BriefError as exc:
        return None, error_line(item.label, exc)
    except Exception as exc:  # a bug of ours must not stop the batch, nor pass for the user's error
        if os.environ.get("MAKE_BRIEF_DEBUG"):
            raise
        return None, InternalErrorLine.of(item.label, exc)


def default_jobs() -> int:
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return counter() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


class Batch:
    """Makes the briefs of many items into `out_dir`, yielding each outcome in input order."""

    def __init__(
        self,
        out_dir: Path,
        settings: Settings = DEFAULTS,
        *,
        jobs: int = 1,
        work: Work = make_item,
        output: Path | None = None,
        passwords: PasswordBook | None = None,
        strict: bool = False,
    ) -> None:
        self.strict = strict  # a brief with a warning is held back: not written, not sent
        self.out_dir = out_dir
        self.passwords = passwords  # where a locked brief's password goes (--lock)
        self.settings = settings
        self.jobs = max(1, jobs)
        self.work = work
        self.output = output  # one item only: the file to write
        self.taken: set[str] = set()

    def run(self, items: Iterable[Item]) -> Generator[Outcome, None, None]:
        for item, (built, error) in self._results(iter(items)):
            outcome = Outcome(item, built, error)
            if built is not None and self.strict and built.warnings:
                outcome.held = True
                said = "; ".join(built.warnings)
                outcome.error = f"{item.label}: held back by --strict, not written: {said}"
            elif built is not None:
                self._write(outcome, built)
            yield outcome

    def _write(self, outcome: Outcome, built: Built) -> None:
        from .output import write_atomic

        path = self.output or self.out_dir / self._distinct(built.name)
        try:
            if built.password and self.passwords is not None:  # first: no brief without its password
                self.passwords.add(path, built.candidate, built.password)
            write_atomic(path, built.pdf)
        except BriefError as exc:
            outcome.error = error_line(outcome.item.label, exc)
            return
        outcome.path = path
        outcome.sha256 = hashlib.sha256(built.pdf).hexdigest()
        outcome.locked = bool(built.password)

    def _distinct(self, name: str) -> str:
        """`name`, or `name` with -2, -3, ... when another brief of this batch has it already."""
        stem, suffix = os.path.splitext(name)
        candidate, number = name, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{stem}-{number}{suffix}"
        self.taken.add(candidate)
        return candidate

    # --- parallel work, in input order ------------------------------------------------------

    def _results(self, items: Iterator[Item]) -> Iterator[tuple[Item, tuple[Built | None, str | None]]]:
        head = list(islice(items, 2))
        source = chain(head, items)
        if self.jobs == 1 or len(head) < 2:  # no worker processes for one brief
            for item in source:
                yield item, attempt(self.work, item, self.settings)
        else:
            yield from self._parallel(source)

    def _parallel(self, source: Iterator[Item]) -> Iterator[tuple[Item, tuple[Built | None, str | None]]]:
        from concurrent.futures.process import BrokenProcessPool

        pool = _pool(self.jobs, self._warm())
        pending: deque[tuple[Item, Future]] = deque()
        window = self.jobs * IN_FLIGHT_PER_JOB
        try:
            while True:
                while len(pending) < window and (item := next(source, None)) is not None:
                    pending.append((item, self._submit(pool, item)))
                if not pending:
                    return
                item, future = pending.popleft()
                try:
                    result = future.result()
                except BrokenProcessPool:
                    pass
                else:
                    yield item, result
                    continue
                # A worker died. Any item in flight may be the cause: retry each one alone.
                suspects = [item, *(i for i, _ in pending)]
                pending.clear()
                pool = _replace(pool, self.jobs, self._warm())
                for suspect in suspects:
                    try:
                        result = self._submit(pool, suspect).result()
                    except BrokenProcessPool:
                        result = (None, f"{suspect.label}: the worker making this brief stopped unexpectedly")
                        pool = _replace(pool, self.jobs, self._warm())
                    yield suspect, result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _warm(self) -> Settings | None:
        """What workers load before their first item (warm.py): only for the real work."""
        return self.settings if self.work is make_item else None

    def _submit(self, pool: ProcessPoolExecutor, item: Item) -> Future:
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        done: Future = Future()
        if item.error is not None:  # an input that failed before any work: no worker needed
            done.set_result((None, item.error))
            return done
        try:
            return pool.submit(attempt, self.work, item, self.settings)
        except BrokenProcessPool as exc:  # found broken now: handled when this item's turn comes
            done.set_exception(exc)
            return done


def _pool(jobs: int, warm: Settings | None = None) -> ProcessPoolExecutor:
    """Worker processes started by a fork server (or spawned): never forked from a parent that
    may run threads, and warm, because the server has imported the pipeline once and each
    worker loads the batch's template before its first item (`warm`, see warm.py)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context: multiprocessing.context.BaseContext
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["make_brief.batch", "make_brief.pipeline", "make_brief.warm"])
    else:  # pragma: no cover - Windows
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=worker_start, initargs=(os.getpid(), warm)
    )


def worker_start(parent: int, warm: Settings | None = None) -> None:
    """In each worker: Ctrl-C is the parent's to handle (one line, not a traceback per worker),
    and the worker exits when the batch's process is gone (killed, or out of memory) instead of
    living on as an orphan. The worker's own parent is the fork server, which lives as long as
    any worker does, so it is the batch's pid that is watched; then the fork server exits too."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    first = os.getppid()

    def watch() -> None:
        import time

        while True:
            time.sleep(0.5)
            if os.getppid() != first or not _alive(parent):  # a spawned worker's parent changes
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    if warm is not None:
        from .warm import warm_up

        warm_up(warm)


def _alive(pid: int) -> bool:
    """Whether `pid` runs: a process that was killed but not yet reaped (a zombie) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc (macOS): the signal check is all there is
        return True


def _replace(pool: ProcessPoolExecutor, jobs: int, warm: Settings | None = None) -> ProcessPoolExecutor:
    pool.shutdown(wait=True, cancel_futures=True)
    return _pool(jobs, warm)

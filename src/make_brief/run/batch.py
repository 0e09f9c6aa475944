"""Many briefs in one run: the one pipeline, item by item, in parallel worker processes.

Each item (an offer file or a table row, see inputs.py) is made by a per-item function,
`make_item` by default: load and validate the offer, then `pipeline.make`. Workers send
back the PDF bytes; the parent writes each brief as soon as it is ready, in input order, under
a name no other brief of the batch has, so that the same inputs always give the same files. At
most a few items per worker are in flight, so memory stays flat however long the batch is.

A bad item never stops the batch: its error is kept with it, and the rest go on. A worker that
dies (killed, out of memory) is replaced; the items it may have held are retried one at a time
so that only the one at fault fails. A brief that takes longer than the time limit (a template
that loops without end) is stopped: by an alarm in the process making it (POSIX, main thread:
a worker, or the one process of a single brief), and, should that not stop it (a long call
inside C), by the batch, which kills its worker at twice the limit (plus a worker's start-up)
and replaces the pool; the other briefs in flight are made again.

The per-item function can be replaced (`Batch(work=...)`), which is how batch logic is tested
apart from rendering; it must be a module-level function so that workers can receive it.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from ..errors import BriefError, Failure, HeldError, InternalError, WorkerError
from ..offers.inputs import Item, load_item
from .manifest import MANIFEST, Manifest  # noqa: F401  (the batch's manifest, as before)
from .pipeline import DEFAULTS, Brief, Outcome, Settings, written

if TYPE_CHECKING:  # worker processes are imported only for a batch: one brief needs none
    from concurrent.futures import Future, ProcessPoolExecutor

    from ..pdf.passwords import PasswordBook

IN_FLIGHT_PER_JOB = 3
TIME_LIMIT = 120.0  # seconds one brief may take (--time-limit, MAKE_BRIEF_TIME_LIMIT); 0: none
WORKER_START = 5.0  # seconds a new worker may take to start and warm up, past twice the limit


Work = Callable[[Item, Settings], Brief]
# (the file about to be replaced, the new brief's sha256, its content key) → the copy the candidate has
Keep = Callable[[Path, str, str], "Path | None"]


def make_item(item: Item, settings: Settings) -> Brief:
    """The per-item work: load and validate the offer, then the make stage (in a worker)."""
    from .pipeline import make

    return make(load_item(item, settings.guide_dirs, settings.rates), settings)


Attempt = tuple[Brief | None, Failure | None]


def attempt(work: Work, item: Item, settings: Settings, time_limit: float = 0) -> Attempt:
    """`work` on `item`, with any error as the error object (runs in a worker; BriefError and
    InternalError both reach the batch whole), stopped after `time_limit` seconds when it can be."""
    if item.error is not None:
        return None, item.error
    try:
        with _alarm(time_limit):
            return work(item, settings), None
    except _TimeUp:
        return None, overtime(item, time_limit)
    except BriefError as exc:
        return None, exc
    except Exception as exc:  # a bug of ours must not stop the batch, nor pass for the user's error
        if os.environ.get("MAKE_BRIEF_DEBUG"):
            raise
        return None, InternalError.of(item.label, exc)


class _TimeUp(BaseException):
    """The time limit of one brief passed (a BaseException: no `except Exception` takes it)."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise _TimeUp in this thread after `seconds`: POSIX, main thread only (elsewhere the
    batch's own wait is the limit); the previous handler and timer are put back after."""
    import signal
    import threading

    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def up(signum: int, frame: object) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def overtime(item: Item, seconds: float) -> WorkerError:
    """The error of a brief stopped at the time limit."""
    return WorkerError(
        f"making this brief took longer than {seconds:g} s (the limit for one brief); it was stopped",
        file=item.label,
        hint="a template that loops or writes without end? --time-limit or MAKE_BRIEF_TIME_LIMIT raises it",
    )


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
        time_limit: float = TIME_LIMIT,
        force: bool = False,
        keep: Keep | None = None,
    ) -> None:
        self.keep = keep  # before a brief replaces a file: the version that went, kept (deliver.kept)
        self.force = force  # --force: `output` replaced whatever it holds
        self.time_limit = time_limit  # seconds one brief may take; 0: no limit
        self.strict = strict  # a brief with a warning is held back: not written, not sent
        self.out_dir = out_dir
        self.passwords = passwords  # where a locked brief's password goes (--lock)
        self.settings = settings
        self.jobs = max(1, jobs)
        self.work = work
        self.output = output  # one item only: the file to write
        self.taken: set[str] = set()

    def run(self, items: Iterable[Item]) -> Generator[Outcome, None, None]:
        for item, (brief, error) in self._results(iter(items)):
            yield self._outcome(item, brief, error)

    def _outcome(self, item: Item, brief: Brief | None, error: Failure | None) -> Outcome:
        """The write stage's record of one item, made once: its brief written, held back
        (--strict) or its error."""
        if brief is None:
            return Outcome(item, None, error)
        if self.strict and brief.warnings:
            said = "; ".join(brief.warnings)
            held = HeldError(f"held back by --strict, not written: {said}", file=item.label)
            return Outcome(item, brief.without_pdf(), held, held=True)
        try:
            path, copy = self._write(brief)
        except BriefError as exc:
            return Outcome(item, brief.without_pdf(), exc)
        return msgspec.structs.replace(written(item, brief, path), sent_copy=copy)

    def _write(self, brief: Brief) -> tuple[Path, Path | None]:
        """Where the brief was written, and the copy kept of the version that went (or None)."""
        from ..files.output import write_atomic

        path = self.output or self.out_dir / self._distinct(brief.name)
        if self.output is not None and not self.force:
            _may_replace(path, brief.candidate)
        copy = self.keep(path, hashlib.sha256(brief.pdf).hexdigest(), brief.content) if self.keep else None
        if brief.password and self.passwords is not None:  # first: no brief without its password
            self.passwords.add(path, brief.candidate, brief.password)
        return write_atomic(path, brief.pdf), copy

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

    def _results(self, items: Iterator[Item]) -> Iterator[tuple[Item, Attempt]]:
        head = list(islice(items, 2))
        source = chain(head, items)
        if self.jobs == 1 or len(head) < 2:  # no worker processes for one brief
            for item in source:
                yield item, attempt(self.work, item, self.settings, self.time_limit)
        else:
            yield from self._parallel(source)

    def _parallel(self, source: Iterator[Item]) -> Iterator[tuple[Item, Attempt]]:
        from concurrent.futures.process import BrokenProcessPool

        pool = _pool(self.jobs, self._warm(), self.settings.backend)
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
                    result = self._wait(future)
                except BrokenProcessPool:
                    pass
                except _OverdueError:  # its worker is stuck: stop it; the others in flight start again
                    pool = _replace(_killed(pool), self.jobs, self._warm(), self.settings.backend)
                    pending = deque((i, f if _finished(f) else self._submit(pool, i)) for i, f in pending)
                    yield item, (None, overtime(item, self.time_limit))
                    continue
                else:
                    yield item, result
                    continue
                # A worker died. Any item in flight may be the cause: retry each one alone.
                suspects = [item, *(i for i, _ in pending)]
                pending.clear()
                pool = _replace(pool, self.jobs, self._warm(), self.settings.backend)
                for suspect in suspects:
                    try:
                        result = self._wait(self._submit(pool, suspect))
                    except BrokenProcessPool:
                        result = (None, _stopped(suspect))
                        pool = _replace(pool, self.jobs, self._warm(), self.settings.backend)
                    except _OverdueError:
                        result = (None, overtime(suspect, self.time_limit))
                        pool = _replace(_killed(pool), self.jobs, self._warm(), self.settings.backend)
                    yield suspect, result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _wait(self, future: Future) -> Attempt:
        """The result of the item at the head of the line. It is running (items start in the
        order they were given), and the worker's own alarm stops it at the time limit; a worker
        that has not answered at twice the limit (and the time a new worker takes to start) is
        stuck (_OverdueError)."""
        from concurrent.futures import TimeoutError as FutureTimeout

        try:
            wait = 2 * self.time_limit + WORKER_START if self.time_limit > 0 else None
            return future.result(timeout=wait)
        except FutureTimeout:
            raise _OverdueError from None

    def _warm(self) -> Settings | None:
        """What workers load before their first item (the back end's warm_up): only for the real work."""
        return self.settings if self.work is make_item else None

    def _submit(self, pool: ProcessPoolExecutor, item: Item) -> Future:
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        done: Future = Future()
        if item.error is not None:  # an input that failed before any work: no worker needed
            done.set_result((None, item.error))
            return done
        try:
            return pool.submit(attempt, self.work, item, self.settings, self.time_limit)
        except BrokenProcessPool as exc:  # found broken now: handled when this item's turn comes
            done.set_exception(exc)
            return done


def _stopped(item: Item) -> WorkerError:
    """The error of an item whose worker died. When make-brief runs inside someone's own
    script, the usual cause is a script that is not guarded by ``if __name__ == "__main__"``:
    each worker imports it, runs the batch again and stops, so the line says so."""
    import sys

    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    ours = script is None or Path(script).name in ("make-brief", "__main__.py", "make-brief.exe")
    hint = (
        None
        if ours
        else f"if {Path(str(script)).name} calls make-brief's batch, call it under"
        ' `if __name__ == "__main__":`, as worker processes import the script'
    )
    return WorkerError("the worker making this brief stopped unexpectedly", file=item.label, hint=hint)


def _pool(jobs: int, warm: Settings | None = None, backend: str = "reportlab") -> ProcessPoolExecutor:
    """Worker processes started by a fork server (or spawned): never forked from a parent that
    may run threads, and warm, because the server has imported the pipeline (and the modules
    the back end names in its `preload`) once and each worker loads the batch's template
    before its first item (`warm`, the back end's warm_up: see render/reportlab/warm.py)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ..render.registry import exported, get

    methods = multiprocessing.get_all_start_methods()
    context: multiprocessing.context.BaseContext
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(
            ["make_brief.run.batch", "make_brief.run.pipeline", *get(backend).preload]
        )
        _start_fork_server_deaf_to_ctrl_c()
    else:  # pragma: no cover - Windows
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=worker_start,
        initargs=(os.getpid(), warm, exported()),
    )


def _start_fork_server_deaf_to_ctrl_c() -> None:
    """Start the fork server with Ctrl-C ignored, so that every worker it forks ignores it from
    its first instruction: a worker restores the fork server's own first disposition, and one
    still starting when Ctrl-C came would print a KeyboardInterrupt traceback of its own before
    `worker_start` could ignore it. The batch's process handles Ctrl-C (one line, exit 130).
    Only from the main thread (the only one that may set a signal's handler); a fork server
    already running is left as it is."""
    import signal
    import threading
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the server's exec
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def worker_start(parent: int, warm: Settings | None = None, backends: dict[str, str] | None = None) -> None:
    """In each worker: Ctrl-C is the parent's to handle (one line, not a traceback per worker),
    and the worker exits when the batch's process is gone (killed, or out of memory) instead of
    living on as an orphan. The worker's own parent is the fork server, which lives as long as
    any worker does, so it is the batch's pid that is watched; then the fork server exits too.
    The back ends the batch's process registered by import path (`backends`) are registered
    here too, before the worker warms up with the batch's back end."""
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
    from ..render.registry import get, register

    for name, where in (backends or {}).items():
        register(name, where)
    if warm is not None:
        from ..files.clock import today

        get(warm.backend).warm_up(warm.template, warm.day or today())


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


class _OverdueError(Exception):
    """A worker has not answered at twice the time limit: it is killed."""


def _finished(future: Future) -> bool:
    """Whether `future` holds a result (made before its pool was killed): kept, not made again."""
    return future.done() and not future.cancelled() and future.exception() is None


def _killed(pool: ProcessPoolExecutor) -> ProcessPoolExecutor:
    """`pool` with its worker processes killed, so that shutting it down waits for none."""
    kill = getattr(pool, "kill_workers", None)  # Python 3.14+
    if kill is not None:
        kill()
        return pool
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # before 3.14: no API
        process.kill()
    return pool


def _replace(
    pool: ProcessPoolExecutor, jobs: int, warm: Settings | None = None, backend: str = "reportlab"
) -> ProcessPoolExecutor:
    pool.shutdown(wait=True, cancel_futures=True)
    return _pool(jobs, warm, backend)


def _may_replace(path: Path, candidate: str) -> None:
    """Refuse to replace the file at `path` (-o FILE) unless it is this candidate's brief
    already (re-made in place, quietly): another person's brief, a locked PDF no password in
    passwords.csv opens, or a file that is no brief stays as it is without --force."""
    import stat

    from ..errors import OutputError
    from ..pdf.passwords import known
    from ..pdf.whose import whose

    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):  # a link is replaced, never written through
            return
    except OSError:  # none there (or a name the writer will refuse in its own words)
        return
    found = whose(path, known(path))
    if found.kind == "brief" and found.candidate == candidate:
        return
    held = {
        "brief": f"holds the brief of {found.candidate}, not of {candidate}",
        "locked": "is a locked PDF that no password in passwords.csv opens (whose brief it is"
        " cannot be told)",
        "other": "is a file that is not a brief",
    }[found.kind]
    raise OutputError(f"{held}: not replaced", file=path, hint="give another -o, or --force to replace it")

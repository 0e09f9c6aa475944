"""The send journal: one SQLite file per sender recording each message sent.

It lives in the user's data folder (platformdirs: ``$XDG_DATA_HOME/make-brief/journals`` or
``~/.local/share/make-brief/journals`` on Linux, ``~/Library/Application Support/...`` on a
Mac), one file per sender address, so a re-run into another output folder mails nobody twice.
``--journal PATH`` chooses another file.

A message is keyed by what its brief says (``pipeline.content_key``: the offer, the guide, the
template and the version, not the day nor the PDF's bytes) and its recipient. Before a message
goes out it is claimed (state ``sending``); when the server has accepted it, it becomes
``sent``; when the server refused it outright, the claim is dropped so the next run tries again.
A claim left by a connection cut during or after DATA, or by a run killed while sending, stays:
that message may have arrived, so it is held until the user releases it (``make-brief journal
release``).

A claim is an INSERT into a primary key plus a unique index on (recipient, guide) over the
claims in progress: two runs sharing the journal can never both send a version of the same
brief to the same person; the second one holds.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timezone
from pathlib import Path

import msgspec

from ..errors import (
    JournalError,
)
from ..files.fs import shown

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    content    TEXT NOT NULL,   -- what the brief says (pipeline.content_key)
    recipient  TEXT NOT NULL,
    guide      TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('sending', 'sent')),
    sha256     TEXT NOT NULL,   -- the PDF's bytes, as sent
    input      TEXT NOT NULL,
    file       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    run        TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (content, recipient)
);
CREATE INDEX IF NOT EXISTS by_guide ON messages (recipient, guide);
CREATE UNIQUE INDEX IF NOT EXISTS one_claim ON messages (recipient, guide) WHERE state = 'sending';
"""


class Entry(msgspec.Struct, frozen=True):
    state: str
    at: str
    file: str
    content: str
    input: str
    run: str
    recipient: str = ""
    guide: str = ""


_COLUMNS = "state, at, file, content, input, run, recipient, guide"


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def default_path(sender: str) -> Path:
    """The journal of `sender` (an address) in the user's data folder."""
    import platformdirs

    name = re.sub(r"[^A-Za-z0-9@._+-]", "_", sender.strip().lower())[:120] or "sender"
    return platformdirs.user_data_path("make-brief", appauthor=False) / "journals" / f"{name}.sqlite"


class Journal:
    """The journal at `path`. Each change is its own transaction (SQLite in autocommit mode), on
    disk before the next step. Read-only, it is opened only if it exists and nothing is written;
    with no path at all (a dry run without a sender) it knows of nothing."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.run = uuid.uuid4().hex  # tells this run's messages from earlier runs' ones
        self.db: sqlite3.Connection | None = None
        self.alive: int | None = None  # this run's lock (see live()), held while it may send
        if path is None:
            return
        try:
            if path.exists() and path.is_file() and path.stat().st_size == 0:
                raise JournalError(
                    "the send journal is empty (0 bytes): it was cut short, so it cannot say what was sent",
                    file=path,
                    hint="restore it from a backup, or delete it to start afresh"
                    " (each output folder's delivery record still guards what was sent from it)",
                )
            if read_only:
                if path.exists():
                    self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
                    self.db.execute("SELECT count(*) FROM messages").fetchall()
            else:
                _create(path)
                self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
                self.db.executescript(_SCHEMA)
                self.alive = _hold_run_lock(path, self.run)
        except JournalError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(f"cannot open the send journal: {exc}", file=path) from None

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """What is read and written inside is one step for all runs sharing the journal (an
        immediate transaction): a check that nothing else went, then the claim, with no other
        run's claim or send in between."""
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the send journal: {exc}", file=self.path) from None
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        try:
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the send journal: {exc}", file=self.path) from None

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        if self.alive is not None and self.path is not None:
            _let_go_run_lock(self.path, self.run, self.alive)
            self.alive = None

    def live(self, run: str) -> str | None:
        """Whether the run `run` is still going: a few words on it (its pid and host, since
        when) while it holds its lock, else None (it ended or was stopped, even by kill -9,
        which lets go of every lock the process held)."""
        if self.path is None or not run:
            return None
        return _run_is_live(self.path, run)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _query(self, sql: str, args: tuple) -> list[Entry]:
        if self.db is None:
            return []
        try:
            return [Entry(*row) for row in self.db.execute(sql, args).fetchall()]
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the send journal: {exc}", file=self.path) from None

    def find(self, content: str, recipient: str) -> Entry | None:
        """This brief's message to this recipient, if one was sent (or claimed)."""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM messages WHERE content = ? AND recipient = ?", (content, recipient)
        )
        return rows[0] if rows else None

    def other(self, recipient: str, guide: str, content: str) -> Entry | None:
        """Another version of the same brief (candidate's address and guide) in the journal: a
        claim in progress first, else the latest one sent."""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM messages WHERE recipient = ? AND guide = ? AND content != ? "
            "ORDER BY state = 'sending' DESC, at DESC LIMIT 1",
            (recipient, guide, content),
        )
        return rows[0] if rows else None

    def entries(self, recipient: str | None = None) -> list[Entry]:
        where, args = ("WHERE recipient = ?", (recipient,)) if recipient else ("", ())
        return self._query(f"SELECT {_COLUMNS} FROM messages {where} ORDER BY at", args)

    def claim(
        self,
        content: str,
        recipient: str,
        *,
        guide: str,
        sha256: str,
        input: str,
        file: str,
        subject: str,
        message_id: str,
    ) -> bool:
        """Mark the message as being sent; False when this brief is in the journal already or
        another version of it is being sent to this recipient (by another run)."""
        try:
            cursor = self._db().execute(
                "INSERT OR IGNORE INTO messages VALUES (?, ?, ?, 'sending', ?, ?, ?, ?, ?, ?, ?)",
                (content, recipient, guide, sha256, shown(input), shown(file), subject, message_id)
                + (self.run, now()),
            )
            return cursor.rowcount == 1
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the send journal: {exc}", file=self.path) from None

    def sent(self, content: str, recipient: str) -> None:
        self._write(
            "UPDATE messages SET state = 'sent', at = ? WHERE content = ? AND recipient = ?",
            (now(), content, recipient),
        )

    def release(self, content: str, recipient: str) -> None:
        """The server refused the message: forget the claim, so a later run tries again."""
        self._write(
            "DELETE FROM messages WHERE content = ? AND recipient = ? AND state = 'sending'",
            (content, recipient),
        )

    def release_unconfirmed(self, recipient: str) -> int:
        """Forget the claims to `recipient` that may or may not have arrived: the user checked,
        and the next run sends them. Returns how many."""
        try:
            cursor = self._db().execute(
                "DELETE FROM messages WHERE recipient = ? AND state = 'sending'", (recipient,)
            )
            return cursor.rowcount
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the send journal: {exc}", file=self.path) from None

    def _write(self, sql: str, args: tuple) -> None:
        try:
            self._db().execute(sql, args)
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the send journal: {exc}", file=self.path) from None

    def _db(self) -> sqlite3.Connection:
        if self.db is None:
            raise JournalError("the send journal is open only for reading", file=self.path)
        return self.db


def _create(path: Path) -> None:
    """A new journal appears whole, never as the empty file SQLite starts with: another run
    starting at the same moment must not take it for one that was cut short. It is made under
    a temporary name by the one atomic writer (output.Pending) and linked into place; when
    another run linked its own first, that one is used."""
    from ..files.output import Pending

    if path.exists():
        return
    with Pending(path, 0o600, what="the send journal", error=JournalError) as new:
        new.close()  # SQLite writes the file by its name
        with closing(sqlite3.connect(new.part)) as db:
            db.executescript(_SCHEMA)
        new.commit(replace=False)


# --- which runs are live ----------------------------------------------------------------------
# Each run that may send holds an exclusive flock on <journal>.runs/<run>.lock for as long as its
# journal is open. The kernel lets go of it when the process ends, however it ends, so another
# run can tell a claim of a live run (a message in flight) from one that a stopped run left.


def _runs(path: Path) -> Path:
    return path.with_name(path.name + ".runs")


def _hold_run_lock(path: Path, run: str) -> int | None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no way to tell; claims read as stopped
        return None
    try:
        _runs(path).mkdir(mode=0o700, exist_ok=True)
        fd = os.open(_runs(path) / f"{run}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise JournalError(f"cannot write beside the send journal: {exc.strerror}", file=path) from None
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {now()}".encode())
    return fd


def _let_go_run_lock(path: Path, run: str, fd: int) -> None:
    try:
        (_runs(path) / f"{run}.lock").unlink()
    except OSError:
        pass
    os.close(fd)


def _run_is_live(path: Path, run: str) -> str | None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    lock = _runs(path) / f"{run}.lock"
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return None  # no lock: that run ended
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.read(fd, 200).decode("utf-8", "replace") or "a live run"
        try:
            lock.unlink()  # a stopped run's: nobody will take it again
        except OSError:
            pass
        return None
    finally:
        os.close(fd)

"""The send journal: an SQLite file in the output folder recording each message sent.

A message is keyed by the brief's content (the sha256 of its PDF) and its recipient, so a
re-run never sends the same brief to the same person twice, and a batch that died half-way
sends only what is left. Before a message goes out it is claimed (state ``sending``); when the
server has accepted it, it becomes ``sent``; when the server refused it, the claim is dropped
so that the next run tries again. A claim left by a run killed while sending stays: that
message may have arrived, so it is not sent again by itself (at most once).

A claim is an INSERT into a primary key, so two runs sharing the folder cannot both send.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path

import msgspec

from .errors import BriefError

FILE = "mail-journal.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    sha256     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    brief      TEXT NOT NULL,   -- the brief's default file name: <candidate>-<guide>.pdf
    state      TEXT NOT NULL CHECK (state IN ('sending', 'sent')),
    input      TEXT NOT NULL,
    file       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    run        TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (sha256, recipient)
);
CREATE INDEX IF NOT EXISTS by_brief ON messages (recipient, brief);
"""


class JournalError(BriefError):
    """The journal cannot be read or written."""


class Entry(msgspec.Struct, frozen=True):
    state: str
    at: str
    file: str
    sha256: str


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


class Journal:
    """The journal of the output folder `folder`. Each change is its own transaction (SQLite
    in autocommit mode), on disk before the next step. Read-only, it is opened only if it
    exists and nothing is written."""

    def __init__(self, folder: Path, *, read_only: bool = False) -> None:
        self.path = folder / FILE
        self.run = uuid.uuid4().hex  # tells this run's messages from earlier runs' ones
        self.db: sqlite3.Connection | None = None
        try:
            if read_only:
                if self.path.exists():
                    self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            else:
                folder.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                self.db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(f"cannot open the send journal: {exc}", file=self.path) from None

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        if self.db is None:
            return []
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the send journal: {exc}", file=self.path) from None

    def find(self, sha256: str, recipient: str) -> Entry | None:
        """This brief's message to this recipient, if one was sent (or claimed)."""
        rows = self._query(
            "SELECT state, at, file, sha256 FROM messages WHERE sha256 = ? AND recipient = ?",
            (sha256, recipient),
        )
        return Entry(*rows[0]) if rows else None

    def earlier(self, brief: str, recipient: str, sha256: str) -> Entry | None:
        """Another version of the same brief (candidate and guide) sent to this recipient by an
        earlier run: the brief changed since (a new date, a corrected offer)."""
        rows = self._query(
            "SELECT state, at, file, sha256 FROM messages WHERE recipient = ? AND brief = ? "
            "AND sha256 != ? AND run != ? ORDER BY at DESC LIMIT 1",
            (recipient, brief, sha256, self.run),
        )
        return Entry(*rows[0]) if rows else None

    def claim(
        self, sha256: str, recipient: str, *, brief: str, input: str, file: str, subject: str, message_id: str
    ) -> bool:
        """Mark the message as being sent; False when it is in the journal already."""
        try:
            cursor = self._db().execute(
                "INSERT OR IGNORE INTO messages VALUES (?, ?, ?, 'sending', ?, ?, ?, ?, ?, ?)",
                (sha256, recipient, brief, input, file, subject, message_id, self.run, now()),
            )
            return cursor.rowcount == 1
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the send journal: {exc}", file=self.path) from None

    def sent(self, sha256: str, recipient: str) -> None:
        self._write(
            "UPDATE messages SET state = 'sent', at = ? WHERE sha256 = ? AND recipient = ?",
            (now(), sha256, recipient),
        )

    def release(self, sha256: str, recipient: str) -> None:
        """The server refused the message: forget the claim, so a later run tries again."""
        self._write(
            "DELETE FROM messages WHERE sha256 = ? AND recipient = ? AND state = 'sending'",
            (sha256, recipient),
        )

    def _write(self, sql: str, args: tuple) -> None:
        try:
            self._db().execute(sql, args)
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the send journal: {exc}", file=self.path) from None

    def _db(self) -> sqlite3.Connection:
        if self.db is None:
            raise JournalError("the send journal is open only for reading", file=self.path)
        return self.db

"""The output folder's delivery record: what was sent from this folder, kept where no re-run
can erase it.

``deliveries.jsonl`` beside the manifests is append-only: one JSON object a line for each step
of each message (``sending`` before it goes, ``sent`` once the server took it, ``released``
when it was refused or the user released a message that may not have arrived), with the
recipient, what the brief says (its content key), the PDF's sha256, the Message-ID and when.
Nothing make-brief does rewrites or truncates it: a re-run, a re-render without mail options, a
correction, ``--resend-changed``, a shard retried, the mail stage; so when the send journal is
lost (a new laptop, a CI runner, a cleaned data folder) the folder still knows what went.

A line is written whole with one ``write`` to a file opened for appending, under an exclusive
``flock`` where the system has one, and flushed to disk before the message goes; a line cut
short by a crash is skipped when read. The last step of a message is its state.

The manifests of older versions of make-brief recorded a sent brief only as the ``mail`` cell
``sent`` (or ``already sent``): those rows still count as sent.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from ..errors import BriefError, OutputError

RECORD = "deliveries.jsonl"
TEST_RECORD = "deliveries-test.jsonl"  # --test-to's messages: apart, so the real run sends them all
EVENTS = ("sending", "sent", "released")


class Delivery(msgspec.Struct, frozen=True, omit_defaults=True):
    """One step of one message."""

    event: str  # one of EVENTS
    recipient: str
    content: str  # what the brief says (pipeline.content_key)
    guide: str
    at: str
    sha256: str = ""  # the PDF's bytes, as sent
    message_id: str = ""
    run: str = ""  # the run that took the step (journal.Journal.run)
    input: str = ""
    file: str = ""
    # the offer's figures the brief was made from, in the offer's own terms ("offer.base":
    # "120,000"), on its sending and sent steps: what a held line compares a changed brief with
    inputs: dict[str, str] = {}


_decode = msgspec.json.Decoder(Delivery)
_encode = msgspec.json.Encoder()


class Record:
    """The delivery record of `folder`, read whole on opening and again (what was added since)
    by refresh(); append() adds a step, on disk before it returns."""

    def __init__(self, folder: Path, name: str = RECORD) -> None:
        self.path = folder / name
        self.folder = folder
        self.last: dict[tuple[str, str], Delivery] = {}  # (content, recipient): its last step
        self.sent_by_guide: dict[tuple[str, str], Delivery] = {}  # (recipient, guide): latest sent
        # (recipient, guide): the messages whose last step is "sending", by content (no scan of
        # every message per brief: a batch of 10,000 looks each one up)
        self.sending: dict[tuple[str, str], dict[str, Delivery]] = {}
        self.offset = 0
        self._legacy()
        self.refresh()

    # --- reading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the steps other runs added since the last look."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise OutputError(f"cannot read the delivery record: {exc.strerror}", file=self.path) from None
        whole = data[: data.rfind(b"\n") + 1]  # a line still being written waits for the next look
        self.offset += len(whole)
        for line in whole.splitlines():
            try:
                step = _decode.decode(line)
            except msgspec.DecodeError:
                continue  # cut short by a crash, or not ours: it records nothing
            if step.event in EVENTS and step.recipient and step.content:
                self._take(step)

    def _take(self, step: Delivery) -> None:
        self.last[(step.content, step.recipient)] = step
        claims = self.sending.setdefault((step.recipient, step.guide), {})
        claims.pop(step.content, None)
        if step.event == "sending":
            claims[step.content] = step
        if step.event == "sent":
            self.sent_by_guide[(step.recipient, step.guide)] = step

    def _legacy(self) -> None:
        """Rows that manifests record as sent (the record's only form before it existed)."""
        from ..run.manifest import manifests, read

        for path in manifests(self.folder):
            try:
                rows = list(read(path))
            except BriefError:
                continue  # a damaged manifest guards nothing; the journal and the record still do
            for row in rows:
                sent = row.get("mail") in ("sent", "already sent")
                if sent and row.get("content") and row.get("recipient"):
                    step = Delivery(
                        "sent",
                        recipient_of(row["recipient"]),
                        row["content"],
                        row.get("guide", ""),
                        at=f"recorded in {path.name}",
                        sha256=row.get("sha256", ""),
                        input=row.get("input", ""),
                        file=row.get("output", ""),
                    )
                    self._take(step)

    def find(self, content: str, recipient: str) -> Delivery | None:
        """The last step of this brief's message to `recipient`, unless it was released."""
        step = self.last.get((content, recipient))
        return None if step is None or step.event == "released" else step

    def other(self, recipient: str, guide: str, content: str) -> Delivery | None:
        """Another version of the same brief (recipient and guide): one in flight or that may
        have arrived first, else the latest one sent."""
        pending = [s for c, s in self.sending.get((recipient, guide), {}).items() if c != content]
        if pending:
            return pending[-1]
        sent = self.sent_by_guide.get((recipient, guide))
        return sent if sent is not None and sent.content != content else None

    def went_with(self, recipient: str, guide: str) -> dict[str, str]:
        """The figures the latest version sent to `recipient` (of `guide`) was made from, as its
        sending step recorded them ({} when it did not: an earlier version of make-brief)."""
        sent = self.sent_by_guide.get((recipient, guide))
        return dict(sent.inputs) if sent is not None else {}

    def pending(self, recipient: str) -> list[Delivery]:
        """The messages to `recipient` whose last step is ``sending``."""
        return [s for (_, r), s in self.last.items() if r == recipient and s.event == "sending"]

    # --- writing -----------------------------------------------------------------------------

    def append(self, step: Delivery) -> None:
        """Add `step` to the record, whole and on disk (fsync) before returning."""
        line = _encode.encode(step) + b"\n"
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot write the delivery record: {exc.strerror}", file=self.path) from None
        try:
            _lock(fd)
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(28, "the line was cut short (disk full?)")
            os.fsync(fd)
        except OSError as exc:
            raise OutputError(f"cannot write the delivery record: {exc.strerror}", file=self.path) from None
        finally:
            os.close(fd)  # also lets go of the lock
        self._take(step)


def _lock(fd: int) -> None:
    """An exclusive lock for one append, where the system has flock (not Windows, whose appends
    of one write each are whole anyway)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def recipient_of(addr: str) -> str:
    """The journal's key of an address as a manifest writes it: the domain in lower case."""
    local, _, domain = addr.rpartition("@")
    return f"{local}@{domain.lower()}"


def release(folder: Path, recipient: str, run: str, at: str) -> int:
    """Release in `folder`'s record the messages to `recipient` that may or may not have
    arrived (the user checked); how many."""
    record = Record(folder)
    found = record.pending(recipient)
    for step in found:
        record.append(msgspec.structs.replace(step, event="released", at=at, run=run))
    return len(found)

"""The manifest: one CSV row per item of a batch, saying what was made from which input and
what became of its mail in the run that wrote it. The mail stage (``make-brief mail DIR``)
reads them back, so a row holds what a message needs (candidate, address, guide, what the brief
says). What was sent is kept by the journal and the folder's delivery record (delivered.py),
which no re-run rewrites.

Rows are written as they come, to a hidden ``.part`` file that becomes the manifest when the run
ends (also when it is interrupted), so a long batch never holds them in memory. The leftovers
of runs that were killed are removed when the next manifest is opened.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import OutputError

MANIFEST = "manifest.csv"
COLUMNS = (
    "input",
    "output",
    "status",
    "pages",
    "bytes",
    "sha256",
    "content",
    "candidate",
    "preferred_name",
    "email",
    "guide",
    "role",
    "company",
    "region",
    "deadline",
    "days_left",
    "recipient",
    "mail",
    "sent_copy",
    "locked",
    "warnings",
    "error",
)
_BYTES = "surrogateescape"  # paths are bytes on POSIX: a name that is not UTF-8 round-trips
_NAMES = re.compile(r"manifest(-\d+-of-\d+)?\.csv")
_WHOLE = re.compile(r"-?[0-9]+")


def shard_name(shard: tuple[int, int] | None) -> str:
    return MANIFEST if shard is None else f"manifest-{shard[0]}-of-{shard[1]}.csv"


class Manifest:
    """Rows written to a hidden file that becomes `name` in `folder` on close()."""

    def __init__(self, folder: Path, name: str = MANIFEST) -> None:
        from ..files.output import Pending

        self.path = folder / name
        self.pending = Pending(self.path, what="the manifest")  # the one atomic writer (output.py)
        # a folder name that is not UTF-8 keeps its bytes (surrogateescape), read back the same way
        self.handle = self.pending.open("w", encoding="utf-8", errors=_BYTES, newline="")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.writer.writerow(COLUMNS)
        self.written: set[str] = set()  # the briefs (file names) this manifest lists

    def add(self, outcome: Any) -> None:
        self.row(row_of(outcome))

    def row(self, values: dict[str, str]) -> None:
        if values.get("output"):
            self.written.add(Path(values["output"]).name)
        self.writer.writerow([_inert(values.get(column, "")) for column in COLUMNS])

    def close(self) -> Path:
        """Finish the manifest (atomically: the old one stays whole until the new one is). A
        manifest that cannot be finished leaves no .part behind."""
        if self.handle.closed:
            return self.path
        try:
            self._keep_earlier()
        except OSError as exc:  # the rows did not fit (a full disk)
            self.pending.discard()
            raise OutputError(f"cannot write the manifest: {exc.strerror}", file=self.path) from None
        return self.pending.commit()

    def _keep_earlier(self) -> None:
        """Another batch wrote into this folder before: keep its rows for the briefs still on
        disk that this run did not make again, each checked against the file's bytes, so the
        manifest lists what is in the folder (a row whose file is gone or was changed since is
        dropped; a damaged manifest keeps nothing)."""
        try:
            rows = list(read(self.path)) if self.path.is_file() else []
        except OutputError:
            return
        for row in rows:
            name = Path(row.get("output", "")).name
            if row.get("status") != "ok" or not name or name in self.written or not row.get("sha256"):
                continue
            try:
                data = (self.path.parent / name).read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == row["sha256"]:
                self.row({**row, "output": str(self.path.parent / name)})


def row_of(outcome: Any) -> dict[str, str]:
    """The manifest row of a pipeline.Outcome; its error column is the error's one line."""
    from ..errors import describe

    built = outcome.brief if outcome.ok else None
    row = {
        "input": outcome.item.label,
        "output": str(outcome.path or ""),
        "status": outcome.status,
        "sha256": outcome.sha256,
        "recipient": outcome.recipient,
        "mail": outcome.mail,
        "sent_copy": str(outcome.sent_copy or ""),  # the version the candidate has, kept
        "locked": "yes" if outcome.locked else "",
        "warnings": " | ".join(outcome.warnings),
        "error": describe(outcome.error, outcome.item.label, who=outcome.item.who)
        if outcome.error is not None
        else "",
    }
    if built is not None:
        row.update(
            pages=str(built.pages),
            bytes=str(outcome.size),
            content=built.content,
            candidate=built.candidate,
            preferred_name=built.preferred_name,
            email=built.email or "",
            guide=built.guide,
            role=built.role,
            company=built.company,
            region=built.region,
        )
    brief = outcome.brief  # a held brief (--strict) has its deadline too
    if brief is not None and brief.deadline is not None:
        row.update(deadline=brief.deadline.isoformat(), days_left=str(brief.days_left))
    return row


def manifests(folder: Path) -> list[Path]:
    """The manifests in `folder` (manifest.csv and each shard's), by name."""
    try:
        return sorted(p for p in folder.iterdir() if _NAMES.fullmatch(p.name) and p.is_file())
    except OSError:
        return []


def read(path: Path) -> Iterator[dict[str, str]]:
    """The rows of one manifest, with formula guards undone."""
    try:
        with open(path, encoding="utf-8", errors=_BYTES, newline="") as handle:
            for row in csv.DictReader(handle):
                yield {k: _live(v or "") for k, v in row.items() if k is not None}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise OutputError(f"cannot read the manifest: {exc}", file=path) from None


def _inert(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection); a whole
    number (days_left: -6) stays a number."""
    if _WHOLE.fullmatch(cell):
        return cell
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else cell


def _live(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r", "'") else cell

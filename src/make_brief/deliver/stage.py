"""The mail stage on its own: the briefs recorded in the manifests of a folder, each mailed
exactly once (``make-brief mail DIR``). It follows a sharded render, where each shard wrote its
own ``manifest-<I>-of-<N>.csv`` into a shared folder; it is also what ``--send`` and ``--eml``
on the batch command do for each brief as it is made (both go through the same Postman).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import OutputError
from ..run.events import MessageEvent
from ..run.manifest import Manifest, manifests, read
from .postman import Parcel, Postman


def parcel_of_row(row: dict[str, str], folder: Path) -> Parcel | None:
    """The brief a manifest row records, or None for a row without one (a failed item)."""
    if row.get("status") != "ok" or not row.get("output"):
        return None
    path = Path(row["output"])
    if not path.is_absolute() and not path.exists():  # written relative to another folder
        path = folder / path.name
    pages = row.get("pages", "")
    return Parcel(
        row.get("input", ""),
        path,
        row.get("candidate", ""),
        row.get("email", ""),
        row.get("guide", ""),
        row.get("content") or row.get("sha256", ""),
        row.get("sha256", ""),
        int(pages) if pages.isdigit() else 0,
        row.get("role", ""),
        row.get("company", ""),
        row.get("region", ""),
        preferred_name=row.get("preferred_name", ""),
        locked=row.get("locked") == "yes",
    )


def mail_folder(folder: Path, postman: Postman, progress: Callable[[MessageEvent], None]) -> int:
    """Mail each brief the manifests in `folder` record, reporting what became of each message
    to `progress` as a typed event (run/events.py); the number of briefs found. With
    --send, each manifest is rewritten with what became of its mail this time (what went is
    guarded by the journal and by the folder's delivery record, delivered.py, not by it)."""
    found = manifests(folder)
    if not found:
        raise OutputError(
            "no manifest here (manifest.csv, or manifest-<I>-of-<N>.csv from shards)",
            file=folder,
            hint="make the briefs into this folder first",
        )
    seen: set[tuple[str, str]] = set()
    briefs = 0
    for path in found:
        rows = list(read(path))
        for row in rows:
            parcel = parcel_of_row(row, folder)
            if parcel is None:
                continue
            key = (parcel.content, parcel.email.strip().lower())
            if key in seen:  # the same brief in two manifests (a shard run twice): mailed once
                continue
            seen.add(key)
            briefs += 1
            if (event := postman.mail(parcel)) is not None:
                progress(event)
            row["mail"], row["recipient"] = parcel.mail, parcel.recipient
        if postman.settings.send:
            manifest = Manifest(folder, path.name)
            for row in rows:
                manifest.row(row)
            manifest.close()
    return briefs

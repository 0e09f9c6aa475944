"""What the web app holds while it runs: its settings, its secrets, its private folder.

Uploads, the offer files made from the form and the briefs are kept in one temporary folder
(mode 0700, made when the server starts and removed when it stops); inside it, every file is
named by the app (a random id, or a name checked against a strict pattern), never by a path
an upload gave.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import msgspec

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")
MAX_UPLOAD = 50_000_000  # bytes in one request
MAX_FILES = 200  # files in one upload


class ServeSettings(msgspec.Struct, frozen=True, kw_only=True):
    """How `make-brief serve` runs (its options)."""

    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    token: str = ""  # "" : one is made up
    templates: tuple[Path, ...] = ()  # the user's template folders (--templates)
    guide_dirs: tuple[Path, ...] = ()  # more folders of guides (--guides)
    mail_config: Path | None = None  # mail.yaml: what "send" from the page uses (--mail-config)
    max_upload: int = MAX_UPLOAD
    max_files: int = MAX_FILES
    jobs: int | None = None  # worker processes of a batch


class State:
    """The running app's secrets, folder, briefs and batches."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.token = settings.token or secrets.token_urlsafe(24)
        self.csrf = secrets.token_urlsafe(24)
        self.folder: Path | None = None
        self.briefs: dict[str, Path] = {}  # id -> the PDF made from the form
        self.jobs: dict[str, Any] = {}  # id -> many.Job
        self.lock = threading.Lock()  # one brief from the form at a time (renderer settings)
        self.opened = 0  # the app's lifespans running (a test client may start one more)

    def open(self) -> Path:
        """The private folder (mode 0700), made by the first lifespan that starts."""
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="make-brief-serve-"))
            self.folder.chmod(0o700)
        self.opened += 1
        return self.folder

    def close(self) -> None:
        """Remove the private folder and everything in it, when the last lifespan stops (after
        the batches still being made are done)."""
        self.opened -= 1
        if self.opened > 0:
            return
        for job in list(self.jobs.values()):
            job.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def new_folder(self, kind: str) -> tuple[str, Path]:
        """A new folder of `kind` ("forms", "jobs") in the private folder, and its id."""
        if self.folder is None:
            raise RuntimeError("the server's folder is not open")
        ident = secrets.token_hex(8)
        path = self.folder / kind / ident
        path.mkdir(parents=True, mode=0o700)
        return ident, path


def keep(path: Path, data: bytes) -> Path:
    """Write `data` at `path`, a new file in the private folder (an upload, the form's offer
    file): the one place web/ writes a file. Not the atomic writer's job: nobody else sees
    the private folder, and the whole folder goes when the server stops."""
    path.write_bytes(data)
    return path


def upload_name(given: str | None, number: int, suffix: str) -> str:
    """The name an upload is kept under: its own base name when that is a plain one (letters,
    digits, ``._-``) ending in `suffix`, else ``upload-<number><suffix>``; never a path."""
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1]
    if SAFE_NAME.fullmatch(name) and name.lower().endswith(suffix) and ".." not in name:
        return name
    return f"upload-{number}{suffix}"

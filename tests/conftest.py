"""Shared fixtures: offer files written into tmp_path, and PDFs read back with pypdf."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

ENGINE_VARIABLES = (  # the job engines' task indexes (--shard auto): none from the machine running tests
    "JOB_COMPLETION_INDEX",
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_COUNT",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "CLOUD_RUN_TASK_INDEX",
    "CLOUD_RUN_TASK_COUNT",
)
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def offer_data(**changes: Any) -> dict:
    """The example offer as data, with top-level keys replaced by `changes`."""
    data: dict[str, Any] = {
        "candidate": {"name": "Jane Doe", "email": "jane@example.com"},
        "guide": "segment-engineering-manager",
        "region": "San Francisco",
        "offer": {"currency": "USD", "base": 210000, "stock": 180000, "stock_years": 4, "bonus_pct": 15},
    }
    data.update(changes)
    return data


# a competing offer given by its parts, in another currency (the money-over-time tests)
DATABRICKS = {
    "company": "Databricks",
    "currency": "USD",
    "base": 230000,
    "stock": 400000,
    "stock_years": 4,
    "vesting": [25, 25, 25, 25],
    "bonus_pct": 10,
    "sign_on": 50000,
}


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18
    monkeypatch.delenv("MAKE_BRIEF_GUIDES", raising=False)
    # the send journals live in the user's data folder: never the real one in a test
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))
    for name in ("MAKE_BRIEF_SMTP_PASSWORD", "MAKE_BRIEF_SMTP_TOKEN", "MAKE_BRIEF_SHARDS", *ENGINE_VARIABLES):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path, made the working folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def write_offer(tmp_path: Path):
    """write_offer(data or text, name="offer.yaml") -> Path of the file in tmp_path."""

    def write(content: dict | str, name: str = "offer.yaml") -> Path:
        path = tmp_path / name
        text = (
            content
            if isinstance(content, str)
            else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def offer_letter(tmp_path: Path) -> Path:
    target = tmp_path / "offer-letter.pdf"
    shutil.copy(EXAMPLES / "offer-letter.pdf", target)
    return target


class Pdf:
    """A PDF read back: its pages' text, outline and metadata."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reader = PdfReader(io.BytesIO(data))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.text = "\n".join(self.pages)
        self.flat = " ".join(self.text.split())

    @property
    def outline(self) -> list[tuple[str, int]]:
        return [
            (item.title, self.reader.get_destination_page_number(item))
            for item in self.reader.outline
            if not isinstance(item, list)
        ]

    @property
    def metadata(self) -> dict:
        return dict(self.reader.metadata or {})


@pytest.fixture
def read_pdf():
    def read(source: Path | bytes) -> Pdf:
        return Pdf(source.read_bytes() if isinstance(source, Path) else source)

    return read

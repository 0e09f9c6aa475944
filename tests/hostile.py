"""Helpers of the hostile-input suite (tests/test_hostile_*.py).

Every hostile case ends in one of two ways, and the tests say which:

(a) ``made``: exit 0, the brief is written, and the text is shown literally (read back with
    pypdf);
(b) ``refused``: exit 1, exactly one line on stderr, ``error: <file>...``, naming the file (and
    the field, where there is one), no traceback, and no output file, not even a temporary one.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from pypdf import PdfReader

from make_brief.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "data" / "guides" / "segment-engineering-manager.yaml"


def build(args: list[str], env: dict[str, str] | None = None) -> Result:
    """`make-brief ARGS` through click's CliRunner (stdout and stderr apart)."""
    return CliRunner().invoke(main, args, env=env)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def outputs(folder: Path) -> list[Path]:
    """Every PDF and every temporary file under `folder`."""
    return sorted(p for p in folder.rglob("*") if p.suffix in (".pdf", ".part") and p.is_file())


def refused(result: Result, where: str, *needles: str, folder: Path | None = None) -> str:
    """Assert ending (b) and return the error line. `where` is the start of what the line must
    name after ``error: `` (the file, and often ``:line: field``)."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"error: {where}"), line
    for needle in needles:
        assert needle in line, (needle, line)
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""
    if folder is not None:
        assert outputs(folder) == [], outputs(folder)
    return line


def made(result: Result, path: Path) -> Pdf:
    """Assert ending (a) for the brief at `path` and return it read back."""
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert path.is_file(), path
    assert not list(path.parent.glob(".*.part"))
    return Pdf(path.read_bytes())


class Pdf:
    """A brief read back: text per page, text with whitespace collapsed or removed."""

    def __init__(self, data: bytes) -> None:
        assert data.startswith(b"%PDF-")
        self.reader = PdfReader(io.BytesIO(data))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.text = "\n".join(self.pages)
        self.flat = " ".join(self.text.split())
        self.squeezed = "".join(self.text.split())

    def shows(self, text: str) -> bool:
        """Whether `text` is in the brief as written: with its spaces where a line is not
        broken, or at least in order without them (a narrow table cell breaks long words)."""
        return " ".join(text.split()) in self.flat or "".join(text.split()) in self.squeezed

    def images(self) -> int:
        count = 0
        for page in self.reader.pages:
            xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
            count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
        return count

    def link_targets(self) -> list[str]:
        targets = []
        for page in self.reader.pages:
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A")
                if action is not None:
                    action = action.get_object()
                    targets.append(f"{action.get('/S')} {action.get('/URI', action.get('/F', ''))}")
        return targets


def offer(**changes: Any) -> dict:
    """A valid offer as data, with top-level keys replaced by `changes`."""
    data: dict[str, Any] = {
        "candidate": {"name": "Jane Doe", "email": "jane@example.com"},
        "guide": "segment-engineering-manager",
        "region": "San Francisco",
        "offer": {"currency": "USD", "base": 210000, "stock": 180000, "stock_years": 4, "bonus_pct": 15},
    }
    data.update(changes)
    return data


def terms(**changes: Any) -> dict:
    """A valid offer whose `offer:` block has `changes`."""
    data = offer()
    data["offer"] = {**data["offer"], **changes}
    return data

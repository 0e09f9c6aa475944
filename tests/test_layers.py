"""The layer rules ([tool.importlinter] in pyproject.toml) can fail: the project's own contracts,
run by import-linter on a copy of the package with a rule broken, report each broken rule and
the import that breaks it; on the package as it is, every contract is kept. No network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts, finding `make_brief` in `package_parent`."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def broken_copy(tmp_path: Path, edits: dict[str, str]) -> Path:
    """A copy of src/make_brief under tmp_path/src with `edits` (module path -> a line added)."""
    src = tmp_path / "src"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "src" / "make_brief", src / "make_brief", ignore=skip)
    for rel, line in edits.items():
        path = src / "make_brief" / rel
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return src


def test_the_package_keeps_every_contract(tmp_path):
    done = lint(ROOT / "src", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 8 kept, 0 broken." in done.stdout


def test_a_lower_stage_importing_a_higher_one_fails_the_check(tmp_path):
    src = broken_copy(tmp_path, {"files/fs.py": "from ..run import pipeline  # noqa"})
    done = lint(src, tmp_path)
    assert done.returncode == 1
    assert "Each stage imports only the stages below it BROKEN" in done.stdout
    assert "make_brief.files.fs -> make_brief.run.pipeline" in done.stdout
    assert "Contracts: 7 kept, 1 broken." in done.stdout


def test_a_library_outside_its_home_and_io_in_the_figures_fail_the_check(tmp_path):
    src = broken_copy(
        tmp_path,
        {
            "compose/brief.py": "import pypdf  # noqa",
            "advice/gate.py": "import click, pathlib  # noqa",
            "deliver/postman.py": "import smtplib  # noqa",
            "run/batch.py": "from reportlab import rl_config  # noqa",
            "render/reportlab/lines.py": "import typst  # noqa",
        },
    )
    done = lint(src, tmp_path)
    assert done.returncode == 1
    out = done.stdout
    for rule in (
        "reportlab only in the reportlab back end (render/reportlab/) BROKEN",
        "typst only in the typst back end (render/typst/) BROKEN",
        "pypdf and pikepdf only in the PDF stage (pdf/) BROKEN",
        "click only in the command line (cli/) BROKEN",
        "smtplib only in the SMTP transport (deliver/smtp.py) BROKEN",
        "The figures (advice/) do no I/O: no files, processes, sockets or output stages BROKEN",
    ):
        assert rule in out
    for chain in (
        "make_brief.compose.brief -> pypdf",
        "make_brief.advice.gate -> click",
        "make_brief.advice.gate -> pathlib",
        "make_brief.deliver.postman -> smtplib",
        "make_brief.run.batch -> reportlab",
        "make_brief.render.reportlab.lines -> typst",
    ):
        assert chain in out
    assert "Contracts: 2 kept, 6 broken." in out

"""The README's copy of `make-brief --help` is the command's own output.

Refresh it with:  python tests/test_docs.py --update
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

from make_brief.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- help:start -->\n)(.*?)(<!-- help:end -->)", re.S)


def current_help() -> str:
    output = CliRunner().invoke(main, ["--help"], prog_name="make-brief", terminal_width=100).stdout
    return f"```\n$ make-brief --help\n{output}```\n"


def test_readme_help_is_current():
    match = BLOCK.search(README.read_text(encoding="utf-8"))
    assert match, "README.md lost its help markers"
    assert match.group(2) == current_help(), "run: python tests/test_docs.py --update"


if __name__ == "__main__" and "--update" in sys.argv:
    text = README.read_text(encoding="utf-8")
    README.write_text(BLOCK.sub(lambda m: m.group(1) + current_help() + m.group(3), text), encoding="utf-8")

"""The README's copies of `make-brief --help` and of every subcommand's `--help` are the
command's own output.

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


SUBCOMMANDS = re.compile(r"(<!-- subcommands:start -->\n)(.*?)(<!-- subcommands:end -->)", re.S)


def command_paths(group=main, path=()):
    """Every command below `group`, as its words: ("build",), ("guides", "import"), ..."""
    import click

    for name in sorted(group.commands):
        command = group.commands[name]
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*path, name))


def subcommands_help() -> str:
    parts = []
    for words in command_paths():
        output = (
            CliRunner().invoke(main, [*words, "--help"], prog_name="make-brief", terminal_width=100).stdout
        )
        parts.append(f"```\n$ make-brief {' '.join(words)} --help\n{output}```\n")
    return "\n".join(parts)


def test_readme_help_is_current():
    text = README.read_text(encoding="utf-8")
    match = BLOCK.search(text)
    assert match, "README.md lost its help markers"
    assert match.group(2) == current_help(), "run: python tests/test_docs.py --update"
    every = SUBCOMMANDS.search(text)
    assert every, "README.md lost its subcommands markers"
    assert every.group(2) == subcommands_help(), "run: python tests/test_docs.py --update"


if __name__ == "__main__" and "--update" in sys.argv:
    text = README.read_text(encoding="utf-8")
    text = BLOCK.sub(lambda m: m.group(1) + current_help() + m.group(3), text)
    text = SUBCOMMANDS.sub(lambda m: m.group(1) + subcommands_help() + m.group(3), text)
    README.write_text(text, encoding="utf-8")


def test_the_readme_python_api_example_runs_as_written(tmp_path):
    """The README's Python API example, run as a program from a copy of the checkout's
    examples: it makes both PDFs and prints what it says."""
    import shutil
    import subprocess

    text = README.read_text(encoding="utf-8")
    code = re.search(r"<!-- api:start -->\s*```python\n(.*?)```\s*<!-- api:end -->", text, re.S).group(1)
    shutil.copytree(README.parent / "examples", tmp_path / "examples")
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    done = subprocess.run(  # as a file, as a user runs it: worker processes import it
        [sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    missing = "examples/no-such-offer.yaml"
    assert done.stdout.splitlines()[1:] == [
        "output/batch/jane-doe-segment-engineering-manager.pdf",
        "1 made, 1 failed; manifest: output/batch/manifest.csv",
        f"InputError {missing} - no such offer file",
        f"{missing}: no such offer file (check the path)",
    ]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("output/jane.pdf ") and " pages " in lines[0]
    assert (tmp_path / "output" / "jane.pdf").read_bytes().startswith(b"%PDF-")

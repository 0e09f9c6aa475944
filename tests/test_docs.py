"""The docs' copies of `make-brief --help` and of every subcommand's `--help` (docs/commands.md)
are the command's own output; the Python API example (docs/api.md) runs as written; the README
stays short and every link in it leads somewhere.

Refresh the help copies with:  python tests/test_docs.py --update
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

from make_brief.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
COMMANDS = ROOT / "docs" / "commands.md"  # every command's --help
API = ROOT / "docs" / "api.md"  # the Python API example
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


def test_the_docs_help_is_current():
    text = COMMANDS.read_text(encoding="utf-8")
    match = BLOCK.search(text)
    assert match, "docs/commands.md lost its help markers"
    assert match.group(2) == current_help(), "run: python tests/test_docs.py --update"
    every = SUBCOMMANDS.search(text)
    assert every, "docs/commands.md lost its subcommands markers"
    assert every.group(2) == subcommands_help(), "run: python tests/test_docs.py --update"


if __name__ == "__main__" and "--update" in sys.argv:
    text = COMMANDS.read_text(encoding="utf-8")
    text = BLOCK.sub(lambda m: m.group(1) + current_help() + m.group(3), text)
    text = SUBCOMMANDS.sub(lambda m: m.group(1) + subcommands_help() + m.group(3), text)
    COMMANDS.write_text(text, encoding="utf-8")


def test_the_docs_python_api_example_runs_as_written(tmp_path):
    """The Python API example of docs/api.md, run as a program from a copy of the checkout's
    examples: it makes both PDFs and prints what it says."""
    import shutil
    import subprocess

    text = API.read_text(encoding="utf-8")
    code = re.search(r"<!-- api:start -->\s*```python\n(.*?)```\s*<!-- api:end -->", text, re.S).group(1)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    done = subprocess.run(  # as a file, as a user runs it: worker processes import it
        [sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    missing = "examples/no-such-offer.yaml"
    assert done.stdout.splitlines()[1:] == [
        "output/batch/jane-doe-segment-engineering-manager.pdf",
        '{"event":"brief failed","label":"examples/no-such-offer.yaml","error":'
        '"examples/no-such-offer.yaml: no such offer file (check the path)","held":false,"internal":false}',
        "1 made, 1 failed; manifest: output/batch/manifest.csv",
        f"InputError {missing} - no such offer file",
        f"{missing}: no such offer file (check the path)",
    ]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("output/jane.pdf ") and " pages " in lines[0]
    assert (tmp_path / "output" / "jane.pdf").read_bytes().startswith(b"%PDF-")


def test_the_readme_stays_short():
    """The README is the opening, the quick start, the offer file and the commands; the rest
    of the manual is in docs/ (issue 22)."""
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 400


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation gone, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return [a or b for a, b in LINK.findall(text)]


def dead_links(path: Path) -> list[str]:
    dead = []
    for link in links(path):
        if re.match(r"[a-z]+:", link):  # https:, mailto: - not ours to check
            continue
        target, _, anchor = link.partition("#")
        where = (path.parent / target) if target else path
        if not where.exists():
            dead.append(f"{link}: no such file")
        elif anchor and where.suffix == ".md" and anchor not in anchors(where):
            dead.append(f"{link}: no such heading in {where.name}")
    return dead


def test_every_link_in_the_readme_leads_somewhere():
    """Links to files and folders exist, and a link's #anchor names a heading of its page
    (mkdocs build --strict checks the pages under docs/; this checks the README)."""
    found = links(README)
    assert "docs/claims.md" in found and "docs/batches.md#the-mail-stage-on-its-own" in found
    assert dead_links(README) == []


def test_a_dead_link_is_found(tmp_path):
    """The check above can fail: a missing file and a missing heading are both reported."""
    (tmp_path / "page.md").write_text("# A page\n\n## Its part\n", encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\n[ok](page.md#its-part) [self](#title) [gone](nothing.md) [bad](page.md#no-part)\n"
        "```\n[in code](ignored.md)\n```\n",
        encoding="utf-8",
    )
    assert dead_links(readme) == ["nothing.md: no such file", "page.md#no-part: no such heading in page.md"]

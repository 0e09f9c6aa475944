"""One error policy: the user's errors are one line and exit 1; a bug of ours is one line
"internal error: …" with the hint, exit 70 (in a batch too), never blamed on a template; with
MAKE_BRIEF_DEBUG=1 its traceback."""

from __future__ import annotations

import pickle

import pytest
from conftest import offer_data

from make_brief.cli import main
from make_brief.errors import GuideError, HeldError, InputError, InternalError, OutputError
from make_brief.render.reportlab import story


@pytest.fixture
def bug_in_rendering(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("injected")

    monkeypatch.setattr(story, "draw_chart", broken)  # drawn inside reportlab's doc.build


def test_a_bug_inside_rendering_is_an_internal_error_not_the_templates(
    runner, in_tmp, write_offer, bug_in_rendering
):
    result = runner.invoke(main, [str(write_offer(offer_data())), "-o", "b.pdf"])
    assert result.exit_code == 70
    assert result.stderr.startswith("internal error: ")
    assert "KeyError: 'injected'" in result.stderr and "MAKE_BRIEF_DEBUG=1" in result.stderr
    assert "templates" not in result.stderr and "laid out" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and not (in_tmp / "b.pdf").exists()


def test_with_make_brief_debug_the_traceback_shows(
    runner, in_tmp, write_offer, bug_in_rendering, monkeypatch
):
    monkeypatch.setenv("MAKE_BRIEF_DEBUG", "1")
    result = runner.invoke(main, [str(write_offer(offer_data())), "-o", "b.pdf"])
    assert isinstance(result.exception, KeyError)  # not turned into a line: raised, with its traceback
    assert any("_chart" in frame.name or "broken" in frame.name for frame in _frames(result.exc_info[2]))


def _frames(tb):
    import traceback

    return traceback.extract_tb(tb)


def test_a_bug_in_a_batch_item_is_exit_70_and_the_batch_goes_on(runner, in_tmp, write_offer, monkeypatch):
    from make_brief.run import batch

    original = batch.load_item  # what the worker's make_item calls first

    def sometimes(item, *args):
        if "bob" in str(item.path):
            raise ZeroDivisionError("injected")
        return original(item, *args)

    monkeypatch.setattr(batch, "load_item", sometimes)
    write_offer(offer_data(candidate={"name": "Ann"}), "ann.yaml")
    write_offer(offer_data(candidate={"name": "Bob"}), "bob.yaml")
    result = runner.invoke(main, [str(in_tmp / "ann.yaml"), str(in_tmp / "bob.yaml"), "-o", "out", "-j", "1"])
    assert result.exit_code == 70
    assert (in_tmp / "out" / "ann-segment-engineering-manager.pdf").is_file()  # the other brief is made
    lines = result.stderr.splitlines()
    internal = [line for line in lines if line.startswith("internal error: ")]
    assert internal == [
        f"internal error: {in_tmp / 'bob.yaml'}: ZeroDivisionError: injected"
        " (set MAKE_BRIEF_DEBUG=1 for the traceback)"
    ]
    assert not any(line.startswith("error: ") for line in lines)


def test_a_templates_own_markup_mistake_is_still_its_error(runner, in_tmp, write_offer):
    assert runner.invoke(main, ["templates", "export", "mine"]).exit_code == 0
    glance = in_tmp / "mine" / "sections" / "glance.j2"
    glance.write_text(
        glance.read_text(encoding="utf-8").replace("<b>", '<font color="x">', 1), encoding="utf-8"
    )
    result = runner.invoke(main, [str(write_offer(offer_data())), "--template", "mine", "-o", "b.pdf"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize(
    "error",
    [
        InputError("not an amount", file="people.csv:row 3", field="offer.base", hint="write 210000"),
        GuideError("unknown region", file="g.yaml", field="regions.2.name", line=14),
        OutputError("is a folder; give a file name", file="out/a.pdf"),
        HeldError("held back by --strict, not written: old rate", file="a.yaml"),
    ],
)
def test_an_error_crosses_a_process_whole(error):
    """A worker's error reaches the batch as the object it was: class, file, field, line, hint."""
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert (back.message, back.file, back.field, back.line, back.hint) == (
        error.message,
        error.file,
        error.field,
        error.line,
        error.hint,
    )
    assert str(back) == str(error)


def test_a_bug_crosses_a_process_whole():
    bug = InternalError.of("a.yaml", KeyError("x"))
    back = pickle.loads(pickle.dumps(bug))
    assert (back.label, back.kind, back.text) == ("a.yaml", "KeyError", "'x'")
    assert str(back) == "internal error: a.yaml: KeyError: 'x' (set MAKE_BRIEF_DEBUG=1 for the traceback)"


def test_the_manifest_and_the_command_line_print_the_same_line(tmp_path, write_offer):
    """The error is formatted once (errors.describe), for the command line and the manifest."""
    import csv

    from click.testing import CliRunner

    from make_brief.cli import main

    good = write_offer(offer_data(), "good.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("guide: nope\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [str(good), str(bad), "-o", f"{out}/"])
    assert result.exit_code == 1
    with (out / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    failed = [r for r in rows if r["status"] == "failed"]
    assert [r["input"] for r in failed] == [str(bad)]
    assert f"error: {failed[0]['error']}" in result.stderr.splitlines()
    assert failed[0]["error"] == f"{bad}: candidate: missing required field"


def test_a_script_without_a_main_guard_is_told_why_its_workers_stopped(tmp_path):
    """Workers import the calling script; one that calls make_briefs unguarded stops them all.
    Each item's line says what to do instead of only that its worker stopped."""
    import shutil
    import subprocess
    import sys

    from conftest import EXAMPLES

    shutil.copytree(EXAMPLES, tmp_path / "examples")
    shutil.copy(EXAMPLES / "offer.yaml", tmp_path / "examples" / "second.yaml")
    (tmp_path / "unguarded.py").write_text(
        "from make_brief.api import make_briefs\n"
        "run = make_briefs(['examples/offer.yaml', 'examples/second.yaml'], 'out', jobs=2)\n"
        "print(*run.failure_lines(), sep='\\n')\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "unguarded.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    lines = done.stdout.splitlines()
    hint = (
        "(if unguarded.py calls make-brief's batch, call it under"
        ' `if __name__ == "__main__":`, as worker processes import the script)'
    )
    assert lines == [
        f"examples/{name}.yaml: the worker making this brief stopped unexpectedly {hint}"
        for name in ("offer", "second")
    ]

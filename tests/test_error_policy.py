"""One error policy: the user's errors are one line and exit 1; a bug of ours is one line
"internal error: …" with the hint, exit 70 (in a batch too), never blamed on a template; with
MAKE_BRIEF_DEBUG=1 its traceback."""

from __future__ import annotations

import pytest
from conftest import offer_data

from make_brief import render
from make_brief.cli import main


@pytest.fixture
def bug_in_rendering(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("injected")

    monkeypatch.setattr(render, "_chart", broken)  # drawn inside reportlab's doc.build


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
    from make_brief import batch

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

"""Batch logic, apart from rendering: the per-item work is replaced by `fake_work`."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path

import msgspec
import pytest

from make_brief.errors import InputError, InternalError, OutputError, WorkerError, describe
from make_brief.offers.inputs import Item
from make_brief.run.batch import IN_FLIGHT_PER_JOB, MANIFEST, Batch, Manifest, Settings
from make_brief.run.pipeline import Brief


def fake_work(item: Item, settings: Settings) -> Brief:
    """Stands for load + make_pdf: 'bad…' is a bad offer, 'boom' a bug, 'crash' kills its worker."""
    name = dict(item.cells or ())["candidate.name"]
    if name.startswith("bad"):
        raise InputError("not an amount", file=item.label, field="offer.base")
    if name == "boom":
        raise ZeroDivisionError("division by zero")
    if name == "crash":
        os._exit(3)
    pdf = f"%PDF-fake {name} {item.index} {settings.page_size}".encode()
    return Brief(
        name=f"{name.lower()}-g.pdf",
        pdf=pdf,
        pages=1,
        candidate=name,
        email=None,
        guide="g",
        content=f"c-{name}",
    )


def items(*names: str) -> list[Item]:
    return [
        Item(i, f"people.csv:row {i + 2}", Path("people.csv"), (("candidate.name", name),))
        for i, name in enumerate(names)
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_good_item_is_written_in_order_under_its_own_name(tmp_path, jobs):
    batch = Batch(tmp_path, Settings(page_size="letter"), jobs=jobs, work=fake_work)
    outcomes = list(batch.run(items("Ann", "bad1", "Ann", "Bob", "boom", "Ann")))
    assert [o.item.index for o in outcomes] == [0, 1, 2, 3, 4, 5]
    assert [o.path.name if o.path else None for o in outcomes] == [
        "ann-g.pdf",
        None,
        "ann-g-2.pdf",
        "bob-g.pdf",
        None,
        "ann-g-3.pdf",
    ]
    assert (tmp_path / "ann-g-2.pdf").read_bytes() == b"%PDF-fake Ann 2 letter"
    good = [o for o in outcomes if o.ok]
    assert all(o.sha256 == hashlib.sha256(o.path.read_bytes()).hexdigest() for o in good)
    # the error object reaches the batch whole, from a worker process too: class and fields
    error = outcomes[1].error
    assert isinstance(error, InputError)
    assert (error.file, error.field, error.message) == ("people.csv:row 3", "offer.base", "not an amount")
    assert describe(error, "people.csv:row 3") == "people.csv:row 3: offer.base: not an amount"
    bug = outcomes[4].error
    assert isinstance(bug, InternalError)  # a bug: the run exits 70
    assert (bug.label, bug.kind, bug.text) == ("people.csv:row 6", "ZeroDivisionError", "division by zero")
    assert describe(bug, "people.csv:row 6", many=True) == (
        "internal error: people.csv:row 6: ZeroDivisionError: division by zero"
        " (set MAKE_BRIEF_DEBUG=1 for the traceback)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ann-g-2.pdf",
        "ann-g-3.pdf",
        "ann-g.pdf",
        "bob-g.pdf",
    ]


def test_a_rerun_gives_the_same_names_and_overwrites(tmp_path):
    for _ in range(2):
        outcomes = list(Batch(tmp_path, jobs=2, work=fake_work).run(items("Ann", "Ann")))
    assert [o.path.name for o in outcomes] == ["ann-g.pdf", "ann-g-2.pdf"]
    assert len(list(tmp_path.iterdir())) == 2


def test_inputs_that_failed_before_any_work_keep_their_place(tmp_path):
    failed = InputError("cannot read the table", file="gone.csv")
    broken = Item(1, "gone.csv", Path("gone.csv"), error=failed)
    given = [
        items("Ann")[0],
        broken,
        Item(2, "people.csv:row 4", Path("people.csv"), (("candidate.name", "Bo"),)),
    ]
    outcomes = list(Batch(tmp_path, jobs=2, work=fake_work).run(given))
    assert [(o.ok, o.error) for o in outcomes] == [(True, None), (False, failed), (True, None)]
    assert describe(failed, "gone.csv", many=True) == "gone.csv: cannot read the table"


def test_a_worker_that_dies_fails_only_its_own_item(tmp_path):
    names = ["Ann", "Bob", "crash", "Cy", "Di", "Ed", "Flo", "Gus"]
    outcomes = list(Batch(tmp_path, jobs=2, work=fake_work).run(items(*names)))
    assert [o.ok for o in outcomes] == [name != "crash" for name in names]
    assert isinstance(outcomes[2].error, WorkerError)
    line = describe(outcomes[2].error, "people.csv:row 4", many=True)
    assert line == "people.csv:row 4: the worker making this brief stopped unexpectedly"
    assert len(list(tmp_path.glob("*.pdf"))) == 7


@pytest.mark.parametrize("jobs", [1, 2])
def test_items_are_taken_only_a_few_ahead_of_what_is_written(tmp_path, jobs):
    pulled = []

    def source():
        for item in items(*[f"P{i}" for i in range(40)]):
            pulled.append(item.index)
            yield item

    window = 2 if jobs == 1 else jobs * IN_FLIGHT_PER_JOB
    for outcome in Batch(tmp_path, jobs=jobs, work=fake_work).run(source()):
        assert outcome.path is not None and outcome.path.exists()
        assert len(pulled) <= outcome.item.index + 1 + window
    assert len(pulled) == 40


def test_an_unwritable_brief_is_that_item_failing(tmp_path):
    (tmp_path / "bob-g.pdf").mkdir()  # a folder where the brief should go
    outcomes = list(Batch(tmp_path, work=fake_work).run(items("Ann", "Bob", "Cy")))
    assert [o.ok for o in outcomes] == [True, False, True]
    # the error names the file it is about; a batch's report puts the input's name before it
    error = outcomes[1].error
    assert isinstance(error, OutputError) and error.file == str(tmp_path / "bob-g.pdf")
    assert str(outcomes[1].error) == f"{tmp_path / 'bob-g.pdf'}: is a folder; give a file name"
    line = describe(outcomes[1].error, "people.csv:row 3", many=True)
    assert line == f"people.csv:row 3: {tmp_path / 'bob-g.pdf'}: is a folder; give a file name"


def test_the_manifest_lists_every_item_and_never_a_formula(tmp_path):
    outcomes = list(Batch(tmp_path, work=fake_work).run(items("Ann", "bad")))
    outcomes[0] = msgspec.structs.replace(outcomes[0], item=Item(0, "=HYPERLINK(evil).yaml", Path("x")))
    manifest = Manifest(tmp_path)
    for outcome in outcomes:
        manifest.add(outcome)
        assert not (tmp_path / MANIFEST).exists()  # only when the run ends
    assert manifest.close() == tmp_path / MANIFEST
    assert not list(tmp_path.glob(".*.part"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / MANIFEST).read_text(encoding="utf-8"))))
    pdf = (tmp_path / "ann-g.pdf").read_bytes()
    assert rows[0] == {
        "input": "'=HYPERLINK(evil).yaml",
        "output": str(tmp_path / "ann-g.pdf"),
        "status": "ok",
        "pages": "1",
        "bytes": str(len(pdf)),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "content": "c-Ann",
        "candidate": "Ann",
        "preferred_name": "",
        "email": "",
        "guide": "g",
        "role": "",
        "company": "",
        "region": "",
        "deadline": "",
        "days_left": "",
        "recipient": "",
        "mail": "",
        "sent_copy": "",
        "locked": "",
        "warnings": "",
        "error": "",
    }
    assert (rows[1]["input"], rows[1]["status"], rows[1]["output"], rows[1]["sha256"]) == (
        "people.csv:row 3",
        "failed",
        "",
        "",
    )
    assert rows[1]["error"] == "people.csv:row 3 (bad): offer.base: not an amount"

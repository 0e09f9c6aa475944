"""Workers that start warm (warm.py): the same briefs, byte for byte, as made one at a time in
a process with no cache; a warm-up that fails leaves the error to the item."""

from __future__ import annotations

from datetime import date

import yaml
from conftest import offer_data

from make_brief.offers.inputs import expand
from make_brief.offers.offer import load_offer
from make_brief.render.reportlab.lines import DISABLE_ENV, LINES
from make_brief.render.reportlab.warm import warm_up
from make_brief.run.batch import Batch, Settings, worker_start
from make_brief.run.pipeline import make_pdf


def _offers(folder, names):
    folder.mkdir()
    for name in names:
        data = offer_data(candidate={"name": name, "email": f"{name.lower()}@example.com"})
        (folder / f"{name.lower()}.yaml").write_text(yaml.safe_dump(data))
    return sorted(folder.iterdir())


def test_a_warm_parallel_batch_makes_the_bytes_of_briefs_made_alone(tmp_path, monkeypatch):
    files = _offers(tmp_path / "offers", ["Ann", "Bob", "Cy", "Dee", "Eve"])
    settings = Settings(template="compact")
    outcomes = list(Batch(tmp_path / "out", settings, jobs=2).run(expand([tmp_path / "offers"])))
    assert [o.error for o in outcomes] == [None] * 5
    monkeypatch.setenv(DISABLE_ENV, "1")
    LINES.clear()
    for path, outcome in zip(files, outcomes, strict=True):
        assert outcome.path.read_bytes() == make_pdf(load_offer(path), "compact").pdf, path.name


def test_the_warm_up_loads_the_template_and_says_nothing_of_a_broken_one(tmp_path):
    warm_up()  # the bundled default: loads without a word
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "style.yaml").write_text("sizes: {body: 400}\n")
    warm_up(broken)  # the first item reports it, with its file and field


def test_a_worker_warms_up_only_when_asked(monkeypatch):
    import threading

    from make_brief.render.reportlab import warm

    called = []
    monkeypatch.setattr(warm, "warm_up", lambda *given: called.append(given))
    monkeypatch.setattr(threading, "Thread", lambda **_: type("T", (), {"start": lambda self: None})())
    monkeypatch.setattr("signal.signal", lambda *_: None)
    worker_start(1)
    worker_start(1, Settings(template="compact", day=date(2026, 11, 18)))
    assert called == [("compact", date(2026, 11, 18))]  # through the back end the settings name

"""The typed front-end contract (issue 22): the public API at the package root, cheap to
import; batch options as one record; progress as typed events that serialise as JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

import make_brief


def test_every_public_name_is_at_the_root_and_in_all():
    assert set(make_brief.__all__) == set(make_brief._HOMES) | {"__version__", "backends"}
    assert make_brief.backends()[0] == "reportlab"
    for name in make_brief.__all__:
        assert getattr(make_brief, name) is not None
    from make_brief import api

    assert make_brief.make_briefs is api.make_briefs and make_brief.BatchOptions is api.BatchOptions
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        make_brief.nothing  # noqa: B018


def test_importing_the_package_pulls_no_heavy_library():
    code = (
        "import sys, make_brief\n"
        "from make_brief import make_briefs, BatchOptions, BriefMade, MailSettings\n"
        "print(sorted(m for m in ('reportlab', 'pypdf', 'click', 'smtplib') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_events_stream_as_json_and_read_back():
    from make_brief import BriefFailed, BriefMade, Event, MessageHeld, Problem

    events = [
        BriefMade("a.yaml", "out/a.pdf", 4, 51234, "ab" * 32, ("a warning",)),
        BriefFailed("b.yaml", "b.yaml: offer.base: not a number", held=False),
        MessageHeld("a.yaml", "held", "ann@example.com", "a.yaml: another version was sent"),
        Problem("the manifest could not be written"),
    ]
    data = [msgspec.json.encode(e) for e in events]
    assert data[0].startswith(b'{"event":"brief made","label":"a.yaml","path":"out/a.pdf","pages":4')
    assert b'"event":"message held"' in data[2] and b'"status":"held"' in data[2]
    assert [msgspec.json.decode(d, type=Event) for d in data] == events
    with pytest.raises(AttributeError):
        events[0].pages = 5  # frozen


def test_batch_options_are_typed_and_the_keyword_form_overrides_them(tmp_path):
    import shutil

    from conftest import EXAMPLES

    from make_brief import BatchOptions, BriefFailed, BriefMade, CounterWritten, make_briefs

    with pytest.raises(TypeError):
        BatchOptions(True)  # keywords only
    shutil.copytree(EXAMPLES, tmp_path / "examples")  # the example has a recruiter: a counter draft
    good = tmp_path / "examples" / "offer.yaml"
    seen: list = []
    options = BatchOptions(jobs=1, strict=True, counter=str(tmp_path / "drafts"))  # a folder as text
    run = make_briefs(
        [good, tmp_path / "gone.yaml"], tmp_path / "out", options, progress=seen.append, strict=False
    )
    assert [type(e) for e in seen] == [BriefMade, CounterWritten, BriefFailed]
    assert seen[1].path == str(tmp_path / "drafts" / f"{run.outcomes[0].path.stem}-counter.eml")
    assert b"\r\nTo: Sam <sam.lee@segment.example>\r\n" in Path(seen[1].path).read_bytes()
    assert seen[2].label == str(tmp_path / "gone.yaml") and seen[2].error == run.failure_lines()[0]
    assert run.outcomes[0].status == "ok" and run.outcomes[1].status == "failed"
    assert seen[0].path == str(run.outcomes[0].path) and run.manifest == tmp_path / "out" / "manifest.csv"


def test_the_mail_stage_reports_each_message_as_a_typed_event(tmp_path, write_offer):
    """mail_briefs reports as make_briefs does: one typed event per message, no printed lines
    to parse (a dry run: what would go, and the candidate without an address)."""
    from conftest import offer_data

    from make_brief import BatchOptions, MessageNotSent, MessageSent, mail_briefs, make_briefs
    from make_brief.deliver.mail import settings

    offers = [
        write_offer(offer_data(candidate={"name": "Ana Ruiz", "email": "ana@example.com"}), "a.yaml"),
        write_offer(offer_data(candidate={"name": "Bo Li"}), "b.yaml"),
    ]
    made = make_briefs(offers, tmp_path / "out", BatchOptions(jobs=1))
    seen: list = []
    run = mail_briefs(tmp_path / "out", settings({"sender": "Coach <coach@example.com>"}), seen.append)
    assert run.briefs == 2 and [type(e) for e in seen] == [MessageSent, MessageNotSent]
    first, second = seen
    assert (first.label, first.status, first.recipient) == (str(offers[0]), "would send", "ana@example.com")
    path = made.outcomes[0].path
    subject = "Your negotiation brief: Engineering Manager at Segment"
    assert first.text == f"would send: Ana Ruiz <ana@example.com> {path}: {subject}"
    assert (second.status, second.recipient) == ("no e-mail", "")
    assert second.reason == f"{offers[1]}: Bo Li has no e-mail address: no message"
    assert [msgspec.json.decode(msgspec.json.encode(e), type=make_brief.Event) for e in seen] == seen

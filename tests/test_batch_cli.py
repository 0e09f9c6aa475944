"""Many briefs from the command: files, folders and CSV tables, with real rendering."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES, offer_data
from smtp_sink import SmtpServer

from make_brief.cli import main

GUIDE = "segment-engineering-manager"
HEADER = [
    "candidate.name",
    "candidate.email",
    "guide",
    "region",
    "offer.base",
    "offer.stock",
    "offer.bonus_pct",
    "competing_offers.0.company",
    "competing_offers.0.total_comp",
    "appendices.0",
]
REGIONS = ["San Francisco", "NYC", "London"]
BASES = {"San Francisco": "210000", "NYC": "$200,000", "London": "£140K"}


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def make_inputs(root: Path, files: int, rows: int, bad_every: int = 5) -> tuple[list[Path], dict[str, str]]:
    """`files` offer files in root/offers and a table of `rows` in root/people/candidates.csv;
    every `bad_every`-th of each is bad in its own way. Returns the inputs and, for each good
    offer, its input label -> candidate e-mail (r<i>@ for row i, f<i>@ for file i)."""
    offers, people = root / "offers", root / "people"
    offers.mkdir()
    people.mkdir()
    shutil.copy(EXAMPLES / "offer-letter.pdf", people / "offer-letter.pdf")
    good: dict[str, str] = {}
    for i in range(files):
        path = offers / f"offer-{i:03}.yaml"
        region = REGIONS[i % 3]
        data = offer_data(
            candidate={"name": f"File Person {i % 40}", "email": f"f{i}@example.com"}, region=region
        )
        data["offer"] = {"base": BASES[region], "stock": 150000 + i * 1000, "bonus_pct": 10 + i % 8}
        if i % bad_every == 0:
            kind = (i // bad_every) % 4
            if kind == 0:
                data["region"] = "Atlantis"
            elif kind == 1:
                data["offer"]["base"] = "lots"
            elif kind == 2:
                del data["guide"]
            text = "candidate: [\n" if kind == 3 else yaml.safe_dump(data, allow_unicode=True)
        else:
            text = yaml.safe_dump(data, allow_unicode=True)
            good[str(path)] = f"f{i}@example.com"
        path.write_text(text, encoding="utf-8")
    table = people / "candidates.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            region = REGIONS[i % 3]
            row = [
                f"Row Person {i}",
                f"r{i}@example.com",
                GUIDE,
                region,
                BASES[region],
                "160K",
                "15",
                "",
                "",
                "",
            ]
            if i % 7 == 1:
                row[7:9] = ["Databricks", "415000"]
            if i % 11 == 2:
                row[9] = "offer-letter.pdf"  # relative to the table
            if i % bad_every == 0:
                row[(4, 3, 9, 1)[(i // bad_every) % 4]] = (
                    "12 apples",
                    "Mars",
                    "missing.pdf",
                    "not-an-address",
                )[(i // bad_every) % 4]
            else:
                good[f"{table}:row {i + 2}"] = f"r{i}@example.com"
            writer.writerow(row)
    return [offers, table], good


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def test_a_mixed_batch_makes_every_good_brief_and_names_each_bad_one(tmp_path, read_pdf):
    inputs, good = make_inputs(tmp_path, files=12, rows=12)
    out = tmp_path / "out"
    result = invoke(*inputs, "-o", out, "-j", "2")
    assert result.exit_code == 1
    failed = errors(result.stderr)
    assert len(failed) == 24 - len(good) == 6
    assert (
        failed[0].startswith(f"error: {inputs[0] / 'offer-000.yaml'}:")
        and "unknown region 'Atlantis'" in failed[0]
    )
    assert (
        failed[1].startswith(f"error: {inputs[0] / 'offer-005.yaml'}:") and "offer.base: 'lots'" in failed[1]
    )
    assert failed[3].startswith(f"error: {inputs[1]}:row 2 (Row Person 0): offer.base: '12 apples'")
    assert failed[4].startswith(f"error: {inputs[1]}:row 7 (Row Person 5): region: unknown region 'Mars'")
    assert failed[5].startswith(f"error: {inputs[1]}:row 12 (Row Person 10): appendices.0: no such file")
    assert (
        result.stderr.splitlines()[-1] == f"6 of 24 briefs failed; 18 made (listed in {out / 'manifest.csv'})"
    )
    written = result.stdout.split()
    assert len(written) == 18 == len(set(written))
    rows = list(csv.DictReader((out / "manifest.csv").read_text(encoding="utf-8").splitlines()))
    assert [r["input"] for r in rows if r["status"] == "ok"] == list(good)
    for row in rows:
        if row["status"] != "ok":
            continue
        pdf = Path(row["output"]).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == row["sha256"] and len(pdf) == int(row["bytes"])
        brief = read_pdf(pdf)
        assert len(brief.pages) == int(row["pages"])
        number = good[row["input"]][1:].split("@")[0]
        name = (
            f"Row Person {number}"
            if row["input"].startswith(str(inputs[1]))
            else f"File Person {int(number) % 40}"
        )
        assert re.search(rf"\b{name}\b", brief.pages[0]), (row["input"], name)
    with_letter = next(r for r in rows if r["input"] == f"{inputs[1]}:row 4")  # i = 2: letter.pdf
    assert (
        read_pdf(Path(with_letter["output"])).outline[-2][0] == "Offer letter"
    )  # the guide's own appendix is last


def test_same_names_get_distinct_files(tmp_path, write_offer):
    for n in range(3):
        write_offer(offer_data(), f"jane-{n}.yaml")
    result = invoke(*(tmp_path / f"jane-{n}.yaml" for n in range(3)), "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [
        str(tmp_path / "out" / f"jane-doe-{GUIDE}{suffix}.pdf") for suffix in ("", "-2", "-3")
    ]


def test_one_offer_and_an_output_file_work_as_before(tmp_path, write_offer):
    offer = write_offer(offer_data(), "jane.yaml")
    single = invoke(offer, "-o", tmp_path / "brief.pdf")
    assert single.exit_code == 0 and single.stdout.strip() == str(tmp_path / "brief.pdf")
    assert single.stderr == "" and not (tmp_path / "manifest.csv").exists()
    into = invoke(offer, "-o", f"{tmp_path / 'folder'}/")
    assert into.stdout.strip() == str(tmp_path / "folder" / f"jane-doe-{GUIDE}.pdf")
    both = invoke(offer, "-o", tmp_path / "x", "--out-dir", tmp_path / "y")
    assert both.exit_code == 2 and "give either -o/--output or --out-dir, not both" in both.stderr


def _exe() -> str:
    return shutil.which("make-brief") or str(Path(sys.executable).with_name("make-brief"))


def test_a_progress_bar_on_a_terminal_and_none_in_a_pipe(tmp_path, write_offer):
    import pty

    for n in range(3):
        write_offer(offer_data(candidate={"name": f"P{n}"}), f"p{n}.yaml")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000"}
    command = [
        _exe(),
        *(str(tmp_path / f"p{n}.yaml") for n in range(3)),
        "-o",
        str(tmp_path / "out"),
        "-j",
        "1",
    ]
    piped = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == f"3 of 3 briefs made (listed in {tmp_path / 'out' / 'manifest.csv'})\n"
    assert len(piped.stdout.split()) == 3
    main_end, term = pty.openpty()
    try:
        shown = subprocess.run(command, stdout=subprocess.PIPE, stderr=term, env=env, timeout=120)
        os.close(term)
        screen = b""
        while True:
            try:
                chunk = os.read(main_end, 4096)
            except OSError:  # the terminal is closed and read to its end
                break
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(main_end)
    assert shown.returncode == 0
    assert b"briefs" in screen and b"3/3" in screen and b"\r" in screen
    assert len(shown.stdout.split()) == 3  # stdout is a pipe: the paths are still there


@pytest.mark.parametrize("jobs", ["2"])
def test_two_hundred_offers_sent_across_two_runs_each_good_brief_once(tmp_path, jobs):
    inputs, good = make_inputs(tmp_path, files=100, rows=100)
    assert len(good) == 160
    out = tmp_path / "out"
    sender = ["--send", "--from", "Coach <coach@example.org>", "-j", jobs]
    with SmtpServer() as server:
        server.sink.fail_after = 70
        first = invoke(*inputs, "-o", out, *server.options, *sender)
        assert first.exit_code == 1
        first_errors = errors(first.stderr)
        assert len(first_errors) == 40 + 1  # each bad offer, and the message the server refused
        assert "not sent: 421 4.3.2 Service shutting down" in first_errors[-1]
        assert "89 more messages not sent: the server failed" in first.stderr
        assert len(server.sink.received) == 70

        server.sink.fail_after = None
        second = invoke(*inputs, "-o", out, *server.options, *sender)
        assert second.exit_code == 1  # the bad offers are still bad
        assert len(errors(second.stderr)) == 40
        assert second.stdout.count("already sent, unchanged: ") == 70
        received = server.sink.received
    assert len(received) == 160
    recipients = Counter(r.rcpt_tos[0] for r in received)
    assert recipients == Counter(good.values())  # every good brief, each exactly once
    manifest = {
        row["recipient"]: row
        for row in csv.DictReader((out / "manifest.csv").read_text(encoding="utf-8").splitlines())
        if row["recipient"]
    }
    for message in received:
        row = manifest[message.rcpt_tos[0]]
        ((name, kind, data),) = message.attachments
        assert (name, kind) == (f"{row['candidate']} – Engineering Manager, Segment.pdf", "application/pdf")
        assert message.plain_names == [Path(row["output"]).name]
        assert data == Path(row["output"]).read_bytes()
    assert len(list(out.glob("*.pdf"))) == 160


def test_validate_checks_folders_and_tables_too(tmp_path):
    inputs, good = make_inputs(tmp_path, files=6, rows=6)
    result = invoke("validate", *inputs)
    assert result.exit_code == 1
    oks = result.stdout.splitlines()
    assert [line.split(": ")[1] for line in oks] == list(good)
    assert oks[-1] == f"ok: {inputs[1]}:row 6: Row Person 4, Engineering Manager at Segment, New York"
    assert len(errors(result.stderr)) == 12 - len(good) == 4
    assert errors(result.stderr)[-1].startswith(
        f"error: {inputs[1]}:row 7 (Row Person 5): region: unknown region 'Mars'"
    )
    assert not list(tmp_path.rglob("*-segment-engineering-manager.pdf"))


def test_a_batch_names_the_input_before_an_error_about_something_else(tmp_path):
    """An error about the output (not the offer) names its file; in a batch the line starts
    with the input it happened to, so a user knows whose brief is missing."""
    for name in ("Ann Lee", "Bob Ray"):
        path = tmp_path / f"{name.split()[0].lower()}.yaml"
        path.write_text(yaml.safe_dump(offer_data(candidate={"name": name})))
    out = tmp_path / "out"
    (out / f"bob-ray-{GUIDE}.pdf").mkdir(parents=True)  # a folder where Bob's brief should go
    result = invoke(tmp_path / "ann.yaml", tmp_path / "bob.yaml", "-o", out, "-j", "1")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert (
        lines[0]
        == f"error: {tmp_path / 'bob.yaml'}: {out / f'bob-ray-{GUIDE}.pdf'}: is a folder; give a file name"
    )
    assert lines[1] == f"1 of 2 briefs failed; 1 made (listed in {out / 'manifest.csv'})"
    assert (out / f"ann-lee-{GUIDE}.pdf").is_file()


def test_a_batch_run_keeps_its_outcomes_but_not_their_pdfs(tmp_path, write_offer):
    """run.outcomes grows with the batch: each keeps its record, not its PDF bytes (on disk at
    outcome.path), so memory stays flat; the progress events say where each went."""
    from make_brief import BatchOptions, BriefMade, make_briefs

    offers = [write_offer(offer_data(candidate={"name": f"P{i}"}), f"p{i}.yaml") for i in range(3)]
    seen = []
    run = make_briefs(offers, tmp_path / "out", BatchOptions(jobs=1), progress=seen.append)
    assert run.made == 3 and [type(e) for e in seen] == [BriefMade] * 3
    assert all(e.size > 10_000 for e in seen)
    for outcome, event in zip(run.outcomes, seen, strict=True):
        assert outcome.brief is not None and outcome.brief.pdf == b"" and outcome.brief.counter is None
        assert outcome.size == event.size == outcome.path.stat().st_size
        assert event.path == str(outcome.path) and event.pages == outcome.pages
        assert outcome.pages == len(read_pages(outcome.path))


def read_pages(path: Path) -> list:
    from pypdf import PdfReader

    return list(PdfReader(path).pages)


def test_one_briefs_outcome_carries_no_pdf_bytes_either(tmp_path, write_offer):
    """The single brief's record (api.make_brief) keeps the file's sha256 and size, not its bytes."""
    import hashlib

    from make_brief import make_brief

    outcome = make_brief(write_offer(offer_data()), tmp_path / "brief.pdf")
    data = (tmp_path / "brief.pdf").read_bytes()
    assert outcome.brief is not None and outcome.brief.pdf == b""
    assert outcome.size == len(data) and outcome.sha256 == hashlib.sha256(data).hexdigest()


def test_a_brief_changed_on_disk_since_it_was_made_is_not_mailed(tmp_path):
    """The postman reads the brief from its file; bytes that are not the ones the record's
    sha256 names (another run re-made the file) are refused, so the journal never records one
    brief while another went."""
    import hashlib

    from make_brief.deliver.postman import Parcel
    from make_brief.errors import OutputError

    path = tmp_path / "brief.pdf"
    path.write_bytes(b"%PDF-1.4 the brief as made")
    made = hashlib.sha256(path.read_bytes()).hexdigest()
    assert Parcel("a.yaml", path, "Ana", "ana@example.com", "g", "key", made).data() == path.read_bytes()
    path.write_bytes(b"%PDF-1.4 another run's brief")
    with pytest.raises(OutputError, match="the brief changed on disk since it was made"):
        Parcel("a.yaml", path, "Ana", "ana@example.com", "g", "key", made).data()

"""The journal lost, in each way a coach loses it: the output folder's delivery record keeps
every brief that went from going twice. Real rendering, a real SMTP server on loopback."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import offer_data
from smtp_sink import SmtpServer

from make_brief.cli import main

SIX = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans", "Ed Fox", "Flo Gil"]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def email(name: str) -> str:
    return name.split()[0].lower() + "@example.com"


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


@pytest.fixture
def six(tmp_path, write_offer):
    (tmp_path / "offers").mkdir()
    for name in SIX:
        write_offer(
            offer_data(candidate={"name": name, "email": email(name)}), f"offers/{name.split()[0]}.yaml"
        )
    return tmp_path / "offers"


@pytest.fixture
def mail(server, tmp_path):
    """The mail options: one sender, one journal file (deleted to lose it)."""
    return [*server.options, "--journal", tmp_path / "journal.sqlite", "--from", "coach@example.org"]


def test_sent_then_unchanged_then_journal_lost_sends_nobody_again(server, six, tmp_path, mail):
    out = tmp_path / "out"
    assert run(six, "-o", out, "--send", *mail).exit_code == 0
    again = run(six, "-o", out, "--send", *mail)  # rewrites each row's mail cell: "already sent"
    assert again.exit_code == 0 and again.stdout.count("already sent, unchanged: ") == 6
    (tmp_path / "journal.sqlite").unlink()
    lost = run(six, "-o", out, "--send", *mail)
    assert lost.exit_code == 0, lost.output
    assert len(server.sink.received) == 6  # none again
    assert lost.stdout.count("(the output folder records it as sent on ") == 6
    assert lost.stdout.count("; the journal does not)") == 6


def test_a_correction_sent_with_resend_changed_then_journal_lost(server, six, tmp_path, write_offer, mail):
    out = tmp_path / "out"
    assert run(six, "-o", out, "--send", *mail).exit_code == 0
    changed = offer_data(candidate={"name": "Cy Diaz", "email": email("Cy Diaz")})
    changed["offer"] = {**changed["offer"], "sign_on": 25000}
    write_offer(changed, "offers/Cy.yaml")
    corrected = run(six, "-o", out, "--send", "--resend-changed", *mail)
    assert corrected.exit_code == 0 and len(server.sink.received) == 7
    (tmp_path / "journal.sqlite").unlink()
    lost = run(six, "-o", out, "--send", "--resend-changed", *mail)
    assert lost.exit_code == 0 and len(server.sink.received) == 7  # not 12
    # the first version of Cy's brief is recorded too: corrected back, it is not sent again
    write_offer(offer_data(candidate={"name": "Cy Diaz", "email": email("Cy Diaz")}), "offers/Cy.yaml")
    back = run(six, "-o", out, "--send", "--resend-changed", *mail)
    assert back.exit_code == 0 and len(server.sink.received) == 7
    assert back.stdout.count("already sent, unchanged: ") == 6


def test_a_changed_brief_with_the_journal_lost_is_held_as_changed(server, six, tmp_path, write_offer, mail):
    out = tmp_path / "out"
    assert run(six, "-o", out, "--send", *mail).exit_code == 0
    (tmp_path / "journal.sqlite").unlink()
    changed = offer_data(candidate={"name": "Bo Chen", "email": email("Bo Chen")})
    changed["offer"] = {**changed["offer"], "base": 215000}
    write_offer(changed, "offers/Bo.yaml")
    held = run(six, "-o", out, "--send", *mail)
    assert held.exit_code == 1 and len(server.sink.received) == 6
    lines = [line for line in held.stderr.splitlines() if line.startswith("held: ")]
    assert len(lines) == 1 and "Bo Chen <bo@example.com>" in lines[0]
    assert (
        "changed since an earlier version went" in lines[0] and "--resend-changed sends this one" in lines[0]
    )
    assert str(out / "deliveries.jsonl") in lines[0]


def test_a_plain_re_render_then_journal_lost(server, six, tmp_path, mail):
    out = tmp_path / "out"
    assert run(six, "-o", out, "--send", *mail).exit_code == 0
    assert run(six, "-o", out).exit_code == 0  # no mail options: the manifest's mail cells go blank
    (tmp_path / "journal.sqlite").unlink()
    lost = run(six, "-o", out, "--send", *mail)
    assert lost.exit_code == 0 and len(server.sink.received) == 6


def test_a_shard_retried_and_the_mail_stage_run_again_with_the_journal_lost(server, six, tmp_path, mail):
    out = tmp_path / "out"
    for shard in ("0/2", "1/2"):
        assert run(six, "-o", out, "--shard", shard).exit_code == 0
    assert run("mail", out, "--send", *mail).exit_code == 0
    assert len(server.sink.received) == 6
    assert run(six, "-o", out, "--shard", "1/2").exit_code == 0  # Kubernetes retried a shard
    (tmp_path / "journal.sqlite").unlink()
    again = run("mail", out, "--send", *mail)
    assert again.exit_code == 0, again.output
    assert len(server.sink.received) == 6
    assert again.stdout.count("already sent, unchanged: ") == 6


def test_the_record_is_append_only_and_says_what_went(server, six, tmp_path, mail):
    out = tmp_path / "out"
    assert run(six, "-o", out, "--send", *mail).exit_code == 0
    first = (out / "deliveries.jsonl").read_bytes()
    assert run(six, "-o", out).exit_code == 0
    assert run(six, "-o", out, "--send", *mail).exit_code == 0
    assert (out / "deliveries.jsonl").read_bytes() == first  # nothing new went: nothing added
    steps = [json.loads(line) for line in first.splitlines()]
    assert [s["event"] for s in steps] == ["sending", "sent"] * 6
    by_id = {r.message["Message-ID"]: r for r in server.sink.received}
    for step in steps[1::2]:
        got = by_id[step["message_id"]]
        assert got.rcpt_tos == [step["recipient"]]
        assert step["sha256"] == hashlib.sha256(got.attachments[0][2]).hexdigest()
        assert step["at"].endswith(" UTC") and step["content"] and step["guide"]


def test_a_cut_off_line_in_the_record_is_skipped(server, six, tmp_path, mail):
    out = tmp_path / "out"
    assert run(six, "-o", out, "--send", *mail).exit_code == 0
    with open(out / "deliveries.jsonl", "ab") as record:
        record.write(b'{"event": "sent", "recipient": "x@exa')  # a crash in the middle of a line
    (tmp_path / "journal.sqlite").unlink()
    again = run(six, "-o", out, "--send", *mail)
    assert again.exit_code == 0 and len(server.sink.received) == 6


def test_two_runs_at_once_against_a_slow_server(server, six, tmp_path, mail):
    """Each person once; the run that finds the other's messages in flight says so, on one line
    each, never that a run stopped; and exits 0, as nothing is left for the user to decide."""
    out = tmp_path / "out"
    assert run(six, "-o", out).exit_code == 0
    server.sink.delay = 1.0  # six messages take a run six seconds: the two overlap
    command = [sys.executable, "-m", "make_brief", "mail", str(out), "--send", *map(str, mail)]
    env = {**os.environ, "MAKE_BRIEF_DEBUG": "1"}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in "ab"]
    done = [(r.wait(timeout=300), *(part.decode() for part in r.communicate())) for r in runs]
    assert sorted(r.rcpt_tos[0] for r in server.sink.received) == sorted(map(email, SIX))
    for code, _, stderr in done:
        assert code == 0, stderr
        assert "stopped" not in stderr and "held:" not in stderr and " 0 held, " in stderr
    flying = [line for _, _, err in done for line in err.splitlines() if line.startswith("in flight: ")]
    for name in SIX:  # each brief the other run was sending is on one line, and only one
        assert sum(f"{name} <{email(name)}>" in line for line in flying) <= 1
    assert flying and all("is sending it now" in line and "(pid " in line for line in flying)

"""Delivery you can trust: reproducible briefs, a journal that knows a brief by what it says, one
journal per sender, and the mail stage on its own. Real rendering, a real SMTP server."""

from __future__ import annotations

import csv
import sqlite3
import sys
from contextlib import closing
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import offer_data
from smtp_sink import SmtpServer

from make_brief.cli import main
from make_brief.deliver.journal import default_path

SENDER = ["--from", "Coach Carter <coach@example.org>"]
SEVEN = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans", "Ed Fox", "Flo Gil", "Gus Hu"]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def email(name: str) -> str:
    return name.split()[0].lower() + "@example.com"


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


@pytest.fixture
def seven(tmp_path, write_offer):
    """A folder with an offer file for each of seven candidates."""
    (tmp_path / "offers").mkdir()
    for name in SEVEN:
        write_offer(
            offer_data(candidate={"name": name, "email": email(name)}), f"offers/{name.split()[0]}.yaml"
        )
    return tmp_path / "offers"


def midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


# --- reproducible by default ------------------------------------------------------------------


def test_the_same_inputs_give_the_same_bytes_all_day_dated_by_the_day(
    tmp_path, write_offer, monkeypatch, read_pdf
):
    offer = write_offer(offer_data(), "jane.yaml")
    day = date(2026, 11, 18)
    made = []
    for second in (60, 3600 * 13 + 7):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(midnight(day) + second))
        target = tmp_path / f"at-{second}.pdf"
        assert run(offer, "--template", "compact", "-o", target).exit_code == 0
        made.append(target.read_bytes())
    assert made[0] == made[1]
    meta = read_pdf(made[0]).metadata
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20261118000000+00'00'"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(midnight(day) + 86400))  # the next day
    assert run(offer, "--template", "compact", "-o", tmp_path / "next.pdf").exit_code == 0
    assert read_pdf(tmp_path / "next.pdf").metadata["/CreationDate"] == "D:20261119000000+00'00'"


def test_without_source_date_epoch_the_bytes_are_those_of_the_day(tmp_path, write_offer, monkeypatch):
    offer = write_offer(offer_data(), "jane.yaml")
    for _ in range(2):  # a second try only if the first straddled midnight
        today = date.today()
        monkeypatch.delenv("SOURCE_DATE_EPOCH")
        assert run(offer, "--template", "compact", "-o", tmp_path / "clock.pdf").exit_code == 0
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(midnight(today) + 4321))
        assert run(offer, "--template", "compact", "-o", tmp_path / "epoch.pdf").exit_code == 0
        if date.today() == today:
            break
    assert (tmp_path / "clock.pdf").read_bytes() == (tmp_path / "epoch.pdf").read_bytes()


def test_a_corrected_offer_re_mails_exactly_the_one_that_changed(
    server, seven, tmp_path, write_offer, monkeypatch
):
    out = tmp_path / "out"
    first = run(seven, "-o", out, "--send", *server.options, *SENDER, "-j", "2")
    assert first.exit_code == 0, first.output
    assert len(server.sink.received) == 7
    # the next day, with one candidate's sign-on corrected
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1795000000 + 86400))
    changed = offer_data(candidate={"name": "Cy Diaz", "email": email("Cy Diaz")})
    changed["offer"] = {**changed["offer"], "sign_on": 25000}
    write_offer(changed, "offers/Cy.yaml")
    held = run(seven, "-o", out, "--send", *server.options, *SENDER, "-j", "2")
    assert held.exit_code == 1 and len(server.sink.received) == 7  # held for the user to decide
    assert held.stdout.count("already sent, unchanged: ") == 6
    assert ": Cy Diaz <cy@example.com> " in held.stderr and "changed since an earlier version" in held.stderr
    again = run(seven, "-o", out, "--send", "--resend-changed", *server.options, *SENDER, "-j", "2")
    assert again.exit_code == 0, again.output
    assert [r.rcpt_tos for r in server.sink.received[7:]] == [["cy@example.com"]]
    assert again.stdout.count("already sent, unchanged: ") == 6
    sent = server.sink.received[7].attachments[0][2]
    assert sent == (out / "cy-diaz-segment-engineering-manager.pdf").read_bytes()


# --- one journal per sender -------------------------------------------------------------------


def test_a_re_run_into_another_folder_mails_nobody_twice(server, seven, tmp_path):
    assert run(seven, "-o", tmp_path / "a", "--send", *server.options, *SENDER).exit_code == 0
    other = run(seven, "-o", tmp_path / "b", "--send", *server.options, *SENDER)
    assert other.exit_code == 0, other.output
    assert len(server.sink.received) == 7
    assert other.stdout.count("already sent, unchanged: ") == 7
    journal = default_path("coach@example.org")
    assert journal.is_file() and journal.parent.parent.parent == Path(
        __import__("os").environ["XDG_DATA_HOME"]
    )
    shown = run("journal", "path", "--from", "coach@example.org")
    assert shown.stdout.strip() == str(journal)


def test_journal_chooses_another_file(server, seven, tmp_path):
    mine = tmp_path / "mine.sqlite"
    assert (
        run(seven, "-o", tmp_path / "a", "--send", "--journal", mine, *server.options, *SENDER).exit_code == 0
    )
    assert not default_path("coach@example.org").exists()
    with closing(sqlite3.connect(mine)) as db:
        assert db.execute("SELECT count(*) FROM messages WHERE state = 'sent'").fetchone() == (7,)


# --- the mail stage on its own ----------------------------------------------------------------


def test_the_mail_stage_mails_what_the_manifest_records_once(server, seven, tmp_path):
    out = tmp_path / "out"
    assert run(seven, "-o", out).exit_code == 0
    dry = run("mail", out, *server.options, *SENDER)
    assert dry.exit_code == 0, dry.output
    assert server.sink.received == [] and dry.stdout.count("would send: ") == 7
    assert "nothing was sent: 7 messages would go" in dry.stderr
    sent = run("mail", out, "--send", *server.options, *SENDER)
    assert sent.exit_code == 0, sent.output
    assert sorted(r.rcpt_tos[0] for r in server.sink.received) == sorted(map(email, SEVEN))
    for received in server.sink.received:
        ((_, _, data),) = received.attachments
        assert data == (out / received.plain_names[0]).read_bytes()
    rows = list(csv.DictReader((out / "manifest.csv").read_text(encoding="utf-8").splitlines()))
    assert {r["mail"] for r in rows} == {"sent"}
    again = run("mail", out, "--send", *server.options, *SENDER)
    assert again.exit_code == 0 and len(server.sink.received) == 7
    assert again.stdout.count("already sent, unchanged: ") == 7


def test_the_mail_stage_needs_a_manifest(tmp_path):
    result = run("mail", tmp_path, *SENDER)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {tmp_path}: no manifest here (manifest.csv, or manifest-<I>-of-<N>.csv from shards)"
        " (make the briefs into this folder first)"
    )


# --- exactly once, under faults ---------------------------------------------------------------


def test_a_journal_deleted_between_runs_mails_nobody_the_manifest_records(server, seven, tmp_path):
    out = tmp_path / "out"
    assert run(seven, "-o", out, "--send", *server.options, *SENDER).exit_code == 0
    default_path("coach@example.org").unlink()
    again = run(seven, "-o", out, "--send", *server.options, *SENDER)
    assert again.exit_code == 0, again.output
    assert len(server.sink.received) == 7
    assert again.stdout.count("the output folder records it as sent on ") == 7
    assert again.stdout.count(f"in {out / 'deliveries.jsonl'}; the journal does not)") == 7


def test_an_emptied_journal_is_refused_and_nothing_is_sent(server, seven, tmp_path):
    assert run(seven, "-o", tmp_path / "a", "--send", *server.options, *SENDER).exit_code == 0
    journal = default_path("coach@example.org")
    journal.write_bytes(b"")
    again = run(seven, "-o", tmp_path / "b", "--send", *server.options, *SENDER)
    assert again.exit_code == 1 and len(server.sink.received) == 7
    assert again.stderr.strip() == (
        f"error: {journal}: the send journal is empty (0 bytes): it was cut short, so it cannot say"
        " what was sent (restore it from a backup, or delete it to start afresh (each output folder's"
        " delivery record still guards what was sent from it))"
    )


def test_a_connection_cut_after_the_message_was_stored_holds_it(seven, tmp_path):
    out = tmp_path / "out"
    with SmtpServer() as server:
        server.sink.cut_after_storing = 1  # stores the first message, then hangs up unanswered
        first = run(seven, "-o", out, "--send", *server.options, *SENDER)
        assert first.exit_code == 1
        assert len(server.sink.received) == 1 and server.sink.received[0].rcpt_tos == ["ann@example.com"]
        held = [line for line in first.stderr.splitlines() if line.startswith("held: ")]
        assert len(held) == 1 and "Ann Lee <ann@example.com>" in held[0] and "may have arrived" in held[0]
        assert "held: " not in first.stdout  # each held brief on one line, at the end
        assert "1 message held for you to decide" in first.stderr
        server.sink.cut_after_storing = None
        second = run(seven, "-o", out, "--send", *server.options, *SENDER)
        assert second.exit_code == 1  # still held: nobody has said it did not arrive
        assert "a run stopped while sending it" in second.stderr
        received = [r.rcpt_tos[0] for r in server.sink.received]
        assert sorted(received) == sorted(map(email, SEVEN))  # the other six, and Ann only once
        released = run("journal", "release", "ann@example.com", "--from", "coach@example.org")
        assert released.stdout.strip() == "released 1 message to ann@example.com: the next run sends it"
        # the folder's record still holds it: the safer of the two wins, and the line says which
        still = run(seven, "-o", out, "--send", *server.options, *SENDER)
        assert still.exit_code == 1 and len(server.sink.received) == 7
        assert (
            f"(the delivery record {out / 'deliveries.jsonl'} says so; the journal does not)" in still.stderr
        )
        assert f"--from coach@example.org --folder {out}`" in still.stderr
        both = run("journal", "release", "ann@example.com", "--from", "coach@example.org", "--folder", out)
        assert both.stdout.splitlines()[-1] == (
            f"released 1 message to ann@example.com in {out / 'deliveries.jsonl'}"
        )
        third = run(seven, "-o", out, "--send", *server.options, *SENDER)
        assert third.exit_code == 0, third.output
        assert [r.rcpt_tos[0] for r in server.sink.received].count("ann@example.com") == 2


def test_the_same_candidate_twice_in_one_table_sends_one(server, tmp_path):
    table = tmp_path / "people.csv"
    table.write_text(
        "candidate.name,candidate.email,guide,region,offer.base,offer.stock,offer.bonus_pct\n"
        "Jane Doe,jane@example.com,segment-engineering-manager,San Francisco,210000,180000,15\n"
        "Jane Doe,jane@example.com,segment-engineering-manager,San Francisco,220000,180000,15\n",
        encoding="utf-8",
    )
    result = run(table, "-o", tmp_path / "out", "--send", *server.options, *SENDER)
    assert result.exit_code == 1 and len(server.sink.received) == 1
    assert f"held: {table}:row 3: Jane Doe <jane@example.com> " in result.stderr
    assert f"came earlier in this run with other figures ({table}:row 2, sent)" in result.stderr


def test_two_runs_at_once_never_both_send_a_version_of_one_brief(server, tmp_path, write_offer):
    from make_brief.deliver.journal import Journal

    offer = write_offer(offer_data(), "jane.yaml")
    # another run has claimed its version of Jane's brief and is sending it right now
    with Journal(default_path("coach@example.org")) as other:
        claim = dict(guide="segment-engineering-manager", sha256="x", input="other", file="f", subject="s")
        assert other.claim("another-version", "jane@example.com", message_id="m", **claim)
        result = run(offer, "-o", tmp_path / "jane.pdf", "--send", *server.options, *SENDER)
        # the other run is live: its message is in flight, not held, and nothing says it stopped
        assert result.exit_code == 0 and server.sink.received == [], result.output
        lines = [line for line in result.stderr.splitlines() if "Jane Doe <jane@example.com>" in line]
        assert len(lines) == 1 and lines[0].startswith("in flight: ")
        assert "another version of it (other) is being sent by another run (pid " in lines[0]
        assert (
            "stopped" not in result.output
            and "held:" not in result.output
            and "held for you" not in result.output
        )
        assert "1 message being sent by another run, which reports them" in result.stderr
    # once that run has stopped without finishing, the claim is one that may have arrived
    again = run(offer, "-o", tmp_path / "jane.pdf", "--send", *server.options, *SENDER)
    assert again.exit_code == 1 and server.sink.received == []
    assert "held: " in again.stderr and "may have arrived: a run stopped while sending it" in again.stderr


def test_two_processes_at_once_with_corrected_offers_mail_one_version(tmp_path, write_offer):
    """Two real runs against one server and one journal, each with its own figures for Jane. The
    server greets the first run's connection only once the second has connected (both have found
    nothing in the journal), and the second only once the first has hung up (sent, journalled):
    the second must see that in the journal when it claims, and hold."""
    import os
    import subprocess

    from smtp_sink import Turns

    journal = tmp_path / "journal.sqlite"
    offers = []
    for base, name in ((210000, "a"), (230000, "b")):
        data = offer_data()
        data["offer"] = {**data["offer"], "base": base}
        offers.append(write_offer(data, f"jane-{name}.yaml"))
    with SmtpServer() as server:
        server.sink.turns = Turns()
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "make_brief", offer, "-o", tmp_path / f"{offer.stem}.pdf", "--send"]
                + [*server.options, "--journal", journal, *SENDER],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={**os.environ, "MAKE_BRIEF_DEBUG": "1"},
            )
            for offer in offers
        ]
        try:
            done = [(run.wait(timeout=300), *run.communicate()) for run in runs]
        finally:
            for run in runs:
                if run.poll() is None:
                    run.kill()
    assert server.sink.turns.arrived == 2, done  # the runs did overlap as the server arranged
    assert [r.rcpt_tos for r in server.sink.received] == [["jane@example.com"]]
    assert sorted(code for code, _, _ in done) == [0, 1]
    held = next(err.decode() for code, _, err in done if code == 1)
    assert held.startswith("held: ") and ": Jane Doe <jane@example.com> " in held
    assert "changed since an earlier version" in held
    with closing(sqlite3.connect(journal)) as db:
        assert db.execute("SELECT state FROM messages").fetchall() == [("sent",)]


# --- sending with OAuth2 ----------------------------------------------------------------------


def test_xoauth2_signs_in_with_a_token_from_the_environment_or_a_command(tmp_path, write_offer, monkeypatch):
    from smtp_sink import XoauthServer

    offer = write_offer(offer_data(), "jane.yaml")
    with XoauthServer() as server:
        login = [*server.options, "--smtp-user", "coach@example.org", "--smtp-auth", "xoauth2", "--send"]
        password = run(
            offer, "-o", tmp_path / "a.pdf", *server.options, "--smtp-user", "coach@example.org", "--send"
        )
        assert password.exit_code == 1 and server.sink.received == []
        monkeypatch.setenv("MAKE_BRIEF_SMTP_TOKEN", "ya29.stale")
        refused = run(offer, "-o", tmp_path / "a.pdf", *login)
        assert refused.exit_code == 1 and server.sink.received == []
        assert "refused the login of 'coach@example.org': 535" in refused.stderr
        assert "ya29.stale" not in refused.output
        assert (
            not default_path("coach@example.org").exists()
            or "sent" not in run("journal", "show", "--from", "coach@example.org").stdout
        )
        monkeypatch.setenv("MAKE_BRIEF_SMTP_TOKEN", "ya29.good-token")
        sent = run(offer, "-o", tmp_path / "a.pdf", *login)
        assert sent.exit_code == 0, sent.output
        assert server.sink.logins[-1] == (b"coach@example.org", b"Bearer ya29.good-token")
        monkeypatch.delenv("MAKE_BRIEF_SMTP_TOKEN")
        offer2 = write_offer(offer_data(candidate={"name": "Bo Chen", "email": "bo@example.com"}), "bo.yaml")
        command = f"{sys.executable} -c \"print('ya29.good-token')\""
        minted = run(offer2, "-o", tmp_path / "b.pdf", *login, "--smtp-token-command", command)
        assert minted.exit_code == 0, minted.output
        assert [r.rcpt_tos[0] for r in server.sink.received] == ["jane@example.com", "bo@example.com"]
    failing = run(
        offer2, "-o", tmp_path / "c.pdf", *login, "--smtp-token-command", f"{sys.executable} -c 'exit(3)'"
    )
    assert failing.exit_code == 1
    assert "--smtp-token-command" in failing.stderr and "gave no token (exit 3)" in failing.stderr


def test_a_token_never_crosses_the_network_in_clear(tmp_path, write_offer, monkeypatch):
    offer = write_offer(offer_data(), "jane.yaml")
    monkeypatch.setenv("MAKE_BRIEF_SMTP_TOKEN", "ya29.good-token")
    args = ["--smtp-host", "smtp.example.com", "--smtp-security", "none", "--smtp-user", "coach@example.org"]
    result = run(offer, "-o", tmp_path / "a.pdf", *args, "--smtp-auth", "xoauth2", "--send", *SENDER)
    assert result.exit_code == 1 and not (tmp_path / "a.pdf").exists()
    assert result.stderr.strip() == (
        "error: the access token would cross the network unencrypted to smtp.example.com"
        " (use --smtp-security starttls or tls)"
    )


def test_a_refused_token_is_found_before_any_brief_is_made(tmp_path, seven, monkeypatch):
    from smtp_sink import XoauthServer

    out, made, journal = tmp_path / "out", tmp_path / "made", tmp_path / "journal.sqlite"
    assert run(seven, "-o", made, "-j", "2").exit_code == 0  # for the mail stage on its own
    listed = (made / "manifest.csv").read_bytes()
    monkeypatch.setenv("MAKE_BRIEF_SMTP_TOKEN", "ya29.expired")
    with XoauthServer() as server:
        login = [*server.options, "--smtp-user", "coach@example.org", "--smtp-auth", "xoauth2"]
        for command in ([seven, "-o", out], ["mail", made]):
            refused = run(*command, *login, "--send", "--journal", journal, *SENDER)
            assert refused.exit_code == 1 and server.sink.received == []
            assert refused.stdout == ""
            assert refused.stderr == (
                "error: 127.0.0.1 refused the login of 'coach@example.org': 535 5.7.8 Authentication"
                " credentials invalid\n"
            )
            assert len(server.sink.logins) == 1  # once, up front, not once per brief
            server.sink.logins.clear()
        assert not out.exists() and not journal.exists()  # no brief, no manifest, no journal
        assert (made / "manifest.csv").read_bytes() == listed

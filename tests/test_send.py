"""Sending briefs to a real SMTP server on localhost (aiosmtpd), and the journal across runs."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import offer_data
from smtp_sink import SmtpServer

from make_brief.cli import main
from make_brief.deliver.journal import default_path

SENDER = ["--from", "Coach Carter <coach@example.org>"]
PEOPLE = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans"]


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


@pytest.fixture
def offers(tmp_path, write_offer):
    """A folder with a good offer file for each of PEOPLE, and one without an e-mail address."""
    folder = tmp_path / "offers"
    folder.mkdir()
    for name in PEOPLE:
        email = name.split()[0].lower() + "@example.com"
        write_offer(offer_data(candidate={"name": name, "email": email}), f"offers/{name.split()[0]}.yaml")
    write_offer(offer_data(candidate={"name": "Nomail Person"}), "offers/zz-nomail.yaml")
    return folder


def run(*args: str):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


def journal_file() -> Path:
    """The sender's journal, in the test's own data folder (XDG_DATA_HOME, see conftest)."""
    return default_path("coach@example.org")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_send_delivers_each_brief_to_its_candidate_once(server, offers, tmp_path):
    out = tmp_path / "out"
    first = run(offers, "-o", out, "--send", *server.options, *SENDER, "-j", "2")
    assert first.exit_code == 0, first.output
    got = server.sink.received
    assert [r.rcpt_tos for r in got] == [[n.split()[0].lower() + "@example.com"] for n in PEOPLE]
    for person, received in zip(PEOPLE, got, strict=True):
        msg = received.message
        assert received.mail_from == "coach@example.org"
        assert str(msg["To"]) == f"{person} <{person.split()[0].lower()}@example.com>"
        assert str(msg["From"]) == "Coach Carter <coach@example.org>"
        assert str(msg["Subject"]) == "Your negotiation brief: Engineering Manager at Segment"
        assert f"Dear {person}," in msg.get_body(("plain",)).get_content()
        pdf = out / f"{person.lower().replace(' ', '-')}-segment-engineering-manager.pdf"
        shown_as = f"{person} – Engineering Manager, Segment.pdf"
        assert received.attachments == [(shown_as, "application/pdf", pdf.read_bytes())]
        assert received.plain_names == [pdf.name]
        assert f"sent: {msg['To']} {pdf}" in first.stdout
    assert "note: " in first.stderr and "Nomail Person has no e-mail address: no message" in first.stderr

    second = run(offers, "-o", out, "--send", *server.options, *SENDER, "-j", "2")
    assert second.exit_code == 0, second.output
    assert len(server.sink.received) == len(PEOPLE)  # nothing sent twice
    assert second.stdout.count("already sent, unchanged: ") == len(PEOPLE)


def test_a_server_failing_mid_batch_leaves_a_journal_to_resume_from(server, offers, tmp_path):
    out = tmp_path / "out"
    server.sink.fail_after = 2
    first = run(offers, "-o", out, "--send", *server.options, *SENDER)
    assert first.exit_code == 1
    errors = [line for line in first.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {offers / 'Cy.yaml'}: e-mail to cy@example.com not sent: 421 4.3.2 Service shutting down"
    ]
    assert "1 more message not sent: the server failed (421 4.3.2 Service shutting down)" in first.stderr
    with closing(sqlite3.connect(journal_file())) as db:
        rows = db.execute("SELECT recipient, state FROM messages ORDER BY recipient").fetchall()
    assert rows == [("ann@example.com", "sent"), ("bo@example.com", "sent")]

    server.sink.fail_after = None
    second = run(offers, "-o", out, "--send", *server.options, *SENDER)
    assert second.exit_code == 0, second.output
    assert [r.rcpt_tos[0] for r in server.sink.received] == [
        "ann@example.com",
        "bo@example.com",
        "cy@example.com",
        "di@example.com",
    ]
    assert (
        second.stdout.count("already sent, unchanged: ") == 2
        and second.stdout.count("\nsent: ") + (second.stdout.startswith("sent: ")) == 2
    )


def test_an_unreachable_server_sends_nothing_and_the_next_run_sends_all(offers, tmp_path):
    out = tmp_path / "out"
    with SmtpServer() as server:
        options = server.options
    down = run(offers, "-o", out, "--send", *options, *SENDER)  # the server is gone
    assert down.exit_code == 1 and "cannot connect to 127.0.0.1" in down.stderr
    assert len(list(out.glob("*.pdf"))) == len(PEOPLE) + 1  # the briefs are made all the same
    with SmtpServer() as server:  # up again (on another port: the journal does not mind)
        up = run(offers, "-o", out, "--send", *server.options, *SENDER)
    assert up.exit_code == 0, up.output
    assert len(server.sink.received) == len(PEOPLE)


def test_without_send_nothing_is_sent_and_the_plan_is_shown(server, offers, tmp_path):
    result = run(offers, "-o", tmp_path / "out", *server.options, *SENDER)
    assert result.exit_code == 0, result.output
    assert server.sink.received == []
    assert result.stdout.count("would send: ") == len(PEOPLE)
    assert "would send: Ann Lee <ann@example.com> " in result.stdout
    assert (
        f"nothing was sent: {len(PEOPLE)} messages would go via 127.0.0.1:{server.port} (none);"
        " add --send to send them"
    ) in result.stderr
    assert not journal_file().exists()


def test_a_changed_brief_is_held_unless_asked(server, tmp_path, write_offer):
    offer = write_offer(offer_data(), "jane.yaml")
    out = tmp_path / "out"
    assert run(offer, "-o", out / "jane.pdf", "--send", *server.options, *SENDER).exit_code == 0
    write_offer(offer_data(offer={"base": 215000, "stock": 180000, "bonus_pct": 15}), "jane.yaml")
    held = run(offer, "-o", out / "jane.pdf", "--send", *server.options, *SENDER)
    assert held.exit_code == 1 and len(server.sink.received) == 1  # held: for the user to decide
    assert "held: " in held.stderr and " Jane Doe <jane@example.com> " in held.stderr
    assert "--resend-changed" in held.stderr and "held: " not in held.stdout
    again = run(offer, "-o", out / "jane.pdf", "--send", "--resend-changed", *server.options, *SENDER)
    assert again.exit_code == 0 and len(server.sink.received) == 2
    assert server.sink.received[1].attachments[0][2] == (out / "jane.pdf").read_bytes()


def test_login_uses_the_password_from_the_environment_only(tmp_path, write_offer, monkeypatch):
    offer = write_offer(offer_data(), "jane.yaml")
    with SmtpServer(auth=True) as server:
        login = [*server.options, "--smtp-user", "coach", *SENDER, "--send"]
        monkeypatch.delenv("MAKE_BRIEF_SMTP_PASSWORD", raising=False)
        missing = run(offer, "-o", tmp_path / "a.pdf", *login)
        assert missing.exit_code == 1 and not (tmp_path / "a.pdf").exists()
        assert missing.stderr.strip() == (
            "error: --smtp-user 'coach' needs a password (set $MAKE_BRIEF_SMTP_PASSWORD)"
        )
        monkeypatch.setenv("MAKE_BRIEF_SMTP_PASSWORD", "wrong")
        refused = run(offer, "-o", tmp_path / "a.pdf", *login)
        assert refused.exit_code == 1 and "refused the login of 'coach'" in refused.stderr
        assert "wrong" not in refused.output
        monkeypatch.setenv("MAKE_BRIEF_SMTP_PASSWORD", "s3cret pass")
        sent = run(offer, "-o", tmp_path / "a.pdf", *login)
        assert sent.exit_code == 0, sent.output
        assert server.sink.logins[-1] == (b"coach", b"s3cret pass")
        assert len(server.sink.received) == 1


def test_starttls_is_the_default_and_is_required(server, tmp_path, write_offer):
    offer = write_offer(offer_data(), "jane.yaml")
    options = ["--smtp-host", "127.0.0.1", "--smtp-port", str(server.port)]
    result = run(offer, "-o", tmp_path / "a.pdf", "--send", *options, *SENDER)
    assert result.exit_code == 1 and server.sink.received == []
    assert (
        "127.0.0.1 does not offer STARTTLS (use --smtp-security tls, or none for a local relay)"
        in result.stderr
    )


def test_the_settings_can_come_from_a_config_file(server, tmp_path, write_offer):
    offer = write_offer(offer_data(), "jane.yaml")
    config = tmp_path / "mail.yaml"
    config.write_text(
        f"smtp-host: 127.0.0.1\nsmtp-port: {server.port}\nsmtp-security: none\n"
        "from: Coach <coach@example.org>\nreply-to: desk@example.org\nrate: 100/s\n",
        encoding="utf-8",
    )
    result = run(offer, "-o", tmp_path / "a.pdf", "--send", "--config", config)
    assert result.exit_code == 0, result.output
    (received,) = server.sink.received
    assert str(received.message["Reply-To"]) == "desk@example.org"
    config.write_text("smtp-host: x\nsmtp-password: hunter2\n", encoding="utf-8")
    refused = run(offer, "-o", tmp_path / "a.pdf", "--send", "--config", config)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        f"error: {config}:2: smtp-password: a password is never read from a file"
        " (set $MAKE_BRIEF_SMTP_PASSWORD)"
    )


def test_an_attachment_over_the_budget_is_a_clear_failure(server, offers, tmp_path):
    out = tmp_path / "out"
    result = run(offers, "-o", out, "--send", "--max-attachment", "20KB", *server.options, *SENDER)
    assert result.exit_code == 1 and server.sink.received == []
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(PEOPLE)
    size = (out / "ann-lee-segment-engineering-manager.pdf").stat().st_size
    assert errors[0] == (
        f"error: {offers / 'Ann.yaml'}: the brief is {size / 1000:.0f} KB, over the 20 KB attachment limit"
        " (raise --max-attachment, or send this brief another way)"
    )
    assert len(list(out.glob("*.pdf"))) == len(PEOPLE) + 1


def test_the_manifest_says_what_became_of_each_message(server, offers, tmp_path):
    import csv

    out = tmp_path / "out"
    assert run(offers, "-o", out, "--send", *server.options, *SENDER).exit_code == 0
    rows = list(csv.DictReader((out / "manifest.csv").read_text(encoding="utf-8").splitlines()))
    assert [(r["recipient"], r["mail"]) for r in rows] == [
        ("ann@example.com", "sent"),
        ("bo@example.com", "sent"),
        ("cy@example.com", "sent"),
        ("di@example.com", "sent"),
        ("", "no e-mail"),
    ]
    sent = {r.rcpt_tos[0]: sha(r.attachments[0][2]) for r in server.sink.received}
    assert all(sent[r["recipient"]] == r["sha256"] for r in rows if r["recipient"])
    assert Path(rows[0]["output"]).exists()


def test_a_message_whose_sending_was_cut_off_is_not_sent_again_by_itself(server, tmp_path, write_offer):
    offer = write_offer(offer_data(), "jane.yaml")
    out = tmp_path / "out"
    assert run(offer, "-o", out / "jane.pdf", "--send", *server.options, *SENDER).exit_code == 0
    with closing(sqlite3.connect(journal_file())) as db:  # as if the run had been killed while sending
        db.execute("UPDATE messages SET state = 'sending'")
        db.commit()
    record = out / "deliveries.jsonl"  # ... before it could record the server's answer
    steps = record.read_text(encoding="utf-8").splitlines(keepends=True)
    assert [json.loads(step)["event"] for step in steps] == ["sending", "sent"]
    record.write_text(steps[0], encoding="utf-8")
    again = run(offer, "-o", out / "jane.pdf", "--send", *server.options, *SENDER)
    assert again.exit_code == 1 and len(server.sink.received) == 1
    assert "held: " in again.stderr and " Jane Doe <jane@example.com> " in again.stderr
    assert "may have arrived" in again.stderr
    assert (
        "if it did not arrive, `make-brief journal release jane@example.com --from coach@example.org"
        f" --folder {out}` lets the next run send it" in again.stderr
    )


@pytest.mark.parametrize(
    "name",
    [
        "Ann Lee",
        "A" * 72,  # a first word that fits a folded line, but not after "Subject: "
        "Zoë-Łukasiewicz-Wiśniewska-Brzęczyszczykiewicz-Grzegorzewska-Kowalczyk-Nowak",
        "Александра-Константиновна-Преображенская-Добровольская" * 2,
    ],
)
def test_the_subject_header_starts_with_its_text_on_the_first_line(tmp_path, write_offer, name):
    """Never `Subject:\\r\\n Your ...`: raw bytes as the server received them and as the .eml holds them."""
    templates = tmp_path / "mail"
    templates.mkdir()
    (templates / "subject.j2").write_text(
        "{{ candidate.name }}: your brief for {{ role }}\n", encoding="utf-8"
    )
    offer = write_offer(offer_data(candidate={"name": name, "email": "ann@example.com"}))
    with SmtpServer() as server:
        args = [str(offer), "--out-dir", str(tmp_path / "out"), "--eml", str(tmp_path / "eml"), "--send"]
        args += ["--from", "coach@example.org", "--mail-templates", str(templates), *server.options]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        (received,) = server.sink.received
    eml = next((tmp_path / "eml").glob("*.eml")).read_bytes()
    for raw in (received.raw, eml):
        header = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
        line = next(x for x in header.splitlines() if x.startswith(b"Subject:"))
        assert line.startswith(b"Subject: ") and len(line) > len(b"Subject: ")
        assert not line.endswith(b"Subject:")
    assert received.message["Subject"] == f"{name}: your brief for Engineering Manager"

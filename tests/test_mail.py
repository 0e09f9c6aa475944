"""Messages, addresses, settings and the journal, without a server; .eml files from the command."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import offer_data

from make_brief.cli import main
from make_brief.deliver.journal import Journal
from make_brief.deliver.mail import (
    DEFAULT_MAX_ATTACHMENT,
    Letter,
    MailError,
    MailSettings,
    Wording,
    address,
    message,
    parse_rate,
    parse_size,
    settings,
)
from make_brief.deliver.postman import Pace
from make_brief.errors import JournalError

SAMPLE_PDF = b"%PDF-1.7 not really\n%%EOF\n"


def parse(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


@pytest.mark.parametrize(
    ("text", "name", "shown"),
    [
        ("jane@example.com", "Jane Doe", "Jane Doe <jane@example.com>"),
        ("Coach <coach@example.org>", "", "Coach <coach@example.org>"),
        ("ann@example.com", "Ann <b>Lee</b> & Co, Ltd", '"Ann <b>Lee</b> & Co, Ltd" <ann@example.com>'),
        ("eve@example.com", "Eve\r\nBcc: evil@example.net", '"Eve Bcc: evil@example.net" <eve@example.com>'),
    ],
)
def test_addresses(text, name, shown):
    assert str(address(text, "to", name)) == shown


@pytest.mark.parametrize(
    "text",
    [
        "not-an-address",
        "a b@example.com",
        "a@b@example.com",
        "jane@localhost",
        "a@example.com, b@example.com",
        "a@example.com\r\nBcc: evil@example.net",
        "<>",
        "",
    ],
)
def test_bad_addresses_are_refused(text):
    with pytest.raises(MailError, match=r"^to: "):
        address(text, "to")


def letter(name: str = "Jane Doe", to: str = "jane@example.com") -> Letter:
    return Letter(
        address(to, "to", name), SAMPLE_PDF, "jane-doe-x.pdf", hashlib.sha256(SAMPLE_PDF).hexdigest(), {}
    )


def test_no_text_can_make_a_header(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "subject.j2").write_text("Hi {{ candidate.name }}\nBcc: evil@example.net\r\nX-Evil: 1", "utf-8")
    wording = Wording(folder)
    ctx = {
        **_ctx(),
        "candidate": {
            "name": "Eve\r\nCc: evil@example.net",
            "preferred_name": "Eve\r\nCc: x",
            "email": "eve@example.com",
        },
    }
    subject, body = wording.render(ctx)
    assert subject == "Hi Eve Cc: evil@example.net Bcc: evil@example.net X-Evil: 1"
    sender = MailSettings(sender=address("Coach <coach@example.org>", "from"))
    msg = parse(
        message(letter("Eve\r\nCc: evil@example.net", "eve@example.com"), subject, body, sender).as_bytes()
    )
    assert [k for k in msg.keys()] == [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
    ]
    assert [a.addr_spec for a in msg["To"].addresses] == ["eve@example.com"]
    assert msg["Subject"] == subject and msg["Cc"] is None and msg["Bcc"] is None


def _ctx() -> dict:
    from make_brief.deliver.mail import SAMPLE

    return dict(SAMPLE)


def test_the_message_carries_the_pdf_as_it_is():
    msg = parse(message(letter(), "Subject", "Body\n", MailSettings()).as_bytes())
    (part,) = msg.iter_attachments()
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "jane-doe-x.pdf"
    assert part.get_content() == SAMPLE_PDF
    assert msg.get_body(("plain",)).get_content().splitlines() == ["Body"]
    assert msg["From"] is None  # an .eml without --from: the mail client fills it in


def test_templates_run_in_the_sandbox(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "body.j2").write_text("{{ candidate.__class__.__mro__ }}", "utf-8")
    with pytest.raises(
        MailError, match="body.j2: access to attribute '__class__' of 'dict' object is unsafe"
    ):
        Wording(folder)
    (folder / "body.j2").write_text("{{ nothing_here }}", "utf-8")
    with pytest.raises(MailError, match="body.j2: 'nothing_here' is undefined"):
        Wording(folder)
    (folder / "body.j2").write_text("{% if %}", "utf-8")
    with pytest.raises(MailError, match=r"body.j2:1: "):
        Wording(folder)


def test_settings_come_from_options_then_config_then_defaults(tmp_path, monkeypatch):
    from make_brief.deliver.mail import load_config

    config = tmp_path / "mail.yaml"
    config.write_text("smtp-host: mail.example.org\nsmtp-user: coach@example.org\nrate: 30/min\n", "utf-8")
    monkeypatch.setenv("MAKE_BRIEF_SMTP_PASSWORD", "pw")
    got = settings({"smtp_host": "other.example.org", "send": True}, load_config(config))
    assert (got.host, got.port, got.security, got.user, got.password) == (
        "other.example.org",
        587,
        "starttls",
        "coach@example.org",
        "pw",
    )
    assert str(got.sender) == "coach@example.org" and got.rate == 0.5
    assert got.max_attachment == DEFAULT_MAX_ATTACHMENT == 10_000_000
    assert "pw" not in repr(got)
    assert settings({"smtp_security": "tls", "smtp_host": "h.example.org"}).port == 465
    config.write_text("smtp-hots: x\n", "utf-8")
    with pytest.raises(
        MailError, match=r"mail.yaml:1: smtp-hots: unknown key \(did you mean 'smtp-host'\?\)"
    ):
        load_config(config)


@pytest.mark.parametrize(
    ("given", "message_start"),
    [
        ({"send": True}, "--send needs an SMTP server"),
        ({"send": True, "smtp_host": "h.example.org"}, "--send needs a sender address"),
        (
            {"send": True, "smtp_host": "h.example.org", "smtp_user": "u", "sender": "a@example.org"},
            "--smtp-user 'u' needs a password",
        ),
        ({"rate": "fast"}, "--rate 'fast': write a number of messages per s, min or h"),
        ({"max_attachment": "ten"}, "--max-attachment 'ten'"),
        ({"sender": "nobody"}, "--from: 'nobody' is not one valid e-mail address"),
    ],
)
def test_settings_that_cannot_work_stop_the_run(given, message_start, monkeypatch):
    monkeypatch.delenv("MAKE_BRIEF_SMTP_PASSWORD", raising=False)
    with pytest.raises(MailError) as caught:
        settings(given)
    assert str(caught.value).startswith(message_start)


def test_a_password_never_crosses_the_network_in_clear(monkeypatch):
    monkeypatch.setenv("MAKE_BRIEF_SMTP_PASSWORD", "pw")
    given = {"send": True, "smtp_user": "u", "sender": "a@example.org", "smtp_security": "none"}
    with pytest.raises(MailError, match="unencrypted to mail.example.org"):
        settings({**given, "smtp_host": "mail.example.org"})
    assert settings({**given, "smtp_host": "127.0.0.1"}).password == "pw"


def test_rates_and_sizes():
    assert parse_rate("2/s") == 2 and parse_rate("30/min") == 0.5 and parse_rate("360/h") == 0.1
    assert parse_rate(None) is None
    assert (
        parse_size("10MB") == 10_000_000 and parse_size("500 kb") == 500_000 and parse_size("2MiB") == 2**21
    )
    assert parse_size(12345) == 12345


def test_pace_waits_between_messages_only_as_needed():
    now, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    pace = Pace(2.0, clock=lambda: now[0], sleep=sleep)  # 2 a second: one each 0.5 s
    pace.wait()
    pace.wait()
    now[0] += 0.2
    pace.wait()
    now[0] += 5
    pace.wait()
    assert slept == [0.5, 0.3]
    Pace(None, clock=lambda: now[0], sleep=sleep).wait()
    assert slept == [0.5, 0.3]


def test_the_journal_keys_by_what_the_brief_says_and_the_recipient(tmp_path):
    path = tmp_path / "j.sqlite"
    claim = dict(guide="g", sha256="pdf", input="i", file="f", subject="s", message_id="m")
    with Journal(path) as journal:
        assert journal.claim("content-a", "ann@example.com", **claim)
        assert not journal.claim("content-a", "ann@example.com", **claim)
        assert journal.find("content-a", "ann@example.com").state == "sending"
        # one claim at a time per recipient and guide: another version cannot be claimed now
        assert not journal.claim("content-b", "ann@example.com", **claim)
        journal.sent("content-a", "ann@example.com")
        assert journal.claim("content-a", "bo@example.com", **claim)
        journal.release("content-a", "bo@example.com")
        assert journal.find("content-a", "bo@example.com") is None
        assert journal.other("ann@example.com", "g", "content-b").run == journal.run
    with Journal(path, read_only=True) as later:
        assert later.find("content-a", "ann@example.com").state == "sent"
        earlier = later.other("ann@example.com", "g", "content-b")
        assert earlier.content == "content-a" and earlier.run != later.run
        assert later.other("ann@example.com", "other-guide", "content-b") is None
    assert Journal(tmp_path / "none" / "j.sqlite", read_only=True).find("x", "y") is None
    assert not (tmp_path / "none").exists()


def test_a_zero_byte_journal_is_refused_like_a_damaged_one(tmp_path):
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"")
    for read_only in (True, False):
        with pytest.raises(JournalError) as caught:
            Journal(path, read_only=read_only)
        assert str(caught.value).startswith(f"{path}: the send journal is empty (0 bytes)")
    path.write_bytes(b"not a database at all, just text" * 10)
    with pytest.raises(JournalError, match="cannot open the send journal"):
        Journal(path)


def test_eml_files_are_ready_to_open(tmp_path, write_offer, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_offer(offer_data(candidate={"name": "Zoë Łukasiewicz", "email": "zoe@example.com"}), "zoe.yaml")
    write_offer(offer_data(candidate={"name": "No Mail"}), "nomail.yaml")
    args = ["zoe.yaml", "nomail.yaml", "-o", "out", "--eml", "mail", "--from", "Coach <coach@example.org>"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    (eml,) = (tmp_path / "mail").iterdir()
    assert eml.name == "zoe-lukasiewicz-segment-engineering-manager.eml"
    msg = parse(eml.read_bytes())
    assert str(msg["To"]) == "Zoë Łukasiewicz <zoe@example.com>"
    assert msg["Subject"] == "Your negotiation brief: Engineering Manager at Segment"
    assert msg["X-Unsent"] == "1"
    assert msg["Date"].datetime == datetime(2026, 11, 18, 11, 6, 40, tzinfo=timezone.utc)  # SOURCE_DATE_EPOCH
    (part,) = msg.iter_attachments()
    pdf = tmp_path / "out" / "zoe-lukasiewicz-segment-engineering-manager.pdf"
    shown_as = "Zoë Łukasiewicz – Engineering Manager, Segment.pdf"  # their own name, RFC 2231
    assert (part.get_filename(), part.get_content()) == (shown_as, pdf.read_bytes())
    assert part.get_param("name") == pdf.name  # the ASCII fallback for old clients
    assert "Dear Zoë Łukasiewicz," in msg.get_body(("plain",)).get_content()
    assert f"The brief is the attached PDF, {shown_as} (" in msg.get_body(("plain",)).get_content()
    assert "note: nomail.yaml: No Mail has no e-mail address: no message" in result.stderr
    first = eml.read_bytes()
    assert CliRunner().invoke(main, args).exit_code == 0
    assert eml.read_bytes() == first  # the same inputs give the same message


def test_a_broken_mail_template_stops_before_any_brief(tmp_path, write_offer):
    offer = write_offer(offer_data(), "jane.yaml")
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "subject.j2").write_text("{{ candidate.name.__class__ }}", "utf-8")
    result = CliRunner().invoke(
        main, [str(offer), "-o", str(tmp_path / "out/"), "--mail-templates", str(folder)]
    )
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "error: subject.j2: access to attribute '__class__' of 'str' object is unsafe."
    )
    assert not (tmp_path / "out").exists() or not any(Path(tmp_path / "out").glob("*.pdf"))

"""A coach's week (issue 29): people's own names on their files and attachments, deadlines where
a coach looks, outputs never clobbered, mail-merge manners; sending ones with a real SMTP server
on loopback (aiosmtpd)."""

from __future__ import annotations

import os
import unicodedata

import pytest
from click.testing import CliRunner
from conftest import offer_data
from slugify import slugify
from smtp_sink import SmtpServer

from make_brief.cli import main
from make_brief.deliver.mail import attachment_name
from make_brief.files.output import MAX_SLUG, slug

SENDER = ["--from", "Coach Carter <coach@example.org>"]


def text(received) -> str:
    """The plain-text body of a received message, its lines ending in \\n."""
    return received.message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def run(*args: object):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


# --- people's own names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("سلمى يوسف", "slma-ywsf"),  # slugify's own tables gave "slm-ywsf"
        ("王小明", "wang-xiao-ming"),  # a syllable a character: a word each
        ("김민준", "gim-min-jun"),
        ("さくら", "sakura"),
        ("Иван Петров", "ivan-petrov"),
        ("Zoë Łukasiewicz", "zoe-lukasiewicz"),
        ("Nguyễn Thị Minh Khai", "nguyen-thi-minh-khai"),
    ],
)
def test_file_names_are_transliterated_so_that_people_are_recognisable(name, expected):
    assert slug(name) == expected


def test_latin_names_keep_the_file_names_they_had():
    """Every Latin letter (and ASCII character) slugs as python-slugify alone did before."""
    latin = [
        chr(cp)
        for cp in range(0x20, 0x2C00)
        if chr(cp).isascii() or unicodedata.name(chr(cp), "").startswith("LATIN")
    ]
    assert len(latin) > 900
    for ch in latin:
        text = f"Ann{ch}Lee {ch}"
        assert slug(text) == slugify(text, max_length=MAX_SLUG, word_boundary=True), repr(ch)
    assert slug("McDonald O'Brien-Smith") == "mcdonald-o-brien-smith"


def test_attachment_names_are_in_the_persons_own_script_and_file_safe():
    assert attachment_name("سلمى يوسف", "Staff Software Engineer", "Lumen") == (
        "سلمى يوسف – Staff Software Engineer, Lumen.pdf"
    )
    assert attachment_name("Ann/Lee: <x>", "Role\r\nBcc: x", "") == "Ann Lee x – Role Bcc x.pdf"
    assert attachment_name("...", "", "") == "brief.pdf"


def test_the_candidate_sees_their_own_name_on_the_attachment(server, tmp_path, write_offer):
    people = {"salma": ("سلمى يوسف", "salma@example.com"), "wang": ("王小明", "wang@example.com")}
    (tmp_path / "offers").mkdir()
    for stem, (name, email) in people.items():
        write_offer(offer_data(candidate={"name": name, "email": email}), f"offers/{stem}.yaml")
    out = tmp_path / "out"
    result = run(tmp_path / "offers", "-o", out, "--send", *server.options, *SENDER)
    assert result.exit_code == 0, result.output
    got = {r.rcpt_tos[0]: r for r in server.sink.received}
    for stem, (name, email) in people.items():
        received = got[email]
        disk = {"salma": "slma-ywsf", "wang": "wang-xiao-ming"}[stem]
        pdf = out / f"{disk}-segment-engineering-manager.pdf"
        shown_as = f"{name} – Engineering Manager, Segment.pdf"
        assert received.attachments == [(shown_as, "application/pdf", pdf.read_bytes())]
        assert received.plain_names == [pdf.name]  # the ASCII fallback: the name on disk
        (disposition,) = [line for line in received.raw.split(b"\n") if b"Content-Disposition" in line]
        assert disposition.isascii() and b"filename*" in disposition  # RFC 2231's, in ASCII
        body = received.message.get_body(("plain",)).get_content()
        assert f"Dear {name}," in body and f"The brief is the attached PDF, {shown_as} (" in body


# --- deadlines where a coach looks (the tests' day is 2026-11-18: SOURCE_DATE_EPOCH) ------------

EXPIRED, TOMORROW, LATER = "2026-11-12", "2026-11-19", "2026-11-30"


def with_deadline(name: str, deadline: str, email: str | None = None) -> dict:
    data = offer_data(candidate={"name": name, "email": email or f"{name.split()[0].lower()}@example.com"})
    data["offer"] = {**data["offer"], "deadline": deadline}
    return data


@pytest.fixture
def week(tmp_path, write_offer):
    """A folder of offers: one expired six days ago, one expiring tomorrow, one in twelve days."""
    (tmp_path / "offers").mkdir()
    write_offer(with_deadline("Ana Ruiz", EXPIRED), "offers/ana.yaml")
    write_offer(with_deadline("Bo Chen", TOMORROW), "offers/bo.yaml")
    write_offer(with_deadline("Cy Diaz", LATER), "offers/cy.yaml")
    return tmp_path / "offers"


def test_validate_warns_of_a_passed_deadline_and_notes_a_near_one(week):
    result = run("validate", week)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {week / 'ana.yaml'}: offer.deadline: the offer expired on 2026-11-12 (6 days ago)",
        f"note: {week / 'bo.yaml'}: offer.deadline: the offer expires on 2026-11-19 (tomorrow)",
    ]


def test_build_warns_and_notes_with_the_date_and_the_days(week, tmp_path):
    expired = run(week / "ana.yaml", "-o", tmp_path / "ana.pdf")
    assert expired.exit_code == 0
    assert expired.stderr == (
        f"warning: {week / 'ana.yaml'}: offer.deadline: the offer expired on 2026-11-12 (6 days ago)\n"
    )
    near = run(week / "bo.yaml", "-o", tmp_path / "bo.pdf")
    said = "offer.deadline: the offer expires on 2026-11-19 (tomorrow)"
    assert near.stderr == f"note: {week / 'bo.yaml'}: {said}\n"
    assert run(week / "cy.yaml", "-o", tmp_path / "cy.pdf").stderr == ""


def test_a_batch_lists_the_urgent_ones_at_its_end_and_in_the_manifest(week, tmp_path):
    import csv

    out = tmp_path / "out"
    result = run(week, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-3:] == [
        "deadlines passed or within 3 days (2):",
        f"  expired 2026-11-12 (6 days ago): Ana Ruiz ({week / 'ana.yaml'})",
        f"  expires 2026-11-19 (tomorrow): Bo Chen ({week / 'bo.yaml'})",
    ]
    rows = list(csv.DictReader((out / "manifest.csv").read_text(encoding="utf-8").splitlines()))
    assert [(r["candidate"], r["deadline"], r["days_left"]) for r in rows] == [
        ("Ana Ruiz", EXPIRED, "-6"),  # a number, not guarded as a formula
        ("Bo Chen", TOMORROW, "1"),
        ("Cy Diaz", LATER, "12"),
    ]


def test_strict_holds_the_brief_of_an_expired_offer_from_being_sent(week, tmp_path, server):
    out = tmp_path / "out"
    result = run(week, "-o", out, "--strict", "--send", *server.options, *SENDER)
    assert result.exit_code == 1
    assert sorted(r.rcpt_tos[0] for r in server.sink.received) == ["bo@example.com", "cy@example.com"]
    assert (
        f"error: {week / 'ana.yaml'}: held back by --strict, not written: offer.deadline: the offer"
        " expired on 2026-11-12 (6 days ago)"
    ) in result.stderr.splitlines()
    assert not list(out.glob("ana-ruiz*"))


# --- never clobbered ------------------------------------------------------------------------------


def test_o_never_replaces_another_persons_brief_without_force(tmp_path, write_offer, read_pdf):
    ann = write_offer(offer_data(candidate={"name": "Ann Lee"}), "ann.yaml")
    bo = write_offer(offer_data(candidate={"name": "Bo Chen"}), "bo.yaml")
    brief = tmp_path / "brief.pdf"
    assert run(ann, "-o", brief).exit_code == 0
    again = run(ann, "-o", brief)  # the same person's brief, re-made in place: quiet
    assert (again.exit_code, again.stdout, again.stderr) == (0, f"{brief}\n", "")
    first = brief.read_bytes()
    refused = run(bo, "-o", brief)
    assert refused.exit_code != 0 and refused.stdout == ""
    assert refused.stderr == (
        f"error: {brief}: holds the brief of Ann Lee, not of Bo Chen: not replaced"
        " (give another -o, or --force to replace it)\n"
    )
    assert brief.read_bytes() == first and not list(tmp_path.glob(".*.part"))
    assert run(bo, "-o", brief, "--force").exit_code == 0
    assert read_pdf(brief).metadata["/Author"] == "Bo Chen"


def test_o_never_replaces_a_file_that_is_no_brief(tmp_path, write_offer):
    ann = write_offer(offer_data(candidate={"name": "Ann Lee"}), "ann.yaml")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4 the offer letter itself\n")
    refused = run(ann, "-o", letter)
    assert refused.stderr == (
        f"error: {letter}: is a file that is not a brief: not replaced"
        " (give another -o, or --force to replace it)\n"
    )
    assert letter.read_bytes() == b"%PDF-1.4 the offer letter itself\n"


def test_a_locked_brief_is_known_by_the_password_beside_it(tmp_path, write_offer):
    ann = write_offer(offer_data(candidate={"name": "Ann Lee"}), "ann.yaml")
    bo = write_offer(offer_data(candidate={"name": "Bo Chen"}), "bo.yaml")
    brief = tmp_path / "out" / "brief.pdf"
    assert run(ann, "-o", brief, "--lock").exit_code == 0
    assert run(ann, "-o", brief, "--lock").exit_code == 0  # its password in passwords.csv opens it
    refused = run(bo, "-o", brief, "--lock")
    assert "holds the brief of Ann Lee, not of Bo Chen: not replaced" in refused.stderr
    (tmp_path / "out" / "passwords.csv").unlink()
    unknown = run(ann, "-o", brief, "--lock")
    assert "is a locked PDF that no password in passwords.csv opens" in unknown.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["brief.pdf"]  # no stray lock file


def test_o_for_several_offers_must_name_a_folder_and_one_brief_gets_its_pdf(tmp_path, write_offer):
    ann = write_offer(offer_data(candidate={"name": "Ann Lee"}), "ann.yaml")
    bo = write_offer(offer_data(candidate={"name": "Bo Chen"}), "bo.yaml")
    two = run(ann, bo, "-o", tmp_path / "two.pdf")
    assert two.exit_code == 2 and not (tmp_path / "two.pdf").exists()
    said = "several offers make several briefs, so -o must name a folder (such as -o out/)"
    assert f"Error: -o {tmp_path / 'two.pdf'}: {said}" in two.stderr
    one = run(ann, "-o", tmp_path / "brief")
    assert one.exit_code == 0 and one.stdout == f"{tmp_path / 'brief.pdf'}\n"
    assert (tmp_path / "brief.pdf").read_bytes().startswith(b"%PDF")


def test_a_locked_batch_leaves_no_lock_file(tmp_path, write_offer):
    (tmp_path / "offers").mkdir()
    write_offer(offer_data(candidate={"name": "Ann Lee"}), "offers/ann.yaml")
    write_offer(offer_data(candidate={"name": "Bo Chen"}), "offers/bo.yaml")
    out = tmp_path / "out"
    assert run(tmp_path / "offers", "-o", out, "--lock").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "ann-lee-segment-engineering-manager.pdf",
        "bo-chen-segment-engineering-manager.pdf",
        "manifest.csv",
        "passwords.csv",
    ]


# --- mail-merge manners ---------------------------------------------------------------------------


@pytest.fixture
def two(tmp_path):
    """A table of two candidates, one with a preferred name (the CSV column of that name)."""
    table = tmp_path / "candidates.csv"
    table.write_text(
        "candidate.name,candidate.preferred_name,candidate.email,guide,region,offer.base,offer.stock,"
        "offer.bonus_pct\n"
        "Samantha Ortiz,Sam,sam@example.com,segment-engineering-manager,San Francisco,210000,180000,15\n"
        "Bo Chen,,bo@example.com,segment-engineering-manager,San Francisco,200000,150000,15\n",
        encoding="utf-8",
    )
    return table


def test_the_greeting_uses_the_preferred_name_and_copies_go_to_the_coach(two, tmp_path, server):
    out = tmp_path / "out"
    copies = ["--cc", "Coach Carter <coach@example.org>", "--bcc", "files@example.org"]
    result = run(two, "-o", out, "--send", *server.options, *SENDER, *copies)
    assert result.exit_code == 0, result.output
    got = {r.rcpt_tos[0]: r for r in server.sink.received}
    assert sorted(got) == ["bo@example.com", "sam@example.com"]
    for received in got.values():
        assert received.rcpt_tos[1:] == ["coach@example.org", "files@example.org"]
        assert str(received.message["Cc"]) == "Coach Carter <coach@example.org>"
        assert received.message["Bcc"] is None and b"files@example.org" not in received.raw
    assert "Dear Sam,\n" in text(got["sam@example.com"])
    assert "Dear Bo Chen,\n" in text(got["bo@example.com"])
    assert result.stderr.splitlines()[-1] == "messages: 2 sent, 0 held, 0 failed"
    again = run(two, "-o", out, "--send", *server.options, *SENDER, *copies)
    assert again.stderr.splitlines()[-1] == "messages: 0 sent, 0 held, 0 failed, 2 already sent"


@pytest.mark.parametrize("option", ["--cc", "--bcc"])
def test_a_copy_address_cannot_add_a_header(two, tmp_path, option):
    result = run(
        two, "-o", tmp_path / "out", "--eml", tmp_path / "mail", option, "a@example.org\r\nBcc: x@evil.test"
    )
    assert result.exit_code != 0 and result.stderr == f"error: {option}: an address must be on one line\n"
    assert not (tmp_path / "out").exists()


def test_a_locked_briefs_message_says_the_password_comes_separately(tmp_path, write_offer, server):
    offer = write_offer(offer_data(candidate={"name": "Ann Lee", "email": "ann@example.com"}), "ann.yaml")
    result = run(offer, "--out-dir", tmp_path / "out", "--lock", "--send", *server.options, *SENDER)
    assert result.exit_code == 0, result.output
    (received,) = server.sink.received
    body = text(received)
    assert "The PDF is locked: it opens with a password, which will reach you\nseparately." in body
    password = (tmp_path / "out" / "passwords.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[2]
    assert password.encode() not in received.raw


def test_a_test_send_goes_to_the_tester_and_the_real_run_still_sends_everyone(two, tmp_path, server):
    out = tmp_path / "out"
    tested = run(
        two,
        "-o",
        out,
        "--send",
        *server.options,
        *SENDER,
        "--test-to",
        "me@example.org",
        "--cc",
        "c@example.org",
    )
    assert tested.exit_code == 0, tested.output
    assert [r.rcpt_tos for r in server.sink.received] == [["me@example.org"], ["me@example.org"]]
    first = server.sink.received[0].message
    assert str(first["Subject"]) == "[TEST] Your negotiation brief: Engineering Manager at Segment"
    assert str(first["To"]) == "me@example.org" and first["Cc"] is None
    said = "[A test: this message goes to Samantha Ortiz <sam@example.com> when sent for real.]"
    assert text(server.sink.received[0]).startswith(f"{said}\n\nDear Sam,")
    assert f"sent a test: me@example.org (for Samantha Ortiz <sam@example.com>) {out}" in tested.stdout
    assert tested.stderr.splitlines()[-1] == "messages: 2 tests sent to me@example.org, 0 failed"
    assert len((out / "deliveries-test.jsonl").read_text().splitlines()) == 2
    assert not (out / "deliveries.jsonl").exists()

    real = run(two, "-o", out, "--send", *server.options, *SENDER)
    assert real.exit_code == 0, real.output
    assert [r.rcpt_tos[0] for r in server.sink.received[2:]] == ["sam@example.com", "bo@example.com"]
    assert (
        str(server.sink.received[2].message["Subject"])
        == "Your negotiation brief: Engineering Manager at Segment"
    )
    assert real.stderr.splitlines()[-1] == "messages: 2 sent, 0 held, 0 failed"


def test_test_count_sends_the_first_n_only(two, tmp_path, server):
    out = tmp_path / "out"
    tested = run(
        two, "-o", out, "--send", *server.options, *SENDER, "--test-to", "me@example.org", "--test-count", "1"
    )
    assert tested.exit_code == 0, tested.output
    assert [r.rcpt_tos for r in server.sink.received] == [["me@example.org"]]
    assert tested.stderr.splitlines()[-1] == (
        "messages: 1 test sent to me@example.org, 0 failed, 1 not tested (--test-count)"
    )
    alone = run(two, "-o", out, "--test-count", "1")
    assert alone.exit_code != 0 and "--test-count goes with --test-to ADDRESS" in alone.stderr


# --- errors name the person -----------------------------------------------------------------------


def test_a_rows_error_names_its_candidate(tmp_path):
    import csv

    table = tmp_path / "candidates.csv"
    table.write_text(
        "candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct\n"
        "Ana Ruiz,segment-engineering-manager,Mars,200000,100000,10\n",
        encoding="utf-8",
    )
    line = (
        f"{table}:row 2 (Ana Ruiz): region: unknown region 'Mars' (the guide has: San Francisco,"
        " New York, London)"
    )
    assert run("validate", table).stderr == f"error: {line}\n"
    made = run(table, "-o", tmp_path / "out")
    assert f"error: {line}" in made.stderr.splitlines()
    (row,) = csv.DictReader((tmp_path / "out" / "manifest.csv").read_text(encoding="utf-8").splitlines())
    assert row["error"] == line


def test_a_table_level_error_says_what_to_do(tmp_path):
    table = tmp_path / "candidates.csv"
    table.write_text("candidate.name,offer,offer.base\nAna,x,1\n", encoding="utf-8")
    twice = tmp_path / "twice.csv"
    twice.write_text("candidate.name,offer.base,offer.base\nAna,1,2\n", encoding="utf-8")
    assert run("validate", twice).stderr == (
        f"error: {twice}: column 'offer.base' appears twice (keep one, or start the other's name with #"
        " to ignore it)\n"
    )


# --- keep what was sent ---------------------------------------------------------------------------


def test_the_version_that_went_is_kept_when_a_brief_is_re_made(tmp_path, write_offer, server):
    import csv

    data = offer_data(candidate={"name": "Ann Lee", "email": "ann@example.com"})
    (tmp_path / "offers").mkdir()
    write_offer(data, "offers/ann.yaml")
    write_offer(offer_data(candidate={"name": "Bo Chen", "email": "bo@example.com"}), "offers/bo.yaml")
    out = tmp_path / "out"
    first = run(tmp_path / "offers", "-o", out, "--send", *server.options, *SENDER)
    assert first.exit_code == 0, first.output
    went = {r.rcpt_tos[0]: r.attachments[0][2] for r in server.sink.received}
    brief = out / "ann-lee-segment-engineering-manager.pdf"

    data["offer"] = {**data["offer"], "base": 215000}  # a correction after sending
    write_offer(data, "offers/ann.yaml")
    again = run(tmp_path / "offers", "-o", out, "--send", *server.options, *SENDER)
    assert again.exit_code == 1 and len(server.sink.received) == 2  # the new version is held
    (copy,) = (out / "sent").iterdir()
    assert copy.name.startswith("ann-lee-segment-engineering-manager (sent 20") and copy.suffix == ".pdf"
    assert copy.read_bytes() == went["ann@example.com"] != brief.read_bytes()
    held = [line for line in again.stderr.splitlines() if line.startswith("held: ")]
    assert len(held) == 1 and f"the version they have is kept as {copy};" in held[0]
    assert ": changed since an earlier version went (20" in held[0]
    assert "); offer.base: 210,000 → 215,000; the version they have" in held[0]  # what changed
    rows = {r["candidate"]: r for r in csv.DictReader((out / "manifest.csv").read_text("utf-8").splitlines())}
    assert rows["Ann Lee"]["sent_copy"] == str(copy) and rows["Bo Chen"]["sent_copy"] == ""

    quiet = run(tmp_path / "offers", "-o", out)  # re-made without mail options: the copy stays
    assert quiet.exit_code == 0 and list((out / "sent").iterdir()) == [copy]
    assert copy.read_bytes() == went["ann@example.com"]


def test_the_same_brief_made_on_another_day_keeps_no_copy(tmp_path, write_offer, server, monkeypatch):
    """A re-run on another day makes other bytes (the brief is dated by its day) but says the
    same: the candidate has that brief already ("already sent, unchanged"), so nothing is
    kept in sent/ and nothing is sent again."""
    (tmp_path / "offers").mkdir()
    write_offer(offer_data(candidate={"name": "Ann Lee", "email": "ann@example.com"}), "offers/ann.yaml")
    out = tmp_path / "out"
    first = run(tmp_path / "offers", "-o", out, "--send", *server.options, *SENDER)
    assert first.exit_code == 0, first.output
    brief = out / "ann-lee-segment-engineering-manager.pdf"
    went = brief.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(os.environ["SOURCE_DATE_EPOCH"]) + 86_400))
    again = run(tmp_path / "offers", "-o", out, "--send", *server.options, *SENDER)
    assert again.exit_code == 0, again.output
    assert brief.read_bytes() != went and len(server.sink.received) == 1
    assert "already sent, unchanged: " in again.stdout and not (out / "sent").exists()

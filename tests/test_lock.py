"""Locked briefs (--lock): AES-256 (revision 6), opened with pypdf; passwords.csv at mode 0600;
the password never in the manifest, a message or a line of output."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import offer_data
from pypdf import PdfReader
from smtp_sink import SmtpServer

from make_brief.cli import main
from make_brief.pdf.passwords import ALPHABET, generate

SENDER = ["--from", "Coach <coach@example.org>"]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def passwords(folder: Path) -> dict[str, tuple[str, str]]:
    with open(folder / "passwords.csv", encoding="utf-8", newline="") as handle:
        return {row["file"]: (row["candidate"], row["password"]) for row in csv.DictReader(handle)}


def manifest(folder: Path) -> list[dict[str, str]]:
    with open(folder / "manifest.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def two(tmp_path, write_offer):
    (tmp_path / "offers").mkdir()
    write_offer(offer_data(candidate={"name": "Ann Lee", "email": "ann@example.com"}), "offers/ann.yaml")
    chosen = {"name": "Bo Chen", "email": "bo@example.com", "pdf_password": "Bo's own pass 42"}
    write_offer(offer_data(candidate=chosen), "offers/bo.yaml")
    return tmp_path / "offers"


def test_lock_encrypts_each_brief_with_aes_256_and_keeps_the_passwords_private(tmp_path, two, read_pdf):
    out = tmp_path / "out"
    result = run(two, "-o", out, "--lock", "--template", "compact")
    assert result.exit_code == 0, result.output
    found = passwords(out)
    names = {"ann-lee-segment-engineering-manager.pdf", "bo-chen-segment-engineering-manager.pdf"}
    assert set(found) == names
    assert found["bo-chen-segment-engineering-manager.pdf"] == ("Bo Chen", "Bo's own pass 42")
    made_up = found["ann-lee-segment-engineering-manager.pdf"][1]
    assert len(made_up) >= 12 and set(made_up) <= set(ALPHABET + "-")
    assert stat.S_IMODE((out / "passwords.csv").stat().st_mode) == 0o600
    for name, (candidate, password) in found.items():
        data = (out / name).read_bytes()
        reader = PdfReader(io.BytesIO(data))
        assert reader.is_encrypted
        assert reader.trailer["/Encrypt"].get_object()["/R"] == 6  # AES-256, not pypdf's default RC4
        assert reader.trailer["/Encrypt"].get_object()["/V"] == 5
        assert not PdfReader(io.BytesIO(data)).decrypt("not the password")
        assert reader.decrypt(password)
        assert candidate in reader.pages[0].extract_text()
        assert password not in result.output and made_up not in result.output
    rows = manifest(out)
    assert [r["locked"] for r in rows] == ["yes", "yes"]
    text = (out / "manifest.csv").read_text(encoding="utf-8")
    assert "Bo's own pass 42" not in text and made_up not in text


def test_without_lock_nothing_is_encrypted_and_no_passwords_file(tmp_path, two):
    out = tmp_path / "out"
    assert run(two, "-o", out).exit_code == 0
    assert not (out / "passwords.csv").exists()
    assert [r["locked"] for r in manifest(out)] == ["", ""]
    assert not PdfReader(out / "ann-lee-segment-engineering-manager.pdf").is_encrypted


def test_a_csv_column_gives_the_password_and_a_rerun_keeps_one_row_per_brief(tmp_path):
    table = tmp_path / "people.csv"
    table.write_text(
        "candidate.name,candidate.email,candidate.pdf_password,guide,region,offer.base,offer.stock,"
        "offer.bonus_pct\n"
        "Ann Lee,ann@example.com,correct horse battery,segment-engineering-manager,San Francisco,"
        "210000,180000,15\n"
        "Bo Chen,bo@example.com,,segment-engineering-manager,San Francisco,210000,180000,15\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    for _ in range(2):
        assert run(table, "-o", out, "--lock", "--template", "compact").exit_code == 0
    found = passwords(out)
    lines = (out / "passwords.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3  # the header and one row per brief, though each was made twice
    assert found["ann-lee-segment-engineering-manager.pdf"][1] == "correct horse battery"
    bo = found["bo-chen-segment-engineering-manager.pdf"][1]
    assert PdfReader(out / "bo-chen-segment-engineering-manager.pdf").decrypt(bo)  # the latest one


def test_a_short_password_in_the_offer_is_one_line_without_the_password(tmp_path, write_offer):
    offer = write_offer(offer_data(candidate={"name": "Ann Lee", "pdf_password": "abc123"}))
    result = run(offer, "-o", tmp_path / "ann.pdf", "--lock")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {offer}:")
    assert "candidate.pdf_password: a password needs at least 8 characters" in result.stderr
    assert "abc123" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "ann.pdf").exists()


def test_a_locked_brief_says_the_same_each_run_though_its_bytes_differ(tmp_path, write_offer):
    """AES draws a random key and IVs: the bytes of two locked briefs differ (the README says
    so); what they say, once opened, is the same, dated by the day."""
    offer = write_offer(offer_data(candidate={"name": "Ann Lee", "pdf_password": "same pass 1234"}))
    made = []
    for n in range(2):
        assert run(offer, "-o", tmp_path / f"{n}.pdf", "--lock", "--template", "compact").exit_code == 0
        made.append((tmp_path / f"{n}.pdf").read_bytes())
    assert made[0] != made[1]
    opened = []
    for data in made:
        reader = PdfReader(io.BytesIO(data))
        assert reader.decrypt("same pass 1234")
        opened.append(([p.extract_text() for p in reader.pages], dict(reader.metadata)))
    assert opened[0] == opened[1]
    assert opened[0][1]["/CreationDate"] == "D:20261118000000+00'00'"  # dated by the day


def test_a_locked_brief_is_mailed_without_its_password(tmp_path, write_offer):
    offer = write_offer(offer_data(candidate={"name": "Ann Lee", "email": "ann@example.com"}))
    with SmtpServer() as server:
        result = run(offer, "--out-dir", tmp_path / "out", "--lock", "--send", *SENDER, *server.options)
        assert result.exit_code == 0, result.output
        (received,) = server.sink.received
    password = next(iter(passwords(tmp_path / "out").values()))[1]
    raw = received.message.as_bytes()
    assert password.encode() not in raw
    (name, kind, data) = received.attachments[0]
    reader = PdfReader(io.BytesIO(data))
    assert kind == "application/pdf" and reader.is_encrypted and reader.decrypt(password)


def test_made_up_passwords_differ():
    made = {generate() for _ in range(50)}
    assert len(made) == 50
    assert all(len(p) == 19 and p.count("-") == 3 for p in made)

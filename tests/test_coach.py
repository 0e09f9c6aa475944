"""A coach's week (issue 29): people's own names on their files and attachments, deadlines where
a coach looks, outputs never clobbered, mail-merge manners; sending ones with a real SMTP server
on loopback (aiosmtpd)."""

from __future__ import annotations

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

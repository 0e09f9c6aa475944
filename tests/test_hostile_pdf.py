"""Hostile appendix PDFs: damaged, locked, looping, bombs and giants. Each is refused with one
line naming the offer file, the field and the appendix (b), or merged safely (a): within limits of
bytes, pages and inflated size that a user can raise, and without its active content."""

from __future__ import annotations

import io
import os
import shutil
import tracemalloc
from pathlib import Path

import pytest
from hostile import (
    Pdf,
    build,
    dump,
    flate_bomb,
    made,
    offer,
    one_page_pdf,
    raw_pdf,
    refused,
)
from pypdf import PdfReader, PdfWriter

from make_brief.compose.document import Document
from make_brief.errors import InputError
from make_brief.pdf.merge import Limits, merge

LETTER = Path(__file__).resolve().parent.parent / "examples" / "offer-letter.pdf"
MINIMAL = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
]


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("MAKE_BRIEF_APPENDIX_"):
            monkeypatch.delenv(name)
    return tmp_path


def with_appendix(folder: Path, content: bytes, name: str = "appendix.pdf") -> Path:
    (folder / name).write_bytes(content)
    offer_file = folder / "o.yaml"
    offer_file.write_text(dump(offer(appendices=[name])))
    return offer_file


def blank_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted(user_password: str, algorithm: str = "RC4-128") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(LETTER))
    writer.encrypt(user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


AT = "o.yaml: appendices.0: appendix.pdf: "
REFUSED = {
    "truncated": (
        lambda: LETTER.read_bytes()[: LETTER.stat().st_size // 2],
        "the appendix is not a readable PDF",
    ),
    "only a header": (lambda: b"%PDF-1.7\n", "the appendix is not a readable PDF"),
    "not a PDF": (lambda: b"Dear Jane, this is a letter in plain text.\n", "the appendix is not a PDF"),
    "a PNG": (
        lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
        "the appendix is not a PDF (export it as PDF first)",
    ),
    "empty": (lambda: b"", "the appendix is not a PDF"),
    "locked": (
        lambda: encrypted("secret"),
        "the appendix is encrypted with a password (save an unlocked copy)",
    ),
    "locked with AES": (
        lambda: encrypted("secret", "AES-256"),
        "the appendix is encrypted with a password (save an unlocked copy)",
    ),
    "page tree loop": (
        lambda: raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                MINIMAL[2],
            ]
        ),
        "the appendix is not a readable PDF",
    ),
    "no pages": (
        lambda: raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]),
        "the appendix has no pages",
    ),
    "thousands of pages": (
        lambda: blank_pages(5000),
        "the appendix has 5,000 pages, over the limit of 500 (raise it with $MAKE_BRIEF_APPENDIX_MAX_PAGES)",
    ),
    "a content bomb": (
        lambda: one_page_pdf(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % _bomb(2048)),
        "the appendix's compressed content inflates to over 500 MB (a decompression bomb? "
        "raise the limit with $MAKE_BRIEF_APPENDIX_MAX_INFLATED_MB)",
    ),
}


def _bomb(megabytes: int) -> tuple[int, bytes]:
    data = flate_bomb(megabytes)
    return len(data), data


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_bad_appendices_are_refused_naming_the_offer_field_and_file(here, case):
    make, expected = REFUSED[case]
    with_appendix(here, make())
    refused(build(["o.yaml", "-o", "out.pdf"]), AT + expected, folder=here / "none")
    assert not (here / "out.pdf").exists() and not list(here.glob(".out.pdf*"))


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_an_appendix_with_an_empty_password_is_opened(here, algorithm):
    with_appendix(here, encrypted("", algorithm))
    pdf = made(build(["o.yaml", "-o", "out.pdf"]), here / "out.pdf")
    assert "Offer of employment" in pdf.pages[-2]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (raw_pdf(MINIMAL, prev_self=True), "Circular xref chain"),
        (raw_pdf(MINIMAL, shift=7), "Ignoring wrong pointing object"),
    ],
    ids=["looping xref", "broken xref"],
)
def test_a_repairable_appendix_is_merged_with_one_warning(here, content, said):
    with_appendix(here, content)
    result = build(["o.yaml", "-o", "out.pdf"])
    pdf = made(result, here / "out.pdf")
    assert pdf.reader.outline[-2].title == "Appendix"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        f"warning: o.yaml: {here / 'appendix.pdf'}: the appendix is damaged and was repaired"
    )
    assert said in lines[0]


def test_limits_can_be_raised_and_lowered(here, monkeypatch):
    with_appendix(here, blank_pages(600))
    refused(build(["o.yaml", "-o", "out.pdf"]), AT + "the appendix has 600 pages, over the limit of 500")
    monkeypatch.setenv("MAKE_BRIEF_APPENDIX_MAX_PAGES", "600")
    pdf = made(build(["o.yaml", "-o", "out.pdf"]), here / "out.pdf")
    assert len(pdf.pages) == 600 + len(pdf.pages[:-600])
    assert pdf.reader.outline[-2].title == "Appendix"

    big = LETTER.read_bytes() + b"%" + b"x" * 1_500_000 + b"\n"  # readable, 1.5 MB
    with_appendix(here, big)
    monkeypatch.setenv("MAKE_BRIEF_APPENDIX_MAX_MB", "1")
    refused(
        build(["o.yaml", "-o", "big.pdf"]),
        AT + f"the appendix is {len(big):,} bytes, over the 1,000,000-byte limit "
        "(raise it with $MAKE_BRIEF_APPENDIX_MAX_MB)",
    )
    monkeypatch.setenv("MAKE_BRIEF_APPENDIX_MAX_MB", "2")
    assert "Offer of employment" in made(build(["o.yaml", "-o", "big.pdf"]), here / "big.pdf").pages[-2]

    image = b"<< /Type /XObject /Subtype /Image /Width 8192 /Height 8192 /ColorSpace /DeviceRGB "
    image += b"/BitsPerComponent 8 /Length %d /Filter [/FlateDecode] >>\nstream\n%s\nendstream" % _bomb(192)
    with_appendix(here, one_page_pdf(resources=b"<< /XObject << /Im1 5 0 R >> >>", extra=[image]))
    monkeypatch.setenv("MAKE_BRIEF_APPENDIX_MAX_INFLATED_MB", "100")
    refused(
        build(["o.yaml", "-o", "img.pdf"]), AT + "the appendix's compressed content inflates to over 100 MB"
    )
    monkeypatch.setenv("MAKE_BRIEF_APPENDIX_MAX_INFLATED_MB", "300")  # a big scan, say: allowed
    assert made(build(["o.yaml", "-o", "img.pdf"]), here / "img.pdf").images() == 1

    monkeypatch.setenv("MAKE_BRIEF_APPENDIX_MAX_PAGES", "lots")
    refused(
        build(["o.yaml", "-o", "bad.pdf"]),
        "$MAKE_BRIEF_APPENDIX_MAX_PAGES is 'lots'; it must be a whole number from 1 to 999999999",
    )


def test_a_decompression_bomb_is_measured_in_bounded_memory(tmp_path):
    """2 GiB of zeros in 2 MB: refused after inflating at most the limit, a chunk at a time."""
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(
        one_page_pdf(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % _bomb(2048))
    )
    brief = Document("t", "a", "s", "k", "", "", ())
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="inflates to over 200 MB"):
            merge(one_page_pdf(), brief, [("Bomb", bomb)], Limits(max_inflated=200_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000, peak  # a few chunks and the 2 MB file, never the 2 GiB


def test_active_content_of_an_appendix_is_removed(here):
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /Names << /JavaScript 6 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /AA << /O 5 0 R >> "
        b"/Annots [7 0 R 8 0 R 9 0 R 10 0 R 11 0 R] >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
        b"<< /Names [(x) 5 0 R] >>",
    ]

    def link(action: bytes) -> bytes:
        return b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A " + action + b" >>"

    objects += [
        link(b"<< /S /Launch /F (/bin/sh) >>"),
        link(b"<< /S /URI /URI (file:///etc/passwd) >>"),
        link(b"<< /S /URI /URI (https://example.com/kept) >>"),
        link(b"<< /S /GoToR /F (other.pdf) /D [0 /Fit] >>"),
        link(b"12 0 R"),
        b"<< /S /URI /URI (https://example.com/next) /Next 13 0 R >>",
        b"<< /S /JavaScript /JS (x) /Next 12 0 R >>",  # a /Next chain that loops into a script
    ]
    with_appendix(here, raw_pdf(objects))
    pdf = made(build(["o.yaml", "-o", "out.pdf"]), here / "out.pdf")
    root = pdf.reader.trailer["/Root"]
    assert "/OpenAction" not in root and "/AA" not in root
    assert "/JavaScript" not in (root.get("/Names") or {})
    last = pdf.reader.pages[-2]
    assert "/AA" not in last
    kept = [a.get_object().get("/A") for a in last["/Annots"]]
    assert [a.get_object()["/URI"] for a in kept if a is not None] == ["https://example.com/kept"]
    assert isinstance(pdf, Pdf)


def test_an_appendix_name_with_markup_is_an_outline_title_as_written(here):
    name = "<i>Letter & co <b>.pdf"
    shutil.copy(LETTER, here / name)
    (here / "o.yaml").write_text(dump(offer(appendices=[name])))
    pdf = made(build(["o.yaml", "-o", "out.pdf"]), here / "out.pdf")
    assert pdf.reader.outline[-2].title == "<i>letter & co <b>"
    assert f"Appended after this brief: {name}, " in pdf.flat  # then the guide's own


def test_an_unchanged_appendix_is_opened_once_and_a_changed_one_again(here):
    """A guide's appendix goes into every brief of a batch: it is read and checked once per
    process. The same name with new content (or new limits) is read and checked again."""
    from make_brief.pdf import merge as merging

    brief = Document("t", "a", "s", "k", "", "", ())
    brief_pdf, appendix = blank_pages(1), here / "a.pdf"
    appendix.write_bytes(blank_pages(2))
    first = merge(brief_pdf, brief, [("A", appendix)])
    key = next(k for k in merging._OPENED if k[0] == str(appendix))
    reader = merging._OPENED[key][0]
    again = merge(brief_pdf, brief, [("A", appendix)])
    assert merging._OPENED[key][0] is reader and again[1] == first[1] == 3
    appendix.write_bytes(blank_pages(5))  # another size: read again
    assert merge(brief_pdf, brief, [("A", appendix)])[1] == 6
    with pytest.raises(InputError, match="5 pages, over the limit of 4"):
        merge(brief_pdf, brief, [("A", appendix)], Limits(max_pages=4))
    assert len(merging._OPENED) <= merging.KEEP_OPENED

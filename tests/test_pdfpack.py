"""pdfpack: reportlab's PDF repacked (object stream, xref stream) and appendices spliced in
without reading the brief back; read with pypdf, the same pages, text, outline and metadata."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from make_brief.offers.offer import load_offer
from make_brief.pdf import pack as pdfpack
from make_brief.pdf.merge import merge
from make_brief.run.pipeline import make_pdf

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _plain_brief(tmp_path: Path) -> tuple[bytes, object]:
    """The example brief rendered without its appendices, as reportlab wrote it (unpacked)."""
    from make_brief.advice.compute import compute
    from make_brief.compose.brief import compose
    from make_brief.compose.templates import load_template
    from make_brief.files.clock import today
    from make_brief.render.reportlab.render import render

    offer = load_offer(EXAMPLES / "offer.yaml")
    template = load_template(None)
    brief = compose(offer, compute(offer), template, today())
    return render(brief, template).pdf, brief


def test_a_packed_brief_reads_back_as_the_brief_reportlab_wrote(tmp_path, monkeypatch):
    from make_brief.render.reportlab import render

    monkeypatch.setattr(render, "pack", lambda pdf: pdf)  # reportlab's own bytes, to compare
    raw, _ = _plain_brief(tmp_path)
    packed = pdfpack._write(*_args(pdfpack.parse(raw)))
    assert packed.startswith(b"%PDF-1.5") and len(packed) < len(raw) * 0.95
    before, after = PdfReader(io.BytesIO(raw)), PdfReader(io.BytesIO(packed), strict=True)
    assert [p.extract_text() for p in before.pages] == [p.extract_text() for p in after.pages]
    assert before.metadata == after.metadata and before.trailer["/ID"] == after.trailer["/ID"]
    assert [o.title for o in before.outline] == [o.title for o in after.outline]


def _args(parsed):
    assert parsed is not None
    return parsed.header, dict(enumerate(parsed.bodies, start=1)), parsed.trailer


def test_what_is_not_one_plain_revision_is_left_as_it_is():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    packed = pdfpack.pack(out.getvalue())  # one revision, a plain table: packed too
    assert len(PdfReader(io.BytesIO(packed), strict=True).pages) == 1
    assert pdfpack.pack(packed) == packed  # read back and written again: the same
    updated = out.getvalue() + b"1 0 obj\n<< >>\nendobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< >>\n"
    updated += b"startxref\n%d\n%%%%EOF\n" % len(out.getvalue())
    assert pdfpack.pack(updated) == updated  # an incremental update
    assert pdfpack.pack(b"not a pdf") == b"not a pdf"


@pytest.mark.parametrize("title", ["Offer letter", "Lettre d'offre (signée) \\ été", "契約書", "a\tb"])
def test_a_spliced_appendix_has_its_pages_and_outline_entry(tmp_path, title):
    pdf, brief = _plain_brief(tmp_path)
    letter = EXAMPLES / "offer-letter.pdf"
    merged, pages, notes = merge(pdf, brief, [(title, letter), ("Again", letter)])
    reader = PdfReader(io.BytesIO(merged), strict=True)
    alone = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages == len(reader.pages) == alone + 2 and notes == ()
    assert [o.title for o in reader.outline][-2:] == [title, "Again"]
    assert [reader.get_destination_page_number(o) for o in reader.outline][-2:] == [alone, alone + 1]
    assert "Offer of employment" in reader.pages[alone].extract_text()
    assert merged == merge(pdf, brief, [(title, letter), ("Again", letter)])[0]  # the kept parts


def test_a_merged_brief_is_the_same_made_again_in_a_fresh_process(tmp_path):
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path; from make_brief.offers.offer import load_offer;"
        "from make_brief.run.pipeline import make_pdf;"
        "sys.stdout.buffer.write(make_pdf(load_offer(Path(sys.argv[1]))).pdf)"
    )
    offer = EXAMPLES / "offer.yaml"
    here = make_pdf(load_offer(offer)).pdf
    here_again = make_pdf(load_offer(offer)).pdf
    fresh = subprocess.run([sys.executable, "-c", script, str(offer)], capture_output=True, check=True)
    assert here == here_again == fresh.stdout


def test_a_packed_brief_is_spliced_whenever_it_is_merged(tmp_path):
    pdf, brief = _plain_brief(tmp_path)
    parsed = pdfpack.parse(pdf)
    copy = bytes(bytearray(pdf))  # not the object render returned: read, not remembered
    assert parsed is not None and pdfpack.parse(copy) == parsed
    _plain_brief(tmp_path)  # another brief packed since
    merged, _, _ = merge(copy, brief, [("Letter", EXAMPLES / "offer-letter.pdf")])
    reader = PdfReader(io.BytesIO(merged), strict=True)
    assert reader.metadata["/Producer"] == "make-brief (reportlab)"  # not pypdf's merge
    assert reader.trailer["/ID"] == PdfReader(io.BytesIO(pdf)).trailer["/ID"]

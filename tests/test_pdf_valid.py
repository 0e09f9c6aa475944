"""Every kind of brief is a well-formed PDF, as a second, independent implementation reads it:
qpdf (through pikepdf) checks the syntax, the cross-reference data and every stream, and
pypdf in strict mode reads every page. Briefs are checked as written: plain, merged with
appendices (the offer's and the guide's), compact, locked, and with a competing offer by parts."""

from __future__ import annotations

import io
import shutil

import pikepdf
import pytest
from conftest import DATABRICKS, EXAMPLES, offer_data
from pypdf import PdfReader

from make_brief.guides.catalogue import load_guide
from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import make_pdf

CASES = {
    "plain": ({}, None, False),
    "merged": ({"appendices": ["offer-letter.pdf"]}, None, False),
    "compact": ({}, "compact", False),
    "locked": ({"appendices": ["offer-letter.pdf"]}, None, True),
    "competing": ({"competing_offers": [DATABRICKS]}, None, False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_of_brief_passes_qpdfs_check(case, tmp_path, write_offer):
    changes, template, lock = CASES[case]
    shutil.copy(EXAMPLES / "offer-letter.pdf", tmp_path / "offer-letter.pdf")
    offer = load_offer(write_offer(offer_data(**changes)))
    brief = make_pdf(offer, template, lock=lock)
    password = brief.password or ""
    with pikepdf.open(io.BytesIO(brief.pdf), password=password) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert len(pdf.pages) == brief.pages
    reader = PdfReader(io.BytesIO(brief.pdf), strict=True)
    if lock:
        assert reader.decrypt(password)
    assert len(reader.pages) == brief.pages
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Jane Doe" in text


def test_a_guide_with_its_own_appendix_passes_too(write_offer):
    """The bundled guide merges its own appendix after the brief (the default template)."""
    guide = load_guide(EXAMPLES.parent / "data" / "guides" / "segment-engineering-manager.yaml")
    assert guide.appendices, "the bundled guide has an appendix"
    brief = make_pdf(load_offer(write_offer(offer_data())))
    with pikepdf.open(io.BytesIO(brief.pdf)) as pdf:
        assert pdf.check_pdf_syntax() == []
        titles = [item.title for item in pdf.open_outline().root]
    assert any(appendix.title in titles for appendix in guide.appendices)

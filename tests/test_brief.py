"""Whole briefs, read back with pypdf: text, pages, outline, metadata, fonts, appendices."""

from __future__ import annotations

import re

import pytest
from conftest import offer_data

from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import build_brief, make_pdf

SECTIONS = [
    "Negotiation brief",
    "At a glance",
    "Before the call",
    "The market",
    "Year by year",
    "Negotiation DNA",
    "Levers",
    "Your script",
    "Evidence & sources",
]
GUIDE_APPENDIX = "How to read this brief and where the numbers come from"  # the Segment guide's own


@pytest.fixture
def brief(write_offer, read_pdf, offer_letter):
    def make(page_size=None, **changes):
        made = make_pdf(load_offer(write_offer(offer_data(**changes))), page_size=page_size)
        pdf = read_pdf(made.pdf)
        pdf.warnings = made.warnings
        return pdf

    return make


def test_san_francisco_brief_says_the_guides_numbers(brief):
    pdf = brief()
    for text in ("Jane Doe", "San Francisco (USD)", "$245,000", "$290,000", "18%", "$270,000", "$286,500"):
        assert text in pdf.flat
    assert "You are in that region, so the guide's figure stands" in pdf.flat


def test_new_york_brief_is_personalised(brief):
    pdf = brief(region="New York")
    flat = pdf.flat
    assert "I'd like $278,000 in Twilio RSUs over 4 years with a $239,000 base and 18% bonus target." in flat
    assert "the stock grant is above $259,000" in flat
    assert "93.0% of the way through its $205K–$248K band" in flat
    assert (
        "The same point of the New York band ($198K–$242K) is $239,000, rounded to the nearest thousand"
        in flat
    )


def test_london_brief_is_in_pounds(brief):
    pdf = brief(region="London", offer={"base": "£150K", "stock": "£120K", "bonus_pct": 15})
    assert "£178,000" in pdf.flat and "£203,000" in pdf.flat and "£189,000" in pdf.flat


def test_sections_outline_and_metadata(brief):
    pdf = brief()
    assert [title for title, _ in pdf.outline] == [*SECTIONS, GUIDE_APPENDIX]
    pages = [page for _, page in pdf.outline]
    assert pages == sorted(pages) and pages[-1] > 0  # entries point at their own pages
    assert pdf.metadata["/Title"] == "Negotiation brief: Jane Doe — Engineering Manager, Segment"
    assert pdf.metadata["/Author"] == "Jane Doe"
    assert "San Francisco" in pdf.metadata["/Subject"]
    total = pdf.outline[-1][1]  # the brief's own pages, before the guide's appendix
    for number, text in enumerate(pdf.pages[:total], start=1):
        assert re.search(rf"page {number} of\s*{total}", text)


def test_without_competing_offers_no_claim_is_made(brief):
    pdf = brief()
    script = pdf.flat.split("Your script", 1)[1].split("Accept if", 1)[0]
    assert "offer from" not in script and "offers from" not in script
    assert "Not yours. It rests on a competing offer, and your offer file lists none" in pdf.flat
    assert "Your offer file lists no competing offer" in pdf.flat
    # nothing about the candidate is confirmed, so no lever is theirs to lead with
    assert (
        "Lead with no lever is yours to use yet. Confirm first: Do you lead, or will you lead,"
        " the team building Segment's AI features? (see “Before the call”)" in pdf.flat
    )


def test_competing_offers_are_only_the_users(brief):
    pdf = brief(competing_offers=[{"company": "Databricks", "total_comp": 415000}])
    script = pdf.flat.split("Your script", 1)[1].split("Accept if", 1)[0]
    assert "I have an offer from Databricks at $415,000 in total comp." in script
    assert "Google" not in script
    assert "Big Tech EM Counter · lead with this" in pdf.flat


def test_offer_already_meeting_the_ask_keeps_the_offered_figure(brief):
    pdf = brief(offer={"base": 250000, "stock": 180000, "bonus_pct": 15})
    assert "(your offer already meets the derived $245,000: keep it)" in pdf.flat


def test_input_text_is_data_not_markup(brief):
    pdf = brief(candidate={"name": "Ann <b>Lee</b> & Co"})
    assert "Ann <b>Lee</b> & Co" in pdf.flat


@pytest.mark.parametrize("name", ["Zoë Łukasiewicz", "Ольга Петрова", "Σοφία"])
def test_unicode_names_render(brief, name):
    pdf = brief(candidate={"name": name})
    assert name in pdf.flat
    assert pdf.warnings == ()


def test_fonts_are_one_embedded_subset_family(brief):
    pdf = brief()
    fonts = set()
    for page in pdf.reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font.get("/DescendantFonts")
            target = descendant[0].get_object() if descendant else font
            descriptor = target.get("/FontDescriptor")
            assert descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile2", "/FontFile3")
            ), font
    assert fonts and all(
        re.fullmatch(r"/[A-Z]{6}\+NotoSans-(Regular|Bold|Italic|BoldItalic)", f) for f in fonts
    ), fonts


def test_page_sizes(brief):
    a4 = brief().reader.pages[0].mediabox
    letter = brief(page_size="letter").reader.pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


def test_appendix_is_merged_with_its_outline_entry(write_offer, read_pdf, offer_letter, tmp_path):
    path = write_offer(offer_data(appendices=["offer-letter.pdf"]))
    result = build_brief(path, tmp_path / "brief.pdf")
    pdf = read_pdf(result.path)
    assert result.pages == len(pdf.pages)
    # the candidate's appendix, then the guide's own
    assert pdf.outline[-2:] == [("Offer letter", len(pdf.pages) - 2), (GUIDE_APPENDIX, len(pdf.pages) - 1)]
    assert "Offer of employment" in pdf.pages[-2]
    assert pdf.metadata["/Title"].startswith("Negotiation brief: Jane Doe")


def test_same_inputs_give_identical_bytes(write_offer, offer_letter, tmp_path):
    path = write_offer(offer_data(appendices=["offer-letter.pdf"]))
    first = build_brief(path, tmp_path / "a.pdf").path.read_bytes()
    second = build_brief(path, tmp_path / "b.pdf").path.read_bytes()
    assert first == second
    plain = write_offer(offer_data(), "plain.yaml")
    assert (
        build_brief(plain, tmp_path / "c.pdf").path.read_bytes()
        == build_brief(plain, tmp_path / "d.pdf").path.read_bytes()
    )


def test_date_comes_from_source_date_epoch(brief):
    assert "18 November 2026" in brief().flat


@pytest.mark.parametrize(
    "appendix, message",
    [("not.pdf", "the appendix is not a PDF"), ("locked.pdf", "encrypted with a password")],
)
def test_bad_appendices_leave_no_file(write_offer, tmp_path, offer_letter, appendix, message):
    from pypdf import PdfReader, PdfWriter

    from make_brief.errors import InputError

    if appendix == "not.pdf":
        (tmp_path / appendix).write_text("hello")
    else:
        writer = PdfWriter(clone_from=PdfReader(offer_letter))
        writer.encrypt("secret")
        writer.write(tmp_path / appendix)
    path = write_offer(offer_data(appendices=[appendix]))
    with pytest.raises(InputError, match=message):
        build_brief(path, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()
    assert not list(tmp_path.glob(".out.pdf*"))


def test_empty_password_appendix_is_opened(write_offer, tmp_path, offer_letter, read_pdf):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(offer_letter))
    writer.encrypt("")
    writer.write(tmp_path / "open.pdf")
    result = build_brief(write_offer(offer_data(appendices=["open.pdf"])), tmp_path / "out.pdf")
    assert "Offer of employment" in read_pdf(result.path).pages[-2]  # the guide's appendix is last


def _broken_lines_counted(monkeypatch):
    """Count reportlab's own line breaking, per paragraph and widths."""
    from collections import Counter

    from reportlab.platypus import Paragraph

    calls: Counter = Counter()
    original = Paragraph.breakLines

    def counted(self, width):
        calls[(id(self), tuple(width) if isinstance(width, list) else width)] += 1
        return original(self, width)

    monkeypatch.setattr(Paragraph, "breakLines", counted)
    return calls


def test_each_paragraph_is_broken_into_lines_once_per_width(write_offer, monkeypatch):
    from make_brief.render.reportlab import paragraph
    from make_brief.render.reportlab.lines import LINES

    LINES.clear()  # no lines from the briefs of earlier tests (test_linecache.py tests reuse)
    calls = _broken_lines_counted(monkeypatch)
    split: set[int] = set()
    original = paragraph.CachedParagraph.split

    def recorded(self, width, height):
        split.add(id(self))
        return original(self, width, height)

    monkeypatch.setattr(paragraph.CachedParagraph, "split", recorded)
    make_pdf(load_offer(write_offer(offer_data())))
    assert len(calls) > 60  # every paragraph and wrapping table cell of the brief
    # platypus asks up to three times for most of them; a paragraph split over two pages
    # breaks its lines once more for itself (its lines may be shared with an earlier brief's)
    assert all(count == 1 or (count == 2 and key[0] in split) for key, count in calls.items()), calls


LONG_WORDS = [{"company": f"Company{'Verylongname' * 8}{i}", "total_comp": 300000 + i} for i in range(25)]


@pytest.mark.parametrize("changes", [{}, {"competing_offers": LONG_WORDS}], ids=["example", "long words"])
def test_breaking_lines_once_changes_nothing_drawn(write_offer, read_pdf, monkeypatch, changes):
    """The same pages, text and outline as with reportlab's own Paragraph, which breaks its
    lines again on every measure; long words split across lines and pages included."""
    from reportlab.platypus import Paragraph

    from make_brief.render.reportlab import paragraph, story

    offer = load_offer(write_offer(offer_data(**changes)))
    once = read_pdf(make_pdf(offer).pdf)
    monkeypatch.setattr(paragraph, "CachedParagraph", Paragraph)
    monkeypatch.setattr(story, "CachedParagraph", Paragraph)
    again = read_pdf(make_pdf(offer).pdf)
    assert once.pages == again.pages and once.outline == again.outline
    assert len(once.pages) >= 4  # three of the brief, one of the guide's appendix

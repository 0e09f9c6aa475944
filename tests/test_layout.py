"""Layout defects found by reading briefs page by page: a footer's page number, a lever split
from its verdict, a template that names one font file for two faces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import offer_data

from make_brief.cli import main
from make_brief.offer import load_offer
from make_brief.pipeline import make_pdf

SEGMENT = Path(__file__).parent.parent / "data" / "guides" / "segment-engineering-manager.yaml"
LONG_TITLE = (
    "Engineering Manager, Customer Data Platform and AI Personalisation | Segment (a Twilio business)"
    " Global Negotiation Guide for the Americas, Europe and Asia-Pacific, 2026 edition"
)


@pytest.mark.parametrize("page_size", ["a4", "letter"])
def test_a_long_guide_title_never_cuts_the_page_number(
    tmp_path, monkeypatch, write_offer, read_pdf, page_size
):
    guide = yaml.safe_load(SEGMENT.read_text(encoding="utf-8"))
    guide["title"] = LONG_TITLE
    del guide["appendices"]
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "long.yaml").write_text(
        yaml.safe_dump(guide, allow_unicode=True), encoding="utf-8"
    )
    monkeypatch.setenv("MAKE_BRIEF_GUIDES", str(tmp_path / "guides"))
    pdf = read_pdf(make_pdf(load_offer(write_offer(offer_data(guide="long"))), page_size=page_size).pdf)
    pages = len(pdf.pages)
    assert pages >= 3
    for number, text in enumerate(pdf.pages, start=1):
        footer = next(line for line in text.splitlines() if line.startswith("Prepared with make-brief"))
        # the title is shortened with an ellipsis; "page N of" stands whole (the count follows)
        assert re.search(rf"… · page {number} of\s*$", footer), footer
        assert re.search(rf"page {number} of\s*{pages}", " ".join(text.split()))


def test_each_levers_quote_and_verdict_share_a_page(tmp_path, monkeypatch, write_offer, read_pdf):
    """Rows of level mapping move the levers down the page a few points at a time; wherever
    they land, no lever's verdict is left at the top of a page away from its quote."""
    monkeypatch.setenv("MAKE_BRIEF_GUIDES", str(tmp_path / "guides"))
    (tmp_path / "guides").mkdir()
    verdicts = ("Yours to use.", "Not yours.", "Only if true:")
    data = offer_data(guide="levels")
    data["candidate"]["facts"] = {"leads_ai_team": True, "enterprise_experience": False}
    path = write_offer(data)
    for rows in range(0, 40, 2):
        guide = yaml.safe_load(SEGMENT.read_text(encoding="utf-8"))
        del guide["appendices"]
        guide["level_mapping"] = [{"company": f"Company {i}", "level": f"L{i}"} for i in range(rows)]
        (tmp_path / "guides" / "levels.yaml").write_text(yaml.safe_dump(guide), encoding="utf-8")
        pdf = read_pdf(make_pdf(load_offer(path)).pdf)
        for title in (
            "1. AI Team Leadership",
            "2. Big Tech EM Counter",
            "3. Twilio Integration",
            "4. Talent Magnet",
        ):
            page = next(text for text in pdf.pages if title in text)
            assert any(v in page.split(title, 1)[1] for v in verdicts), (rows, title)


@pytest.mark.parametrize("face", ["bold", "italic", "bold_italic"])
def test_a_template_may_name_the_regular_font_for_another_face(runner, in_tmp, write_offer, read_pdf, face):
    assert runner.invoke(main, ["templates", "export", "mine"]).exit_code == 0
    style = in_tmp / "mine" / "style.yaml"
    text = style.read_text(encoding="utf-8")
    style.write_text(
        re.sub(rf"(?m)^  {face}: \S+", f"  {face}: NotoSans-Regular.ttf", text), encoding="utf-8"
    )
    result = runner.invoke(main, [str(write_offer(offer_data())), "--template", "mine", "-o", "b.pdf"])
    assert result.exit_code == 0, result.output
    pdf = read_pdf(in_tmp / "b.pdf")
    assert "Negotiation brief" in pdf.pages[0] and "Your script" in pdf.flat


def test_a_template_naming_a_font_that_is_not_one_says_so(runner, in_tmp, write_offer):
    assert runner.invoke(main, ["templates", "export", "mine"]).exit_code == 0
    (in_tmp / "mine" / "broken.ttf").write_bytes(b"not a font at all")
    style = in_tmp / "mine" / "style.yaml"
    text = style.read_text(encoding="utf-8")
    style.write_text(re.sub(r"(?m)^  bold: \S+", "  bold: broken.ttf", text), encoding="utf-8")
    result = runner.invoke(main, [str(write_offer(offer_data())), "--template", "mine", "-o", "b.pdf"])
    assert result.exit_code == 1
    assert (
        result.stderr.startswith("error: mine/style.yaml:12: ")
        and "fonts.bold: cannot use broken.ttf as a font" in result.stderr
    )
    assert len(result.stderr.splitlines()) == 1 and not (in_tmp / "b.pdf").exists()

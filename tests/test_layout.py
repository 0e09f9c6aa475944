"""Layout defects found by reading briefs page by page: a footer's page number, a lever split
from its verdict, a template that names one font file for two faces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import offer_data

from make_brief.cli import main
from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import make_pdf

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


def test_no_page_is_left_blank_and_a_table_keeps_its_lead_in(write_offer, read_pdf):
    """A conditional break never stands at the top of an empty page (a table's KeepTogether
    says it is endless when measured: the break measures its parts)."""
    examples = Path(__file__).parent.parent / "examples"
    example = yaml.safe_load((examples / "offer.yaml").read_text(encoding="utf-8"))
    variants = [
        offer_data(),
        offer_data(region="London", offer={"base": "£150K", "stock": "£120K", "bonus_pct": 15}),
    ]
    for count in range(8):  # rows at a glance move everything after them down
        offers = [{"company": f"Company {i}", "total_comp": 300000 + i} for i in range(count)]
        variants.append({**example, "competing_offers": offers})
    for data in variants:
        data.pop("appendices", None)
        pdf = read_pdf(make_pdf(load_offer(write_offer(data))).pdf)
        for number, text in enumerate(pdf.pages, start=1):
            body = [
                line
                for line in text.splitlines()
                if line.strip() and not line.startswith(("Prepared with make-brief", "Negotiation brief ·"))
            ]
            assert len(body) > 2, (number, text)
        # the market's heading and lead-in are on the page of its table, never alone at a foot
        market = next(text for text in pdf.pages if "The guide's bands for" in text)
        assert "Region" in market.split("The guide's bands for", 1)[1]


def test_a_table_never_leaves_its_heading_and_lead_in_at_a_page_foot(runner, in_tmp, write_offer, read_pdf):
    """Lines of filler before the market section move it down the page a line at a time;
    wherever it lands, its heading and lead-in share a page with its table."""
    assert runner.invoke(main, ["templates", "export", "mine"]).exit_code == 0
    style = in_tmp / "mine" / "style.yaml"
    text = style.read_text(encoding="utf-8")
    style.write_text(
        re.sub(r"(?m)^sections: .*$", "sections: [cover, filler, market]", text), encoding="utf-8"
    )
    path = write_offer(offer_data())
    seen = set()
    for lines in range(0, 40, 2):
        filler = "\n\n".join(f"Filler line {i}." for i in range(lines))
        (in_tmp / "mine" / "sections" / "filler.j2").write_text(f"## Filler\n\n{filler}\n", encoding="utf-8")
        result = runner.invoke(main, [str(path), "--template", "mine", "-o", "b.pdf"])
        assert result.exit_code == 0, result.output
        pages = read_pdf(in_tmp / "b.pdf").pages
        heading = next(i for i, page in enumerate(pages) if "The guide's bands for" in page)
        table = next(i for i, page in enumerate(pages) if "Stock (RSU/4yr)" in page)
        seen.add(heading)
        assert heading == table, lines
        assert all(len(page.split()) > 12 for page in pages), lines  # no page left empty
    assert seen == {0, 1}  # the filler did push the section over a page break

"""Fresh dates (issue 25): the bundled example and `init`'s sample are never past their
deadline, and a guide older than the limit is flagged on the brief's first page and by
`guides check`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, offer_data

from make_brief.cli import main
from make_brief.guides.age import guide_age

DAY_2027_03_02 = "1803945600"  # SOURCE_DATE_EPOCH of 2027-03-02, 13 months after 2026-02


def test_the_example_deadline_is_counted_from_the_briefs_day(runner, in_tmp, read_pdf, monkeypatch):
    """ "in 17 days" is 5 December on 18 November (the tests' day), 25 December on 8 December."""
    assert 'deadline: "in 17 days"' in (EXAMPLES / "offer.yaml").read_text(encoding="utf-8")
    result = runner.invoke(main, [str(EXAMPLES / "offer.yaml"), "-o", "a.pdf"])
    assert result.exit_code == 0, result.output
    assert "17 days: the offer expires on 5 December 2026." in read_pdf(in_tmp / "a.pdf").flat
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796688000")  # 2026-12-08
    result = runner.invoke(main, [str(EXAMPLES / "offer.yaml"), "-o", "b.pdf"])
    assert result.exit_code == 0, result.output
    flat = read_pdf(in_tmp / "b.pdf").flat
    assert "17 days: the offer expires on 25 December 2026." in flat
    assert "The deadline has passed" not in flat


@pytest.mark.parametrize(("written", "days"), [("in 3 days", 3), ("IN 2 weeks", 14), ("in 1 day", 1)])
def test_a_relative_deadline(write_offer, written, days):
    from make_brief.offers.offer import load_offer

    offer = load_offer(write_offer(offer_data(offer={**offer_data()["offer"], "deadline": written})))
    assert offer.deadline is not None and (offer.deadline - date(2026, 11, 18)).days == days


def test_init_dates_its_sample_deadline_from_the_day_it_is_written(runner, in_tmp, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796688000")  # 2026-12-08
    assert runner.invoke(main, ["init"]).exit_code == 0
    text = (in_tmp / "offer.yaml").read_text(encoding="utf-8")
    assert '  # deadline: "2026-12-25"     # optional: when the offer expires' in text
    data = yaml.safe_load(text.replace("# deadline:", "deadline:"))
    assert data["offer"]["deadline"] == "2026-12-25"


def test_guide_age_in_whole_months():
    assert guide_age("2026-02", date(2027, 2, 28)).months == 12
    assert not guide_age("2026-02", date(2027, 2, 28)).stale
    age = guide_age("2026-02", date(2027, 3, 1))
    assert (age.months, age.month, age.stale) == (13, "February 2026", True)
    assert guide_age("2026-02", date(2026, 12, 8), limit=9).stale
    assert guide_age(None, date(2027, 3, 1)) is None and guide_age("Spring 2026", date(2027, 3, 1)) is None


@pytest.mark.parametrize("template", ["default", "compact"])
def test_an_old_guide_is_flagged_on_the_first_page(runner, in_tmp, read_pdf, monkeypatch, template):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY_2027_03_02)
    offer = in_tmp / "offer.yaml"
    offer.write_text(yaml.safe_dump(offer_data()), encoding="utf-8")
    result = runner.invoke(main, [str(offer), "-o", "old.pdf", "--template", template])
    assert result.exit_code == 0, result.output
    first = " ".join(read_pdf(in_tmp / "old.pdf").pages[0].split())
    assert "This guide's figures are 13 months old" in first
    assert "figures as of 2026-02" in first
    result = runner.invoke(
        main, [str(offer), "-o", "ok.pdf", "--template", template, "--guide-max-age", "13"]
    )
    assert result.exit_code == 0, result.output
    assert "months old" not in read_pdf(in_tmp / "ok.pdf").flat


def test_a_fresh_guide_is_not_flagged(runner, in_tmp, read_pdf):
    offer = in_tmp / "offer.yaml"
    offer.write_text(yaml.safe_dump(offer_data()), encoding="utf-8")
    assert runner.invoke(main, [str(offer), "-o", "b.pdf"]).exit_code == 0
    pdf = read_pdf(in_tmp / "b.pdf")
    assert "months old" not in pdf.flat and "figures as of 2026-02" in pdf.pages[0]


def test_guides_check_warns_of_an_old_guide(runner, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY_2027_03_02)
    result = runner.invoke(main, ["guides", "check", "segment-engineering-manager"])
    assert result.exit_code == 0, result.output
    assert (
        "  warning: line 8: as_of: the figures are as of February 2026, 13 months before 2027-03-02"
        " (the limit is 12): update them from a recent source and the as_of month"
    ) in result.output
    result = runner.invoke(main, ["guides", "check", "segment-engineering-manager", "--max-age", "24"])
    assert "as_of" not in result.output and result.exit_code == 0


def test_guides_check_warns_of_an_old_markdown_guide(runner, monkeypatch):
    """The damaged fixture is "In February 2026"; checked on 2 March 2027 it is 13 months old."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY_2027_03_02)
    source = Path(__file__).parent / "fixtures" / "segment-guide-damaged.txt"
    result = runner.invoke(main, ["guides", "check", str(source)])
    assert "  warning: as_of: the figures are as of February 2026, 13 months old (the limit is 12)" in (
        result.output
    ), result.output

"""Percentiles (issue 25): where a guide gives p10/p25/p50/p75/p90 per component and region,
the brief says where each component of the offer sits, interpolated and said so; `guides check`
checks the points; without percentiles nothing changes."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from conftest import offer_data

from make_brief.advice.percentiles import rank
from make_brief.cli import main
from make_brief.guides.schema import Points

GUIDES = Path(__file__).parent.parent / "data" / "guides"
SF_PERCENTILES = {
    "base": {"p10": 195000, "p25": 205000, "p50": 220000, "p75": 235000, "p90": 248000},
    "stock": {"p25": 160000, "p50": 220000, "p75": 280000},
    "bonus_pct": {"p25": 15, "p50": 17, "p75": 20},
    "total_comp": {"p25": 300000, "p50": 340000, "p75": 380000},
}


@pytest.fixture
def guide_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "guides"
    folder.mkdir()
    data = yaml.safe_load((GUIDES / "segment-engineering-manager.yaml").read_text(encoding="utf-8"))
    data["regions"][0]["percentiles"] = SF_PERCENTILES
    (folder / "segment-engineering-manager.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    shutil.copy(GUIDES / "how-to-read-this-brief.pdf", folder)
    return folder


def test_rank_interpolates_between_points():
    points = Points(p10=195000, p25=205000, p50=220000, p75=235000, p90=248000)
    assert rank(Decimal(210000), points, "base").percentile == Decimal(25) + Decimal(5000) / 15000 * 25
    assert rank(Decimal(205000), points, "base").percentile == 25
    assert rank(Decimal(190000), points, "base").where == "below"
    assert rank(Decimal(250000), points, "base").where == "above"
    # scaled: a 3-year grant against 4-year points, × 3 ÷ 4
    scaled = rank(Decimal(150000), Points(p25=160000, p50=220000, p75=280000), "stock", Decimal(3) / 4)
    assert scaled.points[0] == (25, 120000) and scaled.percentile == Decimal(25) + Decimal(30000) / 45000 * 25


def test_the_brief_says_where_each_component_sits(runner, in_tmp, read_pdf, write_offer, guide_dir):
    """Base $210,000: 25 + (210 − 205) ÷ (220 − 205) × 25 = 33.3, the 33rd; stock $180,000:
    25 + 20 ÷ 60 × 25 = 33.3, the 33rd; bonus 15%: the 25th exactly; total comp $286,500
    ($210,000 + $45,000 + $31,500) is below the lowest point, p25 $300,000."""
    path = write_offer(offer_data())
    result = runner.invoke(main, [str(path), "-o", "p.pdf", "--guides", str(guide_dir)])
    assert result.exit_code == 0, result.output
    flat = read_pdf(in_tmp / "p.pdf").flat
    assert "By percentile" in flat and "interpolated in a straight line, so it is an estimate" in flat
    assert (
        "Base $210K p10 $195K · p25 $205K · p50 $220K · p75 $235K · p90 $248K about the 33rd percentile"
        in flat
    )
    assert "Stock $180K p25 $160K · p50 $220K · p75 $280K about the 33rd percentile" in flat
    assert "Bonus target 15% p25 15% · p50 17% · p75 20% about the 25th percentile" in flat
    assert "Total comp $286.5K p25 $300K · p50 $340K · p75 $380K below the 25th percentile" in flat


def test_a_region_without_percentiles_says_nothing_of_them(runner, in_tmp, read_pdf, write_offer, guide_dir):
    path = write_offer(offer_data(region="New York"))
    assert runner.invoke(main, [str(path), "-o", "n.pdf", "--guides", str(guide_dir)]).exit_code == 0
    assert "By percentile" not in read_pdf(in_tmp / "n.pdf").flat


def test_guides_check_refuses_falling_percentiles(runner, guide_dir):
    path = guide_dir / "segment-engineering-manager.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["regions"][0]["percentiles"]["base"]["p75"] = 210000
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = runner.invoke(main, ["guides", "check", str(path)])
    assert result.exit_code == 1
    assert "regions.0.percentiles.base.p75: p75 210000 is below p50 220000: percentiles rise" in result.output


LUMEN = GUIDES / "sources" / "lumen-payments-staff-software-engineer.md"
TABLE = """
**Percentiles**

| Region | Component | P10 | P25 | P50 | P75 | P90 |
|---|---|---|---|---|---|---|
| Bengaluru | Base | ₹46L | ₹50L | ₹56L | ₹62L | ₹66L |
| Bengaluru | Bonus | | 10% | 12% | 15% | |
| Pune | Total Comp | | ₹54L | ₹64L | ₹74L | |
"""


def with_table(table: str) -> str:
    text = LUMEN.read_text(encoding="utf-8")
    head, mark, tail = text.partition("\n**Negotiation DNA**\n")
    return head + table + mark + tail


def test_the_import_reads_a_percentile_table():
    from make_brief.guides.importer import import_guide

    data = import_guide(with_table(TABLE), file="g.md").data
    bengaluru, _, pune = data["regions"]
    assert bengaluru["percentiles"] == {
        "base": {"p10": 4600000, "p25": 5000000, "p50": 5600000, "p75": 6200000, "p90": 6600000},
        "bonus_pct": {"p25": 10, "p50": 12, "p75": 15},
    }
    assert pune["percentiles"] == {"total_comp": {"p25": 5400000, "p50": 6400000, "p75": 7400000}}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "| Mumbai | Base | | ₹50L | ₹56L | ₹62L | |",
            "percentiles: 'Mumbai' is not a region of the region table",
        ),
        ("| Pune | Perks | | 1 | 2 | 3 | |", "percentiles: 'Perks' is not a component"),
        ("| Pune | Base | | ₹50L | | ₹62L | |", "percentiles: Pune, Base: no P50"),
        (
            "| Pune | Base | | $50K | $56K | $62K | |",
            "'$50K' is written in $ (USD), but the amount is in INR",
        ),
    ],
)
def test_a_bad_percentile_row_names_its_line(row, expected):
    from make_brief.errors import GuideError
    from make_brief.guides.importer import import_guide

    table = (
        "\n**Percentiles**\n\n| Region | Component | P10 | P25 | P50 | P75 | P90 |\n"
        "|---|---|---|---|---|---|---|\n"
    )
    with pytest.raises(GuideError) as caught:
        import_guide(with_table(table + row + "\n"), file="g.md")
    assert expected in str(caught.value) and str(caught.value).startswith("g.md:15:"), str(caught.value)

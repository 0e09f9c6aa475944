"""A private company's equity (issue 25): stock options and private RSUs in the brief, with
figures worked out by hand, the warnings said once, the asks marked as general practice, and a
bad field as one line naming it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import offer_data

from make_brief.cli import main
from make_brief.money.options import Options, options_by_year, worth

OPTIONS = {
    "count": 40000,
    "strike": 1.85,
    "preferred_price": 7.40,
    "fmv": 2.10,
    "fully_diluted_shares": 52000000,
    "vesting": [25, 25, 25, 25],
    "cliff_months": 12,
    "exercise_window_years": 0.25,
    "kind": "ISO",
}


def startup(**terms) -> dict:
    offer = {"currency": "USD", "base": 210000, "stock": 0, "bonus_pct": 15, "options": dict(OPTIONS)}
    offer.update(terms)
    return offer_data(offer=offer)


@pytest.fixture
def equity_text(runner, in_tmp, write_offer, read_pdf):
    def make(data: dict) -> str:
        path = write_offer(data)
        result = runner.invoke(main, [str(path), "-o", "brief.pdf"])
        assert result.exit_code == 0, result.output
        flat = read_pdf(in_tmp / "brief.pdf").flat
        assert flat.count("Equity in a private company") == 1
        return flat.split("Equity in a private company", 1)[1].split("Negotiation DNA", 1)[0]

    return make


def test_options_at_the_users_company_values_with_dilution(equity_text):
    """By hand: 40,000 ÷ 52,000,000 = 0.0769%; 40,000 × $1.85 = $74,000; 40,000 × ($7.40 −
    $1.85) = $222,000; $7.40 × 52,000,000 = $384,800,000. With 20% dilution a share at
    $385,000,000 is 385,000,000 × 0.8 ÷ 52,000,000 = $5.923077, so 40,000 × ($5.923077 − $1.85)
    = $162,923.08 → $162,923; at $1,000,000,000, $15.384615: 40,000 × 13.534615 = $541,384.62 →
    $541,385; at nothing, nothing."""
    text = equity_text(startup(exit_values=[0, 385000000, "1000M"], dilution_pct=20))
    assert "You are offered 40,000 stock options (ISO)" in text
    assert "strike price of $1.85 each" in text and "is $7.40; the current fair market value is $2.10" in text
    assert "Ownership 0.0769% of the company: 40,000 options ÷ 52,000,000 fully diluted shares" in text
    assert "Cost to exercise $74,000: 40,000 × the strike of $1.85" in text
    assert "$222,000: 40,000 × ($7.40 − $1.85)" in text
    assert "The latest valuation $384,800,000: $7.40 × 52,000,000 shares" in text
    assert (
        "dilute yours by 20% before the sale, so a share is worth the company value × 80% ÷ 52,000,000"
        in text
    )
    assert "$0 $0.00 $0" in text
    assert "$385,000,000 $5.9231 $162,923" in text
    assert "$1,000,000,000 $15.3846 $541,385" in text
    # year by year: 10,000 a year, each $55,500 of spread and $18,500 to exercise
    for year in range(1, 5):
        assert f"Year {year} 10,000 $55,500 $18,500" in text
    assert "Over 4 years 40,000 $222,000 $74,000" in text


def test_options_at_the_default_company_values(equity_text):
    """Nothing, the latest valuation ($384,800,000: a share at $7.40, 40,000 × $5.55 =
    $222,000), 3 times it ($1,154,400,000: $22.20, 40,000 × $20.35 = $814,000) and 10 times it
    ($3,848,000,000: $74.00, 40,000 × $72.15 = $2,886,000); no dilution, and it says so."""
    text = equity_text(startup())
    assert "nothing, the latest valuation, 3 times it and 10 times it" in text
    assert "It assumes no dilution: a share is worth the company value ÷ 52,000,000." in text
    assert "$384,800,000 (the latest valuation) $7.40 $222,000" in text
    assert "$1,154,400,000 $22.20 $814,000" in text
    assert "$3,848,000,000 $74.00 $2,886,000" in text


def test_the_warnings_are_said_once_and_the_asks_are_general_practice(equity_text):
    text = equity_text(startup())
    assert "Illiquid until an exit." in text
    assert (
        "The strike must be paid. To own the shares you pay $1.85 a share: $74,000 for all 40,000 options."
        in text
    )
    assert "If you leave, you have 3 months to exercise your vested options or lose them." in text
    assert "That short a window can force a choice at departure" in text
    assert (
        text.count("not tax advice") == 1
        and "Taxes differ by the kind of equity (ISO) and by country" in text
    )
    assert (
        "General negotiating practice, not this guide's data: the guide says nothing about options." in text
    )
    assert "More options: the grant in options, or in ownership (0.0769% of the company today)." in text
    assert "A longer exercise window after leaving than 3 months" in text
    assert "Early exercise:" in text and "Acceleration:" in text


def test_a_long_window_is_not_asked_to_be_longer(equity_text):
    text = equity_text(startup(options={**OPTIONS, "exercise_window_years": 10}))
    assert "you have 10 years to exercise" in text and "A longer exercise window" not in text
    assert "short a window" not in text


def test_private_rsus(equity_text):
    data = offer_data(offer={**offer_data()["offer"], "stock_liquid": False})
    text = equity_text(data)
    assert "Private RSUs. Your $180,000 of restricted stock units are of a private company" in text
    assert text.count("not tax advice") == 1
    assert "stock options" not in text and "What to ask for" not in text


def test_no_equity_no_section(runner, in_tmp, write_offer, read_pdf):
    path = write_offer(offer_data())
    assert runner.invoke(main, [str(path), "-o", "b.pdf"]).exit_code == 0
    pdf = read_pdf(in_tmp / "b.pdf")
    assert "Equity in a private company" not in pdf.flat
    assert "Equity in a private company" not in [title for title, _ in pdf.outline]


def test_options_by_year_with_a_cliff_and_uneven_vesting():
    """18-month cliff: year 1's 10% moves into year 2 (10 + 20 = 30%); 1,001 options by
    largest remainder: 0, 300.3 → 300, 300.3 → 300, 400.4 → 401 (1,001 in all)."""
    grant = Options(1001, Decimal("0.5"), Decimal(2), 100000, 4, tuple(map(Decimal, (10, 20, 30, 40))), 18)
    assert options_by_year(grant) == (0, 300, 300, 401)
    # a share at $50,000 ÷ 100,000 = $0.50 is the strike: the options are worth nothing
    assert [w.value for w in worth(grant, (Decimal(50000), Decimal(300000)))] == [0, Decimal("2502.5")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda o: o["options"].update(strike="abc"), "offer.options.strike: 'abc' is not an amount"),
        (lambda o: o["options"].update(strike=0), "offer.options.strike: must be more than zero"),
        (
            lambda o: o["options"].update(preferred_price="£7.40"),
            "offer.options.preferred_price: '£7.40' is written in £ (GBP), but the amount is in USD",
        ),
        (lambda o: o["options"].update(count=0), "offer.options.count: 0 is not a number of shares"),
        (
            lambda o: o["options"].update(count=60000000),
            "offer.options.count: 60,000,000 options are more than the company's 52,000,000 fully diluted",
        ),
        (
            lambda o: o["options"].update(vesting=[25, 25, 25]),
            "offer.options.vesting: 3 percentages for a 4-year grant",
        ),
        (
            lambda o: o["options"].update(cliff_months=60),
            "offer.options.cliff_months: 60 months is not a cliff",
        ),
        (
            lambda o: o["options"].update(exercise_window_years=-1),
            "offer.options.exercise_window_years: -1 is not from 0 to 30",
        ),
        (lambda o: o["options"].update(strik=2), "offer.options.strik: unknown field"),
        (lambda o: o.update(dilution_pct=120), "offer.dilution_pct: 120 is not from 0 to 95"),
        (lambda o: o.update(exit_values=[0, "lots"]), "offer.exit_values.1: 'lots' is not an amount"),
        (
            lambda o: (o.pop("options"), o.update(exit_values=[1000000])),
            "offer.exit_values: are for stock options: give offer.options too",
        ),
    ],
)
def test_a_bad_equity_field_is_one_line_naming_it(runner, in_tmp, write_offer, change, expected):
    data = startup()
    change(data["offer"])
    path = write_offer(data)
    result = runner.invoke(main, [str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}:") and expected in lines[0], result.stderr
    assert not (in_tmp / "output").exists()


def test_a_csv_table_takes_the_equity_columns(runner, in_tmp, read_pdf):
    table = in_tmp / "startups.csv"
    table.write_text(
        "candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct,offer.options.count,"
        "offer.options.strike,offer.options.preferred_price,offer.options.fully_diluted_shares,"
        "offer.options.exercise_window_years,offer.exit_values.0,offer.exit_values.1,offer.dilution_pct\n"
        "Ana Options,segment-engineering-manager,SF,210000,0,15,40000,1.85,7.40,52000000,0.25,"
        "0,385000000,20\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, [str(table), "-o", "out"])
    assert result.exit_code == 0, result.output
    flat = read_pdf(in_tmp / "out" / "ana-options-segment-engineering-manager.pdf").flat
    assert "$385,000,000 $5.9231 $162,923" in flat and "you have 3 months to exercise" in flat


def test_a_csv_table_takes_private_rsus(runner, in_tmp, read_pdf):
    table = in_tmp / "private.csv"
    table.write_text(
        "candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct,offer.stock_liquid\n"
        "Rui Private,segment-engineering-manager,SF,210000,180000,15,false\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, [str(table), "-o", "out"])
    assert result.exit_code == 0, result.output
    flat = read_pdf(in_tmp / "out" / "rui-private-segment-engineering-manager.pdf").flat
    assert "Private RSUs. Your $180,000 of restricted stock units" in flat


def test_the_docs_equity_example_is_a_valid_offer(runner, in_tmp, write_offer):
    import re
    from pathlib import Path

    import yaml

    page = (Path(__file__).parent.parent / "docs" / "offer-file.md").read_text(encoding="utf-8")
    section = page.split("## Equity in a private company", 1)[1]
    example = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))
    refresh = yaml.safe_load(
        re.search(r"```yaml\n(.*?)```", section.split("## Refresh grants")[1], re.S).group(1)
    )
    example["offer"]["refresh"] = refresh["offer"]["refresh"]
    data = offer_data(offer=example["offer"], competing_offers=refresh["competing_offers"])
    result = runner.invoke(main, ["validate", str(write_offer(data))])
    assert result.exit_code == 0, result.output


def test_a_startup_guides_equity_band_gives_the_ask_in_ownership(equity_text):
    """The Brightwater guide (illustrative): its script asks $360K of options in San Francisco,
    (360 − 150) ÷ (400 − 150) = 84.0% of the way through $150K–$400K. Toronto's equity band is
    0.15%–0.75% of the company: 25,000 of 5,000,000 shares is 0.5%, (0.5 − 0.15) ÷ 0.6 = 58.3%
    of the way; the ask 0.15 + 0.84 × 0.6 = 0.654%, which is 32,700 options."""
    data = offer_data(
        guide="brightwater-labs-founding-engineer",
        region="Toronto",
        offer={
            "base": "CA$170K",
            "stock": 0,
            "bonus_pct": 0,
            "options": {
                "count": 25000,
                "strike": 0.80,
                "preferred_price": 3.20,
                "fully_diluted_shares": 5000000,
                "exercise_window_years": 10,
            },
        },
    )
    text = equity_text(data)
    assert "The guide's equity band for Toronto is 0.15%–0.75% of the company." in text
    assert "Your offer (0.5% of the company) is 58.3% of the way through it." in text
    assert (
        "its San Francisco band (84.0% of the way), the ask is 0.654% of the company (32,700 options" in text
    )
    assert "Beyond that band, general negotiating practice, not this guide's data:" in text
    assert "Illustrative example data" not in text  # said in the guide's DNA, not here


def test_guides_check_checks_an_equity_band(runner, tmp_path):
    from pathlib import Path

    import yaml

    source = Path(__file__).parent.parent / "data" / "guides" / "brightwater-labs-founding-engineer.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["regions"][0]["equity"] = {"unit": "pct", "low": 0.5, "high": 120}
    data["regions"][1]["equity"] = {"unit": "shares", "low": 1, "high": 2}
    path = tmp_path / "startup.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = runner.invoke(main, ["guides", "check", str(path)])
    assert result.exit_code == 1
    assert "regions.0.equity.high: 120% of the company is more than all of it" in result.output
    assert "regions.1.equity.unit: 'shares' is not options, pct or value" in result.output


def test_the_import_reads_an_equity_column():
    from pathlib import Path

    from make_brief.guides.importer import import_guide

    source = (
        Path(__file__).parent.parent / "data" / "guides" / "sources" / "brightwater-labs-founding-engineer.md"
    )
    regions = import_guide(source.read_text(encoding="utf-8"), file="b.md").data["regions"]
    assert [r["equity"] for r in regions] == [
        {"unit": "pct", "low": 0.25, "high": 1},
        {"unit": "pct", "low": 0.2, "high": 0.9},
        {"unit": "pct", "low": 0.15, "high": 0.75},
    ]
    assert [r["currency"] for r in regions] == ["USD", "USD", "CAD"]

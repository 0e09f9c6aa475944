"""Money over time through the command and the PDF: the year table, competing offers side by
side, exchange rates and their age, currency marks, and every bad input as one line."""

from __future__ import annotations

import pytest
from conftest import DATABRICKS, ROOT, offer_data

from make_brief.cli import main

TEST_GUIDES = ROOT / "tests" / "fixtures" / "guides"

LONDON = {
    "base": 160000,
    "stock": 150000,
    "stock_years": 4,
    "bonus_pct": 15,
    "vesting": [5, 15, 40, 40],
    "sign_on": [18000, 6000],
}
BOE = {"from": "USD", "to": "GBP", "rate": 0.79, "date": "2026-11-10", "source": "Bank of England"}


def london(**changes) -> dict:
    data = offer_data(region="London", offer=dict(LONDON))
    data.update(changes)
    return data


def build(runner, write_offer, data, *args):
    path = write_offer(data)
    out = path.parent / "brief.pdf"
    result = runner.invoke(main, [str(path), "-o", str(out), *map(str, args)])
    return result, out


def test_a_back_loaded_brief(runner, write_offer, read_pdf):
    data = london()
    data["offer"]["clawback"] = {"months": 12, "terms": "full"}
    result, out = build(runner, write_offer, data)
    assert result.exit_code == 0, result.output
    flat = read_pdf(out).flat
    years = flat.split("Year by year", 2)[2]  # the section, after the glance's mention
    # the year table: your offer and your ask (base 178,000, 18%, 203,000 over 5/15/40/40 with
    # the sign-on asks of 41,000 and 20,000)
    assert "Year 1 £209,500 £261,190" in years
    assert "Year 2 £212,500 £260,490" in years
    assert "Year 3 £244,000 £291,240" in years
    assert "Total over 4 years £910,000 £1,104,160" in years
    assert "Average year, sign-on left out £221,500 £260,790" in years
    assert "£203,000 × (25% – 5%) = £40,600, rounded to the nearest thousand: £41,000" in years
    assert "£203,000 × (25% – 15%) = £20,300, rounded to the nearest thousand: £20,000" in years
    script = flat.split("Your script", 1)[1]
    assert "I'd like a sign-on of £41,000 in year 1 and £20,000 in year 2 to even that out." in script
    assert "repay it pro rata" in script
    assert "a year in total comp on average over 4 years" in flat and "Year 1: £209,500" in flat


def test_a_front_loaded_grant_gets_the_refresh_note_and_no_sign_on_ask(runner, write_offer, read_pdf):
    data = london()
    data["offer"].update(vesting=[40, 30, 20, 10], sign_on=None)
    result, out = build(runner, write_offer, data)
    assert result.exit_code == 0, result.output
    flat = read_pdf(out).flat
    assert "Front-loaded." in flat and "refresh grants" in flat
    assert "sign-on of" not in flat.split("Your script", 1)[1]


def test_a_competing_offer_by_parts_side_by_side_with_a_stated_rate(runner, write_offer, read_pdf):
    result, out = build(runner, write_offer, london(competing_offers=[DATABRICKS], fx=[BOE]))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr  # 8 days old
    flat = read_pdf(out).flat
    # 353,000 a year on average, 403,000 in year 1, at 0.79
    assert "Your offer Your ask Databricks (from USD)" in flat
    assert "Year 1 £209,500 £261,190 £318,370" in flat
    assert "Average year, sign-on left out £221,500 £260,790 £278,870" in flat
    assert (
        "Databricks (average year): US$353,000 is about £278,870 at 0.79 (Bank of England, 10 Nov 2026)"
        in flat
    )


def test_an_old_rate_gives_one_warning_and_the_brief_says_so(runner, write_offer, read_pdf):
    old = dict(BOE, date="2026-10-01")
    result, out = build(runner, write_offer, london(competing_offers=[DATABRICKS], fx=[old]))
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "exchange rate" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: ")
    assert warnings[0].endswith(
        "offer.yaml: the exchange rate USD→GBP 0.79 is dated 2026-10-01, more than 30 days before the"
        " brief's date (2026-11-18); the brief says it is old"
    )
    assert "This rate is more than 30 days old" in read_pdf(out).flat


def test_without_a_rate_nothing_is_converted(runner, write_offer, read_pdf):
    acme = {"company": "Acme", "currency": "EUR", "total_comp": 250000}
    result, out = build(runner, write_offer, london(competing_offers=[DATABRICKS, acme]))
    assert result.exit_code == 0
    flat = read_pdf(out).flat
    assert "Databricks (USD): not compared: no exchange rate given" in flat
    assert "Acme (EUR): not compared: no exchange rate given" in flat
    assert "(from USD)" not in flat


def test_a_shared_rates_table_and_the_offers_own_rate_wins(runner, write_offer, read_pdf, tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text("from,to,rate,date,source\nGBP,USD,1.25,2026-11-15,ECB\n", encoding="utf-8")
    result, out = build(runner, write_offer, london(competing_offers=[DATABRICKS]), "--fx", rates)
    assert result.exit_code == 0, result.output
    assert "US$353,000 is about £282,400 at 1 ÷ 1.25 (ECB, 15 Nov 2026)" in read_pdf(out).flat
    result, out = build(runner, write_offer, london(competing_offers=[DATABRICKS], fx=[BOE]), "--fx", rates)
    assert "at 0.79 (Bank of England" in read_pdf(out).flat


def test_dollars_that_share_a_sign_are_told_apart(runner, write_offer, read_pdf):
    data = {
        "candidate": {"name": "Chloé Maple"},
        "guide": "northbeam-staff-engineer",
        "region": "Toronto",
        "offer": {"base": "C$200K", "stock": "CA$180,000", "bonus_pct": 12},
        "competing_offers": [{"company": "Cascade", "currency": "USD", "base": "US$205K", "stock": 240000}],
        "fx": [{"from": "CAD", "to": "USD", "rate": 0.72, "date": "2026-11-10"}],
    }
    result, out = build(runner, write_offer, data, "--guides", TEST_GUIDES)
    assert result.exit_code == 0, result.output
    flat = read_pdf(out).flat
    assert "Toronto CA$190,000 – CA$235,000" in flat and "Seattle US$200,000 – US$245,000" in flat
    assert " $" not in flat.split("Negotiation DNA")[0]  # no bare dollar (the guide's own quotes aside)
    # Toronto's total-comp band is not the sum of its parts: the position says it is approximate
    assert "(approximate, as the guide's Toronto total-comp band is more than 3% off" in flat
    # 205,000 + 60,000 = US$265,000 a year, at 1 ÷ 0.72
    assert "US$265,000 is about CA$368,056 at 1 ÷ 0.72 (10 Nov 2026)" in flat


def test_one_number_style_per_market_table(runner, write_offer, read_pdf):
    # the example's ask total, 351,520, has no exact compact form: the whole table is in full,
    # so that no row mixes $210K and $286,500; the chart's rows each keep one form
    result, out = build(runner, write_offer, offer_data(region="New York"))
    assert result.exit_code == 0
    flat = read_pdf(out).flat
    assert "New York $198,000 – $242,000 $152,000 – $288,000 15–20% $280,000 – $382,000" in flat
    assert "Your offer $210,000 · 27.3% $180,000 · 20.6% 15% · 0.0% $286,500 · 6.4%" in flat
    chart = flat.split("Your offer Your ask Base salary", 1)[1].split("Your position", 1)[0]
    assert "$210K $180K 15% $286,500 $198K $242K $152K $288K 15% 20% $280,000 $382,000" in chart


def test_a_three_year_grant_shows_its_years_in_the_column_and_scaled_bands(runner, write_offer, read_pdf):
    data = offer_data(region="New York")
    data["offer"]["stock_years"] = 3
    result, out = build(runner, write_offer, data)
    assert result.exit_code == 0
    flat = read_pdf(out).flat
    # New York's 152K–288K over 4 years is 114K–216K over 3, in the table and in the chart
    assert "Stock (RSU/3yr)" in flat and "$114,000 – $216,000" in flat and "$114K $216K" in flat
    assert "each is scaled by 3 ÷ 4" in flat


BAD = [
    (dict(vesting=[5, 15, 40]), "offer.vesting: 3 percentages for a 4-year grant"),
    (dict(vesting=[5, 15, 40, 30]), "offer.vesting: the percentages sum to 90, not 100"),
    (dict(vesting=[-5, 25, 40, 40]), "offer.vesting.0: -5% is negative"),
    (dict(cliff_months=60), "offer.cliff_months: 60 months is not a cliff (write 0 to 48 months)"),
    (dict(sign_on=[1000] * 5), "offer.sign_on: 5 yearly amounts for a 4-year vesting period"),
    (dict(clawback={"months": 12, "terms": "half"}), "offer.clawback.terms: 'half' is not full or pro_rata"),
    (dict(base="US$160K"), "offer.base: 'US$160K' is written in US$ (USD), but the amount is in GBP"),
]


@pytest.mark.parametrize(("terms", "expected"), BAD)
def test_bad_terms_are_one_line_and_nothing_is_written(runner, write_offer, terms, expected):
    data = london()
    data["offer"].update(terms)
    result, out = build(runner, write_offer, data)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {out.parent / 'offer.yaml'}:") and expected in line, line
    assert not out.exists()


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (dict(BOE, rate=0), "fx.0.rate: 0 is not a positive number"),
        (dict(BOE, rate=-0.79), "fx.0.rate: -0.79 is not a positive number"),
        ({k: v for k, v in BOE.items() if k != "date"}, "fx.0.date: a rate needs the date it was taken"),
        (dict(BOE, date="Nov 2026"), "fx.0.date: 'Nov 2026' is not a date"),
    ],
)
def test_bad_rates_are_one_line_and_nothing_is_written(runner, write_offer, rate, expected):
    result, out = build(runner, write_offer, london(fx=[rate]))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert expected in line, line
    assert line.startswith(f"error: {out.parent / 'offer.yaml'}:")
    assert not out.exists()


def test_a_bad_rates_table_stops_the_run_before_any_brief(runner, write_offer, tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text("from,to,rate,date\nUSD,GBP,0.79,\n", encoding="utf-8")
    result, out = build(runner, write_offer, london(), "--fx", rates)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f'error: {rates}:2: date: a rate needs the date it was taken (write date: "2026-11-20")\n'
    )
    assert not out.exists()
    result = runner.invoke(main, ["validate", str(write_offer(london())), "--fx", str(rates)])
    assert result.exit_code == 1 and "rates.csv:2: date" in result.stderr


def test_competing_offers_by_parts_and_by_total_are_not_mixed(runner, write_offer):
    both = dict(DATABRICKS, total_comp=400000)
    result, _ = build(runner, write_offer, london(competing_offers=[both]))
    assert result.exit_code == 1
    assert "competing_offers.0.base: give either total_comp or the parts" in result.stderr


def test_the_new_fields_in_a_csv_row(runner, tmp_path):
    table = tmp_path / "people.csv"
    table.write_text(
        "candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct,offer.vesting.0,offer.vesting.1,"
        "offer.vesting.2,offer.vesting.3,offer.sign_on.0,offer.sign_on.1,offer.cliff_months\n"
        "Ann,segment-engineering-manager,London,160000,150000,15,5,15,40,40,18000,6000,12\n"
        "Bob,segment-engineering-manager,London,160000,150000,15,5,15,40,30,,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", str(table)])
    assert result.exit_code == 1
    assert f"ok: {table}:row 2: Ann" in result.stdout
    assert f"{table}:row 3 (Bob): offer.vesting: the percentages sum to 90, not 100" in result.stderr


def test_an_offer_file_with_only_the_old_fields_still_builds(runner, write_offer, read_pdf):
    data = offer_data(region="New York", competing_offers=[{"company": "Databricks", "total_comp": 415000}])
    result, out = build(runner, write_offer, data)
    assert result.exit_code == 0, result.output
    assert "Year 1 $286,500" in read_pdf(out).flat


def test_the_guide_listing_tells_the_dollars_apart(runner):
    result = runner.invoke(main, ["guides", "show", "northbeam-staff-engineer", "--guides", str(TEST_GUIDES)])
    assert result.exit_code == 0, result.output
    assert "base CA$190K–CA$235K" in result.stdout and "base US$200K–US$245K" in result.stdout


def test_the_readmes_back_loaded_example_and_its_year_table_are_what_the_brief_says(write_offer):
    import re

    import yaml

    from make_brief.advice.compute import compute
    from make_brief.money.amounts import fmt_money
    from make_brief.offers.offer import load_offer

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- years:start -->(.*?)<!-- years:end -->", text, re.S).group(1)
    data = yaml.safe_load(re.search(r"```yaml\n(.*?)```", block, re.S).group(1))
    over = compute(load_offer(write_offer(data))).over_time
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in block.splitlines()
        if line.startswith("| ") and not line.startswith("|  ")
    ]

    def gbp(value):
        return fmt_money(value, "GBP", "en_GB")

    expected = [
        [f"Year {y.number}", gbp(y.total), gbp(a.total)]
        for y, a in zip(over.offer.years, over.ask.years, strict=True)
    ]
    expected += [
        ["Total over 4 years", gbp(over.offer.total), gbp(over.ask.total)],
        ["Average year, sign-on left out", gbp(over.offer.average), gbp(over.ask.average)],
    ]
    assert rows == expected

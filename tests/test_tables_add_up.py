"""Tables that add up: the year-by-year table's years sum exactly to the total it shows (a
3-year grant, a competing offer converted at a stated rate), "Average year" says what it is,
totals over different spans are marked with their spans, and one currency is written in one
way in a table (Swedish kronor as Swedish readers write them)."""

from __future__ import annotations

import re
from decimal import Decimal

from conftest import ROOT, offer_data

from make_brief.cli import main
from make_brief.money.amounts import parse_amount
from make_brief.money.vesting import Pay, Schedule, Year, largest_remainder, schedule

D = Decimal
USD_TO_GBP = {"from": "USD", "to": "GBP", "rate": "0.7913", "date": "2026-11-10", "source": "Bank of England"}
# a competing offer in US dollars whose converted parts all have fractions of a penny
THREE_YEARS = {
    "company": "Databricks",
    "currency": "USD",
    "base": 230001,
    "stock": 400001,
    "stock_years": 3,
    "bonus_pct": 10,
    "sign_on": 50000,
}
TEST_GUIDES = ROOT / "tests" / "fixtures" / "guides"
AMOUNT = re.compile(r"£[\d,]+")


def build(runner, write_offer, read_pdf, data):
    path = write_offer(data)
    out = path.parent / "brief.pdf"
    result = runner.invoke(main, [str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return read_pdf(out).flat


def year_table(flat: str) -> str:
    """The year-by-year section's table, as pypdf reads it back (after the glance's mention)."""
    section = flat.split("Year by year", 2)[2]
    return section[: section.index("Average year")] + section[section.index("Average year") :][:80]


def columns(table: str, rows: int) -> tuple[list[list[Decimal]], list[Decimal]]:
    """The amounts of each column in the rows "Year 1" … "Year N", and each column's total."""
    years = []
    for number in range(1, rows + 1):
        line = table.split(f"Year {number} ", 1)[1].split(" Year ", 1)[0].split(" Total", 1)[0]
        years.append([parse_amount(a, "GBP") for a in AMOUNT.findall(line)])
    total = table.split("Total over", 1)[1].split("Average year", 1)[0]
    return [list(c) for c in zip(*years, strict=True)], [
        parse_amount(a, "GBP") for a in AMOUNT.findall(total)
    ]


def test_a_three_year_grant_converted_at_a_rate_adds_up_in_every_column(runner, write_offer, read_pdf):
    data = offer_data(
        region="London",
        offer={"base": 160000, "stock": 150000, "stock_years": 3, "bonus_pct": 15},
        competing_offers=[THREE_YEARS],
        fx=[USD_TO_GBP],
    )
    table = year_table(build(runner, write_offer, read_pdf, data))
    assert "Your offer Your ask Databricks (from USD)" in table
    by_column, totals = columns(table, 3)
    assert len(by_column) == 3 and len(totals) == 3
    for years, total in zip(by_column, totals, strict=True):
        assert sum(years) == total
    # the ask: £178,000 + 18% + £152,000 ÷ 3 = £260,706.67 a year; £782,120 over 3 years, whose
    # years round to £260,707, £260,707 and £260,706 (each rounded alone: £782,121)
    assert by_column[1] == [D(260707), D(260707), D(260706)] and totals[1] == D(782120)
    # Databricks: (230,001 + 23,000.10 + 133,333.67) × 0.7913 = £305,706.70 a year, and the
    # sign-on of US$50,000 (£39,565) in year 1: £345,271.70; the exact total £956,685.10 rounded.
    # Each year rounded alone would make £956,686
    assert by_column[2] == [D(345272), D(305707), D(305706)] and totals[2] == D(956685)
    assert "Total over 3 years" in table
    assert "Average year, sign-on left out £234,000 £260,707 £305,707" in table


def test_without_a_sign_on_the_average_year_is_the_total_over_the_years(runner, write_offer, read_pdf):
    data = offer_data(
        region="London", offer={"base": 160000, "stock": 150000, "stock_years": 3, "bonus_pct": 15}
    )
    table = year_table(build(runner, write_offer, read_pdf, data))
    assert "sign-on left out" not in table
    average = table.split("Average year ", 1)[1]
    offer_average = parse_amount(AMOUNT.findall(average)[0], "GBP")
    assert "Total over 3 years £702,000" in table and offer_average == D(702000) / 3


def test_totals_over_different_spans_are_each_marked_with_theirs(runner, write_offer, read_pdf):
    four = dict(THREE_YEARS, stock_years=4, sign_on=None)
    data = offer_data(
        region="London",
        offer={"base": 160000, "stock": 150000, "stock_years": 3, "bonus_pct": 15},
        competing_offers=[four],
        fx=[USD_TO_GBP],
    )
    table = year_table(build(runner, write_offer, read_pdf, data))
    assert "Year 4 — — £" in table
    total = table.split("Total over each offer's years ", 1)[1].split(" Average year", 1)[0]
    assert re.fullmatch(r"£702,000 over 3 years £782,120 over 3 years £[\d,]+ over 4 years", total), total
    assert "Total over 3 years" not in table and "Total over 4 years" not in table


def test_largest_remainder_keeps_the_sum():
    thirds = [D(278000) / 3] * 3
    assert largest_remainder(thirds) == (D(92667), D(92667), D(92666))
    assert largest_remainder([D("0.5")] * 3) == (D(1), D(1), D(0))  # 1.5 rounds half-up to 2
    assert largest_remainder([D("10.2"), D("10.9"), D("10.4")]) == (D(10), D(11), D(11))


def test_a_converted_schedule_adds_up_and_keeps_its_parts():
    pay = Pay(D(230001), D(400001), 3, D(10), sign_on=(D(50000),))
    plan = schedule(pay).converted(lambda v: v * D("0.7913"))
    exact = schedule(pay).total * D("0.7913")
    assert plan.total == exact.quantize(D(1)) == D(956685)
    for year in plan.years:
        assert all(v == v.to_integral_value() for v in (year.base, year.bonus, year.sign_on, year.stock))
    assert Schedule((Year(1, D("10.6"), D("0.6"), D(0), D(0)),), D(11)).whole().years[0].stock == 0


KRONOR = offer_data(
    guide="fjordlane-senior-engineer",
    region="Stockholm",
    offer={"base": 700000, "stock": 600000, "bonus_pct": 8, "sign_on": 50000},
)


def test_a_swedish_brief_writes_kronor_one_way_in_each_table_and_chart(runner, write_offer, read_pdf):
    path = write_offer(KRONOR)
    out = path.parent / "brief.pdf"
    result = runner.invoke(main, [str(path), "-o", str(out), "--guides", str(TEST_GUIDES)])
    assert result.exit_code == 0, result.output
    flat = read_pdf(out).flat
    assert not re.search(r"kr\.?\d", flat)  # never "kr650K": the symbol stands after the amount
    # the market table: the ask total (1 108 000 kr) has no exact compact form, so every amount
    # of the table is in full, the Stockholm band as the offer
    assert (
        "Stockholm 650 000 kr – 820 000 kr 400 000 kr – 1 200 000 kr 5–10% 782 500 kr – 1 202 000 kr" in flat
    )
    assert "Your offer 700 000 kr · 29.4% 600 000 kr · 25.0% 8% · 60.0% 906 000 kr · 29.4%" in flat
    # the chart: a row in compact form, as Swedish readers write it; a row in full
    chart = flat.split("Market band (Stockholm) Your offer Your ask", 1)[1].split("How your numbers", 1)[0]
    assert "Base salary Stock (RSU/4yr) Bonus Total comp (avg/yr) 700 tn kr 600 tn kr 8% 906 000 kr" in chart
    assert "650 tn kr 820 tn kr 400 tn kr 1,2 mn kr 5% 10% 782 500 kr 1 202 000 kr" in chart
    assert "780 tn kr 1 mn kr 10% 1 108 000 kr" in chart  # the asks
    # the year table in full; its chart in thousands, every label alike
    assert "Year 1 956 000 kr 1 158 000 kr" in flat
    assert "956 tn kr 906 tn kr 906 tn kr 906 tn kr 1 158 tn kr 1 108 tn kr 1 108 tn kr 1 108 tn kr" in flat


def test_compact_forms_follow_the_full_form_of_their_locale():
    from make_brief.money.amounts import fmt_money, fmt_money_short, fmt_money_thousands

    assert fmt_money(D(780000), "SEK", "en_SE") == "780\xa0000\xa0kr"
    assert fmt_money_short(D(650000), "SEK", "en_SE") == "650\xa0tn\xa0kr"  # CLDR's Swedish
    assert fmt_money_short(D(262400), "SEK", "en_SE") == "262,4\xa0tn\xa0kr"
    assert fmt_money_thousands(D(1158400), "SEK", "en_SE") == "1\xa0158\xa0tn\xa0kr"
    # Polish: Polish's compact form, with English-for-Poland's own symbol, as its full form has
    assert fmt_money(D(780000), "PLN", "en_PL") == "780.000\xa0PLN"
    assert fmt_money_short(D(650000), "PLN", "en_PL") == "650\xa0tys.\xa0PLN"
    # where the English forms agree, they stay: yen, dollars, pounds
    assert fmt_money_short(D(650000), "JPY", "en_JP") == "¥650K"
    assert fmt_money_short(D(262400), "USD", "en_US") == "$262.4K"
    assert fmt_money_thousands(D(1158400), "USD", "en_US", "US$") == "US$1,158K"
    assert fmt_money_thousands(D(956499), "GBP", "en_GB") == "£956k"

"""Tables that add up: the year-by-year table's years sum exactly to the total it shows (a
3-year grant, a competing offer converted at a stated rate), "Average year" says what it is,
totals over different spans are marked with their spans, and one currency is written in one
way in a table (Swedish kronor as Swedish readers write them)."""

from __future__ import annotations

import re
from decimal import Decimal

from conftest import offer_data

from make_brief.cli import main
from make_brief.money import parse_amount
from make_brief.vesting import Pay, Schedule, Year, largest_remainder, schedule

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

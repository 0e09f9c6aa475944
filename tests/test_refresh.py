"""Refresh grants (issue 25): in the year-by-year table and chart, the total and the average
year, for the offer and for a competing offer given by its parts; the refresh question answered
by the offer file. Every figure worked out by hand in the docstrings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import offer_data

from make_brief.cli import main
from make_brief.money.vesting import Pay, Refresh, refresh_by_year, schedule

OFFER = {"currency": "USD", "base": 210000, "stock": 180000, "stock_years": 4, "bonus_pct": 15}
STRIPE = {"company": "Stripe", "base": 230000, "stock": 400000, "bonus_pct": 10}


def test_refresh_by_year():
    """$40,000 a year from year 2, each vesting 25% a year: year 2 vests a quarter of one grant
    ($10,000), year 3 of two ($20,000), year 4 of three ($30,000); the rest vests after year 4."""
    pay = Pay(Decimal(210000), Decimal(180000), 4, Decimal(15), refresh=Refresh(2, Decimal(40000)))
    assert refresh_by_year(pay) == (0, 10000, 20000, 30000)
    plan = schedule(pay)
    assert [y.total for y in plan.years] == [286500, 296500, 306500, 316500]
    assert plan.average == 286500 and plan.refreshed == 15000  # annual total comp; $60,000 ÷ 4
    # 10% of the initial grant ($18,000) from year 3, vesting 50/50: 9,000 in year 3, 18,000 in year 4
    pay = Pay(
        Decimal(210000), Decimal(180000), 4, Decimal(15), refresh=Refresh(3, None, Decimal(10), (50, 50))
    )
    assert refresh_by_year(pay) == (0, 0, 9000, 18000)


def test_the_years_table_with_refreshers_for_the_offer_and_a_competing_offer(
    runner, in_tmp, read_pdf, write_offer
):
    """Yours: $210,000 + $31,500 bonus + $45,000 stock = $286,500, then +$10,000, +$20,000,
    +$30,000 of refreshers: $286,500, $296,500, $306,500, $316,500 = $1,206,000; average
    $286,500 + $60,000 ÷ 4 = $301,500. Stripe: $230,000 + $23,000 + $100,000 = $353,000, and 10%
    of its $400,000 ($40,000) from year 2 on its even schedule: $353,000, $363,000, $373,000,
    $383,000 = $1,472,000; average $368,000."""
    data = offer_data(
        offer={**OFFER, "refresh": {"amount": 40000, "from_year": 2, "vesting": [25, 25, 25, 25]}},
        competing_offers=[{**STRIPE, "refresh": {"pct": 10, "from_year": 2}}],
    )
    result = runner.invoke(main, [str(write_offer(data)), "-o", "r.pdf"])
    assert result.exit_code == 0, result.output
    flat = read_pdf(in_tmp / "r.pdf").flat
    assert "Year 1 $286,500 $361,600 $353,000" in flat
    assert "Year 4 $316,500 $391,600 $383,000" in flat
    assert "Total over 4 years $1,206,000 $1,506,400 $1,472,000" in flat
    assert "Average year, with refreshers $301,500 $376,600 $368,000" in flat
    assert (
        "Refreshers. A new grant of $40,000 each year from year 2, each vesting 25/25/25/25 percent a year"
        " from the year it is given: $0 in year 1, $10,000 in year 2, $20,000 in year 3, $30,000 in year 4;"
        " $60,000 over the 4 years"
    ) in flat
    assert "is the initial grant's alone: $286,500." in flat
    assert "The average year without refreshers, $286,500, is the annual total comp" in flat
    assert (
        "What is the refresh-grant policy after the first year? Your offer file gives refresh grants" in flat
    )


def test_without_a_refresh_the_recruiter_is_asked(runner, in_tmp, read_pdf, write_offer):
    assert runner.invoke(main, [str(write_offer(offer_data())), "-o", "b.pdf"]).exit_code == 0
    flat = read_pdf(in_tmp / "b.pdf").flat
    assert flat.count("What is the refresh-grant policy after the first year?") == 1
    assert "Your offer file gives refresh grants" not in flat
    assert "with refreshers" not in flat and "Refreshers." not in flat


@pytest.mark.parametrize(
    ("refresh", "expected"),
    [
        ({"from_year": 2}, "offer.refresh: give its amount or its pct (of the initial grant), one of them"),
        ({"amount": 1, "pct": 5}, "offer.refresh: give its amount or its pct"),
        (
            {"amount": 40000, "from_year": 5},
            "offer.refresh.from_year: year 5 is not within the 4 vesting years",
        ),
        ({"amount": "lots"}, "offer.refresh.amount: 'lots' is not an amount"),
        ({"pct": 500}, "offer.refresh.pct: 500 is not from 1 to 200"),
        ({"amount": 40000, "vesting": [50, 40]}, "offer.refresh.vesting: the percentages sum to 90, not 100"),
        ({"amount": 40000, "every": 1}, "offer.refresh.every: unknown field"),
    ],
)
def test_a_bad_refresh_is_one_line_naming_its_field(runner, in_tmp, write_offer, refresh, expected):
    path = write_offer(offer_data(offer={**OFFER, "refresh": refresh}))
    result = runner.invoke(main, [str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_a_csv_table_takes_a_refresh(runner, in_tmp, read_pdf):
    table = in_tmp / "refresh.csv"
    table.write_text(
        "candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct,offer.refresh.amount,"
        "offer.refresh.from_year,offer.refresh.vesting.0,offer.refresh.vesting.1,offer.refresh.vesting.2,"
        "offer.refresh.vesting.3\n"
        "Rae Table,segment-engineering-manager,SF,210000,180000,15,40000,2,25,25,25,25\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, [str(table), "-o", "out"])
    assert result.exit_code == 0, result.output
    flat = read_pdf(in_tmp / "out" / "rae-table-segment-engineering-manager.pdf").flat
    assert "Total over 4 years $1,206,000" in flat

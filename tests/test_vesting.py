"""Money over time: year-by-year pay, vesting shapes, sign-on asks and cliffs, checked exactly."""

from decimal import Decimal

import pytest
from conftest import offer_data
from test_compute import make

from make_brief.advice.compute import compute
from make_brief.money.vesting import Pay, cliff_moves_to, schedule, shape, sign_on_asks, stock_by_year

D = Decimal

LONDON = Pay(D(160000), D(150000), 4, D(15), (D(5), D(15), D(40), D(40)), (D(18000), D(6000)))


def test_the_london_offer_year_by_year():
    plan = schedule(LONDON)
    assert [y.total for y in plan.years] == [209500, 212500, 244000, 244000]
    assert plan.total == 910000
    assert plan.first == 209500
    # the average year is annual total comp: base + stock ÷ years + bonus, sign-on left out
    assert plan.average == 160000 + 150000 / D(4) + 24000 == 221500


def test_even_vesting_is_the_default_and_a_single_sign_on_is_year_ones():
    plan = schedule(Pay(D(210000), D(180000), 4, D(15), (), (D(20000),)))
    assert [y.total for y in plan.years] == [306500, 286500, 286500, 286500]
    assert plan.average == 286500


def test_back_loading_becomes_a_sign_on_ask_per_leading_year():
    asks = sign_on_asks(D(203000), LONDON)
    # 203,000 × (1/4 − 5/100) = 40,600 → 41,000; 203,000 × (1/4 − 15/100) = 20,300 → 20,000
    assert [(a.year, a.shortfall, a.derived, a.value) for a in asks] == [
        (1, D(40600), D(41000), D(41000)),
        (2, D(20300), D(20000), D(20000)),
    ]


def test_a_sign_on_ask_never_falls_below_the_offered_sign_on():
    pay = Pay(D(160000), D(150000), 4, D(15), (D(5), D(15), D(40), D(40)), (D(50000), D(6000)))
    asks = sign_on_asks(D(203000), pay)
    assert [a.value for a in asks] == [50000, 20000]


@pytest.mark.parametrize(
    ("vesting", "expected"),
    [
        ((), "even"),
        ((D(25),) * 4, "even"),
        ((D(5), D(15), D(40), D(40)), "back"),
        ((D(38), D(32), D(20), D(10)), "front"),
        ((D(40), D(30), D(20), D(10)), "front"),
        ((D(25), D(15), D(35), D(25)), "uneven"),
    ],
)
def test_shapes(vesting, expected):
    assert shape(Pay(D(1), D(100), 4, D(0), vesting)) == expected


def test_three_way_percentages_that_round_to_even_are_even():
    pay = Pay(D(1), D(90000), 3, D(0), (D("33.33"), D("33.33"), D("33.34")))
    assert shape(pay) == "even" and sign_on_asks(D(90000), pay) == ()


def test_front_loaded_grants_ask_for_no_sign_on():
    assert sign_on_asks(D(100000), Pay(D(1), D(100000), 4, D(0), (D(40), D(30), D(20), D(10)))) == ()


@pytest.mark.parametrize(
    ("cliff", "year", "stock"),
    [
        (None, 1, [25000, 25000, 25000, 25000]),
        (12, 1, [25000, 25000, 25000, 25000]),
        (18, 2, [0, 50000, 25000, 25000]),
        (24, 2, [0, 50000, 25000, 25000]),
        (25, 3, [0, 0, 75000, 25000]),
    ],
)
def test_a_cliff_past_a_year_moves_the_earlier_vests(cliff, year, stock):
    assert cliff_moves_to(cliff) == year
    assert list(stock_by_year(Pay(D(1), D(100000), 4, D(0), cliff_months=cliff))) == stock


def test_the_offer_file_fields_reach_the_year_by_year_figures():
    offer = make(
        region="London",
        offer={
            "currency": "GBP",
            "base": 160000,
            "stock": 150000,
            "bonus_pct": 15,
            "vesting": [5, 15, 40, 40],
            "sign_on": [18000, 6000],
        },
    )
    assert offer.sign_on == 24000
    over = compute(offer).over_time
    assert [y.total for y in over.offer.years] == [209500, 212500, 244000, 244000]
    assert over.shape == "back"
    # the guide's London stock ask is 203,000 (test_compute): the figures
    assert [a.value for a in over.sign_on_asks] == [41000, 20000]
    # the ask row: base 178,000, bonus 18%, 203,000 over 5/15/40/40, the sign-on asks
    assert [y.sign_on for y in over.ask.years] == [41000, 20000, 0, 0]
    assert over.ask.years[0].total == 178000 + 32040 + 41000 + 10150


def test_an_offer_without_the_new_fields_keeps_its_figures():
    figures = compute(make(offer={**offer_data()["offer"], "sign_on": 20000}))
    assert figures.offer_total == 286500
    assert [y.total for y in figures.over_time.offer.years] == [306500, 286500, 286500, 286500]
    assert figures.over_time.shape == "even" and figures.over_time.sign_on_asks == ()

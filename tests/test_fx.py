"""Exchange rates: stated, checked, used directly or inverted, never chained; old ones flagged."""

from datetime import date
from decimal import Decimal

import pytest
from conftest import DATABRICKS
from test_compute import make

from make_brief.advice.compute import compute
from make_brief.errors import InputError
from make_brief.money.fx import Rate, convert, is_stale, merged, read_rates

D = Decimal

BOE = Rate("USD", "GBP", D("0.79"), date(2026, 11, 20), "Bank of England")


def test_a_rate_converts_its_way():
    converted = convert(D(410000), "USD", "GBP", [BOE])
    assert converted.value == 323900 and converted.factor == D("0.79") and not converted.inverted


def test_a_rate_converts_the_other_way_inverted():
    converted = convert(D(323900), "GBP", "USD", [BOE])
    assert converted.inverted and converted.value == D(323900) / D("0.79")
    assert round(converted.value) == 410000


def test_rates_are_not_chained_and_none_means_no_conversion():
    eur = Rate("GBP", "EUR", D("1.15"), date(2026, 11, 20))
    assert convert(D(100), "USD", "EUR", [BOE, eur]) is None
    assert convert(D(100), "USD", "GBP", []) is None
    assert convert(D(100), "GBP", "GBP", [BOE]) is None  # nothing to convert


def test_a_direct_rate_wins_over_an_inverse_and_the_latest_over_older():
    older = Rate("USD", "GBP", D("0.70"), date(2026, 1, 1))
    inverse = Rate("GBP", "USD", D("2"), date(2026, 12, 1))
    assert convert(D(100), "USD", "GBP", [older, inverse, BOE]).value == 79


def test_an_offers_own_rate_wins_over_a_shared_one_for_the_same_pair():
    shared = (
        Rate("GBP", "USD", D("1.30"), date(2026, 11, 1)),
        Rate("EUR", "GBP", D("0.86"), date(2026, 11, 1)),
    )
    rates = merged([BOE], shared)
    assert rates == (BOE, shared[1])


def test_a_rate_over_30_days_old_is_stale():
    assert not is_stale(BOE, date(2026, 12, 20))  # 30 days
    assert is_stale(BOE, date(2026, 12, 21))


def london(**changes):
    terms = {"currency": "GBP", "base": 160000, "stock": 150000, "bonus_pct": 15}
    return make(region="London", offer=terms, **changes)


FX = [{"from": "USD", "to": "GBP", "rate": 0.79, "date": "2026-11-20", "source": "Bank of England"}]


def test_a_competing_offer_by_parts_gets_its_years_converted():
    offer = london(competing_offers=[DATABRICKS], fx=FX)
    (compared,) = compute(offer).over_time.competing
    # 230,000 + 100,000 + 23,000 = 353,000 a year on average; 403,000 in year 1 with the sign-on
    assert compared.offer.total_comp == 353000
    assert compared.converted.value == D(353000) * D("0.79")
    assert compared.schedule.first == D(403000) * D("0.79")
    assert compared.total == D("278870")


def test_without_a_rate_a_competing_offer_in_another_currency_is_not_compared():
    (compared,) = compute(london(competing_offers=[DATABRICKS])).over_time.competing
    assert compared.total is None and compared.converted is None and compared.schedule is None


def test_the_rates_table(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("from,to,rate,date,source\nUSD,GBP,0.79,2026-11-20,Bank of England\n", encoding="utf-8")
    assert read_rates(path) == (BOE,)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("USD,GBP,0,2026-11-20,x", "rates.csv:2: rate: '0' is not a positive number"),
        ("USD,GBP,-1,2026-11-20,x", "rates.csv:2: rate: '-1' is not a positive number"),
        ("USD,GBP,abc,2026-11-20,x", "rates.csv:2: rate: 'abc' is not a positive number"),
        ("USD,GBP,0.79,,x", "rates.csv:2: date: a rate needs the date it was taken"),
        ("USD,GBP,0.79,20 Nov,x", "rates.csv:2: date: '20 Nov' is not a date"),
        ("USD,XX,0.79,2026-11-20,x", "rates.csv:2: to: 'XX' is not a currency code"),
    ],
)
def test_bad_rows_of_the_rates_table(tmp_path, row, expected):
    path = tmp_path / "rates.csv"
    path.write_text(f"from,to,rate,date,source\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_rates(path)
    assert expected in str(caught.value)

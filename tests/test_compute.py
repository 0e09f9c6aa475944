"""The numbers: pure functions, checked exactly."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from conftest import offer_data

from make_brief.advice.compute import annual_total, compute
from make_brief.files.loading import parse_yaml
from make_brief.offers.offer import offer_from_document


def make(**changes):
    data = offer_data(**changes)
    doc = parse_yaml(yaml.safe_dump(data, allow_unicode=True), Path("offer.yaml"), what="offer file")
    return offer_from_document(doc)


def test_annual_total_formula():
    assert annual_total(Decimal(210000), Decimal(180000), 4, Decimal(15)) == Decimal(286500)


def test_san_francisco_gives_back_the_guides_own_numbers():
    figures = compute(make(region="San Francisco"))
    asks = figures.asks
    assert asks["base"].value == 245000
    assert asks["stock"].value == 290000
    assert asks["bonus_pct"].value == 18
    assert asks["accept_stock_above"].value == 270000
    assert figures.same_region


def test_guide_positions_in_the_script_region():
    asks = compute(make()).asks
    assert f"{asks['base'].guide_position * 100:.1f}" == "93.0"
    assert f"{asks['stock'].guide_position * 100:.1f}" == "92.9"
    assert f"{asks['accept_stock_above'].guide_position * 100:.1f}" == "78.6"


@pytest.mark.parametrize(
    ("region", "base", "stock", "accept"),
    [
        # 198K + 40/43 × 44K = 238,930 → 239K; 152K + 13/14 × 136K = 278,286 → 278K;
        # 152K + 11/14 × 136K = 258,857 → 259K
        ("New York", 239000, 278000, 259000),
        # 148K + 40/43 × 32K = 177,767 → 178K; 112K + 13/14 × 98K = 203,000; 112K + 11/14 × 98K = 189,000
        ("London", 178000, 203000, 189000),
    ],
)
def test_asks_sit_at_the_same_position_in_the_candidates_band(region, base, stock, accept):
    currency = "GBP" if region == "London" else "USD"
    offer = make(
        region=region, offer={"currency": currency, "base": 150000, "stock": 120000, "bonus_pct": 15}
    )
    asks = compute(offer).asks
    assert (asks["base"].value, asks["stock"].value, asks["accept_stock_above"].value) == (
        base,
        stock,
        accept,
    )
    assert asks["bonus_pct"].value == 18


def test_an_ask_never_falls_below_the_offer():
    offer = make(offer={"base": 250000, "stock": 300000, "bonus_pct": 20})
    asks = compute(offer).asks
    assert asks["base"].value == 250000 and asks["base"].offer_meets
    assert asks["stock"].value == 300000 and asks["stock"].offer_meets
    assert asks["bonus_pct"].value == 20 and asks["bonus_pct"].offer_meets
    assert asks["base"].derived == 245000  # the derivation is kept for the note


def test_positions_say_below_within_above():
    figures = compute(make(offer={"base": 190000, "stock": 320000, "bonus_pct": 17}))
    assert figures.base.where == "below"
    assert figures.stock.where == "above"
    assert figures.bonus.where == "within"
    assert figures.bonus.fraction == Decimal("0.4")


def test_total_comp_position():
    figures = compute(make())
    assert figures.offer_total == 286500
    assert figures.total.where == "below"  # SF band starts at 290K


def test_stock_over_other_vesting_years_is_compared_on_the_same_basis():
    offer = make(offer={"base": 210000, "stock": 150000, "stock_years": 3, "bonus_pct": 15})
    figures = compute(offer)
    # the 4-year band 160K–300K becomes 120K–225K over 3 years
    assert (figures.stock.low, figures.stock.high) == (120000, 225000)
    assert figures.asks["stock"].value == round(Decimal(290000) * 3 / 4 / 1000) * 1000
    assert figures.offer_total == Decimal(210000) + Decimal(50000) + Decimal(31500)


ALL_FACTS = ("leads_ai_team", "enterprise_experience", "recruiting_network")


def test_strongest_lever_is_one_that_is_yours_and_the_competing_offer_only_when_higher():
    unknown = compute(make())  # nothing confirmed: no lever is the candidate's to lead with
    assert (unknown.strongest_lever, unknown.strongest_reason) == (None, "confirm_first")
    leads = {"name": "Jane Doe", "facts": {"leads_ai_team": True}}
    confirmed = compute(make(candidate=leads))
    assert (confirmed.strongest_lever.title, confirmed.strongest_reason) == (
        "AI Team Leadership",
        "first_yours",
    )
    higher = compute(make(competing_offers=[{"company": "Databricks", "total_comp": 415000}]))
    assert (higher.strongest_lever.title, higher.strongest_reason) == (
        "Big Tech EM Counter",
        "higher_competing",
    )
    lower = compute(make(candidate=leads, competing_offers=[{"company": "Acme", "total_comp": 200000}]))
    assert lower.strongest_lever.title == "AI Team Leadership"
    assert lower.standing == ("not_above",) and lower.leverage == () and lower.best_competing is None
    nothing = compute(make(candidate={"name": "J", "facts": dict.fromkeys(ALL_FACTS, False)}))
    assert (nothing.strongest_lever, nothing.strongest_reason) == (None, "none")

from decimal import Decimal

import pytest

from make_brief.errors import AmountError
from make_brief.money.amounts import fmt_money, fmt_money_short, parse_amount, round_to


@pytest.mark.parametrize(
    ("written", "currency", "amount"),
    [
        (210000, "USD", 210000),
        ("210K", "USD", 210000),
        ("180k", "USD", 180000),
        ("$210,000", "USD", 210000),
        ("USD 210,000", "USD", 210000),
        ("1.2M", "USD", 1200000),
        ("£148K", "GBP", 148000),
        ("₹45L", "INR", 4500000),
        ("Rs 45 lakh", "INR", 4500000),
        ("₹45,00,000", "INR", 4500000),
        ("CHF 245'000", "CHF", 245000),
        ("¥12,000,000", "JPY", 12000000),
        (210000.5, "USD", Decimal("210000.5")),
    ],
)
def test_parse_amount(written, currency, amount):
    assert parse_amount(written, currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("written", "currency", "message"),
    [
        ("£210K", "USD", r"written in £ \(GBP\), but the amount is in USD"),
        ("210 apples", "USD", "unknown suffix"),
        ("lots", "USD", "is not an amount"),
        ("-5000", "USD", "cannot be negative"),
        (-5000, "USD", "cannot be negative"),
        (float("nan"), "USD", "finite"),
        (float("inf"), "USD", "finite"),
        (True, "USD", "expected an amount"),
        ("210K-250K", "USD", "is not an amount"),
    ],
)
def test_parse_amount_refuses(written, currency, message):
    with pytest.raises(AmountError, match=message):
        parse_amount(written, currency)


def test_formatting_per_currency():
    assert fmt_money(Decimal(245000), "USD", "en_US") == "$245,000"
    assert fmt_money(Decimal(148000), "GBP", "en_GB") == "£148,000"
    assert fmt_money(Decimal(4500000), "INR", "en_IN") == "₹45,00,000"
    assert fmt_money_short(Decimal(245000), "USD", "en_US") == "$245K"
    assert fmt_money_short(Decimal(4500000), "INR", "en_IN") == "₹45L"
    # compact only when exact: never hide digits of a figure
    assert fmt_money_short(Decimal(286500), "USD", "en_US") == "$286.5K"
    assert fmt_money_short(Decimal(245123), "USD", "en_US") == "$245,123"


def test_round_to_nearest_thousand_half_up():
    assert round_to(Decimal("238930.23"), 1000) == 239000
    assert round_to(Decimal("238500"), 1000) == 239000
    assert round_to(Decimal("238499.99"), 1000) == 238000


@pytest.mark.parametrize(
    ("written", "currency"),
    [
        ("C$210K", "CAD"),
        ("CA$210K", "CAD"),
        ("CAD 210K", "CAD"),
        ("$210K", "CAD"),  # a bare dollar is the offer's own dollar
        ("A$210K", "AUD"),
        ("US$210K", "USD"),
        ("€210K", "EUR"),
        ("£210K", "GBP"),
        ("¥210K", "JPY"),
        ("₹210K", "INR"),
        ("CHF 210K", "CHF"),
    ],
)
def test_the_common_currency_marks_are_read(written, currency):
    assert parse_amount(written, currency) == 210000


@pytest.mark.parametrize(
    ("written", "currency", "message"),
    [
        ("US$205K", "CAD", r"written in US\$ \(USD\), but the amount is in CAD"),
        ("C$205K", "USD", r"written in C\$ \(CAD\), but the amount is in USD"),
        ("A$205K", "NZD", r"written in A\$ \(AUD\), but the amount is in NZD"),
    ],
)
def test_a_contradicting_mark_names_both_currencies(written, currency, message):
    with pytest.raises(AmountError, match=message):
        parse_amount(written, currency)


def test_currencies_sharing_a_sign_get_distinct_marks():
    from make_brief.money.amounts import distinct_marks

    marks = distinct_marks([("CAD", "en_CA"), ("USD", "en_US")])
    assert marks == {"CAD": "CA$", "USD": "US$"}
    assert fmt_money_short(Decimal(210000), "CAD", "en_CA", marks["CAD"]) == "CA$210K"
    assert fmt_money(Decimal(205000), "USD", "en_US", marks["USD"]) == "US$205,000"
    # one currency alone keeps its local mark; different signs need nothing
    assert distinct_marks([("USD", "en_US")]) == {}
    assert distinct_marks([("USD", "en_US"), ("GBP", "en_GB")]) == {}


def test_one_table_of_marks_says_what_each_mark_may_stand_for():
    """places.MARKS is the one table: parsing accepts a mark for each currency it lists, and a
    mark on its own means the first (a bare "$" is USD unless the offer's currency says)."""
    from make_brief.money.amounts import currency_for_mark, symbol_matches
    from make_brief.money.places import MARKS

    for mark, codes in MARKS.items():
        assert currency_for_mark(mark) == codes[0], mark
        for code in codes:
            assert symbol_matches(mark, code), (mark, code)
    assert parse_amount("NZ$150K", "NZD") == 150_000
    with pytest.raises(AmountError, match=r"written in NZ\$ \(NZD\), but the amount is in AUD"):
        parse_amount("NZ$150K", "AUD")
    assert parse_amount("$150K", "HKD") == 150_000 and parse_amount("SFr 150K", "CHF") == 150_000

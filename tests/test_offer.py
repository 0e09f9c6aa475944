"""Offer files: every kind of bad input gets one clear error naming the file and the field."""

from __future__ import annotations

import pytest
from conftest import offer_data

from make_brief.errors import InputError
from make_brief.offers.offer import load_offer


def error_of(path) -> str:
    with pytest.raises(InputError) as info:
        load_offer(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def test_the_example_loads(write_offer):
    offer = load_offer(write_offer(offer_data()))
    assert offer.name == "Jane Doe"
    assert offer.region.name == "San Francisco"
    assert offer.base == 210000 and offer.currency == "USD"


@pytest.mark.parametrize(
    ("written", "region"),
    [("sf", "San Francisco"), ("NYC", "New York"), ("new york", "New York"), ("LONDON", "London")],
)
def test_regions_are_case_insensitive_with_short_forms(write_offer, written, region):
    currency = "GBP" if region == "London" else "USD"
    data = offer_data(
        region=written, offer={"currency": currency, "base": 150000, "stock": 100000, "bonus_pct": 15}
    )
    assert load_offer(write_offer(data)).region.name == region


def test_amount_strings_and_default_currency(write_offer):
    data = offer_data(offer={"base": "$210,000", "stock": "180K", "bonus_pct": 15, "sign_on": "20k"})
    offer = load_offer(write_offer(data))
    assert (offer.base, offer.stock, offer.sign_on, offer.currency) == (210000, 180000, 20000, "USD")


def test_missing_file(tmp_path):
    assert "no such offer file" in error_of(tmp_path / "nope.yaml")


def test_invalid_yaml_names_the_line(write_offer):
    path = write_offer("candidate:\n  name: Jane\nguide: [unclosed\n")
    message = error_of(path)
    assert "invalid YAML" in message and f"{path}:" in message


def test_unknown_field_suggests_the_right_one(write_offer):
    data = offer_data()
    data["offer"]["bas"] = data["offer"].pop("base")
    message = error_of(write_offer(data))
    assert "offer.bas: unknown field" in message and "did you mean 'base'?" in message


def test_missing_field(write_offer):
    data = offer_data()
    del data["offer"]["stock"]
    assert "offer.stock: missing required field" in error_of(write_offer(data))


def test_unknown_guide_lists_the_known_ones(write_offer):
    message = error_of(write_offer(offer_data(guide="acme-ceo")))
    assert "guide: unknown guide 'acme-ceo'" in message and "segment-engineering-manager" in message


def test_unknown_region_lists_the_valid_ones(write_offer):
    message = error_of(write_offer(offer_data(region="Paris")))
    assert "region: unknown region 'Paris'" in message
    assert "San Francisco, New York, London" in message


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("lots", "is not an amount"),
        (-5, "cannot be negative"),
        (0, "must be more than zero"),
        (1e308, "is over 1,000,000,000,000: not a plausible amount"),
        (5_000_000, "over 20 times the top of the guide's band"),
        ("£210K", "written in £ (GBP), but the amount is in USD"),
        (True, "Expected"),
    ],
)
def test_bad_amounts(write_offer, base, expected):
    data = offer_data()
    data["offer"]["base"] = base
    message = error_of(write_offer(data))
    assert "offer.base" in message and expected in message


def test_absurd_bonus(write_offer):
    data = offer_data()
    data["offer"]["bonus_pct"] = 1500
    assert "offer.bonus_pct: 1500% is not a plausible bonus" in error_of(write_offer(data))


def test_currency_mismatch(write_offer):
    data = offer_data()
    data["offer"]["currency"] = "GBP"
    message = error_of(write_offer(data))
    assert "offer.currency: GBP does not match San Francisco, whose bands are in USD" in message


def test_missing_appendix(write_offer):
    message = error_of(write_offer(offer_data(appendices=["letter.pdf"])))
    assert "appendices.0: no such file" in message and "relative to the offer file" in message


def test_duplicate_keys_are_an_error(write_offer):
    text = "candidate:\n  name: A\n  name: B\nguide: x\n"
    message = error_of(write_offer(text))
    assert ":3:" in message and "duplicate key 'name'" in message


def test_aliases_are_refused(write_offer):
    text = "a: &x [1, 2]\nb: *x\n"
    assert "anchors and aliases are not allowed" in error_of(write_offer(text))


def test_python_tags_are_refused(write_offer):
    text = "candidate: !!python/object/apply:os.system ['echo hi']\n"
    assert "invalid YAML" in error_of(write_offer(text))


def test_yaml_11_no_stays_text(write_offer):
    # `no` is the string "no" here (Norway), not False
    message = error_of(write_offer(offer_data(region="no")))
    assert "unknown region 'no'" in message


def test_a_boolean_where_text_belongs_gets_a_hint(write_offer):
    text = (
        "candidate:\n  name: true\nguide: segment-engineering-manager\nregion: SF\n"
        "offer:\n  base: 1\n  stock: 1\n  bonus_pct: 1\n"
    )
    message = error_of(write_offer(text))
    assert ":2: candidate.name: Expected str, got bool" in message and "quote the value" in message


def test_empty_and_non_mapping_files(write_offer):
    assert "the offer file is empty" in error_of(write_offer("", "empty.yaml"))
    assert "must be a mapping of fields, not a list" in error_of(write_offer("- a\n- b\n", "list.yaml"))


def test_binary_and_huge_files(tmp_path):
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x00\x01\x02PK")
    assert "binary file" in error_of(binary)
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"a: " + b"x" * 300_000)
    assert "over the 256,000-byte limit" in error_of(huge)


def test_control_characters_in_names(write_offer):
    data = offer_data(candidate={"name": "Jane\r\nBcc: evil@example.com"})
    assert "candidate.name: contains control characters" in error_of(write_offer(data))


def test_an_offer_file_may_be_named_by_a_string(tmp_path, write_offer):
    """load_offer takes a path as programs often hold one, a str: it failed on the offer's
    appendix folder ('str' object has no attribute 'parent')."""
    from make_brief.offers.offer import load_offer

    path = write_offer(offer_data())
    assert load_offer(str(path)) == load_offer(path)

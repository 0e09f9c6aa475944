"""Hostile offer files: YAML tricks and traps, and numbers that are not amounts. Each is made
literally (a) or refused with one line naming the file, the line and the field (b)."""

from __future__ import annotations

import os

import pytest
from hostile import build, dump, made, offer, refused, terms

from make_brief.files import loading

BASE = dump(offer())  # base on line 8, stock 9, stock_years 10, bonus_pct 11


def alias_bomb(levels: int = 12) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"  # 9**12 strings if it were ever expanded


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


REFUSED = {
    "alias bomb": (alias_bomb(), "o.yaml:1: anchors and aliases are not allowed"),
    "alias": (
        BASE.replace("Jane Doe", "&n Jane") + "x: *n\n",
        "o.yaml:2: anchors and aliases are not allowed",
    ),
    "merge key": (BASE + "x: &x {a: 1}\ny:\n  <<: *x\n", "o.yaml:12: anchors and aliases are not allowed"),
    "python object": (
        BASE.replace("Jane Doe", "!!python/object/apply:os.system ['touch pwned']"),
        "o.yaml:2: invalid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    "python name": (
        BASE.replace("Jane Doe", "!!python/name:os.system"),
        "o.yaml:2: invalid YAML: could not determine a constructor",
    ),
    "duplicate top-level key": (
        BASE + "region: London\n",
        "o.yaml:12: region: duplicate key 'region' (first on line 5)",
    ),
    "duplicate nested key": (
        BASE.replace("  name: Jane Doe\n", "  name: Jane Doe\n  name: Joe Bloggs\n"),
        "o.yaml:3: candidate.name: duplicate key 'name' (first on line 2); keep one",
    ),
    "complex key": (BASE + "? [a, b]\n: c\n", "o.yaml:12: keys must be plain text"),
    "octal amount": (
        BASE.replace("base: 210000", "base: 0o12"),
        "o.yaml:8: offer.base: '0o12' is not an amount",
    ),
    "hex amount": (
        BASE.replace("base: 210000", "base: 0x10"),
        "o.yaml:8: offer.base: '0x10' is not an amount",
    ),
    "sexagesimal amount": (
        BASE.replace("base: 210000", "base: 1:20"),
        "o.yaml:8: offer.base: '1:20' is not an amount",
    ),
    "underscored percentage": (
        BASE.replace("bonus_pct: 15", "bonus_pct: 1_5"),
        "o.yaml:11: offer.bonus_pct: Expected int | float, got str",
    ),
    "date amount": (
        BASE.replace("base: 210000", "base: 2024-01-01"),
        "o.yaml:8: offer.base: '2024-01-01' is not an amount",
    ),
    "timestamp tag": (
        BASE.replace("Jane Doe", "!!timestamp 2024-01-01"),
        "o.yaml:2: candidate.name: Expected str, got date",
    ),
    "binary tag": (
        BASE.replace("Jane Doe", "!!binary aGVsbG8="),
        "o.yaml:2: candidate.name: Expected str, got bytes",
    ),
    "boolean name": (BASE.replace("Jane Doe", "true"), "o.yaml:2: candidate.name: Expected str, got bool"),
    "null name": (BASE.replace("Jane Doe", "~"), "o.yaml:2: candidate.name: Expected str, got null"),
    "nan name": (
        BASE.replace("Jane Doe", ".nan"),
        "o.yaml:2: candidate.name: Expected str, got float (quote the value if it is text)",
    ),
    "inf name": (
        BASE.replace("Jane Doe", ".inf"),
        "o.yaml:2: candidate.name: Expected str, got float (quote",
    ),
    "nan": (BASE.replace("base: 210000", "base: .nan"), "o.yaml:8: offer.base: expected a finite amount"),
    "inf": (BASE.replace("base: 210000", "base: .inf"), "o.yaml:8: offer.base: expected a finite amount"),
    "minus inf": (
        BASE.replace("stock: 180000", "stock: -.inf"),
        "o.yaml:9: offer.stock: expected a finite amount",
    ),
    "nan percentage": (
        BASE.replace("bonus_pct: 15", "bonus_pct: .NaN"),
        "o.yaml:11: offer.bonus_pct: must be a finite percentage",
    ),
    "inf years": (
        BASE.replace("stock_years: 4", "stock_years: .inf"),
        "o.yaml:10: offer.stock_years: Expected int, got float",
    ),
    "huge integer": (
        BASE.replace("base: 210000", "base: " + "9" * 5000),
        "o.yaml:8: offer.base: a number of 5,000 digits; write at most 30",
    ),
    "empty": ("", "o.yaml: the offer file is empty"),
    "blank": ("\n   \n\n", "o.yaml: the offer file is empty"),
    "comments only": ("# nothing here\n", "o.yaml: the offer file is empty"),
    "a list": ("- a\n- b\n", "o.yaml:1: the offer file must be a mapping of fields, not a list"),
    "a scalar": ("Jane Doe\n", "o.yaml:1: the offer file must be a mapping of fields, not a single value"),
    "two documents": (BASE + "---\n" + BASE, "o.yaml:12: invalid YAML: but found another document"),
    "tabs": (
        "candidate:\n\tname: x\n",
        "o.yaml:2: invalid YAML: found character that cannot start any token",
    ),
    "unclosed": ("candidate: [\n", "o.yaml:2: invalid YAML"),
    "escape in a key": ('"\\e[2J\\e[31m": 1\n' + BASE, "o.yaml:1: \\x1b[2J\\x1b[31m: unknown field"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_yaml_tricks_are_refused_with_one_line(here, case):
    text, expected = REFUSED[case]
    (here / "o.yaml").write_text(text, encoding="utf-8")
    line = refused(build(["o.yaml", "-o", "out.pdf"]), expected, folder=here)
    assert "\x1b" not in line  # nothing from the file can drive the terminal
    assert not (here / "pwned").exists()


@pytest.mark.parametrize("depth", [41, 999, 1001, 100_000])
def test_deep_nesting_is_refused_without_recursion(here, depth):
    text = BASE + "x: " + "[" * depth + "]" * depth + "\n"
    (here / "o.yaml").write_text(text)
    line = refused(build(["o.yaml", "-o", "out.pdf"]), "o.yaml:12: ", folder=here)
    assert "nested too deeply" in line or "exceeded maximum nesting depth" in line


def test_deep_block_mappings_are_refused(here):
    text = BASE + "".join("  " * i + "k:\n" for i in range(60)) + "  " * 60 + "k: 1\n"
    (here / "o.yaml").write_text(text)
    refused(build(["o.yaml", "-o", "out.pdf"]), "o.yaml:51: the offer file is nested too deeply", folder=here)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (bytes(range(256)) * 4, "o.yaml: the offer file is a binary file, not YAML text"),
        ("candidate:\n  name: Zoë\n".encode("latin-1"), "o.yaml: the offer file is not UTF-8 text (byte 21)"),
        (BASE.encode("utf-16"), "o.yaml: the offer file is a binary file, not YAML text"),
    ],
    ids=["binary", "latin-1", "utf-16"],
)
def test_files_that_are_not_utf8_text_are_refused(here, content, expected):
    (here / "o.yaml").write_bytes(content)
    refused(build(["o.yaml", "-o", "out.pdf"]), expected, folder=here)


def test_an_oversized_file_is_refused_before_it_is_parsed(here, monkeypatch):
    def never(*_args, **_kwargs):
        raise AssertionError("parsed a file over the size limit")

    monkeypatch.setattr(loading, "parse_yaml", never)
    (here / "o.yaml").write_text(BASE + "# " + "x" * 300_000 + "\n")
    refused(
        build(["o.yaml", "-o", "out.pdf"]),
        "o.yaml: the offer file is 300,",
        "bytes, over the 256,000-byte limit (is this really an offer file?)",
        folder=here,
    )


@pytest.mark.parametrize("special", ["folder", "/dev/zero", "/dev/null", "fifo"])
def test_an_offer_that_is_not_a_regular_file_is_refused_without_reading(here, special):
    if special == "folder":
        (here / "folder").mkdir()
    elif special == "fifo":
        os.mkfifo(here / "fifo")  # opening it to read would wait for a writer forever
    if special == "folder":  # a folder is a batch of the offer files in it: none here
        result = build([special, "-o", "out"])
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            "error: folder: no offer files (.yaml, .yml, .csv) in this folder",
            "1 of 1 briefs failed; 0 made (listed in out/manifest.csv)",
        ]
        return
    refused(
        build([special, "-o", "out.pdf"]), f"{special}: the offer file is not a regular file", folder=here
    )


def test_a_missing_offer_and_a_broken_symlink(here):
    refused(build(["nope.yaml", "-o", "out.pdf"]), "nope.yaml: no such offer file (check the path)")
    (here / "link.yaml").symlink_to(here / "gone.yaml")
    refused(build(["link.yaml", "-o", "out.pdf"]), "link.yaml: no such offer file", folder=here)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (BASE.replace("Jane Doe", "no"), "Candidate no Region"),
        (BASE.replace("Jane Doe", "off"), "Candidate off Region"),
        (BASE.replace("Jane Doe", "0o12"), "Candidate 0o12 Region"),
        (BASE.replace("Jane Doe", "1_000"), "Candidate 1_000 Region"),
        (BASE.replace("Jane Doe", "2024-01-01"), "Candidate 2024-01-01 Region"),
        (BASE.replace("Jane Doe", "'.nan'"), "Candidate .nan Region"),
        (BASE.replace("Jane Doe", "'123'"), "Candidate 123 Region"),
        (BASE.replace("base: 210000", "base: 210_000"), "$210,000 base"),
        (BASE.replace("base: 210000", "base: 0210000"), "$210,000 base"),
        ("\ufeff" + BASE, "Candidate Jane Doe Region"),
    ],
    ids=["no", "off", "0o12", "1_000", "date", "'.nan'", "quoted", "210_000", "leading 0", "BOM"],
)
def test_yaml_11_traps_are_read_as_written(here, text, shown):
    (here / "o.yaml").write_text(text, encoding="utf-8")
    assert shown in made(build(["o.yaml", "-o", "out.pdf"]), here / "out.pdf").flat


# --- numbers -----------------------------------------------------------------------------------

NUMBERS = {
    "zero base": (terms(base=0), "o.yaml:8: offer.base: must be more than zero"),
    "negative base": (terms(base=-210000), "o.yaml:8: offer.base: an amount cannot be negative"),
    "negative text": (terms(base="-210K"), "o.yaml:8: offer.base: an amount cannot be negative"),
    "negative stock": (terms(stock=-1), "o.yaml:9: offer.stock: an amount cannot be negative"),
    "1e308": (terms(base=1e308), "o.yaml:8: offer.base: is over 1,000,000,000,000: not a plausible amount"),
    "1e309": (terms(base=1e309), "o.yaml:8: offer.base: expected a finite amount"),
    "long digits": (terms(base="9" * 5000), "o.yaml:8: offer.base: is over 1,000,000,000,000"),
    "tiny": (terms(base=1e-300), "o.yaml:8: offer.base: 1e-300 USD is less than one whole unit"),
    "210 for 210K": (
        terms(base=210),
        "o.yaml:8: offer.base: 210 USD is under a twentieth of the bottom of the guide's band "
        '(write the whole yearly amount, such as 210000 or "210K")',
    ),
    "half a dollar of stock": (
        terms(stock=0.5),
        "o.yaml:9: offer.stock: 0.5 USD is less than one whole unit",
    ),
    "bonus 1500%": (
        terms(bonus_pct=1500),
        "o.yaml:11: offer.bonus_pct: 1500% is not a plausible bonus; write a percentage from 0 to 200",
    ),
    "negative bonus": (terms(bonus_pct=-5), "o.yaml:11: offer.bonus_pct: -5% is not a plausible bonus"),
    "bonus as text": (terms(bonus_pct="15%"), "o.yaml:11: offer.bonus_pct: Expected int | float, got str"),
    "stock in the billions": (
        terms(stock=5_000_000_000),
        "o.yaml:9: offer.stock: 5,000,000,000 USD is over 20 times the top of the guide's band",
    ),
    "stock in billions as text": (
        terms(stock="5000M"),
        "o.yaml:9: offer.stock: 5,000,000,000 USD is over 20 times",
    ),
    "billions with B": (terms(stock="$5B"), "o.yaml:9: offer.stock: '$5B': unknown suffix 'B'; use K or M"),
    "euro sign for dollars": (
        terms(base="€210,000"),
        "o.yaml:8: offer.base: '€210,000' is written in € (EUR), but the amount is in USD",
    ),
    "pound sign for dollars": (
        terms(base="£210K"),
        "o.yaml:8: offer.base: '£210K' is written in £ (GBP), but",
    ),
    "currency code mismatch": (
        terms(currency="EUR"),
        "o.yaml:7: offer.currency: EUR does not match San Francisco, whose bands are in USD",
    ),
    "zero years": (terms(stock_years=0), "o.yaml:10: offer.stock_years: vesting must be 1 to 10 years"),
    "zero competing offer": (
        offer(competing_offers=[{"company": "Acme", "total_comp": 0}]),
        "o.yaml:14: competing_offers.0.total_comp: must be more than zero",
    ),
    "unknown currency": (
        offer(competing_offers=[{"company": "Acme", "total_comp": 1, "currency": "XYZ"}]),
        "o.yaml:15: competing_offers.0.currency: 'XYZ' is not a currency code such as USD or EUR",
    ),
    "a non-Latin currency": (
        offer(competing_offers=[{"company": "Acme", "total_comp": 1, "currency": "ÄÖÜ"}]),
        "o.yaml:15: competing_offers.0.currency: 'ÄÖÜ' is not a currency code",
    ),
}


@pytest.mark.parametrize("case", NUMBERS, ids=list(NUMBERS))
def test_numbers_that_are_not_plausible_amounts_are_refused(here, case):
    data, expected = NUMBERS[case]
    (here / "o.yaml").write_text(dump(data))
    line = refused(build(["o.yaml", "-o", "out.pdf"]), expected, folder=here)
    assert len(line) < 300


def test_edge_amounts_that_are_plausible_are_made(here):
    data = terms(stock=0, bonus_pct=0, sign_on="$0")
    data["competing_offers"] = [
        {"company": "Acme", "total_comp": "€250K", "currency": "eur"},
        {"company": "Big", "total_comp": 395000 * 20},
    ]
    (here / "o.yaml").write_text(dump(data))
    pdf = made(build(["o.yaml", "-o", "out.pdf"]), here / "out.pdf")
    assert "$210,000 base, $0 stock, 0% bonus." in pdf.flat
    # a competing offer in another currency is listed, not compared; a higher one is leverage
    assert "Acme, €250,000: not compared: no exchange rate given" in pdf.flat
    assert "Big, $7,900,000: above this offer" in pdf.flat
    assert "I have an offer from Big at $7,900,000 in total comp." in pdf.flat
    (here / "o.yaml").write_text(dump(terms(stock=300000 * 20)))  # exactly 20 times the band's top
    assert "$6,000,000 stock" in made(build(["o.yaml", "-o", "top.pdf"]), here / "top.pdf").flat

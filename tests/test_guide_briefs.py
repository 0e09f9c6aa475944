"""Briefs made from each bundled guide, read back with pypdf; the Segment guide's own appendix."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import ROOT

from make_brief.advice.compute import compute
from make_brief.money.amounts import fmt_money
from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import make_pdf

GUIDE_APPENDIX = "How to read this brief and where the numbers come from"


@pytest.fixture
def brief(write_offer, read_pdf):
    def make(guide: str, region: str, offer: dict, **extra):
        data = {
            "candidate": {"name": "Ana Example"},
            "guide": guide,
            "region": region,
            "offer": offer,
            **extra,
        }
        loaded = load_offer(write_offer(data))
        made = make_pdf(loaded)
        pdf = read_pdf(made.pdf)
        pdf.warnings, pdf.offer = made.warnings, loaded
        return pdf

    return make


# Personalised asks, worked out by hand from the guides' bands (see the comments), in each
# region's own currency and way of writing money.
CASES = [
    pytest.param(
        "kestrel-mobility-senior-data-scientist",
        "Amsterdam",
        {"base": "€108K", "stock": 80000, "bonus_pct": 10},
        # Berlin: base €116K is 84% of €95K–€120K; stock €110K is 83.3% of €60K–€120K; accept
        # €100K is 66.7%. Amsterdam: 100 + .84 × 28 = 123.52; 64 + .8333 × 64 = 117.33; 64 + 42.67.
        "I'd like €117,000 in Kestrel RSUs over 4 years with a €124,000 base and a 14% bonus target.",
        "the stock grant is above €107,000",
        ["€100K–€128K", "€138,800 a year in total comp"],
        id="EUR",
    ),
    pytest.param(
        "lumen-payments-staff-software-engineer",
        "Hyderabad",
        {"base": "₹50L", "stock": "₹45L", "bonus_pct": 10, "sign_on": "₹5L"},
        # Bengaluru: base ₹62L is 14/17 of ₹48L–₹65L; stock ₹72L is 80% of ₹40L–₹80L; accept ₹64L
        # is 60%. Hyderabad: 44 + 16 × 14/17 = 57.18L; 36 + .8 × 36 = 64.8L; 36 + .6 × 36 = 57.6L.
        "I'd like ₹64,80,000 in Lumen RSUs over 4 years with a ₹57,18,000 base and a 14% bonus target.",
        "the stock grant is above ₹57,60,000",
        ["₹44L–₹60L", "₹66,25,000 a year in total comp", "Your sign-on of ₹5,00,000 is first-year cash"],
        id="INR",
    ),
    pytest.param(
        "alpenglow-robotics-principal-product-manager",
        "Tokyo",
        {"base": "¥18M", "stock": "¥12M", "bonus_pct": 15},
        # Zurich: base CHF 235K is 90% of CHF 190K–240K; stock CHF 220K is 83.3% of CHF 120K–240K;
        # accept CHF 200K is 66.7%. Tokyo: 16M + .9 × 6M; 10M + .8333 × 10M; 10M + .6667 × 10M.
        "I'd like ¥18,333,000 in Hoshi Industries RSUs over 4 years with a ¥21,400,000 base and a 17%"
        " bonus target.",
        "the stock grant is above ¥16,667,000",
        ["¥16M–¥22M", "¥23,700,000 a year in total comp"],
        id="JPY",
    ),
    pytest.param(
        "alpenglow-robotics-principal-product-manager",
        "Geneva",
        {"base": "CHF 200K", "stock": "CHF 150'000", "bonus_pct": 12},
        # Geneva: 180 + .9 × 48 = 223.2; 112 + .8333 × 112 = 205.33; 112 + .6667 × 112 = 186.67.
        "I'd like CHF 205'000 in Hoshi Industries RSUs over 4 years with a CHF 223'000 base and a 17%"
        " bonus target.",
        "the stock grant is above CHF 187'000",
        ["CHF180K–CHF228K", "CHF 261'500 a year in total comp"],
        id="CHF",
    ),
]


@pytest.mark.parametrize(("guide", "region", "offer", "script", "accept", "shown"), CASES)
def test_brief_in_each_currency(brief, guide, region, offer, script, accept, shown):
    pdf = brief(guide, region, offer)
    assert pdf.warnings == ()  # the font draws every character
    flat = pdf.flat
    assert script in flat
    assert accept in flat
    for text in shown:
        assert text in flat
    assert "Illustrative example data" in flat  # the guide says it is invented, and the brief shows it
    assert [title for title, _ in pdf.outline][-1] == "Evidence & sources"  # no guide appendix here
    # the claim the guide's script makes is never said for a candidate without competing offers
    assert "Northwind" not in flat.split("Your script", 1)[1].split("Accept if", 1)[0]


@pytest.mark.parametrize(
    ("guide", "region", "offer", "script"),
    [
        (
            "lumen-payments-staff-software-engineer",
            "Bangalore",
            {"base": "₹50L", "stock": "₹45L", "bonus_pct": 10},
            "I'd like ₹72,00,000 in Lumen RSUs over 4 years with a ₹62,00,000 base and a 14% bonus target.",
        ),
        (
            "alpenglow-robotics-principal-product-manager",
            "Zürich",
            {"base": "CHF 200K", "stock": "CHF 150K", "bonus_pct": 12},
            "I'd like CHF 220'000 in Hoshi Industries RSUs over 4 years with a CHF 235'000 base",
        ),
    ],
)
def test_in_the_script_region_the_guides_own_numbers_come_back(brief, guide, region, offer, script):
    pdf = brief(guide, region, offer)
    assert script in pdf.flat
    assert "You are in that region, so the guide's figure stands" in pdf.flat


def test_competing_offer_replaces_the_guides_claim(brief):
    pdf = brief(
        "lumen-payments-staff-software-engineer",
        "Pune",
        {"base": "₹45L", "stock": "₹40L", "bonus_pct": 10},
        competing_offers=[{"company": "Acme Pay", "total_comp": "₹80L"}],
    )
    flat = pdf.flat
    assert "I have an offer from Acme Pay at ₹80,00,000 in total comp." in flat
    # 45L + 40L ÷ 4 + 10% of 45L = 59.5L, below Acme Pay's 80L: the competing lever leads
    assert (
        "Lead with Competing Offer Counter: Acme Pay's offer of ₹80,00,000 is above this offer's ₹59,50,000"
        in flat
    )
    script = flat.split("Your script", 1)[1].split("Accept if", 1)[0]
    assert "Northwind" not in script and "Acme Pay" in script


def test_the_segment_guides_appendix_follows_with_its_outline_entry(brief):
    pdf = brief("segment-engineering-manager", "New York", {"base": 210000, "stock": 180000, "bonus_pct": 15})
    assert pdf.outline[-1] == (GUIDE_APPENDIX, len(pdf.pages) - 1)
    assert f"Appended after this brief: {GUIDE_APPENDIX}." in " ".join(pdf.pages[-2].split())
    appendix = " ".join(pdf.pages[-1].split())
    assert appendix.startswith(GUIDE_APPENDIX)
    # its worked example is the base ask this very brief derives for New York
    ask = compute(pdf.offer).asks["base"].derived
    assert fmt_money(ask, "USD", "en_US") == "$239,000"
    assert "the same point is $238,930, which the brief rounds to the nearest thousand: $239,000" in appendix
    assert "I'd like $278,000 in Twilio RSUs over 4 years with a $239,000 base" in pdf.flat


def test_the_appendix_is_one_page_made_by_its_script(read_pdf, tmp_path, capsys, monkeypatch):
    path = ROOT / "data" / "guides" / "how-to-read-this-brief.pdf"
    pdf = read_pdf(path)
    assert len(pdf.pages) == 1
    assert pdf.metadata["/Title"] == GUIDE_APPENDIX
    assert "93.0% of the way through San Francisco's $205K–$248K band" in pdf.flat
    # the committed PDF is what data/guides/make_appendix.py makes from the guide today
    spec = importlib.util.spec_from_file_location(
        "make_appendix", ROOT / "data" / "guides" / "make_appendix.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")  # reportlab would date the file by it
    module.OUT = tmp_path / "again.pdf"
    module.main()
    assert capsys.readouterr().out == f"{module.OUT}\n"
    assert module.OUT.read_bytes() == path.read_bytes()

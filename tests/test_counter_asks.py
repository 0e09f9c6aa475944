"""The counter e-mail carries every ask the brief's script makes, with the same figures and the
same currency marks; cliffs and deadlines drive them (issue 28).

Both are read back as a user gets them: the brief with pypdf, the e-mail with the standard
library's ``email`` package; the asks are then read out of each text. SOURCE_DATE_EPOCH is
1795000000 (18 November 2026) in every test.
"""

from __future__ import annotations

import email
import re
import tempfile
from email import policy
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, Pdf, offer_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from make_brief.advice.compute import compute
from make_brief.compose import counter
from make_brief.files.clock import today
from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import make_pdf

TEST_GUIDES = Path(__file__).parent / "fixtures" / "guides"
RECRUITER = {"name": "Sam", "email": "sam.lee@segment.example"}
BACK = [5, 15, 40, 40]


def london(**terms) -> dict:
    """Jane's London offer: £160,000 base, £150,000 stock over 4 years, 15% bonus. The asks
    there are £178,000, £203,000 and 18%."""
    data = offer_data(region="London")
    data["offer"] = {"base": 160000, "stock": 150000, "bonus_pct": 15, "recruiter": dict(RECRUITER), **terms}
    return data


def toronto(**changes) -> dict:
    """Chloé's Toronto offer in Canadian dollars, with a competing offer in US dollars."""
    data = {
        "candidate": {"name": "Chloé Maple", "email": "chloe@example.com"},
        "guide": "northbeam-staff-engineer",
        "region": "Toronto",
        "offer": {"base": "C$190K", "stock": "CA$140,000", "bonus_pct": 12, "recruiter": dict(RECRUITER)},
        "competing_offers": [{"company": "Cascade", "currency": "USD", "total_comp": 250000}],
    }
    data.update(changes)
    return data


class Made:
    """One offer's brief and counter e-mail, read back."""

    def __init__(self, path: Path) -> None:
        self.offer = offer = load_offer(path, (TEST_GUIDES,))
        brief = make_pdf(offer)
        self.pdf = Pdf(brief.pdf)
        eml, problem = counter.draft_counter(offer, None, today())
        assert eml is not None, problem
        assert b"\n" not in eml.replace(b"\r\n", b"")  # CRLF, as on the wire
        self.msg = email.message_from_bytes(eml.replace(b"\r\n", b"\n"), policy=policy.default)
        self.body: str = self.msg.get_content()

    @property
    def script(self) -> str:
        """The brief's "Your script" section, up to its "Accept if" row."""
        return self.pdf.flat.split("Your script ", 1)[1].split("Accept if", 1)[0]

    @property
    def before_call(self) -> str:
        return self.pdf.flat.split("Before the call ", 1)[1].split("The market The guide's bands", 1)[0]


def make(data: dict) -> Made:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "offer.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return Made(path)


# --- the asks, read out of each text -------------------------------------------------------------

AMOUNT = r"(?:[A-Z]{0,2}\$|£|€)[\d,]+"
LINE = re.compile(r"^- (Base salary|Stock|Bonus target): (\S+)", re.M)
SIGN_ON_LINE = re.compile(r"^- Sign-on in year (\d+): (\S+) \(", re.M)
CLAWBACK_LINE = re.compile(r"^- Sign-on repayment: pro rata .*?within (\d+) months", re.M)
PARTS = {"Base salary": "base", "Stock": "stock", "Bonus target": "bonus_pct"}


def email_asks(body: str) -> dict:
    asks: dict = {PARTS[name]: value for name, value in LINE.findall(body)}
    asks.update({("sign_on", int(year)): value for year, value in SIGN_ON_LINE.findall(body)})
    for months in CLAWBACK_LINE.findall(body):
        asks["clawback"] = months
    return asks


def brief_asks(made: Made) -> dict:
    """The asks of the brief's script: base, stock and bonus read by the guide's own ask
    sentence (its placeholders made capture groups), then the sign-on and clawback sentences."""
    script = made.script
    asks: dict = {}
    if "Your offer already meets or beats every number" not in script:
        for part in compute(made.offer).claims.script:
            if part.kind != "ask":
                continue
            pattern = re.escape(" ".join(part.text.split()))
            for name in ("base", "stock", "bonus_pct", "stock_years"):
                pattern = pattern.replace(re.escape("{" + name + "}"), rf"(?P<{name}>\S+?)", 1)
            found = re.search(pattern, script)
            assert found, (part.text, script)
            asks.update({k: v for k, v in found.groupdict().items() if k != "stock_years"})
    sign_on = re.search(r"I'd like a sign-on of (.*?) to even that out", script)
    if sign_on:
        asks.update({("sign_on", int(y)): v for v, y in re.findall(rf"({AMOUNT}) in year (\d+)", sign_on[1])})
    for months in re.findall(r"if I leave within (\d+) months, I'd ask to repay", script):
        asks["clawback"] = months
    return asks


def offered(made: Made) -> dict:
    """The brief's "Your offer now" row: base, stock, bonus."""
    found = re.search(r"Your offer now (\S+) base, (\S+) stock, (\S+) bonus", made.pdf.flat)
    assert found, made.pdf.flat
    return dict(zip(("base", "stock", "bonus_pct"), found.groups(), strict=True))


def assert_same_asks(made: Made) -> dict:
    """The e-mail asks for exactly what the brief's script asks for, with the same figures; a
    script figure the e-mail leaves out is one the offer already has."""
    mail, brief = email_asks(made.body), brief_asks(made)
    have = offered(made)
    for part in ("base", "stock", "bonus_pct"):
        if part in mail:
            assert mail[part] == brief.get(part), (part, made.body, made.script)
        elif part in brief:
            assert brief[part] == have[part], (part, made.body, made.script)
    others = {k: v for k, v in brief.items() if k not in have}
    assert {k: v for k, v in mail.items() if k not in have} == others, (made.body, made.script)
    return mail


# --- each bundled example -------------------------------------------------------------------------


def test_the_bundled_example_asks_for_what_its_script_asks():
    made = Made(EXAMPLES / "offer.yaml")
    assert assert_same_asks(made) == {"base": "$239,000", "stock": "$278,000", "bonus_pct": "18%"}


def test_a_back_loaded_grant_s_sign_on_asks_and_clawback_are_in_the_e_mail():
    data = london(vesting=BACK, sign_on=[18000, 6000], clawback={"months": 12, "terms": "full"})
    made = make(data)
    assert assert_same_asks(made) == {
        "base": "£178,000",
        "stock": "£203,000",
        "bonus_pct": "18%",
        ("sign_on", 1): "£41,000",  # 203,000 × (25% − 5%) = 40,600
        ("sign_on", 2): "£20,000",  # 203,000 × (25% − 15%) = 20,300
        "clawback": "12",
    }
    assert (
        "- Sign-on in year 1: £41,000 (the offer has £18,000; 5% of the grant vests that year,"
        " against an even 25%)\n"
        "- Sign-on in year 2: £20,000 (the offer has £6,000; 15% of the grant vests that year,"
        " against an even 25%)\n"
        "- Sign-on repayment: pro rata for the months not worked, if I leave within 12 months"
        " (the offer has repayment in full)\n" in made.body
    )


def test_a_sign_on_the_offer_already_pays_is_not_asked_again():
    data = london(vesting=BACK, sign_on=[50000, 6000], clawback={"months": 12, "terms": "pro_rata"})
    made = make(data)
    assert assert_same_asks(made) == {
        "base": "£178,000",
        "stock": "£203,000",
        "bonus_pct": "18%",
        ("sign_on", 2): "£20,000",
    }
    assert "I'd like a sign-on of £20,000 in year 2 to even that out." in made.script
    assert "Your offered £50,000 for that year is already above it: keep it (no ask)." in made.pdf.flat


def test_an_offer_meeting_the_numbers_still_asks_for_the_sign_on_its_script_asks():
    data = london(base=180000, stock=210000, bonus_pct=18, vesting=BACK)
    made = make(data)
    # 210,000 × (25% − 5%) = 42,000; × (25% − 15%) = 21,000
    assert assert_same_asks(made) == {("sign_on", 1): "£42,000", ("sign_on", 2): "£21,000"}
    assert made.msg["Subject"] == "Engineering Manager offer: my counter-proposal"
    assert (
        "The offer already meets what I was looking for on base, stock and bonus. What I'd still ask for:\n\n"
        "- Sign-on in year 1: £42,000 (the offer has none that year;" in made.body
    )


@pytest.mark.parametrize(
    ("vesting", "cliff", "expected", "said"),
    [
        # even: nothing in year 1 (24 months), 50% in year 2: 203,000 × 25% = 50,750
        (None, 24, {1: "£51,000"}, "Nothing vests before the 24-month cliff, so year 1 pays"),
        # 5/15/40/40 after a 24-month cliff vests 0/20/40/40: 50,750 and 203,000 × 5% = 10,150
        (
            BACK,
            24,
            {1: "£51,000", 2: "£10,000"},
            "Nothing vests before the 24-month cliff and the grant vests",
        ),
        # a 30-month cliff empties years 1 and 2: 50,750 each
        (None, 30, {1: "£51,000", 2: "£51,000"}, "so years 1 and 2 pay well below the average"),
        # a cliff within year 1 moves nothing: no sign-on ask for an even grant
        (None, 12, {}, None),
    ],
)
def test_a_cliff_drives_the_sign_on_asks_and_is_named(vesting, cliff, expected, said):
    data = london(cliff_months=cliff, **({"vesting": vesting} if vesting else {}))
    made = make(data)
    mail = assert_same_asks(made)
    assert {k[1]: v for k, v in mail.items() if isinstance(k, tuple)} == expected
    if said:
        assert said in made.script
        assert f"with the {cliff}-month cliff, none of the grant vests that year" in made.body
    else:
        assert "Sign-on" not in made.body and "sign-on of" not in made.script


def test_the_year_table_and_the_sign_on_ask_agree_under_a_cliff():
    made = make(london(cliff_months=24))
    # the ask's year 1: £178,000 base + 18% bonus (£32,040) + the £51,000 sign-on + no stock
    assert "Year 1 £184,000 £261,040 Year 2 £259,000 £311,540" in made.pdf.flat
    assert (
        "Year 1: £203,000 × (25% – 0%) = £50,750, rounded to the nearest thousand: £51,000." in made.pdf.flat
    )


def test_questions_the_offer_file_answers_are_shown_answered_not_asked():
    made = make(london(cliff_months=24, vesting=BACK, clawback={"months": 12, "terms": "full"}))
    asked, _, answered = made.before_call.partition("Answered by your offer file, so not asked again:")
    assert "is there a cliff" not in asked and "clawback terms" not in asked
    assert "What is the refresh-grant policy after the first year?" in asked
    assert (
        "What is the vesting schedule, and is there a cliff? It vests 5/15/40/40 percent a year;"
        " a 24-month cliff." in answered
    )
    assert "clawback terms if I leave early? It is repaid in full if you leave within 12 months." in answered
    plain = make(london())
    assert "What is the vesting schedule, and is there a cliff?" in plain.before_call
    assert "Answered by your offer file" not in plain.before_call


# --- the deadline ---------------------------------------------------------------------------------


def test_a_passed_deadline_asks_first_whether_the_offer_still_stands():
    data = london(deadline="2026-11-10")
    made = make(data)
    assert_same_asks(made)
    assert made.msg["Subject"] == "Engineering Manager offer: does it still stand?"
    still, _, rest = made.body.partition("Here is what I'm asking for")
    assert (
        "The offer was open until 10 November 2026, which has passed. Before anything else, could"
        " you tell me whether the offer still stands? If it does, this is what I'd like to discuss." in still
    )
    assert "- Base salary: £178,000" in rest
    assert "settle it before then" not in made.body and "move the deadline" not in made.body
    assert "ask the recruiter whether the offer still stands" in made.before_call


@pytest.mark.parametrize(("deadline", "days"), [("2026-11-18", 0), ("2026-11-19", 1), ("2026-11-25", 7)])
def test_a_near_deadline_asks_for_the_extension_the_brief_recommends(deadline, days):
    made = make(london(deadline=deadline))
    assert "could we move the deadline back by a few business days?" in made.body
    assert "settle it before then" not in made.body
    assert "Could we move the deadline back by a few business days?" in made.before_call


def test_a_deadline_further_off_is_settled_before_it():
    made = make(london(deadline="2026-11-26"))  # 8 days
    assert (
        "I know the offer is open until 26 November 2026, and I'd like us to settle it before then."
        in made.body
    )
    assert "move the deadline" not in made.body and "move the deadline" not in made.before_call


# --- currency marks -------------------------------------------------------------------------------

BARE_DOLLAR = re.compile(r"(?<![A-Z])\$")


def test_every_amount_in_a_canadian_e_mail_carries_its_mark():
    data = toronto(fx=[{"from": "CAD", "to": "USD", "rate": 0.72, "date": "2026-11-10"}])
    made = make(data)
    assert assert_same_asks(made) == {"base": "CA$225,000", "stock": "CA$234,000", "bonus_pct": "15%"}
    assert "the range is CA$190,000–CA$235,000" in made.body
    assert "the range is CA$120,000–CA$260,000" in made.body
    assert "I have an offer from Cascade at US$250,000 in total comp." in made.body
    assert BARE_DOLLAR.findall(made.body) == [], made.body


def test_a_canadian_back_loaded_grant_s_sign_on_asks_carry_the_mark():
    made = make(toronto(offer={**toronto()["offer"], "vesting": BACK, "sign_on": "CA$10,000"}))
    asks = email_asks(made.body)
    # 234,000 × (25% − 5%) = 46,800; × (25% − 15%) = 23,400
    assert asks[("sign_on", 1)] == "CA$47,000" and asks[("sign_on", 2)] == "CA$23,000"
    assert "(the offer has CA$10,000;" in made.body and "(the offer has none that year;" in made.body
    assert BARE_DOLLAR.findall(made.body) == []


# --- over generated offers ------------------------------------------------------------------------

REGIONS = {
    "segment-engineering-manager": ["San Francisco", "New York", "London"],
    "northbeam-staff-engineer": ["Toronto", "Seattle"],
}


@st.composite
def offers(draw: st.DrawFn) -> dict:
    guide = draw(st.sampled_from(sorted(REGIONS)))
    terms: dict = {
        "base": draw(st.integers(100, 300)) * 1000,
        "stock": draw(st.integers(50, 400)) * 1000,
        "bonus_pct": draw(st.integers(0, 25)),
        "recruiter": dict(RECRUITER),
    }
    vesting = draw(st.sampled_from([None, BACK, [10, 20, 30, 40], [40, 30, 20, 10], [25, 25, 25, 25]]))
    if vesting:
        terms["vesting"] = vesting
    cliff = draw(st.sampled_from([None, 0, 12, 18, 24, 36]))
    if cliff is not None:
        terms["cliff_months"] = cliff
    sign_on = draw(st.sampled_from([None, 20000, [30000, 10000], [60000, 40000]]))
    if sign_on:
        terms["sign_on"] = sign_on
    clawback = draw(st.sampled_from([None, "full", "pro_rata"]))
    if clawback:
        terms["clawback"] = {"months": 12, "terms": clawback}
    days = draw(st.sampled_from([None, -3, 0, 5, 7, 8, 30]))
    if days is not None:
        terms["deadline"] = f"2026-{11 + (18 + days - 1) // 30:02d}-{(18 + days - 1) % 30 + 1:02d}"
    data = offer_data(guide=guide, region=draw(st.sampled_from(REGIONS[guide])), offer=terms)
    data["offer"].pop("currency", None)
    if draw(st.booleans()):
        data["competing_offers"] = [{"company": "Cascade", "currency": "USD", "total_comp": 500000}]
    return data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(offers())
def test_the_e_mail_s_asks_are_the_brief_s(data):
    made = make(data)
    assert_same_asks(made)
    if "CA$" in made.pdf.flat:  # the brief tells its dollars apart: so does the e-mail
        assert BARE_DOLLAR.findall(made.body) == [], made.body

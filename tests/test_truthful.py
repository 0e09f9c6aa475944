"""Truthful advice: the brief says in the candidate's voice only what the candidate confirmed.

Each rule of the README's "What the brief claims" section, checked on the brief as read back.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml
from conftest import offer_data

from make_brief.advice.compute import compute
from make_brief.cli import main
from make_brief.guides.facts import first_person, read_claims, sentences
from make_brief.guides.importer import import_guide
from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import make_pdf

LEADS = "I'm leading the AI engineering team for Segment — the most strategic initiative within Twilio's"
LEADS_QUESTION = "Do you lead, or will you lead, the team building Segment's AI features?"
ENTERPRISE_QUOTE = "I can navigate the dynamics of leading a growth-stage product team"
ALL_YES = {"leads_ai_team": True, "enterprise_experience": True, "recruiting_network": True}


@pytest.fixture
def brief(write_offer, read_pdf):
    def make(facts=None, **changes):
        data = offer_data(**changes)
        if facts is not None:
            data["candidate"]["facts"] = facts
        path = write_offer(data)
        return read_pdf(make_pdf(load_offer(path)).pdf), compute(load_offer(path))

    return make


def between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def script_of(flat: str) -> str:
    """What the script box says: the candidate's words."""
    section = re.split(
        r"Your script (?=Say it in your own voice|Your offer already meets or beats every)", flat
    )[1]
    return between(section, "“", "”")


def only_if_true_box(flat: str) -> str:
    box = "Only if true Say it only if the answer is yes"
    return between(flat, box, "The guide's own script") if box in flat else ""


def lever_note(flat: str, title: str) -> str:
    """The text of one lever in the Levers section, up to the next lever or the script."""
    levers = between(flat, "Levers The arguments the guide gives", "Your script")
    return levers.split(title, 1)[1].split("### ", 1)[0][:600]


# --- verdicts -------------------------------------------------------------------------------


def test_nothing_confirmed_no_lever_is_yours_and_nothing_says_applies_to_you(brief):
    pdf, figures = brief()
    assert [v.kind for v in figures.verdicts] == ["only_if_true", "not_yours", "only_if_true", "only_if_true"]
    assert "Applies to you" not in pdf.flat and "Yours to use" not in pdf.flat
    assert "1. AI Team Leadership “I'm leading the team" in pdf.flat
    assert f"Only if true: {LEADS_QUESTION} Use it only if the answer is yes" in pdf.flat
    assert "Not yours. It rests on a competing offer, and your offer file lists none" in pdf.flat
    # Lead with names no lever: it says what to confirm first
    assert f"Lead with no lever is yours to use yet. Confirm first: {LEADS_QUESTION}" in pdf.flat
    assert "lead with this" not in pdf.flat


def test_each_verdict_worded_exactly(brief):
    pdf, figures = brief(facts={"leads_ai_team": True, "enterprise_experience": False})
    kinds = [v.kind for v in figures.verdicts]
    assert kinds == ["yours", "not_yours", "not_yours", "only_if_true"]
    assert (
        "1. AI Team Leadership · lead with this “I'm leading the team building Segment's AI-powered CDP"
        in pdf.flat
    )
    assert f"Yours to use. You answered yes to “{LEADS_QUESTION}”." in pdf.flat
    assert "Not yours. You answered no to “Have you led a growth-stage product team" in pdf.flat
    assert "Only if true: Do you have a network and a record of recruiting strong engineers" in pdf.flat
    assert "Lead with AI Team Leadership: the guide's first lever that is yours to use" in pdf.flat
    # the refuted lever's words are only quoted as the guide's, never in a quote box as the candidate's
    note = lever_note(pdf.flat, "3. Twilio Integration Navigation")
    assert f"The guide's wording, for reference only: “{ENTERPRISE_QUOTE}" in note


SEGMENT = Path(__file__).parent.parent / "data" / "guides" / "segment-engineering-manager.yaml"


@pytest.fixture
def own_guide(tmp_path, monkeypatch):
    """own_guide(edit): the Segment guide, changed by `edit`, as guide "g" (no appendix)."""

    def write(edit) -> None:
        guide = yaml.safe_load(SEGMENT.read_text(encoding="utf-8"))
        del guide["appendices"]
        edit(guide)
        (tmp_path / "guides").mkdir(exist_ok=True)
        (tmp_path / "guides" / "g.yaml").write_text(
            yaml.safe_dump(guide, allow_unicode=True), encoding="utf-8"
        )
        monkeypatch.setenv("MAKE_BRIEF_GUIDES", str(tmp_path / "guides"))

    return write


def test_a_lever_resting_on_nothing_is_yours(own_guide, write_offer, read_pdf):
    own_guide(
        lambda g: g["levers"].append(
            {"title": "Market Timing", "rests_on": [], "quote": "The market for EMs is tight."}
        )
    )
    pdf = read_pdf(make_pdf(load_offer(write_offer(offer_data(guide="g")))).pdf)
    assert (
        "5. Market Timing · lead with this “The market for EMs is tight.” Yours to use. It rests on no fact"
        in pdf.flat
    )


# --- the script -----------------------------------------------------------------------------


def test_unconfirmed_sentence_moves_to_the_only_if_true_box(brief):
    pdf, _ = brief()
    assert LEADS not in script_of(pdf.flat)
    box = only_if_true_box(pdf.flat)
    assert f"“{LEADS} product portfolio.” {LEADS_QUESTION}" in box
    # the box comes after the accept line
    assert pdf.flat.index("Accept if the stock grant is above") < pdf.flat.index("Only if true Say it only")


def test_confirmed_sentence_is_in_the_script(brief):
    pdf, _ = brief(facts={"leads_ai_team": "yes"})
    assert script_of(pdf.flat) == (
        "I'd like $290,000 in Twilio RSUs over 4 years with a $245,000 base and 18% bonus target. "
        f"{LEADS} product portfolio. Segment's RSU package must make this leadership role compelling."
    )
    assert only_if_true_box(pdf.flat) == ""


def test_a_refuted_fact_is_nowhere_in_the_candidates_words(brief):
    pdf, _ = brief(facts={"leads_ai_team": False})
    candidate_words = [
        script_of(pdf.flat),
        only_if_true_box(pdf.flat),
        between(pdf.flat, "Before the call", "The market"),
        between(pdf.flat, "At a glance", "Before the call"),
    ]
    for words in candidate_words:
        assert "I'm leading" not in words
    # the lever resting on it is not yours, and its quote is only the guide's, marked as such
    assert "Not yours. You answered no to “Do you lead" in pdf.flat
    assert (
        "1 of the guide's sentences rests on something you answered no to; it is not in your script."
        in pdf.flat
    )
    # only the guide's own script, marked as the guide's, still quotes it
    rest = pdf.flat.split(
        "The guide's own script, as written for San Francisco (the guide's words, not yours):"
    )
    assert len(rest) == 2 and "I'm leading the AI engineering team" in rest[1]
    assert pdf.flat.count("I'm leading the AI engineering team") == 1


# --- competing offers -----------------------------------------------------------------------


def test_a_lower_competing_offer_is_listed_not_claimed(brief):
    pdf, figures = brief(facts=ALL_YES, competing_offers=[{"company": "Acme", "total_comp": 250000}])
    assert figures.standing == ("not_above",) and figures.competing_state == "not_above"
    assert (
        "Competing offers Acme, $250,000: not above this offer's $286,500: no leverage, so the brief"
        " does not claim it" in pdf.flat
    )
    assert "Acme" not in script_of(pdf.flat) and "gap" not in script_of(pdf.flat)
    assert "Lead with AI Team Leadership" in pdf.flat
    assert (
        "Not yours. It rests on a competing offer above this one, and none of yours is above it" in pdf.flat
    )


def test_only_higher_offers_are_named_in_the_script(brief):
    offers = [{"company": "Acme", "total_comp": 250000}, {"company": "Databricks", "total_comp": 415000}]
    pdf, figures = brief(competing_offers=offers)
    assert figures.standing == ("not_above", "above")
    assert "I have an offer from Databricks at $415,000 in total comp." in script_of(pdf.flat)
    assert "Acme" not in script_of(pdf.flat)
    assert (
        "Lead with Big Tech EM Counter: Databricks's offer of $415,000 is above this offer's $286,500"
        in pdf.flat
    )


def test_an_equal_offer_is_no_leverage(brief):
    _, figures = brief(competing_offers=[{"company": "Twin", "total_comp": 286500}])
    assert figures.standing == ("not_above",) and figures.leverage == ()


def test_an_offer_in_another_currency_is_not_compared(brief):
    pdf, figures = brief(competing_offers=[{"company": "Wise", "total_comp": "£400K", "currency": "GBP"}])
    assert figures.standing == ("not_compared",)
    assert "Wise, £400,000: not compared: no exchange rate given, so the brief does not claim it" in pdf.flat
    assert "Wise" not in script_of(pdf.flat)
    assert "yours are in another currency with no exchange rate given, so they were not compared" in pdf.flat


# --- an offer at or above every ask ---------------------------------------------------------


def test_above_the_band_the_script_turns_to_what_is_still_open(brief):
    pdf, figures = brief(offer={"base": 260000, "stock": 320000, "bonus_pct": 20}, facts=ALL_YES)
    assert figures.all_met
    assert (
        "Asks Your offer already meets or beats the guide's points on base ($260,000), stock ($320,000) and"
        " bonus (20%): this guide gives no higher number to ask for." in pdf.flat
    )
    script = script_of(pdf.flat)
    assert script == (
        "Thank you for the offer. Before I decide, I'd like to talk about what is still open: a sign-on"
        " bonus; the level, and the band that comes with it; the refresh-grant policy after the first"
        " year; the start date."
    )
    assert "$260,000" not in script and "I'd like $" not in pdf.flat.split("The guide's own script")[0]
    assert "What is still open is general negotiating practice, not this guide's data" in pdf.flat


def test_above_the_band_open_asks_come_from_the_guide_when_it_has_them(own_guide, write_offer, read_pdf):
    own_guide(lambda g: g.update(open_asks=["a Twilio refresh grant in year two", "an AI-team title"]))
    data = offer_data(guide="g", offer={"base": 260000, "stock": 320000, "bonus_pct": 20})
    pdf = read_pdf(make_pdf(load_offer(write_offer(data))).pdf)
    assert "what is still open: a Twilio refresh grant in year two; an AI-team title.”" in pdf.flat
    assert "What is still open comes from the guide." in pdf.flat


# --- the offer file -------------------------------------------------------------------------


def test_unknown_fact_id_is_one_line(runner, in_tmp, write_offer):
    data = offer_data()
    data["candidate"]["facts"] = {"leads_ai_tem": True}
    path = write_offer(data)
    result = runner.invoke(main, [str(path), "-o", "brief.pdf"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {path}:5: candidate.facts.leads_ai_tem: unknown fact for the guide"
        " 'segment-engineering-manager' (did you mean 'leads_ai_team'?)\n"
    )
    assert not (in_tmp / "brief.pdf").exists()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("maybe", "'maybe' is not an answer (write true or false, or yes or no; leave it blank if unsure)"),
        (3, "'3' is not an answer"),
    ],
)
def test_a_fact_answer_that_is_not_yes_or_no_is_refused(runner, in_tmp, write_offer, answer, message):
    data = offer_data()
    data["candidate"]["facts"] = {"leads_ai_team": answer}
    result = runner.invoke(main, [str(write_offer(data)), "-o", "brief.pdf"])
    assert result.exit_code == 1 and message.replace("`", "") in result.stderr
    assert "candidate.facts.leads_ai_team" in result.stderr and len(result.stderr.splitlines()) == 1


def test_competing_offer_is_not_a_fact_the_candidate_answers(runner, in_tmp, write_offer):
    data = offer_data()
    data["candidate"]["facts"] = {"competing_offer": True}
    result = runner.invoke(main, [str(write_offer(data))])
    assert result.exit_code == 1
    assert "candidate.facts.competing_offer: is answered by competing_offers" in result.stderr


def test_csv_fact_columns(runner, in_tmp, read_pdf):
    header = ["candidate.name", "guide", "region", "offer.base", "offer.stock", "offer.bonus_pct"]
    facts = ["candidate.facts.leads_ai_team", "candidate.facts.enterprise_experience"]
    rows = [
        ["Ann Yes", "segment-engineering-manager", "SF", "210000", "180000", "15", "yes", "FALSE"],
        ["Bo Blank", "segment-engineering-manager", "SF", "210000", "180000", "15", "", ""],
        ["Cy True", "segment-engineering-manager", "SF", "210000", "180000", "15", "True", "no"],
    ]
    with open("c.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header + facts, *rows])
    result = runner.invoke(main, ["c.csv", "-o", "out"])
    assert result.exit_code == 0, result.output
    ann = read_pdf(in_tmp / "out" / "ann-yes-segment-engineering-manager.pdf")
    blank = read_pdf(in_tmp / "out" / "bo-blank-segment-engineering-manager.pdf")
    cy = read_pdf(in_tmp / "out" / "cy-true-segment-engineering-manager.pdf")
    assert LEADS in script_of(ann.flat) and LEADS in script_of(cy.flat)
    assert LEADS not in script_of(blank.flat) and LEADS in only_if_true_box(blank.flat)
    assert "Not yours. You answered no to “Have you led a growth-stage" in ann.flat


def test_csv_unknown_fact_column_says_which_row(runner, in_tmp):
    Path("c.csv").write_text(
        "candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct,candidate.facts.leads_ai\n"
        "Ann,segment-engineering-manager,SF,210000,180000,15,yes\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["c.csv", "-o", "out"])
    assert result.exit_code == 1
    assert (
        "error: c.csv:row 2 (Ann): candidate.facts.leads_ai: unknown fact for the guide"
        " 'segment-engineering-manager'"
        " (did you mean 'leads_ai_team'?)" in result.stderr
    )


def test_init_writes_the_guides_questions(runner, in_tmp):
    result = runner.invoke(main, ["init", "--guide", "lumen-payments-staff-software-engineer"])
    assert result.exit_code == 0, result.output
    text = Path("offer.yaml").read_text(encoding="utf-8")
    assert (
        "  facts:\n"
        "    # Will you own the settlement path end to end through the 2026 peak-volume programme?\n"
        "    owns_settlement:\n"
        "    # Have you led design reviews across several teams at once?\n"
        "    led_cross_team_reviews:\n"
    ) in text
    assert "region: Bengaluru" in text and "currency: INR" in text
    built = runner.invoke(main, ["offer.yaml"])
    assert built.exit_code == 0, built.output


# --- guides without annotations ---------------------------------------------------------------

PLAIN_GUIDE = """### Staff Engineer | Quarry Labs Global Negotiation Guide

**Negotiation DNA:** Quarry RSUs | Platform 2026

| Region | Base Salary | Stock (RSU/4yr) | Bonus | Total Comp |
|--------|-------------|-----------------|-------|------------|
| Berlin | €100K–€120K | €80K–€120K | 10–15% | €130K–€165K |

**Negotiation DNA**

Quarry Labs builds storage engines. In March 2026 it is hiring.

**Global Levers**

1. **Storage Expertise:** "I've built two storage engines that run in production today."
2. **Market Pull:** "Storage engineers are scarce in Berlin this year."

> **Negotiate Up Strategy:** "I'd like €110K in Quarry RSUs over 4 years with a €115K base and a 12% bonus target. My last engine serves a billion queries a day." Accept if above €95K RSUs.

#### Evidence & Sources
- [Quarry hiring plan 2026]
"""  # noqa: E501 (markdown lines are as long as guides write them)


def test_a_markdown_guide_without_annotations_is_safe_by_default(runner, in_tmp, read_pdf, monkeypatch):
    Path("quarry.md").write_text(PLAIN_GUIDE, encoding="utf-8")
    imported = runner.invoke(main, ["guides", "import", "quarry.md", "-o", "guides/quarry.yaml"])
    assert imported.exit_code == 0, imported.output
    assert (
        "warning: quarry.md:15: levers.0: 'Storage Expertise' makes a first-person claim and names no fact:"
        " a brief shows it only as 'only if true' until the candidate confirms"
        " candidate.facts.storage_expertise (or say what it rests on in the guide)"
    ) in imported.stderr
    assert "levers.1" not in imported.stderr  # no first-person claim: nothing to confirm
    assert (
        "script.sentences: sentence 2 ('My last engine serves a billion queries a day.')" in imported.stderr
    )
    checked = runner.invoke(main, ["guides", "check", "guides/quarry.yaml"])
    assert (
        checked.exit_code == 0
        and "levers.0: 'Storage Expertise' makes a first-person claim" in checked.stdout
    )
    monkeypatch.setenv("MAKE_BRIEF_GUIDES", "guides")
    data = offer_data(
        guide="quarry", region="Berlin", offer={"base": 105000, "stock": 90000, "bonus_pct": 10}
    )
    Path("o.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert runner.invoke(main, ["o.yaml", "-o", "b.pdf"]).exit_code == 0
    pdf = read_pdf(in_tmp / "b.pdf")
    assert (
        "Only if true: Can you say this of yourself, as it stands: “I've built two storage engines"
        in pdf.flat
    )
    assert (
        "2. Market Pull · lead with this “Storage engineers are scarce in Berlin this year.” Yours to use."
        in pdf.flat
    )
    assert "My last engine" not in script_of(pdf.flat)
    assert (
        "“My last engine serves a billion queries a day.” Can you say this of yourself"
        in only_if_true_box(pdf.flat)
    )
    # confirming the implied facts puts the words in
    data["candidate"]["facts"] = {"storage_expertise": True, "script_2": True}
    Path("o.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert runner.invoke(main, ["o.yaml", "-o", "c.pdf"]).exit_code == 0
    confirmed = read_pdf(in_tmp / "c.pdf")
    assert "My last engine serves a billion queries a day." in script_of(confirmed.flat)


def test_markdown_facts_and_rests_on_import_to_guide_data():
    text = PLAIN_GUIDE.replace(
        "**Global Levers**",
        "**Facts**\n\n- **built_engines:** Have you built storage engines that run in production?\n"
        "- **big_engine:** Does an engine you built serve a billion queries a day?\n\n**Global Levers**",
    )
    text = text.replace('production today."', 'production today." Rests on: built_engines.')
    text = text.replace('Berlin this year."', 'Berlin this year." Rests on: nothing.')
    text = text.replace(
        "Accept if above €95K RSUs.",
        'Accept if above €95K RSUs.\n>\n> **Rests on big_engine:** "My last engine"',
    )
    imported = import_guide(text, file="q.md")
    data = imported.data
    assert data["facts"] == [
        {"id": "built_engines", "question": "Have you built storage engines that run in production?"},
        {"id": "big_engine", "question": "Does an engine you built serve a billion queries a day?"},
    ]
    assert [lever.get("rests_on") for lever in data["levers"]] == [["built_engines"], []]
    assert data["script"]["sentences"] == [{"starts": "My last engine", "rests_on": ["big_engine"]}]
    assert data["script"]["accept_text"] == "Accept if above €95K RSUs."
    assert imported.notes == []  # every claim annotated


def test_guides_check_refuses_a_fact_that_is_not_declared(runner, in_tmp):
    guide = yaml.safe_load(SEGMENT.read_text(encoding="utf-8"))
    guide["levers"][0]["rests_on"] = ["leads_ai_teams"]
    guide["script"]["sentences"][0]["starts"] = "I lead nothing"
    Path("g.yaml").write_text(yaml.safe_dump(guide, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(main, ["guides", "check", "g.yaml"])
    assert result.exit_code == 1
    assert (
        "levers.0.rests_on: 'leads_ai_teams' is not one of the guide's facts (declare it under facts)"
        in result.stdout
    )
    assert "script.sentences.0.starts: no sentence of the script's template starts so" in result.stdout


def test_first_person_and_sentences():
    assert first_person("I'm leading") and first_person("My network") and first_person("worth it to me.")
    assert not first_person("Segment's RSU package must make this role compelling.")
    assert not first_person("Imagine the AI team")  # "I" only as a word
    assert sentences("I'd like {stock}. {competing} Segment's package must.") == [
        "I'd like {stock}.",
        "{competing}",
        "Segment's package must.",
    ]


def test_the_bundled_guides_annotate_every_claim():
    from make_brief.guides.catalogue import available, load_guide

    for guide_id, path in available().items():
        claims = read_claims(load_guide(path))
        assert claims.implied == (), guide_id
        assert claims.unannotated == (), guide_id


def test_an_offer_converted_at_a_stated_rate_is_compared(brief):
    london = {"base": "£160K", "stock": "£150K", "bonus_pct": 15}
    rate = [{"from": "USD", "to": "GBP", "rate": 0.79, "date": "2026-11-10", "source": "Bank of England"}]
    higher = [{"company": "Databricks", "total_comp": 410000, "currency": "USD"}]
    pdf, figures = brief(region="London", offer=london, competing_offers=higher, fx=rate)
    assert figures.standing == ("above",) and figures.best_competing.company == "Databricks"
    assert (
        "Databricks, US$410,000 (US$410,000 is about £323,900 at 0.79 (Bank of England, 10 Nov 2026)):"
        " above this offer, so it is leverage" in pdf.flat
    )
    assert "I have an offer from Databricks at US$410,000 in total comp." in script_of(pdf.flat)
    assert (
        "Lead with Big Tech EM Counter: Databricks's offer of US$410,000 (about £323,900) is above"
        in pdf.flat
    )
    lower = [{"company": "Acme", "total_comp": 250000, "currency": "USD"}]  # about £197,500
    pdf, figures = brief(region="London", offer=london, competing_offers=lower, fx=rate)
    assert figures.standing == ("not_above",) and "Acme" not in script_of(pdf.flat)

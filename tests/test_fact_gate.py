"""The one fact gate (gate.py): every sentence in the candidate's voice, wherever the brief puts
it (the script, a lever's whole text, an objection's answer), is said when confirmed, marked
"only if true" with its question when open, and not given when answered no. And the mojibake
check names every damaged spot at once, never passing a guessed character."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import offer_data

from make_brief.cli import main
from make_brief.errors import GuideError
from make_brief.guides.importer import import_guide
from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import make_pdf

SEGMENT = Path(__file__).parent.parent / "data" / "guides" / "segment-engineering-manager.yaml"
KEEN = "I'm keen to accept once the grant closes that gap."
CLOSING = "Segment's grant needs to close that gap for me to choose this role."
FIRST = "With the asks met, would Segment be your first choice?"


def _guide(tmp_path: Path, **changes: object) -> None:
    guide = yaml.safe_load(SEGMENT.read_text(encoding="utf-8"))
    guide.pop("appendices", None)
    guide["facts"].append({"id": "first_choice", "question": FIRST})
    lever = guide["levers"][1]  # Big Tech EM Counter: {competing} and a closing sentence
    lever["template"] = "{competing} " + CLOSING
    lever["quote"] = "I have EM offers from Google and Meta at $400K+ total comp. " + CLOSING
    lever["sentences"] = [{"starts": "Segment's grant needs", "rests_on": ["first_choice"]}]
    guide["objections"] = [
        {
            "objection": "This is our best offer",
            "answer": "Thank them for it. " + KEEN,
            "sentences": [{"starts": "I'm keen", "rests_on": ["first_choice"]}],
        }
    ]
    guide.update(changes)
    folder = tmp_path / "guides"
    folder.mkdir(exist_ok=True)
    (folder / "gated.yaml").write_text(yaml.safe_dump(guide, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def brief(tmp_path, monkeypatch, write_offer, read_pdf):
    _guide(tmp_path)
    monkeypatch.setenv("MAKE_BRIEF_GUIDES", str(tmp_path / "guides"))

    def make(first_choice: bool | None) -> str:
        facts = {} if first_choice is None else {"first_choice": first_choice}
        data = offer_data(guide="gated", competing_offers=[{"company": "Acme", "total_comp": 500000}])
        data["candidate"]["facts"] = facts
        return read_pdf(make_pdf(load_offer(write_offer(data))).pdf).flat

    return make


def _objection_cell(flat: str) -> str:
    return flat.split("“This is our best offer”", 1)[1].split("Only if true: what rests on you", 1)[0]


def _lever(flat: str) -> str:
    return flat.split("2. Big Tech EM Counter", 1)[1].split("3. Twilio Integration Navigation", 1)[0]


def test_an_objection_answer_is_given_only_to_who_confirmed_it(brief):
    no, yes, open_ = brief(False), brief(True), brief(None)
    assert "keen to accept" not in no  # nowhere in the brief: not in the table, not as a question
    assert "Thank them for it." in _objection_cell(no)
    assert "1 of the guide's sentences here rests on something you answered no to" in _objection_cell(no)
    assert "Thank them for it. " + KEEN in _objection_cell(yes) and "Only if true" not in _objection_cell(yes)
    cell = _objection_cell(open_)
    assert cell.startswith(" Thank them for it. Only if true (" + FIRST + "): “" + KEEN + "”")
    assert "Unlocks your answer to an objection: “" + KEEN + "”" in open_


def test_a_levers_closing_sentence_is_gated_like_the_script(brief):
    no, yes, open_ = brief(False), brief(True), brief(None)
    acme = "I have an offer from Acme at $500,000 in total comp."
    assert "Yours to use" in _lever(yes) and "“" + acme + " " + CLOSING + "”" in _lever(yes)
    assert CLOSING not in no  # not in the lever, nor anywhere else in the brief
    assert "Yours to use" in _lever(no) and "“" + acme + "”" in _lever(no)
    assert "1 of this lever's sentences rests on something you answered no to" in _lever(no)
    lever = _lever(open_)
    assert "“" + acme + "” Yours to use." in lever
    assert "Only if true: “" + CLOSING + "” " + FIRST + " Say it only if the answer is yes." in lever


def test_guides_check_warns_about_an_ungated_first_person_intention(runner, tmp_path):
    _guide(tmp_path)
    path = tmp_path / "guides" / "gated.yaml"
    guide = yaml.safe_load(path.read_text(encoding="utf-8"))
    del guide["levers"][1]["sentences"]
    guide["objections"][0].pop("sentences")
    path.write_text(yaml.safe_dump(guide, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(main, ["guides", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        'levers.1: sentence 2 ("Segment\'s grant needs to close that gap for me to choose th…")'
        " speaks in the first person and names no fact: a brief shows it only as 'only if true' until"
        " the candidate confirms candidate.facts.big_tech_em_counter_2"
    ) in result.stdout
    assert (
        'objections.0: sentence 2 ("I\'m keen to accept once the grant closes that gap.") speaks in the'
        " first person and names no fact: a brief shows it only as 'only if true' until the candidate"
        " confirms candidate.facts.objection_1_2"
    ) in result.stdout


def test_a_markdown_objection_and_lever_sentence_name_their_facts():
    text = (
        Path(__file__).parent.parent
        / "data"
        / "guides"
        / "sources"
        / "kestrel-mobility-senior-data-scientist.md"
    )
    source = text.read_text(encoding="utf-8").replace(
        "#### Evidence",
        '**Objections**\n\n- **"This is our best offer":** '
        + KEEN
        + " Rests on: first_choice.\n\n#### Evidence",
    )
    data = import_guide(source, script_region="Berlin").data
    assert data["objections"] == [
        {"objection": "This is our best offer", "answer": KEEN, "rests_on": ["first_choice"]}
    ]
    assert data["levers"][1]["sentences"] == [
        {"starts": "Kestrel's RSU grant needs", "rests_on": ["first_choice"]}
    ]


DAMAGED = Path(__file__).parent / "fixtures" / "segment-guide-damaged.txt"


def test_every_damaged_spot_is_named_in_one_error_and_a_guessed_dagger_is_refused(runner, tmp_path):
    lines = DAMAGED.read_text(encoding="utf-8").split("\n")
    # two closing quotes that lost their 9D byte: one at the end of a line, one before a space
    lines[26] = (
        lines[26]
        .replace('Twilio."', "Twilio.â€")
        .replace('**AI Team Leadership:** "', "**AI Team Leadership:** â€œ")
    )
    lines[28] = (
        lines[28]
        .replace('rare and valuable."', "rare and valuableâ€ .")
        .replace('**Twilio Integration Navigation:** "', "**Twilio Integration Navigation:** â€œ")
    )
    assert lines[26].endswith("Twilio.â€") and "valuableâ€ ." in lines[28]
    path = tmp_path / "g.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(GuideError) as caught:
        import_guide(path.read_text(encoding="utf-8"), file="g.md")
    assert str(caught.value) == (
        "2 runs of characters are damaged (UTF-8 read as Windows-1252) and cannot be repaired:"
        " g.md:27: 'â€'; g.md:29: 'â€ ' (write them as they should be)"
    )
    # the first repaired by hand, the second (which ftfy would turn into "†") is still refused
    lines[26] = lines[26].replace("Twilio.â€", "Twilio.”")
    path.write_text("\n".join(lines), encoding="utf-8")
    result = runner.invoke(main, ["guides", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:29: the characters 'â€ ' are damaged" in result.output
    assert "†" not in result.output

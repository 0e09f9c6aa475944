"""The call-prep pack: walk-away, deadline, rounds, questions, objections and the counter e-mail.

Briefs are read back as text; the counter e-mail is parsed back with the standard library's
``email`` package. SOURCE_DATE_EPOCH is 1795000000 (18 November 2026) in every test.
"""

from __future__ import annotations

import email
import re
from datetime import date
from decimal import Decimal
from email import policy
from pathlib import Path

import pytest
import yaml
from conftest import offer_data

from make_brief.advice import callprep
from make_brief.advice.compute import compute
from make_brief.cli import main
from make_brief.errors import GuideError
from make_brief.guides.importer import import_guide
from make_brief.offers.inputs import expand, load_item
from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import make_pdf

RECRUITER = {"name": "Sam", "email": "sam.lee@segment.example"}


def london(walk_away=None, rounds=None, facts=None, competing=None, **terms) -> dict:
    """Jane's London offer: £160,000 base, £150,000 stock over 4 years, 15% bonus: £221,500 a
    year. The asks there are £178,000, £203,000 and 18%: £260,790 a year."""
    data = offer_data(region="London")
    data["offer"] = {"base": 160000, "stock": 150000, "bonus_pct": 15, "recruiter": dict(RECRUITER), **terms}
    if walk_away is not None:
        data["candidate"]["walk_away"] = walk_away
    if facts is not None:
        data["candidate"]["facts"] = facts
    if rounds is not None:
        data["rounds"] = rounds
    if competing is not None:
        data["competing_offers"] = competing
    return data


@pytest.fixture
def brief(write_offer, read_pdf):
    """brief(data) -> the text of its "Before the call" section, whitespace made single."""

    def make(data: dict, template: str | None = None) -> str:
        flat = read_pdf(make_pdf(load_offer(write_offer(data)), template).pdf).flat
        flat = re.sub(
            r" ?(Prepared with make-brief · .*? · page \d+ of \d+|Negotiation brief · Jane Doe)", "", flat
        )
        if template == "compact":
            return flat
        return flat.split("Before the call ", 1)[1].split("The market The guide's bands", 1)[0]

    return make


# --- walk-away --------------------------------------------------------------------------------


def test_walk_away_above_the_offer_says_the_gap_and_what_it_means(brief):
    text = brief(london(walk_away=230000))
    assert (
        "£221,500 is £8,500 below your walk-away of £230,000. As it stands, this is an offer you"
        " decided to decline: the call has to move it by at least £8,500 a year in total comp." in text
    )
    assert "At every ask the offer would come to £260,790 a year, £30,790 above your walk-away." in text


def test_walk_away_below_the_offer(brief):
    text = brief(london(walk_away="£200K"))
    assert "£221,500 is £21,500 above your walk-away of £200,000. The offer already clears your floor" in text
    assert "decided to decline" not in text


def test_walk_away_equal_to_the_offer(brief):
    text = brief(london(walk_away=221500))
    assert "£221,500 is exactly your walk-away of £221,500." in text


def test_asks_below_the_walk_away_say_the_guide_does_not_meet_the_floor(brief):
    text = brief(london(walk_away=270000))
    assert (
        "Your asks are below your walk-away too. At every ask the offer would come to £260,790 a"
        " year, £9,210 below your floor: the guide's numbers do not meet your own." in text
    )


def test_without_walk_away_deadline_or_rounds_the_section_says_how_to_add_them(brief):
    text = brief(london())
    assert text.startswith("Your offer file gives no walk-away, deadline or earlier offers.")
    for heading in ("Your walk-away", "Deadline", "What moved"):
        assert heading not in text


def test_walk_away_figures_are_pure(write_offer):
    offer = load_offer(write_offer(london(walk_away=230000)))
    figures = compute(offer)
    w = callprep.walk_away(offer, figures)
    assert (w.amount, w.offer_total, w.ask_total) == (Decimal(230000), Decimal(221500), Decimal(260790))
    assert (w.offer_gap, w.ask_gap) == (Decimal(-8500), Decimal(30790))
    assert callprep.walk_away(load_offer(write_offer(london())), figures) is None


# --- deadline ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "said", "extension"),
    [
        ("2026-11-25", "7 days: the offer expires on 25 November 2026.", True),
        ("2026-12-05", "17 days: the offer expires on 5 December 2026.", False),
        ("2026-11-19", "1 day: the offer expires on 19 November 2026.", True),
        ("2026-11-18", "The offer expires today, 18 November 2026.", True),
        (
            "2026-11-15",
            "The deadline has passed: the offer expired on 15 November 2026, 3 days before this"
            " brief's date (18 November 2026). Before anything else, ask the recruiter whether the"
            " offer still stands.",
            False,
        ),
    ],
)
def test_deadline_days_left_from_the_briefs_date(brief, deadline, said, extension):
    text = brief(london(deadline=deadline))
    assert f"Deadline {said}" in text
    asks_for_time = "Could we move the deadline back by a few business days?" in text
    assert asks_for_time is extension
    assert ("a routine request" in text.split("Questions to ask")[0]) is extension


def test_days_left_is_calendar_days():
    assert callprep.days_left(date(2026, 12, 5), date(2026, 11, 28)) == 7
    assert callprep.days_left(date(2026, 11, 28), date(2026, 11, 28)) == 0
    assert callprep.days_left(date(2026, 11, 1), date(2026, 11, 28)) == -27


# --- what moved -------------------------------------------------------------------------------

ROUND_1 = {"date": "2026-11-03", "base": 150000, "stock": 100000, "bonus_pct": 15}
ROUND_2 = {"date": "2026-11-10", "base": 165000, "stock": 120000, "bonus_pct": 12, "sign_on": 0}


def test_what_moved_each_part_in_each_round_and_the_change_since_the_last(brief):
    text = brief(london(rounds=[ROUND_1, ROUND_2], sign_on=10000))
    table = text.split("What moved ", 1)[1].split("Since the offer before it", 1)[0]
    assert "Offer 1 3 November 2026 Offer 2 10 November 2026 Latest offer Change" in table
    assert "Base £150,000 £165,000 £160,000 -£5,000" in table
    assert "Stock £100,000 £120,000 £150,000 +£30,000" in table
    assert "Bonus target 15% 12% 15% +3 points" in table
    assert "Sign-on not stated £0 £10,000 +£10,000" in table  # the first offer does not say
    # totals: 150,000 + 25,000 + 22,500; 165,000 + 30,000 + 19,800; 160,000 + 37,500 + 24,000
    assert "Total comp £197,500 £214,800 £221,500 +£6,700" in table
    moved = text.split("Since the offer before it: ", 1)[1].split("What is still open", 1)[0]
    assert moved.strip() == (
        "base £165,000 to £160,000, -£5,000; stock £120,000 to £150,000, +£30,000;"
        " bonus target 12% to 15%, +3 points; sign-on £0 to £10,000, +£10,000;"
        " total comp £214,800 to £221,500, +£6,700."
    )
    still_open = text.split("Against your asks, in the latest offer: ", 1)[1].split("Questions to ask", 1)[0]
    assert still_open.strip() == (
        "• base: £160,000 offered, £178,000 asked: £18,000 still open"
        " • stock: £150,000 offered, £203,000 asked: £53,000 still open"
        " • bonus target: 15% offered, 18% asked: 3 points still open"
    )


def test_the_issues_example_stock_120000_to_150000(brief):
    text = brief(london(rounds=[{"date": "2026-11-10", "base": 160000, "stock": 120000, "bonus_pct": 15}]))
    assert "Since the offer before it: stock £120,000 to £150,000, +£30,000; total comp" in text
    assert "Sign-on" not in text.split("Questions to ask")[0]  # no offer has one: no row


def test_a_sign_on_one_offer_does_not_state_is_not_compared(brief, runner, in_tmp, write_offer):
    data = london(rounds=[ROUND_1], sign_on=10000)
    text = brief(data)
    assert "Sign-on not stated £10,000 —" in text
    moved = text.split("Since the offer before it: ", 1)[1].split("What is still open", 1)[0]
    assert "sign-on" not in moved and "stock £100,000 to £150,000, +£50,000" in moved
    assert build(runner, write_offer(data)).exit_code == 0
    body = read_eml(in_tmp / "mail").get_content()
    assert "for moving on base salary and stock since your last offer" in body


def test_nothing_moved_is_said(brief):
    text = brief(london(rounds=[{"base": 160000, "stock": 150000, "bonus_pct": 15}]))
    assert "Nothing moved: the latest offer is the same as the one before it." in text
    assert "Offer 1 Latest offer Change" in text  # a round without a date has none in its column


def test_moves_and_gaps_are_pure(write_offer):
    offer = load_offer(write_offer(london(rounds=[ROUND_1, ROUND_2])))
    terms = callprep.offers_in_order(offer)
    assert [t.total for t in terms] == [Decimal(197500), Decimal(214800), Decimal(221500)]
    assert [(m.part, m.change) for m in callprep.moves(terms[0], terms[1])] == [
        ("base", Decimal(15000)),
        ("stock", Decimal(20000)),
        ("bonus_pct", Decimal(-3)),
        ("total", Decimal(17300)),
    ]
    gaps = callprep.still_open(compute(offer))
    assert [(g.part, g.open) for g in gaps] == [
        ("base", Decimal(18000)),
        ("stock", Decimal(53000)),
        ("bonus_pct", Decimal(3)),
    ]


# --- questions and objections -----------------------------------------------------------------


def test_without_the_guides_own_the_general_ones_are_labelled(brief):
    text = brief(london(deadline="2026-12-05"))
    questions = text.split("Questions to ask the recruiter ", 1)[1].split("Objections and answers", 1)[0]
    assert questions.startswith(
        "General negotiating practice, not this guide's data: the guide has no questions of its own."
    )
    for asked in ("refresh-grant policy", "vesting schedule, and is there a cliff", "clawback", "band"):
        assert asked in questions
    objections = text.split("Objections and answers ", 1)[1].split("Only if true", 1)[0]
    assert objections.startswith("General negotiating practice, not this guide's data")
    assert "sign-on bonus (this offer is £39,290 a year short of your asks)" in objections
    assert (
        "total comp for this role in London runs £208k–£282k, and this offer is 18.2% of the way"
        in objections
    )
    assert "Ask for a few more business days beyond 5 December 2026" in objections
    # no competing offer: the answer to "what other offers" names none
    assert "Name no offer you do not have" in objections


def test_objection_about_other_offers_names_only_leverage(brief):
    above = brief(london(competing=[{"company": "Monzo", "total_comp": 235000}]))
    assert (
        "Name only what your offer file lists as above this one: “I have an offer from Monzo at £235,000"
        in above
    )
    below = brief(london(competing=[{"company": "Monzo", "total_comp": 200000}]))
    objections = below.split("Objections and answers ", 1)[1]
    assert "Monzo" not in objections and "Name no offer you do not have" in objections


def test_the_guides_own_questions_and_objections(brief):
    data = offer_data(guide="lumen-payments-staff-software-engineer", region="Bengaluru")
    data["offer"] = {"base": "₹50L", "stock": "₹45L", "bonus_pct": 10}
    text = brief(data)
    assert "General negotiating practice" not in text
    assert (
        "Questions to ask the recruiter From the guide: • Is the one-year cliff negotiable, or can part"
        " of the grant vest quarterly from the start?" in text
    )
    assert "Objections and answers From the guide: They say You answer “The band for Staff is fixed”" in text


MARKDOWN = (
    Path(__file__).parent.parent / "data" / "guides" / "sources" / "lumen-payments-staff-software-engineer.md"
)


def test_markdown_questions_and_objections_are_imported():
    data = import_guide(MARKDOWN.read_text(encoding="utf-8"), script_region="Bengaluru").data
    assert (
        data["questions"][1] == "What is the refresh-grant policy for Staff Engineers after the first year?"
    )
    assert data["objections"][1] == {
        "objection": "RSUs are set by a formula",
        "answer": "Ask which inputs the formula takes (level, location, performance rating) and whether a"
        " first-year refresh can be agreed now, in writing.",
    }


def test_an_objection_without_its_answer_is_an_error_naming_its_line():
    text = MARKDOWN.read_text(encoding="utf-8").replace(
        '- **"RSUs are set by a formula":** Ask which', "- RSUs are set by a formula. Ask which"
    )
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("- RSUs are set"))
    with pytest.raises(GuideError) as caught:
        import_guide(text, file="g.md")
    assert str(caught.value).startswith(
        f"g.md:{line}: an objection needs what the recruiter says, in bold, and the answer"
    )


# --- the counter e-mail -----------------------------------------------------------------------


def build(runner, path: Path, *args: str):
    return runner.invoke(main, [str(path), "-o", "brief.pdf", "--counter", "mail", *args])


def read_eml(folder: Path) -> email.message.EmailMessage:
    (path,) = folder.glob("*.eml")
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF, as on the wire
    return email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=policy.default)


LEADS = "I'm leading the AI engineering team for Segment"


def test_counter_eml_headers_body_and_no_attachment(runner, in_tmp, write_offer):
    data = london(walk_away=230000, rounds=[ROUND_1, ROUND_2], deadline="2026-11-25", sign_on=10000)
    data["candidate"]["facts"] = {"leads_ai_team": True}
    result = build(runner, write_offer(data))
    assert result.exit_code == 0, result.output
    eml = Path("mail/jane-doe-segment-engineering-manager-counter.eml")  # the brief's default name
    assert result.stdout.splitlines() == ["brief.pdf", str(eml)]
    msg = read_eml(in_tmp / "mail")
    assert msg["From"] == "Jane Doe <jane@example.com>"
    assert msg["To"] == "Sam <sam.lee@segment.example>"
    assert msg["Subject"] == "Engineering Manager offer: my counter-proposal"
    assert msg["X-Unsent"] == "1"
    assert msg["Date"] == "Wed, 18 Nov 2026 11:06:40 +0000"  # SOURCE_DATE_EPOCH
    assert re.fullmatch(r"<counter\.[0-9a-f]{32}@example\.com>", msg["Message-ID"])
    assert not msg.is_multipart() and msg.get_content_type() == "text/plain"
    assert list(msg.iter_attachments()) == []
    assert msg.get_content() == (
        "Hi Sam,\n\n"
        "Thank you for the offer for the Engineering Manager role at Segment, and for moving on"
        " stock, bonus target and sign-on since your last offer. I'd like us to find a package"
        " that works for both of us.\n\n"
        "Here is what I'm asking for, next to the market range for this role in London:\n\n"
        "- Base salary: £178,000 (the offer has £160,000; the range is £148,000–£180,000)\n"
        "- Stock: £203,000 over 4 years (the offer has £150,000; the range is £112,000–£210,000)\n"
        "- Bonus target: 18% (the offer has 15%; the range is 15–20%)\n\n"
        f"{LEADS} — the most strategic initiative within Twilio's product portfolio."
        " Segment's RSU package must make this leadership role compelling.\n\n"
        # 7 days from 18 November: the few days for which the brief says to ask for more time
        "I know the offer is open until 25 November 2026. I want to give it the careful answer it"
        " deserves: could we move the deadline back by a few business days? Would you also have"
        " time for a short call to talk it through?\n\n"
        "Best regards,\nJane Doe\n"
    )
    assert "230,000" not in msg.get_content()  # the walk-away is the candidate's alone


@pytest.mark.parametrize(
    ("facts", "competing", "leads", "monzo"),
    [
        (None, None, False, False),  # not answered: only if true, never in the e-mail
        ({"leads_ai_team": False}, None, False, False),  # refuted
        ({"leads_ai_team": True}, None, True, False),  # confirmed
        (None, [{"company": "Monzo", "total_comp": 200000}], False, False),  # below: no leverage
        (None, [{"company": "Monzo", "total_comp": 235000}], False, True),  # above: leverage
        (None, [{"company": "Monzo", "total_comp": 260000, "currency": "USD"}], False, False),  # not compared
    ],
)
def test_counter_says_only_what_the_candidate_can_say(
    runner, in_tmp, write_offer, facts, competing, leads, monzo
):
    result = build(runner, write_offer(london(facts=facts, competing=competing)))
    assert result.exit_code == 0, result.output
    body = read_eml(in_tmp / "mail").get_content()
    assert (LEADS in body) is leads
    assert ("I have an offer from Monzo at £235,000 in total comp." in body) is monzo
    assert ("Monzo" in body) is monzo
    assert "Google" not in body and "Databricks" not in body  # the guide's own claims, never


def test_counter_when_the_offer_meets_every_ask(runner, in_tmp, write_offer):
    result = build(runner, write_offer(london(base=180000, stock=210000, bonus_pct=18)))
    assert result.exit_code == 0, result.output
    msg = read_eml(in_tmp / "mail")
    assert msg["Subject"] == "Engineering Manager offer: a few open points"
    body = msg.get_content()
    assert "Here is what I'm asking for" not in body
    assert (
        "The offer already meets what I was looking for on base, stock and bonus. Before I decide,"
        " I'd like to talk about what is still open: a sign-on bonus; the level, and the band that"
        " comes with it; the refresh-grant policy after the first year; the start date." in body
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["offer"].pop("recruiter"), "offer.recruiter.email is"),
        (lambda d: d["offer"]["recruiter"].pop("email"), "offer.recruiter.email is"),
        (lambda d: d["candidate"].pop("email"), "candidate.email is"),
        (
            lambda d: (d["candidate"].pop("email"), d["offer"].pop("recruiter")),
            "candidate.email and offer.recruiter.email are",
        ),
    ],
)
def test_counter_without_an_address_is_one_line_and_the_brief_is_made(
    runner, in_tmp, write_offer, change, field
):
    data = london()
    change(data)
    path = write_offer(data)
    result = build(runner, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["brief.pdf"]
    assert result.stderr.splitlines() == [
        f"warning: {path}: no counter e-mail: {field} not given"
        " (add the address to the offer file; the brief was made)"
    ]
    assert (in_tmp / "brief.pdf").is_file() and not (in_tmp / "mail").exists()


def test_counter_and_brief_are_byte_identical_across_runs(runner, in_tmp, write_offer):
    path = write_offer(london(walk_away=230000, rounds=[ROUND_1], deadline="2026-11-25"))
    outputs = []
    for run in ("a", "b"):
        result = runner.invoke(main, [str(path), "-o", f"{run}/brief.pdf", "--counter", f"{run}/mail"])
        assert result.exit_code == 0, result.output
        eml = in_tmp / run / "mail" / "jane-doe-segment-engineering-manager-counter.eml"
        outputs.append(((in_tmp / run / "brief.pdf").read_bytes(), eml.read_bytes()))
    assert outputs[0] == outputs[1]


def test_counter_wording_from_an_exported_template(runner, in_tmp, write_offer):
    assert runner.invoke(main, ["templates", "export", "mine"]).exit_code == 0
    counter = in_tmp / "mine" / "email" / "counter.j2"
    counter.write_text(counter.read_text().replace("Best regards,", "Warmly,"), encoding="utf-8")
    result = build(runner, write_offer(london()), "--template", "mine")
    assert result.exit_code == 0, result.output
    assert read_eml(in_tmp / "mail").get_content().endswith("Warmly,\nJane Doe\n")
    counter.write_text("Hello {{ nothing }}\n", encoding="utf-8")
    result = build(runner, write_offer(london()), "--template", "mine")
    assert result.exit_code == 1
    assert result.stderr == "error: mine/email/counter.j2: 'nothing' is undefined\n"


def test_counter_names_follow_the_briefs_in_a_batch(runner, in_tmp, write_offer):
    write_offer(london(), "a.yaml")
    write_offer(london(), "b.yaml")  # the same candidate twice: distinct names, as the briefs
    result = runner.invoke(main, ["a.yaml", "b.yaml", "-o", "out", "--counter", "mail"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (in_tmp / "mail").iterdir()) == [
        "jane-doe-segment-engineering-manager-2-counter.eml",
        "jane-doe-segment-engineering-manager-counter.eml",
    ]


# --- CSV columns ------------------------------------------------------------------------------


def test_csv_columns_use_the_same_dotted_names(runner, in_tmp):
    header = (
        "candidate.name,candidate.email,candidate.walk_away,guide,region,offer.base,offer.stock,"
        "offer.bonus_pct,offer.deadline,offer.recruiter.name,offer.recruiter.email,"
        "rounds.0.date,rounds.0.base,rounds.0.stock,rounds.0.bonus_pct,rounds.1.date,rounds.1.base,"
        "rounds.1.stock,rounds.1.bonus_pct,rounds.1.sign_on"
    )
    row = (
        "Jane Doe,jane@example.com,£230K,segment-engineering-manager,London,160000,150000,15,2026-11-25,"
        "Sam,sam.lee@segment.example,2026-11-03,150000,100000,15,2026-11-10,150000,120000,15%,0"
    )
    table = in_tmp / "offers.csv"
    table.write_text(f"{header}\n{row}\n", encoding="utf-8")
    (item,) = expand([table])
    offer = load_item(item)
    assert offer.walk_away == Decimal(230000) and offer.deadline == date(2026, 11, 25)
    assert (offer.recruiter.name, offer.recruiter.email) == ("Sam", "sam.lee@segment.example")
    assert [(r.day, r.base, r.stock, r.bonus_pct, r.sign_on) for r in offer.rounds] == [
        (date(2026, 11, 3), 150000, 100000, 15, None),
        (date(2026, 11, 10), 150000, 120000, 15, 0),
    ]
    result = runner.invoke(main, [str(table), "-o", "out", "--counter", "mail"])
    assert result.exit_code == 0, result.output
    assert (in_tmp / "mail" / "jane-doe-segment-engineering-manager-counter.eml").is_file()


def test_csv_round_column_errors_name_the_row_and_column(runner, in_tmp):
    table = in_tmp / "offers.csv"
    table.write_text(
        "candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct,rounds.0.date,rounds.0.base,"
        "rounds.0.stock,rounds.0.bonus_pct\n"
        "Jane,segment-engineering-manager,SF,210000,180000,15,10/11/2026,200000,150000,15\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", str(table)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {table}:row 2 (Jane): rounds.0.date: '10/11/2026' is not a date"
        ' (write it as YYYY-MM-DD, such as "2026-12-05")\n'
    )
    bad_column = in_tmp / "bad.csv"
    bad_column.write_text("candidate.name,rounds.0.bonus\nJane,3\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(bad_column)])
    assert "column 'rounds.0.bonus': unknown field (did you mean 'rounds.0.bonus_pct'?)" in result.stderr


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["offer"].update(deadline="5 December"),
            "offer.deadline: '5 December' is not a date (write it as YYYY-MM-DD, such as \"2026-12-05\""
            ' (or "in 14 days"))',
        ),
        (
            lambda d: d["offer"].update(deadline="2026-02-30"),
            "offer.deadline: '2026-02-30' is not a date",
        ),
        (
            lambda d: d.update(rounds=[{**ROUND_1, "date": "20261103"}]),
            "rounds.0.date: '20261103' is not a date",
        ),
        (
            lambda d: d.update(rounds=[{**ROUND_1, "bonus": 3}]),
            "rounds.0.bonus: unknown field (did you mean 'bonus_pct'?)",
        ),
        (
            lambda d: d.update(rounds=[{"date": "2026-11-03", "base": 150000}]),
            "rounds.0.stock: missing required field",
        ),
        (
            lambda d: d.update(rounds=[ROUND_2, ROUND_1]),
            "rounds.1.date: 2026-11-03 is before the round above it (2026-11-10)",
        ),
        (lambda d: d.update(rounds=[{**ROUND_1, "base": -5}]), "rounds.0.base: an amount cannot be negative"),
        (
            lambda d: d["candidate"].update(walk_away=-230000),
            "candidate.walk_away: an amount cannot be negative",
        ),
        (lambda d: d["candidate"].update(walk_away=0), "candidate.walk_away: must be more than zero"),
        (
            lambda d: d["candidate"].update(walk_away=230),
            "candidate.walk_away: 230 GBP is under a twentieth of the bottom of the guide's band",
        ),
        (
            lambda d: d["candidate"].update(walk_away="$230K"),
            "candidate.walk_away: '$230K' is written in $ (USD), but the amount is in GBP",
        ),
        (
            lambda d: d["offer"]["recruiter"].update(email="sam at segment"),
            "offer.recruiter.email: 'sam at segment' is not an e-mail address",
        ),
        (lambda d: d["offer"]["recruiter"].update(phone="555"), "offer.recruiter.phone: unknown field"),
    ],
)
def test_bad_call_prep_input_is_one_line_exit_1_and_nothing_written(
    runner, in_tmp, write_offer, change, expected
):
    data = london()
    change(data)
    path = write_offer(data)
    result = runner.invoke(main, [str(path), "--counter", "mail"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}:") and expected in lines[0], result.stderr
    assert not (in_tmp / "output").exists() and not (in_tmp / "mail").exists()


def test_a_deadline_before_a_rounds_date_is_a_warning(runner, in_tmp, write_offer):
    path = write_offer(london(rounds=[ROUND_1, ROUND_2], deadline="2026-11-05"))
    warning = (
        f"warning: {path}: offer.deadline: 2026-11-05 is before the date of rounds.1 (2026-11-10):"
        " check both dates"
    )
    passed = f"warning: {path}: offer.deadline: the offer expired on 2026-11-05 (13 days ago)"
    result = runner.invoke(main, [str(path), "-o", "brief.pdf"])
    assert result.exit_code == 0 and result.stderr.splitlines() == [warning, passed]
    assert (in_tmp / "brief.pdf").is_file()
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and result.stderr.splitlines() == [warning, passed]


# --- the compact call sheet and init --------------------------------------------------------------


def test_compact_call_sheet_has_the_walk_away_and_the_deadline(brief, read_pdf, write_offer):
    data = london(walk_away=230000, deadline="2026-11-25")
    made = make_pdf(load_offer(write_offer(data)), "compact")
    assert made.pages == 1
    flat = read_pdf(made.pdf).flat
    assert "Walk-away £221,500 is £8,500 below your £230,000: decline unless it moves." in flat
    assert (
        "Deadline 7 days: the offer expires on 25 Nov 2026; need more time? Ask for a few business days"
        in flat
    )


@pytest.mark.parametrize(
    "guide",
    [
        "segment-engineering-manager",
        "lumen-payments-staff-software-engineer",
        "kestrel-mobility-senior-data-scientist",
    ],
)
def test_init_documents_the_fields_and_its_examples_validate(runner, in_tmp, guide):
    assert runner.invoke(main, ["init", "--guide", guide]).exit_code == 0
    text = (in_tmp / "offer.yaml").read_text(encoding="utf-8")
    for field in ("# walk_away:", "# deadline:", "# recruiter:", "rounds: []", '#  - date: "2026-11-10"'):
        assert field in text
    data = yaml.safe_load(text)
    head, _, tail = text.partition("\nrounds: []")  # the commented examples, uncommented
    head = re.sub(r"(?m)^(\s*)# (walk_away|deadline|recruiter):", r"\1\2:", head)
    tail = re.sub(r"(?m)^#", " ", tail)
    sample = yaml.safe_load(f"{head}\nrounds:{tail}\n")
    assert sample["candidate"]["walk_away"] and sample["offer"]["deadline"] == "2026-12-05"
    assert sample["rounds"][0]["date"] == "2026-11-10" and data["rounds"] == []
    (in_tmp / "uncommented.yaml").write_text(yaml.safe_dump(sample), encoding="utf-8")
    result = runner.invoke(main, ["validate", "uncommented.yaml"])
    assert result.exit_code == 0, result.output


def test_the_docs_counter_e_mail_is_the_bundled_examples(runner, in_tmp):
    page = (Path(__file__).parent.parent / "docs" / "call.md").read_text(encoding="utf-8")
    shown = page.split("For the bundled example (`make-brief examples/offer.yaml --counter", 1)[1]
    shown = shown.split("```\n", 1)[1].split("```", 1)[0]
    headers, _, body = shown.partition("\n\n")
    example = Path(__file__).parent.parent / "examples" / "offer.yaml"
    result = runner.invoke(main, [str(example), "-o", "brief.pdf", "--counter", "mail"])
    assert result.exit_code == 0, result.output
    msg = read_eml(in_tmp / "mail")
    assert headers.splitlines() == [f"{name}: {msg[name]}" for name in ("From", "To", "Subject", "X-Unsent")]
    assert body == msg.get_content()

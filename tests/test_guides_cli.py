"""`make-brief guides`: import, list, show and check, and user guide folders that override."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from conftest import ROOT, offer_data

from make_brief.cli import main
from make_brief.files.loading import load_yaml

FIXTURES = Path(__file__).parent / "fixtures"
DAMAGED = FIXTURES / "segment-guide-damaged.txt"
GUIDES = ROOT / "data" / "guides"
BUNDLED_IDS = [
    "alpenglow-robotics-principal-product-manager",
    "brightwater-labs-founding-engineer",
    "kestrel-mobility-senior-data-scientist",
    "lumen-payments-staff-software-engineer",
    "segment-engineering-manager",
]


def segment_data() -> dict:
    return load_yaml(GUIDES / "segment-engineering-manager.yaml", what="guide").data


def write_guide(folder: Path, guide_id: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{guide_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- import --------------------------------------------------------------------------------------


def test_import_writes_the_bundled_data(runner, in_tmp):
    result = runner.invoke(main, ["guides", "import", str(DAMAGED), "-o", "g.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "wrote g.yaml: guide 'g', Engineering Manager at Segment (San Francisco, New York, London);"
        " script for San Francisco\n"
    )
    assert f"warning: {DAMAGED}:19: 'ðŸ—ï¸' lost bytes in the damage; repaired as 🏗️" in result.stderr
    assert f"warning: {DAMAGED}:7: regions.0.total_comp: San Francisco:" in result.stderr
    expected = segment_data()
    del expected["appendices"]  # attached to the bundled guide, not in the markdown
    del expected["facts"], expected["script"]["sentences"]  # annotated on the bundled guide by hand
    for lever in expected["levers"]:
        del lever["rests_on"]
    assert load_yaml(in_tmp / "g.yaml", what="guide").data == expected
    assert (
        f"warning: {DAMAGED}:27: levers.0: 'AI Team Leadership' makes a first-person claim" in result.stderr
    )


def test_import_default_name_refuses_to_overwrite_and_prints_with_dash(runner, in_tmp):
    assert runner.invoke(main, ["guides", "import", str(DAMAGED)]).exit_code == 0
    written = in_tmp / "segment-engineering-manager.yaml"
    assert written.exists()
    again = runner.invoke(main, ["guides", "import", str(DAMAGED)])
    assert again.exit_code == 1
    assert again.stderr == (
        "error: segment-engineering-manager.yaml: already exists"
        " (use --force to overwrite, or name another file)\n"
    )
    assert runner.invoke(main, ["guides", "import", str(DAMAGED), "--force"]).exit_code == 0
    dash = runner.invoke(main, ["guides", "import", str(DAMAGED), "-o", "-"])
    assert dash.exit_code == 0 and dash.stdout == written.read_text(encoding="utf-8")


def test_import_of_a_broken_guide_gives_its_line_and_writes_nothing(runner, in_tmp):
    text = DAMAGED.read_text(encoding="utf-8").replace("| London | Â£148K", "| London | Â£1X8K")
    (in_tmp / "broken.md").write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["guides", "import", "broken.md", "-o", "out.yaml"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: broken.md:9: London, base: '£1X8K' is not an amount (write e.g. $205K, ₹45L or CHF 245K)\n"
    )
    assert not (in_tmp / "out.yaml").exists() and list(in_tmp.iterdir()) == [in_tmp / "broken.md"]


def test_import_takes_script_region(runner, in_tmp):
    source = GUIDES / "sources" / "kestrel-mobility-senior-data-scientist.md"
    plain = runner.invoke(main, ["guides", "import", str(source), "-o", "k.yaml"])
    assert plain.exit_code == 1 and "fit Berlin, Amsterdam and Dublin" in plain.stderr
    assert not (in_tmp / "k.yaml").exists()
    named = runner.invoke(main, ["guides", "import", str(source), "-o", "k.yaml", "--script-region", "BER"])
    assert named.exit_code == 0, named.output
    assert (
        load_yaml(in_tmp / "k.yaml", what="guide").data
        == load_yaml(GUIDES / "kestrel-mobility-senior-data-scientist.yaml", what="guide").data
    )


# --- list and show -------------------------------------------------------------------------------


def test_list_shows_every_bundled_guide(runner):
    result = runner.invoke(main, ["guides", "list"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[::2]] == BUNDLED_IDS
    assert lines[2] == (
        "brightwater-labs-founding-engineer  Founding Engineer | Brightwater Labs Global Negotiation Guide"
    )
    assert "regions: San Francisco, New York, Toronto · currencies: USD, CAD · as of 2026-03" in lines[3]
    assert lines[4] == (
        "kestrel-mobility-senior-data-scientist"
        "  Senior Data Scientist | Kestrel Mobility Global Negotiation Guide"
    )
    assert lines[1] == (
        "    regions: Zurich, Geneva, Tokyo · currencies: CHF, JPY · as of 2026-04 · from bundled"
    )
    assert "regions: Bengaluru, Hyderabad, Pune · currencies: INR · as of 2026-01" in lines[7]
    assert "currencies: USD, GBP · as of 2026-02 · from bundled" in lines[9]


def test_a_users_guide_overrides_the_bundled_one(runner, in_tmp, monkeypatch, write_offer, read_pdf):
    data = segment_data()
    data["title"] = "Engineering Manager | Segment Guide, our own edition"
    del data["appendices"]
    mine = in_tmp / "mine"
    write_guide(mine, "segment-engineering-manager", data)
    result = runner.invoke(main, ["guides", "list", "--guides", str(mine)])
    assert result.exit_code == 0, result.output
    assert (
        "segment-engineering-manager  Engineering Manager | Segment Guide, our own edition" in result.stdout
    )
    assert f"from {mine} (--guides) · overrides bundled" in result.stdout
    # the same through the environment variable, and for a brief
    monkeypatch.setenv("MAKE_BRIEF_GUIDES", str(mine))
    listed = runner.invoke(main, ["guides", "list"])
    assert f"from {mine} (MAKE_BRIEF_GUIDES) · overrides bundled" in listed.stdout
    built = runner.invoke(main, [str(write_offer(offer_data())), "-o", "b.pdf"])
    assert built.exit_code == 0, built.output
    pdf = read_pdf(in_tmp / "b.pdf")
    assert "our own edition" in pdf.flat
    assert "How to read this brief" not in pdf.flat  # the bundled guide's appendix is not used


def test_show_prints_the_guide(runner):
    result = runner.invoke(main, ["guides", "show", "lumen-payments-staff-software-engineer"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(
        "Staff Software Engineer | Lumen Payments Global Negotiation Guide\n"
        "id: lumen-payments-staff-software-engineer · from bundled\n"
    )
    assert "  Bengaluru (also Bangalore, BLR): INR, formatted as en_IN\n" in out
    assert "    base ₹48L–₹65L · stock ₹40L–₹80L · bonus 10–15% · total comp ₹63L–₹95L\n" in out
    assert (
        "Script, for Bengaluru: base ₹62,00,000 · stock ₹72,00,000 over 4 years · bonus 14%"
        " · accept if the stock is above ₹64,00,000\n"
    ) in out
    assert "  1. Reliability Ownership (rests on: owns_settlement)\n" in out
    assert "  2. Competing Offer Counter (rests on: competing_offer)\n" in out
    assert (
        "Facts (answer them in the offer file, under candidate.facts):\n"
        "  owns_settlement: Will you own the settlement path end to end through the 2026 peak-volume"
        " programme?\n"
        "  led_cross_team_reviews: Have you led design reviews across several teams at once?\n"
        "  interviews_and_mentors: Will you interview and grow senior engineers as part of the role?\n"
    ) in out
    assert "  rests on owns_settlement: “I'm taking on the settlement platform through Lumen's" in out
    assert "Questions to ask:\n  - Is the one-year cliff negotiable" in out
    assert "Objections:\n  - “The band for Staff is fixed” → Then let's look at what sits outside it" in out
    segment = runner.invoke(main, ["guides", "show", "segment-engineering-manager"]).stdout
    assert "Questions to ask: none (the brief uses general ones)" in segment


def test_show_unknown_guide(runner):
    result = runner.invoke(main, ["guides", "show", "acme"])
    assert result.exit_code == 1
    assert result.stderr == f"error: unknown guide 'acme' (known guides: {', '.join(BUNDLED_IDS)})\n"


# --- check ---------------------------------------------------------------------------------------


def test_check_all_bundled_guides_warns_and_exits_zero(runner):
    result = runner.invoke(main, ["guides", "check"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:4] == [f"{guide_id} (bundled): ok" for guide_id in BUNDLED_IDS[:4]]
    assert lines[4:] == [
        "segment-engineering-manager (bundled): 3 warnings",
        "  warning: line 42: regions.0.total_comp: San Francisco: the total-comp band $290K–$395K differs"
        " from base + stock ÷ 4 + bonus = $275,750–$372,600 by +5.2% and +6.0% (more than 3%)",
        "  warning: line 50: regions.1.total_comp: New York: the total-comp band $280K–$382K differs"
        " from base + stock ÷ 4 + bonus = $265,700–$362,400 by +5.4% and +5.4% (more than 3%)",
        "  warning: line 58: regions.2.total_comp: London: the total-comp band £208k–£282k differs"
        " from base + stock ÷ 4 + bonus = £198,200–£268,500 by +4.9% and +5.0% (more than 3%)",
        "5 guides checked: 0 errors, 3 warnings",
    ]


def test_check_finds_what_would_mislead(runner, in_tmp):
    data = segment_data()
    _, ny, london = data["regions"]
    ny["base"] = {"low": 242000, "high": 198000}  # low above high
    london["currency"], london["locale"] = "USD", "en_US"  # London pays in GBP
    data["script"]["base"] = 260000  # outside San Francisco's base band
    data["script"]["bonus_pct"] = 25  # outside its bonus band
    del data["sources"]
    data["appendices"] = [{"title": "Gone", "file": "gone.pdf"}]
    path = write_guide(in_tmp, "broken", data)
    result = runner.invoke(main, ["guides", "check", str(path), "segment-engineering-manager"])
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[:10] == [
        f"{path}: 4 errors, 4 warnings",
        f"  error: line 168: appendices.0.file: no such file '{in_tmp / 'gone.pdf'}'",
        "  error: line 58: regions.1.base: low 242000 is above high 198000",
        "  error: line 74: regions.2.currency: London pays in GBP, but its bands are in USD",
        "  error: line 150: script.base: the ask 260000 is outside San Francisco's band 205000–248000",
        "  warning: line 48: regions.0.total_comp: San Francisco: the total-comp band $290K–$395K differs"
        " from base + stock ÷ 4 + bonus = $275,750–$372,600 by +5.2% and +6.0% (more than 3%)",
        "  warning: line 85: regions.2.total_comp: London: the total-comp band $208K–$282K differs"
        " from base + stock ÷ 4 + bonus = $198,200–$268,500 by +4.9% and +5.0% (more than 3%)",
        "  warning: line 153: script.bonus_pct: the bonus target 25% is outside San Francisco's band 15–20%",
        "  warning: sources: the guide names no source for its figures",
        "segment-engineering-manager (bundled): 3 warnings",
    ]
    assert out[-1] == "2 guides checked: 4 errors, 7 warnings"


def test_check_a_markdown_guide(runner, in_tmp):
    ok = runner.invoke(main, ["guides", "check", str(DAMAGED)])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[0] == f"{DAMAGED}: 8 warnings"  # 4 of them: unannotated claims
    assert "  warning: line 19: 'ðŸ—ï¸' lost bytes in the damage; repaired as 🏗️" in ok.stdout
    shutil.copy(DAMAGED, in_tmp / "bad.md")
    text = (in_tmp / "bad.md").read_text(encoding="utf-8").replace("**Level Mapping:**", "<div>\n\n")
    (in_tmp / "bad.md").write_text(text, encoding="utf-8")
    bad = runner.invoke(main, ["guides", "check", "bad.md"])
    assert bad.exit_code == 1
    assert bad.stdout.splitlines() == [
        "bad.md: 1 error",
        "  error: bad.md:17: HTML is not part of the guide format (see data/guides/sources/ for the format)",
        "1 guide checked: 1 errors, 0 warnings",
    ]


def test_check_unknown_target(runner):
    result = runner.invoke(main, ["guides", "check", "nope"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == (
        f"  error: no guide or file 'nope' (known guides: {', '.join(BUNDLED_IDS)})"
    )

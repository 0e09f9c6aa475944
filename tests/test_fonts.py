"""Never a brief without the name: a name the template's font cannot draw is drawn with an
installed font that has it (found by fontconfig), or the brief is refused; --strict holds back
any brief with a warning. Real fonts, real PDFs read back with pypdf, a real SMTP server."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import offer_data
from pypdf import PdfReader
from smtp_sink import SmtpServer

from make_brief.cli import main
from make_brief.render.reportlab.fonts import covering

CJK = "王小明"
NO_FONT_HAS = "𓀀"  # an Egyptian hieroglyph: neither the bundled font nor Noto CJK nor DejaVu


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def cjk_font():
    """The installed font with CJK characters (Debian fonts-noto-cjk, installed by .ci/run)."""
    if not covering(frozenset(CJK)):
        pytest.skip("no installed font has CJK characters: apt-get install fonts-noto-cjk")


@pytest.fixture
def no_fonts(tmp_path, monkeypatch):
    """fontconfig pointed at a configuration without a single font folder: as a machine with
    no font for the name."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}/fc</cachedir></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    assert not covering(frozenset(CJK))


def font_names(reader: PdfReader) -> set[str]:
    found = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        found |= {str(f.get_object()["/BaseFont"]) for f in fonts.values()}
    return found


@pytest.mark.parametrize("template", ["default", "compact"])
def test_a_cjk_name_is_drawn_with_an_installed_font(tmp_path, write_offer, cjk_font, template):
    offer = write_offer(offer_data(candidate={"name": CJK, "email": "wang@example.com"}))
    target = tmp_path / "brief.pdf"
    result = run(offer, "-o", target, "--template", template)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no warning: nothing was left out
    reader = PdfReader(target)
    pages = ["".join(page.extract_text().split()) for page in reader.pages]  # runs of two fonts
    assert CJK in pages[0]  # the title and the cover table
    if template == "default":  # the header from page 2 on: "Negotiation brief · 王小明"
        assert all(f"Negotiationbrief·{CJK}" in page for page in pages[1:-1])
    else:  # the compact template's footer: "Call sheet · 王小明 · ..."
        assert f"Callsheet·{CJK}·" in pages[0]
    bundled = {"NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic", "NotoSans-BoldItalic"}
    assert {name.split("+")[-1] for name in font_names(reader)} - bundled  # an installed font too


def test_a_cjk_name_in_a_batch_fills_no_warning_and_the_rest_stays_the_same(tmp_path, write_offer, cjk_font):
    (tmp_path / "offers").mkdir()
    write_offer(offer_data(candidate={"name": CJK}), "offers/wang.yaml")
    write_offer(offer_data(candidate={"name": "Ann Lee"}), "offers/ann.yaml")
    out = tmp_path / "out"
    assert run(tmp_path / "offers", "-o", out, "-j", "2").exit_code == 0
    with open(out / "manifest.csv", encoding="utf-8", newline="") as handle:
        rows = {r["candidate"]: r for r in csv.DictReader(handle)}
    assert rows[CJK]["status"] == "ok" and rows[CJK]["warnings"] == ""
    ann = {name.split("+")[-1] for name in font_names(PdfReader(Path(rows["Ann Lee"]["output"])))}
    assert ann <= {"NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic"}  # only a name that needs it


def test_without_a_font_for_the_name_the_brief_is_refused_in_one_line(tmp_path, write_offer, no_fonts):
    offer = write_offer(offer_data(candidate={"name": f"Wang {CJK}"}))
    target = tmp_path / "brief.pdf"
    result = run(offer, "-o", target)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {offer}: candidate.name: no font here can draw '{CJK}' of the name, and a brief never"
        " goes without it (install a font that has them (Debian: fonts-noto-cjk; Homebrew:"
        " font-noto-sans-cjk) or use a template whose font has them)\n"
    )
    assert not target.exists() and list(tmp_path.glob(".*.part")) == []


def test_a_name_no_installed_font_has_is_refused_in_a_csv_row(tmp_path):
    table = tmp_path / "people.csv"
    table.write_text(
        "candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct\n"
        "Ann Lee,segment-engineering-manager,San Francisco,210000,180000,15\n"
        f"Ka {NO_FONT_HAS},segment-engineering-manager,San Francisco,210000,180000,15\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run(table, "-o", out)
    assert result.exit_code == 1
    assert (
        f"error: {table}:row 3 (Ka {NO_FONT_HAS}): candidate.name: no font here can draw '{NO_FONT_HAS}'"
        in result.stderr
    )
    assert sorted(p.name for p in out.glob("*.pdf")) == ["ann-lee-segment-engineering-manager.pdf"]


def strict_offers(tmp_path: Path, write_offer) -> Path:
    (tmp_path / "offers").mkdir()
    write_offer(offer_data(candidate={"name": "Ann Lee", "email": "ann@example.com"}), "offers/ann.yaml")
    odd = [{"company": f"Acme {NO_FONT_HAS} Labs", "total_comp": 415000}]
    bo = offer_data(candidate={"name": "Bo Chen", "email": "bo@example.com"}, competing_offers=odd)
    write_offer(bo, "offers/bo.yaml")
    return tmp_path / "offers"


def manifest(folder: Path) -> dict[str, dict[str, str]]:
    with open(folder / "manifest.csv", encoding="utf-8", newline="") as handle:
        return {Path(r["input"]).name: r for r in csv.DictReader(handle)}


def test_other_text_no_font_has_is_a_warning_in_the_manifest(tmp_path, write_offer):
    offers, out = strict_offers(tmp_path, write_offer), tmp_path / "out"
    result = run(offers, "-o", out)
    assert result.exit_code == 0
    assert f"warning: {offers / 'bo.yaml'}: the brief's font cannot draw 1 character(s) ({NO_FONT_HAS})" in (
        result.stderr
    )
    rows = manifest(out)
    assert rows["bo.yaml"]["status"] == "ok" and NO_FONT_HAS in rows["bo.yaml"]["warnings"]
    assert rows["ann.yaml"]["warnings"] == ""


def test_strict_holds_back_a_brief_with_a_warning_neither_written_nor_sent(tmp_path, write_offer):
    offers, out = strict_offers(tmp_path, write_offer), tmp_path / "out"
    with SmtpServer() as server:
        result = run(offers, "-o", out, "--strict", "--send", "--from", "coach@example.org", *server.options)
        sent = [r.rcpt_tos for r in server.sink.received]
    assert result.exit_code == 1
    assert sent == [["ann@example.com"]]
    assert sorted(p.name for p in out.glob("*.pdf")) == ["ann-lee-segment-engineering-manager.pdf"]
    line = f"error: {offers / 'bo.yaml'}: held back by --strict, not written: the brief's font cannot draw"
    assert line in result.stderr
    rows = manifest(out)
    assert rows["bo.yaml"]["status"] == "held" and NO_FONT_HAS in rows["bo.yaml"]["warnings"]
    assert rows["bo.yaml"]["output"] == "" and rows["ann.yaml"]["mail"] == "sent"


def test_strict_without_warnings_makes_everything(tmp_path, write_offer):
    (tmp_path / "offers").mkdir()
    write_offer(offer_data(), "offers/ann.yaml")
    result = run(tmp_path / "offers", "-o", tmp_path / "out", "--strict")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 1


def test_quiet_prints_only_errors(tmp_path, write_offer):
    offers = strict_offers(tmp_path, write_offer)  # Bo's brief has a warning
    write_offer(offer_data(offer={"base": "lots", "stock": 1, "bonus_pct": 1}), "offers/cy.yaml")
    result = run(offers, "-o", tmp_path / "out", "-q", "--lock")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {offers / 'cy.yaml'}:"), lines
    loud = run(offers, "-o", tmp_path / "loud", "--lock")
    assert any(line.startswith("warning:") for line in loud.stderr.splitlines())  # the same run, not quiet


@pytest.mark.parametrize("name", [CJK, "سلمى يوسف"])
def test_a_fallback_fonts_cut_has_no_clock_in_it(monkeypatch, name, cjk_font):
    """The cut of an installed font is the same bytes whenever it is made: fontTools stamps a
    font's head.modified with the time it saves it (SOURCE_DATE_EPOCH when set, as in these
    tests), and the cut's bytes name its face in the brief. Without SOURCE_DATE_EPOCH, two
    builds a second apart made different briefs of the same inputs."""
    from fontTools.ttLib.tables import _h_e_a_d

    from make_brief.render.reportlab import fonts

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    chars = frozenset(name.replace(" ", ""))
    face = fonts.covering(chars)[0]
    made = []
    for now in (3_000_000_000, 3_000_000_001):
        monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda now=now: now)
        made.append(fonts._cut.__wrapped__(face, chars).data)
    assert made[0] == made[1]

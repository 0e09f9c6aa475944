"""Generated offers, valid and not, and batches mixing good and hostile offers: the command
always ends in one of the two ways, and in a batch every good brief is still made."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hostile import ROOT, build, dump, made, offer, one_page_pdf, outputs
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFont

LETTER = ROOT / "examples" / "offer-letter.pdf"
COVERED = frozenset(
    TTFont("coverage", str(ROOT / "data" / "fonts" / "NotoSans-Regular.ttf")).face.charToGlyph
)

SAFE = list("abcXYZ019 <>&\"'/\\;:{}[]|#@-~%$!?.,=*_") + list("éŁЖΣ😀王שم\u200b\u202e\u00a0")
ALPHABET = SAFE + list("\t\n\x00\x1b\x7f\x85")  # with controls, which a name may not hold
TEXT = st.text(alphabet=st.sampled_from(ALPHABET), max_size=40)
SAFE_TEXT = st.text(alphabet=st.sampled_from(SAFE), min_size=1, max_size=60)


@pytest.fixture
def _no_installed_fonts(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """fontconfig sees no fonts: a name is drawn by the template's font or refused, so what is
    drawn is known here (the installed-font fallback has its own tests in test_fonts.py), and
    random names do not each cost a font lookup."""
    conf = tmp_path_factory.mktemp("fontconfig") / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))


def mostly(valid: st.SearchStrategy, hostile: st.SearchStrategy) -> st.SearchStrategy:
    """`valid` six times in seven, so that about half the offers get as far as a brief (not
    st.one_of, which flattens the branches of nested one_ofs and would weigh them evenly)."""
    return st.sampled_from([True] * 6 + [False]).flatmap(lambda pick: valid if pick else hostile)


NAMES = mostly(SAFE_TEXT, st.one_of(TEXT, st.text(max_size=30), st.sampled_from(["x" * 300, "y" * 301, ""])))
AMOUNTS = st.one_of(
    st.integers(-(10**7), 10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["210K", "$210,000", "£150K", "€1", "-5", "180k", "1e5", "", "210 000", "5B", "0x10"]),
    st.booleans(),
    st.none(),
    TEXT,
)
BASE = mostly(
    st.one_of(st.integers(150_000, 400_000), st.sampled_from(["210K", "$210,000", "205k"])), AMOUNTS
)
STOCK = mostly(st.one_of(st.integers(0, 2_000_000), st.floats(0, 2e6)), AMOUNTS)
PERCENT = mostly(
    st.one_of(st.integers(0, 200), st.floats(0, 200)),
    st.one_of(st.integers(-10, 2000), st.floats(allow_nan=True, allow_infinity=True), TEXT, st.none()),
)
CURRENCY = mostly(
    st.sampled_from(["USD", "usd"]), st.sampled_from(["GBP", "EUR", "XYZ", "€", "", "US Dollar"])
)
TERMS = st.fixed_dictionaries(
    {"base": BASE, "stock": STOCK, "bonus_pct": PERCENT},
    optional={
        "currency": CURRENCY,
        "stock_years": mostly(st.integers(1, 10), st.one_of(st.integers(-2, 12), TEXT)),
        "sign_on": mostly(st.integers(0, 100_000), AMOUNTS),
    },
)
COMPETING = st.fixed_dictionaries(
    {"company": NAMES, "total_comp": mostly(st.integers(100_000, 900_000), AMOUNTS)},
    optional={"currency": CURRENCY},
)
OFFERS = st.fixed_dictionaries(
    {
        "candidate": st.fixed_dictionaries(
            {"name": NAMES}, optional={"email": mostly(st.just("ann@example.com"), NAMES)}
        ),
        "guide": mostly(st.just("segment-engineering-manager"), st.sampled_from(["nope", "", "../x"])),
        "region": mostly(st.sampled_from(["San Francisco", "SF", "nyc", "New York"]), TEXT),
        "offer": TERMS,
    },
    optional={
        "competing_offers": st.lists(COMPETING, max_size=3),
        "appendices": st.lists(
            mostly(st.just("letter.pdf"), st.sampled_from(["../x.pdf", "/etc/passwd", "."])), max_size=2
        ),
    },
)
DROPPED = st.sampled_from([None] * 12 + ["candidate", "offer", "region", "guide", "+extra", "+offer.bonus"])
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _ends_cleanly(folder: Path, offer_file: Path, written: dict | None) -> None:
    out = folder / "out" / "brief.pdf"
    result = build([str(offer_file), "-o", str(out)])
    event("made" if result.exit_code == 0 else "refused")
    if result.exit_code == 0:  # (a): a whole brief, showing the name as far as the font can
        assert out.is_file() and not list(out.parent.glob(".*.part"))
        assert all(line.startswith("warning: ") for line in result.stderr.splitlines()), result.stderr
        pdf = PdfReader(out)
        text = "".join("".join(page.extract_text() for page in pdf.pages).split())
        assert written is not None
        name = written["candidate"]["name"]
        drawable = "".join(ch for ch in name if not ch.isspace() and ord(ch) in COVERED)
        assert drawable in text, (name, drawable)
    else:  # (b): one line, naming the file; nothing written
        assert result.exit_code == 1, (result.exit_code, result.stderr, result.exception)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {offer_file}"), result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
        assert not out.parent.exists() or not any(out.parent.iterdir())


@pytest.mark.usefixtures("_no_installed_fonts")
@SETTINGS
@given(data=OFFERS, drop=DROPPED)
def test_generated_offers_end_in_a_brief_or_one_clear_line(data, drop):
    if drop and drop.startswith("+"):  # a misspelt or unknown field
        *parents, key = drop[1:].split(".")
        (data[parents[0]] if parents else data)[key] = 1
    elif drop:
        data.pop(drop)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(LETTER, folder / "letter.pdf")
        offer_file = folder / "offer.yaml"
        offer_file.write_text(dump(data), encoding="utf-8")
        _ends_cleanly(folder, offer_file, data)


@pytest.mark.usefixtures("_no_installed_fonts")
@settings(max_examples=60, deadline=None, database=None)
@given(content=st.one_of(st.binary(max_size=600), st.text(max_size=600)))
def test_generated_file_contents_end_cleanly(content):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        offer_file = folder / "offer.yaml"
        if isinstance(content, bytes):
            offer_file.write_bytes(content)
        else:
            offer_file.write_text(content, encoding="utf-8", errors="surrogatepass")
        _ends_cleanly(folder, offer_file, None)


def test_a_batch_with_hostile_offers_makes_every_good_brief(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(LETTER, tmp_path / "letter.pdf")
    (tmp_path / "locked.pdf").write_bytes(b"%PDF-1.7\n" + b"\0" * 100)
    (tmp_path / "bomb.pdf").write_bytes(
        one_page_pdf(b"<< /Length 5 /Filter /FlateDecode >>\nstream\nxxxxx\nendstream")
    )
    good = {
        "ann.yaml": offer(candidate={"name": "Ann <b>Lee</b>"}),
        "bo.yaml": offer(candidate={"name": "Bo 😀 Svensson"}, appendices=["letter.pdf"]),
        "cy.yaml": offer(candidate={"name": "Cy"}, appendices=["bomb.pdf"]),  # a damaged stream: kept as is
    }
    bad = {
        "alias.yaml": "a: &a [1]\nb: *a\n",
        "python.yaml": dump(offer()).replace("Jane Doe", "!!python/object/apply:os.system ['touch pwned']"),
        "huge.yaml": dump(offer(candidate={"name": "z" * 5000})),
        "passwd.yaml": dump(offer(candidate={"name": "Dee"}, appendices=["/etc/passwd"])),
        "broken.yaml": dump(offer(candidate={"name": "Eve"}, appendices=["locked.pdf"])),
        "nan.yaml": dump(
            offer(candidate={"name": "Fay"}, offer={"base": float("nan"), "stock": 1, "bonus_pct": 1})
        ),
        "binary.yaml": "\0\1\2",
    }
    for name, data in good.items():
        (tmp_path / name).write_text(dump(data))
    for name, text in bad.items():
        (tmp_path / name).write_text(text)
    order = ["alias.yaml", "ann.yaml", "python.yaml", "huge.yaml", "bo.yaml", "passwd.yaml"]
    order += ["broken.yaml", "nan.yaml", "cy.yaml", "binary.yaml"]
    result = build([*order, "--out-dir", "briefs"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [line.split(":", 2)[1].strip() for line in errors] == [n for n in order if n in bad]
    made_files = sorted(p.name for p in outputs(tmp_path / "briefs"))
    assert made_files == [
        "ann-b-lee-b-segment-engineering-manager.pdf",
        "bo-svensson-segment-engineering-manager.pdf",
        "cy-segment-engineering-manager.pdf",
    ]
    assert result.stdout.splitlines() == [f"briefs/{name}" for name in made_files]
    ann = made(build(["ann.yaml", "-o", "ann.pdf"]), tmp_path / "ann.pdf")
    assert "Ann <b>Lee</b>" in ann.flat
    bo = PdfReader(tmp_path / "briefs" / "bo-svensson-segment-engineering-manager.pdf")
    assert "Offer of employment" in bo.pages[-2].extract_text()
    assert not (tmp_path / "pwned").exists()
    assert yaml.safe_load((tmp_path / "ann.yaml").read_text())["candidate"]["name"] == "Ann <b>Lee</b>"

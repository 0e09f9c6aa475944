"""No text drawn over other text: every word's box on every page of every bundled example,
in every bundled template, read back from the PDF with pypdf, overlaps no other word's box.

pypdf gives each page's content stream as operations; the text operators are followed here
(the text and graphics matrices, the font, its size and its /Widths, form XObjects such as
the page count), so that each glyph's advance is the one the PDF itself says. A word's box is
its advance by the font's ascent and descent."""

from __future__ import annotations

import copy
import itertools
import re
from pathlib import Path

import pytest
import yaml
from conftest import DATABRICKS, EXAMPLES, ROOT, offer_data
from pypdf import PdfReader
from pypdf.generic import ContentStream

from make_brief.cli import main

TEMPLATES = sorted(p.parent.name for p in (ROOT / "templates").glob("*/style.yaml"))
TEST_GUIDES = ROOT / "tests" / "fixtures" / "guides"
ASCENT, DESCENT = 0.76, 0.24  # of the font size: the tallest and deepest glyphs of Noto Sans ($, y)
TOLERANCE = 0.3  # points: boxes that only touch (a bold run and the comma after it) do not overlap
BOE = {"from": "USD", "to": "GBP", "rate": 0.79, "date": "2026-11-10", "source": "Bank of England"}

OFFERS = {
    "example": None,  # examples/offer.yaml as it is
    "back-loaded": offer_data(
        region="London",
        offer={
            "base": 160000,
            "stock": 150000,
            "bonus_pct": 15,
            "vesting": [5, 15, 40, 40],
            "sign_on": [18000, 6000],
        },
    ),
    "competing": offer_data(
        region="London",
        offer={"base": 160000, "stock": 150000, "stock_years": 3, "bonus_pct": 15, "sign_on": 10000},
        competing_offers=[
            dict(DATABRICKS),
            {**DATABRICKS, "company": "Stripe", "stock": 520000, "vesting": [10, 20, 30, 40]},
        ],
        fx=[BOE],
    ),
    "dollars": offer_data(
        guide="northbeam-staff-engineer",
        region="Toronto",
        offer={"currency": "CAD", "base": 205000, "stock": 150000, "bonus_pct": 12},
        competing_offers=[{"company": "Acme", "total_comp": 330000, "currency": "USD"}],
    ),
    # the stock ask near the offer, so its label once went below the line, onto the bonus's
    "close": offer_data(region="London", offer={"base": 160000, "stock": 195000, "bonus_pct": 19.5}),
    "kronor": offer_data(
        guide="fjordlane-senior-engineer",
        region="Stockholm",
        offer={"base": 700000, "stock": 600000, "bonus_pct": 8, "sign_on": 50000},
    ),
}


def _unicode_map(font: dict) -> dict[int, str]:
    """The font's codes and the text they stand for, from its /ToUnicode CMap."""
    if "/ToUnicode" not in font:
        return {}
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    found = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            for i, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[code] = chr(int(start, 16) + i)
    return found


def _times(a: list[float], b: list[float]) -> list[float]:
    """The matrix product a × b of two PDF matrices [a b c d e f]."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _box(x0: float, x1: float, size: float, rise: float, m: list[float]) -> tuple[float, ...]:
    corners = [(x, y) for x in (x0, x1) for y in (rise - DESCENT * size, rise + ASCENT * size)]
    points = [(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]) for x, y in corners]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


class _Text:
    """Follows one content stream's text operators and collects each word with its box."""

    def __init__(self, reader: PdfReader) -> None:
        self.reader = reader
        self.words: list[tuple[str, tuple[float, ...]]] = []
        self.fonts: dict[int, tuple[dict[int, float], dict[int, str]]] = {}

    def font(self, font: dict) -> tuple[dict[int, float], dict[int, str]]:
        key = id(font)
        if key not in self.fonts:
            first = int(font.get("/FirstChar", 0))
            widths = {first + i: float(w) for i, w in enumerate(font.get("/Widths", []))}
            if "/Widths" not in font:  # one of the 14 standard fonts (an appendix's): their metrics
                from reportlab.pdfbase.pdfmetrics import standardFonts, stringWidth

                name = str(font["/BaseFont"])[1:]
                assert name in standardFonts, f"{name}: no /Widths to measure by"
                widths = {code: stringWidth(chr(code), name, 1000) for code in range(32, 256)}
            self.fonts[key] = (widths, _unicode_map(font))
        return self.fonts[key]

    def run(self, stream: object, resources: dict, ctm: list[float]) -> None:
        """The words of one content stream (a page's, or a form's drawn with `ctm`)."""
        self.stack: list[list[float]] = []
        self.ctm, self.tm, self.tlm = ctm, [1.0, 0, 0, 1, 0, 0], [1.0, 0, 0, 1, 0, 0]
        self.state = {"font": None, "size": 0.0, "Tc": 0.0, "Tw": 0.0, "Tz": 100.0, "TL": 0.0, "Ts": 0.0}
        self.resources = resources
        for operands, op in ContentStream(stream, self.reader).operations:
            op = op.decode()
            if op in ("q", "Q", "cm", "Do"):
                self.graphics(op, operands)
            else:
                self.text(op, operands)

    def graphics(self, op: str, operands: list) -> None:
        if op == "q":
            self.stack.append(self.ctm)
        elif op == "Q":
            self.ctm = self.stack.pop()
        elif op == "cm":
            self.ctm = _times([float(v) for v in operands], self.ctm)
        else:  # Do: a form XObject (the page count) is followed with its own matrix
            form = self.resources["/XObject"][operands[0]].get_object()
            if form.get("/Subtype") == "/Form":
                matrix = [float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                saved = (self.stack, self.ctm, self.tm, self.tlm, self.state, self.resources)
                self.run(form, form.get("/Resources", self.resources), _times(matrix, self.ctm))
                self.stack, self.ctm, self.tm, self.tlm, self.state, self.resources = saved

    def text(self, op: str, operands: list) -> None:
        state = self.state
        if op == "BT":
            self.tm = self.tlm = [1.0, 0, 0, 1, 0, 0]
        elif op == "Tm":
            self.tm = self.tlm = [float(v) for v in operands]
        elif op in ("Td", "TD"):
            tx, ty = (float(v) for v in operands)
            if op == "TD":
                state["TL"] = -ty
            self.tm = self.tlm = _times([1, 0, 0, 1, tx, ty], self.tlm)
        elif op in ("T*", "'", '"'):
            self.tm = self.tlm = _times([1, 0, 0, 1, 0, -state["TL"]], self.tlm)
            if op != "T*":
                self.tm = self.show(operands[-1:], state, self.tm, self.ctm)
        elif op == "Tf":
            state["font"] = self.resources["/Font"][operands[0]].get_object()
            state["size"] = float(operands[1])
        elif op in ("Tc", "Tw", "Tz", "TL", "Ts"):
            state[op] = float(operands[0])
        elif op in ("Tj", "TJ"):
            self.tm = self.show(operands[0] if op == "TJ" else operands, state, self.tm, self.ctm)

    def show(self, parts: list, state: dict, tm: list[float], ctm: list[float]) -> list[float]:
        """Each glyph of a text-showing operator, collected into words; the text matrix after it."""
        widths, unicode = self.font(state["font"])
        size, scale = state["size"], state["Tz"] / 100
        x, word, start = 0.0, "", 0.0
        matrix = _times(tm, ctm)

        def end_word() -> None:
            if word.strip():
                self.words.append((word, _box(start, x, size, state["Ts"], matrix)))

        for part in parts:
            if isinstance(part, (int, float)) or hasattr(part, "as_numeric"):
                x -= float(part) / 1000 * size * scale
                continue
            raw = part.original_bytes if hasattr(part, "original_bytes") else bytes(part)
            for code in raw:
                char = unicode.get(code, chr(code))
                if char.isspace():
                    end_word()
                    word = ""
                elif not word:
                    word, start = char, x
                else:
                    word += char
                advance = widths.get(code, 0) / 1000 * size + state["Tc"]
                x += (advance + (state["Tw"] if code == 32 else 0)) * scale
        end_word()
        return _times([1, 0, 0, 1, x, 0], tm)


def word_boxes(pdf: bytes) -> list[list[tuple[str, tuple[float, ...]]]]:
    """Each page's words and their boxes (x0, y0, x1, y1) in points."""
    import io

    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        text = _Text(reader)
        text.run(page.get_contents(), page["/Resources"], [1.0, 0, 0, 1, 0, 0])
        pages.append(text.words)
    return pages


def overlaps(words: list[tuple[str, tuple[float, ...]]]) -> list[tuple[str, str]]:
    """The pairs of words whose boxes overlap by more than TOLERANCE both ways."""
    found = []
    ordered = sorted(words, key=lambda w: w[1][0])
    for i, (text, a) in enumerate(ordered):
        for other, b in itertools.islice(ordered, i + 1, None):
            if b[0] >= a[2] - TOLERANCE:
                break
            if min(a[3], b[3]) - max(a[1], b[1]) > TOLERANCE:
                found.append((text, other))
    return found


def brief(runner, tmp_path: Path, name: str, template: str) -> bytes:
    data = OFFERS[name]
    path = EXAMPLES / "offer.yaml"
    if data is not None:
        path = tmp_path / f"{name}.yaml"
        text = yaml.safe_dump(copy.deepcopy(data), sort_keys=False)  # no shared lists: no aliases
        path.write_text(text, encoding="utf-8")
    out = tmp_path / f"{name}-{template}.pdf"
    args = [str(path), "-o", str(out), "--template", template, "--guides", str(TEST_GUIDES)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("name", sorted(OFFERS))
def test_no_two_words_overlap(runner, tmp_path, name, template):
    pages = word_boxes(brief(runner, tmp_path, name, template))
    assert sum(len(words) for words in pages) > 200  # the words were found
    for number, words in enumerate(pages, start=1):
        assert overlaps(words) == [], f"page {number}"


def test_the_check_sees_an_overlap(runner, tmp_path):
    """Two words drawn at one place are found, and words that only touch are not."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("OverlapTest", str(ROOT / "data" / "fonts" / "NotoSans-Regular.ttf")))
    out = tmp_path / "drawn.pdf"
    canvas = Canvas(str(out))
    canvas.setFont("OverlapTest", 10)
    canvas.drawString(100, 100, "US$212K")
    canvas.drawString(120, 102, "8%")
    canvas.drawString(100, 200, "touch")
    canvas.drawString(100 + canvas.stringWidth("touch", "OverlapTest", 10), 200, "ing")
    canvas.drawString(100, 213, "next line")
    canvas.save()
    (words,) = word_boxes(out.read_bytes())
    assert [w for w, _ in words] == ["US$212K", "8%", "touch", "ing", "next", "line"]
    assert overlaps(words) == [("US$212K", "8%")]

"""The Typst back end (render/typst/) and the PDF standards: briefs read back with pypdf (the
structure tree's tags, headings in outline order, tables' header cells, lists, figures and
their alternative text, artifacts, /Lang, the XMP identifications), pdfua's independent check
of PDF/UA-1, text that is data and never Typst markup, identical bytes, the appendix rule, the
refusals as one line, and names in right-to-left scripts in both back ends' word order.

A few briefs are made once per module and shared (the suite's time): the example as PDF/UA-1 and
PDF/A-2b, and one brief per name and back end."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from make_brief import api
from make_brief.cli import main
from make_brief.compose.document import Bars, Chart, ChartRow, Series
from make_brief.errors import SettingError, TemplateError
from make_brief.render.typst.data import bars_alt, chart_alt, runs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "offer.yaml"
EPOCH = "1795000000"  # 2026-11-18, as conftest sets it per test
BOTH = ["--pdf-standard", "ua-1", "--pdf-standard", "a-2b"]


def _build(tmp: Path, offer: Path, name: str, *extra: str) -> tuple[Path, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = CliRunner().invoke(main, [str(offer), "-o", str(tmp / name), *extra])
    assert result.exit_code == 0, result.output
    return tmp / name, result.stderr


@pytest.fixture(scope="module")
def accessible(tmp_path_factory):
    """The example, by Typst, claiming PDF/UA-1 and PDF/A-2b: the PDF and what was printed."""
    return _build(tmp_path_factory.mktemp("ua"), EXAMPLE, "brief.pdf", "--backend", "typst", *BOTH)


def _tree(reader: PdfReader) -> list[tuple[str, object]]:
    """The structure tree in reading order: (tag, element) for each element."""
    found: list[tuple[str, object]] = []

    def walk(node: object) -> None:
        node = node.get_object()  # type: ignore[attr-defined]
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get") or "/S" not in node:
            return
        found.append((str(node["/S"]), node))
        if "/K" in node:
            walk(node["/K"])

    root = reader.trailer["/Root"]["/StructTreeRoot"]
    walk(root["/K"])
    return found


def _text_of(element: object, reader: PdfReader) -> str:
    """An element's /ActualText or /Alt, or its marked content's text read from its page."""
    return str(element.get("/Alt") or element.get("/ActualText") or "")  # type: ignore[attr-defined]


def test_the_accessible_brief_has_headings_tables_lists_and_figures_with_alt_text(accessible):
    path, _ = accessible
    reader = PdfReader(path)
    tree = _tree(reader)
    tags = [tag for tag, _ in tree]
    for tag in ("/Document", "/H1", "/H2", "/Table", "/THead", "/TH", "/TR", "/TD", "/L", "/LI", "/Figure"):
        assert tag in tags, tag
    assert "/H3" not in tags and "/P" in tags
    # the outline's sections are the H1s, in the same order: the reading order is the brief's
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len([t for t in tags if t == "/H1"]) == len(outline)
    figures = [_text_of(element, reader) for tag, element in tree if tag == "/Figure"]
    assert len(figures) == 2  # the band chart and the year-by-year bars
    assert figures[0].startswith(
        "Base salary: your offer $210K, 27% of the way through the market band (New York)"
        " $198K–$242K; your ask $239K."
    )
    assert "Total comp (avg/yr): your offer $286,500" in figures[0]
    assert figures[1].startswith("Year 1: Your offer $307K, Your ask $372K. Year 2: Your offer $287K")


def test_the_accessible_brief_claims_both_standards_and_sets_language_and_title(accessible):
    path, _ = accessible
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part(>|=\")1", xmp) and re.search(r"pdfaid:part(>|=\")2", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert reader.metadata is not None and reader.metadata.title.startswith("Negotiation brief: Jane Doe")
    # the running header and the footer are artifacts, not part of the structure
    page = reader.pages[1].get_contents().get_data()
    assert b"/Artifact" in page


def test_pdfua_finds_nothing_to_fault(accessible):
    from pdfua import validate

    report = validate(str(accessible[0]))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    assert report.exit_code == 0


def test_a_brief_that_claims_a_standard_lists_its_appendices_and_merges_none(accessible):
    path, printed = accessible
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Offer of employment" not in text  # the letter is not merged, nor said to be
    assert "Appended after this brief" not in text
    assert "Appendices not included" in text and "offer-letter.pdf" in text
    assert printed == (
        f"warning: {EXAMPLE}: appendices not merged into a brief that"
        " claims PDF/A-2b and PDF/UA-1: offer-letter.pdf, how-to-read-this-brief.pdf (the brief lists them)\n"
    )


def test_the_reportlab_back_end_asked_for_a_standard_is_one_line_naming_typst(tmp_path):
    result = CliRunner().invoke(main, [str(EXAMPLE), "-o", str(tmp_path / "x.pdf"), "--pdf-standard", "ua-1"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --pdf-standard: the reportlab back end cannot write a PDF that meets ua-1"
        " (use --backend typst)\n"
    )
    assert list(tmp_path.iterdir()) == []


def _template(tmp_path: Path, style: dict, sections: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "mine"
    (folder / "sections").mkdir(parents=True)
    (folder / "style.yaml").write_text(yaml.safe_dump(style), encoding="utf-8")
    for name, text in (sections or {}).items():
        (folder / "sections" / f"{name}.j2").write_text(text, encoding="utf-8")
    return folder


def test_a_templates_pdf_standard_is_claimed_and_typsts_refusal_is_one_line(tmp_path):
    """A style's pdf_standard asks for PDF/UA-1; a document title left empty breaks it, and
    Typst's refusal is one line naming the standard."""
    metadata = {"title": "", "subject": "s", "keywords": "k"}
    folder = _template(tmp_path, {"pdf_standard": "ua-1", "metadata": metadata})
    out = tmp_path / "x.pdf"
    with pytest.raises(SettingError) as refused:
        api.make_brief(EXAMPLE, out, template=folder, backend="typst")
    assert refused.value.message.startswith("Typst refused to write the brief as PDF/UA-1: ")
    assert "title" in refused.value.message.lower() and not out.exists()
    with pytest.raises(SettingError, match="the reportlab back end cannot write a PDF that meets ua-1"):
        api.make_brief(EXAMPLE, out, template=folder)


def test_a_user_template_with_markup_typst_cannot_draw_is_one_line(tmp_path):
    folder = _template(tmp_path, {}, {"cover": "# Brief\n\nA <super>2</super> here.\n"})
    with pytest.raises(TemplateError, match=r"cannot draw the markup <super> \(sections/cover.j2\)"):
        api.make_brief(EXAMPLE, tmp_path / "x.pdf", template=folder, backend="typst")


HOSTILE = '#eval("1+1") *bold* _it_ $x^2$ `raw` [link] <b>b</b> \\ @ref // c'


def test_text_from_the_inputs_is_data_never_typst_markup(tmp_path):
    offer = tmp_path / "offer.yaml"
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["candidate"]["name"] = HOSTILE
    data["appendices"] = []
    offer.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    path, _ = _build(tmp_path, offer, "brief.pdf", "--backend", "typst")
    reader = PdfReader(path)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert HOSTILE in text
    assert reader.metadata is not None and HOSTILE in reader.metadata.title


def test_identical_inputs_give_identical_bytes_and_the_day_dates_them(tmp_path, accessible):
    again, _ = _build(tmp_path, EXAMPLE, "again.pdf", "--backend", "typst", *BOTH)
    assert again.read_bytes() == accessible[0].read_bytes()
    assert b"2026-11-18" in again.read_bytes()


def test_the_charts_alt_texts_say_below_above_and_each_year():
    row = ChartRow("Base", 100, 200, 90, 150, "$100", "$200", "$90", "$150")
    above = ChartRow("Bonus", 10, 20, 25, 25, "10%", "20%", "25%", "25%")
    chart = Chart((row, above), ("Market band (Here)", "Your offer", "Your ask"))
    assert chart_alt(chart) == (
        "Base: your offer $90, below the market band (Here) $100–$200; your ask $150."
        " Bonus: your offer 25%, above the market band (Here) 10%–20%."
    )
    bars = Bars(("Year 1", "Year 2"), (Series("A", (1, 2), ("$1", "$2")), Series("B", (3, 4), ("$3", "$4"))))
    assert bars_alt(bars) == "Year 1: A $1, B $3. Year 2: A $2, B $4."


def test_the_wordings_markup_becomes_runs_and_escaped_text_stays_text():
    found = runs(
        'a <b>b <i>c</i></b> &lt;b&gt; <font color="#ff0000">d</font><br/><a href="https://x.example">e</a>'
    )
    assert [(r.text, r.bold, r.italic, r.color, r.link) for r in found] == [
        ("a ", False, False, None, None),
        ("b ", True, False, None, None),
        ("c", True, True, None, None),
        (" <b> ", False, False, None, None),
        ("d", False, False, "#ff0000", None),
        ("\n", False, False, None, None),
        ("e", False, False, None, "https://x.example"),
    ]


# --- names in any script ---------------------------------------------------------------------

NAMES = {"ar": ("ليلى", "حداد"), "he": ("נועה", "כהן"), "zh": ("王", "小明"), "ko": ("김", "민준")}


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    """One brief per name and back end, and the Arabic one's counter-offer e-mail."""
    tmp = tmp_path_factory.mktemp("names")
    source = EXAMPLE.read_text(encoding="utf-8")
    made = {}
    for key, (first, family) in NAMES.items():
        offer = tmp / f"{key}.yaml"
        offer.write_text(source.replace("Jane Doe", f"{first} {family}"), encoding="utf-8")
        (tmp / "offer-letter.pdf").write_bytes((EXAMPLE.parent / "offer-letter.pdf").read_bytes())
        for backend in ("reportlab", "typst"):  # each back end's briefs in one process, in turn
            extra = ["--counter", str(tmp / "counter")] if key == "ar" and backend == "typst" else []
            made[key, backend] = _build(tmp, offer, f"{key}-{backend}.pdf", "--backend", backend, *extra)[0]
    return made, tmp / "counter"


def _words(page) -> list[tuple[float, float, str]]:
    """The page's text as drawn: (y, x, text) per run, in drawing order (left to right on a
    line), each right-to-left word as pypdf reads it back (logical order, forms normalized)."""
    found = []

    def visit(text, cm, tm, font, size):
        cleaned = unicodedata.normalize("NFKC", re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text))
        for word in cleaned.split():
            found.append((round(tm[5] * cm[3] + cm[5]), tm[4] * cm[0] + cm[4], word))

    page.extract_text(visitor_text=visit)
    return found


def _order(page, first: str, family: str) -> list[tuple[float, str]]:
    """The line that holds the name: its words, left to right (drawing order, then x)."""
    words = _words(page)
    lines = {y for y, _, w in words if w == first}
    assert lines, f"{first} not on the page"
    y = max(lines)  # the topmost line that has it
    return [(x, w) for yy, x, w in words if yy == y and w in (first, family)]


@pytest.mark.parametrize("key", ["ar", "he"])
@pytest.mark.parametrize("backend", ["reportlab", "typst"])
def test_a_right_to_left_name_reads_right_to_left_on_the_cover_and_the_script(named, key, backend):
    first, family = NAMES[key]
    reader = PdfReader(named[0][key, backend])
    script = next(reader.get_destination_page_number(i) for i in reader.outline if i.title == "Your script")
    assert script > 0
    for number in (0, script):  # the cover's table, and the script page's running header
        order = _order(reader.pages[number], first, family)
        assert [w for _, w in order] == [family, first], (number, order)  # the first name on the right
        xs = [x for x, _ in order]
        assert xs == sorted(xs)


def test_the_counter_email_keeps_the_logical_order(named):
    counter = named[1]
    drafts = list(counter.glob("*.eml"))
    assert len(drafts) == 1
    import email
    from email import policy

    message = email.message_from_bytes(drafts[0].read_bytes(), policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "ليلى حداد" in body and "حداد ليلى" not in body


@pytest.mark.parametrize("key", ["zh", "ko"])
@pytest.mark.parametrize("backend", ["reportlab", "typst"])
def test_a_chinese_and_a_korean_name_render_after_other_scripts_in_one_process(named, key, backend):
    """reportlab knew a face by its PostScript name: a second cut of Noto CJK in one process
    (the Korean name after the Chinese one) drew the first cut's glyphs, as boxes."""
    first, family = NAMES[key]
    reader = PdfReader(named[0][key, backend])
    assert f"{first} {family}" in reader.pages[0].extract_text()
    fonts = {str(font) for page in reader.pages[:1] for font in _font_names(page)}
    assert any("CJK" in name or "Gothic" in name or "Hei" in name for name in fonts), fonts


def _font_names(page) -> list[str]:
    resources = page["/Resources"]["/Font"]
    return [str(resources[key].get_object().get("/BaseFont")) for key in resources]


def test_the_accessible_brief_without_appendices_is_at_most_60_kb(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["appendices"] = []
    offer = tmp_path / "offer.yaml"
    offer.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    folder = _template(tmp_path, {"guide_appendices": False})
    path, _ = _build(tmp_path, offer, "brief.pdf", "--backend", "typst", "--template", str(folder), *BOTH)
    size = len(path.read_bytes())
    assert size <= 60_000, size
    assert len(PdfReader(io.BytesIO(path.read_bytes())).pages) >= 5


def test_a_tagged_brief_keeps_its_tags_when_its_appendices_are_merged(tmp_path):
    """Without a standard, the appendices are merged (pypdf's general path): the brief is
    cloned whole, so its structure tree, language and mark info survive, and lock keeps them."""
    outcome = api.make_brief(EXAMPLE, tmp_path / "brief.pdf", backend="typst")
    reader = PdfReader(tmp_path / "brief.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en" and bool(root["/MarkInfo"]["/Marked"])
    assert "/H1" in [tag for tag, _ in _tree(reader)]
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Offer of employment" in text and outcome.brief is not None
    assert len(reader.pages) == outcome.brief.pages
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid" not in xmp and "pdfaid" not in xmp  # it claims no standard

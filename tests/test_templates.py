"""Templates: a user edits only a copy made with `make-brief templates export`, and the brief
follows; broken or hostile templates fail with one line naming the file and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT, offer_data
from pypdf.generic import ContentStream
from test_brief import GUIDE_APPENDIX, SECTIONS

from make_brief.cli import main
from make_brief.errors import TemplateError
from make_brief.offers.offer import load_offer
from make_brief.run.pipeline import make_pdf

DEFAULT_OUTLINE = [*SECTIONS, GUIDE_APPENDIX]  # the default brief's sections, then the guide's appendix
COMPACT_OUTLINE = ["Call sheet · Jane Doe", "Your numbers", "Where you stand", "Say this", "Levers"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def copy(runner, tmp_path) -> Path:
    """A copy of the default template, made as a user would."""
    folder = tmp_path / "my-template"
    result = runner.invoke(main, ["templates", "export", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def brief(write_offer, read_pdf):
    """brief(template, **offer changes) -> the brief read back."""

    def make(template=None, **changes):
        return read_pdf(make_pdf(load_offer(write_offer(offer_data(**changes))), template).pdf)

    return make


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) in the file at `path`, as a user with an editor."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def fonts_of(pdf) -> set[str]:
    """The fonts of the brief's own pages (the guide's appendix, last, is a PDF of its own)."""
    return {
        re.sub(r"^/[A-Z]{6}\+", "", str(font.get_object()["/BaseFont"]))
        for page in pdf.reader.pages[:-1]
        for font in page["/Resources"]["/Font"].values()
    }


def images_on(page) -> dict:
    """The images of a page, by their resource names."""
    xobjects = page["/Resources"].get("/XObject") or {}
    return {name: x.get_object() for name, x in xobjects.items() if x.get_object()["/Subtype"] == "/Image"}


# --- list and export -----------------------------------------------------------------------


def test_list_names_the_bundled_templates(runner):
    result = runner.invoke(main, ["templates", "list"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "compact  One page for a quick call, A4, in teal and orange; numbers, chart, script, levers.",
        "default  The full brief, A4, in blue and slate, every section.",
    ]


def test_export_copies_everything_the_template_uses(copy, runner, tmp_path):
    default = ROOT / "templates" / "default"
    assert sorted(p.relative_to(copy) for p in copy.rglob("*.*")) == sorted(
        [*(p.relative_to(default) for p in default.rglob("*.*")), Path("email", "counter.j2")]
    )
    bundled = ROOT / "templates" / "email" / "counter.j2"
    assert (copy / "email" / "counter.j2").read_bytes() == bundled.read_bytes()
    compact = tmp_path / "call"
    result = runner.invoke(main, ["templates", "export", str(compact), "--from", "compact"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"wrote {compact} (14 files)")
    assert (compact / "email" / "counter.j2").is_file()
    assert "name: compact" in (compact / "style.yaml").read_text()
    assert "# Call sheet" in (compact / "sections" / "cover.j2").read_text()
    assert (compact / "sections" / "dna.j2").is_file()  # the default's, to add back if wanted


def test_export_refuses_a_folder_in_use_and_unknown_names(copy, runner, tmp_path):
    result = runner.invoke(main, ["templates", "export", str(copy)])
    assert result.exit_code == 1
    assert result.stderr == f"error: {copy}: already exists (name a new or empty folder)\n"
    result = runner.invoke(main, ["templates", "export", str(tmp_path / "x"), "--from", "fancy"])
    assert result.exit_code == 1
    assert result.stderr == "error: no template 'fancy' (bundled: compact, default; or give a folder)\n"
    assert not (tmp_path / "x").exists()


def test_an_unedited_copy_makes_the_same_brief(copy, brief):
    assert brief(copy).data == brief().data


def test_build_takes_the_copy_by_its_folder(copy, runner, write_offer, tmp_path, read_pdf):
    edit(copy / "sections" / "glance.j2", "## At a glance", "## In short")
    out = tmp_path / "brief.pdf"
    result = runner.invoke(main, [str(write_offer(offer_data())), "--template", str(copy), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_pdf(out).outline[1] == ("In short", 0)


# --- what a user changes in the copy -------------------------------------------------------


def test_colours(copy, brief):
    for key in ("title", "heading", "accent"):
        edit(copy / "style.yaml", f'  {key}: "#0b5cad"', f'  {key}: "#00ff00"')
    green = "0 1 0 rg"  # reportlab's fill colour operator for #00ff00
    first_page = brief(copy).reader.pages[0].get_contents().get_data().decode("latin-1")
    assert green in first_page
    assert green not in brief().reader.pages[0].get_contents().get_data().decode("latin-1")


def test_font(copy, brief):
    shutil.copy(ROOT / "data" / "fonts" / "NotoSans-Italic.ttf", copy / "Brand-Regular.ttf")
    edit(copy / "style.yaml", "regular: NotoSans-Regular.ttf", "regular: Brand-Regular.ttf")
    assert fonts_of(brief()) >= {"NotoSans-Regular"}
    fonts = fonts_of(brief(copy))
    assert "NotoSans-Italic" in fonts and "NotoSans-Regular" not in fonts, fonts


def test_logo(copy, brief):
    from PIL import Image  # reportlab's own dependency, which it uses to read PNG

    Image.new("RGB", (240, 80), (200, 30, 30)).save(copy / "logo.png")
    edit(copy / "style.yaml", "logo: null", "logo: logo.png")
    pdf = brief(copy)
    [(name, image)] = images_on(pdf.reader.pages[0]).items()
    assert (image["/Width"], image["/Height"]) == (240, 80)
    assert all(not images_on(page) for page in pdf.reader.pages[1:])
    assert not images_on(brief().reader.pages[0])
    # drawn at the top right: 30 mm wide, against the right and top margins (20 mm, 18 mm)
    page = pdf.reader.pages[0]
    ops = ContentStream(page.get_contents(), pdf.reader).operations
    place = next(ops[i - 1][0] for i, (args, op) in enumerate(ops) if op == b"Do" and args == [name])
    w, _, _, h, x, y = (float(v) for v in place)
    mm = 72 / 25.4
    assert (round(w / mm), round(h / mm)) == (30, 10)
    assert round((x + w) / mm) == 210 - 20 and round((y + h) / mm) == 297 - 18


def test_wording(copy, brief):
    sections, style = copy / "sections", copy / "style.yaml"
    edit(sections / "glance.j2", "## At a glance", "## Auf einen Blick")
    edit(sections / "_competing_claim.j2", "I have an offer from", "Mir liegt ein Angebot vor von")
    edit(style, "  base: Base salary", "  base: Grundgehalt")
    edit(style, "  chart_ask: Your ask", "  chart_ask: Ihr Ziel")
    edit(style, "page {page} of {pages}", "Seite {page} von {pages}")
    edit(style, "language: en", "language: de")
    edit(style, "date_format: d MMMM y", "date_format: d. MMMM y")
    edit(style, 'title: "Negotiation brief: {candidate}', 'title: "Verhandlungsmappe: {candidate}')
    pdf = brief(copy, competing_offers=[{"company": "Databricks", "total_comp": 415000}])
    assert pdf.outline[1] == ("Auf einen Blick", 0)
    assert not any("At a glance" in page for page in pdf.pages[:-1])  # the guide's appendix names it
    assert "Mir liegt ein Angebot vor von Databricks at $415,000" in pdf.flat
    market = next(page for page in pdf.pages if "The market" in page)
    assert "Grundgehalt" in market and "Base salary" not in pdf.flat
    assert "Ihr Ziel" in market
    assert "18. November 2026" in pdf.flat
    assert re.search(r"Seite 1 von\s*\d", pdf.pages[0])
    assert pdf.metadata["/Title"] == "Verhandlungsmappe: Jane Doe — Engineering Manager, Segment"


def test_order_of_sections(copy, brief):
    edit(
        copy / "style.yaml",
        "sections: [cover, glance, before_call, market, years, equity, dna, levers, script, sources]",
        "sections: [cover, script, glance, levers, market]",
    )
    pdf = brief(copy)
    assert [title for title, _ in pdf.outline] == [
        "Negotiation brief",
        "Your script",
        "At a glance",
        "Levers",
        "The market",
        GUIDE_APPENDIX,
    ]
    brief_pages = " ".join(pdf.pages[:-1])  # the guide's appendix, last, names every section
    assert "Negotiation DNA" not in brief_pages and "Evidence & sources" not in brief_pages


def test_a_section_of_free_text(copy, brief):
    (copy / "sections" / "coach.j2").write_text(
        "## A word from your coach\n\n"
        "{{ candidate.name }}, breathe before you answer. Call me on 020 7946 0000 after.\n\n"
        "- Silence is fine.\n- Thank them first.\n",
        encoding="utf-8",
    )
    edit(copy / "style.yaml", "sections: [cover, glance,", "sections: [cover, coach, glance,")
    pdf = brief(copy, candidate={"name": "Ann <b>Lee</b>"})
    assert [title for title, _ in pdf.outline] == [
        DEFAULT_OUTLINE[0],
        "A word from your coach",
        *DEFAULT_OUTLINE[1:],
    ]
    assert "Ann <b>Lee</b>, breathe before you answer. Call me on 020 7946 0000 after." in pdf.flat
    assert "• Silence is fine. • Thank them first." in pdf.flat


def test_the_guides_appendix_can_be_left_out(copy, brief):
    edit(copy / "style.yaml", "guide_appendices: true", "guide_appendices: false")
    pdf = brief(copy, appendices=[])
    assert [title for title, _ in pdf.outline] == SECTIONS
    assert GUIDE_APPENDIX not in pdf.flat  # nor named among the sources


def test_a_folder_with_only_some_keys_falls_back_to_the_default(tmp_path, brief):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "style.yaml").write_text('colors: {heading: "#00ff00"}\n')
    pdf = brief(tmp_path / "mine")
    assert [title for title, _ in pdf.outline] == DEFAULT_OUTLINE
    assert "0 1 0 rg" in pdf.reader.pages[0].get_contents().get_data().decode("latin-1")


# --- the compact template ------------------------------------------------------------------


def test_compact_brief_of_the_bundled_example_is_one_page(read_pdf, tmp_path):
    from make_brief.run.pipeline import build_brief

    result = build_brief(EXAMPLES / "offer.yaml", tmp_path / "call.pdf", template="compact")
    pdf = read_pdf(result.path)
    appendix = len(pdf.pages) - 1
    assert pdf.outline == [(title, 0) for title in COMPACT_OUTLINE] + [("Offer letter", 1)]
    assert "Offer of employment" in pdf.pages[1] and appendix == 1
    assert re.search(r"page 1 of\s*1\s", pdf.pages[0])
    flat = " ".join(pdf.pages[0].split())
    for text in ("$239,000", "$278,000", "$259,000", "I have an offer from Databricks at $415,000"):
        assert text in flat


@pytest.mark.parametrize("region", ["San Francisco", "New York", "London"])
def test_compact_fits_one_page_with_long_inputs(brief, region):
    pdf = brief(
        "compact",
        region=region,
        candidate={"name": "Maximiliane Alexandra von Hohenzollern-Sigmaringen"},
        offer={"base": 150000, "stock": 120000, "bonus_pct": 15, "sign_on": 20000},
        competing_offers=[
            {"company": f"Company number {i} with a long name", "total_comp": 300000 + i} for i in range(4)
        ],
    )
    assert len(pdf.pages) == 1
    assert [title for title, _ in pdf.outline][1:] == COMPACT_OUTLINE[1:]


def test_compact_looks_different(brief):
    compact = brief("compact").reader.pages[0].get_contents().get_data().decode("latin-1")
    # the title band (#0f4c4a) and the teal headings (#0f6e69) are there; the default's blue is not
    assert ".058824 .298039 .290196 rg" in compact and ".058824 .431373 .411765 rg" in compact
    assert ".043137 .360784 .678431 rg" not in compact
    assert ".043137 .360784 .678431 rg" in brief().reader.pages[0].get_contents().get_data().decode("latin-1")


# --- broken templates: one line, the file and the line, no output --------------------------


def run_with(runner, write_offer, tmp_path, template):
    out = tmp_path / "brief.pdf"
    result = runner.invoke(
        main, [str(write_offer(offer_data())), "--template", str(template), "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert not out.exists() and not list(tmp_path.glob(".brief.pdf*"))
    assert "Traceback" not in result.output and result.stdout == ""
    [line] = result.stderr.splitlines()
    return line


def test_jinja_syntax_error(copy, runner, write_offer, tmp_path):
    glance = copy / "sections" / "glance.j2"
    edit(glance, "## At a glance\n", "## At a glance\n{% if %}\n")
    assert run_with(runner, write_offer, tmp_path, copy) == (
        f"error: {glance}:2: Expected an expression, got 'end of statement block'"
    )


def test_unknown_block(copy, runner, write_offer, tmp_path):
    market = copy / "sections" / "market.j2"
    edit(market, "@band_chart", "@bar_chart")
    assert run_with(runner, write_offer, tmp_path, copy) == (
        f"error: {market}:{line_of(market, '@bar_chart')}: unknown block @bar_chart"
        " (known: @market_table, @band_chart, @years_table, @years_chart, @equity_chart)"
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("colors:", "colours:\n  text: red\ncolors:", "colours", "unknown field (did you mean 'colors'?)"),
        ('  accent: "#0b5cad"', "  accent: blue", "colors.accent", 'expected a colour written "#rrggbb"'),
        ("sizes: {title: 22", "sizes: {title: 220", "sizes.title", "Expected float <= 72.0"),
        ("page_size: a4", "page_size: a5", "page_size", "Invalid enum value 'a5'"),
        ("language: en", "language: klingon", "language", "unknown language 'klingon'"),
        ("regular: NotoSans-Regular.ttf", "regular: Brand.ttf", "fonts.regular", "font file 'Brand.ttf' not"),
        ("logo: null", "logo: logo.png", "logo", "image file 'logo.png' not found"),
        ("logo: null", "logo: /etc/hostname", "logo", "'/etc/hostname': name a file inside the template"),
        (
            "bold: NotoSans-Bold.ttf",
            "bold: ../default/NotoSans-Bold.ttf",
            "fonts.bold",
            "'../default/NotoSans-Bold.ttf': name a file inside the template folder",
        ),
        ("sections: [cover,", "sections: [cover, extra,", "sections.1", "no sections/extra.j2 in"),
    ],
)
def test_bad_style_sheet(copy, runner, write_offer, tmp_path, old, new, field, message):
    style = copy / "style.yaml"
    edit(style, old, new)
    line = line_of(style, new.splitlines()[0])
    assert run_with(runner, write_offer, tmp_path, copy).startswith(
        f"error: {style}:{line}: {field}: {message}"
    )


def test_damaged_font_and_logo_files(copy, runner, write_offer, tmp_path):
    style = copy / "style.yaml"
    (copy / "Broken.ttf").write_bytes(b"not a font")
    edit(style, "italic: NotoSans-Italic.ttf", "italic: Broken.ttf")
    assert run_with(runner, write_offer, tmp_path, copy) == (
        f"error: {style}:{line_of(style, 'Broken.ttf')}: fonts.italic: cannot use Broken.ttf as a font:"
        " Not a recognized TrueType font: version=0x6E6F7420"
    )
    edit(style, "italic: Broken.ttf", "italic: NotoSans-Italic.ttf")
    (copy / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    edit(style, "logo: null", "logo: logo.png")
    line = run_with(runner, write_offer, tmp_path, copy)
    assert line.startswith(
        f"error: {style}:{line_of(style, 'logo.png')}: logo: cannot read logo.png as an image"
    )


# --- the sandbox ---------------------------------------------------------------------------


def refused(copy: Path, write_offer, text: str) -> str:
    """The error of a brief made with a section whose line 3 is `text`, the file and line
    checked and taken off."""
    section = copy / "sections" / "probe.j2"
    section.write_text(f"## Probe\n\n{text}\n", encoding="utf-8")
    edit(copy / "style.yaml", "sections: [cover,", "sections: [cover, probe,")
    with pytest.raises(TemplateError) as caught:
        make_pdf(load_offer(write_offer(offer_data())), copy)
    where, _, message = str(caught.value).partition(": ")
    assert where == f"{section}:3"
    return message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "refused by the sandbox: access to attribute '__class__' of 'str'"),
        ("{{ cycler.__init__.__globals__ }}", "refused by the sandbox: access to attribute '__init__'"),
        ("{{ lipsum.__globals__['os'] }}", "refused by the sandbox: access to attribute '__globals__'"),
        ("{{ candidate.update(name='x') }}", "refused by the sandbox: access to attribute 'update'"),
    ],
)
def test_the_sandbox_refuses_python_internals(copy, write_offer, text, message):
    assert refused(copy, write_offer, text).startswith(message)


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../../../etc/passwd", "../style.yaml"])
def test_a_template_cannot_include_files_outside_the_template_folders(copy, write_offer, target):
    assert refused(copy, write_offer, f"{{% include '{target}' %}}") == (
        f"no template {target!r} (a template can include only files of the template folders)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('<img src="/etc/passwd"/>', "<img> is not allowed in a brief"),
        ('<onDraw name="x" label="y"/>', "<onDraw> is not allowed in a brief"),
        ('<a href="file:///etc/passwd">x</a>', "a link must start with http://, https:// or mailto:"),
        ('<font face="Courier">x</font>', "<font face=...> is not allowed"),
        ("<b>bold", "<b> is not closed"),
        ("1 < 2", "a bare '<' in the wording"),
    ],
)
def test_markup_a_template_may_not_write(copy, write_offer, text, message):
    assert refused(copy, write_offer, text).startswith(message)


@pytest.mark.parametrize("template", ["default", "compact"])
def test_data_stays_data_in_every_template(brief, template):
    name = 'Ann <img src="/etc/passwd"/> & <b>Lee</b>'
    company = '<font color="red">Acme</font> | @band_chart'
    pdf = brief(
        template, candidate={"name": name}, competing_offers=[{"company": company, "total_comp": 400000}]
    )
    assert name in pdf.flat and company in pdf.flat
    assert not images_on(pdf.reader.pages[0])

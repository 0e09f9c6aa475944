"""The back-end seam (render/backend.py, render/registry.py): one suite run on every registered
back end, reading each one's brief of examples/offer.yaml back with pypdf (pages, text,
outline, title, appendices merged, --lock); a test back end whose bytes are not laid out as
reportlab writes them, so that merging takes pypdf's general path; the registry (names,
entry points, an unknown name), and reportlab's settings applied around a build only."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from make_brief import api, backends
from make_brief.cli import main
from make_brief.compose.document import Document
from make_brief.compose.sandbox import plain
from make_brief.compose.templates import Template
from make_brief.errors import SettingError
from make_brief.pdf import pack as pdfpack
from make_brief.render import registry
from make_brief.render.backend import Backend, Options, Rendered

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "offer.yaml"
LETTER_PAGES = len(PdfReader(ROOT / "examples" / "offer-letter.pdf").pages)


class PlainBackend:
    """A back end for the tests: each block's text drawn as plain lines with reportlab's bare
    canvas (Helvetica), an outline entry per section, the title in the metadata; then written
    again by pypdf, so that its bytes are laid out as pypdf writes them, not as reportlab does."""

    name = "plain"
    preload: tuple[str, ...] = ()

    def render(self, brief: Document, template: Template, options: Options) -> Rendered:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, invariant=1)
        canvas.setTitle(brief.title)
        y = 800.0
        for number, section in enumerate(brief.sections):
            canvas.bookmarkPage(f"s{number}")
            canvas.addOutlineEntry(section.title, f"s{number}", level=0)
            for line in _lines(section.blocks):
                if y < 60:
                    canvas.showPage()
                    y = 800.0
                canvas.setFont("Helvetica", 9)
                canvas.drawString(50, y, line)
                y -= 12
        canvas.showPage()
        canvas.save()
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
        out = io.BytesIO()
        writer.write(out)
        return Rendered(out.getvalue(), len(writer.pages))

    def warm_up(self, template: object, day: object) -> None:
        pass


def _lines(blocks: tuple) -> list[str]:
    found: list[str] = []
    for block in blocks:
        if block.table is not None:
            rows = (block.table.header, *block.table.rows)
        elif block.chart is not None:
            rows = tuple(
                (r.label, r.low_text, r.high_text, r.offer_text, r.ask_text) for r in block.chart.rows
            )
        elif block.bars is not None:
            rows = tuple((series.name, *series.labels) for series in block.bars.series)
        else:
            rows = block.rows or ((block.text,),)
        for row in rows:
            text = " | ".join(plain(cell) for cell in row)
            found += textwrap.wrap(text.encode("latin-1", "replace").decode("latin-1"), 110) or [""]
    return found


PLAIN = PlainBackend()
BACKENDS = [*registry.names(), "plain"]  # every installed back end, and this test's


@pytest.fixture(autouse=True, scope="module")
def _plain_registered():
    registry.register("plain", "test_backends:PLAIN")  # by import path: a batch's workers find it too
    yield
    registry.unregister("plain")


def _read(path: Path, password: str | None = None) -> tuple[PdfReader, str]:
    reader = PdfReader(path)
    if password is not None:
        assert reader.is_encrypted and reader.decrypt(password)
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _asks() -> list[str]:
    """The example's asks as the brief writes them, from its own figures."""
    from make_brief.advice.compute import compute
    from make_brief.money.amounts import fmt_money
    from make_brief.offers.offer import load_offer

    asks = compute(load_offer(EXAMPLE)).asks
    return [fmt_money(asks[part].value, "USD", "en_US") for part in ("base", "stock")]


def _composed() -> Document:
    from make_brief.advice.compute import compute
    from make_brief.compose.brief import compose
    from make_brief.compose.templates import load_template
    from make_brief.files.clock import today
    from make_brief.offers.offer import load_offer

    offer = load_offer(EXAMPLE)
    return compose(offer, compute(offer), load_template(None), today())


def test_the_registry_lists_them_all_and_the_default_first():
    assert registry.names() == backends() == ["reportlab", "plain", "typst"]
    assert sorted(BACKENDS) == sorted(registry.names())
    assert all(isinstance(registry.get(name), Backend) for name in BACKENDS)


@pytest.mark.parametrize("name", BACKENDS)
def test_each_back_end_makes_the_example_brief_with_its_appendices(name, tmp_path):
    outcome = api.make_brief(EXAMPLE, tmp_path / "brief.pdf", backend=name)
    reader, text = _read(tmp_path / "brief.pdf")
    brief = _composed()
    assert outcome.brief is not None and len(reader.pages) == outcome.brief.pages
    assert "Jane Doe" in text
    for ask in _asks():
        assert ask in text, ask
    assert reader.metadata is not None and reader.metadata.title == brief.title
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    sections = [section.title for section in brief.sections]
    appended = [title for title, _ in brief.appendices]
    assert titles[: len(sections)] == sections and appended and set(appended) <= set(titles)
    letter = titles.index(appended[0])
    first_letter_page = reader.get_destination_page_number(reader.outline[letter])
    assert "Offer of employment" in reader.pages[first_letter_page].extract_text()
    assert len(reader.pages) >= first_letter_page + LETTER_PAGES


@pytest.mark.parametrize("name", BACKENDS)
def test_each_back_end_locks_and_batches_through_its_workers(name, tmp_path):
    offers = tmp_path / "offers"
    offers.mkdir()
    shutil.copy(ROOT / "examples" / "offer-letter.pdf", offers)
    for who in ("Ann Lee", "Bo Chen"):
        text = EXAMPLE.read_text(encoding="utf-8").replace("Jane Doe", who)
        (offers / f"{who.split()[0].lower()}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    run = api.make_briefs([offers], out, jobs=2, lock=True, backend=name)
    assert run.made == 2 and run.failures == []
    with open(out / "passwords.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["candidate"] for row in rows) == ["Ann Lee", "Bo Chen"]
    for row in rows:
        reader, text = _read(out / row["file"], row["password"])
        assert row["candidate"] in text and _asks()[0] in text and "Offer of employment" in text
        assert reader.metadata is not None and reader.metadata.title == _composed().title.replace(
            "Jane Doe", row["candidate"]
        )


def test_the_plain_back_end_is_merged_by_pypdf_not_spliced(tmp_path, monkeypatch):
    """Its bytes are not laid out as reportlab writes them: the splice declines them up front
    and the general merge gives the brief and the letter, each with its outline entry."""
    rendered = PLAIN.render(_composed(), _template(), Options(_day()))
    parsed = pdfpack.parse(rendered.pdf)
    assert parsed is None or not pdfpack.spliceable(parsed)
    reportlab_pdf = registry.get("reportlab").render(_composed(), _template(), Options(_day())).pdf
    assert pdfpack.spliceable(pdfpack.objects_of(reportlab_pdf))  # the splice's own case

    def no_splice(*_: object) -> None:
        raise AssertionError("spliced another back end's PDF")

    monkeypatch.setattr(pdfpack, "splice", no_splice)
    api.make_brief(EXAMPLE, tmp_path / "plain.pdf", backend="plain")
    reader, text = _read(tmp_path / "plain.pdf")
    assert "Offer of employment" in text and len(reader.pages) == rendered.pages + LETTER_PAGES + 1


def _template() -> Template:
    from make_brief.compose.templates import load_template

    return load_template(None)


def _day():
    from make_brief.files.clock import today

    return today()


def test_an_unknown_back_end_is_one_line_naming_the_installed_ones(tmp_path):
    result = CliRunner().invoke(main, [str(EXAMPLE), "-o", str(tmp_path / "x.pdf"), "--backend", "nosuch"])
    assert result.exit_code == 1
    assert (
        result.stderr == "error: --backend: unknown back end 'nosuch' (installed: reportlab, plain, typst)\n"
    )
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SettingError, match="installed: reportlab, plain, typst"):
        api.make_briefs([EXAMPLE], tmp_path / "out", backend="nosuch")
    assert list(tmp_path.iterdir()) == []


def test_the_typst_back_end_without_its_extra_is_one_line_saying_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(registry.EXTRAS, "typst", ("make_brief_no_such_module", "make-brief[typst]"))
    result = CliRunner().invoke(main, [str(EXAMPLE), "-o", str(tmp_path / "x.pdf"), "--backend", "typst"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --backend: the typst back end needs the make_brief_no_such_module package, which is"
        " not installed (pip install 'make-brief[typst]')\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_cli_builds_with_a_named_back_end(tmp_path):
    result = CliRunner().invoke(main, [str(EXAMPLE), "-o", str(tmp_path / "x.pdf"), "--backend", "plain"])
    assert result.exit_code == 0, result.output
    reader, text = _read(tmp_path / "x.pdf")
    assert reader.metadata is not None and reader.metadata.producer != "make-brief (reportlab)"
    assert "Jane Doe" in text


def test_an_installed_entry_point_shows_up(tmp_path, monkeypatch):
    info = tmp_path / "make_brief_plain-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: make-brief-plain\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[make_brief.backends]\nplain2 = test_backends:PlainBackend\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert registry.names() == ["reportlab", "plain", "plain2", "typst"]
    backend = registry.get("plain2")  # the entry point names the class: made once
    assert isinstance(backend, PlainBackend) and registry.get("plain2") is backend
    registry._LOADED.pop("plain2")


def test_importing_the_package_and_listing_back_ends_imports_no_reportlab():
    code = "import sys, make_brief; print(make_brief.backends(), {'reportlab', 'typst'} & set(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "['reportlab', 'typst'] set()\n"


def test_reportlab_settings_hold_only_around_a_build_and_give_the_same_bytes():
    from reportlab import rl_config

    brief, template, options = _composed(), _template(), Options(_day())
    backend = registry.get("reportlab")
    before = (rl_config.useA85, rl_config.shapeChecking)
    first = backend.render(brief, template, options).pdf
    assert (rl_config.useA85, rl_config.shapeChecking) == before  # the process's own, back
    rl_config.useA85, rl_config.shapeChecking = 1, 1  # a program that wants reportlab's defaults
    try:
        again = backend.render(brief, template, options).pdf
        assert (rl_config.useA85, rl_config.shapeChecking) == (1, 1)
    finally:
        rl_config.useA85, rl_config.shapeChecking = before
    assert again == first and b"ASCII85Decode" not in first


def test_the_ask_figures_are_the_guides_positions():
    assert _asks() == ["$239,000", "$278,000"] and Decimal(239000) > 210000


@pytest.fixture(scope="module")
def each_text(tmp_path_factory):
    """The text of each back end's brief of the example, its appendices left out (one brief
    per back end, shared by the tests that compare them)."""
    from make_brief.offers.offer import load_offer
    from make_brief.run.pipeline import Settings, make

    offer = load_offer(EXAMPLE)
    found = {}
    for name in BACKENDS:
        brief = make(offer, Settings(backend=name, day=_day()))
        reader = PdfReader(io.BytesIO(brief.pdf))
        appended = {title for title, _ in _composed().appendices} | {
            "How to read this brief and where the numbers come from"
        }
        first = min(
            (reader.get_destination_page_number(i) for i in reader.outline if i.title in appended),
            default=len(reader.pages),
        )
        found[name] = " ".join(" ".join(page.extract_text() for page in reader.pages[:first]).split())
    return found


SENTENCES = (
    "$286,500 is $13,500 below your walk-away of $300,000.",
    "At every ask the offer would come to $351,520 a year, $51,520 above your walk-away.",
    "17 days: the offer expires on ",  # the example's deadline is "in 17 days"
)


@pytest.mark.parametrize("name", BACKENDS)
def test_each_back_end_says_the_same_figures_and_sentences(each_text, name):
    import re

    def figures(text: str) -> set[str]:
        return set(re.findall(r"\$[\d,.]+[KM]?|\b\d+(?:\.\d+)?%", text))

    assert figures(each_text[name]) == figures(each_text["reportlab"])
    for sentence in SENTENCES:
        assert sentence in each_text[name], (name, sentence)

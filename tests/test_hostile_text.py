"""Hostile text: markup and code in every field that reaches the PDF, text that breaks layout,
and characters the font cannot draw. Each case is made with the text shown literally (a), or
refused with one clear line (b)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from hostile import GUIDE, ROOT, Pdf, build, dump, made, offer, refused

# reportlab's CVE-2023-33733: the `color` attribute of <font> was evaluated as Python. The
# payload below (the published one, made to touch a marker file) must never run.
CVE_PAYLOAD = (
    "<font color=\"[ [ getattr(pow, Word('__globals__'))['os'].system('touch pwned') for Word in "
    "[ orgTypeFun( 'Word', (str,), { 'mutated': 1, 'startswith': lambda self, x: 1 == 0, "
    "'__eq__': lambda self, x: self.mutate() and self.mutated < 0 and str(self) == x, "
    "'mutate': lambda self: { setattr(self, 'mutated', self.mutated - 1) }, "
    "'__hash__': lambda self: hash(str(self)), }, ) ] ] for orgTypeFun in [type(type(1))] ] "
    "and 'red'\">exploit</font>"
)
SHORT_CVE = (  # the same attack within the 300 characters a name may have
    "<font color=\"[[getattr(pow,W('__globals__'))['os'].system('touch pwned') for W in "
    "[type(type(1))('W',(str,),{'m':1,'startswith':lambda s,x:0,'__eq__':lambda s,x:0})]]"
    " and 'red'\">x</font>"
)
MARKUP = [
    "Ann <b>Lee</b> & Co",
    "<i>unclosed <b>bold",
    "</para></font></b> closing tags first",
    '<img src="/etc/passwd" width="400" height="400"/>',
    '<a href="file:///etc/passwd">passwd</a>',
    '<link href="file:///etc/shadow">shadow</link>',
    "&amp; &lt;b&gt; &#60;b&#62; &nbsp; &#x3C; &unknown; &#99999999;",
    "<![CDATA[x]]> <!-- comment --> <?xml version='1.0'?>",
    "<para>a</para><br/><br/>",
    "<seq id='x'/> <onDraw name='x'/> <span style='x'>s</span>",
    "| cell | cell | ## heading > quote ~ note - bullet @market_table",
    "{base} {competing} {{ 7 * 7 }} {% raw %} ${HOME} %s",
    SHORT_CVE,
]


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("text", MARKUP, ids=range(len(MARKUP)))
def test_markup_in_the_name_and_competing_companies_is_shown_as_text(here, text):
    assert len(text) <= 300
    data = offer(
        candidate={"name": text},
        competing_offers=[
            {"company": text, "total_comp": 415000},
            {"company": f"{text} again", "total_comp": "EUR 300K", "currency": "EUR"},
        ],
    )
    (here / "o.yaml").write_text(dump(data))
    pdf = made(build(["o.yaml", "-o", "brief.pdf"]), here / "brief.pdf")
    assert pdf.shows(text)
    assert pdf.shows(f"{text} again, €300,000: not compared")  # another currency: listed, not claimed
    assert pdf.flat.count(" ".join(text.split())) >= 3 or pdf.squeezed.count("".join(text.split())) >= 3
    assert pdf.images() == 0  # no <img> was followed
    assert all(t.startswith("/URI https://") for t in pdf.link_targets()), pdf.link_targets()
    assert pdf.reader.metadata["/Author"] == text  # metadata is text too
    assert not (here / "pwned").exists()


def hostile_guide(folder: Path) -> dict[str, str]:
    """Write a guide `evil` whose every text field holds markup and code; return, for each
    field shown in the brief, its text."""
    guide = yaml.safe_load(GUIDE.read_text(encoding="utf-8"))
    shown: dict[str, str] = {}
    count = 0

    def payload(field: str, keep: str = "", show: bool = True) -> str:
        nonlocal count
        count += 1
        text = (
            f'<b>T{count}</b> &amp; <img src="/etc/passwd"/> <a href="file:///etc/passwd">L{count}</a>'
            f" <font color=\"[ [ getattr(pow, 1) ] ] and 'red'\">F{count}</font> | ## # @band_chart"
        )
        if not keep:
            text = "{page} {pages} " + text
        if show:
            shown[field] = text
        return text + keep

    for key in ("title", "role", "company", "parent_company", "as_of"):
        guide[key] = payload(key)
    dna = guide["negotiation_dna"]
    dna["headline"] = payload("dna.headline")
    dna["paragraphs"] = [payload("dna.paragraphs.0"), CVE_PAYLOAD]
    shown["dna.paragraphs.1"] = CVE_PAYLOAD
    for i, entry in enumerate(guide["level_mapping"]):
        entry["company"], entry["level"] = payload(f"levels.{i}.company"), payload(f"levels.{i}.level")
    guide["regions"][1]["name"] = payload("regions.1.name")  # New York, chosen by its alias
    lever = guide["headline_lever"]
    lever["title"], lever["paragraphs"] = payload("headline.title"), [payload("headline.paragraphs.0")]
    lever["emoji"] = payload("headline.emoji", show=False)  # the brief does not show it
    for i, lever in enumerate(guide["levers"]):
        lever["title"] = payload(f"levers.{i}.title")
        # a lever with a template shows it, in the candidate's words, instead of its quote
        lever["quote"] = payload(f"levers.{i}.quote", show="template" not in lever)
        if "template" in lever:
            lever["template"] = payload(f"levers.{i}.template", keep=" {competing}")
            lever["claim"]["text"] = payload(f"levers.{i}.claim", show=False)  # replaced by the user's
    script = guide["script"]
    script["quote"] = payload("script.quote")
    script["template"] = payload(
        "script.template", keep=" {base} {stock} {stock_years} {bonus_pct} {competing}"
    )
    script["accept_text"] = payload("script.accept_text")
    script["claim"]["text"] = payload("script.claim", show=False)
    script["sentences"] = []  # the template is all payload now: no sentence starts as annotated
    for i, fact in enumerate(guide["facts"]):  # the questions show in "Before the call"
        fact["question"] = payload(f"facts.{i}.question")
    guide["sources"] = [
        {"title": payload("sources.0"), "url": 'https://example.com/a?b=1&c="><img src="/etc/passwd"/>'},
        {"title": payload("sources.1")},
    ]
    # the guide's own appendix, under a hostile title (named in the sources and the outline)
    (folder / "appendix.pdf").write_bytes((GUIDE.parent / guide["appendices"][0]["file"]).read_bytes())
    guide["appendices"] = [{"title": payload("appendices.0.title"), "file": "appendix.pdf"}]
    (folder / "evil.yaml").write_text(dump(guide), encoding="utf-8")
    return shown


def test_a_guide_with_hostile_text_in_every_field_is_shown_as_text(here, monkeypatch):
    (here / "guides").mkdir()
    shown = hostile_guide(here / "guides")
    monkeypatch.setenv("MAKE_BRIEF_GUIDES", str(here / "guides"))
    data = offer(guide="evil", region="NYC", competing_offers=[{"company": "Acme", "total_comp": 300000}])
    (here / "o.yaml").write_text(dump(data))
    pdf = made(build(["o.yaml", "-o", "brief.pdf"]), here / "brief.pdf")
    missing = [field for field, text in shown.items() if not pdf.shows(text)]
    assert missing == []
    # the footer names the guide: its "{page}" stays text, the page number is the footer's own
    footer = f"Prepared with make-brief · {shown['title']}"[:60]
    assert all(footer in page for page in pdf.pages[:-1])  # the last page is the appendix
    assert pdf.images() == 0
    assert '/URI https://example.com/a?b=1&c="><img src="/etc/passwd"/>' in pdf.link_targets()
    assert all(t.startswith("/URI https://") for t in pdf.link_targets())
    assert not (here / "pwned").exists()


def test_reportlab_is_pinned_at_a_version_without_cve_2023_33733(here):
    import reportlab
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", text)[:3])

    pinned = re.search(r'"reportlab(?:\[[\w,]+\])?>=([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pinned and version(pinned.group(1)) >= (3, 6, 13)
    assert version(reportlab.Version) >= version(pinned.group(1))
    # even given the payload unescaped, the pinned reportlab does not run it
    with pytest.raises(ValueError):
        SimpleDocTemplate(io.BytesIO()).build([Paragraph(CVE_PAYLOAD, getSampleStyleSheet()["Normal"])])
    assert not (here / "pwned").exists()


def test_a_template_that_reaches_for_python_internals_is_refused(here):
    sections = here / "mine" / "sections"
    sections.mkdir(parents=True)
    cover = (ROOT / "templates" / "default" / "sections" / "cover.j2").read_text()
    (sections / "cover.j2").write_text(cover + "\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    (here / "o.yaml").write_text(dump(offer()))
    result = build(["o.yaml", "--template", "mine", "-o", "brief.pdf"])
    refused(result, "mine/sections/cover.j2:", "refused by the sandbox", "__class__", folder=here)


# --- layout ------------------------------------------------------------------------------------


def test_a_300_character_name_without_spaces_renders_and_a_longer_one_is_refused(here):
    name = "Wolfeschlegelsteinhausenbergerdorff" * 9  # 315 characters, no space
    (here / "o.yaml").write_text(dump(offer(candidate={"name": name[:300]})))
    pdf = made(build(["o.yaml", "-o", "brief.pdf"]), here / "brief.pdf")
    assert name[:300] in pdf.squeezed
    assert len(pdf.pages) == len(made(build(["o.yaml", "-o", "b2.pdf"]), here / "b2.pdf").pages)
    for length in (301, 5000):
        (here / "long.yaml").write_text(dump(offer(candidate={"name": "x" * length})))
        refused(
            build(["long.yaml", "-o", "long.pdf"]),
            "long.yaml:2: candidate.name: ",
            f"is {length:,} characters long; the limit is 300",
            folder=here / "none",
        )
        assert not (here / "long.pdf").exists()


def test_fifty_long_competing_offers_render_and_more_are_refused(here):
    companies = [f"{i:02d}" + "Q" * 298 for i in range(50)]
    data = offer(competing_offers=[{"company": c, "total_comp": 300000 + i} for i, c in enumerate(companies)])
    (here / "o.yaml").write_text(dump(data))
    pdf = made(build(["o.yaml", "-o", "brief.pdf"]), here / "brief.pdf")
    assert [c for c in companies if c not in pdf.squeezed] == []
    assert "$300,049" in pdf.flat
    for count in (51, 300):
        data = offer(competing_offers=[{"company": f"C{i}", "total_comp": 300000} for i in range(count)])
        (here / "many.yaml").write_text(dump(data))
        refused(
            build(["many.yaml", "-o", "many.pdf"]),
            "many.yaml:",
            "competing_offers: more than 50 competing offers",
        )
        assert not (here / "many.pdf").exists()


def _font_lacks(chars: str) -> bool:
    from reportlab.pdfbase.ttfonts import TTFont

    face = TTFont("probe", str(ROOT / "data" / "fonts" / "NotoSans-Regular.ttf")).face
    return all(ord(ch) not in face.charToGlyph for ch in chars)


@pytest.mark.parametrize(
    ("company", "shown", "lacking"),
    [
        ("Acme 😀 Labs 🚀", "Acme Labs", "😀🚀"),
        ("Sara שרה Cohen", "Sara Cohen", "שרה"),
        ("Maryam مريم Haddad", "Maryam Haddad", "مري"),
        ("Wang 王小明 Ming", "Wang Ming", "王小明"),
        ("Kim 김민준", "Kim", "김민준"),
    ],
)
def test_characters_no_font_has_are_left_out_of_other_text_and_named_in_a_warning(
    here, company, shown, lacking, monkeypatch
):
    """Text other than the name keeps the warning; fontconfig is pointed at a configuration with
    no fonts, so no installed font stands in (the name's own case is in test_fonts.py)."""
    assert _font_lacks(lacking)  # the case is real: the bundled font has no glyph for them
    (here / "fonts.conf").write_text('<?xml version="1.0"?><fontconfig></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(here / "fonts.conf"))
    (here / "o.yaml").write_text(dump(offer(competing_offers=[{"company": company, "total_comp": 415000}])))
    result = build(["o.yaml", "-o", "brief.pdf"])
    pdf = made(result, here / "brief.pdf")
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(
        f"warning: o.yaml: the brief's font cannot draw {len(set(lacking))} character(s) ("
    )
    assert set(lacking) <= set(warnings[0]) and "left out" in warnings[0]
    assert shown in pdf.flat
    assert not set(lacking) & set(pdf.text)  # left out, not drawn as empty boxes
    assert result.stdout.strip() == "brief.pdf"


def test_names_with_placeholders_stay_text_in_header_and_footer(here):
    name = "{page} {pages} {candidate} {guide}"
    (here / "o.yaml").write_text(dump(offer(candidate={"name": name})))
    pdf = made(build(["o.yaml", "-o", "brief.pdf"]), here / "brief.pdf")
    brief = pdf.pages[:-1]  # the guide's own appendix page comes last, with its own footer
    assert all(f"Negotiation brief · {name}" in page for page in brief[1:])
    assert all(re.search(rf"page {n} of\s*{len(brief)}", page) for n, page in enumerate(brief, 1))
    assert isinstance(pdf, Pdf)

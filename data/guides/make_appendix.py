"""Regenerate data/guides/how-to-read-this-brief.pdf, the Segment guide's own appendix: one page
on how to read the brief and where its numbers come from.

    python data/guides/make_appendix.py

Its worked example is computed from the bundled guide with make-brief's own functions, so the
page cannot drift from the figures the brief shows. The output is reproducible (invariant=1;
run it without SOURCE_DATE_EPOCH set, which reportlab would use as the file's date).
"""

from decimal import Decimal
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

from make_brief.advice.compute import derive_ask
from make_brief.guides.catalogue import load_guide
from make_brief.money.amounts import fmt_money, fmt_money_short, fmt_pct

rl_config.useA85 = 0  # binary streams, as the brief's own (render.py)
HERE = Path(__file__).resolve().parent
FONTS = HERE.parent / "fonts"
GUIDE = HERE / "segment-engineering-manager.yaml"
OUT = HERE / "how-to-read-this-brief.pdf"
TITLE = "How to read this brief and where the numbers come from"
ACCENT = colors.HexColor("#0b5cad")
TEXT = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")


def styles() -> dict[str, ParagraphStyle]:
    faces = {"Noto": "Regular", "Noto-Bold": "Bold", "Noto-Italic": "Italic", "Noto-BoldItalic": "BoldItalic"}
    for name, face in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(FONTS / f"NotoSans-{face}.ttf")))
    pdfmetrics.registerFontFamily(
        "Noto", normal="Noto", bold="Noto-Bold", italic="Noto-Italic", boldItalic="Noto-BoldItalic"
    )
    body = ParagraphStyle("body", fontName="Noto", fontSize=9.6, leading=13.6, textColor=TEXT, spaceAfter=4)
    return {
        "title": ParagraphStyle(
            "title", body, fontName="Noto-Bold", fontSize=17, leading=22, textColor=ACCENT
        ),
        "h2": ParagraphStyle(
            "h2",
            body,
            fontName="Noto-Bold",
            fontSize=11.5,
            leading=15,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "body": body,
        "small": ParagraphStyle("small", body, fontSize=8, leading=11, textColor=MUTED),
    }


def bullets(items: list[str], style: ParagraphStyle) -> ListFlowable:
    return ListFlowable(
        [ListItem(Paragraph(t, style), leftIndent=10) for t in items],
        bulletType="bullet",
        start="•",
        leftIndent=10,
        bulletFontName="Noto",
        bulletFontSize=9,
    )


def worked_example() -> dict[str, str]:
    """The base ask moved from the script's region to New York, as the brief derives it."""
    guide = load_guide(GUIDE)
    home, other = guide.script_region, guide.region("New York")
    ask = derive_ask("base", guide.script.base, home.base, other.base, None)
    usd = lambda v: fmt_money(Decimal(str(v)), "USD", "en_US")  # noqa: E731
    short = lambda v: fmt_money_short(Decimal(str(v)), "USD", "en_US")  # noqa: E731
    raw = Decimal(str(other.base.low)) + ask.guide_position * (
        Decimal(str(other.base.high)) - Decimal(str(other.base.low))
    )
    return {
        "as_of": "February 2026" if guide.as_of == "2026-02" else str(guide.as_of),
        "home": home.name,
        "base": short(guide.script.base),
        "home_band": f"{short(home.base.low)}–{short(home.base.high)}",
        "position": fmt_pct(ask.guide_position),
        "ny_band": f"{short(other.base.low)}–{short(other.base.high)}",
        "raw": usd(raw.quantize(Decimal(1))),
        "derived": usd(ask.derived),
        "bonus": f"{guide.script.bonus_pct}%",
    }


READING = [
    "<b>At a glance</b>: your offer's annual total comp and where it sits in your region's band,"
    " your three asks, the stock grant above which to accept, and the lever to lead with.",
    "<b>The market</b>: the guide's bands for every region, yours highlighted, with a row for your"
    " offer (its position in each band) and one for your asks. In the chart, the red diamond is"
    " your offer and the blue triangle your ask.",
    "<b>Before the call</b>: the guide's questions about you that your offer file has not answered"
    " yet, and what a yes to each would unlock.",
    "<b>Negotiation DNA and levers</b>: the guide's reasoning. Each lever gets one verdict: yours to"
    " use (everything it rests on is confirmed in your offer file), not yours (you answered no, or"
    " it needs a competing offer above this one that you do not have), or only if true (a question"
    " is still open).",
    "<b>Your script</b>: the words to say, with your numbers in bold, and only sentences you can say"
    " as they stand. One that rests on an open question waits in the box headed Only if true.",
    "<b>Evidence &amp; sources</b>: what the guide cites for its figures.",
]
NUMBERS = [
    "<b>The bands</b> are the guide's, figures as of {as_of}, each region in its own currency."
    " Stock bands are grants over the whole vesting period (four years). They are the guide's"
    " estimates from the sources it lists: not offers, and not guarantees.",
    "<b>Your offer</b> is what your offer file says, as you entered it.",
    "<b>Annual total comp</b> = base + stock ÷ vesting years + base × bonus %. A sign-on is"
    " first-year cash and is shown apart.",
    "<b>Position in a band</b> = (value – low) ÷ (high – low): 0% is the bottom of the band, 100%"
    " the top. An offer below or above the band is said so in words.",
    "<b>Your asks</b> keep the position of the guide's own. Its script was written for {home}:"
    " the {base} base ask is {position} of the way through {home}'s {home_band} band. In New York"
    " ({ny_band}) the same point is {raw}, which the brief rounds to the nearest thousand:"
    " {derived}. Stock and the accept threshold move the same way; the bonus target stays {bonus}."
    " No ask is ever below what you were already offered.",
    "<b>Competing offers</b> are only ever the ones in your offer file, and only one above your"
    " offer is leverage. The guide's own claims (the offers it says it has) are never said for"
    " you: without an offer of your own above this one, that sentence is left out of your script.",
]
KEEP_IN_MIND = [
    "This guide's total-comp bands are about 5% above the sum of their parts (base + stock ÷ 4 +"
    " bonus). The brief computes your total from the parts, so your total can sit lower in its"
    " band than the parts do. <i>make-brief guides check</i> shows the figures.",
    "No currency is converted: each region's figures stay in its own currency.",
    "Bands move. Check the guide's date against your own sources before the call.",
]


def story() -> list:
    s, x = styles(), worked_example()
    return [
        Paragraph(TITLE, s["title"]),
        Paragraph(
            "An appendix of the Engineering Manager guide for Segment, bundled with make-brief.", s["small"]
        ),
        Paragraph("Reading it", s["h2"]),
        bullets(READING, s["body"]),
        Paragraph("Where the numbers come from", s["h2"]),
        bullets([text.format(**x) for text in NUMBERS], s["body"]),
        Paragraph("Worth keeping in mind", s["h2"]),
        bullets(KEEP_IN_MIND, s["body"]),
        Spacer(0, 4 * mm),
        Paragraph("Generated by data/guides/make_appendix.py from the guide's own data.", s["small"]),
    ]


def main() -> None:
    doc = SimpleDocTemplate(
        str(OUT),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=TITLE,
        author="make-brief",
        subject="Appendix of the Segment Engineering Manager guide",
        invariant=1,
        initialFontName="Noto",
        initialFontSize=9.6,
    )
    doc.build(story())
    print(OUT)


if __name__ == "__main__":
    main()

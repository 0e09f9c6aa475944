"""Regenerate examples/offer-letter.pdf, the fictional offer letter used as the example's appendix.

python examples/make_offer_letter.py
"""

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

HERE = Path(__file__).resolve().parent

TEXT = [
    ("Title", "Offer of employment"),
    ("Normal", "28 November 2026"),
    ("Normal", "Dear Jane Doe,"),
    (
        "Normal",
        "We are delighted to offer you the position of <b>Engineering Manager</b> at Segment, "
        "a Twilio company, based in our New York office.",
    ),
    (
        "Normal",
        "Base salary: $210,000 a year.<br/>"
        "Restricted stock units: $180,000, vesting over four years.<br/>"
        "Target bonus: 15% of base salary.<br/>Sign-on bonus: $20,000, paid with your first salary.",
    ),
    (
        "Normal",
        "This is a fictional letter bundled with make-brief as an example appendix. "
        "It is not an offer from any company.",
    ),
    ("Normal", "Sincerely,<br/>The Example Recruiting Team"),
]


def main() -> None:
    styles = getSampleStyleSheet()
    story = []
    for style, text in TEXT:
        story += [Paragraph(text, styles[style]), Spacer(0, 5 * mm)]
    doc = SimpleDocTemplate(
        str(HERE / "offer-letter.pdf"),
        pagesize=A4,
        title="Offer letter (example)",
        author="make-brief example",
        invariant=1,
    )
    doc.build(story)


if __name__ == "__main__":
    main()

"""Right-to-left runs (Arabic, Hebrew) in the order reportlab must draw them: reportlab lays
every line out left to right and reorders right-to-left text only with rlbidi, which the
package registries do not have. python-bidi (the Unicode bidirectional algorithm) gives each
line's visual order here, for a run of text that holds a right-to-left character; everything
else is left as it is, so a brief in Latin, CJK or Korean text keeps its bytes.

Where reportlab shapes (uharfbuzz, reportlab[shaping]), each right-to-left word is handed to
it in its own logical order, and harfbuzz draws its letters right to left and joined; only the
words' order is the visual one. Without shaping (the page header, drawn on the canvas), the
letters too are put in visual order. The text of e-mails is never passed here: only the PDF
is drawn in visual order.
"""

from __future__ import annotations

import re
from functools import lru_cache

# the right-to-left scripts' blocks: Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic,
# Arabic Extended, and the presentation forms of Hebrew and Arabic
_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
RTL = re.compile(f"[{_RTL}]")
_WORD = re.compile(f"[{_RTL}\u064b-\u065f\u0670]+")  # a right-to-left word, with its marks
_MARKUP = re.compile(r"(<[^>]*>|&[#\w]+;)")


def has_rtl(text: str) -> bool:
    return RTL.search(text) is not None


@lru_cache(maxsize=1024)
def visual(text: str, shaped: bool = True) -> str:
    """One line of plain `text` in visual order (a left-to-right line: the brief's sentences
    are English or another left-to-right language); with `shaped`, each right-to-left word's
    letters stay in logical order, for the shaper."""
    if not has_rtl(text):
        return text
    from bidi import get_display

    shown = get_display(text, base_dir="L")
    return _WORD.sub(lambda m: m.group()[::-1], shown) if shaped else shown


def visual_markup(markup: str, shaped: bool = True) -> str:
    """Paragraph markup with the text between its tags and entities in visual order."""
    if not has_rtl(markup):
        return markup
    return "".join(
        piece if piece.startswith(("<", "&")) else visual(piece, shaped) for piece in _MARKUP.split(markup)
    )


@lru_cache(maxsize=1)
def shaping() -> bool:
    """Whether reportlab can shape (uharfbuzz installed)."""
    from reportlab.pdfbase import ttfonts

    return getattr(ttfonts, "uharfbuzz", None) is not None

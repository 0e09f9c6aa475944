"""The paragraph that breaks its lines once per width, sharing them across the briefs of a
process through lines.py's cache (the same lines give the same pages)."""

from __future__ import annotations

import re
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Paragraph,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText

from .bidi import has_rtl
from .lines import LINES
from .styles import Styles


class CachedParagraph(Paragraph):
    """A Paragraph that breaks its lines once per width, and takes them from an earlier
    paragraph of this process with the same markup, style, bullet and width.

    platypus measures most flowables more than once at the same width: a KeepTogether wraps
    its content and the frame wraps it again, a Table wraps its cells to size its rows and
    again to draw them. Half the line breaking of a brief was such repeats. The lines depend
    only on the paragraph's text, style and widths. reportlab's breakLines also replaces
    `frags` with the words it measured, which the lines point into: the lines kept are those
    of that same call, so the two stay matched. The parts of a split paragraph are new
    paragraphs, with no lines of their own yet.

    Across paragraphs (lines.py): markup is parsed only when its first break is not in
    the cache, and a shared layout is never changed: before a split, or a break at another
    width, the paragraph parses and breaks again for itself, as it would have without the
    cache, so the same pages result."""

    def __init__(
        self,
        text: Any,
        style: Any = None,
        bulletText: Any = None,  # noqa: N803 (reportlab's name)
        frags: Any = None,
        **kw: Any,
    ) -> None:
        source = _source_key(text, style, bulletText, frags, kw)
        if source is None:
            super().__init__(text, style, bulletText, frags, **kw)
            return
        # what Paragraph.__init__ sets before it parses; the parse waits for the first break
        self.caseSensitive, self.encoding = kw.get("caseSensitive", 1), kw.get("encoding", "utf8")
        self.text, self.style, self.debug = text, style, 0
        self.bulletText = bulletText or getattr(style, "bulletText", None)
        self._input, self._source = (text, style, self.bulletText), source

    @property
    def frags(self) -> Any:
        found = self.__dict__.get("_frags", _UNSET)
        if found is _UNSET:  # asked before its first break: parsed now, privately
            self._parse()
            found = self.__dict__["_frags"]
        return found

    @frags.setter
    def frags(self, value: Any) -> None:
        self.__dict__["_frags"] = value

    def _parse(self) -> None:
        text, style, bullet = self.__dict__["_input"]
        Paragraph._setup(self, text, style, bullet, None, cleanBlockQuotedText)

    def breakLines(self, width: Any) -> Any:  # noqa: N802 (reportlab's name)
        key = tuple(width) if isinstance(width, (list, tuple)) else width
        mine = self.__dict__
        broken = mine.get("_broken")
        if broken is not None and broken[0] == key:
            return broken[1]
        if broken is None and "_frags" not in mine and "_source" in mine:
            lines = self._break_shared(width, key)
        else:
            if mine.get("_shared"):
                self._own()
            lines = super().breakLines(width)
        self._broken = (key, lines)
        return lines

    def _break_shared(self, width: Any, key: Any) -> Any:
        """The first break: the cache's, or parsed and broken here and kept in the cache."""
        full = (self._source, key)
        found = LINES.get(full)
        if found is not None:
            state, lines, widths_after = found
            self.__dict__.update(state)
            if isinstance(width, list):  # breakLines narrows the first width for a bullet
                width[:] = widths_after
        else:
            before = dict(self.__dict__)
            self._parse()
            lines = super().breakLines(width)
            state = {
                k: v
                for k, v in self.__dict__.items()
                if k not in _OWN_KEYS and (k not in before or before[k] is not v)
            }
            LINES.put(full, (state, lines, list(width) if isinstance(width, list) else width))
        self._shared = True
        return lines

    def _own(self) -> None:
        """A layout of its own in place of the shared one, made as it would have been made
        without the cache: parsed, then broken at the widths of its first break."""
        first = self._broken[0]
        shared = self._broken[1]
        self._parse()
        lines = super().breakLines(list(first) if isinstance(first, tuple) else first)
        if self.__dict__.get("blPara") is shared:
            self.blPara = lines
        self._broken = (first, lines)
        self._shared = False

    def split(self, availWidth: Any, availHeight: Any) -> Any:  # noqa: N803 (reportlab's names)
        if self.__dict__.get("_shared"):  # a split changes the lines it splits
            self._own()
        return super().split(availWidth, availHeight)


_UNSET = object()
_OWN_KEYS = frozenset({"_broken", "_shared", "_source", "_input", "canv"})
_STYLE_NAMES = frozenset(ParagraphStyle.defaults) | {"bulletText", "keepWithNext"}
_MARKUP_THAT_CHANGES_STYLE = re.compile(r"<\s*(para|bullet)\b", re.I)


def _source_key(text: Any, style: Any, bullet: Any, frags: Any, kw: dict[str, Any]) -> tuple | None:
    """What a paragraph's parse and first break depend on, or None when it is not to be
    shared: given fragments, markup that changes the style or the bullet, or a style holding
    a value that cannot be compared by value."""
    if frags is not None or not isinstance(text, str) or style is None or not LINES.enabled:
        return None
    if not isinstance(bullet, (str, type(None))) or _MARKUP_THAT_CHANGES_STYLE.search(text):
        return None
    style_key = LINES.style_key(style, _STYLE_NAMES)
    if style_key is None:
        return None
    return (text, style_key, bullet, kw.get("caseSensitive", 1), kw.get("encoding", "utf8"))


def para(markup: str, style: ParagraphStyle, st: Styles, bullet: str | None = None) -> Paragraph:
    return CachedParagraph(
        st.markup(markup), shaped(style, markup), bulletText=None if bullet is None else st.drawable(bullet)
    )


_SHAPED: dict[int, ParagraphStyle] = {}


def shaped(style: ParagraphStyle, markup: str) -> ParagraphStyle:
    """`style`, shaped by uharfbuzz when `markup` holds right-to-left text (so that its letters
    join and run right to left; bidi.py orders its words); else `style` itself, unshaped, as
    every other paragraph is (the same bytes as before)."""
    if not has_rtl(markup):
        return style
    if id(style) not in _SHAPED:
        _SHAPED[id(style)] = ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)
    return _SHAPED[id(style)]

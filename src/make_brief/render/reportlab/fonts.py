"""Fonts for the characters a template's font cannot draw: a candidate's name in Chinese,
say, with a template whose font has only Latin letters.

Installed fonts are found with fontconfig (``fc-list :charset=...``, run as a program; no
network), which knows every font the system has. The one chosen is cut down with fontTools to
just the characters needed, and a font with PostScript (CFF) outlines, as Noto CJK is, gets
TrueType outlines (fontTools' cu2qu), because reportlab embeds TrueType only. The result is
TrueType bytes, for styles.py to register; this module never imports reportlab.

Without fontconfig (Windows; a Mac without Homebrew's fontconfig) nothing is found, and the
caller decides: a candidate's name is then refused, other text is left out with a warning.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

import msgspec

from .bidi import has_rtl

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

FC_TIMEOUT = 30
MAX_ALONE = 64  # characters looked up one by one when no single font has them all
_REGULAR = ("regular", "book", "normal", "roman", "medium")


class Face(msgspec.Struct, frozen=True):
    """An installed font file (and its index in a collection) as fontconfig reports it."""

    file: str
    index: int
    format: str
    family: str
    style: str


class Fallback(msgspec.Struct, frozen=True):
    """TrueType bytes with the characters `chars`, cut from `face`."""

    face: Face
    chars: frozenset[str]
    data: bytes


def fallbacks(chars: frozenset[str]) -> list[Fallback]:
    """Fonts that draw `chars` (as few as can be); characters no installed font has are in
    none of them."""
    wanted = frozenset(ch for ch in chars if not ch.isspace())
    if not wanted:
        return []
    face = _best(wanted)
    if face is not None:
        return [_cut(face, wanted)]
    found: dict[Face, set[str]] = {}
    for ch in sorted(wanted)[:MAX_ALONE]:
        single = _best(frozenset(ch))
        if single is not None:
            found.setdefault(single, set()).add(ch)
    return [_cut(f, frozenset(cs)) for f, cs in sorted(found.items(), key=lambda item: item[0].file)]


def _best(chars: frozenset[str]) -> Face | None:
    faces = covering(chars)
    return min(faces, key=_rank) if faces else None


def _rank(face: Face) -> tuple:
    """TrueType outlines first (no conversion), regular weight, proportional, sans; then by
    name, so the same machine always picks the same font."""
    style, family = face.style.lower(), face.family.lower()
    return (
        face.format != "TrueType",
        not any(word in style for word in _REGULAR),
        "mono" in family,
        "sans" not in family,
        face.family,
        face.file,
        face.index,
    )


def covering(chars: frozenset[str]) -> tuple[Face, ...]:
    """The installed fonts that have every character of `chars` (none without fontconfig),
    as fontconfig's configuration of the moment says."""
    config = tuple(os.environ.get(name, "") for name in ("FONTCONFIG_FILE", "FONTCONFIG_PATH"))
    return _covering(chars, config)


@lru_cache(maxsize=256)
def _covering(chars: frozenset[str], config: tuple[str, ...]) -> tuple[Face, ...]:
    program = shutil.which("fc-list")
    if program is None:
        return ()
    charset = " ".join(f"{ord(ch):x}" for ch in sorted(chars))
    form = "%{file}\t%{index}\t%{fontformat}\t%{family[0]}\t%{style[0]}\n"
    try:
        done = subprocess.run(
            [program, "--format", form, f":charset={charset}"],
            capture_output=True,
            timeout=FC_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    faces = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) == 5 and parts[1].isdigit() and parts[0].lower().endswith((".ttf", ".otf", ".ttc")):
            faces.append(Face(parts[0], int(parts[1]), parts[2], parts[3], parts[4]))
    return tuple(faces)


@lru_cache(maxsize=64)
def _cut(face: Face, chars: frozenset[str]) -> Fallback:
    """`face` cut down to `chars`, with TrueType outlines."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # no clock in the cut: fontTools stamps head.modified with the time it saves (the brief's
    # bytes, and the cut's name, which is made of them, would change second by second)
    font = TTFont(face.file, fontNumber=face.index, lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    # reportlab shapes only right-to-left text (bidi.py): its joining forms are kept, for
    # uharfbuzz; any other cut keeps one glyph per character
    options.layout_features = ["*"] if any(has_rtl(ch) for ch in chars) else []
    options.drop_tables += ["FFTM", "DSIG"]
    subsetter = subset.Subsetter(options)
    wanted = sorted(ord(ch) for ch in chars)  # not in the set's order, which differs by process
    if options.layout_features:  # the joined forms keep their presentation-form code points,
        wanted += [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFD)]  # so the text layer reads
    subsetter.populate(unicodes=wanted)
    with _quiet("fontTools"):  # its notes on tables it drops are not for the user
        subsetter.subset(font)
    if "CFF " in font or "CFF2" in font:
        _to_truetype(font)
    out = io.BytesIO()
    font.save(out)
    return Fallback(face, chars, out.getvalue())


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _to_truetype(font: TTFont) -> None:
    """Replace a font's cubic (CFF) outlines by quadratic (glyf) ones, as fontTools' own
    otf2ttf snippet does."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    outlines = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        outlines[name] = pen.glyph()
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, outlines
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs"):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    for field in ("maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"

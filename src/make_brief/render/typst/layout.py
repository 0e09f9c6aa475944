"""The brief laid out by Typst: brief.typ (beside this module) reads the composed brief as
JSON data (data.py) from ``sys.inputs`` and lays it out; the compiler (the `typst` package, the
optional extra ``make-brief[typst]``) is made once per process and set of font folders, so that
a batch's workers keep its fonts and parsed template warm.

The PDF is tagged (headings, tables with header cells, lists, figures with their alternative
text, the page furniture as artifacts), with the document's language and title; asked for
standards (``Options.standards``: "ua-1", "a-2b") it claims them, and the compiler refuses a
document that breaks them, which is one line here. Identical inputs give identical bytes: the
PDF is dated by the brief's day (`timestamp`), never by the clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...compose.sandbox import plain
from ...errors import SettingError, TemplateError
from ..backend import Options, Rendered
from .data import brief_data

if TYPE_CHECKING:
    from ...compose.document import Document
    from ...compose.templates import Template

TYP = Path(__file__).resolve().parent / "brief.typ"
PAPER = {"a4": "a4", "letter": "us-letter"}
STANDARD_NAMES = {"ua-1": "PDF/UA-1", "a-2b": "PDF/A-2b"}
_INVISIBLE = frozenset("\ufe0e\ufe0f\u200d\u200b\u200e\u200f")
_COMPILERS: dict[tuple[str, ...], Any] = {}


def typst_module() -> Any:
    """The typst package, or one line saying how to install it."""
    try:
        import typst
    except ImportError:
        raise SettingError(
            "the typst back end needs the typst package",
            field="--backend",
            hint="pip install 'make-brief[typst]'",
        ) from None
    return typst


def compiler(folders: tuple[str, ...]) -> Any:
    """This process's compiler for the template's font folders (system fonts too, for a name
    in a script the template's font lacks): fonts found and brief.typ parsed once."""
    if folders not in _COMPILERS:
        typst = typst_module()
        _COMPILERS[folders] = typst.Compiler(str(TYP), root="/", font_paths=list(folders))
    return _COMPILERS[folders]


def render(brief: Document, template: Template, options: Options) -> Rendered:
    """The brief as tagged PDF bytes, its page count and the characters no font could draw."""
    typst = typst_module()
    size = (options.page_size or template.style.page_size).lower()
    if size not in PAPER:
        raise TemplateError(f"unknown page size {size!r}", hint="use a4 or letter")
    folders = tuple(sorted({str(path.parent) for path in template.fonts}))
    data = brief_data(brief, template, family(template), language(template.style.language))
    inputs = {"brief": data.decode(), "paper": PAPER[size]}
    stamp = datetime.combine(options.day, time(0), tzinfo=timezone.utc)
    try:
        pdf = compiler(folders).compile(
            format="pdf", sys_inputs=inputs, timestamp=stamp, pdf_standards=list(options.standards)
        )
    except typst.TypstError as exc:
        raise _refused(exc, options.standards, template) from None
    return Rendered(pdf, page_count(pdf), missing(brief, template))


def _refused(exc: Any, standards: tuple[str, ...], template: Template) -> Exception:
    """Typst's refusal as one line: a standard the brief would break names the standard."""
    message = " ".join(str(getattr(exc, "message", exc)).split())[:300]
    hints = list(getattr(exc, "hints", None) or [])
    hint = " ".join(str(hints[0]).split())[:200] if hints else None
    if standards:
        claimed = " and ".join(STANDARD_NAMES.get(s, s) for s in standards)
        return SettingError(
            f"Typst refused to write the brief as {claimed}: {message}", field="--pdf-standard", hint=hint
        )
    return TemplateError(
        f"the brief could not be laid out by Typst: {message}", file=template.folders[0], hint=hint
    )


def page_count(pdf: bytes) -> int:
    """The pages of a PDF Typst wrote (each page object says /Type /Page)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def family(template: Template) -> str:
    """The font family of the template's four faces: Typst picks faces by family, weight and
    style, so the four must be one family (one line naming the face that is not)."""
    families = [_family_of(path) for path in template.fonts]
    names = ("regular", "bold", "italic", "bold_italic")
    for name, found in zip(names[1:], families[1:], strict=True):
        if found != families[0]:
            raise template.style_error(
                f"fonts.{name}",
                f"the typst back end takes the four faces of one family: fonts.{name} is {found!r},"
                f" fonts.regular {families[0]!r}",
                hint="name four faces of one family, or use --backend reportlab",
            )
    return families[0]


@lru_cache(maxsize=32)
def _family_of(path: Path) -> str:
    typst = typst_module()
    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(path.parent)]
    )
    target = str(path.resolve())
    for info in fonts.fonts():
        if info.path is not None and str(Path(info.path).resolve()) == target:
            return str(info.family)
    return path.stem


def language(code: str) -> tuple[str, str | None]:
    """A template's language (CLDR, "fr_CA") as Typst's lang and region ("fr", "ca")."""
    lang, _, region = code.replace("-", "_").partition("_")
    return lang.lower(), (region.lower() or None) if len(region) == 2 else None


def missing(brief: Document, template: Template) -> frozenset[str]:
    """The characters of the brief that neither the template's font nor any installed font
    (as fontconfig finds them) has: Typst would draw them as empty boxes."""
    text = set(brief.title + brief.header + brief.footer)
    for section in brief.sections:
        for block in section.blocks:
            text.update(plain(block.text))
            text.update(ch for row in block.rows for cell in row for ch in plain(cell))
            if block.table is not None:
                text.update("".join(block.table.header) + "".join(c for r in block.table.rows for c in r))
    lacking = {ch for ch in text if not ch.isspace()} - _covered(template.fonts[0]) - _INVISIBLE
    if not lacking:
        return frozenset()
    from ..reportlab.fonts import covering  # fontconfig: which installed fonts have a character

    return frozenset(ch for ch in lacking if not covering(frozenset(ch)))


@lru_cache(maxsize=16)
def _covered(path: Path) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(map(chr, font.getBestCmap()))


def warm_up(template_name: str | Path | None, day: date) -> None:
    """A worker's compiler made, its fonts found and brief.typ parsed, before its first brief
    (by laying out a brief of one line); a template that fails is left to the first brief."""
    from ...compose.document import Block, Document, Section
    from ...compose.templates import load_template

    try:
        template = load_template(template_name)
        empty = Document("warm", "", "", "", "", "", (Section("warm", "warm", (Block("para", "warm"),)),))
        render(empty, template, Options(day))
    except Exception:  # the first brief says what is wrong, with its own file and field
        return

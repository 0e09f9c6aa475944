"""Template folders: the brief's look (style.yaml) and its wording (sections/*.j2).

A template folder may define only part of a template: anything it leaves out comes from the
bundled ``default``. Wording is rendered by Jinja's sandbox (see sandbox.py), and every value
is escaped for reportlab's paragraph markup, so that data from offers and guides stays data.
Files a template names (fonts, a logo) are looked up only inside the template folders (and,
for fonts, make-brief's bundled data/fonts/).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from ..errors import BriefError, OutputError, TemplateError
from ..files.fs import is_dir
from ..files.loading import Document, convert, load_yaml
from ..files.resources import data_dir, templates_dir
from ..model import Model
from .sandbox import escape_data, plain, raised_at  # noqa: F401  (escape_data, plain: public here)

DEFAULT = "default"
MAX_FILE_BYTES = 20_000_000  # a font or a logo

Hex = Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")]
Size = Annotated[float, msgspec.Meta(ge=4, le=72)]
Space = Annotated[float, msgspec.Meta(ge=0, le=200)]
SectionName = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class Margins(Model, frozen=True):
    top: Space
    bottom: Space
    left: Space
    right: Space


class Fonts(Model, frozen=True):
    regular: str
    bold: str
    italic: str
    bold_italic: str


class Colors(Model, frozen=True, kw_only=True):
    text: Hex
    muted: Hex
    title: Hex
    title_background: Hex | None = None  # a band of colour behind the title
    heading: Hex
    accent: Hex  # table headers, rules that mark things
    on_accent: Hex  # text on the accent colour
    accent_light: Hex  # quotes, "your offer" rows
    rule: Hex
    highlight: Hex  # the candidate's region in the market table
    link: Hex
    good: Hex
    warn: Hex
    band: Hex  # chart: the market band, the offer and the ask markers
    offer: Hex
    ask: Hex


class Sizes(Model, frozen=True):
    title: Size
    h2: Size
    h3: Size
    body: Size
    small: Size
    table: Size


class Spacing(Model, frozen=True):
    paragraph: Space
    section: Space
    heading_after: Space
    cell_padding: Space
    chart_row: Annotated[float, msgspec.Meta(ge=20, le=120)]


class Labels(Model, frozen=True):
    """Words the code puts into tables and the chart (plain text, not markup)."""

    region: str
    base: str
    stock: str
    bonus: str
    total: str
    your_offer: str
    your_ask: str
    offer_cell: str
    below_band: str
    above_band: str
    stock_years_note: str
    chart_band: str
    chart_offer: str
    chart_ask: str


class Metadata(Model, frozen=True):
    title: str
    subject: str
    keywords: str


class Style(Model, frozen=True, kw_only=True):
    name: str
    description: str = ""
    language: str
    date_format: str
    page_size: Literal["a4", "letter"]
    margins_mm: Margins
    fonts: Fonts
    colors: Colors
    sizes: Sizes
    leading: Annotated[float, msgspec.Meta(ge=0.8, le=3)]
    spacing: Spacing
    bullet: Annotated[str, msgspec.Meta(max_length=3)]
    logo: str | None = None
    logo_width_mm: Annotated[float, msgspec.Meta(ge=5, le=120)]
    header: str
    footer: str
    sections: Annotated[list[SectionName], msgspec.Meta(min_length=1, max_length=40)]
    guide_appendices: bool = True
    # PDF standards the brief claims and meets (the typst back end): "ua-1", "a-2b" or both
    pdf_standard: Literal["ua-1", "a-2b"] | list[Literal["ua-1", "a-2b"]] | None = None
    labels: Labels
    metadata: Metadata


FONT_KEYS = ("regular", "bold", "italic", "bold_italic")


def standards_of(style: Style) -> tuple[str, ...]:
    """The PDF standards a style's `pdf_standard` asks for, in a stable order."""
    asked = style.pdf_standard
    found = [asked] if isinstance(asked, str) else list(asked or ())
    return tuple(sorted(set(found)))


class Template(msgspec.Struct, frozen=True):
    """A loaded template: its style, where its files are, and its sandboxed Jinja environment."""

    style: Style
    folders: tuple[Path, ...]  # the template's own folder first, then the default's
    env: Any  # jinja2.sandbox.ImmutableSandboxedEnvironment (imported lazily)
    fonts: tuple[Path, Path, Path, Path]  # regular, bold, italic, bold italic
    logo: Path | None
    style_files: tuple[Document, ...]  # the template's style.yaml first, then the default's

    def render(self, name: str, context: dict[str, Any]) -> str:
        """The wording template `name` (e.g. ``sections/cover.j2``) rendered with `context`."""
        import jinja2

        from .bounds import SECTION, TooLongError, render_within, too_long

        try:
            return render_within(self.env.get_template(name), context, SECTION)
        except TooLongError as exc:
            file, line = raised_at(exc)
            what = f"the section {Path(name).stem!r}"
            message = too_long(what, SECTION, "one section", exc)
            raise TemplateError(message, file=file or self.source(name), line=line) from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                exc.message or "syntax error", file=exc.filename or self.source(name), line=exc.lineno
            ) from None
        except jinja2.TemplateNotFound as exc:
            file, line = raised_at(exc)
            raise TemplateError(
                f"no template {exc.name!r}",
                file=file or self.source(name),
                line=line,
                hint="a template can include only files of the template folders",
            ) from None
        except jinja2.exceptions.SecurityError as exc:
            file, line = raised_at(exc)
            raise TemplateError(f"refused by the sandbox: {exc}", file=file or name, line=line) from None
        except jinja2.UndefinedError as exc:
            file, line = raised_at(exc)
            raise TemplateError(f"{exc.message}", file=file or name, line=line) from None
        except BriefError:
            raise
        except Exception as exc:  # a template's own error (division by zero, bad filter use)
            file, line = raised_at(exc)
            raise TemplateError(f"{type(exc).__name__}: {exc}", file=file or name, line=line) from None

    def source(self, name: str) -> Path:
        """The file that wording template `name` is read from."""
        return next((f / name for f in self.folders if (f / name).is_file()), self.folders[0] / name)

    def locate(self, name: str, needle: str) -> tuple[Path, int | None]:
        """The file of template `name` and its first line that holds `needle` (for errors
        found in what the template wrote)."""
        path = self.source(name)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        return path, next((i for i, text in enumerate(lines, 1) if needle.lower() in text.lower()), None)

    def style_error(self, field: str, message: str, hint: str | None = None) -> TemplateError:
        """An error at the line of `field` in the style.yaml that sets it."""
        return _style_error(self.style_files, field, message, hint)


def _style_error(
    docs: tuple[Document, ...], field: str, message: str, hint: str | None = None
) -> TemplateError:
    for doc in docs:
        if field in doc.lines:
            return TemplateError(message, file=doc.path, line=doc.lines[field], field=field, hint=hint)
    return TemplateError(message, file=docs[0].path, field=field, hint=hint)


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each ``{name}`` of `values` replaced; other braces are left as they are."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


# --- finding and loading -------------------------------------------------------------------


def bundled_names() -> list[str]:
    return sorted(p.name for p in templates_dir().iterdir() if (p / "style.yaml").is_file())


def bundled() -> list[tuple[str, str]]:
    """The bundled templates: (name, description)."""
    return [(name, load_template(name).style.description) for name in bundled_names()]


def resolve(name_or_dir: str | Path | None) -> Path:
    """The folder of a bundled template name, or a user's template folder."""
    if name_or_dir is None:
        return templates_dir() / DEFAULT
    candidate = Path(name_or_dir)
    if is_dir(candidate):
        return candidate
    if re.fullmatch(r"[\w-]+", str(name_or_dir)) and (templates_dir() / str(name_or_dir)).is_dir():
        return templates_dir() / str(name_or_dir)
    raise TemplateError(
        f"no template {str(name_or_dir)!r}",
        hint=f"bundled: {', '.join(bundled_names())}; or give a folder",
    )


def load_template(name_or_dir: str | Path | None = None) -> Template:
    folder = resolve(name_or_dir)  # as the user wrote it, so that errors name it so
    default = templates_dir() / DEFAULT
    folders = (default,) if folder.resolve() == default.resolve() else (folder, default)
    key = (folder.resolve(), str(folder), _signature(folders))
    if key not in _CACHE:
        _CACHE.clear()  # one template at a time is the common case; keep memory flat
        _CACHE[key] = _load(folders)
    return _CACHE[key]


_CACHE: dict[tuple, Template] = {}


def _signature(folders: tuple[Path, ...]) -> tuple:
    """What the template's files are now (its top level and sections/), so that a template
    edited while make-brief runs is loaded again."""
    found = []
    for folder in folders:
        for place in (folder, folder / "sections"):
            if place.is_dir():
                for path in sorted(place.iterdir()):
                    stat = path.stat()
                    found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def _load(folders: tuple[Path, ...]) -> Template:
    docs = tuple(_style_doc(f / "style.yaml") for f in folders if (f / "style.yaml").is_file())
    data: dict = {}
    for doc in reversed(docs):
        data = _merge(data, doc.data)
    try:
        style = convert(docs[0], Style, data=data)  # errors name the user's file and line
    except BriefError as exc:
        raise _as_template_error(exc) from None
    for index, name in enumerate(style.sections):
        if not any((f / "sections" / f"{name}.j2").is_file() for f in folders):
            raise _style_error(
                docs,
                f"sections.{index}",
                f"no sections/{name}.j2 in {folders[0]}" + (" or the default" if len(folders) > 1 else ""),
                hint="write that file, or remove the name",
            )
    _check_locale(style, docs)
    regular, bold, italic, bold_italic = (
        _find_file(folders, docs, f"fonts.{key}", getattr(style.fonts, key), fonts=True) for key in FONT_KEYS
    )
    logo = _find_file(folders, docs, "logo", style.logo) if style.logo else None
    if logo is not None and not logo.read_bytes()[:8].startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        raise _style_error(docs, "logo", f"{style.logo!r} is not a PNG or JPEG image")
    from .sandbox import environment

    fonts = (regular, bold, italic, bold_italic)
    return Template(style, folders, environment(folders), fonts, logo, docs)


def _style_doc(path: Path) -> Document:
    try:
        return load_yaml(path, what="style sheet")
    except BriefError as exc:
        raise _as_template_error(exc) from None


def _as_template_error(exc: BriefError) -> TemplateError:
    message = exc.message
    for pattern, plainly in _PLAINLY.items():
        if pattern in message:
            message = plainly
    return TemplateError(message, file=exc.file, field=exc.field, line=exc.line, hint=exc.hint)


_PLAINLY = {  # msgspec's words for the patterns above, said plainly
    "regex '^#[0-9a-fA-F]{6}$'": 'expected a colour written "#rrggbb", such as "#0b5cad"',
    "regex '^[a-z0-9][a-z0-9_-]{0,63}$'": "expected a section name: lowercase letters, digits, - and _",
}


def _merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def format_day(day: date, style: Style) -> str:
    """`day` written in the template's language and date pattern."""
    from babel.dates import format_date

    return format_date(day, style.date_format, locale=style.language.replace("-", "_"))


def _check_locale(style: Style, docs: tuple[Document, ...]) -> None:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(style.language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise _style_error(
            docs, "language", f"unknown language {style.language!r}", hint="a code such as en, de, fr_CA"
        ) from None
    try:
        format_day(date(2026, 1, 31), style)
    except Exception as exc:  # Babel's pattern errors have no common base class
        raise _style_error(docs, "date_format", f"bad date pattern: {exc}", hint="e.g. 'd MMMM y'") from None


def _find_file(
    folders: tuple[Path, ...], docs: tuple[Document, ...], field: str, name: str, *, fonts: bool = False
) -> Path:
    """The file `name` of the template, from its own folder, the default's, or (fonts) the
    bundled fonts: never from anywhere else on the file system."""
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or not name.strip() or not name.isprintable():
        raise _style_error(docs, field, f"{name!r}: name a file inside the template folder")
    for folder in [*folders, *([data_dir() / "fonts"] if fonts else [])]:
        path = (folder / relative).resolve()
        if path.is_file() and path.is_relative_to(folder.resolve()):
            if path.stat().st_size > MAX_FILE_BYTES:
                raise _style_error(docs, field, f"{name!r} is over {MAX_FILE_BYTES:,} bytes")
            return path
    what = "font" if fonts else "image"
    raise _style_error(docs, field, f"{what} file {name!r} not found in {folders[0]}")


# --- export --------------------------------------------------------------------------------


def export_template(name: str, dest: Path) -> list[Path]:
    """Copy template `name` (with the default's files it falls back on) to the new folder
    `dest`, so that it can be edited on its own; return the files written."""
    template = load_template(name)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise OutputError("already exists", file=dest, hint="name a new or empty folder")
    files: dict[Path, Path] = {}
    for folder in reversed(template.folders):  # the template's own files win
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                files[path.relative_to(folder)] = path
    # the counter-offer e-mail's wording (counter.py) falls back on the bundled one
    files.setdefault(Path("email", "counter.j2"), templates_dir() / "email" / "counter.j2")
    from ..files.output import write_folder

    write_folder(dest, files, what="the template")
    return [dest / relative for relative in sorted(files)]

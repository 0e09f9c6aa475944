"""Template folders: the brief's look (style.yaml) and its wording (sections/*.j2).

A template folder may define only part of a template: anything it leaves out comes from the
bundled ``default``. Wording is rendered by Jinja's sandbox with autoescaping, and every value
is escaped for reportlab's paragraph markup, so that data from offers and guides stays data.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from .errors import TemplateError
from .loading import Document, load_yaml
from .resources import data_dir, templates_dir

DEFAULT = "default"


class _Model(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pass


class Fonts(_Model):
    regular: str
    bold: str
    italic: str
    bold_italic: str


class Style(_Model):
    name: str
    page_size: str
    margins_mm: dict[str, float]
    fonts: Fonts
    colors: dict[str, str]
    sizes: dict[str, float]
    leading: float
    spacing: dict[str, float]
    sections: list[str]
    labels: dict[str, str]
    header: str = ""
    footer: str = ""
    logo: str | None = None
    logo_width_mm: float = 30
    description: str = ""


@dataclass(frozen=True)
class Template:
    """A loaded template: its style, where its files are, and its sandboxed Jinja environment."""

    style: Style
    folders: tuple[Path, ...]  # the template's own folder first, then the default's
    env: Any  # jinja2.sandbox.SandboxedEnvironment (imported lazily)

    def find(self, name: str) -> Path | None:
        """A file of the template (a font, a logo), from the first folder that has it."""
        for folder in (*self.folders, data_dir() / "fonts"):
            path = folder / name
            if path.is_file():
                return path
        return None

    def render(self, name: str, context: dict[str, Any]) -> str:
        """The wording template `name` (e.g. ``sections/cover.j2``) rendered with `context`."""
        import jinja2

        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(exc.message or "syntax error", file=exc.filename, line=exc.lineno) from None
        except jinja2.TemplateNotFound:
            raise TemplateError(f"no template {name!r}", file=self.folders[0]) from None
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateError(f"refused by the sandbox: {exc}", file=_frame_file(exc, name)) from None
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"{exc.message}", file=_frame_file(exc, name)) from None
        except TemplateError:
            raise
        except Exception as exc:  # a template's own error (division by zero, bad filter use)
            raise TemplateError(f"{type(exc).__name__}: {exc}", file=_frame_file(exc, name)) from None


def _frame_file(exc: BaseException, name: str) -> str:
    """The template file and line where `exc` was raised, from Jinja's rewritten traceback."""
    tb, found = exc.__traceback__, name
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def bundled_names() -> list[str]:
    return sorted(p.name for p in templates_dir().iterdir() if (p / "style.yaml").is_file())


def resolve(name_or_dir: str | Path | None) -> Path:
    """The folder of a bundled template name, or a user's template folder."""
    if name_or_dir is None:
        return templates_dir() / DEFAULT
    candidate = Path(name_or_dir)
    if candidate.is_dir():
        return candidate
    if re.fullmatch(r"[\w-]+", str(name_or_dir)) and (templates_dir() / str(name_or_dir)).is_dir():
        return templates_dir() / str(name_or_dir)
    raise TemplateError(
        f"no template {str(name_or_dir)!r}",
        hint=f"bundled: {', '.join(bundled_names())}; or give a folder",
    )


def load_template(name_or_dir: str | Path | None = None) -> Template:
    folder = resolve(name_or_dir).resolve()
    return _load(folder)


@lru_cache(maxsize=8)
def _load(folder: Path) -> Template:
    default = (templates_dir() / DEFAULT).resolve()
    data = _style_data(default / "style.yaml")
    if folder != default and (folder / "style.yaml").is_file():
        data = _merge(data, _style_data(folder / "style.yaml"))
    try:
        style = msgspec.convert(data, Style, strict=True)
    except msgspec.ValidationError as exc:
        raise TemplateError(f"invalid style: {exc}", file=folder / "style.yaml") from None
    folders = (folder,) if folder == default else (folder, default)
    return Template(style=style, folders=folders, env=_environment(folders))


def _style_data(path: Path) -> dict:
    try:
        doc: Document = load_yaml(path, what="style sheet")
    except TemplateError:
        raise
    except Exception as exc:  # an InputError from the YAML reader: same words, template kind
        raise TemplateError(
            getattr(exc, "message", str(exc)), file=path, line=getattr(exc, "line", None)
        ) from None
    return doc.data


def _merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


# --- the sandbox ---------------------------------------------------------------------------

_BLOCK_CHARS = re.compile(r"&#?\w+;|[|@#>~\-]")  # entities are kept whole


def escape_data(value: Any) -> Any:
    """A value as inert paragraph text: markup escaped, block markers and line breaks neutral."""
    from markupsafe import Markup, escape

    if isinstance(value, Markup):
        return value
    text = str(escape(" ".join(str(value).split())))
    return Markup(_BLOCK_CHARS.sub(_neutral, text))


def _neutral(match: re.Match[str]) -> str:
    found = match.group()
    return found if len(found) > 1 else f"&#{ord(found)};"


def plain(markup: str) -> str:
    """The text of paragraph markup, without tags or entities (for outlines and metadata)."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def _environment(folders: tuple[Path, ...]) -> Any:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=escape_data,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env

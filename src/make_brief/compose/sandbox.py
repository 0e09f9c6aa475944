"""The wording engine: Jinja's sandbox, and the rules that keep data as data.

A template is text written by a coach or an agency, perhaps shared with others; the values
it shows come from offer files and guides. So:

* templates run in Jinja's immutable sandbox: no attribute that starts with ``_``, no
  Python internals, no mutation of the values they are given, and no text longer than its
  limit (bounds.py);
* they load other templates only from the template folders (Jinja's file loader refuses
  absolute paths and ``..``), and nothing else of the file system;
* every value is escaped for reportlab's paragraph markup (`escape_data`), block markers
  included, so an offer cannot add markup or blocks;
* the markup a template writes itself is checked against a short list of tags
  (`markup_problem`): no ``<img>`` (which would read files or URLs), no ``<onDraw>``, and
  links only to http(s) and mailto addresses.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def environment(folders: Sequence[Path | str], *, plain_text: bool = False) -> Any:
    """The one sandboxed Jinja environment of make-brief, rendering the templates of `folders`,
    first first. For the brief's wording every value is escaped for paragraph markup; for plain
    text (e-mail) nothing is markup, so nothing is escaped, and block tags leave no blank lines.
    No value a template builds may be longer than one section (or one e-mail body): bounds.py."""
    import jinja2

    from .bounds import BODY, SECTION, BoundedEnvironment

    paths = [str(f) for f in folders]
    common: dict[str, Any] = {
        "loader": jinja2.FileSystemLoader(paths) if plain_text else _precompiled_loader(paths),
        "undefined": jinja2.StrictUndefined,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if plain_text:
        return BoundedEnvironment(limit=BODY, autoescape=False, trim_blocks=True, **common)
    return BoundedEnvironment(limit=SECTION, autoescape=True, finalize=escape_data, **common)


def _precompiled_loader(paths: list[str]) -> Any:
    """Jinja's file loader, taking a template's Python from precompiled.py when it has it for
    that very source (a bundled template as shipped) instead of parsing and generating it."""
    import jinja2

    from .precompiled import generated

    class Loader(jinja2.FileSystemLoader):
        def load(self, environment: Any, name: str, globals: Any = None) -> Any:  # noqa: A002
            source, filename, uptodate = self.get_source(environment, name)
            python = generated(environment, name, source)
            if python is None:
                return super().load(environment, name, globals)
            code = compile(python, filename or "<template>", "exec")  # as Jinja compiles it
            return environment.template_class.from_code(environment, code, globals or {}, uptodate)

    return Loader(paths)


def raised_at(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line where `exc` was raised, from Jinja's rewritten traceback."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


# --- the markup a template may write ---------------------------------------------------------

ALLOWED_TAGS: dict[str, tuple[str, ...]] = {
    "b": (),
    "i": (),
    "u": (),
    "strike": (),
    "strong": (),
    "em": (),
    "super": (),
    "sup": (),
    "sub": (),
    "br": (),
    "font": ("color", "size", "backcolor"),
    "span": ("color", "size", "backcolor"),
    "a": ("href", "color"),
}
_TAG = re.compile(
    r"""<(?P<close>/?)\s*(?P<name>[A-Za-z][\w-]*)
    (?P<attrs>(?:\s+[\w-]+\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))*)\s*(?P<end>/?)>""",
    re.X,
)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*')""")
_SCHEMES = re.compile(r"(?i)(https?://|mailto:)")


def markup_problem(text: str) -> tuple[str, str] | None:
    """What is wrong with the paragraph markup `text`, as (message, the text to look for in
    the template), or None when it is fine."""
    stack: list[str] = []
    for start in (m.start() for m in re.finditer("<", text)):
        tag = _TAG.match(text, start)
        if tag is None:
            return "a bare '<' in the wording (write &lt; for the character)", "<"
        name = tag["name"].lower()
        if name not in ALLOWED_TAGS:
            allowed = ", ".join(f"<{t}>" for t in ALLOWED_TAGS)
            return f"<{tag['name']}> is not allowed in a brief (allowed: {allowed})", f"<{tag['name']}"
        for attr, quoted in _ATTR.findall(tag["attrs"]):
            if attr.lower() not in ALLOWED_TAGS[name]:
                return f"<{name} {attr}=...> is not allowed", attr
            if attr.lower() == "href" and not _SCHEMES.match(html.unescape(quoted[1:-1]).strip()):
                return "a link must start with http://, https:// or mailto:", "href"
        if name == "br" and not tag["end"]:
            return "write a line break as <br/>", "<br"
        if tag["close"]:
            if not stack or stack[-1] != name:
                return f"</{name}> closes no open <{name}>", f"</{tag['name']}"
            stack.pop()
        elif not tag["end"]:
            stack.append(name)
    if stack:
        return f"<{stack[-1]}> is not closed", f"<{stack[-1]}"
    return None

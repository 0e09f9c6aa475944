"""Safe reading of YAML documents into typed models.

Offer files come from end users and guides from other people, so YAML is read with a loader
that is strict where PyYAML is lenient:

* only the safe constructors (no Python tags), through the C parser when it is available;
* YAML 1.2-like scalars: ``true``/``false`` are booleans, ``yes``/``no``/``on``/``off`` stay
  strings, dates stay strings, numbers are decimal (``0160000`` is 160000, not octal);
* duplicate keys are an error instead of last-one-wins;
* anchors and aliases are refused (an alias bomb never gets walked);
* a size limit before parsing, and a nesting limit;
* a map from each field path to its line, so that errors can name the line.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from .errors import InputError

T = TypeVar("T")

MAX_BYTES = 1_000_000
MAX_DEPTH = 40

try:  # the C parser is several times faster; the Python one behaves the same
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader


class StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader with YAML 1.2 core scalars, no aliases and no duplicate keys."""

    yaml_implicit_resolvers: dict = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise _RefusedError(node, "anchors and aliases are not allowed; write the value out")
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _RefusedError(key_node, "keys must be plain text")
            key = key_node.value
            if key in seen:
                raise _RefusedError(
                    key_node,
                    f"duplicate key {key!r} (first on line {seen[key] + 1}); keep one",
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _resolver(tag: str, pattern: str, first: str) -> None:
    StrictLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_resolver("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_resolver("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789")
_resolver(
    "tag:yaml.org,2002:float",
    r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$",
    "-+0123456789.",
)
_resolver("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN\0")
StrictLoader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node)))


class _RefusedError(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1


class Document:
    """A parsed YAML mapping, with the line of every field path (``offer.base`` → 9)."""

    def __init__(self, data: dict, lines: dict[str, int], path: Path) -> None:
        self.data = data
        self.lines = lines
        self.path = path

    def error(self, field: str, message: str, hint: str | None = None) -> InputError:
        """An InputError for `field`, with the line of it or of its nearest parent."""
        parts = field.split(".") if field else []
        line = None
        while parts and line is None:
            line = self.lines.get(".".join(parts))
            parts.pop()
        return InputError(message, file=self.path, field=field or None, line=line, hint=hint)


def read_text(path: Path, *, what: str, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of `path`, refusing folders, devices, huge and binary files."""
    try:
        if not path.exists():
            raise InputError(f"no such {what}", file=path, hint="check the path")
        if not path.is_file():
            raise InputError(f"the {what} is not a regular file", file=path)
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"the {what} is {size:,} bytes, over the {max_bytes:,}-byte limit",
                file=path,
                hint=f"is this really a {what}?",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", file=path) from exc
    if b"\0" in raw:
        raise InputError(f"the {what} is a binary file, not YAML text", file=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the {what} is not UTF-8 text (byte {exc.start})",
            file=path,
            hint="save it as UTF-8",
        ) from exc


def parse_yaml(text: str, path: Path, *, what: str) -> Document:
    """Parse `text` (the content of `path`) into a Document, or raise one clear InputError."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(f"the {what} is empty", file=path, hint="see `make-brief init`")
        if not isinstance(node, yaml.MappingNode):
            raise InputError(
                f"the {what} must be a mapping of fields, not a {_kind(node)}",
                file=path,
                line=node.start_mark.line + 1,
            )
        if _depth(node) > MAX_DEPTH:
            raise InputError(f"the {what} is nested too deeply", file=path)
        data = loader.construct_document(node)
    except _RefusedError as exc:
        raise InputError(str(exc), file=path, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            f"invalid YAML: {problem}",
            file=path,
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=path) from None
    except RecursionError:
        raise InputError(f"the {what} is nested too deeply", file=path) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    _collect_lines(node, "", lines)
    return Document(data, lines, path)


def load_yaml(path: Path, *, what: str, max_bytes: int = MAX_BYTES) -> Document:
    return parse_yaml(read_text(path, what=what, max_bytes=max_bytes), path, what=what)


def _kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "single value"


def _depth(node: yaml.Node) -> int:
    """Nesting depth, iteratively: a hostile file cannot exhaust the Python stack here."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(current, yaml.MappingNode):
            stack.extend((value, depth + 1) for _, value in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in current.value)
    return deepest


def _collect_lines(node: yaml.Node, prefix: str, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            path = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            lines[path] = key_node.start_mark.line + 1
            _collect_lines(value, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}.{index}"
            lines[path] = item.start_mark.line + 1
            _collect_lines(item, path, lines)


_AT = re.compile(r"\s*-\s*at\s*`\$(?P<path>[^`]*)`$")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")


def convert(doc: Document, model: type[T], *, data: Any = None, prefix: str = "") -> T:
    """Validate `data` (default: the whole document) into `model`, with a clear error."""
    try:
        return msgspec.convert(doc.data if data is None else data, model, strict=True)
    except msgspec.ValidationError as exc:
        raise _explain(doc, model, str(exc), prefix) from None


def _explain(doc: Document, model: type, text: str, prefix: str) -> InputError:
    match = _AT.search(text)
    path = match.group("path") if match else ""
    message = text[: match.start()] if match else text
    field = (prefix + path.replace("[", ".").replace("]", "")).strip(".")
    hint = None
    if unknown := _UNKNOWN.match(message):
        name = unknown.group("name")
        field = f"{field}.{name}" if field else name
        known = _fields_at(model, path)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(known)}"
        message = "unknown field"
    elif missing := _MISSING.match(message):
        name = missing.group("name")
        field = f"{field}.{name}" if field else name
        message = "missing required field"
    else:
        message = message.replace("`", "")
        if "got `bool`" in text or "got bool" in message:
            hint = "quote the value if it is text"
    return doc.error(field, message, hint)


def _fields_at(model: type, path: str) -> list[str]:
    """The field names of the struct that `path` reaches inside `model` (best effort)."""
    import msgspec.inspect as mi

    def unwrap(info: mi.Type) -> mi.Type:
        while True:
            if isinstance(info, mi.UnionType):
                info = next((t for t in info.types if isinstance(t, mi.StructType)), info.types[0])
            elif isinstance(info, (mi.ListType, mi.VarTupleType)):
                info = info.item_type
            else:
                return info

    info = unwrap(mi.type_info(model))
    for part in filter(None, re.split(r"[.\[\]]", path)):
        if part.isdigit():
            continue
        fields = {f.name: f.type for f in getattr(info, "fields", ())}
        if part not in fields:
            return []
        info = unwrap(fields[part])
    return [f.name for f in getattr(info, "fields", ())]

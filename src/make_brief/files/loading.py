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

import os
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from ..errors import InputError, RefusedNode

T = TypeVar("T")

MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_DIGITS = 30  # in an integer: amounts are far below 10**30

try:  # the C parser is several times faster; the Python one behaves the same
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader


class StrictLoader(_Base):
    """SafeLoader with YAML 1.2 core scalars, no aliases and no duplicate keys."""

    yaml_implicit_resolvers: dict = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise RefusedNode(node, "anchors and aliases are not allowed; write the value out")
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise RefusedNode(key_node, "keys must be plain text")
            key = key_node.value
            if key in seen:
                error = RefusedNode(
                    key_node, f"duplicate key {key!r} (first on line {seen[key] + 1}); keep one", True
                )
                error.owner, error.key = node, str(key)
                raise error
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


def _int(loader: StrictLoader, node: yaml.ScalarNode) -> int:
    """A decimal integer; one with more digits than any amount has is refused (Python would
    otherwise spend its time on it, or refuse it with a traceback past 4,300 digits)."""
    text = loader.construct_scalar(node)
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise RefusedNode(node, f"a number of {len(text):,} digits; write at most {MAX_DIGITS}", True)
    return int(text)


StrictLoader.add_constructor("tag:yaml.org,2002:int", _int)


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


def read_bounded(path: Path, *, what: str, max_bytes: int, hint: str | None = None) -> bytes:
    """The bytes of the regular file at `path`, never more than `max_bytes`.

    The file is opened without blocking and checked on the open descriptor, so that a folder, a
    device (``/dev/zero``), a FIFO or a file swapped in after a check is refused, never read
    forever; and at most `max_bytes` + 1 bytes are read, whatever the file's size claims."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(f"no such {what}", file=path, hint="check the path") from None
    except IsADirectoryError:
        raise InputError(f"the {what} is not a regular file", file=path) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = exc.strerror if isinstance(exc, OSError) else "not a file name"
        raise InputError(f"cannot read the {what}: {reason}", file=path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"the {what} is not a regular file", file=path)
        if info.st_size > max_bytes:
            size = f"{info.st_size:,} bytes"
            raise InputError(f"the {what} is {size}, over the {max_bytes:,}-byte limit", file=path, hint=hint)
        chunks, left = [], max_bytes + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", file=path) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew after fstat
        raise InputError(f"the {what} is over the {max_bytes:,}-byte limit", file=path, hint=hint)
    return data


def confined(path: Path, roots: Sequence[Path], *, what: str, owner: str) -> Path:
    """`path` with every symlink followed, if that is a regular file inside one of `roots`.

    Input files name other files (an offer its appendices, a guide its own): those must stay
    where the input's author may read, so a file name cannot pull ``/etc/passwd``, a home
    folder's documents or a device into a brief, through ``..``, an absolute path or a link."""
    text = str(path)
    if "\0" in text:
        raise InputError(f"{text!r} is not a file name")
    try:
        real = path.expanduser().resolve(strict=True)
    except FileNotFoundError:
        raise InputError(f"no such file {text!r}", hint=f"paths are relative to {owner}") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a component that is a file
        reason = getattr(exc, "strerror", None) or "a symlink loop"
        raise InputError(f"cannot open {text!r}: {reason}") from None
    bounds = []
    for root in roots:
        try:
            bounds.append(root.expanduser().resolve(strict=True))
        except (OSError, RuntimeError):
            continue
    if not any(real == bound or bound in real.parents for bound in bounds):
        article = "an" if what[:1] in "aeiou" else "a"
        raise InputError(f"{text!r} leads outside the folders {article} {what} may come from")
    if not real.is_file():
        raise InputError(f"{text!r} is not a regular file")
    return real


def read_text(path: Path, *, what: str, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of `path`, refusing folders, devices, huge and binary files."""
    article = "an" if what[:1] in "aeiou" else "a"
    raw = read_bounded(path, what=what, max_bytes=max_bytes, hint=f"is this really {article} {what}?")
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
    _check_depth(text, path, what)
    loader = StrictLoader(text)
    node = None
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
        _check_tree(node)
        data = loader.construct_document(node)
    except RefusedNode as exc:
        field = None
        if exc.checked and exc.owner is not None:
            parent = _field_of(node, exc.owner) if exc.owner is not node else ""
            field = f"{parent}.{exc.key}" if parent else exc.key
        elif exc.checked:
            field = _field_of(node, exc.node)
        raise InputError(str(exc), file=path, field=field, line=exc.line) from None
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
    lines = {field: key.start_mark.line + 1 for field, key, _ in _fields(node)}
    return Document(data, lines, path)


def load_yaml(path: Path, *, what: str, max_bytes: int = MAX_BYTES) -> Document:
    return parse_yaml(read_text(path, what=what, max_bytes=max_bytes), path, what=what)


def _kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "single value"


def _check_depth(text: str, path: Path, what: str) -> None:
    """Refuse deep nesting from the parser's events, before the composer sees it.

    libyaml's parser keeps its own stack, but the C composer recurses once per level: 100,000
    opening brackets overflow the C stack and kill the process (no RecursionError to catch).
    Counting levels over the event stream costs a second parse of a small file."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Base):
            if isinstance(event, yaml.NodeEvent) and depth >= MAX_DEPTH:  # a node one level too deep
                line = event.start_mark.line + 1 if event.start_mark else None
                raise InputError(f"the {what} is nested too deeply", file=path, line=line)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the composer reports it, with its line


def _check_tree(node: yaml.Node) -> None:
    """Refuse aliases before anything walks the tree (its depth is checked before composing).

    Iterative, and each node is visited once: an alias makes the composer share one node in
    several places, so meeting a node a second time is an alias, refused at once (walking an
    alias bomb's paths instead would take longer than the age of the universe)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            raise RefusedNode(current, "anchors and aliases are not allowed; write the value out")
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((value, key))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _fields(root: yaml.Node) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """Each field path of a checked tree (``offer.base``, ``competing_offers.0``) with the node
    that names it (its key, or the list item) and its value node."""
    stack: list[tuple[str, yaml.Node]] = [("", root)]
    while stack:
        prefix, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            items = [(str(k.value), k, v) for k, v in node.value]
        elif isinstance(node, yaml.SequenceNode):
            items = [(str(i), v, v) for i, v in enumerate(node.value)]
        else:
            continue
        for name, key, value in items:
            path = f"{prefix}.{name}" if prefix else name
            yield path, key, value
            stack.append((path, value))


def _field_of(root: yaml.Node | None, target: yaml.Node) -> str | None:
    if root is None:
        return None
    return next((field for field, _, value in _fields(root) if value is target), None)


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
        import difflib  # only for a typo: a run without one never loads it

        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(known)}"
        message = "unknown field"
    elif missing := _MISSING.match(message):
        name = missing.group("name")
        field = f"{field}.{name}" if field else name
        message = "missing required field"
    else:
        message = message.replace("`", "")
        if "got `bool`" in text or "got bool" in message or re.search(r"Expected `?str`?, got", text):
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
        fields = {f.encode_name: f.type for f in getattr(info, "fields", ())}
        if part not in fields:
            return []
        info = unwrap(fields[part])
    return [f.encode_name for f in getattr(info, "fields", ())]

"""How much a template may make: limits checked while it renders, not after.

A template from a coach's shared folder can ask for ``{{ 'a' * 100000000 }}``, a
``center(100000000)``, a join of a huge list or a macro that doubles its text at every call.
Jinja's sandbox refuses Python's internals but not size, so the environment here (the one
sandbox.py makes) refuses, *before* computing it, any value a template would build that is
longer than its limit:

* the operators ``*`` (a text or list repeated), ``+``, ``%`` (printf widths) and ``**`` (huge
  numbers), through Jinja's documented ``intercepted_binops`` and ``call_binop``;
* ``~`` and the text a macro, ``{% set %}`` block, ``{% filter %}`` or ``{% call %}`` collects,
  through the code generator (Jinja's ``code_generator_class``): each buffer counts what it
  holds;
* calls (macros, ``str.center``/``ljust``/``zfill``/``expandtabs``/``replace``/``join``/
  ``format``, ``int.to_bytes``, ``lipsum``) and filters (``center``, ``indent``, ``wordwrap``,
  ``join``, ``replace``, ``format``, ``batch``, ``slice``, ``sum``, ``urlize``), each estimated
  before it runs and measured after;
* and what a template writes is counted as it streams (`render_within`), so it stops as soon
  as its output passes the limit.

Loops that write nothing (``range`` is capped by the sandbox at 100,000 items, but loops nest)
are bounded by time, not here: see batch.py's time limit per brief.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import update_wrapper
from typing import Any

from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

# The limits, in characters: far above what any real brief or message needs (README, Templates).
SECTION = 200_000  # one section of a brief, as its template renders it (markup included)
SUBJECT = 998  # a mail's subject: one line, within RFC 5322's 998 characters
BODY = 100_000  # a mail's body, and the whole counter-offer e-mail
MAX_INT_BITS = 10_000  # a number a template computes (about 3,000 digits)


class TooLongError(SecurityError):
    """A template would make a text longer than the limit of its environment."""


def size(value: Any, budget: int) -> int:
    """About how many characters `value` shows as (str() of it), counted only up to a little
    past `budget`, so that measuring a huge list costs no more than the budget."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, int):
        return value.bit_length() // 3 + 2
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        total = 2
        for item in value.items() if isinstance(value, dict) else value:
            total += size(item, budget - total) + 2
            if total > budget:
                break
        return total
    return 8  # a number, None, an undefined value, a macro: its own few characters


def render_within(template: Any, context: dict[str, Any], limit: int) -> str:
    """`template` rendered with `context`, stopped as soon as its output passes `limit`."""
    parts, total = [], 0
    for part in template.generate(context):
        total += len(part)
        if total > limit:
            raise TooLongError("")  # the output itself: nothing more to say than the limit
        parts.append(part)
    return "".join(parts)


def too_long(what: str, limit: int, kind: str, exc: TooLongError) -> str:
    """The line of a template refused for its size: "the section 'levers' renders more than
    200,000 characters (the limit for one section): '*' would make ..."."""
    detail = f": {exc}" if str(exc) else ""
    return f"{what} renders more than {limit:,} characters (the limit for {kind}){detail}"


class _Buffer(list):
    """The text a macro or a block collects, counted as it grows."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit, self.total = limit, 0

    def append(self, item: Any) -> None:
        self._count(item)
        super().append(item)

    def extend(self, items: Iterable[Any]) -> None:
        items = tuple(items)
        for item in items:
            self._count(item)
        super().extend(items)

    def _count(self, item: Any) -> None:
        self.total += size(item, self.limit)
        if self.total > self.limit:
            raise TooLongError(f"a macro or block collects more than {self.limit:,} characters")


class _Generator(CodeGenerator):
    """Jinja's code generator, with every ``~`` measured and every buffer a `_Buffer`."""

    def visit_Concat(self, node: Any, frame: Any) -> None:  # noqa: N802  (Jinja's name)
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")

    def buffer(self, frame: Any) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.buffer()")


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, refusing any value longer than `limit` characters."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Generator

    def __init__(self, *, limit: int, **options: Any) -> None:
        super().__init__(**options)
        self.limit = limit
        self.filters = {name: self._filter(name, f) for name, f in self.filters.items()}
        self.globals["lipsum"] = self._lipsum(self.globals["lipsum"])  # type: ignore[arg-type]

    # --- what the generated code calls ---------------------------------------------------

    def bounded(self, value: Any, what: str = "'~'") -> Any:
        if size(value, self.limit) > self.limit:
            raise TooLongError(f"{what} makes a text longer than {self.limit:,} characters")
        return value

    def buffer(self) -> _Buffer:
        return _Buffer(self.limit)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            self._product(left, right)
        elif operator == "**":
            _power(left, right)
        elif operator == "%" and isinstance(left, str):
            args = right if isinstance(right, tuple) else (right,)
            self._estimate(_printf(left, args), "'%'")
        return self.bounded(super().call_binop(context, operator, left, right), f"{operator!r}")

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
        if isinstance(owner, (str, bytes)) and name in _METHODS:
            self._estimate(_METHODS[name](owner, args, kwargs), f"{name}()")
        elif isinstance(owner, int) and name == "to_bytes":
            self._estimate(int(args[0] if args else kwargs.get("length", 1)), "to_bytes()")
        return self.bounded(super().call(context, obj, *args, **kwargs), f"{name or 'a call'}()")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text, mapping = value.__self__, value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            values = list(args[0].values()) if mapping and args and isinstance(args[0], dict) else args
            self._estimate(_braces(text, [*values, *kwargs.values()]), f"{value.__name__}()")
            return wrapped(*args, **kwargs)

        return update_wrapper(checked, value)

    # --- the checks ----------------------------------------------------------------------

    def _estimate(self, estimate: int, what: str) -> None:
        if estimate > self.limit:
            raise TooLongError(f"{what} would make a text of about {estimate:,} characters")

    def _product(self, left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise SecurityError(f"'*' would make a number of more than {MAX_INT_BITS:,} bits")
            return
        times, seq = (left, right) if isinstance(left, int) else (right, left)
        if isinstance(times, int) and times > 0 and isinstance(seq, (str, bytes, list, tuple)):
            self._estimate(size(seq, self.limit // times + 1) * times, "'*'")

    def _filter(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        offset = 1 if getattr(real, "jinja_pass_arg", None) is not None else 0
        estimate = _FILTERS.get(name)

        def bounded(*args: Any, **kwargs: Any) -> Any:
            if estimate is not None and len(args) > offset:
                value = args[offset]
                if not isinstance(value, (str, list, tuple, dict)) and name in _SEQUENCE_FILTERS:
                    value = list(value)  # a generator (from map, select) measured once, then used
                    args = (*args[:offset], value, *args[offset + 1 :])
                self._estimate(estimate(value, args[offset + 1 :], kwargs), f"the filter {name!r}")
            return self.bounded(real(*args, **kwargs), f"the filter {name!r}")

        return update_wrapper(bounded, real)

    def _lipsum(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> Any:  # noqa: A002
            self._estimate(int(n) * int(max) * 12, "lipsum()")
            return real(n, html, min, max)

        return update_wrapper(lipsum, real)


def _power(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        if right * left.bit_length() > MAX_INT_BITS:
            raise SecurityError(f"'**' would make a number of more than {MAX_INT_BITS:,} bits")


# --- estimates: about how long a result would be, from its arguments, before computing it ------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _widest(values: Iterable[Any]) -> int:
    return max((size(v, 10**9) for v in values), default=0)


def _numbers(values: Iterable[Any]) -> int:
    return sum(v for v in values if isinstance(v, int) and v > 0)


def _printf(text: str, args: tuple) -> int:
    """A printf-style format's result: its text, widths and precisions, each value once per field."""
    specs = _PRINTF.findall(text)
    widths = sum(int(n) for spec in specs for n in spec if n.isdigit())
    stars = _numbers(args) if any("*" in spec for spec in specs) else 0
    values = args[0].values() if len(args) == 1 and isinstance(args[0], dict) else args
    return len(text) + widths + stars + len(specs) * _widest(values)


def _braces(text: str, values: list[Any]) -> int:
    """A str.format result: its text, the widths in its fields, each value once per field."""
    from string import Formatter

    fields = [spec or "" for _, field, spec, _ in Formatter().parse(text) if field is not None]
    widths = sum(int(n) for spec in fields for n in _DIGITS.findall(spec))
    nested = _numbers(values) if any("{" in spec for spec in fields) else 0
    return len(text) + widths + nested + len(fields) * _widest(values)


def _arg(args: tuple, kwargs: dict, index: int, name: str, default: Any) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _joined(items: Any, sep: Any) -> int:
    items = items if isinstance(items, (list, tuple, str, bytes, dict)) else list(items)
    return sum(size(i, 10**9) for i in items) + len(items) * len(sep)


def _replaced(text: Any, old: Any, new: Any, count: Any) -> int:
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(text) + times * len(new)


def _width(s: Any, a: tuple, k: dict) -> int:
    return int(_arg(a, k, 0, "width", 0))


def _tabs(s: Any, a: tuple, k: dict) -> int:
    return len(s) + s.count("\t" if isinstance(s, str) else b"\t") * int(_arg(a, k, 0, "tabsize", 8))


def _method_replace(s: Any, a: tuple, k: dict) -> int:
    return _replaced(s, _arg(a, k, 0, "old", ""), _arg(a, k, 1, "new", ""), _arg(a, k, 2, "count", -1))


def _translate(s: Any, a: tuple, k: dict) -> int:
    table = a[0] if a else None
    return len(s) * max(_widest(table.values()) if isinstance(table, dict) else 1, 1)


_METHODS: dict[str, Callable[[Any, tuple, dict], int]] = {  # of str (and bytes): (self, args, kwargs)
    "center": _width,
    "ljust": _width,
    "rjust": _width,
    "zfill": _width,
    "expandtabs": _tabs,
    "replace": _method_replace,
    "join": lambda s, a, k: _joined(a[0], s) if a else 0,
    "translate": _translate,
}


def _indent(v: Any, a: tuple, k: dict) -> int:
    text, width = str(v), _arg(a, k, 0, "width", 4)
    return len(text) + (text.count("\n") + 1) * (width if isinstance(width, int) else len(str(width)))


def _wordwrap(v: Any, a: tuple, k: dict) -> int:
    text, wrap = str(v), _arg(a, k, 2, "wrapstring", None)
    lines = len(text.split()) + len(text) // max(int(_arg(a, k, 0, "width", 79)), 1) + 1
    return len(text) + lines * len(str(wrap or "\n"))


def _filter_replace(v: Any, a: tuple, k: dict) -> int:
    old, new = str(_arg(a, k, 0, "old", "")), str(_arg(a, k, 1, "new", ""))
    return _replaced(str(v), old, new, _arg(a, k, 2, "count", None))


def _filled(count: str) -> Callable[[Any, tuple, dict], int]:
    def estimate(v: Any, a: tuple, k: dict) -> int:  # batch, slice: lists padded with fill_with
        return int(_arg(a, k, 0, count, 0)) * (1 + size(_arg(a, k, 1, "fill_with", None), 10**9))

    return estimate


def _sum(v: Any, a: tuple, k: dict) -> int:
    return 0 if isinstance(_arg(a, k, 1, "start", 0), (int, float)) else _joined(v, "")


def _urlize(v: Any, a: tuple, k: dict) -> int:
    text = str(v)
    added = len(str(_arg(a, k, 2, "target", "") or "")) + len(str(_arg(a, k, 3, "rel", "") or ""))
    return 3 * len(text) + len(text.split()) * added


_FILTERS: dict[str, Callable[[Any, tuple, dict], int]] = {  # (value, the other arguments, kwargs)
    "center": lambda v, a, k: int(_arg(a, k, 0, "width", 80)),
    "indent": _indent,
    "wordwrap": _wordwrap,
    "join": lambda v, a, k: _joined(v, str(_arg(a, k, 0, "d", ""))),
    "replace": _filter_replace,
    "format": lambda v, a, k: _printf(str(v), (*a, *k.values())),
    "batch": _filled("linecount"),
    "slice": _filled("slices"),
    "sum": _sum,
    "urlize": _urlize,
}
_SEQUENCE_FILTERS = {"join", "sum", "batch", "slice"}  # a generator given to them is read once, here

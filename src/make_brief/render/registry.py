"""The back ends by name: reportlab's built in, others installed as Python entry points
(group ``make_brief.backends``) or registered by a program (`register`).

Nothing heavy is imported to list them or to check a name: a built-in back end's module is
imported when it is first asked for (`get`), and its own layout library (reportlab) only when
it first renders. Entry points are read only when a name is not built in, or to list them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from ..errors import SettingError

if TYPE_CHECKING:
    from .backend import Backend

DEFAULT = "reportlab"
GROUP = "make_brief.backends"  # pyproject: [project.entry-points."make_brief.backends"]
BUILT_IN = {
    "reportlab": "make_brief.render.reportlab.backend:BACKEND",
    "typst": "make_brief.render.typst.backend:BACKEND",
}
# A built-in back end's layout library, when it is an optional extra: (module, what to install)
EXTRAS = {"typst": ("typst", "make-brief[typst]")}

# Registered by this process: a back end, or where to import it ("module:attribute"). Only an
# import path (or an entry point) reaches a batch's worker processes.
_REGISTERED: dict[str, Backend | str] = {}
_LOADED: dict[str, Backend] = {}


def register(name: str, backend: Backend | str) -> None:
    """Make `backend` (or the one at "module:attribute") the back end called `name`."""
    _REGISTERED[name] = backend
    _LOADED.pop(name, None)


def unregister(name: str) -> None:
    _REGISTERED.pop(name, None)
    _LOADED.pop(name, None)


def exported() -> dict[str, str]:
    """The back ends this process registered by import path: what a batch passes to its
    worker processes (`register` each there), so that they find them too."""
    return {name: where for name, where in _REGISTERED.items() if isinstance(where, str)}


def names() -> list[str]:
    """Every back end that can be asked for, sorted (the default first)."""
    found = set(BUILT_IN) | set(_REGISTERED) | set(_entry_points())
    return sorted(found, key=lambda name: (name != DEFAULT, name))


def check(name: str) -> None:
    """Refuse an unknown back end in one line that names the installed ones, and a built-in
    one whose optional extra is not installed in one line that says what to install, without
    importing any of them."""
    if name not in BUILT_IN and name not in _REGISTERED and name not in _entry_points():
        raise SettingError(
            f"unknown back end {name!r}", field="--backend", hint=f"installed: {', '.join(names())}"
        )
    if name in EXTRAS and name not in _REGISTERED:
        from importlib.util import find_spec

        module, extra = EXTRAS[name]
        if find_spec(module) is None:
            raise SettingError(
                f"the {name} back end needs the {module} package, which is not installed",
                field="--backend",
                hint=f"pip install '{extra}'",
            )


STANDARDS = ("ua-1", "a-2b")  # what --pdf-standard and a style's pdf_standard take


def check_standards(name: str, standards: tuple[str, ...]) -> None:
    """Refuse PDF standards that the back end `name` cannot claim, in one line naming the
    back ends that can (a back end says which in its `standards`; none when it does not)."""
    if not standards:
        return
    check(name)
    can = frozenset(getattr(get(name), "standards", ()))
    lacking = [s for s in standards if s not in can]
    if lacking:
        able = [other for other in BUILT_IN if other != name and set(standards) <= _built_in_standards(other)]
        hint = f"use --backend {' or '.join(able)}" if able else "no installed back end can"
        raise SettingError(
            f"the {name} back end cannot write a PDF that meets {', '.join(lacking)}",
            field="--pdf-standard",
            hint=hint,
        )


def _built_in_standards(name: str) -> set[str]:
    """What a built-in back end can claim (its module is cheap: no layout library imported)."""
    return set(getattr(_load(BUILT_IN[name]), "standards", ()))


def get(name: str = DEFAULT) -> Backend:
    """The back end called `name`, imported on first use (once per process)."""
    if name in _LOADED:
        return _LOADED[name]
    check(name)
    where = _REGISTERED.get(name) or BUILT_IN.get(name) or _entry_points()[name]
    backend = _load(where) if isinstance(where, str) else where
    if isinstance(backend, type):  # an entry point may name the class
        backend = backend()
    _LOADED[name] = backend
    return backend


def _load(where: str) -> Backend:
    module, _, attribute = where.partition(":")
    found = import_module(module)
    for part in attribute.split(".") if attribute else ():
        found = getattr(found, part)
    return found


def _entry_points() -> dict[str, str]:
    """The installed back ends' entry points: name → "module:attribute"."""
    from importlib.metadata import entry_points

    return {point.name: point.value for point in entry_points(group=GROUP)}

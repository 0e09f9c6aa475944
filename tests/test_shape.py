"""The code's shape, as docs/development.md and issue 16 state it: no function over 60 lines, no import
cycle between the package's modules (imports at any level, lazy ones too), every module in the
module map (docs/development.md). These read the source; nothing is run."""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "make_brief"
MODULE_MAP = PACKAGE.parent.parent / "docs" / "development.md"
MAX_LINES = 60


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def test_no_function_is_over_60_lines():
    long = [
        f"{name}.{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for name, tree in modules().items()
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_LINES
    ]
    assert long == []


def _imported(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The package's modules that `name` imports anywhere: at module level, in a function (a
    lazy import is still a dependency) or for type checking."""
    base = name if _is_package(name) else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            parts = base.split(".")
            parent = ".".join(parts[: len(parts) - node.level + 1])
            target = f"{parent}.{node.module}" if node.module else parent
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                out.add(candidate if candidate in known else target)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("make_brief")}
    return {m for m in out if m in known and m != name}


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / Path(*name.split(".")) / "__init__.py").is_file()


def test_no_import_cycle():
    trees = modules()
    known = set(trees)
    graph = {name: _imported(name, tree, known) for name, tree in trees.items()}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycle = path[path.index(node) :]
            # a package importing its own submodules (cli -> cli.edge) is not a cycle back
            if not all(b.startswith(a + ".") or a.startswith(b + ".") for a, b in pairwise(cycle)):
                cycles.append(" -> ".join([*cycle, node]))
            return
        for nxt in graph[node]:
            visit(nxt, [*path, node])

    for name in graph:
        visit(name, [])
    assert cycles == []


def test_the_module_map_names_every_module():
    text = MODULE_MAP.read_text(encoding="utf-8").split("## The module map", 1)[1].split("\n## ", 1)[0]
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if path.name in ("__init__.py", "__main__.py"):
            continue
        shown = f"`{rel}`" if len(rel.parts) == 1 else f"`{rel.parent}/`"
        if shown not in text and f"`{path.name}`" not in text:
            missing.append(str(rel))
    assert missing == []


# The calls that put a file in place or write one by name; only the one atomic writer may.
_MODULE_WRITERS = {
    ("os", "replace"),
    ("os", "rename"),
    ("os", "link"),
    ("tempfile", "mkstemp"),
    ("tempfile", "mkdtemp"),
    ("tempfile", "NamedTemporaryFile"),
}
_PATH_WRITERS = {"write_bytes", "write_text", "rename", "hardlink_to", "symlink_to"}


def _writes(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        if (owner, func.attr) in _MODULE_WRITERS or func.attr in _PATH_WRITERS:
            return f"{owner}.{func.attr}" if owner else func.attr
        return None
    return None


def _opens_to_write(node: ast.Call) -> str | None:
    """open() or os.fdopen() for writing; appending a row to a log (passwords.csv, as each
    locked brief is written, under a lock) puts no file in place, so it is not counted."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in ("open", "fdopen"):
        return None
    modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
    modes += [k.value.value for k in node.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
    return f"{name} for writing" if any(isinstance(m, str) and set(m) & set("wx+") for m in modes) else None


def test_files_are_written_only_by_the_one_atomic_writer():
    """output.py is the one atomic writer: no other module renames, links or creates a file
    (and `open` is called nowhere for writing outside it)."""
    found = [
        f"{name}:{node.lineno} {what}"
        for name, tree in modules().items()
        # web/state.py: the web app's private folder (uploads, the form's offer file), which no
        # one else sees and which is removed whole when the server stops
        if name not in ("make_brief.files.output", "make_brief.web.state")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and (what := _writes(node) or _opens_to_write(node))
    ]
    assert found == []

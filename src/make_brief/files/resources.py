"""Where the bundled data/ and templates/ folders are.

In a wheel they are installed inside the package (``make_brief/data``, ``make_brief/templates``,
see ``[tool.hatch.build]`` in pyproject.toml); in a source checkout or an editable install they
are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # make_brief/, not make_brief/files/


@cache
def bundled(name: str) -> Path:
    """The bundled folder `name` ("data" or "templates")."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"make-brief is installed without its {name}/ folder")


def data_dir() -> Path:
    return bundled("data")


def templates_dir() -> Path:
    return bundled("templates")

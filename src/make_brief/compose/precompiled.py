"""The bundled wording templates, compiled ahead: the Python that Jinja generates for each, so
that a cold brief does not parse and generate them again (60–110 ms of a cold run here).

    python tests/test_precompiled.py --update   # after editing templates/default/sections/*.j2
                                                # or upgrading Jinja

The file (wording.json, beside this module) holds that Python by a key of everything it
depends on: Jinja's version, the environment's options, the template's name and its source.
A template whose key is not in the file (edited since, a template folder's own, another
Jinja) is compiled as it always was, so the file can be stale without being wrong; a test
keeps it in step with the bundled templates. Nothing is written at run time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

FILE = Path(__file__).with_name("wording.json")
_LOADED: dict[str, str] = {}


def key(env: Any, name: str, source: str) -> str:
    """What the Python Jinja generates for `source` depends on, as a hash."""
    import jinja2

    options = (
        type(env).__name__,
        env.autoescape if isinstance(env.autoescape, bool) else repr(env.autoescape),
        getattr(env.finalize, "__qualname__", repr(env.finalize)),
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
        env.optimized,
    )
    text = json.dumps([jinja2.__version__, repr(options), name, source])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def generated(env: Any, name: str, source: str) -> str | None:
    """The Python compiled ahead for template `name` with `source` in `env`, if any."""
    if not _LOADED:
        try:
            _LOADED.update(json.loads(FILE.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            _LOADED["-"] = ""  # no file: compile every template, and do not look again
    return _LOADED.get(key(env, name, source))

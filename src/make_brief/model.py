"""The one base of the typed models read from YAML (offers, guides, templates).

A model is frozen and refuses unknown keys, so a typo in a file is an error, never ignored.

msgspec passes ``frozen`` and ``forbid_unknown_fields`` on to subclasses at run time, but type
checkers read ``Struct`` through ``dataclass_transform``, which does not inherit class keywords:
each subclass repeats ``frozen=True`` so that mypy sees a frozen class like its base.
"""

from __future__ import annotations

import msgspec


class Model(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Frozen, and unknown keys are refused; subclass as ``class X(Model, frozen=True)``."""

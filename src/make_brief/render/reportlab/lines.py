"""Line breaks reused across the briefs of a process.

Most of a brief's text is the same for every candidate of a guide (the DNA, the levers'
quotes, the sources, the notes and headings of the template): a batch used to parse and break
it into lines again for every brief. This cache keeps, per paragraph source and width, what
parsing and breaking left on the paragraph (its fragments, its lines and the few numbers
breaking sets), so that the next paragraph with the same markup, style, bullet and widths
takes them instead of computing them. The same lines give the same pages: a test compares the
bytes of briefs made with and without it.

The key is everything the result depends on: the markup (after characters the font cannot
draw were taken out), every attribute of the paragraph style by value (so a style of another
size, font, colour, indent... never shares), the bullet, and the widths asked for. A style
holding a value that cannot be compared by value (an object of unknown kind) is not cached.

The entries are shared, so they must not be changed: paragraph.py's paragraph takes a private
copy (parsed and broken again) before anything that would change them (a split across pages,
a break at another width). This module holds only the store and the keys; paragraph.py decides what to keep.

Bounded: at most `MAX_ENTRIES` paragraphs, the least recently used going first, so that a
batch of 10,000 candidates, each with some text of its own, keeps memory flat.
"""

from __future__ import annotations

import os
import weakref
from collections import OrderedDict
from typing import Any

from ...errors import UnkeyableError

MAX_ENTRIES = 1500
DISABLE_ENV = "MAKE_BRIEF_NO_LINE_CACHE"  # set (to anything) to turn the cache off, e.g. to compare

_SCALARS = (str, int, float, bool, type(None), bytes)


def freeze(value: Any) -> Any:
    """`value` as something hashable that is equal exactly when the values are: numbers and
    strings as they are, sequences as tuples, colours (and other plain records) by their
    class and attributes. Anything else raises UnkeyableError."""
    if isinstance(value, _SCALARS):
        return (type(value).__name__, value) if isinstance(value, (bool, float)) else value
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(freeze(v) for v in value))
    attributes = getattr(value, "__dict__", None)
    if attributes is not None and type(value).__module__.startswith("reportlab.lib.colors"):
        return (type(value).__qualname__, tuple(sorted((k, freeze(v)) for k, v in attributes.items())))
    raise UnkeyableError(type(value).__qualname__)


class LineCache:
    """Shared paragraph layouts by key, least recently used first out."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple, Any] = OrderedDict()
        self.hits = self.misses = 0
        self._style_keys: weakref.WeakKeyDictionary[Any, tuple | None] = weakref.WeakKeyDictionary()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and not os.environ.get(DISABLE_ENV)

    def style_key(self, style: Any, names: frozenset[str] | set[str]) -> tuple | None:
        """The style's attributes `names` (and those set on it) by value, once per style
        object; None when one of them cannot be compared by value."""
        try:
            return self._style_keys[style]
        except (KeyError, TypeError):
            pass
        every = set(names) | {k for k in vars(style) if k != "parent"}
        try:
            key: tuple | None = tuple((name, freeze(getattr(style, name, None))) for name in sorted(every))
        except UnkeyableError:
            key = None
        try:
            self._style_keys[style] = key
        except TypeError:  # not weakly referable: computed again next time
            pass
        return key

    def get(self, key: tuple) -> Any:
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self.entries.move_to_end(key)
        return found

    def put(self, key: tuple, value: Any) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    def clear(self) -> None:
        self.entries.clear()
        self._style_keys = weakref.WeakKeyDictionary()
        self.hits = self.misses = 0


LINES = LineCache()  # this process's cache (each worker of a batch has its own)

"""Importing guides written in markdown: the reader (reader.py) of the guide format, the
markdown it is written in (markdown.py), the script's numbers and claims (script.py) and the
repair of damaged text (mojibake.py). Only `guides import` and `guides check` use it."""

from .reader import Imported, import_guide, line_of, split_title, to_yaml

__all__ = ["Imported", "import_guide", "line_of", "split_title", "to_yaml"]

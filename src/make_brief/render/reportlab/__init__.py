"""The reportlab back end: the only place that imports reportlab (and fontTools, for fonts)."""

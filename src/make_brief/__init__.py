"""make-brief: a personalised salary-negotiation briefing, as a PDF, from a guide and an offer."""

__version__ = "0.1.0"


def backends() -> list[str]:
    """The names of the installed PDF back ends (``--backend``), the default first."""
    from .render.registry import names

    return names()

"""make-brief: a personalised salary-negotiation briefing, as a PDF, from a guide and an offer."""

__version__ = "0.1.0"

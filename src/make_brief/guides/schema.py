"""Guides: curated market data for one company and role, loaded and validated.

A guide is a YAML file under data/guides/ (or a user's guides folder); its id is its file
name without ``.yaml``. The msgspec structs below are its schema: unknown keys are refused,
and guide_rules.check_guide adds the rules a schema cannot say (a low above its high, a script
region that is not in the table, ...); catalogue.py finds and loads guides.
"""

from __future__ import annotations

from decimal import Decimal

from ..model import Model
from ..money.places import place_key

MAX_GUIDE_BYTES = 2_000_000
PLACEHOLDERS = frozenset({"base", "stock", "stock_years", "bonus_pct", "competing"})
TOTAL_TOLERANCE = Decimal("0.03")  # a total-comp band may differ this much from its parts


class Band(Model, frozen=True):
    low: int | float
    high: int | float


class Points(Model, frozen=True, kw_only=True):
    """Percentile points of one component in one region: p25, p50 and p75, and p10 and p90
    where the guide has them (stock as a grant over the guide's stock_years)."""

    p10: int | float | None = None
    p25: int | float
    p50: int | float
    p75: int | float
    p90: int | float | None = None

    def known(self) -> list[tuple[int, int | float]]:
        """(percentile, value) for each point given, lowest first."""
        given = ((10, self.p10), (25, self.p25), (50, self.p50), (75, self.p75), (90, self.p90))
        return [(p, v) for p, v in given if v is not None]


class Percentiles(Model, frozen=True):
    """A region's percentiles, per component; any may be left out."""

    base: Points | None = None
    stock: Points | None = None
    bonus_pct: Points | None = None
    total_comp: Points | None = None


class EquityBand(Model, frozen=True):
    """A startup's band for its equity grant: in options (a count), in percent of the company
    (`pct`), or in value (in the region's currency)."""

    unit: str  # "options", "pct" or "value"
    low: int | float
    high: int | float


EQUITY_UNITS = ("options", "pct", "value")


class Region(Model, frozen=True):
    name: str
    currency: str
    locale: str
    base: Band
    stock: Band
    bonus_pct: Band
    total_comp: Band
    aliases: list[str] = []
    percentiles: Percentiles | None = None
    equity: EquityBand | None = None  # a startup's equity band, beside the stock band


class Claim(Model, frozen=True):
    """A competing-offer claim as the guide words it; never said for a candidate."""

    text: str
    companies: list[str] = []
    total_comp: int | float | None = None


class Fact(Model, frozen=True):
    """Something about the candidate that a lever or a script sentence rests on, and the
    question that confirms it (``candidate.facts.<id>`` in the offer file answers it)."""

    id: str
    question: str


class ScriptSentence(Model, frozen=True):
    """A sentence of the script (the one that starts with `starts`) and what it rests on."""

    starts: str
    rests_on: list[str]


class Lever(Model, frozen=True):
    title: str
    quote: str
    requires: str | None = None  # "competing_offer": only for a candidate who has one
    template: str | None = None
    claim: Claim | None = None
    # the facts the quote rests on; None: not annotated (a first-person claim then rests on a
    # fact of its own, unconfirmed until the candidate confirms it; see facts.py)
    rests_on: list[str] | None = None
    sentences: list[ScriptSentence] = []  # what one sentence of it rests on besides


class HeadlineLever(Model, frozen=True):
    title: str
    paragraphs: list[str]
    emoji: str = ""


class Dna(Model, frozen=True):
    headline: str
    paragraphs: list[str] = []


class LevelEntry(Model, frozen=True):
    company: str
    level: str


class Script(Model, frozen=True):
    region: str
    quote: str
    template: str
    base: int | float
    stock: int | float
    bonus_pct: int | float
    accept_stock_above: int | float
    stock_years: int = 4
    accept_text: str = ""
    claim: Claim | None = None
    sentences: list[ScriptSentence] = []


class Source(Model, frozen=True):
    title: str
    url: str | None = None


class Objection(Model, frozen=True):
    """What a recruiter is likely to say, and an answer to it."""

    objection: str
    answer: str
    rests_on: list[str] = []  # the facts the answer rests on (a first-person sentence of it
    # that names none rests on a fact of its own; see facts.py)
    sentences: list[ScriptSentence] = []  # what one sentence of it rests on besides


class Appendix(Model, frozen=True):
    title: str
    file: str


class Guide(Model, frozen=True):
    title: str
    role: str
    company: str
    regions: list[Region]
    levers: list[Lever]
    script: Script
    negotiation_dna: Dna
    parent_company: str | None = None
    as_of: str | None = None
    stock_years: int = 4
    level_mapping: list[LevelEntry] = []
    headline_lever: HeadlineLever | None = None
    sources: list[Source] = []
    appendices: list[Appendix] = []
    facts: list[Fact] = []
    open_asks: list[str] = []  # what is still worth asking for when the offer meets every ask
    questions: list[str] = []  # questions to ask the recruiter before deciding
    objections: list[Objection] = []  # what the recruiter may say, with an answer to each
    id: str = ""
    path: str = ""

    def region(self, name: str) -> Region | None:
        """The region called `name` or one of its aliases, ignoring case and spacing."""
        wanted = place_key(name)
        for region in self.regions:
            if wanted in {place_key(region.name), *map(place_key, region.aliases)}:
                return region
        return None

    @property
    def script_region(self) -> Region:
        region = self.region(self.script.region)
        assert region is not None, "check_guide guarantees the script region exists"
        return region

"""Offer files: the user-facing contract, read safely and resolved against their guide.

The YAML shape is documented in the README and written by ``make-brief init``. Loading checks
the shape (unknown or missing fields, wrong types) with msgspec, then the meaning: the guide
and region exist, amounts parse in the region's currency and are plausible, appendices exist.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import msgspec

from ..errors import AmountError, InputError
from ..files.loading import Document, confined, convert, load_yaml
from ..guides.catalogue import find_guide, load_guide
from ..guides.schema import Band, Guide, Region
from ..model import Model
from ..money.amounts import parse_amount
from ..money.fx import Rate
from ..money.options import Options
from ..money.places import is_currency
from ..money.vesting import MAX_CLIFF_MONTHS, Pay, Refresh, schedule
from .equity import RawOptions, RawRefresh, read_equity, read_refresh

AmountIn = int | float | str

MAX_OFFER_BYTES = 256_000
MAX_COMPETING = 50
MAX_APPENDICES = 20
MAX_TEXT = 300  # characters in a name, company or e-mail address
MAX_AMOUNT = 10**12
PART_FIELDS = ("base", "stock", "stock_years", "vesting", "bonus_pct", "sign_on", "refresh")
CLAWBACK_TERMS = ("full", "pro_rata")
APPENDIX_DIRS_ENV = "MAKE_BRIEF_APPENDIX_DIRS"  # folders besides the offer's own, for appendices


class RawCandidate(Model, frozen=True):
    name: str
    email: str | None = None
    preferred_name: str | None = None  # what the e-mail calls them ("Dear Sam,"); else the name
    pdf_password: str | None = None  # the password of a locked brief (--lock); else one is made up
    # the guide's facts, answered: true (confirmed), false (refuted), blank (not answered)
    facts: dict[str, bool | str | int | float | None] | None = (
        None  # null: `facts:` with every entry commented
    )
    walk_away: AmountIn | None = None  # the annual total comp below which the candidate declines


class RawClawback(Model, frozen=True):
    months: int
    terms: str  # "full" or "pro_rata"


class RawTerms(Model, frozen=True):
    base: AmountIn
    stock: AmountIn
    bonus_pct: int | float
    currency: str | None = None
    stock_years: int = 4
    sign_on: AmountIn | list[AmountIn] | None = None  # one amount (year 1) or one per year
    vesting: list[int | float] | None = None  # percent per year; default even
    cliff_months: int | None = None
    clawback: RawClawback | None = None
    deadline: str | None = None  # when the offer expires, YYYY-MM-DD
    recruiter: RawRecruiter | None = None
    options: RawOptions | None = None  # stock options of a private company (offers/equity.py)
    exit_values: list[AmountIn] | None = None  # company values to show the options at
    dilution_pct: int | float | None = None  # assumed dilution before an exit
    stock_liquid: bool = True  # false: a private company's RSUs, paid only at an exit
    refresh: RawRefresh | None = None  # a refresh grant each year (offers/equity.py)


class RawRecruiter(Model, frozen=True):
    name: str | None = None
    email: str | None = None


class RawRound(Model, frozen=True, kw_only=True):
    """One of the company's earlier offers (`rounds`, oldest first)."""

    date: str | None = None
    base: AmountIn
    stock: AmountIn
    bonus_pct: int | float
    sign_on: AmountIn | None = None


class RawCompeting(Model, frozen=True):
    """A competing offer: its total comp as one figure, or its parts."""

    company: str
    total_comp: AmountIn | None = None
    currency: str | None = None
    base: AmountIn | None = None
    stock: AmountIn | None = None
    stock_years: int | None = None
    vesting: list[int | float] | None = None
    bonus_pct: int | float | None = None
    sign_on: AmountIn | list[AmountIn] | None = None
    refresh: RawRefresh | None = None


class RawRate(Model, frozen=True):
    from_: str = msgspec.field(name="from")
    to: str
    rate: int | float | str
    date: str | None = None
    source: str | None = None


class RawOffer(Model, frozen=True):
    candidate: RawCandidate
    guide: str
    region: str
    offer: RawTerms
    competing_offers: list[RawCompeting] = []
    appendices: list[str] = []
    fx: list[RawRate] = []
    rounds: list[RawRound] = []


class Competing(msgspec.Struct, frozen=True):
    company: str
    total_comp: Decimal  # the average year, when given by parts
    currency: str
    pay: Pay | None = None  # the parts, when given


class Clawback(msgspec.Struct, frozen=True):
    months: int
    terms: str  # "full" or "pro_rata"


class Recruiter(msgspec.Struct, frozen=True):
    name: str | None
    email: str | None


class Round(msgspec.Struct, frozen=True):
    """An earlier offer of the company, in the offer's currency."""

    day: date | None  # `date` in the offer file
    base: Decimal
    stock: Decimal
    bonus_pct: Decimal
    sign_on: Decimal | None = None


class Offer(msgspec.Struct, frozen=True):
    """A validated offer, with exact amounts in the currency of its region."""

    name: str
    email: str | None
    guide: Guide
    region: Region
    currency: str
    base: Decimal
    stock: Decimal
    stock_years: int
    bonus_pct: Decimal
    sign_on: Decimal | None = None  # the whole sign-on, over all the years it is paid in
    competing: tuple[Competing, ...] = ()
    appendices: tuple[Path, ...] = ()
    source: Path | None = None
    facts: dict[str, bool] = {}  # the candidate's answers to the guide's questions, by fact id
    vesting: tuple[Decimal, ...] = ()  # percent per year; () is even
    sign_on_years: tuple[Decimal, ...] = ()  # the sign-on paid in year 1, 2, ...
    cliff_months: int | None = None
    clawback: Clawback | None = None
    rates: tuple[Rate, ...] = ()  # exchange rates stated in the offer file (and shared ones)
    pdf_password: str | None = None  # for --lock; never in a message, a log line or the manifest
    preferred_name: str | None = None  # the e-mail's greeting (not in the brief, nor its content key)

    walk_away: Decimal | None = None  # annual total comp, in the offer's currency
    deadline: date | None = None
    recruiter: Recruiter | None = None
    rounds: tuple[Round, ...] = ()  # the company's earlier offers, oldest first
    options: Options | None = None  # stock options (money/options.py)
    exit_values: tuple[Decimal, ...] = ()  # company values to show them at; () the defaults
    dilution_pct: Decimal | None = None  # assumed dilution before an exit
    stock_liquid: bool = True  # false: RSUs of a private company
    refresh: Refresh | None = None  # refresh grants (money/vesting.py)

    @property
    def pay(self) -> Pay:
        """The offer's parts, for the year-by-year figures."""
        return Pay(
            self.base,
            self.stock,
            self.stock_years,
            self.bonus_pct,
            self.vesting,
            self.sign_on_years,
            self.cliff_months,
            self.refresh,
        )


def load_offer(path: str | Path, guide_dirs: tuple[Path, ...] = ()) -> Offer:
    """Read, validate and resolve the offer file at `path`."""
    doc = load_yaml(Path(path), what="offer file", max_bytes=MAX_OFFER_BYTES)
    return offer_from_document(doc, guide_dirs)


def offer_from_document(doc: Document, guide_dirs: tuple[Path, ...] = ()) -> Offer:
    raw = convert(doc, RawOffer)
    try:
        guide = load_guide(find_guide(raw.guide, guide_dirs))
    except InputError as exc:
        if exc.file is None:  # unknown guide: the offer file's field is at fault
            raise doc.error("guide", exc.message, exc.hint) from None
        raise
    region = guide.region(raw.region)
    if region is None:
        names = ", ".join(r.name for r in guide.regions)
        raise doc.error("region", f"unknown region {raw.region!r}", f"the guide has: {names}")
    terms = raw.offer
    currency = (terms.currency or region.currency).strip().upper()
    if currency != region.currency:
        raise doc.error(
            "offer.currency",
            f"{currency} does not match {region.name}, whose bands are in {region.currency}",
            f"write the offer in {region.currency}",
        )
    _text(doc, "candidate.name", raw.candidate.name)
    email = _email(doc, raw.candidate.email)
    base = _amount(doc, "offer.base", terms.base, currency, region.base, floor=True)
    stock = _amount(doc, "offer.stock", terms.stock, currency, region.stock, zero_ok=True)
    if not 1 <= terms.stock_years <= 10:
        raise doc.error("offer.stock_years", "vesting must be 1 to 10 years")
    bonus = _percent(doc, "offer.bonus_pct", terms.bonus_pct)
    sign_on_years = sign_ons(doc, "offer.sign_on", terms.sign_on, currency, region.base, terms.stock_years)
    if len(raw.competing_offers) > MAX_COMPETING:
        raise doc.error("competing_offers", f"more than {MAX_COMPETING} competing offers")
    competing = [_competing(doc, i, item, currency, region) for i, item in enumerate(raw.competing_offers)]
    return Offer(
        name=raw.candidate.name.strip(),
        email=email,
        guide=guide,
        region=region,
        currency=currency,
        base=base,
        stock=stock,
        stock_years=terms.stock_years,
        bonus_pct=bonus,
        sign_on=sum(sign_on_years, Decimal(0)) if terms.sign_on is not None else None,
        competing=tuple(competing),
        appendices=_appendices(doc, raw.appendices),
        source=doc.path,
        facts=_facts(doc, guide, raw.candidate.facts or {}),
        vesting=vesting(doc, "offer.vesting", terms.vesting, terms.stock_years),
        sign_on_years=sign_on_years,
        cliff_months=cliff(doc, terms.cliff_months, terms.stock_years),
        clawback=_clawback(doc, terms.clawback),
        rates=rates(doc, raw.fx),
        **_call_prep(doc, raw, currency, region),
        **read_equity(doc, terms, currency, (vesting, cliff)),
        refresh=read_refresh(
            doc, "offer.refresh", terms.refresh, currency, terms.stock_years, (vesting, cliff)
        ),
        pdf_password=_password(doc, raw.candidate.pdf_password),
        preferred_name=_preferred(doc, raw.candidate.preferred_name),
    )


def _preferred(doc: Document, given: str | None) -> str | None:
    if given is None or not given.strip():
        return None
    _text(doc, "candidate.preferred_name", given)
    return given.strip()


def _password(doc: Document, given: str | None) -> str | None:
    from .password import problem

    if given is None:
        return None
    if (wrong := problem(str(given))) is not None:
        raise doc.error("candidate.pdf_password", wrong, "or leave it out: --lock makes one up")
    return str(given)


def _competing(doc: Document, i: int, item: RawCompeting, currency: str, region: Region) -> Competing:
    """A competing offer: its total comp as given, or the average year of its parts."""
    where = f"competing_offers.{i}"
    _text(doc, f"{where}.company", item.company)
    cur = (item.currency or currency).strip().upper()
    if not is_currency(cur):
        raise doc.error(f"{where}.currency", f"{cur!r} is not a currency code such as USD or EUR")
    same = cur == currency
    parts = [n for n in PART_FIELDS if getattr(item, n) is not None]
    if item.total_comp is not None:
        if parts:
            raise doc.error(
                f"{where}.{parts[0]}",
                "give either total_comp or the parts (base, stock, ...), not both",
                "the parts give the year-by-year figures",
            )
        tc = _amount(doc, f"{where}.total_comp", item.total_comp, cur, region.total_comp if same else None,
                     floor=True)  # fmt: skip
        return Competing(item.company.strip(), tc, cur)
    if item.base is None:
        raise doc.error(f"{where}.total_comp", "missing: give total_comp, or the parts starting with base")
    pay = competing_pay(doc, where, item, cur, region if same else None)
    return Competing(item.company.strip(), schedule(pay).average, cur, pay)


def with_rates(offer: Offer, shared: tuple[Rate, ...]) -> Offer:
    """`offer` with the `shared` exchange rates for the pairs it states none for."""
    from ..money.fx import merged

    return msgspec.structs.replace(offer, rates=merged(offer.rates, shared)) if shared else offer


def _text(doc: Document, field: str, value: str) -> None:
    if not value.strip():
        raise doc.error(field, "must not be empty")
    if len(value) > MAX_TEXT:
        raise doc.error(field, f"is {len(value):,} characters long; the limit is {MAX_TEXT}")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise doc.error(field, "contains control characters (a line break, a tab, an escape or NUL)")


def _email(doc: Document, value: str | None, field: str = "candidate.email") -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    _text(doc, field, value)
    local, _, domain = value.rpartition("@")
    if not local or "." not in domain or any(c in value for c in ' <>,;"()[]\\'):
        raise doc.error(field, f"{value!r} is not an e-mail address")
    return value


YES = frozenset({"true", "yes", "y"})
NO = frozenset({"false", "no", "n"})


def _facts(doc: Document, guide: Guide, given: dict[str, bool | str | int | float | None]) -> dict[str, bool]:
    """The candidate's answers: each id must be one of the guide's facts, each answer true or
    false (yes/no too); a blank answer is no answer."""
    from ..guides.facts import COMPETING, read_claims

    claims = read_claims(guide)
    known = [f.id for f in claims.facts]
    answers: dict[str, bool] = {}
    for fact_id, value in given.items():
        field = f"candidate.facts.{fact_id}"
        if fact_id == COMPETING:
            raise doc.error(field, "is answered by competing_offers", "list the offer under competing_offers")
        if fact_id not in known:
            import difflib  # only for a typo: a run without one never loads it

            close = difflib.get_close_matches(fact_id, known, n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"the guide's facts: {', '.join(known) or 'none'}"
            )
            raise doc.error(field, f"unknown fact for the guide {guide.id!r}", hint)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # 1 or 0 is not an answer either: say so in words
        if isinstance(value, str):
            word = value.strip().casefold()
            if word in YES or word in NO:
                value = word in YES
            elif not word:
                value = None
            else:
                raise doc.error(
                    field,
                    f"{value!r} is not an answer",
                    "write true or false, or yes or no; leave it blank if unsure",
                )
        if value is not None:
            answers[fact_id] = value
    return answers


MAX_ROUNDS = 20
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _call_prep(doc: Document, raw: RawOffer, currency: str, region: Region) -> dict:
    """What the call-prep pack reads: the walk-away, the deadline, the recruiter and the
    company's earlier offers (rounds, oldest first), each checked like the other fields."""
    walk_away = None
    if raw.candidate.walk_away is not None:
        walk_away = _amount(
            doc, "candidate.walk_away", raw.candidate.walk_away, currency, region.total_comp, floor=True
        )
    terms = raw.offer
    recruiter = None
    if terms.recruiter is not None:
        name = (terms.recruiter.name or "").strip() or None
        if name is not None:
            _text(doc, "offer.recruiter.name", name)
        recruiter = Recruiter(name, _email(doc, terms.recruiter.email, "offer.recruiter.email"))
    if len(raw.rounds) > MAX_ROUNDS:
        raise doc.error("rounds", f"more than {MAX_ROUNDS} rounds")
    rounds: list[Round] = []
    for i, item in enumerate(raw.rounds):
        where = f"rounds.{i}"
        day = _day(doc, f"{where}.date", item.date)
        earlier = next((r.day for r in reversed(rounds) if r.day is not None), None)
        if day is not None and earlier is not None and day < earlier:
            raise doc.error(
                f"{where}.date",
                f"{day.isoformat()} is before the round above it ({earlier.isoformat()})",
                "list the rounds oldest first; `offer:` is the latest",
            )
        sign_on = None
        if item.sign_on is not None:
            sign_on = _amount(doc, f"{where}.sign_on", item.sign_on, currency, region.base, zero_ok=True)
        rounds.append(
            Round(
                day=day,
                base=_amount(doc, f"{where}.base", item.base, currency, region.base, floor=True),
                stock=_amount(doc, f"{where}.stock", item.stock, currency, region.stock, zero_ok=True),
                bonus_pct=_percent(doc, f"{where}.bonus_pct", item.bonus_pct),
                sign_on=sign_on,
            )
        )
    return {
        "walk_away": walk_away,
        "deadline": _deadline(doc, terms.deadline),
        "recruiter": recruiter,
        "rounds": tuple(rounds),
    }


_IN_DAYS = re.compile(r"in\s+(\d{1,3})\s+(day|days|week|weeks)", re.I)


def _deadline(doc: Document, value: str | None) -> date | None:
    """The offer's deadline: a date (YYYY-MM-DD), or "in N days" ("in N weeks") counted from
    the day the offer file is read (SOURCE_DATE_EPOCH's day when set): for examples and
    samples that must never have expired; a real offer's deadline is a date."""
    match = _IN_DAYS.fullmatch(value.strip()) if value is not None else None
    if match is None:
        return _day(doc, "offer.deadline", value, ' (or "in 14 days")')
    from datetime import timedelta

    from ..files.clock import today

    days = int(match.group(1)) * (7 if match.group(2).lower().startswith("week") else 1)
    return today() + timedelta(days=days)


def _day(doc: Document, field: str, value: str | None, other: str = "") -> date | None:
    """A calendar date written YYYY-MM-DD (blank: none)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise doc.error(
            field, f"{text!r} is not a date", f'write it as YYYY-MM-DD, such as "2026-12-05"{other}'
        ) from None


def _amount(
    doc: Document,
    field: str,
    value: AmountIn,
    currency: str,
    band: Band | None,
    *,
    zero_ok: bool = False,
    floor: bool = False,
) -> Decimal:
    """An amount that parses and is plausible: not absurdly large, and, where `floor` is set,
    not so small that it must be a typo (210 for 210K)."""
    try:
        amount = parse_amount(value, currency)
    except AmountError as exc:
        raise doc.error(field, str(exc)) from None
    if amount > MAX_AMOUNT:
        raise doc.error(field, f"is over {MAX_AMOUNT:,}: not a plausible amount", "check the amount")
    if amount == 0:
        if zero_ok:
            return amount
        raise doc.error(field, "must be more than zero")
    if amount < 1:
        raise doc.error(field, f"{amount:.3g} {currency} is less than one whole unit", "check the amount")
    if band is not None and amount > Decimal(str(band.high)) * 20:
        raise doc.error(
            field,
            f"{amount:,.0f} {currency} is over 20 times the top of the guide's band",
            "check the amount and its currency",
        )
    if floor and band is not None and amount * 20 < Decimal(str(band.low)):
        raise doc.error(
            field,
            f"{amount:,.0f} {currency} is under a twentieth of the bottom of the guide's band",
            'write the whole yearly amount, such as 210000 or "210K"',
        )
    return amount


# --- money over time: vesting, sign-on by year, clawback, exchange rates ----------------------


def vesting(doc: Document, field: str, value: list[int | float] | None, years: int) -> tuple[Decimal, ...]:
    """The percentage vesting in each year: one per year, none negative, summing to 100."""
    if value is None:
        return ()
    if len(value) != years:
        raise doc.error(
            field,
            f"{len(value)} percentages for a {years}-year grant",
            f"give one per year of stock_years ({years}), such as " + _even_example(years),
        )
    shares = []
    for i, pct in enumerate(value):
        if isinstance(pct, float) and not math.isfinite(pct):
            raise doc.error(f"{field}.{i}", "must be a finite percentage")
        if pct < 0:
            raise doc.error(f"{field}.{i}", f"{pct}% is negative", "a year vests 0% or more")
        shares.append(Decimal(repr(pct)) if isinstance(pct, float) else Decimal(pct))
    total = sum(shares, Decimal(0))
    if total != 100:
        raise doc.error(
            field, f"the percentages sum to {total.normalize():f}, not 100", "check each year's share"
        )
    return tuple(shares)


def _even_example(years: int) -> str:
    return "[" + ", ".join(["25"] * 4 if years == 4 else [f"{100 / years:g}"] * years) + "]"


def sign_ons(
    doc: Document,
    field: str,
    value: AmountIn | list[AmountIn] | None,
    cur: str,
    band: Band | None,
    years: int,
) -> tuple[Decimal, ...]:
    """The sign-on paid in each year: one amount is year 1's; a list, one per year."""
    if value is None:
        return ()
    if not isinstance(value, list):
        return (_amount(doc, field, value, cur, band, zero_ok=True),)
    if not value or len(value) > years:
        raise doc.error(
            field,
            f"{len(value)} yearly amounts for a {years}-year vesting period",
            f"give 1 to {years} amounts, year 1 first",
        )
    return tuple(_amount(doc, f"{field}.{i}", v, cur, band, zero_ok=True) for i, v in enumerate(value))


def cliff(doc: Document, months: int | None, years: int, field: str = "offer.cliff_months") -> int | None:
    if months is None:
        return None
    if not 0 <= months <= MAX_CLIFF_MONTHS:
        raise doc.error(field, f"{months} months is not a cliff", f"write 0 to {MAX_CLIFF_MONTHS} months")
    if months > years * 12:
        raise doc.error(field, f"{months} months is after the {years}-year vesting period ends")
    return months


def _clawback(doc: Document, raw: RawClawback | None) -> Clawback | None:
    if raw is None:
        return None
    if not 1 <= raw.months <= 120:
        raise doc.error(
            "offer.clawback.months", f"{raw.months} months is not a clawback period", "write 1 to 120"
        )
    terms = raw.terms.strip().lower().replace("-", "_").replace(" ", "_")
    if terms not in CLAWBACK_TERMS:
        raise doc.error("offer.clawback.terms", f"{raw.terms!r} is not full or pro_rata")
    return Clawback(raw.months, terms)


def competing_pay(doc: Document, where: str, item: RawCompeting, cur: str, region: Region | None) -> Pay:
    """A competing offer's parts, checked as the offer's own are."""
    years = item.stock_years if item.stock_years is not None else 4
    if not 1 <= years <= 10:
        raise doc.error(f"{where}.stock_years", "vesting must be 1 to 10 years")
    bands = (region.base, region.stock) if region is not None else (None, None)
    base = _amount(doc, f"{where}.base", item.base or 0, cur, bands[0], floor=True)
    stock = _amount(doc, f"{where}.stock", item.stock or 0, cur, bands[1], zero_ok=True)
    bonus = _percent(doc, f"{where}.bonus_pct", item.bonus_pct or 0)
    return Pay(
        base,
        stock,
        years,
        bonus,
        vesting(doc, f"{where}.vesting", item.vesting, years),
        sign_ons(doc, f"{where}.sign_on", item.sign_on, cur, bands[0], years),
        refresh=read_refresh(doc, f"{where}.refresh", item.refresh, cur, years, (vesting, cliff)),
    )


def rates(doc: Document, raw: list[RawRate]) -> tuple[Rate, ...]:
    from ..money.fx import MAX_RATES, make_rate

    if len(raw) > MAX_RATES:
        raise doc.error("fx", f"more than {MAX_RATES} exchange rates")
    found = []
    for i, item in enumerate(raw):

        def fail(field: str, message: str, hint: str | None, i: int = i) -> InputError:
            return doc.error(f"fx.{i}.{field}", message, hint)

        found.append(make_rate(fail, item.from_, item.to, item.rate, item.date, item.source, is_currency))
    return tuple(found)


def _percent(doc: Document, field: str, value: float) -> Decimal:
    if isinstance(value, float) and not math.isfinite(value):
        raise doc.error(field, "must be a finite percentage")
    if not 0 <= value <= 200:
        raise doc.error(field, f"{value}% is not a plausible bonus; write a percentage from 0 to 200")
    return Decimal(str(value))


def appendix_dirs(offer_path: Path) -> list[Path]:
    """The folders an offer's appendices may come from: the offer file's own folder (and those
    below it), and any listed in $MAKE_BRIEF_APPENDIX_DIRS."""
    extra = [Path(p) for p in os.environ.get(APPENDIX_DIRS_ENV, "").split(os.pathsep) if p.strip()]
    return [offer_path.parent, *extra]


def _appendices(doc: Document, entries: list[str]) -> tuple[Path, ...]:
    if len(entries) > MAX_APPENDICES:
        raise doc.error("appendices", f"more than {MAX_APPENDICES} appendices")
    roots = appendix_dirs(doc.path)
    paths = []
    for i, entry in enumerate(entries):
        where = f"appendices.{i}"
        if not entry.strip():
            raise doc.error(where, "is not a file name")
        try:
            paths.append(confined(doc.path.parent / entry, roots, what="appendix", owner="the offer file"))
        except InputError as exc:
            hint = exc.hint
            if hint is None and "outside" in exc.message:
                hint = f"copy it next to the offer file, or add its folder to ${APPENDIX_DIRS_ENV}"
            raise doc.error(where, exc.message, hint) from None
    return tuple(paths)


def doubts(offer: Offer) -> tuple[str, ...]:
    """What looks wrong in a valid offer but may be right (a warning, not an error): a deadline
    earlier than a round's date."""
    if offer.deadline is None:
        return ()
    found = []
    for i, r in enumerate(offer.rounds):
        if r.day is not None and offer.deadline < r.day:
            found.append(
                f"offer.deadline: {offer.deadline.isoformat()} is before the date of rounds.{i}"
                f" ({r.day.isoformat()}): check both dates"
            )
    return tuple(found)

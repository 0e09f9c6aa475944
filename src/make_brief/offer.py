"""Offer files: the user-facing contract, read safely and resolved against their guide.

The YAML shape is documented in the README and written by ``make-brief init``. Loading checks
the shape (unknown or missing fields, wrong types) with msgspec, then the meaning: the guide
and region exist, amounts parse in the region's currency and are plausible, appendices exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import msgspec

from .errors import InputError
from .guide import Guide, Region, find_guide, load_guide
from .loading import Document, convert, load_yaml
from .money import AmountError, parse_amount

AmountIn = int | float | str

MAX_OFFER_BYTES = 256_000
MAX_COMPETING = 50
MAX_APPENDICES = 20
MAX_TEXT = 300  # characters in a name, company or e-mail address


class _Model(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pass


class RawCandidate(_Model):
    name: str
    email: str | None = None


class RawTerms(_Model):
    base: AmountIn
    stock: AmountIn
    bonus_pct: int | float
    currency: str | None = None
    stock_years: int = 4
    sign_on: AmountIn | None = None


class RawCompeting(_Model):
    company: str
    total_comp: AmountIn
    currency: str | None = None


class RawOffer(_Model):
    candidate: RawCandidate
    guide: str
    region: str
    offer: RawTerms
    competing_offers: list[RawCompeting] = []
    appendices: list[str] = []


@dataclass(frozen=True)
class Competing:
    company: str
    total_comp: Decimal
    currency: str


@dataclass(frozen=True)
class Offer:
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
    sign_on: Decimal | None = None
    competing: tuple[Competing, ...] = ()
    appendices: tuple[Path, ...] = ()
    source: Path | None = field(default=None, compare=False)


def load_offer(path: Path, guide_dirs: tuple[Path, ...] = ()) -> Offer:
    """Read, validate and resolve the offer file at `path`."""
    doc = load_yaml(path, what="offer file", max_bytes=MAX_OFFER_BYTES)
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
    base = _amount(doc, "offer.base", terms.base, currency, region.base.high)
    stock = _amount(doc, "offer.stock", terms.stock, currency, region.stock.high, zero_ok=True)
    if not 1 <= terms.stock_years <= 10:
        raise doc.error("offer.stock_years", "vesting must be 1 to 10 years")
    bonus = _percent(doc, "offer.bonus_pct", terms.bonus_pct)
    sign_on = None
    if terms.sign_on is not None:
        sign_on = _amount(doc, "offer.sign_on", terms.sign_on, currency, region.base.high, True)
    if len(raw.competing_offers) > MAX_COMPETING:
        raise doc.error("competing_offers", f"more than {MAX_COMPETING} competing offers")
    competing = []
    for i, item in enumerate(raw.competing_offers):
        where = f"competing_offers.{i}"
        _text(doc, f"{where}.company", item.company)
        cur = (item.currency or currency).strip().upper()
        if len(cur) != 3 or not cur.isalpha():
            raise doc.error(f"{where}.currency", f"{cur!r} is not a currency code such as USD")
        limit = region.total_comp.high if cur == currency else None
        tc = _amount(doc, f"{where}.total_comp", item.total_comp, cur, limit)
        competing.append(Competing(item.company.strip(), tc, cur))
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
        sign_on=sign_on,
        competing=tuple(competing),
        appendices=_appendices(doc, raw.appendices),
        source=doc.path,
    )


def _text(doc: Document, field: str, value: str) -> None:
    if not value.strip():
        raise doc.error(field, "must not be empty")
    if len(value) > MAX_TEXT:
        raise doc.error(field, f"is {len(value):,} characters long; the limit is {MAX_TEXT}")
    if any(ord(ch) < 32 for ch in value):
        raise doc.error(field, "contains control characters (a line break, a tab or NUL)")


def _email(doc: Document, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    _text(doc, "candidate.email", value)
    local, _, domain = value.rpartition("@")
    if not local or "." not in domain or any(c in value for c in ' <>,;"()[]\\'):
        raise doc.error("candidate.email", f"{value!r} is not an e-mail address")
    return value


def _amount(
    doc: Document,
    field: str,
    value: AmountIn,
    currency: str,
    band_high: float | None,
    zero_ok: bool = False,
) -> Decimal:
    try:
        amount = parse_amount(value, currency)
    except AmountError as exc:
        raise doc.error(field, str(exc)) from None
    if amount == 0 and not zero_ok:
        raise doc.error(field, "must be more than zero")
    if band_high is not None and amount > Decimal(str(band_high)) * 20:
        raise doc.error(
            field,
            f"{amount:,.0f} {currency} is over 20 times the top of the guide's band",
            "check the amount and its currency",
        )
    if amount > 10**12:
        raise doc.error(field, "is not a plausible amount")
    return amount


def _percent(doc: Document, field: str, value: float) -> Decimal:
    if isinstance(value, float) and not math.isfinite(value):
        raise doc.error(field, "must be a finite percentage")
    if not 0 <= value <= 200:
        raise doc.error(field, f"{value}% is not a plausible bonus; write a percentage from 0 to 200")
    return Decimal(str(value))


def _appendices(doc: Document, entries: list[str]) -> tuple[Path, ...]:
    if len(entries) > MAX_APPENDICES:
        raise doc.error("appendices", f"more than {MAX_APPENDICES} appendices")
    base = doc.path.parent
    paths = []
    for i, entry in enumerate(entries):
        where = f"appendices.{i}"
        if not entry.strip() or "\0" in entry:
            raise doc.error(where, "is not a file name")
        path = (base / entry).expanduser()
        if not path.exists():
            raise doc.error(where, f"no such file {str(path)!r}", "paths are relative to the offer file")
        if not path.is_file():
            raise doc.error(where, f"{str(path)!r} is not a regular file")
        paths.append(path)
    return tuple(paths)

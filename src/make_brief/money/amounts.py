"""Amounts of money: parsing what people write, formatting what the brief shows.

Parsing takes numbers and strings such as ``"210K"``, ``"$210,000"``, ``"₹45L"``,
``"CHF 245'000"`` and gives an exact ``Decimal``. Formatting is Babel's (CLDR data), so that
each currency is written the way its readers expect: ``$245,000``, ``£148,000``, ``₹45,00,000``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from ..errors import AmountError
from .places import CURRENCIES, MARKS, find_place, marks_of

_MULTIPLIERS = {
    "": 1,
    "k": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "l": 100_000,
    "lakh": 100_000,
    "lakhs": 100_000,
    "lac": 100_000,
    "cr": 10_000_000,
    "crore": 10_000_000,
    "crores": 10_000_000,
}

_AMOUNT = re.compile(
    r"""^\s*(?P<pre>[^\d\s.,+\-]*)\s*
    (?P<sign>[+\-]?)\s*
    (?P<num>\d[\d,'’\u00a0\u202f _]*(?:\.\d+)?|\.\d+)\s*
    (?P<mult>[a-z]*)\s*
    (?P<post>[^\d\s]*)\s*$""",
    re.X | re.I,
)


def parse_amount(value: object, currency: str) -> Decimal:
    """The exact amount written as `value`, checked against `currency` when it names one."""
    if isinstance(value, bool) or value is None:
        raise AmountError('expected an amount such as 210000 or "210K"')
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise AmountError("expected a finite amount")
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        amount = _parse_text(value, currency)
    else:
        raise AmountError('expected an amount such as 210000 or "210K"')
    if not amount.is_finite():
        raise AmountError("expected a finite amount")
    if amount < 0:
        raise AmountError("an amount cannot be negative")
    return amount


def _parse_text(text: str, currency: str) -> Decimal:
    match = _AMOUNT.match(text)
    if not match:
        raise AmountError(f'{text!r} is not an amount; write e.g. 210000, "210K" or "$210,000"')
    mult = match.group("mult").lower()
    if mult not in _MULTIPLIERS:
        raise AmountError(f"{text!r}: unknown suffix {match.group('mult')!r}; use K or M")
    for mark in (match.group("pre"), match.group("post")):
        if mark and not symbol_matches(mark, currency):
            raise AmountError(f"{text!r} is written in {_named(mark)}, but the amount is in {currency}")
    digits = re.sub(r"[,'’\u00a0\u202f _]", "", match.group("num"))
    try:
        amount = Decimal(digits) * _MULTIPLIERS[mult]
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise AmountError(f"{text!r} is not an amount") from None
    return -amount if match.group("sign") == "-" else amount


@lru_cache(maxsize=64)
def symbol_matches(mark: str, currency: str) -> bool:
    """Whether `mark` ("$", "US$", "£", "USD", "Rs") names `currency`."""
    mark = mark.strip().rstrip(".")
    known = marks_of(currency)
    if mark.upper() == currency.upper() or mark in known:
        return True  # the common marks, known without loading babel's locale data
    from babel.numbers import get_currency_symbol

    symbols = {currency.upper()}
    for locale in ("en", "en_US", "en_GB", "en_IN", "de_CH", "ja_JP", "fr_FR"):
        symbols.add(get_currency_symbol(currency, locale=locale).rstrip("."))
    symbols |= known
    return mark in symbols or mark.upper() in {s.upper() for s in symbols}


def _named(mark: str) -> str:
    """`mark` with the currency it stands for: "US$ (USD)"; the mark alone if unknown."""
    code = currency_for_mark(mark)
    return f"{mark} ({code})" if code and code != mark.upper() else mark


def round_to(amount: Decimal, step: int) -> Decimal:
    """`amount` rounded half-up to a multiple of `step` (1000 → nearest thousand)."""
    return (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


@lru_cache(maxsize=4096)  # babel parses its patterns on every call; a batch repeats amounts
def fmt_money(amount: Decimal | int, currency: str, locale: str, mark: str | None = None) -> str:
    """The whole amount in the locale's way: ``$245,000``, ``£148,000``, ``₹45,00,000``;
    with `mark`, that mark in place of the locale's symbol (``CA$210,000``)."""
    from babel.numbers import format_currency

    value = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    text = format_currency(
        value, currency, format=_whole_pattern(locale), locale=locale, currency_digits=False
    )
    return _marked(text, currency, locale, mark)


@lru_cache(maxsize=4096)
def fmt_money_short(amount: Decimal | int, currency: str, locale: str, mark: str | None = None) -> str:
    """The amount in compact form (``$245K``, ``₹45L``) when that is exact, else in full."""
    from babel.numbers import format_compact_currency

    digits = _compact_digits(Decimal(amount), locale)
    if digits is not None:
        home = compact_locale(locale)
        text = format_compact_currency(Decimal(amount), currency, locale=home, fraction_digits=digits)
        if home != locale:  # the home language's form, with this locale's own symbol (PLN, not zł)
            from babel.numbers import get_currency_symbol

            return _marked(text, currency, home, mark or get_currency_symbol(currency, locale=locale))
        return _marked(text, currency, locale, mark)
    return fmt_money(amount, currency, locale, mark)


@lru_cache(maxsize=4096)
def fmt_money_thousands(amount: Decimal | int, currency: str, locale: str, mark: str | None = None) -> str:
    """The amount rounded to the nearest thousand, in thousands, in the locale's compact form
    for thousands whatever its size: ``$1,158K`` beside ``$956K`` (not ``$1,158,000``),
    ``1 158 tn kr`` beside ``956 tn kr``: one form for every label of a chart."""
    from babel import Locale
    from babel.numbers import format_currency, get_currency_symbol

    home = compact_locale(locale)
    forms = Locale.parse(home).compact_currency_formats.get("short") or {}
    found = forms.get("other", {}).get("1000")
    if found is None:  # no compact form in this locale: the rounded amount in full
        return fmt_money(round_to(Decimal(amount), 1000), currency, locale, mark)
    pattern = str(getattr(found, "pattern", found)).replace("0", "#,##0", 1)
    thousands = round_to(Decimal(amount), 1000) / 1000
    text = format_currency(thousands, currency, format=pattern, locale=home, currency_digits=False)
    if home != locale:
        return _marked(text, currency, home, mark or get_currency_symbol(currency, locale=locale))
    return _marked(text, currency, locale, mark)


@lru_cache(maxsize=32)
def compact_locale(locale: str) -> str:
    """The locale whose compact currency form goes with `locale`'s full form: `locale` itself,
    unless its compact pattern puts the symbol on the other side of the number than its full
    pattern does. Then CLDR has no compact form of its own for it (English for Sweden takes
    English's "kr650K" beside its full "780 000 kr"), and the form of the country's own
    language is taken, as its readers write it: "650 tn kr" (CLDR's likely language of the
    territory, Swedish for Sweden)."""
    from babel import Locale, UnknownLocaleError

    here = Locale.parse(locale)
    if here.territory is None or _symbol_first(here, "full") == _symbol_first(here, "compact"):
        return locale
    try:
        home = Locale.parse(f"und_{here.territory}")
    except (UnknownLocaleError, ValueError):
        return locale
    return str(home) if _symbol_first(home, "compact") == _symbol_first(here, "full") else locale


def _symbol_first(locale: object, form: str) -> bool:
    """Whether `locale`'s full (or compact, for thousands) currency pattern writes the symbol
    before the number."""
    if form == "full":
        pattern = str(locale.currency_formats["standard"].pattern)  # type: ignore[attr-defined]
    else:
        forms = locale.compact_currency_formats.get("short") or {}  # type: ignore[attr-defined]
        found = forms.get("other", {}).get("1000")
        pattern = found.pattern if found is not None else ""
    pattern = pattern.split(";")[0]
    return "¤" in pattern and pattern.index("¤") < pattern.index("0")


def is_compact(amount: Decimal | int, locale: str) -> bool:
    """Whether `amount` has an exact compact form in `locale` ($245K, $286.5K; not $286,520)."""
    return _compact_digits(Decimal(amount), locale) is not None


def _compact_digits(amount: Decimal, locale: str) -> int | None:
    divisor = _compact_divisor(amount, compact_locale(locale))
    if divisor is None:
        return None
    exponent = (amount / divisor).normalize().as_tuple().exponent
    digits = max(0, -exponent) if isinstance(exponent, int) else 3
    return digits if digits <= 1 else None


def _marked(text: str, currency: str, locale: str, mark: str | None) -> str:
    if mark is None:
        return text
    from babel.numbers import get_currency_symbol

    return text.replace(get_currency_symbol(currency, locale=locale), mark, 1)


def distinct_marks(uses: Iterable[tuple[str, str]]) -> dict[str, str]:
    """For the (currency, locale) pairs one brief or listing shows, the mark each currency
    must be written with so that two currencies never share one: {"CAD": "CA$", "USD": "US$"}
    when both would be a bare "$". A currency whose marks are its own is not listed."""
    from babel.numbers import get_currency_symbol

    symbols: dict[str, set[str]] = {}
    for currency, locale in set(uses):
        symbols.setdefault(get_currency_symbol(currency, locale=locale), set()).add(currency)
    shared = {c for currencies in symbols.values() if len(currencies) > 1 for c in currencies}
    marks = {c: get_currency_symbol(c, locale="en_001") for c in shared}
    for currency, mark in marks.items():  # still ambiguous in world English: the ISO code
        if list(marks.values()).count(mark) > 1 or mark in symbols and symbols[mark] - {currency}:
            marks[currency] = currency + "\u00a0"
    return marks


def fmt_pct(value: Decimal | float, digits: int = 1) -> str:
    """A percentage such as ``93.0%`` (value 0.93)."""
    return f"{Decimal(value) * 100:.{digits}f}%"


def fmt_number(value: Decimal | int) -> str:
    """A plain number without trailing zeros: 18 → ``18``, 17.5 → ``17.5``."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@lru_cache(maxsize=32)
def _whole_pattern(locale: str) -> str:
    from babel import Locale

    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    pattern = pattern.split(";")[0]
    return re.sub(r"\.0+", "", pattern)


def _compact_divisor(amount: Decimal, locale: str) -> int | None:
    """What CLDR's short compact form divides `amount` by in `locale` (None: not compacted)."""
    for magnitude, divisor in _compact_steps(locale):
        if abs(amount) >= magnitude:
            return divisor
    return None


@lru_cache(maxsize=32)
def _compact_steps(locale: str) -> tuple[tuple[int, int | None], ...]:
    """CLDR's short compact forms of `locale`, largest first: each magnitude, with what an
    amount of it is divided by (None: not compacted). Read once per locale (a brief asks
    hundreds of times)."""
    from babel import Locale
    from babel.numbers import parse_pattern

    forms = Locale.parse(locale).compact_currency_formats.get("short") or {}
    other = forms.get("other", {})
    steps: list[tuple[int, int | None]] = []
    for magnitude in sorted((int(m) for m in other), reverse=True):
        pattern = parse_pattern(other[str(magnitude)]).pattern
        if pattern.count("0") == 1 and "0" == pattern.strip("¤\xa0 "):
            steps.append((magnitude, None))
        else:
            steps.append((magnitude, magnitude // (10 ** (pattern.count("0") - 1))))
    return tuple(steps)


def currency_for_mark(mark: str, place_name: str | None = None) -> str | None:
    """The currency that `mark` ("$", "₹", "CHF") means for amounts of the place `place_name`."""
    from babel.numbers import get_currency_symbol

    mark = mark.strip()
    place = find_place(place_name) if place_name else None
    if place is not None:
        own = get_currency_symbol(place.currency, locale=place.locale)  # "$" in Singapore is SGD
        if symbol_matches(mark, place.currency) or mark == own:
            return place.currency
    if mark.upper() in CURRENCIES:
        return mark.upper()
    return MARKS[mark][0] if mark in MARKS else None


@lru_cache(maxsize=1024)
def fmt_price(amount: Decimal, currency: str, locale: str, mark: str | None = None) -> str:
    """A price per share with its cents, and up to four places when it has more: ``$1.85``,
    ``$0.0125``, ``£7.40``; with `mark`, that mark in place of the locale's symbol."""
    from babel.numbers import format_currency

    text = format_currency(
        amount, currency, format=_decimal_pattern(locale), locale=locale, currency_digits=False
    )
    return _marked(text, currency, locale, mark)


def _decimal_pattern(locale: str) -> str:
    """The locale's currency pattern with two to four decimal places."""
    whole = _whole_pattern(locale)
    last = whole.rfind("0")
    return whole[: last + 1] + ".00##" + whole[last + 1 :]


def fmt_money_about(amount: Decimal, currency: str, locale: str, mark: str | None = None) -> str:
    """The amount rounded to one decimal place of its compact form, for a chart's labels:
    ``$385M``, ``$1.2B``, ``$29.6M`` (the table beside it has the amount in full)."""
    from babel.numbers import format_compact_currency

    home = compact_locale(locale)
    text = format_compact_currency(Decimal(amount), currency, locale=home, fraction_digits=1)
    if home != locale:
        from babel.numbers import get_currency_symbol

        return _marked(text, currency, home, mark or get_currency_symbol(currency, locale=locale))
    return _marked(text, currency, locale, mark)


def fmt_count(count: int, locale: str) -> str:
    """A whole number with the locale's grouping: ``40,000``, ``40.000``."""
    from babel.numbers import format_decimal

    return format_decimal(count, locale=locale)

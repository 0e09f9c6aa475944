"""Well-known places: the facts a guide's region table leaves unsaid.

A guide names a region ("San Francisco") and writes its amounts with a mark ("$205K"). What
the brief also needs, and the guide does not say, comes from this small table:

* **aliases**, the short forms an offer file may use (SF, NYC, Bangalore);
* **the currency** the place pays in, which decides what an ambiguous mark means ("$" is USD in
  New York and SGD in Singapore) and lets `guides check` flag a region whose bands are in a
  currency that is not its own;
* **the locale** amounts are formatted in: English as written in the place's country
  (``en_US``, ``en_GB``, ``en_IN``, ``en_CH``, ``en_JP``), since the brief is in English but
  its reader expects their own country's grouping and symbols (``₹45,00,000``,
  ``CHF 245'000``). In the euro area it is ``en_IE`` (``€95,000``): CLDR's English for
  Germany, the Netherlands or France writes a decimal comma (``€138,8K``), which would sit
  badly beside the brief's percentages (``24.2%``).

A region that is not in the table keeps no aliases and gets its currency's locale
(``CURRENCY_LOCALES``); its currency is what its amounts' mark says. Pure data, no I/O.
"""

from __future__ import annotations

import re

import msgspec


class Place(msgspec.Struct, frozen=True):
    name: str
    currency: str  # ISO 4217 code
    locale: str  # CLDR locale for its amounts
    aliases: tuple[str, ...] = ()


PLACES: tuple[Place, ...] = (
    Place("San Francisco", "USD", "en_US", ("SF", "Bay Area", "San Francisco Bay Area")),
    Place("New York", "USD", "en_US", ("NYC", "NY", "New York City")),
    Place("Seattle", "USD", "en_US", ("SEA",)),
    Place("Austin", "USD", "en_US", ("ATX",)),
    Place("Toronto", "CAD", "en_CA", ("YYZ",)),
    Place("London", "GBP", "en_GB", ("LDN", "LON")),
    Place("Dublin", "EUR", "en_IE", ("DUB",)),
    Place("Amsterdam", "EUR", "en_IE", ("AMS",)),
    Place("Berlin", "EUR", "en_IE", ("BER",)),
    Place("Munich", "EUR", "en_IE", ("München", "MUC")),
    Place("Paris", "EUR", "en_IE", ("PAR",)),
    Place("Zurich", "CHF", "en_CH", ("Zürich", "ZRH")),
    Place("Geneva", "CHF", "en_CH", ("Genève", "GVA")),
    Place("Bengaluru", "INR", "en_IN", ("Bangalore", "BLR")),
    Place("Hyderabad", "INR", "en_IN", ("HYD",)),
    Place("Pune", "INR", "en_IN", ("PNQ",)),
    Place("Mumbai", "INR", "en_IN", ("Bombay", "BOM")),
    Place("Tokyo", "JPY", "en_JP", ("TYO",)),
    Place("Osaka", "JPY", "en_JP", ("OSA",)),
    Place("Singapore", "SGD", "en_SG", ("SIN",)),
    Place("Sydney", "AUD", "en_AU", ("SYD",)),
)

# The locale of a currency's amounts where the place is not in the table.
CURRENCY_LOCALES = {
    "USD": "en_US",
    "GBP": "en_GB",
    "EUR": "en_IE",
    "INR": "en_IN",
    "CHF": "en_CH",
    "JPY": "en_JP",
    "CAD": "en_CA",
    "AUD": "en_AU",
    "SGD": "en_SG",
    "HKD": "en_HK",
    "SEK": "en_SE",
    "NOK": "en_NO",
    "DKK": "en_DK",
    "PLN": "en_PL",
    "ILS": "en_IL",
    "AED": "en_AE",
    "NZD": "en_NZ",
}

# The one table of currency marks: each mark make-brief knows, and the currencies it may stand
# for. The first is what it means when neither the place nor the offer decides: "$" is USD
# unless the region (or the offer) pays in another dollar. Three-letter codes stand for
# themselves. money.symbol_matches reads which marks an amount in a currency may carry from it
# (without loading babel's data for these), currency_for_mark what a mark means, and the guide
# importer which marks to look for.
MARKS: dict[str, tuple[str, ...]] = {
    "$": ("USD", "CAD", "AUD", "SGD", "NZD", "HKD"),
    "US$": ("USD",),
    "C$": ("CAD",),
    "CA$": ("CAD",),
    "Can$": ("CAD",),
    "A$": ("AUD",),
    "AU$": ("AUD",),
    "S$": ("SGD",),
    "NZ$": ("NZD",),
    "HK$": ("HKD",),
    "£": ("GBP",),
    "€": ("EUR",),
    "₹": ("INR",),
    "Rs": ("INR",),
    "Rs.": ("INR",),
    "¥": ("JPY",),
    "￥": ("JPY",),
    "円": ("JPY",),
    "CHF": ("CHF",),
    "Fr": ("CHF",),
    "Fr.": ("CHF",),
    "SFr": ("CHF",),
}


def marks_of(currency: str) -> frozenset[str]:
    """The marks of MARKS that may stand for `currency` ("$", "US$" for USD)."""
    return _MARKS_OF.get(currency.upper(), frozenset())


_MARKS_OF = {
    code: frozenset(mark for mark, codes in MARKS.items() if code in codes)
    for code in {code for codes in MARKS.values() for code in codes}
}
CURRENCIES = frozenset(CURRENCY_LOCALES)


def place_key(name: str) -> str:
    """A place or region name as make-brief compares them: case, dots and spacing ignored
    ("N.Y.C." is "n y c", "San  Francisco" is "san francisco")."""
    return " ".join(name.casefold().replace(".", " ").split())


_BY_NAME = {place_key(n): p for p in PLACES for n in (p.name, *p.aliases)}


def find_place(name: str) -> Place | None:
    """The well-known place called `name` or one of its aliases, ignoring case."""
    return _BY_NAME.get(place_key(name))


def aliases_for(name: str) -> list[str]:
    """The other names of place `name`: its aliases, and its usual name if `name` is an alias."""
    place = find_place(name)
    if place is None:
        return []
    return [n for n in (place.name, *place.aliases) if place_key(n) != place_key(name)]


def locale_for(name: str, currency: str) -> str:
    """The locale for amounts in `currency` in the place `name` (see the module's docstring)."""
    place = find_place(name)
    if place is not None and place.currency == currency:
        return place.locale
    return CURRENCY_LOCALES.get(currency, "en")


def is_currency(code: str) -> bool:
    """Whether `code` is an ISO 4217 code (CLDR's list, via babel). The codes of the bundled
    places are known without loading babel, which `validate` then never imports."""
    if code in CURRENCIES:
        return True
    from babel.numbers import list_currencies

    return re.fullmatch(r"[A-Z]{3}", code) is not None and code in list_currencies()

"""Line breaks reused across briefs (linecache.py): the same bytes, and keys that never let a
paragraph take the lines of another text, style, bullet or width."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, offer_data

from make_brief.errors import UnkeyableError
from make_brief.offers.offer import load_offer
from make_brief.render.reportlab.lines import DISABLE_ENV, LINES, LineCache, freeze
from make_brief.run.pipeline import make_pdf

LONG_WORDS = [{"company": f"Company{'Verylongname' * 8}{i}", "total_comp": 300000 + i} for i in range(25)]

CASES = {
    "example with its letter": (EXAMPLES / "offer.yaml", {}),
    "compact, letter paper": (None, {"template": "compact", "page_size": "letter"}),
    "long words split across lines and pages": (None, {"competing_offers": LONG_WORDS}),
    "another guide": (None, {"guide": "lumen-payments-staff-software-engineer", "region": "Bengaluru"}),
}


@pytest.fixture
def fresh_cache():
    LINES.clear()
    yield LINES
    LINES.clear()


def _offer(case: str, write_offer):
    path, changes = CASES[case]
    changes = dict(changes)
    template, page_size = changes.pop("template", None), changes.pop("page_size", None)
    if path is None:
        if "guide" in changes and "offer" not in changes:
            changes["offer"] = {
                "currency": "INR",
                "base": 5000000,
                "stock": 4800000,
                "stock_years": 4,
                "bonus_pct": 10,
            }
        path = write_offer(offer_data(**changes), name="offer.yaml")
    return load_offer(path), template, page_size


@pytest.mark.parametrize("case", list(CASES))
def test_briefs_are_byte_identical_with_and_without_the_cache(case, write_offer, monkeypatch, fresh_cache):
    offer, template, page_size = _offer(case, write_offer)
    monkeypatch.setenv(DISABLE_ENV, "1")
    without = make_pdf(offer, template, page_size).pdf
    assert not fresh_cache.entries
    monkeypatch.delenv(DISABLE_ENV)
    first = make_pdf(offer, template, page_size).pdf  # fills the cache
    assert fresh_cache.entries
    hits = fresh_cache.hits
    second = make_pdf(offer, template, page_size).pdf  # takes its lines from it
    assert fresh_cache.hits > hits
    assert without == first == second


def test_a_cached_layout_survives_other_briefs_in_between(write_offer, monkeypatch, fresh_cache):
    """Briefs of other candidates, guides and templates in one process (as in a batch worker)
    leave each brief's bytes as they are on their own."""
    made = {case: _offer(case, write_offer) for case in CASES}
    monkeypatch.setenv(DISABLE_ENV, "1")
    alone = {case: make_pdf(*args).pdf for case, args in made.items()}
    monkeypatch.delenv(DISABLE_ENV)
    for _ in range(2):
        for case, args in made.items():
            assert make_pdf(*args).pdf == alone[case], case


def _paragraph(text, style, width, bullet=None):
    from make_brief.render.reportlab.paragraph import CachedParagraph

    paragraph = CachedParagraph(text, style, bulletText=bullet)
    paragraph.wrap(width, 10_000)
    return paragraph


def _lines(paragraph):
    """The lines as values: each word's text, font, size and colour, and the space left."""

    def word(w):
        if isinstance(w, str):
            return w
        return (w.text, w.fontName, w.fontSize, repr(getattr(w, "textColor", None)))

    found = []
    for line in paragraph.blPara.lines:
        if isinstance(line, tuple):  # one style: (space left, words)
            found.append((line[0], tuple(line[1])))
        else:
            found.append((line.extraSpace, tuple(word(w) for w in line.words)))
    return found


def _style(**changes):
    from reportlab.lib.styles import ParagraphStyle

    base = {"fontName": "Helvetica", "fontSize": 10, "leading": 13}
    base.update(changes)
    return ParagraphStyle("body", **base)


TEXT = "The same words, <b>some bold</b>, laid out again and again for every brief of a batch. " * 3


def test_the_same_text_style_and_width_share_their_lines(fresh_cache):
    one = _paragraph(TEXT, _style(), 200)
    two = _paragraph(TEXT, _style(), 200)  # another style object, equal by value
    assert fresh_cache.hits == 1 and len(fresh_cache.entries) == 1
    assert two.blPara is one.blPara


@pytest.mark.parametrize(
    "other",
    [
        {"width": 201},
        {"style": {"fontSize": 10.5}},
        {"style": {"leading": 14}},
        {"style": {"fontName": "Helvetica-Bold"}},
        {"style": {"leftIndent": 4}},
        {"style": {"textColor": "#ff0000"}},
        {"bullet": "•"},
        {"text": TEXT + "!"},
    ],
    ids=lambda other: next(iter(other)) + ":" + str(next(iter(other.values()))),
)
def test_another_width_style_bullet_or_text_never_shares(other, fresh_cache):
    from reportlab.lib import colors

    _paragraph(TEXT, _style(), 200)
    changes = dict(other.get("style", {}))
    if "textColor" in changes:
        changes["textColor"] = colors.HexColor(changes["textColor"])
    fresh = _paragraph(
        other.get("text", TEXT), _style(**changes), other.get("width", 200), other.get("bullet")
    )
    assert fresh_cache.hits == 0 and len(fresh_cache.entries) == 2
    LINES.clear()
    assert _lines(fresh) == _lines(
        _paragraph(other.get("text", TEXT), _style(**changes), other.get("width", 200), other.get("bullet"))
    )


def test_a_split_or_another_width_never_changes_the_shared_lines(fresh_cache):
    """A paragraph split across pages, or measured at another width, makes lines of its own;
    the next paragraph of the same text still gets the lines an uncached one would."""
    style = _style()
    shared = _paragraph(TEXT * 4, style, 150)
    expected = _lines(shared)
    taker = _paragraph(TEXT * 4, _style(), 150)
    assert taker.blPara is shared.blPara
    parts = taker.split(150, 3 * style.leading)
    assert len(parts) == 2 and taker.blPara is not shared.blPara
    again = _paragraph(TEXT * 4, _style(), 150)
    again.wrap(90, 10_000)  # another width: its own parse and break
    assert _lines(_paragraph(TEXT * 4, _style(), 150)) == expected
    assert _lines(shared) == expected


def test_markup_that_sets_the_style_is_not_cached(fresh_cache):
    _paragraph('<para leftIndent="20">Indented by its own markup.</para>', _style(), 200)
    assert not fresh_cache.entries


def test_colours_are_keyed_by_value_and_unknown_objects_not_at_all():
    from reportlab.lib import colors

    assert freeze(colors.HexColor("#1f2933")) == freeze(colors.HexColor("#1f2933"))
    assert freeze(colors.HexColor("#1f2933")) != freeze(colors.HexColor("#1f2934"))
    assert freeze(1) != freeze(1.0) and freeze(True) != freeze(1)
    with pytest.raises(UnkeyableError):
        freeze(object())


def test_the_cache_is_bounded_least_recently_used_first_out():
    cache = LineCache(max_entries=2)
    cache.put(("a",), 1)
    cache.put(("b",), 2)
    assert cache.get(("a",)) == 1  # now the most recently used
    cache.put(("c",), 3)
    assert list(cache.entries) == [("a",), ("c",)]

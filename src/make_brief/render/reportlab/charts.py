"""The charts, drawn with reportlab.graphics: the market bands with the offer and the ask
marked, labels that never overlap, and the year-by-year bars."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics

from ...compose.document import Bars, Chart
from .styles import Styles


def draw_chart(chart: Chart, st: Styles, width: float) -> Drawing:
    """One row per component: the band as a bar, the offer and the ask as markers."""
    font, bold, small = st.font, st.bold, st.small
    row_h, top = st.gap["chart_row"], 22
    label_w = max(pdfmetrics.stringWidth(st.drawable(r.label), bold, small + 0.5) for r in chart.rows) + 14
    height = top + row_h * len(chart.rows)
    drawing = Drawing(width, height, initialFontName=st.font, initialFontSize=st.small)
    muted = st.color["muted"]
    x = label_w  # the legend
    for text, paint, shape in (
        (chart.legend[0], st.color["band"], "bar"),
        (chart.legend[1], st.color["offer"], "diamond"),
        (chart.legend[2], st.color["ask"], "triangle"),
    ):
        _marker(drawing, shape, x + 5, height - 8, paint)
        drawing.add(
            String(x + 13, height - 11, st.drawable(text), fontName=font, fontSize=small, fillColor=muted)
        )
        x += 22 + pdfmetrics.stringWidth(text, font, small)
    labels = _ChartLabels(drawing, st, width)
    for i, row in enumerate(chart.rows):
        _chart_row(
            drawing, labels, row, st, height - top - row_h * i - row_h / 2, label_w, width - label_w - 30
        )
    labels.draw()
    return drawing


class _ChartLabels:
    """The band chart's value labels, placed so that none is drawn over another: in order of
    importance (each row's offer and band ends, then the asks), each label takes the first of
    its places that leaves a point of air around every label placed before it, or is left out
    (its figure is in the market table above the chart)."""

    GAP = 1.0

    def __init__(self, drawing: Drawing, st: Styles, width: float) -> None:
        self.drawing, self.st, self.width = drawing, st, width
        self.size = st.small - 0.5
        self.wanted: list[tuple[int, str, str, Any, list[tuple[float, float, str]]]] = []

    def want(
        self, rank: int, text: str, font: str, color: Any, places: list[tuple[float, float, str]]
    ) -> None:
        """A label and its places, best first: (x, baseline, anchor) with anchor "middle",
        "start" (x is its left edge) or "end"."""
        self.wanted.append((rank, self.st.drawable(text), font, color, places))

    def draw(self) -> None:
        placed: list[tuple[float, float, float, float]] = []
        size = self.size
        for _, text, font, color, places in sorted(self.wanted, key=lambda w: w[0]):
            w = self.st.width(text, font, size)
            for x, y, anchor in places:
                left = {"middle": x - w / 2, "start": x, "end": x - w}[anchor]
                left = min(max(left, 0), self.width - w)
                box = (
                    left - self.GAP,
                    y - 0.24 * size - self.GAP,
                    left + w + self.GAP,
                    y + 0.76 * size + self.GAP,
                )
                if not any(_meet(box, other) for other in placed):
                    placed.append(box)
                    self.drawing.add(String(left, y, text, fontName=font, fontSize=size, fillColor=color))
                    break


def _meet(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _chart_row(
    drawing: Drawing, labels: _ChartLabels, row: Any, st: Styles, y: float, label_w: float, axis_w: float
) -> None:
    """One component of the chart at height `y`: its label, the band, its ends, the offer and
    the ask. The values' labels go to `labels`: the offer's above the line, the band's ends
    below it; the ask's above, beside the offer's, or lower down, wherever it is free."""
    drawing.add(
        String(
            0,
            y - 3,
            st.drawable(row.label),
            fontName=st.bold,
            fontSize=st.small + 0.5,
            fillColor=st.color["text"],
        )
    )
    values = [row.low, row.high, row.offer] + ([row.ask] if row.ask is not None else [])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * Decimal("0.12") or Decimal(1)
    lo, hi = lo - pad, hi + pad

    def at(v: Decimal) -> float:
        return label_w + float((v - lo) / (hi - lo)) * axis_w

    drawing.add(Line(label_w, y, label_w + axis_w, y, strokeColor=st.color["rule"], strokeWidth=0.6))
    band = Rect(at(row.low), y - 4, max(at(row.high) - at(row.low), 1), 8, fillColor=st.color["band"])
    band.strokeColor = None
    drawing.add(band)
    muted, offer, ask = st.color["muted"], st.color["offer"], st.color["ask"]
    low, high = at(row.low), at(row.high)
    labels.want(
        0,
        row.offer_text,
        st.bold,
        offer,
        [(at(row.offer), y + 8, "middle"), (at(row.offer), y - 22, "middle")],
    )
    labels.want(1, row.low_text, st.font, muted, [(low, y - 14, "middle"), (low, y - 14, "end")])
    labels.want(1, row.high_text, st.font, muted, [(high, y - 14, "middle"), (high, y - 14, "start")])
    _marker(drawing, "diamond", at(row.offer), y, offer)
    if row.ask is not None and row.ask != row.offer:
        _marker(drawing, "triangle", at(row.ask), y, ask)
        x, side = at(row.ask), "start" if row.ask > row.offer else "end"
        near = x + 6 if side == "start" else x - 6
        places = [(x, y + 8, "middle"), (near, y + 8, side), (x, y - 22, "middle"), (near, y - 22, side)]
        labels.want(2, row.ask_text, st.bold, ask, places)


def draw_bars(bars: Bars, st: Styles, width: float) -> Drawing:
    """A group of bars per year, one bar per offer, each labelled with its amount: reportlab's
    own bar chart and legend. The offer and the ask take the chart colours of the band chart;
    competing offers, the muted and accent colours."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend

    small = st.small
    height = 150
    paints = [st.color["offer"], st.color["ask"], st.color["muted"], st.color["band"], st.color["heading"]]
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 8, 18, width - 16, height - 46
    chart.data = [tuple(float(v) for v in series.values) for series in bars.series]
    chart.categoryAxis.categoryNames = [st.drawable(c) for c in bars.categories]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = st.bold, small
    chart.categoryAxis.strokeColor = st.color["rule"]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.visible = 0  # every bar carries its amount
    chart.valueAxis.visibleGrid = 0
    chart.barSpacing, chart.groupSpacing = 3, 14
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[st.drawable(t) for t in series.labels] for series in bars.series]
    chart.barLabels.fontName, chart.barLabels.fontSize = st.font, small - 1.5
    chart.barLabels.nudge, chart.barLabels.boxAnchor = 6, "s"
    for i in range(len(bars.series)):
        chart.bars[i].fillColor = paints[i % len(paints)]
        chart.bars[i].strokeColor = None
    legend = Legend()
    legend.x, legend.y, legend.alignment = 8, height - 6, "right"
    legend.fontName, legend.fontSize, legend.fillColor = st.font, small, st.color["muted"]
    legend.columnMaximum, legend.deltax, legend.dx, legend.dy = 1, 0, 8, 6
    legend.strokeColor = None
    legend.colorNamePairs = [
        (paints[i % len(paints)], st.drawable(series.name)) for i, series in enumerate(bars.series)
    ]
    legend.autoXPadding = 14
    drawing = Drawing(width, height)
    drawing.add(chart)
    drawing.add(legend)
    return drawing


def _marker(drawing: Drawing, shape: str, x: float, y: float, paint: Any) -> None:
    if shape == "bar":
        drawing.add(Rect(x - 6, y - 3, 12, 6, fillColor=paint, strokeColor=None))
    elif shape == "diamond":
        drawing.add(
            Polygon(
                [x, y + 5, x + 5, y, x, y - 5, x - 5, y],
                fillColor=paint,
                strokeColor=colors.white,
                strokeWidth=0.6,
            )
        )
    else:
        drawing.add(
            Polygon(
                [x - 5, y - 5, x + 5, y - 5, x, y + 5],
                fillColor=paint,
                strokeColor=colors.white,
                strokeWidth=0.6,
            )
        )


# --- pages ---------------------------------------------------------------------------------

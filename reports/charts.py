"""Geometry for server-rendered SVG charts: numbers in, coordinates out; the templates draw them.

No script and no inline style (the CSP forbids both): the templates use SVG attributes and the
classes in ``static/reports/reports.css``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .figures import Figure

WIDTH = 640
HEIGHT = 260
LEFT = 48  # room for the value axis labels
BOTTOM = 40  # room for the category labels
TOP = 12
PLOT_H = HEIGHT - BOTTOM - TOP
PLOT_W = WIDTH - LEFT - 36  # room on the right for the last label, centred on its point
SERIES_CLASSES = ("mash-chart__line--1", "mash-chart__line--2", "mash-chart__line--3")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    label_x: float
    show_label: bool


@dataclass(frozen=True)
class Tick:
    y: float
    value: str


def _nice_max(value: float) -> float:
    """The smallest 4 x (1, 2 or 5 x 10^k) at or above ``value``, so the four gridlines are whole numbers."""
    step = 1
    while step * 4 < value:
        for factor in (2, 2.5, 2):  # 1 -> 2 -> 5 -> 10 -> 20 ...
            step = int(step * factor)
            if step * 4 >= value:
                break
    return step * 4


def _label_every(labels: list[str]) -> int:
    """Label every n-th bar or point so that labels (about 6.5 px a character) never overlap."""
    widest = max((len(label) for label in labels), default=1) * 6.5 + 8
    return max(1, math.ceil(len(labels) * widest / PLOT_W))


def _ticks(top: float, *, suffix: str = "") -> list[Tick]:
    return [Tick(y=TOP + PLOT_H - PLOT_H * i / 4, value=f"{top * i / 4:g}{suffix}") for i in range(5)]


def bar_chart(figure: Figure) -> dict:
    values = [row[figure.value_column] or 0 for row in figure.rows]
    top = 100 if figure.percent else _nice_max(max(values, default=0))
    slot = PLOT_W / max(len(values), 1)
    fits = max(3, int(slot / 6.5))  # characters a label may have under its bar
    labels = [
        str(row[0]) if len(str(row[0])) <= fits else str(row[0])[: fits - 1] + "…" for row in figure.rows
    ]
    every = _label_every(labels)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = PLOT_H * value / top
        x = LEFT + i * slot + slot * 0.1
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(TOP + PLOT_H - height, 1),
                width=round(slot * 0.8, 1),
                height=round(height, 1),
                label=label,
                value=value,
                label_x=round(x + slot * 0.4, 1),
                show_label=i % every == 0,
            )
        )
    return {"bars": bars, "ticks": _ticks(top, suffix="%" if figure.percent else ""), **_frame()}


def line_chart(figure: Figure) -> dict:
    """One polyline per numeric column (per cent, 0 to 100); gaps (no data) are skipped."""
    n = len(figure.rows)
    step = PLOT_W / max(n - 1, 1)
    series = []
    for col, css in zip(range(1, len(figure.columns)), SERIES_CLASSES, strict=False):
        points = [
            (round(LEFT + i * step, 1), round(TOP + PLOT_H - PLOT_H * row[col] / 100, 1))
            for i, row in enumerate(figure.rows)
            if row[col] is not None
        ]
        series.append(
            {
                "name": figure.columns[col],
                "css": css,
                "dot_css": css.replace("line", "dot"),
                "key_css": css.replace("mash-chart__line", "mash-chart__key"),
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": points,
            }
        )
    every = _label_every([str(row[0]) for row in figure.rows])
    labels = [(round(LEFT + i * step, 1), row[0]) for i, row in enumerate(figure.rows) if i % every == 0]
    return {"series": series, "labels": labels, "ticks": _ticks(100, suffix="%"), **_frame()}


def _frame() -> dict:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "axis_y": TOP + PLOT_H,
        "right": LEFT + PLOT_W,
        "label_y": TOP + PLOT_H + 16,
    }


def chart_for(figure: Figure) -> dict | None:
    if figure.chart == "bar":
        return bar_chart(figure)
    if figure.chart == "line":
        return line_chart(figure)
    return None

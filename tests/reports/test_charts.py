"""Chart geometry: whole-number gridlines, bars to scale, per cents on a 0-100 axis, labels that
never overlap, lines that skip weeks with no data."""

from __future__ import annotations

from reports import charts
from reports.figures import Figure


def _bars(rows, **kw) -> dict:
    return charts.bar_chart(Figure("k", "T", ["Label", "N", "Per cent"], rows, **kw))


def test_gridlines_are_whole_numbers_and_bars_are_to_scale():
    chart = _bars([["a", 3, None], ["b", 6, None]])
    assert [t.value for t in chart["ticks"]] == ["0", "2", "4", "6", "8"]
    short, tall = chart["bars"]
    assert tall.height == 2 * short.height
    assert tall.y + tall.height == chart["axis_y"]


def test_per_cent_bars_use_a_hundred():
    chart = _bars([["a", 3, 50.0], ["b", 1, None]], value_column=2, percent=True)
    assert chart["ticks"][-1].value == "100%"
    assert chart["bars"][0].height == charts.PLOT_H / 2
    assert chart["bars"][1].height == 0


def test_labels_never_overlap():
    rows = [[f"2026-10-{day:02d}", day, None] for day in range(1, 32)]
    bars = [bar for bar in _bars(rows)["bars"] if bar.show_label]
    gaps = [b.label_x - a.label_x for a, b in zip(bars, bars[1:])]
    assert min(gaps) >= len(bars[0].label) * 6.5
    assert len(bars) > 4


def test_long_labels_are_shortened_to_their_bar():
    chart = _bars(
        [["Strategy discussion / section 47 enquiry", 1, None]] + [[str(n), 1, None] for n in range(5)]
    )
    assert chart["bars"][0].label.endswith("…")
    assert len(chart["bars"][0].label) * 6.5 <= charts.PLOT_W / 6


def test_line_chart_skips_missing_points():
    figure = Figure("t", "T", ["Week", "A", "B"], [["w1", 50.0, None], ["w2", 100.0, 0.0]], chart="line")
    chart = charts.line_chart(figure)
    a, b = chart["series"]
    assert len(a["dots"]) == 2 and len(b["dots"]) == 1
    assert a["dots"][1][1] == charts.TOP  # 100 % at the top
    assert b["dots"][0][1] == charts.TOP + charts.PLOT_H  # 0 % on the axis

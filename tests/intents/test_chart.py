"""The timeline's geometry: bars in month order inside the plot, quarter ticks, nothing without windows."""
from datetime import date

from network_app.intents.chart import LABEL_WIDTH, WIDTH, timeline


def test_bars_span_their_months_and_ticks_mark_quarters():
    chart = timeline([("B", date(2027, 4, 1), date(2027, 6, 1)), ("A", date(2027, 1, 1), date(2027, 12, 1))])
    assert [b.label for b in chart.bars] == ["A", "B"]  # by start
    a, b = chart.bars
    assert a.x == LABEL_WIDTH and a.x + a.width <= WIDTH - 10 + 0.1
    assert b.x > a.x and abs(b.width - a.width / 4) < 1  # three months of twelve
    assert [(t.year, t.quarter) for t in chart.ticks] == [(2027, None), (2027, 2), (2027, 3), (2027, 4), (2028, None)]
    assert chart.height > chart.axis_y > b.y


def test_no_windows_no_chart():
    assert timeline([]) is None
    assert timeline([("A", None, None)]) is None


def test_long_spans_tick_by_year():
    chart = timeline([("A", date(2026, 1, 1), date(2030, 12, 1))])
    assert all(t.quarter is None for t in chart.ticks) and chart.ticks[0].year == 2026

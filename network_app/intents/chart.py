"""The timeline of planned procurement windows as geometry for an inline SVG (no JavaScript).

Pure: takes (label, start, end) rows and returns positions in a fixed coordinate system; the
template draws them with SVG presentation attributes and classes from the static CSS.
"""
from dataclasses import dataclass
from datetime import date

WIDTH, LABEL_WIDTH, ROW, TOP, BOTTOM = 760, 280, 26, 8, 30


@dataclass(frozen=True)
class Bar:
    label: str
    start: date
    end: date
    x: float
    y: float
    width: float


@dataclass(frozen=True)
class Tick:
    x: float
    year: int
    quarter: int | None  # None: the tick marks the start of `year`


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    plot_left: int
    plot_right: int
    axis_y: float


def _months(day: date) -> int:
    return day.year * 12 + day.month - 1


def timeline(rows: list[tuple[str, date, date]]) -> Timeline | None:
    """Bars for windows given by month (start month to end month, both included); None without rows."""
    rows = [(label, start, end) for label, start, end in rows if start and end]
    if not rows:
        return None
    first = min(_months(s) for _, s, _ in rows)
    first -= first % 3  # start at a quarter
    last = max(_months(e) for _, _, e in rows) + 1
    last += (-last) % 3
    span = max(last - first, 3)
    plot = WIDTH - LABEL_WIDTH - 10

    def x(month: int) -> float:
        return round(LABEL_WIDTH + plot * (month - first) / span, 1)

    bars = [Bar(label, start, end, x(_months(start)), TOP + i * ROW,
                max(2.0, round(x(_months(end) + 1) - x(_months(start)), 1)))
            for i, (label, start, end) in enumerate(sorted(rows, key=lambda r: (r[1], r[2], r[0])))]
    step = 3 if span <= 24 else 12
    ticks = [Tick(x(m), m // 12, None if m % 12 == 0 or step == 12 else m % 12 // 3 + 1)
             for m in range(first, last + 1, step)]
    axis_y = TOP + len(bars) * ROW
    return Timeline(bars, ticks, WIDTH, int(axis_y + BOTTOM), LABEL_WIDTH, WIDTH - 10, axis_y)

"""Events per day, stacked by operation, over a date axis (the workbooks' chart).

One bar per day from the first to the last day with events (days without events stay
empty), each bar stacked by operation. Bars are laid out on a category axis, one category
per day; the labels come from a date axis over the same span, so a long range still gets a
few readable dates instead of a label per day.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt, QTimeZone
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

# Twelve colours that stay apart from each other in light and dark themes.
COLORS = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f77b4",
    "#8c564b",
)


def _moment(day: date, hours: int = 0) -> QDateTime:
    """Midnight UTC of `day` moved by `hours`, for the date axis."""
    moment = datetime.combine(day, time(), timezone.utc) + timedelta(hours=hours)
    return QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000), QTimeZone.utc())


class ActivityChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setAccessibleName("Events per day by operation")
        self.view.setMinimumHeight(220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._follow_palette()
        self.set_counts([])

    def _follow_palette(self) -> None:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self.chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
        self.chart.setBackgroundBrush(self.palette().brush(QPalette.ColorRole.Base))

    def show_notice(self, text: str) -> None:
        """No bars, only what the admin should know (or do) first."""
        self._clear()
        self.chart.setTitle(text)

    def _clear(self) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)

    def set_counts(self, counts: list[tuple[date, str, int]], title: str = "") -> None:
        """Show (UTC day, operation, count) rows, as `daily_counts()` of a workbook gives."""
        self._clear()
        if not counts:
            self.chart.setTitle(f"{title}: no events" if title else "No events in this range")
            return
        self.chart.setTitle(title)
        by_operation: dict[str, dict[date, int]] = defaultdict(dict)
        for day, operation, count in counts:
            by_operation[operation][day] = by_operation[operation].get(day, 0) + count
        first = min(day for day, _, _ in counts)
        last = max(day for day, _, _ in counts)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]

        series = QStackedBarSeries()
        series.setBarWidth(0.8)
        for number, operation in enumerate(sorted(by_operation)):
            per_day = by_operation[operation]
            bars = QBarSet(operation)
            bars.setColor(QColor(COLORS[number % len(COLORS)]))
            bars.setBorderColor(QColor(COLORS[number % len(COLORS)]))
            bars.append([float(per_day.get(day, 0)) for day in days])
            series.append(bars)
        self.chart.addSeries(series)

        slots = QBarCategoryAxis()
        slots.append([day.isoformat() for day in days])
        slots.setVisible(False)  # it places the bars; the date axis below labels them
        dates = QDateTimeAxis()
        dates.setFormat("yyyy-MM-dd")
        dates.setTitleText("Day (UTC)")
        # Each day's bar sits in the middle of its slot: the axis runs from half a day before
        # the first to half a day after the last.
        dates.setRange(_moment(first, -12), _moment(last, 12))
        dates.setTickCount(min(8, len(days) + 1))
        dates.setGridLineVisible(False)
        totals = [sum(by_operation[operation].get(day, 0) for operation in by_operation) for day in days]
        values = QValueAxis()
        values.setLabelFormat("%d")
        values.setTitleText("Events")
        values.setRange(0, max(totals) + 1)
        values.applyNiceNumbers()
        self.chart.addAxis(slots, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(dates, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(slots)
        series.attachAxis(values)

    def bar_sets(self) -> list[QBarSet]:
        return [bars for series in self.chart.series() for bars in series.barSets()]

    def totals(self) -> dict[str, int]:
        """Events per operation over the whole chart."""
        return {bars.label(): int(sum(bars.at(i) for i in range(bars.count()))) for bars in self.bar_sets()}

    def save_png(self, path: Path) -> bool:
        return self.view.grab().save(str(path), "PNG")

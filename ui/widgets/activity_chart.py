"""Events per day, one line per operation, over a date axis (the workbooks' chart).

Days without events count zero, so a line drops to the axis instead of skipping over a gap.
"""
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget


def day_milliseconds(day: date) -> float:
    """Midnight UTC of `day`, as the milliseconds since the epoch a QLineSeries point takes."""
    return datetime.combine(day, time(), timezone.utc).timestamp() * 1000


class ActivityChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
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

    def set_counts(self, counts: list[tuple[date, str, int]], title: str = "") -> None:
        """Show (UTC day, operation, count) rows, as `daily_counts()` of a workbook gives."""
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
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
        x_axis = QDateTimeAxis()
        x_axis.setFormat("yyyy-MM-dd")
        x_axis.setTitleText("Day (UTC)")
        # A single day still needs a span to draw.
        pad = timedelta(days=1) if first == last else timedelta(0)
        x_axis.setRange(QDateTime.fromMSecsSinceEpoch(int(day_milliseconds(first - pad))),
                        QDateTime.fromMSecsSinceEpoch(int(day_milliseconds(last + pad))))
        x_axis.setTickCount(min(8, max(2, len(days))))
        y_axis = QValueAxis()
        y_axis.setLabelFormat("%d")
        y_axis.setTitleText("Events")
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        highest = 0
        for operation in sorted(by_operation):
            series = QLineSeries()
            series.setName(operation)
            series.setPointsVisible(True)
            per_day = by_operation[operation]
            for day in days:
                value = per_day.get(day, 0)
                highest = max(highest, value)
                series.append(day_milliseconds(day), value)
            self.chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        y_axis.setRange(0, highest + 1)
        y_axis.applyNiceNumbers()

    def series(self) -> list[QLineSeries]:
        return list(self.chart.series())

    def totals(self) -> dict[str, int]:
        """Events per operation over the whole chart."""
        return {series.name(): int(sum(point.y() for point in series.points())) for series in self.series()}

    def save_png(self, path: Path) -> bool:
        return self.view.grab().save(str(path), "PNG")

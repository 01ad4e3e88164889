"""View → Times: every time on screen in this computer's zone (named in the menu and in each
column header) or in UTC."""

from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from ui.times import time_display, zone_name


class TimesMenu(QMenu):
    def __init__(self, parent: QWidget):
        super().__init__("&Times", parent)
        zones = QActionGroup(self)
        self.local_times_action = self.addAction("&Local time")
        self.utc_times_action = self.addAction("&UTC")
        for action, utc in ((self.local_times_action, False), (self.utc_times_action, True)):
            action.setCheckable(True)
            action.setActionGroup(zones)
            action.setChecked(time_display().utc == utc)
            action.triggered.connect(lambda _checked=False, chosen=utc: time_display().set_utc(chosen))
        self.aboutToShow.connect(self._name_local_zone)
        self._name_local_zone()

    def _name_local_zone(self) -> None:
        zone = zone_name() if not time_display().utc else "this computer"
        self.local_times_action.setText(f"&Local time ({zone})")

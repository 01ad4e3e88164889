"""The save dialog of every download: its "Raw CSV cells" check box (formula-injection
protection is on unless the admin ticks it, for CSV only)."""

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QFileDialog

from desktop.export import export
from tests.helpers.list_report import text_report
from ui.dialogs import download
from ui.dialogs.download import FORMATS, Downloader, save_file_dialog


def answer(tick: bool, chosen_filter: str) -> list:
    """When the dialog shows: pick `chosen_filter`, tick the box if asked, save."""
    seen = []

    def act():
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible())
        box = dialog.findChild(QCheckBox, "rawCsv")
        dialog.selectNameFilter(chosen_filter)
        dialog.filterSelected.emit(chosen_filter)
        seen.append((box.text(), box.isEnabled(), box.isChecked()))
        if tick and box.isEnabled():
            box.setChecked(True)
        dialog.accept()

    QTimer.singleShot(0, act)
    return seen


def test_the_box_is_off_by_default_and_only_for_csv(qtbot, tmp_path):
    filters = ";;".join(FORMATS.values())
    seen = answer(tick=True, chosen_filter=FORMATS["xlsx"])
    path, chosen, raw = save_file_dialog(None, "Download", str(tmp_path / "r.xlsx"), filters, FORMATS["xlsx"])
    assert (Path(path).name, chosen, raw) == ("r.xlsx", FORMATS["xlsx"], False)
    assert seen == [(download.RAW_CSV_TEXT, False, False)]
    seen = answer(tick=True, chosen_filter=FORMATS["csv"])
    path, chosen, raw = save_file_dialog(None, "Download", str(tmp_path / "r.csv"), filters, FORMATS["xlsx"])
    assert (chosen, raw) == (FORMATS["csv"], True)
    assert seen == [(download.RAW_CSV_TEXT, True, False)]


def test_the_downloader_writes_what_the_box_says(database, qtbot, tmp_path, monkeypatch):
    """Unticked: a formula-like cell gets its apostrophe; ticked: written as it is."""
    downloader = Downloader()
    for raw, expected in ((False, "'=1+1"), (True, "=1+1")):
        monkeypatch.setattr(
            download, "save_file_dialog", lambda *args, raw=raw: (str(tmp_path / f"{raw}.csv"), FORMATS["csv"], raw)
        )
        path = downloader.ask_path(None, "x.csv")
        assert downloader.csv_raw is raw
        export(path, text_report(["=1+1"]), csv_raw=downloader.csv_raw)
        assert path.read_text(encoding="utf-8-sig").splitlines()[1] == expected

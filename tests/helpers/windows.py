"""The main window as a test opens it."""

from ui.main_window import MainWindow


def make_window(qtbot, location, actor=None) -> MainWindow:
    window = MainWindow(location, actor=actor)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window

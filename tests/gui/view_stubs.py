"""A stand-in for the main window: the part of it that the tab views use (the panel)."""

from PySide6.QtCore import QObject, Signal


class StubPanel(QObject):
    """The two things a view uses of the control panel."""

    sigSpecChanged = Signal(object)

    def __init__(self, spec):
        super().__init__()
        self.spec = spec

    def last_valid_spec(self):
        return self.spec

    def change(self, spec):
        self.spec = spec
        self.sigSpecChanged.emit(spec)


class StubWindow:
    def __init__(self, spec):
        self.panel = StubPanel(spec)

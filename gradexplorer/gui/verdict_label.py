"""The status bar's verdict: run_verdict's one-line status, elided to the room it has.

The full line and the plain-words details (which curve matters for training and why) are in
the tooltip, so a narrow window never grows to fit the verdict.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class VerdictLabel(QLabel):
    """A bold label showing ``text`` elided at the right when it does not fit."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setStyleSheet("font-weight: bold;")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(120)

    def set_verdict(self, status: str, details: tuple[str, ...] = ()) -> None:
        """Show ``status``; the tooltip holds it in full and ``details`` below it."""
        self._full = status
        tip = "\n".join([status, *details]) if status else ""
        self.setToolTip(tip)
        self._elide()

    def full_text(self) -> str:
        """The verdict line before eliding."""
        return self._full

    def sizeHint(self):  # noqa: N802 - Qt override
        hint = super().sizeHint()
        hint.setWidth(QFontMetrics(self.font()).horizontalAdvance(self._full) + 8)
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = QFontMetrics(self.font()).elidedText(self._full, Qt.TextElideMode.ElideRight,
                                                      max(0, self.width() - 4))
        if shown != super().text():
            super().setText(shown)

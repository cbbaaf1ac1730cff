"""A progress bar as wide as its fullest text in its current type.

The status bar's, the Sweep tab's and the Train tab's bars had fixed widths (220, 200, 180 px)
chosen at 1.0×: at 2.0× "step 1000 / 1000" or "100 / 100 values" no longer fit and the text
was cut. They keep those widths as their least and grow with the type and the numbers.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QProgressBar, QSizePolicy, QWidget


class FittedProgressBar(QProgressBar):
    """A QProgressBar whose width fits its format at its maximum ("%v / %m", "%p %"), the
    text centred inside the bar in every style.

    Parameters
    ----------
    least : the least width in pixels (the width it had at 1.0×).
    """

    def __init__(self, least: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self._least = least
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        # the text inside the bar, as its width assumes: left-aligned, QCommonStyle-based
        # styles (Windows) draw it beside the groove, which kept a few pixels at 2.0x
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def full_text(self) -> str:
        """The text at its longest: the value at the maximum, 100 %."""
        top = str(self.maximum())
        return self.format().replace("%v", top).replace("%m", top).replace("%p", "100")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        metrics = self.fontMetrics()
        # an "M" of room: the frame and a little space either side of the text
        width = metrics.horizontalAdvance(self.full_text()) + metrics.horizontalAdvance("M")
        return QSize(max(self._least, width), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def setFormat(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setFormat(text)
        self.updateGeometry()

    def setRange(self, minimum: int, maximum: int) -> None:  # noqa: N802 - Qt API
        super().setRange(minimum, maximum)
        self.updateGeometry()

    def setMaximum(self, maximum: int) -> None:  # noqa: N802 - Qt API
        super().setMaximum(maximum)
        self.updateGeometry()

"""Small building blocks of the control panel: a log-scaled slider with a spin box, error marks."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QSlider,
    QSpinBox,
    QWidget,
)

#: Style of a field whose value was rejected.
ERROR_STYLE = "border: 2px solid #c62828; background-color: #ffebee; color: #000000;"
_STEPS = 1000
#: Typed numbers are accepted in ±TYPED_MAX (the spin boxes never clamp a typed value to the
#: valid range: the spec validates it and the field turns red with the reason instead).
TYPED_MAX = 999_999


class LogSlider(QWidget):
    """A slider on a log10 scale beside a spin box that shows (and accepts) the exact value.

    Parameters
    ----------
    minimum, maximum : float
        Range of the slider (positive). The spin box accepts ``spin_range`` (default: the same).
    integer : bool
        Whole numbers (a QSpinBox) instead of a QDoubleSpinBox with ``decimals`` decimals.
    spin_range : (float, float), optional
        Range of typed values (default ±:data:`TYPED_MAX`: invalid values are shown as typed
        and rejected by the spec, never clamped); the slider sticks to its nearest end.

    Signals
    -------
    valueChanged(float)
        Emitted continuously while the slider is dragged and on every spin box edit.
    """

    valueChanged = Signal(float)

    def __init__(self, minimum: float, maximum: float, *, integer: bool = False,
                 decimals: int = 3, spin_range: tuple[float, float] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._lo, self._hi = math.log10(minimum), math.log10(maximum)
        self._integer = integer
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimumWidth(90)  # never squeezed to a lone handle at large fonts
        self.slider.setRange(0, _STEPS)
        lo, hi = spin_range or (-TYPED_MAX, TYPED_MAX)
        if integer:
            self.spin: QSpinBox | QDoubleSpinBox = QSpinBox()
            self.spin.setRange(int(lo), int(hi))
        else:
            self.spin = QDoubleSpinBox()
            self.spin.setDecimals(decimals)
            self.spin.setRange(lo, hi)
        self.spin.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.spin.setKeyboardTracking(False)
        self.spin.setMinimumWidth(84)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self._from_spin(self.spin.value())

    def value(self) -> float:
        """The exact value (the spin box's)."""
        return self.spin.value()

    def setValue(self, value: float) -> None:  # noqa: N802 - Qt naming
        """Set the value; emits ``valueChanged`` once if it changed (block signals to avoid)."""
        self.spin.setValue(int(round(value)) if self._integer else value)

    def setToolTip(self, text: str) -> None:  # noqa: N802 - Qt naming
        """Tool tip on the whole control (slider and spin box)."""
        super().setToolTip(text)
        self.slider.setToolTip(text)
        self.spin.setToolTip(text)

    def _from_slider(self, pos: int) -> None:
        value = 10 ** (self._lo + (self._hi - self._lo) * pos / _STEPS)
        if self._integer:
            value = int(round(value))
        elif value != 0:
            value = round(value, max(0, 2 - int(math.floor(math.log10(value)))))
        self.spin.setValue(value)

    def _from_spin(self, value: float) -> None:
        pos = 0 if value <= 0 else (math.log10(value) - self._lo) / (self._hi - self._lo) * _STEPS
        self.slider.blockSignals(True)
        self.slider.setValue(int(round(min(max(pos, 0), _STEPS))))
        self.slider.blockSignals(False)
        if not self.signalsBlocked():
            self.valueChanged.emit(float(value))


def accept_any_number(spin: QSpinBox | QDoubleSpinBox) -> None:
    """Let ``spin`` hold any typed number in ±:data:`TYPED_MAX` (the spec judges it)."""
    spin.setRange(-TYPED_MAX, TYPED_MAX)


def fill_combo(combo: QComboBox, items: dict[str, str]) -> None:
    """Fill ``combo`` with human titles; the engine name is each item's data.

    The combo may shrink below its longest title (the panel stays narrow); the popup still
    shows full titles.
    """
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(14)
    for name, title in items.items():
        combo.addItem(title, name)


def set_combo(combo: QComboBox, name: str) -> None:
    """Select the item whose data is ``name``."""
    index = combo.findData(name)
    if index >= 0:
        combo.setCurrentIndex(index)


def mark_error(widget: QWidget, message: str) -> None:
    """Paint ``widget`` red and make ``message`` its tool tip (the old tip is kept to restore)."""
    if widget.property("specError") is None:
        widget.setProperty("normalToolTip", widget.toolTip())
    widget.setProperty("specError", message)
    target = widget.spin if isinstance(widget, LogSlider) else widget
    target.setStyleSheet(ERROR_STYLE)
    widget.setToolTip(message)


def clear_error(widget: QWidget) -> None:
    """Undo :func:`mark_error`."""
    if widget.property("specError") is None:
        return
    widget.setProperty("specError", None)
    target = widget.spin if isinstance(widget, LogSlider) else widget
    target.setStyleSheet("")
    widget.setToolTip(widget.property("normalToolTip") or "")


def has_error(widget: QWidget) -> bool:
    """True while ``widget`` is marked by :func:`mark_error`."""
    return bool(widget.property("specError"))

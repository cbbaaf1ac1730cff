"""Architecture section: normalization before φ, residual blocks and their branch scale α.

The block (``engine.model.blocks``): h_l = a_{l−1} W_lᵀ + b_l, z_l = Norm(h_l),
a_l = a_{l−1} + α·φ(z_l) for residual blocks where fan_in = fan_out, else a_l = φ(z_l).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QPushButton,
    QSlider,
    QWidget,
)

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.controls.section import Section
from gradexplorer.gui.controls.widgets import accept_any_number, fill_combo, set_combo

NORM_TITLES = {
    "none": "none",
    "batch": "batch norm (per unit over the batch)",
    "layer": "layer norm (per example over the units)",
}
#: The α slider spans 0..ALPHA_SLIDER_MAX in steps of 0.01 (the spin box accepts more).
ALPHA_SLIDER_MAX = 2.0
_ALPHA_STEPS = 200


class AlphaControl(QWidget):
    """α on a linear slider with a spin box and "1/√L" and "0" buttons.

    ``depth`` is a callable giving the current L (for the 1/√L button).
    """

    def __init__(self, depth: Callable[[], int], parent: QWidget | None = None):
        super().__init__(parent)
        self._depth = depth
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, _ALPHA_STEPS)
        self.slider.setMinimumWidth(70)
        self.spin = QDoubleSpinBox()
        self.spin.setDecimals(4)
        accept_any_number(self.spin)  # a typed α < 0 stays as typed, red (the spec judges)
        self.spin.setSingleStep(0.05)
        self.spin.setKeyboardTracking(False)
        self.spin.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.inv_sqrt = QPushButton("1/√L")
        self.inv_sqrt.setToolTip("α = 1/√L: the branches add up to a bounded total "
                                 "(the idea of Fixup and SkipInit)")
        self.zero = QPushButton("0")
        self.zero.setToolTip("α = 0 (ReZero): every residual block starts as the identity")
        for b in (self.inv_sqrt, self.zero):
            b.setMaximumWidth(b.fontMetrics().horizontalAdvance(" 1/√L ") + 16)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        layout.addWidget(self.inv_sqrt)
        layout.addWidget(self.zero)
        self.valueChanged = self.spin.valueChanged
        self.slider.valueChanged.connect(
            lambda pos: self.spin.setValue(pos * ALPHA_SLIDER_MAX / _ALPHA_STEPS))
        self.spin.valueChanged.connect(self._to_slider)
        self.inv_sqrt.clicked.connect(
            lambda: self.spin.setValue(round(1.0 / math.sqrt(max(1, self._depth())), 4)))
        self.zero.clicked.connect(lambda: self.spin.setValue(0.0))

    def value(self) -> float:
        return self.spin.value()

    def setValue(self, value: float) -> None:  # noqa: N802 - Qt naming
        self.spin.setValue(value)

    def setToolTip(self, text: str) -> None:  # noqa: N802 - Qt naming
        super().setToolTip(text)
        self.slider.setToolTip(text)
        self.spin.setToolTip(text)

    def _to_slider(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(int(round(min(value, ALPHA_SLIDER_MAX) / ALPHA_SLIDER_MAX
                                       * _ALPHA_STEPS)))
        self.slider.blockSignals(False)


class ArchitectureSection(Section):
    """Normalization combo, residual check box and α (enabled only for residual blocks)."""

    def __init__(self, depth: Callable[[], int] = lambda: 20, parent: QWidget | None = None):
        super().__init__(parent)
        self.norm = QComboBox()
        fill_combo(self.norm, NORM_TITLES)
        self.add_row("Normalization", self.norm,
                     "z = Norm(h) before φ. Batch norm (PyTorch BatchNorm1d, training mode) makes "
                     "gradients explode at initialization (Yang et al., ICLR 2019); layer norm "
                     "keeps them flat.", "norm")
        self.residual = QCheckBox("aₗ = aₗ₋₁ + α·φ(zₗ)")
        self.add_row("Residual", self.residual,
                     "Skip connections where fan_in = fan_out; layers that change the width "
                     "stay plain (a_l = φ(z_l)).", "residual")
        self.alpha = AlphaControl(depth)
        self.add_row("Branch α", self.alpha,
                     "α multiplies every residual branch: 1 makes ReLU gradients explode, "
                     "1/√L keeps them bounded, 0 starts as the identity.", "residual_scale")
        self.norm.currentIndexChanged.connect(self.edited)
        self.residual.toggled.connect(self.edited)
        self.alpha.valueChanged.connect(self.edited)
        self.update_visibility()

    def update_visibility(self) -> None:
        """α greyed out unless the blocks are residual (kept visible: hiding a row inside an
        expanded collapsible squeezed the other rows)."""
        self.alpha.setEnabled(self.residual.isChecked())

    def values(self) -> dict[str, Any]:
        return {"norm": self.norm.currentData(), "residual": self.residual.isChecked(),
                "residual_scale": self.alpha.value()}

    def set_values(self, spec: NetworkSpec) -> None:
        set_combo(self.norm, spec.norm)
        self.residual.setChecked(spec.residual)
        self.alpha.setValue(spec.residual_scale)
        self.update_visibility()

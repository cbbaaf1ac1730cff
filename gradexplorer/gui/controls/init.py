"""Initialization section: weight initializer, mode, gain (log slider), biases, σ_w² readout."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.records import RunStart
from gradexplorer.gui.controls.section import Section
from gradexplorer.gui.controls.widgets import LogSlider, accept_any_number, fill_combo, set_combo

INIT_TITLES = {
    "normal": "N(0,1) — normal",
    "xavier_normal": "Xavier/Glorot normal",
    "xavier_uniform": "Xavier/Glorot uniform",
    "kaiming_normal": "He/Kaiming normal",
    "kaiming_uniform": "He/Kaiming uniform",
    "lecun_normal": "LeCun normal",
    "lecun_uniform": "LeCun uniform",
    "orthogonal": "orthogonal",
    "torch_default": "PyTorch nn.Linear default",
    "lsuv": "LSUV (layer-sequential unit variance)",
    "zeros": "zeros",
}
BIAS_TITLES = {"zeros": "zeros", "normal": "normal N(0, σ_b²)"}


class InitSection(Section):
    """Initializer, fan mode, gain with a "recommended" button, bias init and σ_b.

    Signals
    -------
    sigRecommendGain()
        The user asked for the recommended gain; the panel knows the activation and widths.
    """

    sigRecommendGain = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.init = QComboBox()
        fill_combo(self.init, INIT_TITLES)
        self.add_row("Initializer", self.init,
                     "How the weights W_l are drawn; each sets Var(W) from the layer's fan "
                     "(torch.nn.init semantics).", "init")
        self.mode = QComboBox()
        fill_combo(self.mode, {"fan_in": "fan_in (keeps forward signal)",
                               "fan_out": "fan_out (keeps backward gradient)"})
        self.add_row("Mode", self.mode,
                     "He/Kaiming scales Var(W) by 1/fan_in to preserve the forward signal or by "
                     "1/fan_out to preserve the backward gradient.", "mode")
        self.gain = LogSlider(0.01, 10, decimals=4)
        self.recommend = QPushButton("Recommended")
        self.recommend.setToolTip("Set the gain that keeps the signal variance constant through "
                                  "depth for this activation and initializer.")
        gain_row = QWidget()
        row = QHBoxLayout(gain_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.gain, 1)
        row.addWidget(self.recommend)
        self.add_row("Gain", gain_row,
                     "Multiplies the initializer's standard deviation: gain g scales Var(W) by "
                     "g², and each layer's gradient roughly by g.", "gain")
        self.fields["gain"] = self.gain
        self.sigma = QLabel("σ_w² = fan_in·Var(W): shown after the next run")
        self.sigma.setWordWrap(True)
        self.sigma.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_row("σ_w²", self.sigma,
                     "σ_w² = fan_in·Var(W), the weight variance in mean-field units: 1 keeps a "
                     "linear net's signal, 2 a ReLU net's; the std of W is √(σ_w²/fan_in).")
        self.bias_init = QComboBox()
        fill_combo(self.bias_init, BIAS_TITLES)
        self.add_row("Bias init", self.bias_init,
                     "Biases start at zero or are drawn from N(0, σ_b²).", "bias_init")
        self.bias_std = QDoubleSpinBox()
        accept_any_number(self.bias_std)
        self.bias_std.setDecimals(3)
        self.bias_std.setSingleStep(0.01)
        self.add_row("Bias std σ_b", self.bias_std,
                     "Standard deviation σ_b of the biases (not the variance σ_b²).", "bias_std")

        for sig in (self.init.currentIndexChanged, self.mode.currentIndexChanged,
                    self.gain.valueChanged, self.bias_init.currentIndexChanged,
                    self.bias_std.valueChanged):
            sig.connect(self.edited)
        self.recommend.clicked.connect(self.sigRecommendGain)
        self.update_visibility()

    def update_visibility(self) -> None:
        """Mode only for the Kaiming initializers, σ_b only for normal biases (greyed out
        otherwise, not hidden: the rows below stay in place)."""
        self.set_row_enabled(self.mode, self.init.currentData().startswith("kaiming"))
        self.set_row_enabled(self.bias_std, self.bias_init.currentData() == "normal")

    def values(self) -> dict[str, Any]:
        """Spec fields of this section."""
        return {
            "init": self.init.currentData(),
            "mode": self.mode.currentData(),
            "gain": self.gain.value(),
            "bias_init": self.bias_init.currentData(),
            "bias_std": self.bias_std.value(),
        }

    def set_values(self, spec: NetworkSpec) -> None:
        """Show ``spec``'s initialization fields."""
        set_combo(self.init, spec.init)
        set_combo(self.mode, spec.mode)
        self.gain.setValue(spec.gain)
        set_combo(self.bias_init, spec.bias_init)
        self.bias_std.setValue(spec.bias_std)
        self.update_visibility()

    def show_run_start(self, start: RunStart) -> None:
        """Show σ_w² of the run that just started (from the engine; one value per layer)."""
        sw2 = start.sigma_w2
        if not sw2:
            return
        value, fan_in = sw2[-1], start.widths[-2]
        where = "every layer" if len(set(sw2)) == 1 else f"layer {len(sw2)}"
        std = math.sqrt(value / fan_in) if value >= 0 and fan_in else math.nan
        self.sigma.setText(f"σ_w² = fan_in·Var(W) = {value:.4g} ({where}); "
                           f"std of W = √(σ_w²/fan_in) = {std:.4g} at fan_in {fan_in}")

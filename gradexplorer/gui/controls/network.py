"""Network section: depth, width or per-layer widths, activation and its slope."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLineEdit, QWidget

from gradexplorer.engine.model.spec import MAX_DEPTH, MAX_WIDTH, NetworkSpec
from gradexplorer.gui.controls.section import Section
from gradexplorer.gui.controls.widgets import LogSlider, accept_any_number, fill_combo, set_combo

ACTIVATION_TITLES = {
    "linear": "linear (identity)",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "elu": "ELU",
    "selu": "SELU",
    "gelu": "GELU",
    "silu": "SiLU / swish",
    "softplus": "softplus",
}


class NetworkSection(Section):
    """Depth L, width n, optional widths list (n_1, ..., n_L), activation φ and its slope."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # log scale with a number box: 1..1000 on a linear slider made 20 or 50 hard to hit
        self.depth = LogSlider(1, MAX_DEPTH, integer=True)
        self.add_row("Depth L", self.depth,
                     "Number of layers: the gradient is multiplied by one factor per layer, "
                     "so depth turns a small per-layer drift into vanishing or exploding.",
                     "depth")
        self.width = LogSlider(1, MAX_WIDTH, integer=True)
        self.add_row("Width n", self.width,
                     "Units per layer (n_l for every layer unless a widths list is given).",
                     "width")
        self.widths = QLineEdit()
        self._placeholder()
        self.widths.setClearButtonEnabled(True)
        self.add_row("Widths", self.widths,
                     "Optional per-layer widths n_1, ..., n_L separated by commas; it must "
                     "list exactly one width per layer and then overrides Width.",
                     "widths")
        self.activation = QComboBox()
        fill_combo(self.activation, ACTIVATION_TITLES)
        self.add_row("Activation φ", self.activation,
                     "The nonlinearity a = φ(h) applied after every layer; its slope φ'(h) "
                     "multiplies the backward gradient at each layer.", "activation")
        self.slope = QDoubleSpinBox()
        accept_any_number(self.slope)
        self.slope.setDecimals(3)
        self.slope.setSingleStep(0.01)
        self.add_row("Negative slope", self.slope,
                     "Slope of leaky ReLU for h < 0 (PyTorch's default is 0.01).",
                     "negative_slope")

        self.depth.valueChanged.connect(self.edited)
        self.width.valueChanged.connect(self.edited)
        self.widths.textChanged.connect(self.edited)
        self.activation.currentIndexChanged.connect(self.edited)
        self.slope.valueChanged.connect(self.edited)
        self.update_visibility()

    def update_visibility(self) -> None:
        """Negative slope only for leaky ReLU; Width greyed out while a widths list is typed."""
        self.set_row_enabled(self.slope, self.activation.currentData() == "leaky_relu")
        self.width.setEnabled(not self.widths.text().strip())
        self._placeholder()

    def _placeholder(self) -> None:
        """The rule in the placeholder: exactly L widths (as the spec's message says)."""
        depth = int(self.depth.value())
        example = ", ".join(["128"] * min(depth, 3)) + (", …" if depth > 3 else "")
        self.widths.setPlaceholderText(f"{depth} width{'s' if depth != 1 else ''}, one per "
                                       f"layer: {example} (empty: all = Width)")

    def values(self) -> dict[str, Any]:
        """Spec fields of this section (widths as the typed text, parsed by the spec)."""
        return {
            "depth": int(self.depth.value()),
            "width": int(self.width.value()),
            "widths": self.widths.text().strip() or None,
            "activation": self.activation.currentData(),
            "negative_slope": self.slope.value(),
        }

    def set_values(self, spec: NetworkSpec) -> None:
        """Show ``spec``'s network fields."""
        self.depth.setValue(spec.depth)
        self.width.setValue(spec.width)
        self.widths.setText(", ".join(str(w) for w in spec.widths) if spec.widths else "")
        set_combo(self.activation, spec.activation)
        self.slope.setValue(spec.negative_slope)
        self.update_visibility()

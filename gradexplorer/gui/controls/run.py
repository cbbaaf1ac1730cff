"""Run section: loss (source of the top gradient), seed and floating-point precision."""

from __future__ import annotations

import random
from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QSpinBox, QWidget

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.controls.section import Section
from gradexplorer.gui.controls.widgets import fill_combo, set_combo

LOSS_TITLES = {
    "random": "random projection (∂L/∂a_L ~ N(0,1))",
    "mse": "mean squared error to random targets",
    "cross_entropy": "cross-entropy through a linear readout",
}
DTYPE_TITLES = {"float64": "float64 (double)", "float32": "float32 (single)"}
#: The seed spin box holds a Qt int; seeds beyond it can come from a session (see values()).
MAX_SEED_SPIN = 2**31 - 1


class RunSection(Section):
    """Loss, seed with a "new seed" button, dtype."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss = QComboBox()
        fill_combo(self.loss, LOSS_TITLES)
        self.add_row("Loss", self.loss,
                     "Where the gradient at the top, ∂L/∂a_L, comes from before it is "
                     "propagated down through the layers.", "loss")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED_SPIN)
        self.new_seed = QPushButton("New seed")
        self.new_seed.setToolTip("Draw a fresh random seed: new weights, inputs and targets.")
        seed_row = QWidget()
        row = QHBoxLayout(seed_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.seed, 1)
        row.addWidget(self.new_seed)
        self.add_row("Seed", seed_row,
                     "Seeds every random draw: the same settings and seed give exactly the same "
                     "run.", "seed")
        self.fields["seed"] = self.seed
        self.dtype = QComboBox()
        fill_combo(self.dtype, DTYPE_TITLES)
        self.add_row("Precision", self.dtype,
                     "Floating-point type of the computation; float32 underflows and overflows "
                     "sooner.", "dtype")
        self._big_seed: int | None = None

        self.loss.currentIndexChanged.connect(self.edited)
        self.seed.valueChanged.connect(self._seed_edited)
        self.dtype.currentIndexChanged.connect(self.edited)
        self.new_seed.clicked.connect(self.draw_seed)

    def draw_seed(self) -> None:
        """Set a random seed different from the current one."""
        current = self.seed.value()
        seed = current
        while seed == current:
            seed = random.randint(0, MAX_SEED_SPIN)
        self.seed.setValue(seed)

    def _seed_edited(self, _value: int) -> None:
        self._big_seed = None
        self.edited()

    def values(self) -> dict[str, Any]:
        """Spec fields of this section (a session's seed beyond the spin box is kept as is)."""
        seed = self._big_seed if self._big_seed is not None else self.seed.value()
        return {"loss": self.loss.currentData(), "seed": seed, "dtype": self.dtype.currentData()}

    def set_values(self, spec: NetworkSpec) -> None:
        """Show ``spec``'s run fields."""
        set_combo(self.loss, spec.loss)
        self.seed.setValue(min(spec.seed, MAX_SEED_SPIN))
        self._big_seed = spec.seed if spec.seed > MAX_SEED_SPIN else None
        set_combo(self.dtype, spec.dtype)

"""Data section: the input batch (synthetic, bundled digits or a file), n_0 and batch size."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from gradexplorer.engine.model.spec import MAX_BATCH, NetworkSpec
from gradexplorer.gui.controls.section import Section
from gradexplorer.gui.controls.widgets import LogSlider, accept_any_number, fill_combo, set_combo

INPUT_TITLES = {
    "normal": "normal N(μ, σ²)",
    "uniform": "uniform (mean μ, std σ)",
    "digits": "UCI handwritten digits (64 features)",
    "file": "file (.npy / .csv)…",
}


class DataSection(Section):
    """Input source, its mean/std or path, standardization, n_0 and batch B."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.input = QComboBox()
        fill_combo(self.input, INPUT_TITLES)
        self.add_row("Input", self.input,
                     "Where the input batch x comes from: random numbers, the bundled digits "
                     "data set, or your own table.", "input")
        self.in_features = QSpinBox()
        accept_any_number(self.in_features)
        self.add_row("Features n₀", self.in_features,
                     "Number of input features n_0, the fan_in of layer 1 (the data decide it "
                     "for digits and files).", "in_features")
        self.mean = QDoubleSpinBox()
        self.mean.setRange(-1e6, 1e6)
        self.mean.setDecimals(3)
        self.add_row("Input mean μ", self.mean,
                     "Mean of every input feature.", "input_mean")
        self.std = QDoubleSpinBox()
        accept_any_number(self.std)
        self.std.setDecimals(3)
        self.std.setSingleStep(0.1)
        self.add_row("Input std σ", self.std,
                     "Standard deviation of every input feature (the input's scale).",
                     "input_std")
        self.path = QLineEdit()
        self.path.setPlaceholderText("path to a .npy or .csv file")
        self.browse = QPushButton("Browse…")
        self.browse.setToolTip("Choose a .npy or .csv file with one row per example.")
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.add_row("File", file_row,
                     "A .npy or .csv table with one example per row; a last integer column "
                     "named 'label' is used as the class.", "input_path")
        self.fields["input_path"] = self.path
        self._file_row = file_row
        self.standardize = QCheckBox("standardize features")
        self.add_row("", self.standardize,
                     "Shift and scale every feature to mean 0 and std 1 before the first layer.",
                     "standardize")
        self.batch = LogSlider(1, MAX_BATCH, integer=True)
        self.add_row("Batch B", self.batch,
                     "Number of input rows; statistics are averaged over the batch and units.",
                     "batch")

        for sig in (self.input.currentIndexChanged, self.in_features.valueChanged,
                    self.mean.valueChanged, self.std.valueChanged, self.path.editingFinished,
                    self.standardize.toggled, self.batch.valueChanged):
            sig.connect(self.edited)
        self.browse.clicked.connect(self.choose_file)
        self.update_visibility()

    def update_visibility(self) -> None:
        """Mean/std/n₀ for synthetic inputs, the path for files, standardize for real data."""
        source = self.input.currentData()
        synthetic = source in ("normal", "uniform")
        for w in (self.in_features, self.mean, self.std):
            self.set_row_visible(w, synthetic)
        self.set_row_visible(self._file_row, source == "file")
        self.set_row_visible(self.standardize, not synthetic)

    def choose_file(self) -> None:
        """Ask for a data file; selecting one switches the input to ``file``."""
        path, _ = QFileDialog.getOpenFileName(self, "Input data", self.path.text(),
                                              "Tables (*.npy *.csv);;All files (*)")
        if path:
            self.path.setText(path)
            set_combo(self.input, "file")
            self.edited()

    def values(self) -> dict[str, Any]:
        """Spec fields of this section."""
        return {
            "input": self.input.currentData(),
            "in_features": self.in_features.value(),
            "input_mean": self.mean.value(),
            "input_std": self.std.value(),
            "input_path": self.path.text().strip() or None,
            "standardize": self.standardize.isChecked(),
            "batch": int(self.batch.value()),
        }

    def set_values(self, spec: NetworkSpec) -> None:
        """Show ``spec``'s data fields."""
        set_combo(self.input, spec.input)
        self.in_features.setValue(spec.in_features)
        self.mean.setValue(spec.input_mean)
        self.std.setValue(spec.input_std)
        self.path.setText(spec.input_path or "")
        self.standardize.setChecked(spec.standardize)
        self.batch.setValue(spec.batch)
        self.update_visibility()

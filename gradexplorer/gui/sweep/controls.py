"""The Sweep tab's settings row: what to vary, over which range, how many seeds, what to show."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gradexplorer.engine.runs.sweep import lin_range, log_range
from gradexplorer.gui.controls.flow import FlowLayout, labelled
from gradexplorer.gui.controls.widgets import fill_combo, set_combo
from gradexplorer.gui.sweep.names import (
    DEFAULT_QUANTITY,
    DEFAULT_RANGES,
    INTEGER_FIELDS,
    fields,
    quantities,
)

#: Largest number of values and of seeds offered.
MAX_COUNT = 200
MAX_SEEDS = 50


@dataclass(frozen=True)
class SweepRequest:
    """What the controls ask for: the values are already spaced (engine ``log_range``...)."""

    field: str
    values: tuple
    seeds: int
    quantity: str
    log: bool


class SweepControls(QWidget):
    """Combos and spin boxes of a sweep; :meth:`request` turns them into a :class:`SweepRequest`.

    Signals
    -------
    sigEdited()
        Any setting changed.
    """

    sigEdited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = QComboBox()
        fill_combo(self.field, fields())
        self.field.setToolTip("The setting that takes each value of the range in turn; every "
                              "other setting is the main panel's.")
        self.lo = self._number("First value of the range.")
        self.hi = self._number("Last value of the range.")
        self.count = QSpinBox()
        self.count.setRange(1, MAX_COUNT)
        self.count.setToolTip("Number of values (whole-number settings drop repeats).")
        self.spacing = QComboBox()
        fill_combo(self.spacing, {"log": "log spacing", "linear": "linear spacing"})
        self.seeds = QSpinBox()
        self.seeds.setRange(1, MAX_SEEDS)
        self.seeds.setValue(3)
        self.seeds.setToolTip("Runs per value with seeds s, s+1, ...: the mean curve is drawn "
                              "with a min–max band over the seeds.")
        self.quantity = QComboBox()
        fill_combo(self.quantity, quantities())
        set_combo(self.quantity, DEFAULT_QUANTITY)
        self.quantity.setToolTip("The per-layer quantity drawn for every value.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # wraps onto a second line at a large presentation scale instead of widening the window
        self.range_row, self.show_row = FlowLayout(), FlowLayout()
        for text, widget in (("vary", self.field), ("from", self.lo), ("to", self.hi),
                             ("values", self.count), (None, self.spacing)):
            self.range_row.addWidget(labelled(text or "", widget))
        for text, widget in (("seeds", self.seeds), ("show", self.quantity)):
            self.show_row.addWidget(labelled(text, widget))
        layout.addLayout(self.range_row)
        layout.addLayout(self.show_row)
        self.field.currentIndexChanged.connect(self._field_changed)
        for w in (self.lo, self.hi, self.count, self.seeds):
            w.valueChanged.connect(self.sigEdited)
        for c in (self.spacing, self.quantity):
            c.currentIndexChanged.connect(self.sigEdited)
        self._field_changed()

    @staticmethod
    def _number(tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(-1e6, 1e6)
        box.setDecimals(3)
        box.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        box.setToolTip(tip)
        return box

    def _field_changed(self) -> None:
        name = self.field.currentData()
        default = DEFAULT_RANGES.get(name)
        integer = name in INTEGER_FIELDS
        for box in (self.lo, self.hi):
            box.blockSignals(True)
            box.setDecimals(0 if integer else 3)
            box.blockSignals(False)
        if default is not None:
            self.set_range(default.lo, default.hi, default.count, default.log)
        self.sigEdited.emit()

    def set_range(self, lo: float, hi: float, count: int, log: bool) -> None:
        """Show a range (from, to, number of values, spacing)."""
        for w, v in ((self.lo, lo), (self.hi, hi), (self.count, count)):
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)
        set_combo(self.spacing, "log" if log else "linear")

    def set_field(self, field: str) -> None:
        """Choose the swept setting (its default range follows)."""
        set_combo(self.field, field)

    def set_quantity(self, quantity: str) -> None:
        """Choose the per-layer quantity."""
        set_combo(self.quantity, quantity)

    def request(self) -> SweepRequest:
        """The sweep these settings describe.

        Raises
        ------
        ValueError
            The range cannot be made (e.g. from ≤ 0 with log spacing); the message is for the
            user.
        """
        field = self.field.currentData()
        log = self.spacing.currentData() == "log"
        lo, hi, n = self.lo.value(), self.hi.value(), self.count.value()
        spaced = log_range if log else lin_range
        try:
            values = spaced(lo, hi, n, integer=field in INTEGER_FIELDS)
        except ValueError as exc:
            text = str(exc).replace("lo must", "'from' must").replace("hi must", "'to' must")
            raise ValueError(f"Cannot make the range of {self.field.currentText()}: {text}") \
                from None
        return SweepRequest(field, tuple(values), self.seeds.value(),
                            self.quantity.currentData(), log)

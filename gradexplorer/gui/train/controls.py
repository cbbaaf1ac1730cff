"""The Train tab's controls: training settings in one compact row, run buttons in another, then
the trained network beside the heatmap's options (which pin to compare, a fixed colour range).

:class:`TrainControls` reads widgets into a
:class:`~gradexplorer.engine.training.trainer.TrainConfig`
and shows the run state; it starts nothing itself (the view connects the buttons).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QWidget,
)

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.training.trainer import TrainConfig
from gradexplorer.gui.controls.flow import FlowLayout, labelled
from gradexplorer.gui.fitted_progress import FittedProgressBar

#: Task combo entries: (shown text, TrainConfig.task).
TASKS = (("digits (10 classes)", "digits"), ("teacher network", "teacher"),
         ("file from Settings", "file"))
#: Default fixed colour range of the heatmap, log10 ‖∂L/∂W_l‖ (sigmoid's 10⁻¹² … a large 10²).
FIXED_RANGE = (-12, 2)


class LogSpinBox(QDoubleSpinBox):
    """A positive number typed freely, shown as ``%g``; arrows step ×/÷ 10^(1/4)."""

    def __init__(self, minimum: float, maximum: float, value: float):
        super().__init__()
        self.setDecimals(12)
        self.setRange(minimum, maximum)
        self.setValue(value)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        return f"{value:.4g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt override
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text, pos):  # noqa: D102 - Qt override
        from PySide6.QtGui import QValidator

        try:
            float(text)
            return QValidator.State.Acceptable, text, pos
        except ValueError:
            return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        self.setValue(float(f"{self.value() * 10 ** (steps / 4):.3g}"))


def _spin(lo: int, hi: int, value: int, tip: str) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setValue(value)
    s.setKeyboardTracking(False)
    s.setToolTip(tip)
    return s


def _decades(value: int, tip: str) -> QSpinBox:
    s = _spin(-99, 99, value, tip)
    s.setPrefix("10^")
    return s


class TrainControls(QWidget):
    """Settings row (steps, lr, optimizer, momentum, batch, k, task), run row, network row."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        d = TrainConfig()
        self.steps = _spin(1, 1_000_000, 300, "Optimizer steps of the run.")
        self.lr = LogSpinBox(1e-8, 1e10, 0.01)
        self.lr.setToolTip("Learning rate (arrows: ×/÷ 10^¼).")
        self.optimizer = QComboBox()
        self.optimizer.addItem("SGD + momentum", "sgd")
        self.optimizer.addItem("Adam", "adam")
        self.momentum = QDoubleSpinBox()
        self.momentum.setRange(0.0, 0.999)
        self.momentum.setDecimals(3)
        self.momentum.setSingleStep(0.05)
        self.momentum.setValue(d.momentum)
        self.momentum.setToolTip("SGD momentum μ (torch.optim.SGD); Adam ignores it.")
        self.batch_size = _spin(1, 65536, d.batch_size, "Rows per mini-batch.")
        self.eval_every = _spin(1, 1_000_000, 10, "Evaluate and plot every k steps.")
        self.task = QComboBox()
        for text, value in TASKS:
            self.task.addItem(text, value)
        self.task.setToolTip("What to learn: the digits, a random teacher network's classes, "
                             "or the labelled file chosen as input in Settings.")
        self.optimizer.currentIndexChanged.connect(self._optimizer_changed)

        self.start = QPushButton("Start")
        self.start.setToolTip("Train the network of the Settings panel from its initialization.")
        self.pause = QPushButton("Pause")
        self.pause.setCheckable(True)
        self.pause.setToolTip("Hold the run between records; Resume continues it exactly.")
        self.stop = QPushButton("Stop")
        self.progress = FittedProgressBar(180)  # grows with the type and the steps
        self.progress.setFormat("step %v / %m")
        self.status = QLabel("")
        # Long texts (a run's summary) are clipped, never widen the window; the tip shows all.
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pin = QPushButton("Pin")
        self.pin.setToolTip("Keep this run's held-out loss and accuracy as faint curves and its "
                            "gradient heatmap beside the next runs'.")
        self.pins = QToolButton()
        self.pins.setText("Pins")
        self.pins.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export = QToolButton()
        self.export.setText("Export")
        self.export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.network = QLabel("")
        self.network.setTextFormat(Qt.TextFormat.RichText)
        self.network.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # in a flow: its whole text when it fits, else clipped (the tip shows all); never a
        # minimum width that widens the window
        self.network.setMinimumWidth(1)
        self.pin_choice = QComboBox()
        self.pin_choice.setToolTip("The pinned run whose gradient heatmap is shown under this "
                                   "run's, on the same colours.")
        self.pin_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.pin_choice.setMinimumContentsLength(20)
        self.pin_choice_label = QLabel("heatmap of pin")
        self.pin_choice_label.setBuddy(self.pin_choice)
        self.fixed_range = QCheckBox("fixed colours")
        self.fixed_range.setToolTip("Hold the heatmap colours at this range of log10 ‖∂L/∂W_l‖ "
                                    "(values outside take the end colours); off: the range "
                                    "covers this run and the pinned one.")
        self.range_lo = _decades(FIXED_RANGE[0], "Darkest colour: log10 ‖∂L/∂W_l‖ at or below.")
        self.range_hi = _decades(FIXED_RANGE[1], "Brightest colour: log10 ‖∂L/∂W_l‖ at or above.")
        self.fixed_range.toggled.connect(self._fixed_toggled)

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 2)
        grid.setVerticalSpacing(3)
        # wraps onto more lines at a large presentation scale instead of widening the window
        # rows a short window can afford (1.6x on 1280x720: the plots were ~60 px tall):
        # settings and the run buttons wrap together; the colour option beside the progress
        row = FlowLayout()
        for text, w in (("steps", self.steps), ("lr", self.lr), ("", self.optimizer),
                        ("μ", self.momentum), ("batch", self.batch_size),
                        ("every k", self.eval_every), ("task", self.task)):
            row.addWidget(labelled(text, w))
        for w in (self.start, self.pause, self.stop):
            row.addWidget(w)
        grid.addLayout(row, 0, 0)
        self._range_to = QLabel("to")
        colours = labelled("", self.fixed_range)
        for w in (self.range_lo, self._range_to, self.range_hi):
            colours.layout().addWidget(w)
        run = QHBoxLayout()
        run.addWidget(self.progress)
        run.addWidget(self.status, 1)
        for w in (colours, self.pin, self.pins, self.export):
            run.addWidget(w)
        grid.addLayout(run, 1, 0)
        line = FlowLayout()
        pin_box = labelled("", self.pin_choice_label)
        pin_box.layout().addWidget(self.pin_choice)
        line.addWidget(self.network)
        line.addWidget(pin_box)
        grid.addLayout(line, 2, 0)
        self.set_running(False)
        self.set_pins([], None)
        self._fixed_toggled(False)

    def show_network(self, panel: NetworkSpec, trained: NetworkSpec | None) -> None:
        """Name the Settings network Start trains and, if it differs, the one ``trained``."""
        line = f"<b>Network</b> (from Settings): {summary(panel)}"
        if trained is not None and trained != panel:
            line = (f"<b>Trained</b>: {summary(trained)} &nbsp;·&nbsp; "
                    f"<span style='color:#b35900'>Settings now: {summary(panel)} "
                    "(Start to train it)</span>")
        self.network.setText(line)
        self.network.setToolTip(line)

    def _fixed_toggled(self, on: bool) -> None:
        for w in (self.range_lo, self._range_to, self.range_hi):
            w.setVisible(on)

    def set_pins(self, labels: list[str], chosen: str | None) -> None:
        """List ``labels`` in the pin combo with ``chosen`` selected (hidden when none)."""
        box = self.pin_choice
        box.blockSignals(True)
        box.clear()
        box.addItems(labels)
        box.setCurrentIndex(labels.index(chosen) if chosen in labels else len(labels) - 1)
        box.blockSignals(False)
        for w in (box, self.pin_choice_label):
            w.setVisible(bool(labels))

    def colour_range(self) -> tuple[float, float] | None:
        """The fixed heatmap range (low, high) of log10 ‖∂L/∂W_l‖, None when off (or low ≥ high)."""
        lo, hi = float(self.range_lo.value()), float(self.range_hi.value())
        return (lo, hi) if self.fixed_range.isChecked() and lo < hi else None

    def _optimizer_changed(self) -> None:
        self.momentum.setEnabled(self.optimizer.currentData() == "sgd")

    def config(self) -> TrainConfig:
        """The settings as a TrainConfig (raises SpecError when invalid)."""
        return TrainConfig(steps=self.steps.value(), lr=float(self.lr.value()),
                           optimizer=self.optimizer.currentData(),
                           momentum=float(self.momentum.value()),
                           batch_size=self.batch_size.value(),
                           eval_every=self.eval_every.value(), task=self.task.currentData())

    def set_config(self, config: TrainConfig) -> None:
        """Show ``config`` in the widgets."""
        self.steps.setValue(config.steps)
        self.lr.setValue(config.lr)
        self.optimizer.setCurrentIndex(self.optimizer.findData(config.optimizer))
        self.momentum.setValue(config.momentum)
        self.batch_size.setValue(config.batch_size)
        self.eval_every.setValue(config.eval_every)
        self.task.setCurrentIndex(self.task.findData(config.task))

    def allow_file_task(self, spec: NetworkSpec) -> None:
        """Enable the ``file`` task only when Settings' input is a file."""
        ok = spec.input == "file" and bool(spec.input_path)
        item = self.task.model().item(self.task.findData("file"))
        item.setEnabled(ok)
        if not ok and self.task.currentData() == "file":
            self.task.setCurrentIndex(0)

    def set_running(self, running: bool, paused: bool = False) -> None:
        """Enable the buttons for the run state."""
        self.start.setText("Restart" if running else "Start")
        self.pause.setEnabled(running)
        self.pause.blockSignals(True)
        self.pause.setChecked(running and paused)
        self.pause.blockSignals(False)
        self.pause.setText("Resume" if running and paused else "Pause")
        self.stop.setEnabled(running)


def summary(spec: NetworkSpec) -> str:
    """One line naming the network: "sigmoid · 20 layers · width 128 · xavier_normal × 1"
    (then " · batch norm", " · residual α = 0.2" when the spec has them)."""
    if spec.widths is not None and len(set(spec.widths)) > 1:
        width = f"widths {spec.widths[0]}…{spec.widths[-1]}"
    else:
        width = f"width {spec.widths[0] if spec.widths else spec.width}"
    text = f"{spec.activation} · {spec.depth} layers · {width} · {spec.init} × {spec.gain:g}"
    if spec.bias_init == "normal" and spec.bias_std > 0:
        text += f" · bias σ {spec.bias_std:g}"
    if spec.norm != "none":
        text += f" · {spec.norm} norm"
    if spec.residual:
        text += f" · residual α = {spec.residual_scale:g}"
    if spec.dtype != "float64":
        text += f" · {spec.dtype}"
    return text + (f" · seed {spec.seed}" if spec.seed else "")


def chance_loss(n_classes: int) -> float:
    """Cross-entropy of a uniform guess over ``n_classes`` classes, ln C (display guide)."""
    return math.log(n_classes)

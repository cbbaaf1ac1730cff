"""Preset chooser: a combo of named experiments and a word-wrapped explanation of the chosen one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget


def load_presets() -> list[Any]:
    """``gradexplorer.presets.list_presets()``, or an empty list while that module is missing."""
    try:
        from gradexplorer.presets import list_presets
    except ImportError:
        return []
    try:
        return list(list_presets())
    except Exception:  # noqa: BLE001 - a broken preset file must not stop the app
        return []


class PresetBox(QWidget):
    """Choose a preset; its two-sentence explanation stays visible below the combo.

    Signals
    -------
    sigPresetChosen(object)
        The chosen preset's :class:`~gradexplorer.engine.model.spec.NetworkSpec`.
    """

    sigPresetChosen = Signal(object)

    def __init__(self, presets: list[Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.presets = load_presets() if presets is None else list(presets)
        self.combo = QComboBox()
        self.combo.setToolTip("Ready-made experiments that show one effect each; choosing one "
                              "replaces all settings.")
        self.combo.addItem("Presets…", None)
        for preset in self.presets:
            self.combo.addItem(preset.title, preset.name)
        self.combo.setEnabled(bool(self.presets))
        self.explanation = QLabel("Choose a preset to load a classic experiment."
                                  if self.presets else "No presets available.")
        self.explanation.setWordWrap(True)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation.setStyleSheet("color: palette(window-text); padding: 2px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.combo)
        layout.addWidget(self.explanation)
        self.combo.activated.connect(self._chosen)
        self._reserve_height()

    def _texts(self) -> list[str]:
        texts = [f"{p.title}. {p.explanation}" for p in self.presets]
        texts += ["Custom settings, changed from the preset “" + max(
            (p.title for p in self.presets), key=len, default="") + "”. Choose a preset to load "
                  "a classic experiment.", self.explanation.text()]
        return texts

    def _reserve_height(self) -> None:
        """Reserve the height of the longest explanation at the current width and font, so
        the controls below never move when another preset's text is shown."""
        width = self.explanation.width() - 6 if self.explanation.width() > 50 else 300
        font = QFont(self.explanation.font())
        font.setBold(True)  # the title is bold: measure on the safe side
        metrics = QFontMetrics(font)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        tallest = max(metrics.boundingRect(QRect(0, 0, width, 100000), flags, t).height()
                      for t in self._texts())
        self.explanation.setMinimumHeight(tallest + 8)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._reserve_height()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._reserve_height()

    def _chosen(self, index: int) -> None:
        preset = self.show_preset(self.combo.itemData(index))
        if preset is not None:
            self.sigPresetChosen.emit(preset.spec)

    def note_spec(self, spec: Any) -> None:
        """The settings changed: if they no longer match the shown preset, say so.

        Its explanation quotes that preset's measurements, which would now contradict the plots.
        """
        preset = next((p for p in self.presets if p.name == self.combo.currentData()), None)
        if preset is None or preset.spec == spec:
            return
        self.combo.setCurrentIndex(0)
        self.explanation.setText(f"Custom settings, changed from the preset “{preset.title}”. "
                                 "Choose a preset to load a classic experiment.")

    def show_preset(self, name: str | None) -> Any | None:
        """Select preset ``name`` in the combo and show its explanation, emitting nothing."""
        preset = next((p for p in self.presets if p.name == name), None)
        if preset is not None:
            self.combo.setCurrentIndex(self.combo.findData(name))
            self.explanation.setText(f"<b>{preset.title}.</b> {preset.explanation}")
        return preset

    def choose(self, name: str) -> None:
        """Select the preset called ``name`` as if the user had picked it."""
        index = self.combo.findData(name)
        if index < 0:
            raise KeyError(f"no preset named {name!r}")
        self.combo.setCurrentIndex(index)
        self._chosen(index)

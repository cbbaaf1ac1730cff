"""The control panel: all sections in collapsible groups, turned into one validated spec."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractSlider, QFrame, QScrollArea, QVBoxLayout, QWidget
from superqt import QCollapsible
from superqt.utils import qthrottled

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.records import RunStart
from gradexplorer.gui.controls.architecture import ArchitectureSection
from gradexplorer.gui.controls.data import DataSection
from gradexplorer.gui.controls.init import InitSection
from gradexplorer.gui.controls.network import NetworkSection
from gradexplorer.gui.controls.presets import PresetBox
from gradexplorer.gui.controls.run import RunSection
from gradexplorer.gui.controls.section import Section
from gradexplorer.gui.controls.widgets import clear_error, mark_error

#: While a slider is dragged, at most one spec per this many milliseconds.
THROTTLE_MS = 40


class ControlPanel(QScrollArea):
    """Scrollable panel of every setting.

    Parameters
    ----------
    presets : list, optional
        Presets to offer (default: ``gradexplorer.presets.list_presets()`` if available).

    Signals
    -------
    sigSpecChanged(object)
        A new valid :class:`NetworkSpec` after user edits (throttled to one per
        :data:`THROTTLE_MS` while dragging; the last value always follows).
    sigSpecSet(object)
        :meth:`set_spec` showed a spec programmatically (the window tells the app state, so
        views follow; no run is started for it).
    sigSpecError(str, str)
        The edited settings are invalid: spec field (``""`` if none) and the message.
    sigDragStarted()
        The mouse pressed a slider: a drag begins.
    sigDragFinished()
        The mouse released a slider (after its last value was emitted): a drag ended.
    """

    sigSpecChanged = Signal(object)
    sigSpecSet = Signal(object)
    sigDragStarted = Signal()
    sigDragFinished = Signal()
    sigSpecError = Signal(str, str)

    def __init__(self, presets: list[Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.presets = PresetBox(presets)
        self.network = NetworkSection()
        self.init = InitSection()
        self.data = DataSection()
        self.run = RunSection()
        self.architecture = ArchitectureSection(lambda: int(self.network.depth.value()))
        self.sections: list[Section] = [self.network, self.architecture, self.init, self.data,
                                        self.run]
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.presets)
        self.collapsibles: dict[str, QCollapsible] = {}
        for title, section in (("Network", self.network), ("Architecture", self.architecture),
                               ("Initialization", self.init),
                               ("Input data", self.data), ("Loss, seed, precision", self.run)):
            box = QCollapsible(title)
            box.setDuration(0)
            box.addWidget(section)
            box.expand(animate=False)
            layout.addWidget(box)
            self.collapsibles[title] = box
        layout.addStretch(1)
        self.setWidget(body)

        self.wrapped = False  # labels above their fields (fit_width)
        self._spec = NetworkSpec()
        self._emit_throttled = qthrottled(self._emit_spec, timeout=THROTTLE_MS, leading=True)
        for section in self.sections:
            section.sigEdited.connect(self._emit_throttled)
        for slider in body.findChildren(QAbstractSlider):
            slider.sliderPressed.connect(self.sigDragStarted.emit)
            slider.sliderReleased.connect(self._on_slider_released)
        self.init.sigRecommendGain.connect(self.recommend_gain)
        self.presets.sigPresetChosen.connect(self._preset_chosen)
        self.set_spec(self._spec)

    # --- width ---------------------------------------------------------------------------------
    def minimum_width(self, wrapped: bool) -> int:
        """The panel's narrowest width (pixels, scroll bar included) with every section's labels
        above their fields (``wrapped``) or beside them, at the current font."""
        for section in self.sections:
            section.set_wrapped(wrapped)
        body = self.widget()
        # the layouts cache their items' size hints: forget them, innermost first
        for widget in (*reversed(body.findChildren(QWidget)), body):
            widget.updateGeometry()
            if widget.layout() is not None:
                widget.layout().invalidate()
        scrollbar = self.verticalScrollBar().sizeHint().width()
        return body.minimumSizeHint().width() + scrollbar + 6

    def fit_width(self, room: int) -> int:
        """Labels beside their fields if the panel then fits in ``room`` pixels, else above them
        (large presentation scales on small screens); return the panel's minimum width."""
        wide = self.minimum_width(False)
        self.wrapped = wide > room
        return self.minimum_width(True) if self.wrapped else wide

    # --- the spec --------------------------------------------------------------------------------
    def spec(self) -> NetworkSpec:
        """The spec the widgets show; raises :class:`SpecError` (and marks the field) if invalid."""
        values: dict[str, Any] = {}
        for section in self.sections:
            values.update(section.values())
        try:
            spec = NetworkSpec.from_dict(values)
        except SpecError as exc:
            self.clear_errors()
            self.mark_error(exc.field, str(exc))
            raise
        self.clear_errors()
        self._spec = spec
        return spec

    def last_valid_spec(self) -> NetworkSpec:
        """The last spec that passed validation (what the plots show or are about to)."""
        return self._spec

    def set_spec(self, spec: NetworkSpec) -> None:
        """Show ``spec`` in every widget; emits only :attr:`sigSpecSet` (no widget signals)."""
        for section in self.sections:
            section.blockSignals(True)
            try:
                section.set_values(spec)
            finally:
                section.blockSignals(False)
        self._spec = spec
        self.clear_errors()
        self.presets.note_spec(spec)
        self.sigSpecSet.emit(spec)

    def flush(self) -> None:
        """Emit a pending throttled spec now (tests, and before saving)."""
        self._emit_throttled.flush()

    def _on_slider_released(self) -> None:
        """The mouse let go of a slider: its last value now, then :attr:`sigDragFinished`."""
        self._emit_throttled.flush()
        self.sigDragFinished.emit()

    def cancel_pending(self) -> None:
        """Drop a pending throttled emission (on close)."""
        self._emit_throttled.cancel()

    def _emit_spec(self) -> None:
        try:
            spec = self.spec()
        except SpecError as exc:
            self.sigSpecError.emit(exc.field or "", str(exc))
            return
        self.presets.note_spec(spec)
        self.sigSpecChanged.emit(spec)

    def _preset_chosen(self, spec: NetworkSpec) -> None:
        self.set_spec(spec)
        self.sigSpecChanged.emit(spec)

    # --- errors ----------------------------------------------------------------------------------
    def field_widget(self, field: str | None) -> QWidget | None:
        """The widget that shows spec ``field`` (None if no widget does)."""
        for section in self.sections:
            if field in section.fields:
                return section.fields[field]
        return None

    def mark_error(self, field: str | None, message: str) -> None:
        """Paint the widget of ``field`` red with ``message`` as its tool tip; open its section."""
        widget = self.field_widget(field)
        if widget is None:
            return
        mark_error(widget, message)
        for section in self.sections:
            if section.isAncestorOf(widget):
                section.show_field_error(widget, message)
        for box in self.collapsibles.values():
            if box.isAncestorOf(widget) and not box.isExpanded():
                box.expand(animate=False)
        self.ensureWidgetVisible(widget)

    def clear_errors(self) -> None:
        """Remove every red mark."""
        for section in self.sections:
            section.clear_field_error()
            for widget in section.fields.values():
                clear_error(widget)

    # --- engine feedback ---------------------------------------------------------------------
    def show_run_start(self, start: RunStart) -> None:
        """Show what the engine resolved for the run that just started (σ_w²)."""
        self.init.show_run_start(start)

    def recommend_gain(self) -> None:
        """Set the engine's recommended gain for the current activation and initializer."""
        try:
            from gradexplorer.engine.model.gains import recommended_gain
        except ImportError:
            self.sigSpecError.emit("gain", "recommended gain is not available in this version")
            return
        net = self.network.values()
        widths = self.last_valid_spec().layer_widths()
        fan_in = widths[1] if len(widths) > 2 else widths[0]
        try:
            gain = recommended_gain(net["activation"], self.init.values()["init"],
                                    negative_slope=net["negative_slope"], fan_in=fan_in)
        except (SpecError, ValueError) as exc:
            self.sigSpecError.emit("gain", str(exc))
            return
        self.init.gain.setValue(float(gain))

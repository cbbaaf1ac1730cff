"""The main window: control panel (dock), dashboard (centre), status bar, run plumbing.

Records arrive from :class:`~gradexplorer.gui.worker.RunController` in batches and are queued;
a QTimer flushes the queue into the dashboard at most :data:`FLUSH_MS` apart, so the GUI stays
responsive however fast the engine streams. Menus and file actions live in ``window_actions``.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QTabWidget,
    QWidget,
)

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.records import (
    BackwardLayer,
    ForwardLayer,
    RunEnd,
    RunStart,
    TheoryLayers,
)
from gradexplorer.gui.controls import ControlPanel
from gradexplorer.gui.presentation import apply_scale
from gradexplorer.gui.session import Pin
from gradexplorer.gui.theory_display import TheoryDisplay
from gradexplorer.gui.views import build_views
from gradexplorer.gui.window_actions import WindowActions
from gradexplorer.gui.worker import Propagate, RunController

#: Shortest redraw interval (≤ 60 Hz) and the longest the adaptive interval may grow to.
FLUSH_MS = 16
MAX_FLUSH_MS = 250
#: The progress bar is set at most this often (seconds) while records stream: QProgressBar
#: repaints itself synchronously (``repaint()``, not ``update()``) whenever its text changes.
PROGRESS_SECONDS = 0.1
DEFAULT_SIZE = (1400, 900)
ERROR_STYLE = "color: #b71c1c; font-weight: bold;"


class MainWindow(QMainWindow):
    """gradexplorer's window.

    Parameters
    ----------
    settings : QSettings, optional
        Where geometry and the last spec are remembered (default: ``QSettings()``, i.e. the
        application's organization and name).
    propagate : callable, optional
        The engine (``spec -> Iterator[Record]``); tests inject a fake.
    dashboard : QWidget, optional
        A :class:`~gradexplorer.gui.dashboard.Dashboard` (default: a new one).
    presets : list, optional
        Presets for the panel (default: ``gradexplorer.presets.list_presets()``).
    restore : bool
        Restore geometry and the last spec from ``settings``.
    """

    def __init__(self, settings: QSettings | None = None, propagate: Propagate | None = None,
                 dashboard: QWidget | None = None, presets: list[Any] | None = None,
                 restore: bool = True):
        super().__init__()
        self.setWindowTitle("gradexplorer — vanishing and exploding gradients")
        self.settings = settings if settings is not None else QSettings()
        if dashboard is None:
            from gradexplorer.gui.dashboard import Dashboard

            dashboard = Dashboard()
        self.dashboard = dashboard
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(dashboard, "Layers")
        self.setCentralWidget(self.tabs)
        self.panel = ControlPanel(presets)
        self.dock = QDockWidget("Settings", self)
        self.dock.setObjectName("settings-dock")
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.dock.setWidget(self.panel)
        scrollbar = self.panel.verticalScrollBar().sizeHint().width()
        self.dock.setMinimumWidth(self.panel.widget().minimumSizeHint().width() + scrollbar + 6)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self._build_status_bar()

        self.controller = RunController(propagate, parent=self)
        self.controller.sigRecords.connect(self._on_records)
        self.controller.sigFailed.connect(self._on_failed)
        self.controller.sigDone.connect(self._on_done)
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self._pending: list = []
        self._layers_done = 0
        self._progress_shown = 0.0  # perf_counter() of the last progress bar update
        self._run_spec: NetworkSpec | None = None
        self._replay: list[Pin] = []
        self._replay_label: str | None = None
        self._replay_final: NetworkSpec | None = None
        self.pin_specs: dict[str, NetworkSpec] = {}
        self._font_points = 10
        self._closed = False

        self.panel.sigSpecChanged.connect(self.request_run)
        self.panel.sigSpecError.connect(lambda field, message: self._settings_invalid(message))
        self.actions_ = WindowActions(self)
        self.theory = TheoryDisplay(self)
        self.views = build_views(self)
        for title, view in self.views:
            self.tabs.addTab(view, title)
        self.resize(*DEFAULT_SIZE)
        if restore:
            self.actions_.restore_settings()
        self.request_run(self.panel.last_valid_spec())

    # --- status bar ---------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.message = QLabel("")
        self._error_shown = False
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(220)
        self.progress.setFormat("%v / %m layers")
        self.progress.setToolTip("Layers done in this run: forward 1..L, then backward L..1.")
        self.run_time = QLabel("")
        self.run_time.setMinimumWidth(90)
        self.verdict = QLabel("")
        self.verdict.setStyleSheet("font-weight: bold;")
        self.verdict.setToolTip("Gradient at layer 1 relative to layer L, in decades.")
        bar.addWidget(self.message, 1)
        bar.addPermanentWidget(self.verdict)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.run_time)

    def _progress_format(self, depth: int) -> None:
        """The bar counts forward and backward passes through the layers: say so (a 20-layer
        net takes 40 steps; "0 / 40 layers" read as 40 layers)."""
        self.progress.setFormat(f"L = {depth}: %p %")
        self.progress.setToolTip(f"Progress of this run: forward through layers 1..{depth}, "
                                 f"then backward {depth}..1 ({2 * depth} steps).")

    def show_message(self, text: str) -> None:
        """Show ``text`` in the status bar."""
        self._error_shown = False
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.setToolTip("")

    def show_error(self, text: str) -> None:
        """Show ``text`` in the status bar, in red; the plots keep the last good run.

        The message stays until the next valid request (a run of older settings that is still
        streaming does not hide it).
        """
        self._error_shown = True
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.message.setToolTip(text)

    def _settings_invalid(self, message: str) -> None:
        """The edited settings are rejected: say why, and mark the plots as the last valid run."""
        self.show_error(message)
        if hasattr(self.dashboard, "set_stale"):
            self.dashboard.set_stale(message)

    def status_text(self) -> str:
        """The status bar's message (for tests and accessibility)."""
        return self.message.text()

    # --- runs ---------------------------------------------------------------------------------
    def request_run(self, spec: NetworkSpec | None = None) -> int:
        """Start a run of ``spec`` (default: the panel's); cancels any run and pin replay."""
        self._replay = []
        self._replay_label = None
        return self._start(spec if spec is not None else self.panel.last_valid_spec())

    def apply_spec(self, spec: NetworkSpec) -> int:
        """Show ``spec`` in the control panel and run it (used by views, e.g. the phase diagram)."""
        self.panel.set_spec(spec)
        return self.request_run(spec)

    def rerun(self) -> None:
        """Run the panel's current settings again (F5)."""
        try:
            spec = self.panel.spec()
        except SpecError as exc:
            self.show_error(str(exc))
            return
        self.request_run(spec)

    def _start(self, spec: NetworkSpec) -> int:
        if self._closed:
            return self.controller.current_id
        self._pending = []
        self._run_spec = spec
        self._layers_done = 0
        self.show_message("")
        if hasattr(self.dashboard, "set_stale"):
            self.dashboard.set_stale(None)
            self.dashboard.set_note(None if self._replay_label is None else
                                    f"computing the pinned run “{self._replay_label}” first…")
        self._progress_format(spec.depth)
        self.progress.setRange(0, 2 * spec.depth)
        self.progress.setValue(0)
        self.run_time.setText("running…")
        run_id = self.controller.request(spec)
        self._flush_timer.start()
        return run_id

    def is_running(self) -> bool:
        """True while a run is computing or its records are not all shown yet."""
        return self.controller.is_running() or bool(self._pending)

    def _on_records(self, run_id: int, records: list) -> None:
        if run_id == self.controller.current_id:
            self._pending.extend(records)

    def _on_failed(self, run_id: int, field: str, message: str) -> None:
        self._pending = []
        self._replay = []
        self._replay_label = None
        self.panel.mark_error(field or None, message)
        self.show_error(message)
        self.run_time.setText("failed")
        self.progress.setValue(0)

    def _on_done(self, run_id: int, completed: bool) -> None:
        if not self._pending:
            self.flush()

    def flush(self) -> None:
        """Hand the queued records to the dashboard (called by the ≤ 60 Hz timer).

        The timer's interval adapts: twice the time the last flush and repaint took (16..250 ms),
        so that redrawing a deep net never takes more than about half of the GUI thread.
        """
        started = time.perf_counter()
        records, self._pending = self._pending, []
        chunk: list = []
        ended: RunEnd | None = None
        for rec in records:
            if isinstance(rec, RunStart):
                chunk = []
                self.dashboard.begin_run(rec)
                self._layers_done = 0
                if self._replay_label is None:  # a pin's σ_w² is not the panel's setting
                    self.panel.show_run_start(rec)
                self._progress_format(len(rec.widths) - 1)
                self.progress.setRange(0, 2 * (len(rec.widths) - 1))
                if not self._error_shown:
                    self.show_message(rec.data_description)
            elif isinstance(rec, RunEnd):
                if chunk:
                    self.dashboard.add_records(chunk)
                    chunk = []
                self.dashboard.finish_run(rec)
                ended = rec
            else:
                chunk.append(rec)
                if isinstance(rec, (ForwardLayer, BackwardLayer)):
                    self._layers_done += 1
                elif isinstance(rec, TheoryLayers):
                    self.theory.show(rec)
        if chunk:
            self.dashboard.add_records(chunk)
        if (ended is not None or not self.controller.is_running()
                or started - self._progress_shown >= PROGRESS_SECONDS):
            self._progress_shown = started
            self.progress.setValue(min(self._layers_done, self.progress.maximum()))
        if ended is not None:
            self._run_ended(ended)
        paint = getattr(self.dashboard, "paint_seconds", None)  # the repaint this flush causes
        spent_ms = 1000 * (time.perf_counter() - started + (paint() if paint else 0.0))
        self._flush_timer.setInterval(int(min(MAX_FLUSH_MS, max(FLUSH_MS, 2 * spent_ms))))
        if not self.controller.is_running() and not self._pending:
            self._flush_timer.stop()

    def _run_ended(self, end: RunEnd) -> None:
        self.run_time.setText(f"{end.seconds:.2f} s")
        self.verdict.setText(self.dashboard.verdict_text())
        if end.warnings:
            self.show_message("; ".join(end.warnings))
        if self._replay_label is not None:
            self.dashboard.pin_current(self._replay_label)
            self.pin_specs[self._replay_label] = self._run_spec
            self._next_replay()

    # --- pins ---------------------------------------------------------------------------------
    def pin_current(self, label: str | None = None) -> str | None:
        """Pin the current run under ``label`` (default: its settings in a few words)."""
        result = self.dashboard.result()
        if result is None or result.start is None or self._run_spec is None:
            self.show_error("nothing to pin yet")
            return None
        spec = NetworkSpec.from_dict(result.start.config)
        label = label or (f"{spec.activation}, {spec.init} ×{spec.gain:g}, L={spec.depth}, "
                          f"seed {spec.seed}")
        base, n = label, 2
        while label in self.dashboard.pin_labels():
            label, n = f"{base} ({n})", n + 1
        self.dashboard.pin_current(label)
        self.pin_specs[label] = spec
        self.show_message(f"pinned: {label}")
        return label

    def clear_pins(self) -> None:
        """Remove every pinned run."""
        self.dashboard.clear_pins()
        self.pin_specs.clear()

    def pins(self) -> list[Pin]:
        """The pinned runs still shown, with the specs that reproduce them."""
        return [Pin(label, self.pin_specs[label]) for label in self.dashboard.pin_labels()
                if label in self.pin_specs]

    def show_story(self, main: str = "sigmoid-xavier", reference: str = "relu-he") -> bool:
        """The first-launch view: preset ``main`` against preset ``reference``, pinned.

        Sigmoid + Xavier (the gradient vanishes by 12 decades) beside ReLU + He (flat) shows
        at a glance what the app is about. Returns False if the presets are unavailable.
        """
        box = self.panel.presets
        ref = next((p for p in box.presets if p.name == reference), None)
        chosen = box.show_preset(main)
        if chosen is None or ref is None:
            return False
        self.replay([Pin(f"{ref.title} (pinned)", ref.spec)], chosen.spec)
        return True

    def replay(self, pins: list[Pin], spec: NetworkSpec) -> None:
        """Re-run and pin each of ``pins`` in turn, then run ``spec`` (loading a session)."""
        self.clear_pins()
        self.panel.set_spec(spec)
        self._replay = list(pins)
        self._replay_final = spec
        self._next_replay()

    def _next_replay(self) -> None:
        if self._replay:
            pin = self._replay.pop(0)
            self._replay_label = pin.label
            self._start(pin.spec)
        else:
            self._replay_label = None
            final, self._replay_final = self._replay_final, None
            if final is not None:
                self._start(final)

    # --- appearance -----------------------------------------------------------------------------
    def set_font_size(self, points: int) -> None:
        """Presentation scale as the plots' type size: ``points`` / 10 × (every text scales)."""
        self._font_points = round(10 * apply_scale(points / 10))
        self._fit_dock()
        QTimer.singleShot(0, self._fit_dock)  # again once the new fonts are laid out

    def _fit_dock(self) -> None:
        """The panel's rows grew with the font: let the dock grow with them."""
        self.panel.widget().layout().activate()
        scrollbar = self.panel.verticalScrollBar().sizeHint().width()
        self.dock.setMinimumWidth(self.panel.widget().minimumSizeHint().width() + scrollbar + 6)

    def font_size(self) -> int:
        """The plots' type size in points (10 × the presentation scale)."""
        return self._font_points

    # --- shutdown -----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Stop the run and the thread, remember geometry and settings, then close."""
        if not self._closed:
            self._closed = True
            self.panel.cancel_pending()
            self._flush_timer.stop()
            self.controller.shutdown()
            for _, view in self.views:
                if hasattr(view, "shutdown"):
                    view.shutdown()
            self.actions_.save_settings()
        super().closeEvent(event)

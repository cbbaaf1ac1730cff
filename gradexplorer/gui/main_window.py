"""The main window: assembles the app state, the job runner, the control panel (dock), the
dashboard (centre), the tab views and the status bar.

Settings flow one way: a control edits the :class:`~gradexplorer.gui.state.AppState`; the window
submits the spec to the runner's ``"layers"`` lane with the drag policy
(:mod:`gradexplorer.gui.jobs.runner`); the lane delivers the run's records, paced, to
:class:`~gradexplorer.gui.run_feed.RunFeed`, which feeds the dashboard and the status bar from
the same records, so header, σ_w², verdict, progress and curves always describe the same run
(the run time label says "newer settings pending…" while the controls are ahead of the plots).
During a burst of values the window runs each with fewer batch rows, labelled "preview (64
rows)", and the full run when the values stop (:mod:`gradexplorer.gui.jobs.preview`). Tabs
other than the layers are built when first shown (:class:`~gradexplorer.gui.views.LazyViews`);
the first run starts before the plots are built (``early``), and pinned runs are computed after
the shown run (:mod:`~gradexplorer.gui.pin_replay`).
Menus and file actions live in ``window_actions``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabWidget, QWidget

from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.gui.controls import ControlPanel
from gradexplorer.gui.jobs import JobRunner
from gradexplorer.gui.jobs.preview import PreviewPolicy
from gradexplorer.gui.jobs.propagation import Propagate, propagation_work, run_cost_key
from gradexplorer.gui.pin_replay import PinReplay
from gradexplorer.gui.presentation import apply_scale
from gradexplorer.gui.run_feed import RunFeed
from gradexplorer.gui.session import Pin
from gradexplorer.gui.state import SHOW_ONLY, AppState
from gradexplorer.gui.status_bar import build_status_bar
from gradexplorer.gui.theory_display import TheoryDisplay
from gradexplorer.gui.views import LazyViews
from gradexplorer.gui.window_actions import WindowActions

DEFAULT_SIZE = (1400, 900)
#: The settings dock takes at most this share of the window's width before its labels wrap.
DOCK_SHARE = 0.36
ERROR_STYLE = "color: #b71c1c; font-weight: bold;"

#: The first-launch story: this preset's run beside this one's, pinned (:meth:`show_story`).
STORY = ("sigmoid-xavier", "relu-he")


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
    start : bool
        Run the restored settings (and pins) now; False when the caller loads something else
        at once (the first-launch story), so no run is started only to be cancelled.
    early : NetworkSpec, optional
        The spec expected to run first (the stored settings, the first-launch story): its run
        starts before the plots and the panel are built and computes meanwhile; the first run
        request for an equal spec takes it over, any other cancels it (:meth:`_start`).
    """

    def __init__(self, settings: QSettings | None = None, propagate: Propagate | None = None,
                 dashboard: QWidget | None = None, presets: list[Any] | None = None,
                 restore: bool = True, start: bool = True, early: NetworkSpec | None = None):
        super().__init__()
        self.setWindowTitle("vanishing and exploding gradients")  # Qt adds " — gradexplorer"
        self.settings = settings if settings is not None else QSettings()
        self.runner = JobRunner(self)
        self.lane = self.runner.lane("layers", propagation_work(propagate), cost_key=run_cost_key)
        self._early = None if early is None else (self.lane.submit(early), early)
        if dashboard is None:
            from gradexplorer.gui.dashboard import Dashboard

            dashboard = Dashboard()
        self.dashboard = dashboard
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(dashboard, "Layers")
        self.setCentralWidget(self.tabs)
        self.panel = ControlPanel(presets)
        self.state = AppState(self.panel.last_valid_spec(), parent=self)
        self.dock = QDockWidget("Settings", self)
        self.dock.setObjectName("settings-dock")
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.dock.setWidget(self.panel)
        self.dock.setMinimumWidth(self.panel.minimum_width(False))
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self._build_status_bar()

        self.lane.sigErrored.connect(self._on_failed)
        self.preview = PreviewPolicy(self)  # a drag's fast first pass, then the full run
        # the drag ended: its full run starts now (a preview still computing is cancelled);
        # an error shown now came after that value (the drag ended on an invalid one): kept
        self.preview.sigFull.connect(
            lambda spec: self._start(spec, coalesce=True, let_finish=False, burst=True,
                                     keep_error=True))
        self.state.sigDragStarted.connect(self.preview.start_burst)
        self.state.sigDragFinished.connect(self.preview.finish_now)
        paint = getattr(self.dashboard, "paint_seconds", None)
        if paint is not None:
            self.lane.set_paint_cost(paint)
        self.feed = RunFeed(self)  # the shown run's records to the plots and the status bar
        self.lane.sigYielded.connect(self.feed.on_records)
        self._pin_runs = PinReplay(self)  # pins re-run behind the shown run
        self.pin_specs: dict[str, NetworkSpec] = {}
        self._font_points = 10
        self._closed = False
        self._to_panel = False

        self.panel.sigSpecChanged.connect(lambda spec: self.state.set_spec(spec, "panel"))
        self.panel.sigDragStarted.connect(self.state.drag_started)
        self.panel.sigDragFinished.connect(self.state.drag_finished)
        self.state.add_pending(self.panel.flush)
        self.panel.sigSpecSet.connect(self._panel_set)
        self.panel.sigSpecError.connect(lambda field, message: self._settings_invalid(message))
        self.state.sigSpecChanged.connect(self._on_spec_changed)
        self.actions_ = WindowActions(self)
        self.theory = TheoryDisplay(self)
        self._views = LazyViews(self.tabs, self.state, self.runner)
        from gradexplorer.gui.glossary_dialog import attach_tooltips
        from gradexplorer.gui.story import StoryMode

        self.story = StoryMode(self)
        attach_tooltips(self)
        self.resize(*DEFAULT_SIZE)
        if restore:
            self.actions_.restore_settings()
            self.story.dock.setVisible(False)  # a stored layout does not reopen the story
        if start and self.actions_.restored_pins:  # the settings, then the stored pins re-run
            self.replay(self.actions_.restored_pins, self.panel.last_valid_spec())
        elif start:
            self.request_run(self.panel.last_valid_spec())

    # --- the state ------------------------------------------------------------------------------
    def _panel_set(self, spec: NetworkSpec) -> None:
        """The panel was set programmatically (restore, session): views follow, nothing runs."""
        if not self._to_panel:
            self.state.set_spec(spec, "panel-set")

    def _on_spec_changed(self, spec: NetworkSpec, source: str) -> None:
        if not source.startswith("panel"):
            self._to_panel = True
            try:
                self.panel.set_spec(spec)
            finally:
                self._to_panel = False
        if source not in SHOW_ONLY:
            run = self.preview.spec_for(spec)
            run_id = self.request_run(run, coalesce=True, burst=self.preview.bursting)
            if run is not spec:
                self.feed.previews[run_id] = run.batch

    # --- status bar ---------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        self._error_shown = False
        self.message, self.verdict, self.progress, self.run_time = build_status_bar(
            self.statusBar())

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
    def request_run(self, spec: NetworkSpec | None = None, coalesce: bool = False,
                    burst: bool = False) -> int:
        """Start a run of ``spec`` (default: the panel's); cancels any pin replay.

        ``coalesce``: the drag policy of :meth:`~gradexplorer.gui.jobs.runner.Lane.submit`
        (a run in flight that ends soon is shown first; otherwise it is cancelled); ``burst``:
        the run is a drag's preview (delivered whole even as the drag's first run).
        """
        self._pin_runs.cancel()
        if not coalesce:
            self.preview.cancel()
        return self._start(spec if spec is not None else self.panel.last_valid_spec(), coalesce,
                           burst=burst)

    def apply_spec(self, spec: NetworkSpec) -> None:
        """Show ``spec`` in the control panel and run it."""
        self.state.set_spec(spec, "window")

    def rerun(self) -> None:
        """Run the panel's current settings again (F5)."""
        try:
            spec = self.panel.spec()
        except SpecError as exc:
            self.show_error(str(exc))
            return
        self.request_run(spec)

    def _start(self, spec: NetworkSpec, coalesce: bool = False, let_finish: bool = True,
               burst: bool = False, keep_error: bool = False) -> int:
        """Submit ``spec``; ``keep_error``: the settings on screen are not ``spec`` (a drag's
        full run of its last valid value after it ended on an invalid one): the error stays."""
        if self._closed:
            return self.lane.latest_id
        if self._error_shown and not keep_error:
            self.show_message("")
        if not self._error_shown and hasattr(self.dashboard, "set_stale"):
            self.dashboard.set_stale(None)  # valid settings again: the plots follow them
        early, self._early = self._early, None
        if early is not None and early[1] == spec:  # started while the window was built
            run_id = early[0]
        else:
            run_id = self.lane.submit(spec, coalesce=coalesce, let_finish=let_finish,
                                      burst=burst)
        self.feed.specs[run_id] = spec
        self.feed.mark_pending()
        return run_id

    def is_running(self) -> bool:
        """True while a run is computing, queued, its records are not all shown yet, or a
        drag's full run is still to come."""
        return self.lane.is_running() or self.preview.is_waiting()

    def _on_failed(self, run_id: int, field: str, message: str) -> None:
        if run_id != self.lane.latest_id:
            return  # a newer value is on its way; its own answer decides
        self._pin_runs.cancel()
        self.panel.mark_error(field or None, message)
        self.show_error(message)
        self.run_time.setText("failed")
        self.progress.setValue(0)

    # --- pins ---------------------------------------------------------------------------------
    def pin_current(self, label: str | None = None) -> str | None:
        """Pin the current run under ``label`` (default: its settings in a few words)."""
        result = self.dashboard.result()
        if result is None or result.start is None or self.feed.run_spec is None:
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
        self.state.set_pins(self.pins())
        self.show_message(f"pinned: {label}")
        return label

    def clear_pins(self) -> None:
        """Remove every pinned run."""
        self.dashboard.clear_pins()
        self.pin_specs.clear()
        self.state.set_pins([])

    def pins(self) -> list[Pin]:
        """The pinned runs still shown, with the specs that reproduce them."""
        return [Pin(label, self.pin_specs[label]) for label in self.dashboard.pin_labels()
                if label in self.pin_specs]

    def show_story(self, main: str = STORY[0], reference: str = STORY[1]) -> bool:
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
        """Run and show ``spec``, then re-run each of ``pins`` in turn and pin it beside
        (loading a session, the first-launch story, a story step).

        ``spec``'s result is shown first; a pin's run never streams into the plots
        (:mod:`~gradexplorer.gui.pin_replay`). Any new run request drops the pins to come.
        """
        self.clear_pins()
        self.state.set_spec(spec, "session")
        self._pin_runs.start(pins, after=self.request_run(spec))

    # --- appearance -----------------------------------------------------------------------------
    def set_font_size(self, points: int) -> None:
        """Presentation scale as the plots' type size: ``points`` / 10 × (every text scales)."""
        self._font_points = round(10 * apply_scale(points / 10))
        self._fit_dock()
        QTimer.singleShot(0, self._fit_dock)  # again once the new fonts are laid out

    def _fit_dock(self) -> None:
        """The panel's rows grew with the font: let the dock grow with them, up to DOCK_SHARE of
        the window; beyond that the panel puts its labels above the fields (the plots keep
        their room at 1.6x on 1280x720)."""
        was = self.panel.wrapped
        width = self.panel.fit_width(int(self.width() * DOCK_SHARE))
        self.dock.setMinimumWidth(width)
        if self.panel.wrapped != was or (self.panel.wrapped and self.dock.width() > width + 2):
            self.resizeDocks([self.dock], [width], Qt.Orientation.Horizontal)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """A narrower window may need the narrow (wrapped) settings panel, a wider one not."""
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit_dock()

    @property
    def views(self) -> list[tuple[str, QWidget]]:
        """Every tab view as (title, view); views not built yet (tabs never shown) are built."""
        return self._views.all()

    def font_size(self) -> int:
        """The plots' type size in points (10 × the presentation scale)."""
        return self._font_points

    # --- shutdown -----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Stop the run and the thread, remember geometry and settings, then close."""
        if not self._closed:
            self._closed = True
            self.panel.cancel_pending()
            self.preview.cancel()
            for _, view in self._views.built():
                if hasattr(view, "shutdown"):
                    view.shutdown()
            self.runner.shutdown()
            self.actions_.save_settings()
        super().closeEvent(event)

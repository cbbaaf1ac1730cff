"""The main window's menus, shortcuts, file actions (sessions, exports) and QSettings.

Kept apart from ``main_window`` so that file stays about the run plumbing. Every file action
takes an optional path so tests (and scripts) can skip the file dialog.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QTimer
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QToolButton

import gradexplorer
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.gui.dialogs import DATA_FILTER, IMAGE_FILTER, ImageSizeDialog, with_suffix
from gradexplorer.gui.presentation import SCALE_STEPS, PresentationMode, next_step
from gradexplorer.gui.session import FILE_FILTER, Session, SessionError, load_session, save_session
from gradexplorer.io.atomic import describe
from gradexplorer.io.sessions import MAX_BYTES, pins_from_data, spec_from_session

if TYPE_CHECKING:
    from gradexplorer.gui.main_window import MainWindow

ABOUT = """<h3>gradexplorer {version}</h3>
<p>See the vanishing and exploding gradient problem: layer-wise signal and gradient statistics
of deep fully connected networks, live.</p>
<p>Bundled data set: UCI Optical Recognition of Handwritten Digits, E. Alpaydin &amp;
C. Kaynak (1998), CC BY 4.0.</p>"""


class WindowActions(QObject):
    """Builds the menu bar of ``window`` and implements its actions."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.w = window
        self.actions: dict[str, QAction] = {}
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        self._add(file_menu, "open", "&Open session…", QKeySequence.StandardKey.Open,
                  lambda: self.open_session())
        self._add(file_menu, "save", "&Save session…", QKeySequence.StandardKey.Save,
                  lambda: self.save_session())
        file_menu.addSeparator()
        self._add(file_menu, "export_image", "&Export dashboard image…", "Ctrl+E",
                  lambda: self.export_image())
        self._add(file_menu, "export_data", "Export &data (CSV/JSON)…", None,
                  lambda: self.export_data())
        self._add(file_menu, "copy_image", "&Copy image to clipboard", "Ctrl+Shift+C",
                  self.copy_image)
        file_menu.addSeparator()
        self._add(file_menu, "quit", "&Quit", QKeySequence.StandardKey.Quit, window.close)
        run_menu = bar.addMenu("&Run")
        self._add(run_menu, "rerun", "&Rerun", "F5", window.rerun)
        self._add(run_menu, "pin", "&Pin current run", "Ctrl+P", lambda: window.pin_current())
        self._add(run_menu, "clear_pins", "&Clear pins", None, window.clear_pins)
        self._add(run_menu, "new_seed", "&New seed", "Ctrl+N", window.panel.run.draw_seed)
        view_menu = bar.addMenu("&View")
        self.presentation = PresentationMode(window)
        self._add(view_menu, "presentation", "&Presentation mode", "F11",
                  self.presentation.toggle)
        self._add(view_menu, "fullscreen", "&Full screen", "Ctrl+Shift+F",
                  self.toggle_full_screen)
        view_menu.addSeparator()
        self._add(view_menu, "bigger", "Zoom &in (all text)", QKeySequence.StandardKey.ZoomIn,
                  lambda: self.zoom(+1))
        self.actions["bigger"].setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn),
                                             QKeySequence("Ctrl+=")])
        self._add(view_menu, "smaller", "Zoom &out (all text)", QKeySequence.StandardKey.ZoomOut,
                  lambda: self.zoom(-1))
        self._add(view_menu, "zoom_reset", "&Actual size (100 %)", "Ctrl+0",
                  lambda: window.set_font_size(10))
        scale_menu = view_menu.addMenu("Text &scale")
        self.scale_group = QActionGroup(self)
        for step in SCALE_STEPS:
            action = scale_menu.addAction(f"{step:g}×")
            action.setCheckable(True)
            action.setData(step)
            self.scale_group.addAction(action)
            action.triggered.connect(lambda _=False, s=step: window.set_font_size(round(10 * s)))
        scale_menu.aboutToShow.connect(self._check_scale)
        view_menu.addSeparator()
        view_menu.addAction(window.dock.toggleViewAction())
        help_menu = bar.addMenu("&Help")
        self._add(help_menu, "story", "&Story: ReLU or careful init?", "F1",
                  lambda: window.story.start())
        self._add(help_menu, "glossary", "&Glossary…", "Shift+F1", self.glossary)
        help_menu.addSeparator()
        self._add(help_menu, "about", "&About gradexplorer", None, self.about)
        story_button = QToolButton(bar)
        story_button.setDefaultAction(self.actions["story"])
        story_button.setAutoRaise(True)
        bar.setCornerWidget(story_button)
        self._glossary = None
        self.restored_pins: list = []

    def _add(self, menu, key, text, shortcut, slot) -> QAction:
        action = QAction(text, self.w)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.actions[key] = action
        return action

    # --- sessions -------------------------------------------------------------------------------
    def save_session(self, path: str | None = None) -> bool:
        """Write the current spec and pins to ``path`` (asks when None); True on success."""
        if path is None:
            path, chosen = QFileDialog.getSaveFileName(self.w, "Save session", "session.gxs.json",
                                                       FILE_FILTER)
            if not path:
                return False
            if not path.lower().endswith(".json"):
                path += ".gxs.json"  # else the Open dialog's sessions filter hides it
        train = self._train_view()
        train_pins: tuple = ()
        if train is not None:  # imported here: the Train tab is built when first shown
            from gradexplorer.gui.train.pin_io import export_train_pins

            train_pins = export_train_pins(train)
        session = Session(self.w.panel.last_valid_spec(), tuple(self.w.pins()), train_pins)
        try:
            save_session(path, session)
        except SessionError as exc:
            self.w.show_error(str(exc))
            return False
        self.w.show_message(f"session saved to {path}")
        return True

    def open_session(self, path: str | None = None) -> bool:
        """Load a session (asks when None); on any problem nothing changes and a message shows."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.w, "Open session", "", FILE_FILTER)
            if not path:
                return False
        try:
            session = load_session(path)
        except SessionError as exc:
            self.w.show_error(f"could not open session: {exc}")
            return False
        self.w.replay(list(session.pins), session.spec)
        train = self._train_view(build=bool(session.train_pins))
        if train is not None:
            from gradexplorer.gui.train.pin_io import import_train_pins

            import_train_pins(train, session.train_pins)
        self.w.show_message(f"session loaded from {path}")
        return True

    def _train_view(self, build: bool = False):
        """The Train tab's view (None when the window has none, or, unless ``build``, when
        the tab was never shown: then it has no pins)."""
        lazy = getattr(self.w, "_views", None)
        views = self.w.views if build or not hasattr(lazy, "built") else lazy.built()
        return next((v for t, v in views if t == "Train" and hasattr(v, "pins")), None)

    # --- exports --------------------------------------------------------------------------------
    def export_image(self, path: str | None = None, size: tuple[int, int] | None = None) -> bool:
        """Write the whole dashboard as PNG or SVG; a PNG's pixel size is asked for."""
        if path is None:
            path, chosen = QFileDialog.getSaveFileName(self.w, "Export dashboard image",
                                                       "gradexplorer.png", IMAGE_FILTER)
            if not path:
                return False
            path = with_suffix(path, chosen)
            if path.lower().endswith(".png"):
                dash = self.w.dashboard
                dialog = ImageSizeDialog(dash.width(), dash.height(), self.w)
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return False
                size = dialog.size_chosen()
        try:
            self.w.dashboard.export_image(path, size)
        except OSError as exc:
            self.w.show_error(f"could not export image: {describe(exc, path)}")
            return False
        except ValueError as exc:
            self.w.show_error(f"could not export image: {exc}")
            return False
        self.w.show_message(f"image written to {path}")
        return True

    def export_data(self, path: str | None = None) -> bool:
        """Write the current run's per-layer numbers as CSV or strict JSON (the CLI's schema)."""
        result = self.w.dashboard.result()
        if result is None or result.start is None or not result.complete:
            self.w.show_error("no finished run to export yet")
            return False
        if path is None:
            path, chosen = QFileDialog.getSaveFileName(self.w, "Export data",
                                                       "gradexplorer.json", DATA_FILTER)
            if not path:
                return False
            path = with_suffix(path, chosen)
        from gradexplorer.gui.export import write_data

        try:
            write_data(result, NetworkSpec.from_dict(result.start.config), path)
        except OSError as exc:
            self.w.show_error(f"could not export data: {describe(exc, path)}")
            return False
        except ValueError as exc:
            self.w.show_error(f"could not export data: {exc}")
            return False
        self.w.show_message(f"data written to {path}")
        return True

    def copy_image(self) -> None:
        """Put an image of the dashboard on the clipboard (drawn up to date first: another
        tab may be current)."""
        dashboard, page = self.w.dashboard, self.w.tabs.currentWidget()
        image = getattr(dashboard, "image", None)  # a stand-in dashboard: as it is
        pixmap = image(page.size()) if image is not None and page is not None else dashboard.grab()
        QGuiApplication.clipboard().setPixmap(pixmap)
        self.w.show_message("dashboard image copied to the clipboard")

    # --- view / help ----------------------------------------------------------------------------
    def toggle_full_screen(self) -> None:
        """Switch between full screen and the normal window (Esc also leaves it)."""
        if self.w.isFullScreen():
            self.presentation.leave()
        else:
            self.w.showFullScreen()

    def glossary(self) -> None:
        """Show the glossary (one non-modal dialog, raised if already open)."""
        if self._glossary is None:
            from gradexplorer.gui.glossary_dialog import GlossaryDialog

            self._glossary = GlossaryDialog(self.w)
        self._glossary.show()
        self._glossary.raise_()
        self._glossary.activateWindow()

    def zoom(self, direction: int) -> None:
        """One presentation-scale step bigger (+1) or smaller (-1): every text of every tab."""
        self.w.set_font_size(round(10 * next_step(self.w.font_size() / 10, direction)))

    def _check_scale(self) -> None:
        for action in self.scale_group.actions():
            action.setChecked(abs(action.data() - self.w.font_size() / 10) < 1e-6)

    def about(self) -> None:
        """Version and data attribution."""
        QMessageBox.about(self.w, "About gradexplorer",
                          ABOUT.format(version=gradexplorer.__version__))

    # --- settings -------------------------------------------------------------------------------
    def save_settings(self) -> None:
        """Remember geometry, dock layout, font size and the last valid spec."""
        s = self.w.settings
        s.setValue("window/geometry", self.w.saveGeometry())
        s.setValue("window/state", self.w.saveState())
        s.setValue("view/font_points", self.w.font_size())
        s.setValue("spec", json.dumps(self.w.panel.last_valid_spec().to_dict()))
        s.setValue("pins", json.dumps([{"label": p.label, "spec": p.spec.to_dict()}
                                       for p in self.w.pins()]))
        s.sync()

    def restore_settings(self) -> None:
        """Restore what :meth:`save_settings` stored, checking every value.

        A damaged value (``geometry=hello``, ``state=42``, a font size of "big", a spec that is
        not valid JSON or holds out-of-range values) is ignored: the default is used and the
        status bar names what was ignored. The window always opens.
        """
        problems = [name for name, restore in (
            ("window size", self._restore_geometry), ("dock layout", self._restore_state),
            ("font size", self._restore_font_size), ("settings", self._restore_spec),
            ("pins", self._restore_pins), ("theory toggle", self._check_theory_toggle),
        ) if not _safely(restore)]
        if problems:
            text = f"ignored damaged stored {', '.join(problems)}; defaults used"
            self.w.show_error(text)
            QTimer.singleShot(0, self, lambda: self.w.show_error(text))  # after the 1st run starts

    def _restore_geometry(self) -> bool:
        value = self.w.settings.value("window/geometry")
        return value is None or isinstance(value, QByteArray) and self.w.restoreGeometry(value)

    def _restore_state(self) -> bool:
        value = self.w.settings.value("window/state")
        return value is None or isinstance(value, QByteArray) and self.w.restoreState(value)

    def _restore_font_size(self) -> bool:
        value = self.w.settings.value("view/font_points")
        if value is None:
            return True
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 3):
            return False
        points = int(text)
        if not FONT_POINTS[0] <= points <= FONT_POINTS[1]:
            return False
        self.w.set_font_size(points)
        return True

    def _check_theory_toggle(self) -> bool:
        """The theory display read the toggle already (a damaged value: shown); only judge it."""
        from gradexplorer.gui.theory_display import SETTINGS_KEY, stored_bool

        value = self.w.settings.value(SETTINGS_KEY)
        return value is None or stored_bool(value) is not None

    def _restore_spec(self) -> bool:
        try:
            spec = stored_spec(self.w.settings)
        except ValueError:
            return False
        if spec is not None:
            self.w.panel.set_spec(spec)
        return True

    def _restore_pins(self) -> bool:
        """The pinned runs' labels and specs, checked as a session's pins are; the window
        re-runs them (``restored_pins``) before the stored settings."""
        self.restored_pins = []
        text = self.w.settings.value("pins")
        if text is None:
            return True
        if not isinstance(text, str) or len(text) > MAX_BYTES:
            return False
        try:
            self.restored_pins = list(pins_from_data(json.loads(text)))
        except (ValueError, RecursionError, SessionError):
            return False
        return True


#: Font sizes the window accepts, in points (MainWindow.set_font_size clamps to this range).
FONT_POINTS = (6, 32)


def stored_spec(settings) -> NetworkSpec | None:
    """The spec :meth:`WindowActions.save_settings` stored in ``settings`` (a QSettings);
    None when none is stored. Raises ValueError when the stored value is damaged."""
    text = settings.value("spec")
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > 100_000:
        raise ValueError("the stored spec is not a JSON text")
    try:
        return spec_from_session(json.loads(text), "spec")
    except (ValueError, RecursionError, SessionError) as exc:
        raise ValueError(f"the stored spec is damaged: {exc}") from exc


def _safely(restore) -> bool:
    """Run one restore step; a value Qt or the panel rejects counts as damaged, not as a crash."""
    try:
        return bool(restore())
    except (TypeError, ValueError, OverflowError, RecursionError, SessionError):
        return False

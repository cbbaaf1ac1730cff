"""Story mode's controller: loads a step through the app state, keys, explore-and-return.

A step loads its network as the window loads a session: its ``compare`` network (if any) is
re-run and pinned (the window's pin mechanism), then its own network runs and is shown; when
the pins already are the step's, only the network runs. The step's highlights are drawn on the
dashboard (:mod:`.highlight`) each time a result or a pin arrives; a ``phase`` highlight shows
the Phase diagram tab.

Keys (only while the story is open): Page Down / Page Up (presenter clickers) always, → / ←
unless the focus is in a control that uses arrows itself (spin box, slider, combo box, text
field, list). Any change of the settings that did not come from the story marks the step as
"explored away"; Back to step k, Back or Next return to the story.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from gradexplorer.gui.session import Pin
from gradexplorer.gui.story.highlight import apply_highlights, wants_phase
from gradexplorer.gui.story.panel import StoryPanel
from gradexplorer.story import Story, StoryStep, load_story

#: Widgets that use the arrow keys themselves: the story leaves → and ← to them.
ARROW_WIDGETS = (QAbstractSpinBox, QAbstractSlider, QComboBox, QLineEdit, QTextEdit,
                 QPlainTextEdit, QAbstractItemView)
SOURCE = "story"
SETTINGS_KEY = "story/step"


def uses_arrows(widget: QWidget | None) -> bool:
    """Whether ``widget`` (the focus widget) needs ← and → for itself."""
    return isinstance(widget, ARROW_WIDGETS)


class StoryMode(QObject):
    """The story in ``window`` (a :class:`~gradexplorer.gui.main_window.MainWindow`).

    Signals
    -------
    sigStepChanged(int) : step ``index`` (0-based) was loaded.
    sigExplored(bool) : the settings left the step (True) or the story took them back (False).
    """

    sigStepChanged = Signal(int)
    sigExplored = Signal(bool)

    def __init__(self, window, story: Story | None = None):
        super().__init__(window)
        self.w = window
        self.story = story if story is not None else load_story()
        self.index = 0
        self.active = False
        self.explored = False
        self._applying = False
        self.panel = StoryPanel()
        self.dock = QDockWidget("Story", window)
        self.dock.setObjectName("story-dock")
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.dock.setTitleBarWidget(QWidget(self.dock))
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        settings = getattr(window, "dock", None)
        if settings is not None:  # above the Settings panel, in the same column
            window.splitDockWidget(self.dock, settings, Qt.Orientation.Vertical)
        self.dock.hide()
        self.panel.sigNext.connect(self.next)
        self.panel.sigBack.connect(self.back)
        self.panel.sigReturn.connect(lambda: self.go(self.index))
        self.panel.sigLeave.connect(self.leave)
        self.panel.sigStart.connect(lambda: self.start(0))
        self._keys: dict[str, QShortcut] = {}
        for name, key, slot in (("pagedown", Qt.Key.Key_PageDown, self.next),
                                ("pageup", Qt.Key.Key_PageUp, self.back),
                                ("right", Qt.Key.Key_Right, self.next),
                                ("left", Qt.Key.Key_Left, self.back)):
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.setEnabled(False)
            shortcut.activated.connect(slot)
            self._keys[name] = shortcut
        QApplication.instance().focusChanged.connect(self._focus_changed)
        window.state.sigSpecChanged.connect(self._on_spec_changed)
        window.state.sigResultChanged.connect(lambda *_: self._refresh())
        window.state.sigPinsChanged.connect(lambda *_: self._refresh())

    # --- navigation -------------------------------------------------------------------------------
    def step(self) -> StoryStep:
        """The current step."""
        return self.story.steps[self.index]

    def start(self, index: int | None = None) -> None:
        """Open the story at ``index`` (default: the step last shown, else the first)."""
        if index is None:
            index = self._remembered()
        self.active = True
        self.dock.show()
        self._enable_keys()
        self.go(index)

    def go(self, index: int) -> None:
        """Load step ``index`` (clamped to the story): its network, its pin, its highlights."""
        self.index = max(0, min(len(self.story.steps) - 1, int(index)))
        step = self.step()
        pins = [Pin(step.compare_label, step.compare)] if step.compare is not None else []
        self._applying = True
        try:
            if [(p.label, p.spec) for p in self.w.pins()] == [(p.label, p.spec) for p in pins]:
                self.w.state.set_spec(step.spec, SOURCE)
            else:
                self.w.replay(pins, step.spec)
        finally:
            self._applying = False
        if step.preset is not None:  # the panel names the preset and shows its explanation
            self.w.panel.presets.show_preset(step.preset)
        self._set_explored(False)
        self.panel.show_step(self.index, len(self.story.steps), step)
        self.panel.show_measured("")
        self._show_tab(step)
        self._refresh()
        self.w.settings.setValue(SETTINGS_KEY, step.id)
        self.sigStepChanged.emit(self.index)

    def next(self) -> None:
        """The next step (after exploring on the last step: that step again)."""
        last = len(self.story.steps) - 1
        if self.active and (self.index < last or self.explored):
            self.go(min(self.index + 1, last))

    def back(self) -> None:
        """The previous step (after exploring on the first step: that step again)."""
        if self.active and (self.index > 0 or self.explored):
            self.go(max(self.index - 1, 0))

    def leave(self) -> None:
        """Close the story (the step is remembered; the settings stay as they are)."""
        self.active = False
        self._enable_keys()
        self.dock.hide()
        apply_highlights(self.w.dashboard, (), None)

    def offer(self) -> None:
        """Show the first-launch offer in the panel (nothing is loaded until Start)."""
        self.panel.show_offer(self.story.question, len(self.story.steps))
        self.dock.show()

    # --- state ------------------------------------------------------------------------------------
    def _on_spec_changed(self, spec, source: str) -> None:
        if not self.active or self._applying or source == SOURCE:
            return
        self._set_explored(spec != self.step().spec)

    def _set_explored(self, away: bool) -> None:
        if away != self.explored:
            self.explored = away
            self.sigExplored.emit(away)
        self.panel.show_explored(self.index + 1 if away else None)
        if away:
            self.panel.show_measured("")
            apply_highlights(self.w.dashboard, (), None)

    def _refresh(self) -> None:
        """Draw the step's highlights and measured numbers when the shown run is the step's."""
        if not self.active or self.explored:
            return
        step = self.step()
        apply_highlights(self.w.dashboard, step.highlights, step.compare_label)
        if self.w.state.result_spec() == step.spec and not self.w.state.is_pending():
            verdict = self.w.dashboard.run_verdict()
            if verdict is not None:
                self.panel.show_measured(f"Measured in this run: {verdict.status}")

    def _show_tab(self, step: StoryStep) -> None:
        tabs = self.w.tabs
        target = 0
        if wants_phase(step.highlights):
            target = next((i for i in range(tabs.count())
                           if tabs.tabText(i).startswith("Phase")), 0)
        tabs.setCurrentIndex(target)

    def _remembered(self) -> int:
        value = self.w.settings.value(SETTINGS_KEY)
        try:
            return self.story.index(str(value)) if value is not None else 0
        except KeyError:
            return 0

    # --- keys -------------------------------------------------------------------------------------
    def _enable_keys(self) -> None:
        arrows_free = not uses_arrows(QApplication.focusWidget())
        for name, shortcut in self._keys.items():
            shortcut.setEnabled(self.active and (name.startswith("page") or arrows_free))

    def _focus_changed(self, _old, _new) -> None:
        self._enable_keys()

"""Extra views shown as tabs beside the layer dashboard (theory, Jacobian, sweeps, training).

Each entry is ``(title, factory)``; ``factory(state, runner)`` builds the view's QWidget from
the :class:`~gradexplorer.gui.state.AppState` (never the window) and the
:class:`~gradexplorer.gui.jobs.JobRunner`. A view follows the current settings through
``state.sigSpecChanged`` / ``state.spec()``, the shown run through ``state.sigResultChanged``,
and may change the settings with ``state.set_spec(spec, "<view name>")``. Its engine work runs
on a lane of the runner (``runner.lane(name, work)``); the window's close shuts the runner down
after calling the view's ``shutdown()``, if it defines one. A view that redraws at every
result draws nothing while another tab is current and the newest result when shown again
(:class:`~gradexplorer.gui.when_shown.WhenShown`, as the Layers dashboard and the phase
diagram's curve do).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtWidgets import QTabWidget, QWidget

#: (tab title, "module:factory") — imported lazily, so a missing optional view never breaks
#: the window.
EXTRA_VIEWS: list[tuple[str, str]] = []
EXTRA_VIEWS.append(("Phase diagram", "gradexplorer.gui.phase.view:make_phase_view"))
EXTRA_VIEWS.append(("Jacobian", "gradexplorer.gui.jacobian.view:make_jacobian_view"))
EXTRA_VIEWS.append(("Sweep", "gradexplorer.gui.sweep.view:make_sweep_view"))
EXTRA_VIEWS.append(("Train", "gradexplorer.gui.train.view:make_train_view"))


def build_view(target: str, state, runner) -> QWidget:
    """Instantiate the view ``"module:factory"`` from ``state`` and ``runner``."""
    module, _, name = target.partition(":")
    factory: Callable = getattr(importlib.import_module(module, __package__), name)
    return factory(state, runner)


def build_views(state, runner) -> list[tuple[str, QWidget]]:
    """Instantiate every registered view from ``state`` and ``runner``, in order."""
    return [(title, build_view(target, state, runner)) for title, target in EXTRA_VIEWS]


class LazyViews:
    """The registered views as tabs of ``tabs``, each built when its tab is first shown.

    Building them all costs seconds at start-up (their modules import SciPy and the theory;
    the phase diagram starts its grid): the window shows its first run without them. An
    empty placeholder holds each tab until it becomes current, or until :meth:`all` is called
    (tests, benchmarks, session code that needs every view).
    """

    def __init__(self, tabs: QTabWidget, state, runner,
                 views: list[tuple[str, str]] | None = None):
        self._tabs, self._state, self._runner = tabs, state, runner
        self._entries: list[list] = []  # [title, target, placeholder or view, built]
        for title, target in (EXTRA_VIEWS if views is None else views):
            holder = QWidget()
            tabs.addTab(holder, title)
            self._entries.append([title, target, holder, False])
        tabs.currentChanged.connect(self._on_current)

    def _on_current(self, index: int) -> None:
        widget = self._tabs.widget(index)
        for entry in self._entries:
            if entry[2] is widget and not entry[3]:
                self._build(entry)

    def _build(self, entry: list) -> None:
        title, target, holder, _built = entry
        view = build_view(target, self._state, self._runner)
        entry[2], entry[3] = view, True
        index = self._tabs.indexOf(holder)
        current = self._tabs.currentIndex() == index
        blocked = self._tabs.blockSignals(True)
        try:
            self._tabs.removeTab(index)
            self._tabs.insertTab(index, view, title)
            if current:
                self._tabs.setCurrentIndex(index)
        finally:
            self._tabs.blockSignals(blocked)
        holder.deleteLater()

    def built(self) -> list[tuple[str, QWidget]]:
        """The views built so far, in tab order."""
        return [(e[0], e[2]) for e in self._entries if e[3]]

    def all(self) -> list[tuple[str, QWidget]]:
        """Every view (those not built yet are built now), in tab order."""
        for entry in self._entries:
            if not entry[3]:
                self._build(entry)
        return self.built()

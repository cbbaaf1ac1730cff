"""Extra views shown as tabs beside the layer dashboard (theory, Jacobian, sweeps, training).

Each entry is ``(title, factory)``; ``factory(state, runner)`` builds the view's QWidget from
the :class:`~gradexplorer.gui.state.AppState` (never the window) and the
:class:`~gradexplorer.gui.jobs.runner.JobRunner`. A view follows the current settings through
``state.sigSpecChanged`` / ``state.spec()``, the shown run through ``state.sigResultChanged``,
and may change the settings with ``state.set_spec(spec, "<view name>")``. Its engine work runs
on a lane of the runner (``runner.lane(name, work)``); the window's close shuts the runner down
after calling the view's ``shutdown()``, if it defines one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

#: (tab title, "module:factory") — imported lazily, so a missing optional view never breaks
#: the window.
EXTRA_VIEWS: list[tuple[str, str]] = []
EXTRA_VIEWS.append(("Phase diagram", "gradexplorer.gui.phase.view:make_phase_view"))
EXTRA_VIEWS.append(("Jacobian", "gradexplorer.gui.jacobian.view:make_jacobian_view"))
EXTRA_VIEWS.append(("Sweep", "gradexplorer.gui.sweep.view:make_sweep_view"))
EXTRA_VIEWS.append(("Train", "gradexplorer.gui.train.view:make_train_view"))


def build_views(state, runner) -> list[tuple[str, QWidget]]:
    """Instantiate every registered view from ``state`` and ``runner``, in order."""
    views = []
    for title, target in EXTRA_VIEWS:
        module, _, name = target.partition(":")
        factory: Callable = getattr(importlib.import_module(module, __package__), name)
        views.append((title, factory(state, runner)))
    return views

"""Extra views shown as tabs beside the layer dashboard (theory, Jacobian, sweeps, training).

Each entry is ``(title, factory)``; ``factory(window)`` builds the view's QWidget for a
:class:`~gradexplorer.gui.main_window.MainWindow`. A view follows the current settings through
``window.panel.sigSpecChanged`` / ``window.panel.last_valid_spec()`` and may change them with
``window.apply_spec(spec)``. Views run their own engine work on their own worker thread and
must stop it in ``shutdown()`` (called from the window's close), if they define one.
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


def build_views(window) -> list[tuple[str, QWidget]]:
    """Instantiate every registered view for ``window``, in order."""
    views = []
    for title, target in EXTRA_VIEWS:
        module, _, name = target.partition(":")
        factory: Callable = getattr(importlib.import_module(module, __package__), name)
        views.append((title, factory(window)))
    return views

"""The "Sweep" tab: one setting over a range of values, a family of per-layer curves."""

from __future__ import annotations

from gradexplorer.gui.sweep.view import SweepView, make_sweep_view

__all__ = ["SweepView", "make_sweep_view"]

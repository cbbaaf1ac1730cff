"""The control panel, split by section: network, initialization, input data, run; presets."""

from gradexplorer.gui.controls.panel import ControlPanel

__all__ = ["ControlPanel"]

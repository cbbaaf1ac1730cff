"""The control panel, split by section: network, initialization, input data, run; presets."""

from .panel import ControlPanel

__all__ = ["ControlPanel"]

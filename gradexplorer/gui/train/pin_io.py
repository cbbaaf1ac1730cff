"""The Train tab's pins to and from a session (:mod:`gradexplorer.io.train_pins`).

A pin is saved as what it shows (its loss and accuracy curves and per-layer series), so opening
the session draws the same curves again without re-training.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.gui.train.history import LayerSeries
from gradexplorer.io.train_pins import TrainPin


class _StoredRun:
    """What :meth:`TrainPins.pin` reads from a history, served from a saved pin."""

    def __init__(self, pin: TrainPin):
        self.pin = pin

    def series(self, name: str) -> np.ndarray:
        if name == "step":
            return self.pin.steps
        return self.pin.curves.get(name, np.full(self.pin.steps.size, np.nan))

    def layer_series(self, copy: bool = False) -> LayerSeries:
        p = self.pin
        return LayerSeries(p.steps.copy(), p.log10_grad_norm.copy(), p.log10_update_ratio.copy())


def export_train_pins(view) -> tuple[TrainPin, ...]:
    """The pins of ``view`` (a TrainView) as saved data; a pin whose network is unknown is
    saved with the view's last trained network."""
    pins = []
    for label in view.pins.labels():
        layers = view.pins.layers(label)
        spec = view.pin_specs.get(label) or view.run_spec
        if layers is None or spec is None:
            continue
        curves = {}
        for plot in view.pins.plots:
            item = plot.pin_item(label)
            curves[plot.fields[1]] = np.asarray(item.yData, dtype=float) / plot.scale
        pins.append(TrainPin(label, spec, np.asarray(layers.steps, dtype=float), curves,
                             np.asarray(layers.log10_grad_norm, dtype=float),
                             np.asarray(layers.log10_update_ratio, dtype=float)))
    return tuple(pins)


def import_train_pins(view, pins: tuple[TrainPin, ...]) -> list[str]:
    """Replace ``view``'s pins by ``pins``; returns the labels drawn."""
    view.pins.clear()
    labels = []
    for pin in pins:
        label = view.pins.pin(_StoredRun(pin), pin.label)
        view.pin_specs[label] = pin.spec
        labels.append(label)
    return labels

"""Activation mean and standard deviation per layer, with a linear or log10 scale for the std.

With a norm (batch / layer norm blocks) a second std curve shows the normalized z = Norm(h) that
φ acts on, beside the std of a: the norm keeps z at std ≈ 1 whatever h does.
"""

from __future__ import annotations

import numpy as np

from gradexplorer.engine.runs.result import RunResult
from gradexplorer.gui.plots.layer_plot import CurveSpec, LayerPlot
from gradexplorer.gui.plots.style import MEASURED, coloured, pg

MEAN = CurveSpec("mean", "act_mean", "mean of a")
STD = CurveSpec("std", "act_std", "std of a")
LOG_STD = CurveSpec("std", "log10_act_std", "std of a", log10=True)
#: Only for runs with a norm (``ForwardLayer.normed_std`` is None without one).
NORMED = CurveSpec("normed", "normed_std", "std of z = Norm(h)")
LOG_NORMED = CurveSpec("normed", "log10_normed_std", "std of z = Norm(h)", log10=True)
#: Short: a long title is drawn smaller (the hover readout names it in full).
NORMED_TITLE = f", {coloured('std of z', MEASURED['normed'])}"

#: In automatic mode, use log10 once the finite stds span more than this many decades...
AUTO_LOG_DECADES = 2.0
#: ...and go back to linear only when they span less than this many: a drag whose runs span
#: about 2 decades otherwise flipped the plot (title, axis, curves) from run to run, and each
#: flip re-laid every plot out.
AUTO_LINEAR_DECADES = 1.5
#: Activations whose std scales geometrically with the gain (positive homogeneous): in
#: automatic mode always log10, so ReLU presets are compared on one axis (He: flat, LeCun:
#: halving, He × 1.5: growing) instead of the axis switching between them.
ALWAYS_LOG = frozenset({"relu", "leaky_relu"})


class ActivationPlot(LayerPlot):
    """Mean and std of a_l = φ(h_l) over batch and units, against layer l.

    The std can be shown on a log10 scale (:meth:`set_std_log`); the mean, which may be
    negative, is then hidden. ``None`` (the default) chooses log10 when the std overflows or
    spans more than :data:`AUTO_LOG_DECADES` decades (in this run and the pinned ones together),
    as in exploding runs, and always for ReLU (:data:`ALWAYS_LOG`); back to linear below
    :data:`AUTO_LINEAR_DECADES`.
    """

    LINEAR_LABEL = "mean and std of a (value)"
    LOG_LABEL = "std of a (log10)"
    #: The title names the curves in their colours (a legend would cover them).
    LINEAR_TITLE = (f"Activations a = φ(h): {coloured('mean', MEASURED['mean'])}, "
                    f"{coloured('std', MEASURED['std'])}")
    LOG_TITLE = f"Activations a = φ(h): {coloured('std', MEASURED['std'])} (log10)"

    def __init__(self, plot: pg.PlotItem):
        self._mode: bool | None = None
        self._log = False
        self._normed = False  # the current run has a norm: show the std of z too
        super().__init__(plot, self.LINEAR_TITLE, self.LINEAR_LABEL,
                         [MEAN, STD, LOG_STD, NORMED, LOG_NORMED])

    @property
    def std_log(self) -> bool:
        """Whether the std is currently drawn on a log10 scale."""
        return self._log

    def set_std_log(self, on: bool | None) -> None:
        """True: log10 std only; False: linear mean and std; None: choose from the data."""
        self._mode = on
        if on is not None:
            self._apply(on)

    def visible_specs(self) -> list[CurveSpec]:
        specs = [LOG_STD] if self._log else [MEAN, STD]
        if self._normed:
            specs.append(LOG_NORMED if self._log else NORMED)
        return specs

    def update(self, result: RunResult) -> None:
        normed = any(f is not None and f.normed_std is not None for f in result.forward[:1])
        if normed != self._normed:
            self._normed = normed
            self._y_fitted = False  # the z curve comes or goes: fit the range afresh
            self._retitle()
        if self._mode is None:
            pinned = [d[LOG_STD.field] for d in self._pin_data.values() if LOG_STD.field in d]
            activation = (result.start.config.get("activation")
                          if result.start is not None else None)
            self._apply(activation in ALWAYS_LOG or _wants_log(
                np.concatenate([result.series(LOG_STD.field), *pinned]), self._log))
        super().update(result)

    def add_pin(self, label, data, colour, in_legend) -> None:
        super().add_pin(label, data, colour, in_legend)
        if self._mode is None and self._values:
            self._apply(_wants_log(np.concatenate(
                [d[LOG_STD.field] for d in self._pin_data.values()]), self._log) or self._log)

    def _apply(self, log: bool) -> None:
        if log != self._log:
            self._log = log
            self._y_fitted = False  # another scale: fit the range afresh
            self._retitle()
            self._refresh_pins()

    def _retitle(self) -> None:
        self.y_label = ((self.LOG_LABEL if self._log else self.LINEAR_LABEL)
                        .replace(" (", ", std of z (") if self._normed else
                        self.LOG_LABEL if self._log else self.LINEAR_LABEL)
        self.title = (self.LOG_TITLE if self._log else self.LINEAR_TITLE) + (
            NORMED_TITLE if self._normed else "")
        self.set_font(self._points)


def _wants_log(log10_std: np.ndarray, now_log: bool = False) -> bool:
    """Whether the log10 stds (any shape) ask for a log scale, given the current one."""
    if np.isposinf(log10_std).any():
        return True
    finite = log10_std[np.isfinite(log10_std)]
    limit = AUTO_LINEAR_DECADES if now_log else AUTO_LOG_DECADES
    return finite.size > 1 and float(finite.max() - finite.min()) > limit

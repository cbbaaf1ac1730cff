"""Records streamed by :func:`gradexplorer.engine.runs.propagation.propagate`.

A run yields, in order: one :class:`RunStart`, a :class:`ForwardLayer` for layers 1..L, one
:class:`LossRecord`, a :class:`BackwardLayer` for layers L..1 (with one :class:`TheoryLayers`
right after the first of them, layer L), and one :class:`RunEnd`. Every
array inside a record is a fresh copy the engine never writes again, so a GUI may keep it.

Scales. Statistics are plain values where they fit in float64. Every quantity that can leave
float64's range also has a ``log10_`` twin that stays exact (the engine carries a running log10
scale, see ``propagation``); when the plain value overflows it is ``inf`` (or 0 on underflow)
while the ``log10_`` twin is still right. NaN means a genuine NaN in the data, never overflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Step of the universal log10-magnitude grid for gradient histograms (decades per bin).
LOG10_BIN_WIDTH = 0.05


@dataclass(frozen=True)
class Histogram:
    """Counts on bin ``edges`` (length ``len(counts) + 1``), normalized to a density.

    ``density`` integrates to 1 over the edges (or is all zeros when nothing fell inside).
    ``units`` says what is binned, e.g. ``"value"`` or ``"units of the layer's RMS"`` or
    ``"log10 |value|"``. ``n`` is the number of values binned; ``clipped`` how many fell outside
    and were added to the end bins (or, for log grids, how many were exact zeros).
    """

    edges: np.ndarray
    density: np.ndarray
    units: str
    n: int
    clipped: int = 0


@dataclass(frozen=True)
class RunStart:
    """What is about to run: the spec's dict, the resolved widths (n_0..n_L), data description."""

    config: dict[str, Any]
    widths: tuple[int, ...]
    data_description: str
    memory_bytes: int
    sigma_w2: tuple[float, ...]
    sigma_b2: float
    input_second_moment: float


@dataclass(frozen=True)
class ForwardLayer:
    """Forward statistics of layer ``layer`` (1-based), over the whole batch and all units.

    ``preact_*`` describe h_l, ``act_*`` describe a_l = φ(h_l) (or a_{l−1} + α·φ(z_l) in a
    residual block; ``normed_*`` the normalized z_l when the spec has a norm); mean and std are
    over all B·n_l entries (population std). ``preact_second_moment`` is E[h²] (q_l in
    mean-field notation).
    ``saturated_fraction`` is the fraction of entries where φ'(h) is below the activation's
    saturation threshold (see ``activations``). ``weight_norm`` is ‖W_l‖_F.
    ``log10_act_scale`` is log10 of the factor the engine divided a_l by to keep it in range
    (0 when no rescaling happened).
    """

    layer: int
    fan_in: int
    fan_out: int
    preact_mean: float
    preact_std: float
    log10_preact_std: float
    preact_second_moment: float
    act_mean: float
    act_std: float
    log10_act_std: float
    saturated_fraction: float
    weight_norm: float
    bias_norm: float
    log10_act_scale: float
    preact_hist: Histogram
    act_hist: Histogram
    nonfinite_fraction: float = 0.0
    #: mean and std of the normalized z_l = Norm(h_l) (None without a norm; ``model.blocks``)
    normed_mean: float | None = None
    normed_std: float | None = None


@dataclass(frozen=True)
class LossRecord:
    """The loss at the top. ``value`` is None for the ``random`` source when it overflows."""

    loss: str
    value: float
    log10_grad_output_rms: float


@dataclass(frozen=True)
class BackwardLayer:
    """Gradient statistics of layer ``layer`` (1-based).

    ``grad_preact_rms`` is the RMS over the batch and units of ∂L/∂h_l; ``grad_weight_norm`` is
    ‖∂L/∂W_l‖_F and ``grad_bias_norm`` ‖∂L/∂b_l‖_2; ``grad_to_weight`` is
    ‖∂L/∂W_l‖_F / ‖W_l‖_F. Each has an exact ``log10_`` twin. ``grad_hist`` is a histogram of
    log10|∂L/∂h_l| on the universal grid of :data:`LOG10_BIN_WIDTH` decades, so layers and runs
    share bins; exact zeros are counted in ``grad_zero_fraction`` instead.
    """

    layer: int
    grad_preact_rms: float
    log10_grad_preact_rms: float
    grad_weight_norm: float
    log10_grad_weight_norm: float
    grad_bias_norm: float
    log10_grad_bias_norm: float
    grad_to_weight: float
    log10_grad_to_weight: float
    grad_zero_fraction: float
    grad_hist: Histogram
    nonfinite_fraction: float = 0.0


@dataclass(frozen=True)
class RunEnd:
    """The run finished.

    ``seconds`` is the wall time of the whole run; ``setup_seconds`` the part spent before
    the first layer (loading the data, drawing the weights), so ``seconds − setup_seconds`` is
    forward + backward + statistics.
    """

    seconds: float
    warnings: tuple[str, ...] = field(default_factory=tuple)
    setup_seconds: float = 0.0


@dataclass(frozen=True)
class TheoryLayers:
    """Mean-field predictions for every layer of this run, in the measured records' fields.

    Built by :func:`gradexplorer.engine.theory.run_prediction.run_prediction` (Poole et al. 2016;
    Schoenholz et al. 2017). Every array has shape (L,), index ``l − 1`` is layer l, and is in the
    same scale as the record field of the same name (``log10_`` = log10; the others plain,
    ``inf`` where float64 overflows while the ``log10_`` twin stays finite).

    Attributes
    ----------
    preact_second_moment : q_l = E[h_l²].
    log10_preact_std : ½ log10 q_l (E[h] = 0 in the ensemble).
    act_mean, act_std, log10_act_std : E[φ(√q_l z)] and √(E[φ²] − E[φ]²), z ~ N(0, 1).
    log10_grad_preact_rms : log10 RMS of ∂L/∂h_l, anchored at the measured top layer
        (``anchor_layer`` = L: equal to the measurement there by construction).
    chi : χ_l, the mean-square gradient factor from layer l + 1 to l (last entry NaN).
    log10_grad_top_random_loss : ½ log10 E[φ'(h_L)²], the absolute top-layer level the theory
        predicts for the ``random`` loss (any loss: not used for the anchor).
    anchor_layer : the layer whose measured gradient RMS fixes the level (L).
    label : short legend text; ``assumptions`` : what the prediction assumes, in words.
    """

    preact_second_moment: np.ndarray
    log10_preact_std: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    log10_act_std: np.ndarray
    log10_grad_preact_rms: np.ndarray
    chi: np.ndarray
    log10_grad_top_random_loss: float
    anchor_layer: int
    label: str
    assumptions: str

    def series(self) -> dict[str, np.ndarray]:
        """Every predicted per-layer quantity by its record field name (fresh copies)."""
        return {name: np.array(getattr(self, name), dtype=float) for name in PREDICTED_FIELDS}


#: Record fields :class:`TheoryLayers` predicts (each a ForwardLayer or BackwardLayer field).
PREDICTED_FIELDS = ("preact_second_moment", "log10_preact_std", "act_mean", "act_std",
                    "log10_act_std", "log10_grad_preact_rms")

Record = RunStart | ForwardLayer | LossRecord | BackwardLayer | TheoryLayers | RunEnd

"""What a training run streams: :class:`TrainStart`, :class:`TrainRecord`s, :class:`TrainEnd`.

Re-exported by :mod:`gradexplorer.engine.training.trainer`, which makes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["TrainEnd", "TrainRecord", "TrainStart"]


@dataclass(frozen=True)
class TrainStart:
    """What is about to train: both configs' dicts, widths (n_0..n_L), C, the task's rows."""

    config: dict[str, Any]
    network: dict[str, Any]
    widths: tuple[int, ...]
    n_outputs: int
    classification: bool
    task: str
    n_train: int
    n_test: int
    n_eval: int
    n_parameters: int


@dataclass(frozen=True, eq=False)
class TrainRecord:
    """The state after ``step`` optimizer steps. Arrays have shape (L,), index l−1 = layer l.

    Attributes
    ----------
    train_loss : mean mini-batch loss over the steps since the previous record (k steps).
    train_accuracy : fraction correct over those mini-batches (before each step), or None.
    test_loss, test_accuracy : on the whole held-out set after the step; None without held-out
        rows (accuracy also None for regression).
    log10_grad_norm : log10 ‖∂L/∂W_l‖_F of this step's mini-batch (−inf for an exact zero).
    log10_update_ratio : log10(std(ΔW_l) / std(W_l)) for this step, W_l after the update
        (theory.md §6: healthy ≈ −3; std over all entries); −inf when the update is exactly
        zero (even for W_l = 0: the layer did not change), +inf when W_l = 0 and ΔW_l ≠ 0.
    act_std : std of a_l over the evaluation batch (held-out set) and all units.
    saturated_fraction : fraction of the evaluation batch's units with |φ'(h_l)| < 10 % of max.
    readout_log10_grad_norm, readout_log10_update_ratio : the same two for the readout R.
    """

    step: int
    train_loss: float
    train_accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None
    log10_grad_norm: np.ndarray
    log10_update_ratio: np.ndarray
    act_std: np.ndarray
    saturated_fraction: np.ndarray
    readout_log10_grad_norm: float
    readout_log10_update_ratio: float


@dataclass(frozen=True)
class TrainEnd:
    """How the run ended: ``verdict`` "completed" or "diverged at step N: loss became NaN".

    ``steps`` is the number of completed steps; ``stalled_layers`` the layers (1-based) whose
    update ratio, geometrically averaged over the records, is below 10^STALLED_LOG10_RATIO
    (100× below the healthy 10⁻³); ``frozen_layers`` those of them whose update was exactly
    zero at every record (they do not learn at all, e.g. zero weights); ``summary`` one line
    about them. All empty after divergence.
    """

    verdict: str
    diverged: bool
    steps: int
    seconds: float
    stalled_layers: tuple[int, ...] = ()
    summary: str = ""
    frozen_layers: tuple[int, ...] = ()

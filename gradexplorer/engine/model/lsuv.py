"""Layer-sequential unit-variance (LSUV) initialization (Mishkin & Matas 2015, Algorithm 1).

"All you need is a good init" (ICLR 2016, arXiv:1511.06422): start from orthogonal weights, then
for each layer in order rescale its weights on one batch until the variance of its output
pre-activations is the target.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from gradexplorer.engine.compute.cancel import CancelCheck, cancellable_matmul
from gradexplorer.engine.model.activations import Activation

__all__ = ["lsuv_rescale"]


def lsuv_rescale(weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray,
                 activation: Activation, *, target_var: float = 1.0, tol: float = 0.01,
                 max_iter: int = 10, cancel: Callable[[], bool] | None = None
                 ) -> list[np.ndarray]:
    """Rescale each layer's weights so that Var(h_l) on the batch ``x`` equals ``target_var``.

    Mishkin & Matas 2015, Algorithm 1, with the variance target generalized from 1: layer by
    layer, h = a_prev @ W.T + b; while |Var(h) − target_var| >= tol·target_var and fewer than
    ``max_iter`` rescalings were made, W ← W / √(Var(h)/target_var) and h is recomputed; then
    a_prev = φ(h). Only the weights are scaled (as in the paper), so with nonzero biases a layer
    may need several iterations, and one whose bias variance alone exceeds the target stops after
    ``max_iter``. Var is over every entry of h (batch and units), as the paper's "variance of the
    output blob". A layer whose Var(h) is 0 or not finite (e.g. an all-zero input) is left as it is
    and the next layer is processed. Recomputing h uses h = s·(a_prev @ W.T) + b, which equals the
    matrix product with the rescaled W up to rounding.

    The caller passes ``target_var = gain²`` (gradexplorer's convention: gain multiplies the std
    on top of the definition).

    Parameters
    ----------
    weights : list of ndarray
        weights[l] has shape (fan_out_l, fan_in_l), fan_in_0 = n_0 and fan_in_l = fan_out_{l-1};
        normally drawn by ``init_weight('lsuv', ...)`` (orthogonal).
    biases : list of ndarray
        biases[l] has shape (fan_out_l,); same length as ``weights``.
    x : ndarray, shape (B, n_0)
        The batch the variances are measured on.
    activation : Activation
        φ, applied between layers.
    target_var : float, default 1
        The variance each layer's pre-activations should have (> 0).
    tol : float, default 0.01
        Relative tolerance: stop when |Var(h) − target_var| < tol·target_var (> 0).
    max_iter : int, default 10
        Maximum number of rescalings per layer (>= 0; the paper's T_max).
    cancel : callable, optional
        Polled about every 50 ms of work (inside each layer's matrix product too, which is cut
        into row blocks); True raises :class:`~gradexplorer.engine.compute.cancel.Cancelled`.

    Returns
    -------
    list of ndarray
        New weight arrays with the shapes and dtypes of ``weights``; no input is modified.

    Raises
    ------
    ValueError
        Mismatched list lengths or shapes, a non-2-D ``x``, target_var or tol not positive and
        finite, or a negative max_iter.
    Cancelled
        See ``cancel``.
    """
    if len(weights) != len(biases):
        raise ValueError(f"got {len(weights)} weight matrices but {len(biases)} bias vectors")
    if not (math.isfinite(target_var) and target_var > 0):
        raise ValueError(f"target variance must be a positive finite number, got {target_var!r}")
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"tolerance must be a positive finite number, got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 0:
        raise ValueError(f"max_iter must be a whole number >= 0, got {max_iter!r}")
    a = np.asarray(x)
    if a.ndim != 2:
        raise ValueError(f"x must have shape (batch, features), got shape {a.shape}")
    check = CancelCheck(cancel)
    out = []
    for layer, (w, b) in enumerate(zip(weights, biases, strict=True), start=1):
        w, b = np.asarray(w), np.asarray(b)
        if w.ndim != 2 or w.shape[1] != a.shape[1] or b.shape != (w.shape[0],):
            raise ValueError(f"layer {layer}: weight shape {w.shape} and bias shape {b.shape} do "
                             f"not fit an input with {a.shape[1]} features")
        check(force=True)
        z = cancellable_matmul(a, w.T, check)
        scale = 1.0
        h = z + b
        for _ in range(max_iter):
            check()
            var = float(np.var(h))
            if not (math.isfinite(var) and var > 0):
                break
            if abs(var - target_var) < tol * target_var:
                break
            scale *= math.sqrt(target_var / var)
            h = z * scale + b
        out.append(w * scale if scale != 1.0 else w.copy())
        check()
        a = activation.forward(h)
    return out

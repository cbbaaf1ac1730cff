"""Sources of the top gradient ∂L/∂a_L, matching ``torch.nn.functional`` reductions.

The network output reaches here rescaled, as ``a_s`` with ``a_L = a_s · 2**s`` (see
``statistics``). Each source returns the loss (float64, possibly ±inf when a_L is beyond range)
and ∂L/∂a_L as ``(g_s, t)`` with ∂L/∂a_L = g_s · 2**t, without ever forming an overflowing value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradexplorer.engine.runs.statistics import unscale

LOSS_DESCRIPTIONS = {
    "random": "L = Σ G ⊙ a_L with G ~ N(0, 1) fixed by the seed: ∂L/∂a_L = G has unit variance",
    "mse": "L = mean((a_L − T)²) (torch F.mse_loss) to random N(0, 1) targets T",
    "cross_entropy": "L = mean cross-entropy of softmax(a_L Rᵀ) against class labels "
                     "(torch F.cross_entropy), R a fixed N(0, 1/n_L) linear readout",
}


@dataclass(frozen=True)
class TopGradient:
    """``loss`` value (float64), and ∂L/∂a_L = ``grad`` · 2**``exp2`` (grad: (B, n_L))."""

    loss: float
    grad: np.ndarray
    exp2: int


def random_projection(a_s: np.ndarray, s: int, g: np.ndarray) -> TopGradient:
    """L = Σ G ⊙ a_L; ∂L/∂a_L = G. ``g``: (B, n_L) standard normal, same dtype as ``a_s``."""
    value = float(np.dot(g.reshape(-1).astype(np.float64, copy=False),
                         a_s.reshape(-1).astype(np.float64, copy=False)))
    return TopGradient(unscale(value, s), g.copy(), 0)


def mse(a_s: np.ndarray, s: int, targets: np.ndarray) -> TopGradient:
    """Torch's ``F.mse_loss(a_L, T)`` (mean over all B·n entries): ∂L/∂a_L = 2(a_L − T)/(B·n).

    For s > 0 the gradient is formed as 2(a_s − T·2**−s)/(B·n) · 2**s, exact without overflow.
    """
    n = a_s.size
    a = a_s.astype(np.float64)
    t = targets.astype(np.float64)
    if s <= 0:
        diff = np.ldexp(a, s) - t  # underflow of a tiny a_L to 0 is the exact limit
        loss = float(np.mean(np.square(diff)))
        return TopGradient(loss, (2.0 / n * diff).astype(a_s.dtype), 0)
    diff = a - np.ldexp(t, -s)
    loss = unscale(float(np.mean(np.square(diff))), 2 * s)
    return TopGradient(loss, (2.0 / n * diff).astype(a_s.dtype), s)


def cross_entropy(a_s: np.ndarray, s: int, readout: np.ndarray,
                  labels: np.ndarray) -> TopGradient:
    """Torch's ``F.cross_entropy(a_L @ Rᵀ, y)`` (mean over the batch).

    ``readout`` R: (C, n_L); ``labels`` y: (B,) ints in 0..C−1. ∂L/∂z = (softmax(z) − onehot(y))/B
    and ∂L/∂a_L = (∂L/∂z) R. Logits z = z_s · 2**s are shifted by their row maximum *before*
    unscaling, so huge logits give the exact one-hot limit rather than NaN.
    """
    batch = a_s.shape[0]
    z_s = a_s.astype(np.float64) @ readout.astype(np.float64).T
    with np.errstate(over="ignore"):  # ≤ 0; −inf is the exact limit, not an error
        shifted = np.ldexp(z_s - z_s.max(axis=1, keepdims=True), s)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    p = e / total
    rows = np.arange(batch)
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, labels]))
    dz = p
    dz[rows, labels] -= 1.0
    dz /= batch
    grad = (dz @ readout.astype(np.float64)).astype(a_s.dtype)
    return TopGradient(loss, grad, 0)

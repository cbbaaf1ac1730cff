"""Batch norm and layer norm at initialization (γ = 1, β = 0): forward and exact backward.

``batch`` normalizes every unit over the batch (axis 0), as ``torch.nn.BatchNorm1d`` in
training mode (Ioffe & Szegedy 2015, Alg. 1); ``layer`` normalizes every example over its units
(axis 1), as ``torch.nn.functional.layer_norm`` (Ba, Kiros & Hinton 2016, eq. 4). Both use the
biased variance and eps = 1e-5 inside the square root:

    z = (h − μ) / √(σ² + eps),   μ = mean(h),  σ² = mean((h − μ)²)   (over the axis).

Exact backward (the statistics depend on h, so batch norm couples the rows of the batch and
layer norm the units of one example), with N entries per statistic and r = 1/√(σ² + eps):

    ∂L/∂h = r · (g − mean(g) − z · mean(g ⊙ z)),   g = ∂L/∂z            (means over the axis).

Scale: z is invariant under h → c·h only up to eps (r·(c·h − c·μ) = (h − μ)/√(σ² + eps/c²)),
so a rescaled h does not give the same bits; the propagation does not rescale the forward pass
of normalized layers (z is O(1) anyway). The backward is linear in g, so g may carry a power of
two exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: eps of torch BatchNorm1d and F.layer_norm.
EPS = 1e-5
#: PyTorch's default momentum of the running averages (train mode only).
MOMENTUM = 0.1


@dataclass
class NormCache:
    """What the backward pass needs: z (B, n) and r = 1/√(σ² + eps), (1, n) or (B, 1)."""

    kind: str
    z: np.ndarray
    inv_std: np.ndarray
    mean: np.ndarray | None = None  # batch norm: the batch statistics (n,), for running averages
    var: np.ndarray | None = None


def _axis(kind: str) -> int:
    if kind == "batch":
        return 0
    if kind == "layer":
        return 1
    raise ValueError(f"unknown normalization {kind!r} (choose from: batch, layer)")


def norm_forward(h: np.ndarray, kind: str, running: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> NormCache:
    """Z = Norm(h) for h: (B, n), in h's dtype; returns the :class:`NormCache` (z inside).

    ``running`` = (running mean (n,), running var (n,)): batch norm in evaluation mode, using
    these statistics instead of the batch's (torch ``BatchNorm1d.eval()``); no backward then.
    Raises ValueError for an unknown ``kind``.
    """
    axis = _axis(kind)
    if running is not None and kind == "batch":
        mean, var = running
        inv = 1.0 / np.sqrt(var.astype(h.dtype) + h.dtype.type(EPS))
        return NormCache(kind, (h - mean.astype(h.dtype)) * inv, inv[None, :])
    mean = h.mean(axis=axis, keepdims=True)
    dev = h - mean
    var = np.mean(np.square(dev), axis=axis, keepdims=True)
    inv = 1.0 / np.sqrt(var + h.dtype.type(EPS))
    z = np.multiply(dev, inv, out=dev)
    if kind == "batch":
        return NormCache(kind, z, inv, mean.reshape(-1), var.reshape(-1))
    return NormCache(kind, z, inv)


def norm_backward(g_z: np.ndarray, cache: NormCache) -> np.ndarray:
    """∂L/∂h (B, n), a fresh array, from g_z = ∂L/∂z (B, n) (see the module docstring)."""
    axis = _axis(cache.kind)
    z = cache.z
    g_mean = g_z.mean(axis=axis, keepdims=True)
    gz_mean = np.mean(g_z * z, axis=axis, keepdims=True)
    out = g_z - g_mean
    out -= z * gz_mean
    out *= cache.inv_std
    return np.asarray(out)


def update_running(running: tuple[np.ndarray, np.ndarray], cache: NormCache, batch: int,
                   momentum: float = MOMENTUM) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's running averages: r ← (1 − m)·r + m·stat, the variance unbiased (×B/(B−1)).

    ``running`` = (mean (n,), var (n,)) in float64; returns the new pair (float64).
    """
    mean, var = running
    if cache.mean is None or cache.var is None:
        raise ValueError("running averages need batch norm's training-mode statistics")
    unbiased = cache.var.astype(np.float64) * (batch / max(batch - 1, 1))
    return ((1.0 - momentum) * mean + momentum * cache.mean.astype(np.float64),
            (1.0 - momentum) * var + momentum * unbiased)

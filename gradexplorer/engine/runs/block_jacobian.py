"""The input–output Jacobian of normalized / residual nets at one input row (``model.blocks``).

Per block, at one example (row vector a_{l−1} of n_{l−1} units):

    ∂a_l/∂a_{l−1} = [I if residual] + α_l · D_l N_l W_l,   D_l = diag φ'(z_l),

with α_l = α for a residual block and 1 for a plain one, and N_l = ∂z_l/∂h_l: I without a norm,
r (I − 11ᵀ/n − z zᵀ/n) for layer norm (r = 1/√(σ² + eps), n = n_l; Ba et al. 2016). Batch norm
has no per-example Jacobian: z of one row depends on every row, so ∂a_L/∂x is one
(B·n_L) × (B·n_0) matrix per batch; :func:`check_supported` refuses it.

The product is accumulated from the input side with dense n_l × n_l factors, renormalized to
RMS ≈ 1 by powers of two (exact), like ``jacobian._product``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.model.blocks import block_forward, residual_layers
from gradexplorer.engine.model.network import DenseLayer
from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.statistics import exponent_of, rms


def uses_blocks(spec: NetworkSpec) -> bool:
    """Whether the spec's net has a norm or residual blocks (then this module computes J)."""
    return spec.norm != "none" or spec.residual


def check_supported(spec: NetworkSpec) -> None:
    """Raise :class:`SpecError` (field ``norm``) for batch norm, whose Jacobian is per batch."""
    if spec.norm == "batch":
        raise SpecError("norm", "the Jacobian of a batch-norm net is per batch, not per input "
                                "(every row's output depends on every row of the batch); "
                                "choose norm none or layer for the Jacobian")


def block_jacobian(spec: NetworkSpec, weights: Sequence[np.ndarray], layers: Sequence[DenseLayer],
                   activation: Activation, widths: Sequence[int], x_row: np.ndarray,
                   poll: Callable[[], None] | None = None) -> tuple[np.ndarray, int]:
    """(J_s (n_L, n_0) float64, exp2) with J = J_s · 2**exp2 at x_row (n_0,).

    ``weights`` (float64, possibly redrawn) replace the layers' own; biases are the layers'.
    ``poll()`` is called once per layer (it may raise to cancel).
    """
    check_supported(spec)
    skips = residual_layers(tuple(widths), spec.residual)
    alpha = spec.residual_scale
    zero_bias = all(not np.any(la.bias) for la in layers)
    rescale = activation.positively_homogeneous and zero_bias and spec.norm == "none"
    a, s = x_row[None, :].astype(np.float64), 0
    m, exp2 = None, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for i, (w, layer) in enumerate(zip(weights, layers, strict=True)):
            if poll is not None:
                poll()
            dense = DenseLayer(np.asarray(w, np.float64), np.asarray(layer.bias, np.float64))
            fwd = block_forward(dense, a, s, activation, spec.norm, skips[i], alpha,
                                bias_scale=0.0 if zero_bias else 1.0, rescale=rescale)
            d = fwd.deriv[0]
            if fwd.norm is None:
                branch = d[:, None] * dense.weight
            else:
                z, r = fwd.norm.z[0], float(fwd.norm.inv_std[0, 0])
                n = z.size
                nw = dense.weight - dense.weight.mean(axis=0, keepdims=True)
                nw -= np.outer(z, z @ dense.weight) / n
                branch = (r * d)[:, None] * nw
            step = np.eye(branch.shape[0]) + alpha * branch if skips[i] else branch
            m = step if m is None else step @ m
            k = exponent_of(rms(m))
            if k:
                m = np.ldexp(m, -k)
                exp2 += k
            a, s = fwd.a, fwd.s_a
    assert m is not None  # a network has at least one layer
    return m, exp2

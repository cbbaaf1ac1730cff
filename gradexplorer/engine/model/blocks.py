"""The block of one layer: dense, optional normalization, activation, optional skip.

    h_l = a_{l−1} W_lᵀ + b_l;   z_l = Norm(h_l);
    a_l = a_{l−1} + α·φ(z_l)   if the block is residual and fan_in = fan_out,
    a_l = φ(z_l)               otherwise (a "plain" layer: where the width changes, and layer 1
                               when n_0 ≠ n_1).

Norm is ``none`` (z = h), ``batch`` or ``layer`` (:mod:`norms`). Residual nets in the spirit of
He et al. 2016 (pre-activation order differs: the norm here acts on h, as in the mean-field
analyses of Yang et al. 2019); α is the branch scale of SkipInit / Fixup (α = 1/√L) and ReZero
(α = 0 at initialization; Bachlechner et al. 2021).

Exact backward, with g = ∂L/∂a_l:
    ∂L/∂z_l = α·g ⊙ φ'(z_l) (α = 1 for plain layers),  ∂L/∂h_l = Norm'(∂L/∂z_l) (:mod:`norms`),
    ∂L/∂W_l = (∂L/∂h_l)ᵀ a_{l−1},  ∂L/∂b_l = Σ_batch ∂L/∂h_l,
    ∂L/∂a_{l−1} = ∂L/∂h_l W_l  (+ g for a residual block).

Power-of-two scaling (values carried as x · 2**s, see ``runs.statistics``):
- forward: exact where φ is positively homogeneous, the biases are zero and there is no norm;
  a residual sum is formed at the common scale of a_{l−1} (h_l has that scale) and only then
  renormalized. With a norm the forward pass is not rescaled (z is invariant to the scale of h
  only up to eps), so every scale is 0 there.
- backward: always exact (it is linear in ∂L/∂a_L); in a residual block the incoming g is
  renormalized before the branch, so the skip and the branch share its scale.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.model.norms import NormCache, norm_backward, norm_forward
from gradexplorer.engine.runs.statistics import exponent_of, rms

if TYPE_CHECKING:  # network imports nothing from here; the annotation only
    from gradexplorer.engine.model.network import DenseLayer
    from gradexplorer.engine.model.spec import NetworkSpec

#: Batch norm's running (mean (n,), var (n,)) of one layer, float64.
Running = tuple[np.ndarray, np.ndarray]


def scale_pow2(x: np.ndarray, k: int) -> np.ndarray:
    """Multiply x by 2**k in place: ``np.ldexp(x, k, out=x)`` bit for bit.

    A multiply by the exact power of two where 2**k is a normal number in float32 and
    float64 (|k| ≤ 120): correctly rounded as ldexp, subnormal results included, and ~1.5×
    faster than NumPy's ldexp loop.
    """
    out: np.ndarray = (np.multiply(x, 2.0 ** k, out=x) if -120 <= k <= 120
                       else np.ldexp(x, k, out=x))
    return out


def residual_layers(widths: tuple[int, ...], residual: bool) -> tuple[bool, ...]:
    """For each layer 1..L of ``widths`` = (n_0, ..., n_L): whether its block has the skip."""
    return tuple(residual and widths[i - 1] == widths[i] for i in range(1, len(widths)))


def describe(widths: tuple[int, ...], norm: str, residual: bool, alpha: float) -> str:
    """One line for the run's data description: the norm and which layers are plain."""
    parts = []
    if norm != "none":
        parts.append(f"{norm} norm before φ")
    if residual:
        flags = residual_layers(widths, True)
        plain = [i for i, f in enumerate(flags, 1) if not f]
        text = f"residual α = {alpha:g}"
        if plain:
            text += f"; plain (width changes): layer{'s' if len(plain) > 1 else ''} " + \
                    ", ".join(map(str, plain[:12])) + (" …" if len(plain) > 12 else "")
        parts.append(text)
    return "; ".join(parts)


@dataclass
class BlockForward:
    """Result of :func:`block_forward`. h at scale 2**s_h, a at 2**s_a (z, when normalized, at 1).

    ``deriv`` is φ'(z) (B, n_l); ``norm`` the norm cache (None without a norm).
    """

    h: np.ndarray
    s_h: int
    a: np.ndarray
    s_a: int
    deriv: np.ndarray
    norm: NormCache | None
    residual: bool

    @property
    def z(self) -> np.ndarray:
        """The activation's input: the normalized z, or h itself without a norm."""
        return self.h if self.norm is None else self.norm.z

    def for_backward(self) -> BlockForward:
        """A copy without h (an empty array), for the backward pass.

        :func:`block_backward` reads only φ'(z), the norm cache and the skip flag. A
        propagation keeps this copy per layer once the layer's record is made, so a run holds
        a_{l−1} and φ'(h_l) per layer, as ``compute.memory.estimate_bytes`` counts, not h_l
        too (a third more).
        """
        return replace(self, h=_NO_ARRAY)


#: The h of a block kept for its backward pass only (:meth:`BlockForward.for_backward`).
_NO_ARRAY = np.empty((0, 0))
_NO_ARRAY.setflags(write=False)


def block_forward(layer: DenseLayer, a_prev: np.ndarray, s_prev: int, activation: Activation,
                  norm: str, residual: bool, alpha: float, *, bias_scale: float = 1.0,
                  rescale: bool = False, running: Running | None = None) -> BlockForward:
    """One block forward. a_prev: (B, n_{l−1}) at scale 2**s_prev; returns :class:`BlockForward`.

    ``rescale``: renormalize h (plain) or a (residual) to RMS ≈ 1 by a power of two; only pass
    it where that is exact (no norm, zero biases, homogeneous φ). ``running``: batch norm's
    (mean, var) for evaluation mode (training's held-out evaluation).
    """
    h = layer.forward(a_prev, bias_scale)
    s_h = s_prev
    cache = None
    if norm != "none":
        cache = norm_forward(h, norm, running)
        z = cache.z
    else:
        if rescale and not residual:
            k = exponent_of(rms(h))
            if k:
                h = scale_pow2(h, -k)
                s_h += k
        z = h
    phi, deriv = activation.forward_and_derivative(z)
    s_a = s_h
    if residual:
        a = a_prev + (phi if alpha == 1.0 else alpha * phi)
        if rescale:
            k = exponent_of(rms(a))
            if k:
                a = scale_pow2(a, -k)
                s_a += k
    else:
        a = phi
    return BlockForward(h, s_h, a, s_a, deriv, cache, residual)


def block_backward(layer: DenseLayer, fwd: BlockForward, a_prev: np.ndarray, g_a: np.ndarray,
                   t: int, alpha: float, *, renormalize: bool = True,
                   need_input_grad: bool = True, need_weight_grad: bool = True
                   ) -> tuple[np.ndarray | None, np.ndarray, float, int, np.ndarray | None,
                              np.ndarray]:
    """One block backward from g_a = ∂L/∂a_l (B, n_l) at scale 2**t (g_a may be overwritten).

    Returns (g_a_prev or None, g_h, g_rms, t_h, grad_w or None, grad_b): ∂L/∂a_{l−1}, ∂L/∂h_l
    and its RMS, all at scale 2**t_h; ∂L/∂W_l at 2**(t_h + scale of a_prev), ∂L/∂b_l at 2**t_h.
    ``renormalize`` (propagation): bring the carried gradient to RMS ≈ 1 by a power of two.
    ``need_input_grad`` / ``need_weight_grad`` False: that gradient is skipped (None), as in
    :meth:`~gradexplorer.engine.model.network.DenseLayer.backward`.
    """
    skip = None
    if fwd.residual:
        if renormalize:
            k = exponent_of(rms(g_a))
            if k:
                g_a = scale_pow2(g_a, -k)
                t += k
        skip = g_a
        g_z = g_a * fwd.deriv
        if alpha != 1.0:
            g_z *= alpha
    else:
        g_z = np.multiply(g_a, fwd.deriv, out=g_a)
    g_h = g_z if fwd.norm is None else norm_backward(g_z, fwd.norm)
    g_rms = rms(g_h)
    if renormalize and not fwd.residual:
        k = exponent_of(g_rms)
        if k:
            g_h = scale_pow2(g_h, -k)
            g_rms = float(np.ldexp(g_rms, -k))  # exact: the same power of two
            t += k
    g_prev, grad_w, grad_b = layer.backward(g_h, a_prev, need_input_grad=need_input_grad,
                                            need_weight_grad=need_weight_grad)
    if skip is not None and g_prev is not None:
        g_prev += skip
    return g_prev, g_h, g_rms, t, grad_w, grad_b


@dataclass
class Architecture:
    """The blocks of a trainable net: norm, which layers are residual, α, running statistics.

    Batch norm's running (mean, var) per layer: float64, torch's initial 0 and 1; updated with
    momentum 0.1 on every training batch, used for evaluation (``BatchNorm1d`` train/eval
    semantics).
    """

    norm: str = "none"
    skips: tuple[bool, ...] = ()
    alpha: float = 1.0
    running: list[Running] | None = None

    @classmethod
    def from_spec(cls, spec: NetworkSpec, widths: tuple[int, ...]) -> Architecture:
        """The blocks ``spec`` asks for on ``widths`` = (n_0, ..., n_L), running stats reset."""
        running = None
        if spec.norm == "batch":
            running = [(np.zeros(n), np.ones(n)) for n in widths[1:]]
        return cls(spec.norm, residual_layers(tuple(widths), spec.residual),
                   spec.residual_scale, running)

    def skip(self, i: int) -> bool:
        """Whether hidden layer i (0-based) is residual."""
        return bool(self.skips) and self.skips[i]

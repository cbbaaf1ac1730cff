"""The fully connected network: layers with weights drawn by the spec's initializer.

A layer is an object with ``forward(a_prev) -> h`` and ``backward(g_h, a_prev,
need_input_grad=True, need_weight_grad=True) -> (g_a_prev, grad_W, grad_b)`` (None for what is
not needed); propagation only talks to that protocol, so a normalization or a
residual layer can be added as another class without touching the propagation loop.

Random streams. Every draw has its own stream, ``SeedSequence([seed, purpose, layer])``, so that
changing the depth keeps the earlier layers' weights, changing the gain only rescales the same
draw, and changing the bias std leaves the weights alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from gradexplorer.engine.compute.cancel import raise_if_cancelled
from gradexplorer.engine.model import draws
from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.model.initializers import (
    base_weight,
    draw_kind,
    panel_qr,
    sigma_w2,
    weight_scale,
)
from gradexplorer.engine.model.spec import NetworkSpec

STREAM_DATA, STREAM_WEIGHTS, STREAM_BIASES, STREAM_TOP, STREAM_READOUT = range(5)


def stream(seed: int, purpose: int, index: int = 0) -> np.random.Generator:
    """The independent generator for ``purpose`` (a STREAM_* constant) and layer ``index``."""
    return np.random.default_rng(np.random.SeedSequence([seed, purpose, index]))


@dataclass
class DenseLayer:
    """h = a_prev @ W.T + b, W: (fan_out, fan_in), b: (fan_out,), as ``torch.nn.Linear``.

    ``scale`` ≠ 1: W = scale · ``weight`` (a cached standard draw, read-only) and the scale is
    applied to the products instead, h = (a_prev @ weightᵀ) · scale + b and ∂L/∂a_prev =
    (g_h @ weight) · scale: for a batch B < fan_in / 2 that is fewer multiplies than forming W,
    and reads half the memory (:func:`build_network` with ``scaled=True``; propagation only).
    The numbers then differ from W's products by rounding (~1e-16 relative per product).
    """

    weight: np.ndarray
    bias: np.ndarray
    scale: float = 1.0

    @cached_property
    def weight_norm(self) -> float:
        """‖W‖_F, computed once: the weights do not change during propagation.

        ``np.linalg.norm(W)`` bit for bit (one dot in W's dtype), without its wrapper; scale ·
        ‖weight‖ for a scaled layer.
        """
        return self.scale * _frobenius(self.weight)

    def matrix(self) -> np.ndarray:
        """W itself, (fan_out, fan_in): ``weight``, or scale · weight formed for a scaled layer."""
        return self.weight if self.scale == 1.0 else self.weight * self.scale

    @property
    def fan_in(self) -> int:
        """n_{l−1}, the layer's input width."""
        return int(self.weight.shape[1])

    @property
    def fan_out(self) -> int:
        """n_l, the layer's output width."""
        return int(self.weight.shape[0])

    def forward(self, a_prev: np.ndarray, bias_scale: float = 1.0) -> np.ndarray:
        """Pre-activation h: (B, fan_out) from a_prev: (B, fan_in).

        ``bias_scale`` multiplies b (the propagation passes 0 when the biases are all zero).
        """
        h = a_prev @ self.weight.T
        if self.scale != 1.0:
            h *= self.scale
        if bias_scale:
            h += self.bias if bias_scale == 1.0 else bias_scale * self.bias
        return np.asarray(h)

    def backward(self, g_h: np.ndarray, a_prev: np.ndarray, need_input_grad: bool = True,
                 need_weight_grad: bool = True
                 ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray]:
        """From g_h = ∂L/∂h (B, fan_out): (∂L/∂a_prev (B, fan_in) or None, ∂L/∂W, ∂L/∂b).

        ``need_weight_grad=False`` skips ∂L/∂W (returned as None): sweeps that record no
        weight-gradient statistic save a third of the flops.
        """
        grad_w = g_h.T @ a_prev if need_weight_grad else None
        grad_b = g_h.sum(axis=0)
        g_a = g_h @ self.weight if need_input_grad else None
        if g_a is not None and self.scale != 1.0:
            g_a *= self.scale
        return g_a, grad_w, grad_b


@dataclass
class Network:
    """The layers, in order 1..L, and the mean-field σ_w² of each (fan_in · Var(W))."""

    layers: list[DenseLayer]
    sigma_w2: tuple[float, ...]
    zero_bias: bool


def build_network(spec: NetworkSpec, widths: tuple[int, ...], x: np.ndarray,
                  activation: Activation, *, cancel: Callable[[], bool] | None = None,
                  scaled: bool = False) -> Network:
    """Draw every layer for ``widths`` = (n_0, ..., n_L) per the spec's initializer and gain.

    ``scaled``: layers whose products cost less than forming W (batch B < fan_in / 2) keep the
    cached standard draw and apply the scale to the products (:class:`DenseLayer`), for float64
    runs of a drawn initializer (not LSUV, not zeros). Only for propagation, which never
    changes the weights (training updates them in place).

    Weights and biases are drawn in float64 and cast to the spec's dtype, so float32 and
    float64 runs of one spec share the same network. ``x`` (B, n_0) is used only by LSUV, which
    rescales an orthogonal start on that batch so Var(h_l) = gain² (Mishkin & Matas 2015,
    Alg. 1). σ_w² is the initializer's definition (:func:`initializers.sigma_w2`), except for
    LSUV where it is measured, fan_in · mean(W²). ``cancel`` (optional) is polled between
    layers and inside LSUV; True raises :class:`~gradexplorer.engine.compute.cancel.Cancelled`.
    """
    dtype = np.dtype(spec.dtype)
    slope = spec.effective_negative_slope
    base_init = "orthogonal" if spec.init == "lsuv" else spec.init
    # LSUV rescales in float64 first, everything else is cast layer by layer: a float32 run
    # never holds every float64 draw at once (which tripled its memory)
    out_dtype = np.dtype(np.float64) if spec.init == "lsuv" else dtype
    gain = 1.0 if spec.init == "lsuv" else spec.gain

    scales: dict[tuple[int, int], float] = {}  # per layer shape: most layers share one
    batch = x.shape[0]
    scaled_layers = {idx for idx in range(1, len(widths))  # W = scale · draw, not formed
                     if scaled and dtype == np.float64 and spec.init not in ("lsuv", "zeros")
                     and 2 * batch < widths[idx - 1]}
    norms: dict[int, float] = {}  # ‖W_l‖_F of the final weights, by layer

    def weight(idx: int) -> np.ndarray:
        raise_if_cancelled(cancel)
        fan_in, fan_out = widths[idx - 1], widths[idx]
        if base_init == "zeros":
            return np.zeros((fan_out, fan_in), dtype=out_dtype)
        scale = scales.get((fan_out, fan_in))
        if scale is None:
            scale = scales[fan_out, fan_in] = weight_scale(
                base_init, fan_out, fan_in, gain=gain, mode=spec.mode, negative_slope=slope)
        # = init_weight(base_init, ..., rng=stream(seed, STREAM_WEIGHTS, idx),
        # cancel=cancel).astype(dtype), bit for bit: the same standard draw (cached across runs,
        # see ``draws``) times the same scale in float64, rounded once into the output dtype
        base = base_weight_of(spec.seed, idx, draw_kind(base_init), fan_out, fan_in,
                              cancel=cancel)
        if idx in scaled_layers:  # W = scale · base, applied to the products (DenseLayer)
            norms[idx] = scale * base_norm_of(spec.seed, idx, draw_kind(base_init), base, cancel)
            return base
        w: np.ndarray = np.multiply(base, scale, out=np.empty(base.shape, out_dtype),
                                    casting="same_kind")
        if out_dtype == dtype:  # final: its norm now, while it is in cache (and in a thread)
            norms[idx] = _frobenius(w)
        return w

    weights = _map_layers(weight, len(widths) - 1, sum(widths[i - 1] * widths[i]
                                                        for i in range(1, len(widths))))
    biases = [_bias(spec, idx, widths[idx]) for idx in range(1, len(widths))]
    if spec.init == "lsuv":
        from gradexplorer.engine.model.lsuv import lsuv_rescale

        weights = lsuv_rescale(weights, biases, x, activation, target_var=spec.gain ** 2,
                               cancel=cancel)
        sw2 = tuple(float(w.shape[1] * np.mean(np.square(w, dtype=np.float64))) for w in weights)
    else:
        sw2 = tuple(sigma_w2(spec.init, widths[i], widths[i - 1], gain=spec.gain, mode=spec.mode,
                             negative_slope=slope) for i in range(1, len(widths)))
    zero_bias = spec.zero_bias
    # drawn in float64 and cast, so switching dtype changes the precision, not the network
    layers = [DenseLayer(w.astype(dtype, copy=False), b.astype(dtype, copy=False),
                         scales[w.shape] if idx in scaled_layers else 1.0)
              for idx, (w, b) in enumerate(zip(weights, biases, strict=True), 1)]
    if spec.init != "lsuv":  # LSUV changed the weights after their draw: norms computed later
        for idx, norm in norms.items():
            layers[idx - 1].__dict__["weight_norm"] = norm  # the cached_property's value
    return Network(layers=layers, sigma_w2=sw2, zero_bias=zero_bias)


def _frobenius(w: np.ndarray) -> float:
    """‖w‖_F as ``np.linalg.norm(w)``, bit for bit (one dot in w's dtype), without its wrapper."""
    flat = w.ravel(order="K")
    return float(np.sqrt(flat.dot(flat)))


def base_weight_of(seed: int, layer: int, kind: str, fan_out: int, fan_in: int, *,
                   cancel: Callable[[], bool] | None = None) -> np.ndarray:
    """Layer ``layer``'s standard draw of ``kind`` (float64, read-only, cached; see ``draws``).

    The draw ``initializers.base_weight`` makes from ``stream(seed, STREAM_WEIGHTS, layer)``
    with ``cancel`` (polled only when the draw is not cached). An orthogonal draw made by the
    cancellable QR (``initializers.panel_qr``) is cached apart from the one-call QR's.
    """
    return draws.cached(
        _base_key(seed, layer, kind, fan_out, fan_in, cancel),
        lambda: base_weight(kind, fan_out, fan_in, rng=stream(seed, STREAM_WEIGHTS, layer),
                            cancel=cancel))


def _base_key(seed: int, layer: int, kind: str, fan_out: int, fan_in: int,
              cancel: Callable[[], bool] | None) -> tuple[object, ...]:
    """The ``draws`` key of :func:`base_weight_of`'s draw."""
    qr = "panels" if kind == "orthogonal" and panel_qr(fan_out, fan_in, cancel) else ""
    return ("weight", kind, qr, seed, layer, fan_out, fan_in)


def base_norm_of(seed: int, layer: int, kind: str, base: np.ndarray,
                 cancel: Callable[[], bool] | None = None) -> float:
    """‖base‖_F of :func:`base_weight_of`'s draw ``base``, cached beside it.

    One read of the draw per draw, not per run; ``np.linalg.norm`` bit for bit.
    """
    fan_out, fan_in = base.shape
    key = ("norm", *_base_key(seed, layer, kind, fan_out, fan_in, cancel))
    return float(draws.cached(key, lambda: np.array(_frobenius(base))))


def _bias(spec: NetworkSpec, layer: int, fan_out: int) -> np.ndarray:
    """b_l in float64: zeros, or σ_b times the layer's cached standard normal draw.

    Bit for bit ``init_bias(spec.bias_init, fan_out, std=σ_b, rng=stream(seed, STREAM_BIASES,
    layer))``.
    """
    if spec.bias_init != "normal":
        return np.zeros(fan_out)
    z = draws.cached(("bias", spec.seed, layer, fan_out),
                     lambda: stream(spec.seed, STREAM_BIASES, layer).standard_normal(fan_out))
    return z * float(spec.bias_std)


#: Networks with at least this many weights draw their layers in parallel threads (every layer
#: has its own random stream, so the numbers do not depend on the order; NumPy's generators
#: release the GIL while they fill an array). 40 × 1024² float32: 1.5 s → 0.8 s on 2 cores.
PARALLEL_DRAW_MIN = 1 << 22


def _map_layers(fn: Callable[[int], np.ndarray], depth: int, n_weights: int) -> list[np.ndarray]:
    """[fn(1), ..., fn(depth)], in threads when the network is large (see PARALLEL_DRAW_MIN)."""
    workers = min(os.cpu_count() or 1, 4, depth)
    if n_weights < PARALLEL_DRAW_MIN or workers < 2:
        return [fn(idx) for idx in range(1, depth + 1)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, range(1, depth + 1)))

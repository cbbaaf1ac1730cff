"""Forward and backward propagation as a stream of per-layer records.

``propagate(spec)`` is a generator: it yields :class:`RunStart`, then a :class:`ForwardLayer` as
soon as each layer 1..L is computed, a :class:`LossRecord`, a :class:`BackwardLayer` for layers
L..1 with the mean-field :class:`TheoryLayers` right after layer L's (anchored at layer L's
measured gradient; see ``theory.run_prediction``), and :class:`RunEnd`. A consumer cancels by no
longer iterating (or ``close()``).

Never overflow. Backpropagation is linear in ∂L/∂a_L, so ∂L/∂h_l is carried as g_s · 2**t with
g_s renormalized to RMS ≈ 1 at every layer (power-of-two factors are exact in floating point).
The forward pass is rescaled the same way where that is exact: positively homogeneous φ
(linear, relu, leaky_relu: φ(c·h) = c·φ(h), φ'(c·h) = φ'(h) for c > 0) and all-zero biases.
Every log10 statistic is then exact (a 600-layer ReLU net with He init × 4 reaches 10^360).

Normalized and residual blocks (``spec.norm``, ``spec.residual``): see ``model.blocks`` for the
block, its backward and exactly where the scaling is exact (forward rescaling is off with a norm).

Backprop (Rumelhart et al. 1986), for h_l = a_{l−1} W_lᵀ + b_l, a_l = φ(h_l):
    ∂L/∂h_l = ∂L/∂a_l ⊙ φ'(h_l),  ∂L/∂W_l = (∂L/∂h_l)ᵀ a_{l−1},  ∂L/∂b_l = Σ_batch ∂L/∂h_l,
    ∂L/∂a_{l−1} = ∂L/∂h_l W_l.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

import numpy as np

from gradexplorer.engine.compute.blas import blas_threads_for, with_thread_policy
from gradexplorer.engine.compute.cancel import raise_if_cancelled
from gradexplorer.engine.compute.heap import keep_freed_memory
from gradexplorer.engine.data.inputs import InputBatch
from gradexplorer.engine.model import draws, losses
from gradexplorer.engine.model.activations import Activation
from gradexplorer.engine.model.blocks import (
    BlockForward,
    block_backward,
    block_forward,
    describe,
    residual_layers,
)
from gradexplorer.engine.model.network import STREAM_READOUT, STREAM_TOP, DenseLayer, stream
from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.precision import float32_warnings
from gradexplorer.engine.runs.prepare import prepare
from gradexplorer.engine.runs.records import (
    BackwardLayer,
    ForwardLayer,
    Histogram,
    LossRecord,
    Record,
    RunEnd,
    RunStart,
    TheoryLayers,
)
from gradexplorer.engine.runs.statistics import (
    frobenius,
    gram_is_cheaper,
    linear_histogram,
    log10_histogram,
    log10_scaled,
    moments,
    product_norm,
    rms,
    sample_rows,
    unscale,
)
from gradexplorer.engine.theory.run_prediction import run_prediction

HIST_BINS = 64
#: Unbounded activations and all pre-activations are binned in units of the layer's RMS.
RMS_RANGE = 4.0
#: The histogram of a record made without histograms (``propagate(..., histograms=False)``).
NO_HISTOGRAM = Histogram(edges=np.array([0.0, 1.0]), density=np.zeros(1), units="not computed",
                         n=0)
NO_HISTOGRAM.edges.setflags(write=False)
NO_HISTOGRAM.density.setflags(write=False)


def propagate(spec: NetworkSpec, arrays: dict[str, np.ndarray] | None = None, *,
              cancel: Callable[[], bool] | None = None, histograms: bool = True,
              theory: bool = True, weight_grads: bool = True) -> Iterator[Record]:
    """Run ``spec`` and yield its records (see module docstring).

    Parameters
    ----------
    spec : the validated network specification.
    arrays : if a dict is given, it is filled with the run's arrays, unscaled, as float64 or the
        spec's dtype: ``x`` (B, n_0), ``W1..WL`` (n_l, n_{l−1}), ``b1..bL``, ``grad_output``
        (∂L/∂a_L, (B, n_L)), ``grad_h1..`` (∂L/∂h_l), ``grad_W1..``, ``grad_b1..``. Values beyond
        float range are ±inf there (the records keep exact log10 values).
    cancel : optional callable polled while the data are read, inside the orthogonal QR and
        LSUV and between layers (at least every ~50 ms of setup work); True raises
        ``Cancelled``.
    histograms : False leaves every histogram empty (:data:`NO_HISTOGRAM`); sweeps need none.
    theory : False yields no :class:`TheoryLayers` (and no float32 warnings in :class:`RunEnd`:
        they read the theory's χ).
    weight_grads : False skips the product ∂L/∂W_l = (∂L/∂h_l)ᵀ a_{l−1} (a third of the
        flops): ``grad_weight_norm``, ``grad_to_weight`` and their log10 twins are NaN. Not with
        ``arrays``. Every other number is bit for bit the full run's. Without ``arrays``, at
        batch ≤ min(fan_in, fan_out)/2, ‖∂L/∂W_l‖ comes from two (B, B) Gram matrices
        (``statistics.product_norm``; ≲ 1e-13 relative of the product's norm).

    Raises (on the first ``next()``)
    ------
    DataError : the input data cannot be loaded (see ``data``).
    RunTooLargeError : the memory estimate exceeds what is available.
    Cancelled : see ``cancel`` (:mod:`gradexplorer.engine.compute.cancel`).
    ValueError : ``arrays`` with ``weight_grads=False`` (raised at once).
    """
    if arrays is not None and not weight_grads:
        raise ValueError("saving the arrays needs the weight gradients (weight_grads=True)")
    keep_freed_memory()  # runs reuse the pages of the last one (no page faults; ``heap``)
    records = _propagate(spec, arrays, cancel, histograms, theory, weight_grads)
    start = next(records)
    assert isinstance(start, RunStart)
    yield start
    yield from with_thread_policy(records, start.config["batch"], start.widths)


def _propagate(spec: NetworkSpec, arrays: dict[str, np.ndarray] | None,
               cancel: Callable[[], bool] | None = None, histograms: bool = True,
               theory: bool = True, weight_grads: bool = True) -> Iterator[Record]:
    """The body of :func:`propagate` (which adds the BLAS thread policy around it)."""
    t0 = time.perf_counter()
    prep = prepare(spec, save=arrays is not None, cancel=cancel, scaled=True)
    activation, x, widths, net, inputs = prep.activation, prep.x, prep.widths, prep.net, prep.inputs
    assert inputs is not None  # prepared from the spec's own data
    if arrays is not None:
        arrays["x"] = x.copy()
        for i, layer in enumerate(net.layers, 1):
            arrays[f"W{i}"] = layer.matrix().copy()
            arrays[f"b{i}"] = layer.bias.copy()
    arch = describe(widths, spec.norm, spec.residual, spec.residual_scale)
    with blas_threads_for(x.shape[0], widths):  # moments' BLAS dot: not a second, spinning thread
        m2 = moments(x)[2]
    start = RunStart(config=spec.to_dict(), widths=widths,
                     data_description=inputs.description + (f"; {arch}" if arch else ""),
                     memory_bytes=prep.memory_bytes, sigma_w2=net.sigma_w2,
                     sigma_b2=spec.sigma_b2, input_second_moment=m2)
    setup = time.perf_counter() - t0
    yield start

    rescale = activation.positively_homogeneous and net.zero_bias and spec.norm == "none"
    skips = residual_layers(widths, spec.residual)
    alpha = spec.residual_scale
    a_prev, s_prev = x, 0
    kept: list[tuple[np.ndarray, int, BlockForward]] = []  # (a_{l-1}, its exponent, the block)
    forward_scales: list[tuple[float, float]] = []  # (log10 std h_l, log10 act scale)
    prediction: TheoryLayers | None = None
    for idx, layer in enumerate(net.layers, 1):
        raise_if_cancelled(cancel)
        fwd = block_forward(layer, a_prev, s_prev, activation, spec.norm, skips[idx - 1], alpha,
                            bias_scale=0.0 if net.zero_bias else 1.0, rescale=rescale)
        fwd_record = _forward_record(idx, layer, fwd, activation, histograms)
        kept.append((a_prev, s_prev, fwd.for_backward()))  # h_l is freed: never read again
        forward_scales.append((fwd_record.log10_preact_std, fwd_record.log10_act_scale))
        yield fwd_record
        a_prev, s_prev = fwd.a, fwd.s_a

    top = _top_gradient(spec, a_prev, s_prev, inputs)
    if arrays is not None:
        arrays["grad_output"] = np.ldexp(top.grad.astype(np.float64), top.exp2)
    yield LossRecord(loss=spec.loss, value=top.loss,
                     log10_grad_output_rms=log10_scaled(rms(top.grad), top.exp2))

    g_a: np.ndarray | None = top.grad
    t = top.exp2
    for idx in range(len(net.layers), 0, -1):
        layer = net.layers[idx - 1]
        raise_if_cancelled(cancel)
        a_in, s_in, fwd = kept.pop()
        assert g_a is not None  # asked for every layer above the first
        # ‖∂L/∂W‖ from two (B, B) Gram matrices where that is cheaper than ∂L/∂W itself
        gram = weight_grads and arrays is None and gram_is_cheaper(
            a_in.shape[0], layer.fan_in, layer.fan_out, float32=a_in.dtype == np.float32)
        g_a, g_h, g_rms, t, grad_w, grad_b = block_backward(
            layer, fwd, a_in, g_a, t, alpha, need_input_grad=idx > 1,
            need_weight_grad=weight_grads and not gram)
        if arrays is not None:
            assert grad_w is not None  # arrays imply weight_grads
            arrays[f"grad_h{idx}"] = np.ldexp(g_h.astype(np.float64), t)
            arrays[f"grad_W{idx}"] = np.ldexp(grad_w.astype(np.float64), t + s_in)
            arrays[f"grad_b{idx}"] = np.ldexp(grad_b.astype(np.float64), t)
        if gram:
            gw = product_norm(g_h, a_in)
        else:
            gw = frobenius(grad_w) if grad_w is not None else math.nan
        record = _backward_record(idx, layer, g_h, g_rms, t, gw, t + s_in, grad_b, histograms)
        yield record
        if idx == len(net.layers) and theory:
            prediction = run_prediction(start, record.log10_grad_preact_rms)
            yield prediction
    yield RunEnd(seconds=time.perf_counter() - t0, setup_seconds=setup,
                 warnings=_warnings(spec, activation, prediction, forward_scales))


def _warnings(spec: NetworkSpec, activation: Activation, prediction: TheoryLayers | None,
              forward_scales: list[tuple[float, float]]) -> tuple[str, ...]:
    """The run's float32 warnings; none without theory (they read its χ; sweeps run without)."""
    if prediction is None:
        return ()
    std_h, act_scale = (np.array(c, dtype=float) for c in zip(*forward_scales, strict=True))
    return float32_warnings(spec.dtype, activation.positively_homogeneous, prediction.chi,
                            std_h, act_scale)


def _top_gradient(spec: NetworkSpec, a_s: np.ndarray, s: int,
                  inputs: InputBatch) -> losses.TopGradient:
    """The loss at the top and ∂L/∂a_L (a_s: (B, n_L) at scale 2**s).

    The random projection's (and MSE targets') standard normal draw (B, n_L) is cached like
    the weights (``draws``): bit for bit a fresh draw.
    """
    if spec.loss in ("random", "mse"):
        z = draws.cached(("top", spec.seed, a_s.shape),
                         lambda: stream(spec.seed, STREAM_TOP).standard_normal(a_s.shape))
        if spec.loss == "random":
            return losses.random_projection(a_s, s, z.astype(a_s.dtype))
        return losses.mse(a_s, s, z)
    rng = stream(spec.seed, STREAM_TOP)
    n_classes = inputs.n_classes or 10
    labels = inputs.labels if inputs.labels is not None else \
        np.asarray(rng.integers(0, n_classes, a_s.shape[0]))
    readout = stream(spec.seed, STREAM_READOUT).standard_normal((n_classes, a_s.shape[1]))
    readout /= np.sqrt(a_s.shape[1])
    return losses.cross_entropy(a_s, s, readout, labels)


def _forward_record(idx: int, layer: DenseLayer, fwd: BlockForward, activation: Activation,
                    histograms: bool = True) -> ForwardLayer:
    h, a, deriv, s, s_a = fwd.h, fwd.a, fwd.deriv, fwd.s_h, fwd.s_a
    h_mean, h_std, h_sq = moments(h)
    a_mean, a_std, _ = moments(a)
    nonfinite = 0.0 if math.isfinite(a_mean) else _nonfinite_fraction(a)
    if histograms:
        preact_hist, act_hist = _forward_histograms(fwd, h_sq, a_mean, a_std, activation,
                                                    math.isfinite(h_mean))
    else:
        preact_hist = act_hist = NO_HISTOGRAM
    return ForwardLayer(
        layer=idx, fan_in=layer.fan_in, fan_out=layer.fan_out,
        preact_mean=unscale(h_mean, s), preact_std=unscale(h_std, s),
        log10_preact_std=log10_scaled(h_std, s), preact_second_moment=unscale(h_sq, 2 * s),
        act_mean=unscale(a_mean, s_a), act_std=unscale(a_std, s_a),
        log10_act_std=log10_scaled(a_std, s_a),
        saturated_fraction=float(np.count_nonzero(activation.saturated(fwd.z, derivative=deriv)))
        / h.size,
        weight_norm=layer.weight_norm,
        bias_norm=frobenius(layer.bias),
        log10_act_scale=log10_scaled(1.0, s_a), preact_hist=preact_hist, act_hist=act_hist,
        nonfinite_fraction=nonfinite, **_normed_stats(fwd),
    )


def _forward_histograms(fwd: BlockForward, h_sq: float, a_mean: float, a_std: float,
                        activation: Activation, h_finite: bool) -> tuple[Histogram, Histogram]:
    """Pre-activation and activation histograms of the leading rows (:func:`sample_rows`).

    A finite mean means every entry is finite (``h_finite``, ``a_mean``): the histograms then
    skip their own check (divided by the RMS, no entry can overflow: |v| ≤ √(B·n)·RMS).
    """
    hs, as_ = sample_rows(fwd.h), sample_rows(fwd.a)
    preact_hist = linear_histogram(hs, -RMS_RANGE, RMS_RANGE, HIST_BINS,
                                   "units of the layer's RMS", scale=math.sqrt(h_sq),
                                   finite=h_finite)
    a_finite = math.isfinite(a_mean)
    if activation.bounds is not None and not fwd.residual:
        lo, hi = activation.bounds
        act_hist = linear_histogram(as_, lo, hi, HIST_BINS, "value", finite=a_finite,
                                    inside=a_finite)  # finite φ values lie in [lo, hi]
    else:
        lo = 0.0 if activation.name in ("relu", "softplus") else -RMS_RANGE
        act_hist = linear_histogram(as_, lo, RMS_RANGE, HIST_BINS, "units of the layer's RMS",
                                    scale=math.hypot(a_std, a_mean),  # ** 2 raises past 1e154
                                    finite=a_finite)
    return preact_hist, act_hist


def _normed_stats(fwd: BlockForward) -> dict[str, float]:
    """The normalized z's mean and std (population, float64), for layers with a norm."""
    if fwd.norm is None:
        return {}
    mean, std, _ = moments(fwd.norm.z)
    return {"normed_mean": mean, "normed_std": std}


def _backward_record(idx: int, layer: DenseLayer, g_h: np.ndarray, g_rms: float, t: int,
                     gw: float, tw: int, grad_b: np.ndarray,
                     histograms: bool = True) -> BackwardLayer:
    """The record of layer ``idx``; ``gw`` = ‖∂L/∂W‖_F at scale 2**tw (NaN: not computed)."""
    gb = frobenius(grad_b)
    w_norm = layer.weight_norm
    log_gw = log10_scaled(gw, tw)
    log_w = log10_scaled(w_norm, 0)
    zeros = int(np.count_nonzero(g_h == 0))  # 3x faster than counting the non-zero floats
    finite = math.isfinite(g_rms)  # a finite RMS: every entry is finite
    return BackwardLayer(
        layer=idx, grad_preact_rms=unscale(g_rms, t), log10_grad_preact_rms=log10_scaled(g_rms, t),
        grad_weight_norm=unscale(gw, tw), log10_grad_weight_norm=log_gw,
        grad_bias_norm=unscale(gb, t), log10_grad_bias_norm=log10_scaled(gb, t),
        grad_to_weight=unscale(gw / w_norm, tw) if w_norm > 0 else _zero_weight_ratio(gw),
        log10_grad_to_weight=log_gw - log_w if w_norm > 0 else _log10(_zero_weight_ratio(gw)),
        grad_zero_fraction=1.0 - float(g_h.size - zeros) / g_h.size,
        grad_hist=log10_histogram(sample_rows(g_h), t, clean=finite and not zeros)
        if histograms else NO_HISTOGRAM,
        nonfinite_fraction=0.0 if finite else _nonfinite_fraction(g_h),
    )


def _zero_weight_ratio(grad_norm: float) -> float:
    """‖∂L/∂W‖/‖W‖ for W = 0.

    0 when the gradient is zero too (one step changes nothing; not 0/0 = inf), inf when it is
    not (any step changes the layer infinitely, relatively).
    """
    return 0.0 if grad_norm == 0 else (math.inf if grad_norm > 0 else math.nan)


def _log10(x: float) -> float:
    return -math.inf if x == 0 else math.log10(x)


def _nonfinite_fraction(x: np.ndarray) -> float:
    """Fraction of inf/NaN entries.

    Called only when a reduction was not finite: a finite mean or RMS implies that every entry
    is finite.
    """
    return 1.0 - float(np.count_nonzero(np.isfinite(x))) / x.size

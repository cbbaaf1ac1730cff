"""The input–output Jacobian of the spec's network and the spectrum of J Jᵀ.

J = ∂a_L/∂x = D_L W_L ⋯ D_1 W_1, D_l = diag φ'(h_l), shape (n_L, n_0), at one row x of the spec's
batch, for the very network ``propagate`` runs (same ``build_network``, same data stream).
Dynamical isometry: every singular value of J near 1 (Pennington, Schoenholz & Ganguli 2017,
"Resurrecting the sigmoid in deep learning through dynamical isometry"; Saxe et al. 2013).
J is carried as J_s · 2**exp2, J_s renormalized every layer (exact in binary floating point), so
log10 of every singular value is exact far beyond float64 (orthogonal, linear, gain 4, 600
layers: every singular value is 4^600 = 10^361.2).

Mean-field predictions (wide limit; q_l the actual sequence of ``theory.layerwise_prediction``;
μ_k,l = E[φ'(√q_l z)^{2k}]):

* mean eigenvalue tr(J Jᵀ)/n_L = Π_l σ_{w,l}² μ_1,l. Widths: a layer multiplies a vector's squared
  norm by (n_l/n_{l−1}) σ_{w,l}² μ_1,l; the ratios telescope to n_L/n_0 per column, and n_0
  columns over n_L leave no width factor (unlike the per-unit χ_k of ``theory.layerwise``).
* variance / mean² = Σ_l (μ_2,l/μ_1,l² − 1 − s1), s1 = −1 for i.i.d. and 0 for orthogonal
  weights: first S-transform coefficients add under free multiplication (Pennington et al.
  2017, eq. 17; at criticality with constant q their L(μ2/μ1² − 1 − s1): ReLU Gaussian 2L,
  orthogonal L; linear Gaussian L, orthogonal 0). Square networks only (n_0 = ⋯ = n_L), else
  None. Finite width adds an excess of order L²/N (theory.md §4).

Layer norm and residual blocks: J from ``block_jacobian`` (no mean-field prediction: NaN/None);
batch norm is refused (SpecError: its Jacobian is per batch, not per input).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gradexplorer.engine.compute.blas import blas_threads_for
from gradexplorer.engine.compute.cancel import Cancelled
from gradexplorer.engine.model.network import base_weight_of
from gradexplorer.engine.model.spec import NetworkSpec, SpecError
from gradexplorer.engine.runs.block_jacobian import block_jacobian, check_supported, uses_blocks
from gradexplorer.engine.runs.prepare import Prepared, prepare
from gradexplorer.engine.runs.statistics import LOG10_2, exponent_of, log10_scaled, rms, unscale
from gradexplorer.engine.theory import gaussian_expectation, layerwise_prediction

__all__ = ["IsometryComparison", "JacobianCancelled", "JacobianSpectrum", "compare_isometry",
           "jacobian_matrix", "jacobian_spectrum"]

#: Initializers whose weights are i.i.d. Gaussian (the others are i.i.d. uniform or orthogonal).
GAUSSIAN_INITS = ("normal", "xavier_normal", "kaiming_normal", "lecun_normal")
ORTHOGONAL_INITS = ("orthogonal", "lsuv")


@dataclass(frozen=True, eq=False)
class JacobianSpectrum:
    """Spectrum of J Jᵀ for one input row; arrays have shape (n_L,), sorted descending.

    Attributes
    ----------
    eigenvalues : eigenvalues of J Jᵀ = squared singular values of J, float64, true units (inf or
        0 where out of float64 range); n_L − n_0 exact zeros are appended when n_0 < n_L.
    log10_eigenvalues : their exact log10 (−inf for exact zeros), always in range.
    mean, variance : over the n_L eigenvalues (population variance), true units (inf/0 when out
        of range). log10_mean, log10_variance : exact.
    relative_variance : variance / mean² (scale-free).
    log10_floor : log10 of the rounding level (max(n_0, n_L)·ε·s_max)²: eigenvalues below it
        are noise (J is an exact product in float64 arithmetic). Conservative: the forward- and
        reverse-order products agree to 0.01 decades down to ~15.5 decades below s_max (width
        200, depth 32–60), this floor is 13.4 decades below s_max there.
    predicted_log10_mean, predicted_mean : Π_l σ_{w,l}² μ_1,l (see module notes).
    predicted_relative_variance, predicted_variance : Σ_l (μ_2,l/μ_1,l² − 1 − s1) and that times
        predicted_mean²; None unless the network is square (or the prediction is not finite).
    orthogonal : whether the weights are orthogonal (s1 = 0) or i.i.d. (s1 = −1).
    weights : ``"spec"`` (the spec's own network), ``"gaussian"`` or ``"orthogonal"`` (redrawn).
    widths : (n_0, ..., n_L). sigma_w2 : per-layer σ_w² = fan_in·Var(W) of the spec's init.
    sigma_b2 : bias variance. q : predicted pre-activation variance per layer, shape (L,).
    input_index : the batch row x the Jacobian is taken at.
    """

    eigenvalues: np.ndarray
    log10_eigenvalues: np.ndarray
    mean: float
    log10_mean: float
    variance: float
    log10_variance: float
    relative_variance: float
    log10_floor: float
    predicted_log10_mean: float
    predicted_mean: float
    predicted_relative_variance: float | None
    predicted_variance: float | None
    orthogonal: bool
    weights: str
    widths: tuple[int, ...]
    sigma_w2: tuple[float, ...]
    sigma_b2: float
    q: np.ndarray
    input_index: int

    @property
    def depth(self) -> int:
        """L, the number of layers."""
        return len(self.widths) - 1

    @property
    def log10_singular_values(self) -> np.ndarray:
        """log10 of the singular values of J, shape (n_L,): half of :attr:`log10_eigenvalues`."""
        return 0.5 * self.log10_eigenvalues


#: The ``cancel`` callable returned True; nothing was computed to the end (the engine's one
#: :class:`~gradexplorer.engine.compute.cancel.Cancelled` type under its old name).
JacobianCancelled = Cancelled


class IsometryComparison(NamedTuple):
    """The same spec with i.i.d. Gaussian and with orthogonal weights at the same σ_w² per layer."""

    gaussian: JacobianSpectrum
    orthogonal: JacobianSpectrum


def _prepare(spec: NetworkSpec, cancel: Callable[[], bool] | None) -> Prepared:
    """The run's set-up (``runs.prepare``) after refusing what has no per-input Jacobian."""
    check_supported(spec)
    return prepare(spec, cancel=cancel)


def _weights(spec: NetworkSpec, prep: Prepared,
             orthogonal: bool | None) -> tuple[list[np.ndarray], bool, str]:
    """(weights in float64, are they orthogonal, label). Redraws use the spec's weight streams.

    A Gaussian and an orthogonal redraw of one layer come from the same standard normal draw
    (the orthogonal one is the sign-fixed Q of its QR), so the two differ only in the spectrum.
    """
    spec_orth = spec.init in ORTHOGONAL_INITS
    if orthogonal is None or (orthogonal and spec_orth) or \
            (orthogonal is False and spec.init in GAUSSIAN_INITS):
        return [np.asarray(la.weight, np.float64) for la in prep.net.layers], spec_orth, "spec"
    out = []
    for idx, s2 in enumerate(prep.net.sigma_w2, 1):
        fan_in, fan_out = prep.widths[idx - 1], prep.widths[idx]
        if not math.isfinite(s2):
            raise SpecError("gain", f"cannot redraw layer {idx} at the same σ_w²: it overflows "
                                    f"float64 (gain {spec.gain:g}); lower the gain")
        # orthogonal: W Wᵀ or Wᵀ W = gain² I, mean square gain²/max(fans) = σ_w²/fan_in
        gain = math.sqrt(s2 * max(fan_in, fan_out) / fan_in) if orthogonal else \
            math.sqrt(s2 / fan_in)
        # = init_weight("orthogonal" | "normal", ..., gain=gain, rng=stream(seed, WEIGHTS, idx))
        out.append(base_weight_of(spec.seed, idx, "orthogonal" if orthogonal else "normal",
                                  fan_out, fan_in) * gain)
    return out, bool(orthogonal), "orthogonal" if orthogonal else "gaussian"


def _derivatives(weights: list[np.ndarray], prep: Prepared,
                 x_row: np.ndarray) -> list[np.ndarray]:
    """φ'(h_l) for l = 1..L at x_row, in float64; rescaled as ``propagate`` does when exact."""
    act, net = prep.activation, prep.net
    rescale = act.positively_homogeneous and net.zero_bias  # then φ'(2^k h) = φ'(h)
    a, out = x_row, []
    with np.errstate(over="ignore", invalid="ignore"):
        for w, layer in zip(weights, net.layers, strict=True):
            h = w @ a
            if not net.zero_bias:
                h += layer.bias
            if rescale:
                h = np.ldexp(h, -exponent_of(rms(h)))
            a, d = act.forward_and_derivative(h)
            out.append(d)
    return out


def _product(weights: list[np.ndarray], derivs: list[np.ndarray],
             cancel: Callable[[], bool] | None = None) -> tuple[np.ndarray, int]:
    """J_s and exp2 with J = J_s · 2**exp2, accumulated from the narrower end (fewer flops).

    Units with φ'(h) = 0 (ReLU: about half) are left out of every product: the forward mode
    keeps only the rows of active units, the reverse mode contracts over active units only.
    Never writes into ``weights`` (they may be the network's own arrays).
    """
    nz = [np.flatnonzero(d != 0) for d in derivs]  # NaN counts as active
    if weights[0].shape[1] <= weights[-1].shape[0]:  # forward: rows = active units of layer l
        m, exp2 = _renormalize(derivs[0][nz[0], None] * _take(weights[0], nz[0], None), 0)
        for i in range(1, len(weights)):
            _poll(cancel)
            m = _take(weights[i], nz[i], nz[i - 1]) @ m
            m *= derivs[i][nz[i], None]
            m, exp2 = _renormalize(m, exp2)
    else:  # reverse: rows = active output units, columns = units of layer l − 1
        m, exp2 = _renormalize(derivs[-1][nz[-1], None] * _take(weights[-1], nz[-1], None), 0)
        for i in range(len(weights) - 2, -1, -1):
            _poll(cancel)
            m = (_take(m, None, nz[i]) * derivs[i][nz[i]]) @ _take(weights[i], nz[i], None)
            m, exp2 = _renormalize(m, exp2)
    out = np.zeros((weights[-1].shape[0], weights[0].shape[1]))
    out[nz[-1]] = m
    return out, exp2


def _poll(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise JacobianCancelled("Jacobian computation cancelled")


def _take(a: np.ndarray, rows: np.ndarray | None, cols: np.ndarray | None) -> np.ndarray:
    """a[rows][:, cols], without a copy where an index is None or selects everything."""
    if rows is not None and rows.size < a.shape[0]:
        a = a[rows]
    if cols is not None and cols.size < a.shape[1]:
        a = a[:, cols]
    return a


def _renormalize(m: np.ndarray, exp2: int) -> tuple[np.ndarray, int]:
    k = exponent_of(rms(m)) if m.size else 0
    return (np.ldexp(m, -k, out=m), exp2 + k) if k else (m, exp2)


def jacobian_matrix(spec: NetworkSpec, *, input_index: int = 0, orthogonal: bool | None = None,
                    cancel: Callable[[], bool] | None = None) -> tuple[np.ndarray, int]:
    """The input–output Jacobian at batch row ``input_index`` as (J_s, exp2), J = J_s · 2**exp2.

    Parameters
    ----------
    spec : NetworkSpec
    input_index : int
        Row of the spec's input batch (0 ≤ input_index < batch).
    orthogonal : bool or None
        None: the spec's own network. True / False: orthogonal / i.i.d. Gaussian weights with
        the spec's per-layer σ_w² (the spec's network is kept when it already is of that kind;
        i.i.d. uniform inits are redrawn Gaussian). Biases are always the spec's.
    cancel : callable, optional
        Polled once per layer of the product; True raises :class:`JacobianCancelled`.

    Returns
    -------
    J_s : ndarray (n_L, n_0), float64, entries O(1) (NaN/inf if the forward pass overflowed,
        as in ``propagate`` for a non-homogeneous φ or with biases at enormous gains).
    exp2 : int

    Computed in float64 (float32 weights upcast exactly) in O(L·n³) time: width 1000, depth 100
    takes about 4 s with tanh, 2 s with ReLU (inactive units skipped), SVD included, on an idle
    two-core machine (2–3× that when it is busy).

    Raises
    ------
    IndexError : input_index outside the batch. JacobianCancelled : see ``cancel``.
    DataError, RunTooLargeError : as ``propagate``.
    """
    js, exp2, _, _, _ = _jacobian(spec, _prepare(spec, cancel), input_index, orthogonal, cancel)
    return js, exp2


def _jacobian(spec: NetworkSpec, prep: Prepared, input_index: int, orthogonal: bool | None,
              cancel: Callable[[], bool] | None) -> tuple[np.ndarray, int, bool, str, np.ndarray]:
    if not 0 <= input_index < prep.x.shape[0]:
        raise IndexError(f"input index {input_index} is outside the batch of {prep.x.shape[0]}")
    # J's products are (min(n_0, n_L) × n_l) · (n_l × n_{l−1}); the redraws' QR runs here too
    with blas_threads_for(min(prep.widths[0], prep.widths[-1]), prep.widths):
        weights, orth, label = _weights(spec, prep, orthogonal)
        x_row = prep.x[input_index].astype(np.float64)
        if uses_blocks(spec):
            js, exp2 = block_jacobian(spec, weights, prep.net.layers, prep.activation,
                                      prep.widths, x_row, lambda: _poll(cancel))
        else:
            js, exp2 = _product(weights, _derivatives(weights, prep, x_row), cancel)
    return js, exp2, orth, label, x_row


def jacobian_spectrum(spec: NetworkSpec, *, input_index: int = 0,
                      orthogonal: bool | None = None,
                      cancel: Callable[[], bool] | None = None) -> JacobianSpectrum:
    """Eigenvalues of J Jᵀ at one input row, exact in log10, with the mean-field predictions.

    Parameters and errors as :func:`jacobian_matrix`; the SVD (``numpy.linalg.svd``, no vectors)
    adds 0.1–0.6 s at width 1000.

    Returns
    -------
    JacobianSpectrum
    """
    return _spectrum(spec, _prepare(spec, cancel), input_index, orthogonal, cancel)


def compare_isometry(spec: NetworkSpec, *, input_index: int = 0,
                     cancel: Callable[[], bool] | None = None) -> IsometryComparison:
    """:func:`jacobian_spectrum` with i.i.d. Gaussian and with orthogonal weights, same σ_w².

    The network is built once; each layer's two weight matrices share one Gaussian draw.
    """
    prep = _prepare(spec, cancel)
    return IsometryComparison(_spectrum(spec, prep, input_index, False, cancel),
                              _spectrum(spec, prep, input_index, True, cancel))


def _spectrum(spec: NetworkSpec, prep: Prepared, input_index: int, orthogonal: bool | None,
              cancel: Callable[[], bool] | None) -> JacobianSpectrum:
    js, exp2, orth, label, x_row = _jacobian(spec, prep, input_index, orthogonal, cancel)
    n_out = js.shape[0]
    eig = np.full(n_out, np.nan)
    if np.all(np.isfinite(js)):
        eig[:] = 0.0
        s = np.linalg.svd(js, compute_uv=False)
        eig[:s.size] = s * s
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        log_eig = np.log10(eig) + 2 * exp2 * LOG10_2
        mean_s = float(np.mean(eig))
        var_s = float(np.mean(np.square(eig - mean_s)))
        floor = 2 * math.log10(max(js.shape) * np.finfo(float).eps) + float(log_eig[0])
        rel = var_s / mean_s ** 2 if mean_s > 0 else math.nan
    sb2 = spec.sigma_b2
    if uses_blocks(spec):  # no mean-field prediction for normalized / residual blocks here
        q, log_pred, rel_pred = np.full(len(prep.widths) - 1, np.nan), math.nan, None
    else:
        q, log_pred, rel_pred = _prediction(prep, sb2, x_row, orth)
    pred_var = None if rel_pred is None else \
        (0.0 if rel_pred == 0 else _pow10(2 * log_pred) * rel_pred)
    with np.errstate(over="ignore", under="ignore"):
        eig_true = np.ldexp(eig, 2 * exp2)
    return JacobianSpectrum(
        eigenvalues=eig_true, log10_eigenvalues=log_eig, mean=unscale(mean_s, 2 * exp2),
        log10_mean=log10_scaled(mean_s, 2 * exp2), variance=unscale(var_s, 4 * exp2),
        log10_variance=log10_scaled(var_s, 4 * exp2), relative_variance=rel, log10_floor=floor,
        predicted_log10_mean=log_pred, predicted_mean=_pow10(log_pred),
        predicted_relative_variance=rel_pred, predicted_variance=pred_var, orthogonal=orth,
        weights=label, widths=tuple(prep.widths), sigma_w2=tuple(prep.net.sigma_w2),
        sigma_b2=sb2, q=q, input_index=input_index)


def _prediction(prep: Prepared, sigma_b2: float, x_row: np.ndarray,
                orth: bool) -> tuple[np.ndarray, float, float | None]:
    """(q_l, log10 Π σ_{w,l}² μ_1,l, Σ(μ_2/μ_1² − 1 − s1) or None); NaN where not finite."""
    depth = len(prep.widths) - 1
    m2 = float(np.mean(np.square(x_row)))
    # a gain or bias std near 1e308 overflows σ_w² or σ_b²: no finite theory to draw
    if not (math.isfinite(m2) and math.isfinite(sigma_b2)
            and np.all(np.isfinite(prep.net.sigma_w2))):
        return np.full(depth, np.nan), math.nan, None
    act = prep.activation
    pred = layerwise_prediction(act, prep.net.sigma_w2, sigma_b2, depth=depth,
                                input_second_moment=m2, negative_slope=act.negative_slope)
    mu1 = pred.derivative_second_moment
    with np.errstate(divide="ignore", invalid="ignore"):
        log_mean = float(np.sum(np.log10(np.asarray(prep.net.sigma_w2) * mu1)))
        if len(set(prep.widths)) != 1 or np.any(np.isnan(pred.q)):
            return pred.q, log_mean, None
        mu2 = gaussian_expectation(lambda h: np.square(np.square(act.derivative(h))), pred.q)
        rel = float(np.sum(mu2 / np.square(mu1) - 1.0 + (0.0 if orth else 1.0)))
    return pred.q, log_mean, rel if math.isfinite(rel) else None


def _pow10(x: float) -> float:
    """10**x as a float64: inf on overflow, 0 on underflow."""
    with np.errstate(over="ignore", under="ignore"):
        return float(np.power(10.0, x))

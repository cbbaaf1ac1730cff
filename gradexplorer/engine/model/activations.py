"""Activation functions φ and their derivatives φ', identical to ``torch.nn.functional``.

Every activation uses torch's defaults (elu α = 1; selu λ, α of Klambauer et al. 2017; gelu the
exact erf form, not the tanh approximation; softplus β = 1, threshold 20) and its derivative is the
one torch autograd returns, including at kinks: relu'(0) = 0, leaky_relu'(0) = negative_slope,
elu'(0) = α and selu'(0) = λα (torch's ELU backward takes the h <= 0 branch), softplus'(h) = 1 for
h > 20. sigmoid' and tanh' are computed as torch does (s(1 − s), 1 − a²), so they round to exactly 0
once s or a rounds to its limit (|h| ≳ 37 resp. 19 in float64, ≳ 17 resp. 9 in float32).

Inputs of dtype float32 or float64 keep their dtype (other inputs are converted to float64). No
overflow warnings for any finite input (tested to ±1e300); ±inf give the limit values; NaN gives
NaN in both φ and φ' (torch autograd would give e.g. relu'(NaN) = 1; NaN is more honest here).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from gradexplorer.engine.model.spec import ACTIVATION_NAMES

__all__ = ["SATURATION_FRACTION", "SELU_ALPHA", "SELU_SCALE", "Activation", "calculate_gain",
           "get_activation"]

#: A unit counts as saturated where |φ'(h)| < SATURATION_FRACTION · sup|φ'| (see
#: :meth:`Activation.saturated` for the exact thresholds this gives).
SATURATION_FRACTION = 0.1
#: SELU constants, as in ``torch.nn.functional.selu`` (Klambauer et al. 2017, eq. 14).
SELU_SCALE = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772
_SP_T = 20.0  # softplus threshold (torch default; beta = 1)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_CLIP = 60.0  # Φ(-60) and φ(60) are 0 in float64: clipping here changes no value
_SILU_CLIP = 750.0  # expit(-750) == 0 and 1 - expit(750) == 0 in float64


def _expit(h: np.ndarray) -> np.ndarray:
    """scipy.special.expit, imported on first use.

    SciPy's special functions take ~0.25 s to import, and the first-launch sigmoid net never
    reaches the tails that need them.
    """
    from scipy.special import expit

    return np.asarray(expit(h))


def _ndtr(h: np.ndarray) -> np.ndarray:
    """scipy.special.ndtr (the standard normal CDF Φ), imported on first use (as _expit)."""
    from scipy.special import ndtr

    return np.asarray(ndtr(h))


#: Activations whose φ' is ≥ 0 everywhere (or NaN): s(1 − s), 1 − tanh², steps, exponentials.
_NONNEGATIVE_DERIVATIVE = frozenset({"linear", "sigmoid", "tanh", "relu", "elu", "selu",
                                     "softplus"})

_Kernel = Callable[[np.ndarray], np.ndarray]
_PairKernel = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray]"]


def _as_float(h: np.ndarray) -> np.ndarray:
    h = np.asarray(h)
    return h if h.dtype in (np.float32, np.float64) else h.astype(np.float64)


# --- kernels: (forward, derivative, forward_and_derivative) per activation ---------------------
def _linear_d(h: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(h), h, 1.0)  # 1, but NaN stays NaN


def _linear_fd(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return h.copy(), _linear_d(h)


#: Below these inputs σ(h) is subnormal and, a little further, e^{-h} overflows (a warning);
#: arrays reaching them go to ``expit`` (same formula, no warning, its exact tail values).
_SIGMOID_NORMAL = {np.dtype(np.float64): -708.0, np.dtype(np.float32): -87.0}


def _sigmoid(h: np.ndarray) -> np.ndarray:
    """σ(h) = 1/(1 + e^{-h}), scipy's ``expit`` formula with numpy's vectorized exp (3× faster).

    Within 1 ulp of ``expit`` (which may round the last bit the other way); NaN stays NaN,
    ±inf give 1 and 0; arrays with an entry below :data:`_SIGMOID_NORMAL` (or a NaN) use
    ``expit`` itself.
    """
    if not h.size or not np.minimum.reduce(h, axis=None) >= _SIGMOID_NORMAL[h.dtype]:
        return np.asarray(_expit(h))
    s = np.negative(h)
    np.exp(s, out=s)
    s += 1.0
    return np.asarray(np.divide(1.0, s, out=s))


def _sigmoid_fd(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = _sigmoid(h)
    d = np.subtract(1.0, s)
    d *= s  # = s * (1 - s), bit for bit, one array fewer
    return s, d


def _tanh_fd(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.tanh(h)
    return a, 1.0 - a * a


def _leaky_f(h: np.ndarray, slope: float) -> np.ndarray:
    if slope == 0.0:  # relu; plain max keeps relu(-inf) = 0 (0 · -inf would be NaN)
        return np.asarray(np.maximum(h, 0.0))
    if 0.0 < slope <= 1.0:
        # = h for h > 0, slope·h for h <= 0; NaN stays NaN
        return np.asarray(np.maximum(h, h * slope))
    return np.where(h > 0, h, h * slope)


def _leaky_d(h: np.ndarray, slope: float, f: np.ndarray | None = None) -> np.ndarray:
    # sign(h) is -1, 0, 1 or NaN: max(sign, slope) gives slope for h <= 0 (at the kink too, as
    # torch's backward), exactly 1 for h > 0 and NaN for NaN
    if slope == 0.0:
        return np.asarray(np.sign(np.maximum(h, 0.0) if f is None else f))
    if 0.0 < slope <= 1.0:
        return np.asarray(np.maximum(np.sign(h), slope))
    return np.where(np.isnan(h), h, np.where(h > 0, 1.0, slope))


def _leaky_fd(h: np.ndarray, slope: float) -> tuple[np.ndarray, np.ndarray]:
    f = _leaky_f(h, slope)
    return f, _leaky_d(h, slope, f)


def _elu_f(h: np.ndarray, scale: float, alpha: float) -> np.ndarray:
    # max(h, 0) + α·expm1(min(h, 0)) is h for h > 0 and α(e^h − 1) for h <= 0, exactly (the
    # other term is 0); exp only of h <= 0, so no overflow
    f = np.maximum(h, 0.0) + alpha * np.expm1(np.minimum(h, 0.0))
    return np.asarray(f if scale == 1.0 else f * scale)


def _elu_d(h: np.ndarray, scale: float, alpha: float) -> np.ndarray:
    # exp, not expm1 + 1, keeps full relative precision deep in the tail; at h = 0 the h <= 0
    # branch (α·e⁰ = α), as torch's elu_backward
    return np.where(h > 0, scale, (scale * alpha) * np.exp(np.minimum(h, 0.0)))


def _elu_fd(h: np.ndarray, scale: float, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    return _elu_f(h, scale, alpha), _elu_d(h, scale, alpha)


def _gelu_f(h: np.ndarray) -> np.ndarray:
    return np.asarray(np.maximum(h, -_GELU_CLIP) * _ndtr(h))  # h·Φ(h); the clip avoids -inf · 0


def _gelu_d(h: np.ndarray) -> np.ndarray:
    hc = np.clip(h, -_GELU_CLIP, _GELU_CLIP)  # the clip avoids h² overflow and inf · 0
    return np.asarray(_ndtr(h) + hc * (np.exp(-0.5 * hc * hc) * _INV_SQRT_2PI))


def _gelu_fd(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = _ndtr(h)
    hc = np.clip(h, -_GELU_CLIP, _GELU_CLIP)
    return np.maximum(h, -_GELU_CLIP) * p, p + hc * (np.exp(-0.5 * hc * hc) * _INV_SQRT_2PI)


def _silu_f(h: np.ndarray) -> np.ndarray:
    return np.asarray(np.maximum(h, -_SILU_CLIP) * _expit(h))  # h·σ(h); the clip avoids -inf · 0


def _silu_fd(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = _expit(h)
    hc = np.clip(h, -_SILU_CLIP, _SILU_CLIP)  # avoids ±inf · 0; s is exactly 0 or 1 beyond
    return np.maximum(h, -_SILU_CLIP) * s, s * (1.0 + hc * (1.0 - s))  # torch's silu_backward


def _softplus_f(h: np.ndarray) -> np.ndarray:
    return np.where(h > _SP_T, h, np.log1p(np.exp(np.minimum(h, _SP_T))))


def _softplus_fd(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e = np.exp(np.minimum(h, _SP_T))
    big = h > _SP_T
    return np.where(big, h, np.log1p(e)), np.where(big, 1.0, e / (1.0 + e))


def _no_kernel(h: np.ndarray) -> np.ndarray:
    raise NotImplementedError("this Activation was built without its kernels")


def _no_pair_kernel(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    raise NotImplementedError("this Activation was built without its kernels")


def _second(fd: _PairKernel) -> _Kernel:
    return lambda h: fd(h)[1]


@dataclass(frozen=True)
class Activation:
    """An elementwise nonlinearity φ with its derivative and the facts the theory needs.

    Attributes
    ----------
    name : str
        The ``torch.nn.functional`` name, one of
        :data:`~gradexplorer.engine.model.spec.ACTIVATION_NAMES`.
    gain : float or None
        ``torch.nn.init.calculate_gain(name[, negative_slope])``; None where torch defines no gain
        (elu, gelu, silu, softplus).
    positively_homogeneous : bool
        φ(c·h) = c·φ(h) for every c > 0 (linear, relu, leaky_relu).
    bounds : tuple of float or None
        The open range of φ when it is bounded (sigmoid (0, 1), tanh (-1, 1)), else None.
    max_derivative : float
        sup |φ'| exactly: 1/4 for sigmoid, λα = 1.7581 for selu, Φ(√2) + e⁻¹/√π = 1.128904 for gelu
        (at h = √2), 1.099839 for silu (at the root h = 2.399357 of h·tanh(h/2) = 2), 1 otherwise
        (max(1, |negative_slope|) for leaky_relu).
    negative_slope : float
        leaky_relu's slope for h < 0 (0 for the other activations).
    """

    name: str
    gain: float | None
    positively_homogeneous: bool
    bounds: tuple[float, float] | None
    max_derivative: float
    negative_slope: float = 0.0
    _f: _Kernel = field(default=_no_kernel, repr=False, compare=False)
    _d: _Kernel = field(default=_no_kernel, repr=False, compare=False)
    _fd: _PairKernel = field(default=_no_pair_kernel, repr=False, compare=False)

    def forward(self, h: np.ndarray) -> np.ndarray:
        """φ(h) elementwise. ``h``: ndarray, any shape; returns the same shape and dtype.

        float32 and float64 keep their dtype, other inputs become float64 (also for the methods
        below). The source of each formula is ``torch.nn.functional.<name>``.
        """
        return self._f(_as_float(h))

    def derivative(self, h: np.ndarray) -> np.ndarray:
        """φ'(h) elementwise, as torch autograd, kinks included; same shape and dtype as ``h``."""
        return self._d(_as_float(h))

    def forward_and_derivative(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(φ(h), φ'(h)), each of the shape and dtype of ``h``, sharing the work (the hot path).

        E.g. tanh computes a = tanh h once and φ' = 1 − a²; bit-identical to the separate calls.
        """
        return self._fd(_as_float(h))

    def saturated(self, h: np.ndarray, *, derivative: np.ndarray | None = None) -> np.ndarray:
        """Boolean mask of units where |φ'(h)| < SATURATION_FRACTION · max_derivative.

        With SATURATION_FRACTION = 0.1 the saturated sets are exactly: linear none; relu h <= 0
        (the zero-derivative side); leaky_relu h <= 0 if negative_slope < 0.1, else none; sigmoid
        |h| > 2·atanh(√0.9) = 3.636893 (s outside [0.02566, 0.97434]); tanh |h| > atanh(√0.9) =
        1.818446 (|a| > √0.9 = 0.948683); elu and selu h < −ln 10 = −2.302585; softplus
        h < −ln 9 = −2.197225; silu h < −0.882469; gelu h < −1.728192 or −1.158295 < h < −0.532406
        (φ' crosses 0 at −0.751792). NaN inputs are not saturated.

        Parameters
        ----------
        h : ndarray, any shape
        derivative : ndarray, optional
            φ'(h) if already computed (skips recomputing it); same shape as ``h``.

        Returns
        -------
        ndarray of bool, shape of ``h``
        """
        d = self.derivative(h) if derivative is None else np.asarray(derivative)
        threshold = SATURATION_FRACTION * self.max_derivative
        if self.name in _NONNEGATIVE_DERIVATIVE or (self.name == "leaky_relu"
                                                    and self.negative_slope >= 0):
            return np.asarray(d < threshold)  # φ' ≥ 0: |φ'| is φ' (one pass fewer)
        mask: np.ndarray = np.abs(d) < threshold
        return mask


def _make(name: str, gain: float | None, homogeneous: bool, bounds: tuple[float, float] | None,
          max_d: float, fd: _PairKernel, f: _Kernel, d: _Kernel | None = None,
          slope: float = 0.0) -> Activation:
    return Activation(name, gain, homogeneous, bounds, float(max_d), float(slope), f,
                      d or _second(fd), fd)


_GELU_MAX_D = 0.5 * (1.0 + math.erf(1.0)) + math.exp(-1.0) / math.sqrt(math.pi)
_SILU_MAX_D = 1.0998393201288668  # silu'(2.3993572805154675); tests re-derive it by root finding


def get_activation(name: str, negative_slope: float = 0.01) -> Activation:
    """The :class:`Activation` called ``name`` (``torch.nn.functional`` semantics and defaults).

    Parameters
    ----------
    name : str
        One of linear, sigmoid, tanh, relu, leaky_relu, elu, selu, gelu, silu, softplus.
    negative_slope : float, default 0.01
        Slope for h < 0, used by leaky_relu only (``torch.nn.functional.leaky_relu``).

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        For an unknown name, or a non-finite negative_slope.
    """
    slope = float(negative_slope)
    if not math.isfinite(slope):
        raise ValueError(f"negative slope must be a finite number, got {negative_slope!r}")
    if name == "linear":
        return _make(name, calculate_gain(name), True, None, 1.0, _linear_fd, f=np.copy,
                     d=_linear_d)
    if name == "sigmoid":
        return _make(name, calculate_gain(name), False, (0.0, 1.0), 0.25, _sigmoid_fd, f=_sigmoid)
    if name == "tanh":
        return _make(name, calculate_gain(name), False, (-1.0, 1.0), 1.0, _tanh_fd, f=np.tanh)
    if name == "relu":
        return _make(name, calculate_gain(name), True, None, 1.0, partial(_leaky_fd, slope=0.0),
                     f=partial(_leaky_f, slope=0.0), d=partial(_leaky_d, slope=0.0))
    if name == "leaky_relu":
        return _make(name, calculate_gain("leaky_relu", slope), True, None, max(1.0, abs(slope)),
                     partial(_leaky_fd, slope=slope), f=partial(_leaky_f, slope=slope),
                     d=partial(_leaky_d, slope=slope), slope=slope)
    if name == "elu":
        return _make(name, None, False, None, 1.0, partial(_elu_fd, scale=1.0, alpha=1.0),
                     f=partial(_elu_f, scale=1.0, alpha=1.0),
                     d=partial(_elu_d, scale=1.0, alpha=1.0))
    if name == "selu":
        return _make(name, calculate_gain(name), False, None, SELU_SCALE * SELU_ALPHA,
                     partial(_elu_fd, scale=SELU_SCALE, alpha=SELU_ALPHA),
                     f=partial(_elu_f, scale=SELU_SCALE, alpha=SELU_ALPHA),
                     d=partial(_elu_d, scale=SELU_SCALE, alpha=SELU_ALPHA))
    if name == "gelu":
        return _make(name, None, False, None, _GELU_MAX_D, _gelu_fd, f=_gelu_f, d=_gelu_d)
    if name == "silu":
        return _make(name, None, False, None, _SILU_MAX_D, _silu_fd, f=_silu_f)
    if name == "softplus":
        return _make(name, None, False, None, 1.0, _softplus_fd, f=_softplus_f)
    raise ValueError(f"unknown activation {name!r} (choose from: {', '.join(ACTIVATION_NAMES)})")


_TORCH_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain torch recommends for ``nonlinearity``: ``torch.nn.init.calculate_gain``, exactly.

    linear (and torch's conv names) 1, sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1 + a²))
    with a = ``param`` (default 0.01), selu 3/4 (torch's empirical value, pytorch PR #50664).

    Parameters
    ----------
    nonlinearity : str
    param : float, optional
        leaky_relu's negative slope; ignored for the other names.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For names torch has no gain for (including elu, gelu, silu, softplus), or a ``param``
        for leaky_relu that is not a number (bools are rejected, as in torch).
    """
    if nonlinearity in _TORCH_LINEAR or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            a = 0.01
        elif isinstance(param, (int, float, np.floating, np.integer)) and not isinstance(
                param, (bool, np.bool_)):
            a = float(param)
        else:
            raise ValueError(f"negative_slope {param!r} not a valid number")
        return math.sqrt(2.0 / (1.0 + a * a))
    if nonlinearity == "selu":
        return 0.75
    raise ValueError(f"torch defines no gain for nonlinearity {nonlinearity!r} "
                     "(supported: linear, sigmoid, tanh, relu, leaky_relu, selu)")

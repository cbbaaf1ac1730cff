"""Weight and bias initializers with ``torch.nn.init`` semantics, in NumPy.

A weight matrix W has shape (fan_out, fan_in) as in ``torch.nn.Linear``. Every initializer has a
definition (its std or bound at gain = 1); ``gain`` multiplies that std (and bound) on top, so
gain = 1 means the definition. Definitions (torch/nn/init.py; LeCun et al. 1998; Glorot & Bengio
2010; He et al. 2015; Saxe et al. 2013):

==================  ==========================================================================
normal              N(0, 1)
zeros               0
xavier_uniform      U(±B), B = √(6/(fan_in + fan_out))           (``xavier_uniform_``)
xavier_normal       N(0, 2/(fan_in + fan_out))                    (``xavier_normal_``)
kaiming_uniform     U(±B), B = g·√(3/fan), g = √(2/(1 + a²))       (``kaiming_uniform_``)
kaiming_normal      N(0, g²/fan)                                   (``kaiming_normal_``)
lecun_normal        N(0, 1/fan_in)
lecun_uniform       U(±√(3/fan_in))
orthogonal          Haar-orthogonal: orthonormal rows or columns   (``orthogonal_``)
torch_default       U(±1/√fan_in): ``nn.Linear``'s ``kaiming_uniform_(a=√5)``
lsuv                orthogonal; the data-dependent rescaling is in :mod:`.lsuv`
==================  ==========================================================================

kaiming uses torch's default nonlinearity 'leaky_relu' with a = ``negative_slope`` (the caller
passes the activation's slope for leaky_relu, else 0, so g = √2), and fan = fan_in or fan_out by
``mode``; the other initializers ignore ``mode``.

Every draw is a standard variate (``standard_normal``, or ``random``·2 − 1 for uniforms, in the
requested dtype) multiplied by the scale afterwards: the same ``rng`` state gives bit-identical
arrays, and changing ``gain`` only rescales the same draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from gradexplorer.engine.compute.blas import one_blas_thread
from gradexplorer.engine.compute.cancel import CancelCheck, cancellable_qr, draw_in_blocks
from gradexplorer.engine.model.activations import calculate_gain
from gradexplorer.engine.model.spec import BIAS_INIT_NAMES, INIT_NAMES, MODE_NAMES

__all__ = ["base_weight", "draw_kind", "init_bias", "init_weight", "panel_qr", "sigma_w2",
           "weight_scale", "weight_std"]

_UNIFORM = {"xavier_uniform", "kaiming_uniform", "lecun_uniform", "torch_default"}
_ORTHOGONAL = {"orthogonal", "lsuv"}
#: Smallest fan for which the orthogonal QR runs by cancellable Householder panels — with or
#: without a ``cancel``, so the GUI (which passes one) and the CLI (which does not) draw
#: bit-identical weights. Measured on one BLAS thread: 1.04–1.3× the time of one LAPACK call
#: (256: 9 vs 9 ms, 2048: 1.95 vs 1.48 s), but a cancel lands within one panel.
ORTHOGONAL_CANCEL_MIN = 256


def _check(init: str, fan_out: int, fan_in: int, gain: float, mode: str,
           negative_slope: float) -> None:
    if init not in INIT_NAMES:
        raise ValueError(f"unknown initializer {init!r} (choose from: {', '.join(INIT_NAMES)})")
    if mode not in MODE_NAMES:
        raise ValueError(f"unknown mode {mode!r} (choose from: {', '.join(MODE_NAMES)})")
    for name, n in (("fan_out", fan_out), ("fan_in", fan_in)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {n!r}")
    if not (math.isfinite(gain) and gain >= 0):
        raise ValueError(f"gain must be a finite number >= 0, got {gain!r}")
    if not math.isfinite(negative_slope):
        raise ValueError(f"negative slope must be a finite number, got {negative_slope!r}")


def _scale(init: str, fan_out: int, fan_in: int, gain: float, mode: str, a: float) -> float:
    """The std (normal), bound B (uniform) or singular value (orthogonal) times ``gain``."""
    if init == "normal":
        return gain
    if init == "zeros":
        return 0.0
    if init == "xavier_uniform":
        return gain * math.sqrt(6.0 / (fan_in + fan_out))
    if init == "xavier_normal":
        return gain * math.sqrt(2.0 / (fan_in + fan_out))
    if init in ("kaiming_uniform", "kaiming_normal"):
        fan = fan_in if mode == "fan_in" else fan_out
        g = calculate_gain("leaky_relu", a)  # torch's kaiming_*_ default nonlinearity
        return gain * g * math.sqrt((3.0 if init == "kaiming_uniform" else 1.0) / fan)
    if init == "lecun_normal":
        return gain / math.sqrt(fan_in)
    if init == "lecun_uniform":
        return gain * math.sqrt(3.0 / fan_in)
    if init == "torch_default":
        return gain / math.sqrt(fan_in)
    return gain  # orthogonal, lsuv


def _float_dtype(dtype: DTypeLike) -> Any:
    """np.dtype(dtype), float32 or float64 (typed Any: numpy's draws overload on the dtype)."""
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def init_weight(init: str, fan_out: int, fan_in: int, *, gain: float = 1.0, mode: str = "fan_in",
                negative_slope: float = 0.0, rng: np.random.Generator,
                dtype: DTypeLike = np.float64,
                cancel: Callable[[], bool] | None = None) -> np.ndarray:
    """Draw one weight matrix with ``torch.nn.init`` semantics (see the module table).

    Parameters
    ----------
    init : str
        One of :data:`~gradexplorer.engine.model.spec.INIT_NAMES`.
    fan_out, fan_in : int
        Output and input width of the layer (>= 1).
    gain : float, default 1
        Multiplies the definition's std and bound (>= 0).
    mode : {'fan_in', 'fan_out'}
        Which fan the kaiming initializers normalize by (``torch.nn.init.kaiming_*_``).
    negative_slope : float, default 0
        a in kaiming's built-in gain √(2/(1 + a²)) (torch's nonlinearity='leaky_relu').
    rng : numpy.random.Generator
        The only source of randomness; the same state gives bit-identical output.
    dtype : float32 or float64
        Drawn directly in this dtype (float32 is not computed in float64).
    cancel : callable, optional
        For orthogonal/lsuv with min(fan) ≥ ORTHOGONAL_CANCEL_MIN the QR always runs by panels
        (:func:`~gradexplorer.engine.compute.cancel.cancellable_qr`; Q agrees with the one-call
        QR to rounding, ~1e-14) and polls ``cancel`` between them, raising ``Cancelled``; the
        weights are bit-identical with and without ``cancel``.

    Returns
    -------
    ndarray, shape (fan_out, fan_in), dtype ``dtype``
        orthogonal/lsuv follow ``torch.nn.init.orthogonal_``: QR of a standard Gaussian of shape
        (max, min), Q's columns multiplied by sign(diag(R)) (Mezzadri 2007, which makes Q Haar
        distributed), transposed back when fan_out < fan_in, times ``gain``. So W Wᵀ = gain² I
        (fan_out <= fan_in) or Wᵀ W = gain² I (fan_out >= fan_in).

    Raises
    ------
    ValueError
        Unknown ``init`` or ``mode``, a fan < 1, a negative or non-finite gain, a dtype other than
        float32/float64.
    """
    _check(init, fan_out, fan_in, gain, mode, negative_slope)
    dt = _float_dtype(dtype)
    scale = _scale(init, fan_out, fan_in, float(gain), mode, float(negative_slope))
    if init == "zeros":
        return np.zeros((int(fan_out), int(fan_in)), dtype=dt)
    w = base_weight(draw_kind(init), int(fan_out), int(fan_in), rng=rng, dtype=dt, cancel=cancel)
    w *= scale
    return w


def draw_kind(init: str) -> str:
    """The standard draw under ``init``: ``"uniform"``, ``"normal"``, ``"orthogonal"``, ``"zeros"``.

    Initializers of one kind share their draw: they differ only by the scale (times ``gain``) that
    :func:`init_weight` multiplies it with, e.g. xavier_normal and kaiming_normal.

    Parameters
    ----------
    init : str
        One of :data:`~gradexplorer.engine.model.spec.INIT_NAMES`.

    Returns
    -------
    str
    """
    if init == "zeros":
        return "zeros"
    if init in _UNIFORM:
        return "uniform"
    if init in _ORTHOGONAL:
        return "orthogonal"
    return "normal"


def weight_scale(init: str, fan_out: int, fan_in: int, *, gain: float = 1.0,
                 mode: str = "fan_in", negative_slope: float = 0.0) -> float:
    """The factor :func:`init_weight` multiplies its standard draw with (times ``gain``).

    The std (normal inits), the bound B (uniform) or the singular value (orthogonal); 0 for
    zeros. ``init_weight(...) == base_weight(draw_kind(init), ...) * weight_scale(...)``, bit
    for bit.

    Parameters
    ----------
    init, fan_out, fan_in, gain, mode, negative_slope
        As in :func:`init_weight`.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        As :func:`init_weight`.
    """
    _check(init, fan_out, fan_in, gain, mode, negative_slope)
    return _scale(init, fan_out, fan_in, float(gain), mode, float(negative_slope))


def base_weight(kind: str, fan_out: int, fan_in: int, *, rng: np.random.Generator,
                dtype: DTypeLike = np.float64,
                cancel: Callable[[], bool] | None = None) -> np.ndarray:
    """The standard draw of ``kind`` (see :func:`draw_kind`) before any scale, fresh and writable.

    Parameters
    ----------
    kind : {'uniform', 'normal', 'orthogonal'}
        ``uniform``: U(−1, 1) as ``random``·2 − 1; ``normal``: ``standard_normal``;
        ``orthogonal``: sign-fixed Q of the QR of a standard normal (Mezzadri 2007), as
        ``torch.nn.init.orthogonal_``.
    fan_out, fan_in : int
        The shape (fan_out, fan_in).
    rng : numpy.random.Generator
        The only source of randomness.
    dtype : float32 or float64
        Drawn in this dtype.
    cancel : callable, optional
        As in :func:`init_weight` (orthogonal only; see :func:`panel_qr`).

    Returns
    -------
    ndarray, shape (fan_out, fan_in)

    Raises
    ------
    ValueError
        An unknown kind.
    """
    shape = (fan_out, fan_in)
    dt = _float_dtype(dtype)
    if kind == "uniform":
        w = rng.random(shape, dtype=dt)
        w *= 2.0
        w -= 1.0
        return w
    if kind == "orthogonal":
        check = CancelCheck(cancel) if cancel is not None else None
        g = draw_in_blocks(lambda s: rng.standard_normal(s, dtype=dt), shape, check, dt)
        tall = g if fan_out >= fan_in else g.T
        # one BLAS thread whatever other runs hold: LAPACK's QR rounds differently with two
        # (~1e-15), and a cached draw must not depend on which run drew it first
        with one_blas_thread():
            if panel_qr(fan_out, fan_in, cancel):  # whether or not there is a cancel
                q, diag_r = cancellable_qr(tall, check or CancelCheck(None))
            else:
                import scipy.linalg  # here: only orthogonal draws need it (start-up time)

                q, r = scipy.linalg.qr(tall, mode="economic", check_finite=False)  # keeps f32
                diag_r = np.diag(r)
        q *= np.sign(diag_r)
        return np.ascontiguousarray(q if fan_out >= fan_in else q.T)
    if kind == "normal":
        return rng.standard_normal(shape, dtype=dt)
    raise ValueError(f"unknown draw kind {kind!r} (uniform, normal or orthogonal)")


def panel_qr(fan_out: int, fan_in: int, cancel: Callable[[], bool] | None) -> bool:
    """True when an orthogonal (fan_out, fan_in) draw takes the QR by panels.

    With or without a ``cancel`` (the same numbers either way); that Q agrees with LAPACK's
    one-call QR to rounding (~1e-14), not bit for bit.
    """
    del cancel  # the path depends on the shape only
    return min(fan_out, fan_in) >= ORTHOGONAL_CANCEL_MIN


def weight_std(init: str, fan_out: int, fan_in: int, *, gain: float = 1.0, mode: str = "fan_in",
               negative_slope: float = 0.0) -> float:
    """The per-entry standard deviation the initializer's definition implies (times ``gain``).

    normal: the std; uniform U(±B): B/√3; zeros: 0. orthogonal and lsuv (before LSUV's rescaling):
    gain/√max(fan_in, fan_out) — a (fan_out, fan_in) matrix with orthonormal rows (fan_out <=
    fan_in) has Σ W² = fan_out, so its entries have mean square exactly 1/fan_in; with orthonormal
    columns (fan_out >= fan_in), 1/fan_out. Example fan_in = 256, fan_out = 128 (theory.md §1):
    xavier 0.072169, kaiming_normal 0.088388 (fan_in) or 0.125 (fan_out), torch_default
    0.0625/√3.

    Parameters
    ----------
    init, fan_out, fan_in, gain, mode, negative_slope
        As in :func:`init_weight`.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        As :func:`init_weight`.
    """
    _check(init, fan_out, fan_in, gain, mode, negative_slope)
    scale = _scale(init, fan_out, fan_in, float(gain), mode, float(negative_slope))
    if init in _UNIFORM:
        return scale / math.sqrt(3.0)
    if init in _ORTHOGONAL:
        return scale / math.sqrt(max(fan_in, fan_out))
    return scale


def sigma_w2(init: str, fan_out: int, fan_in: int, *, gain: float = 1.0, mode: str = "fan_in",
             negative_slope: float = 0.0) -> float:
    """Mean-field σ_w² = fan_in · Var(W) (Poole et al. 2016) implied by the initializer.

    E.g. torch_default 1/3, xavier on a square layer 1 (times gain²), kaiming (relu, fan_in) 2.

    Parameters
    ----------
    init, fan_out, fan_in, gain, mode, negative_slope
        As in :func:`init_weight`.

    Returns
    -------
    float
        ``fan_in * weight_std(...)**2``.

    Raises
    ------
    ValueError
        As :func:`init_weight`.
    """
    std = weight_std(init, fan_out, fan_in, gain=gain, mode=mode, negative_slope=negative_slope)
    return fan_in * std * std


def init_bias(bias_init: str, fan_out: int, *, std: float, rng: np.random.Generator,
              dtype: DTypeLike = np.float64) -> np.ndarray:
    """Draw a bias vector: ``zeros`` or ``normal`` b ~ N(0, std²) (σ_b = std, not the variance).

    Parameters
    ----------
    bias_init : {'zeros', 'normal'}
    fan_out : int
        Number of units (>= 1).
    std : float
        σ_b >= 0 (ignored for zeros).
    rng : numpy.random.Generator
        Used for ``normal`` only (``standard_normal`` then times std).
    dtype : float32 or float64

    Returns
    -------
    ndarray, shape (fan_out,), dtype ``dtype``

    Raises
    ------
    ValueError
        Unknown ``bias_init``, fan_out < 1, negative or non-finite std, bad dtype.
    """
    if bias_init not in BIAS_INIT_NAMES:
        raise ValueError(f"unknown bias init {bias_init!r} "
                         f"(choose from: {', '.join(BIAS_INIT_NAMES)})")
    if isinstance(fan_out, bool) or not isinstance(fan_out, (int, np.integer)) or fan_out < 1:
        raise ValueError(f"fan_out must be a whole number >= 1, got {fan_out!r}")
    if not (math.isfinite(std) and std >= 0):
        raise ValueError(f"bias std must be a finite number >= 0, got {std!r}")
    dt = _float_dtype(dtype)
    if bias_init == "zeros":
        return np.zeros(int(fan_out), dtype=dt)
    b = rng.standard_normal(int(fan_out), dtype=dt)
    b *= float(std)
    return b

"""The ``gain`` torch recommends on top of each initializer: Var(W) = g(φ)²/fan_in.

g(φ) is torch's ``calculate_gain`` (:func:`~gradexplorer.engine.model.activations.calculate_gain`);
the initializers themselves are in :mod:`.initializers`.
"""

from __future__ import annotations

import math

from gradexplorer.engine.model.activations import calculate_gain, get_activation
from gradexplorer.engine.model.spec import ACTIVATION_NAMES, INIT_NAMES

__all__ = ["recommended_gain"]


def recommended_gain(activation: str, init: str, *, negative_slope: float = 0.01,
                     fan_in: int | None = None) -> float:
    """The ``gain`` on top of ``init`` that gives torch's recommendation Var(W) = g(φ)²/fan_in.

    g(φ) = :func:`~gradexplorer.engine.model.activations.calculate_gain` (torch's
    ``calculate_gain``). Torch defines no gain for elu, gelu, silu and softplus; for those this
    uses g = 1 (not a claim that 1 is right: the theory module offers the critical gain).
    Returned values: xavier_*, lecun_*, orthogonal, lsuv: g(φ); kaiming_*: g(φ)/√(2/(1 + a²)) with
    a = negative_slope for leaky_relu, else 0 (1 for relu and leaky_relu); torch_default: √3·g(φ);
    normal: g(φ)/√fan_in; zeros: 1. Var(W) is then exactly g²/fan_in for lecun, for kaiming in
    mode fan_in and for normal and torch_default; for xavier it is g²·2/(fan_in + fan_out), for
    orthogonal g²/max(fan_in, fan_out) and for kaiming in mode fan_out g²/fan_out, which equal
    g²/fan_in on square layers (this is how torch's docs pair calculate_gain with them).

    Parameters
    ----------
    activation : str
        One of :data:`~gradexplorer.engine.model.spec.ACTIVATION_NAMES`.
    init : str
        One of :data:`~gradexplorer.engine.model.spec.INIT_NAMES`.
    negative_slope : float, default 0.01
        leaky_relu's slope (ignored for other activations).
    fan_in : int, optional
        Needed for ``init='normal'`` only.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Unknown activation or initializer; ``init='normal'`` without a valid fan_in.
    """
    if activation not in ACTIVATION_NAMES:
        raise ValueError(f"unknown activation {activation!r} "
                         f"(choose from: {', '.join(ACTIVATION_NAMES)})")
    if init not in INIT_NAMES:
        raise ValueError(f"unknown initializer {init!r} (choose from: {', '.join(INIT_NAMES)})")
    g = get_activation(activation, negative_slope).gain
    g = 1.0 if g is None else g
    if init in ("kaiming_uniform", "kaiming_normal"):
        a = float(negative_slope) if activation == "leaky_relu" else 0.0
        return g / calculate_gain("leaky_relu", a)
    if init == "torch_default":
        return math.sqrt(3.0) * g
    if init == "normal":
        if fan_in is None or isinstance(fan_in, bool) or fan_in < 1:
            raise ValueError(f"init 'normal' needs fan_in >= 1 for its recommended gain, "
                             f"got {fan_in!r}")
        return g / math.sqrt(fan_in)
    if init == "zeros":
        return 1.0
    return g

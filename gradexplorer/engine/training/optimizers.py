"""First-order optimizers for training mode: SGD with momentum and Adam, updating in place.

Both keep their state in arrays of the parameters' dtype, update every parameter in place and
return the update Δp that was just added (p_new = p_old + Δp), so the trainer can measure the
update-to-weight ratio std(ΔW)/std(W) without copying the weights (theory.md §6; Karpathy's
"update-to-data ratio", healthy ≈ 10⁻³ per step).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SGD", "Adam", "make_optimizer"]


class SGD:
    """Stochastic gradient descent with momentum, exactly as ``torch.optim.SGD``.

    With dampening 0, no Nesterov and no weight decay, per parameter p with gradient g:
    ``v ← μ·v + g`` (v starts at 0, so the first v is g, as torch's ``buf = clone(g)``) and
    ``p ← p − lr·v``. With μ = 0 this is plain SGD, ``p ← p − lr·g``.

    Parameters
    ----------
    params : list of ndarray
        The parameters, updated in place; any shapes, float32 or float64.
    lr : float
        Learning rate (> 0).
    momentum : float, default 0.9
        μ in [0, 1).
    """

    def __init__(self, params: list[np.ndarray], lr: float, momentum: float = 0.9):
        self.params = params
        self.lr = float(lr)
        self.momentum = float(momentum)
        self._v = [np.zeros_like(p) for p in params]
        self._delta = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """Apply one update from ``grads`` (same shapes as the parameters).

        Returns
        -------
        list of ndarray
            Δp per parameter (p_new − p_old up to rounding, = −lr·v). Internal buffers: valid
            until the next call, never to be written by the caller.
        """
        self.t += 1
        for p, g, v, d in zip(self.params, grads, self._v, self._delta, strict=True):
            if self.momentum:
                v *= self.momentum
                v += g
            else:
                v[...] = g
            np.multiply(v, -self.lr, out=d)
            p += d
        return self._delta


class Adam:
    """Adam (Kingma & Ba 2015, Algorithm 1), as ``torch.optim.Adam`` without weight decay.

    At step t = 1, 2, ... with gradient g:
    ``m ← β1·m + (1 − β1)·g``, ``v ← β2·v + (1 − β2)·g²``, ``m̂ = m / (1 − β1ᵗ)``,
    ``v̂ = v / (1 − β2ᵗ)``, ``p ← p − lr·m̂ / (√v̂ + ε)``.

    Parameters
    ----------
    params : list of ndarray
        The parameters, updated in place; float32 or float64.
    lr : float
        Step size α (> 0); the paper's default is 1e-3.
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates of the first and second moment estimates, in [0, 1).
    eps : float, default 1e-8
        ε, added to √v̂.
    """

    def __init__(self, params: list[np.ndarray], lr: float, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8):
        self.params = params
        self.lr, self.beta1, self.beta2, self.eps = float(lr), float(beta1), float(beta2), \
            float(eps)
        self._m = [np.zeros_like(p) for p in params]
        self._v = [np.zeros_like(p) for p in params]
        self._delta = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """Apply one update from ``grads``; returns Δp per parameter (see :meth:`SGD.step`)."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1.0 - b1 ** self.t)          # lr / (1 − β1ᵗ)
        root_bc2 = math.sqrt(1.0 - b2 ** self.t)            # √(1 − β2ᵗ)
        for p, g, m, v, d in zip(self.params, grads, self._m, self._v, self._delta, strict=True):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * np.square(g)
            np.sqrt(v, out=d)
            d /= root_bc2                                     # √v̂
            d += self.eps
            np.divide(m, d, out=d)
            d *= -step_size                                   # −lr·m̂/(√v̂ + ε)
            p += d
        return self._delta


def make_optimizer(name: str, params: list[np.ndarray], lr: float, momentum: float = 0.9,
                   beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> SGD | Adam:
    """The optimizer called ``name`` (``"sgd"`` or ``"adam"``) over ``params``.

    Raises
    ------
    ValueError
        For an unknown name.
    """
    if name == "sgd":
        return SGD(params, lr, momentum)
    if name == "adam":
        return Adam(params, lr, beta1, beta2, eps)
    raise ValueError(f"unknown optimizer {name!r} (choose from: sgd, adam)")
